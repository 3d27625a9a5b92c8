/* Built without CONFIG_TEST_EXIT: no exit device, no test= option. */
#include <xen/errno.h>
#include <xen/kernel.h>

void testdev_exit(unsigned int code)
{
	(void)code;
}

long testdev_hypercall(uint64_t cmd, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	return -ENOSYS;
}

void testdev_run(void)
{
}

bool testdev_exit_after_boot(void)
{
	return false;
}

void testdev_idle_enter(void)
{
}

void testdev_idle_exit(void)
{
}
