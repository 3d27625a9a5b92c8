/*
 * SCHEDOP_watchdog: arm, pet, stop, the limits; then stop petting, and
 * the hypervisor must shut the domain down with SHUTDOWN_watchdog.
 */
#include <public/errno.h>
#include <public/sched.h>
#include <stub/events.h>
#include <stub/hypercall.h>
#include <stub/check.h>
#include <stub/stub.h>
#include <stub/time.h>

#define MS 1000000ull

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
	stub_check("arm", id > 0, 1);
	for (int i = 0; i < 3; i++) {
		stub_sleep(300 * MS);
		stub_check("pet", watchdog((uint32_t)id, 1), 0);
	}
	stub_check("new without a timeout", watchdog(0, 0), -XEN_EINVAL);
	stub_check("unknown id", watchdog(7, 1), -XEN_EINVAL);
	second = watchdog(0, 100);
	stub_check("second", second > 0 && second != id, 1);
	stub_check("all in use", watchdog(0, 100), -XEN_ENOSPC);
	stub_check("stop the second", watchdog((uint32_t)second, 0), 0);
	stub_check("pet a stopped one", watchdog((uint32_t)second, 1),
		   -XEN_EINVAL);
	stub_check(
	    "bad pointer",
	    hypercall2(__HYPERVISOR_sched_op, SCHEDOP_watchdog, 0x10000000),
	    -XEN_EFAULT);
	stub_check_report("watchdog");
	printf("no more petting\n");
	stub_sleep(3000 * MS);
	printf("still alive after 3 s\n");
	return SHUTDOWN_poweroff;
}
