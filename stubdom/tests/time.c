/*
 * Time in a PV domain: the pvclock moves forward, the wallclock is
 * plausible, sleeps on the single-shot timer last at least as asked,
 * and bad timer requests get errors. Prints "time: N passed, M failed".
 */
#include <public/errno.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <stub/events.h>
#include <stub/hypercall.h>
#include <stub/stub.h>
#include <stub/time.h>

#define MS	     1000000ull
#define YEAR_2020_NS (1577836800ull * 1000000000ull)

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

int app_main(const char *cmdline)
{
	struct vcpu_set_singleshot_timer past = { .timeout_abs_ns = 1,
						  .flags =
						      VCPU_SSHOTTMR_future };
	uint64_t t0, t1, slept, shortest = ~0ull;

	stub_events_init();
	t0 = stub_now();
	t1 = stub_now();
	check("clock runs forward", t1 >= t0 && t0 > 0, 1);
	check("wallclock after 2020", stub_wallclock() > YEAR_2020_NS, 1);
	for (int i = 0; i < 5; i++) {
		t0 = stub_now();
		stub_sleep(20 * MS);
		slept = stub_now() - t0;
		check("sleep not early", slept >= 20 * MS, 1);
		if (slept < shortest)
			shortest = slept;
	}
	check("timer in the past, future flag",
	      hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0,
			 (long)&past),
	      -XEN_ETIME);
	past.flags = 77;
	check("bad timer flags",
	      hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0,
			 (long)&past),
	      -XEN_EINVAL);
	check("timer of another vCPU",
	      hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_stop_singleshot_timer, 1,
			 0),
	      -XEN_EINVAL);
	check("set_timer_op cancel",
	      hypercall2(__HYPERVISOR_set_timer_op, 0, 0), 0);
	printf("slept 20 ms five times, shortest %llu us\n",
	       (unsigned long long)(shortest / 1000));
	printf("time: %u passed, %u failed\n", passed, failed);
	return SHUTDOWN_poweroff;
}
