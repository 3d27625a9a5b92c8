/*
 * SCHEDOP_watchdog: arm, pet, stop, the limits; then stop petting, and
 * the hypervisor must shut the domain down with SHUTDOWN_watchdog.
 */
#include <public/errno.h>
#include <public/sched.h>
#include <stub/events.h>
#include <stub/hypercall.h>
#include <stub/stub.h>
#include <stub/time.h>

#define MS 1000000ull

static unsigned int passed, failed;

static void check(const char *what, long got, long want)
{
	if (got == want) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL %s: got %ld, expected %ld\n", what, got, want);
}

static long watchdog(uint32_t id, uint32_t timeout)
{
	struct sched_watchdog w = { .id = id, .timeout = timeout };

	return hypercall2(__HYPERVISOR_sched_op, SCHEDOP_watchdog, (long)&w);
}

int app_main(const char *cmdline)
{
	long id, second;

	stub_events_init();
	id = watchdog(0, 1);
	check("arm", id > 0, 1);
	for (int i = 0; i < 3; i++) {
		stub_sleep(300 * MS);
		check("pet", watchdog((uint32_t)id, 1), 0);
	}
	check("new without a timeout", watchdog(0, 0), -XEN_EINVAL);
	check("unknown id", watchdog(7, 1), -XEN_EINVAL);
	second = watchdog(0, 100);
	check("second", second > 0 && second != id, 1);
	check("all in use", watchdog(0, 100), -XEN_ENOSPC);
	check("stop the second", watchdog((uint32_t)second, 0), 0);
	check("pet a stopped one", watchdog((uint32_t)second, 1), -XEN_EINVAL);
	check("bad pointer",
	      hypercall2(__HYPERVISOR_sched_op, SCHEDOP_watchdog, 0x10000000),
	      -XEN_EFAULT);
	printf("watchdog: %u passed, %u failed\n", passed, failed);
	printf("no more petting\n");
	stub_sleep(3000 * MS);
	printf("still alive after 3 s\n");
	return SHUTDOWN_poweroff;
}
