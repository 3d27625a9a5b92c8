/* Built without CONFIG_TEST_EXIT: no exit device, no test= option. */
#include <xen/kernel.h>

void testdev_exit(unsigned int code)
{
	(void)code;
}

void testdev_run(void)
{
}

bool testdev_exit_after_boot(void)
{
	return false;
}
