/*
 * The driver domain's watchdog (SCHEDOP_watchdog): a main loop that
 * stops going round (a hang, a livelock) gets the domain shut down with
 * SHUTDOWN_watchdog, which the control domain's supervisor treats as a
 * crash. See fault.h.
 */
#include <public/sched.h>
#include <stub/hypercall.h>
#include <stub/stub.h>
#include <stub/check.h>
#include <driverdom/fault.h>

#define NS_PER_S 1000000000ull

static uint32_t dd_wd_id, dd_wd_secs;
static uint64_t dd_wd_next; /* stub_now() of the next pet */

static long dd_wd_op(uint32_t id, uint32_t secs)
{
	struct sched_watchdog w = { .id = id, .timeout = secs };

	return hypercall2(__HYPERVISOR_sched_op, SCHEDOP_watchdog, (long)&w);
}

void dd_watchdog_start(const char *cmdline)
{
	long rc;

	if (!stub_arg_has(cmdline, "watchdog="))
		return;
	dd_wd_secs = stub_arg_uint(cmdline, "watchdog=");
	if (!dd_wd_secs)
		return;
	rc = dd_wd_op(0, dd_wd_secs);
	if (rc <= 0) {
		printf("watchdog: cannot arm one of %u s (%ld)\n", dd_wd_secs,
		       rc);
		dd_wd_secs = 0;
		return;
	}
	dd_wd_id = (uint32_t)rc;
	printf("watchdog: %u s\n", dd_wd_secs);
}

void dd_watchdog_kick(uint64_t now)
{
	if (!dd_wd_secs || now < dd_wd_next)
		return;
	dd_wd_op(dd_wd_id, dd_wd_secs);
	dd_wd_next = now + dd_wd_secs * NS_PER_S / 4;
}
