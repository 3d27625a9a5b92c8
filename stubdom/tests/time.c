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
#include <stub/check.h>
#include <stub/stub.h>
#include <stub/time.h>

#define MS	     1000000ull
#define YEAR_2020_NS (1577836800ull * 1000000000ull)

static long runstate_get(unsigned int vcpu, struct vcpu_runstate_info *r)
{
	return hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info, vcpu,
			  (long)r);
}

static uint64_t runstate_sum(const struct vcpu_runstate_info *r)
{
	return r->time[0] + r->time[1] + r->time[2] + r->time[3];
}

/*
 * Run states: a vCPU asking is running; a sleep counts as blocked; the
 * four times add up to the vCPU's age, so they grow exactly as the clock
 * does; the registered copy is kept up to date across a sleep.
 */
static void test_runstate(void)
{
	static struct vcpu_runstate_info area;
	struct vcpu_register_runstate_memory_area reg = { .addr.v = &area };
	struct vcpu_runstate_info a, b;
	uint64_t t0, t1, t2, t3, grew;

	t0 = stub_now();
	stub_check("get runstate", runstate_get(0, &a), 0);
	t1 = stub_now();
	stub_check("running while asking", a.state, RUNSTATE_running);
	stub_check("register runstate area",
		   hypercall3(__HYPERVISOR_vcpu_op,
			      VCPUOP_register_runstate_memory_area, 0,
			      (long)&reg),
		   0);
	stub_check("area filled at once", area.state_entry_time != 0, 1);
	stub_sleep(20 * MS);
	t2 = stub_now();
	stub_check("get runstate again", runstate_get(0, &b), 0);
	t3 = stub_now();
	stub_check(
	    "blocked while asleep",
	    b.time[RUNSTATE_blocked] - a.time[RUNSTATE_blocked] >= 15 * MS, 1);
	grew = runstate_sum(&b) - runstate_sum(&a);
	stub_check("times add up to the clock",
		   grew + MS >= t2 - t1 && grew <= t3 - t0 + MS, 1);
	stub_check("area kept up to date",
		   area.state == RUNSTATE_running &&
		       area.time[RUNSTATE_blocked] >=
			   b.time[RUNSTATE_blocked] - MS,
		   1);
	stub_check("runstate bad pointer", runstate_get(0, (void *)0x10),
		   -XEN_EFAULT);
	stub_check("runstate no such vCPU", runstate_get(99, &a), -XEN_ENOENT);
	reg.addr.p = 0xffff830000000000ull;
	stub_check("runstate area in the hypervisor",
		   hypercall3(__HYPERVISOR_vcpu_op,
			      VCPUOP_register_runstate_memory_area, 0,
			      (long)&reg),
		   -XEN_EFAULT);
	printf("runstate: %llu us blocked over a 20 ms sleep\n",
	       (unsigned long long)((b.time[RUNSTATE_blocked] -
				     a.time[RUNSTATE_blocked]) /
				    1000));
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
	stub_check("clock runs forward", t1 >= t0 && t0 > 0, 1);
	stub_check("wallclock after 2020", stub_wallclock() > YEAR_2020_NS, 1);
	for (int i = 0; i < 5; i++) {
		t0 = stub_now();
		stub_sleep(20 * MS);
		slept = stub_now() - t0;
		stub_check("sleep not early", slept >= 20 * MS, 1);
		if (slept < shortest)
			shortest = slept;
	}
	stub_check("timer in the past, future flag",
		   hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer,
			      0, (long)&past),
		   -XEN_ETIME);
	past.flags = 77;
	stub_check("bad timer flags",
		   hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer,
			      0, (long)&past),
		   -XEN_EINVAL);
	stub_check("timer of another vCPU",
		   hypercall3(__HYPERVISOR_vcpu_op,
			      VCPUOP_stop_singleshot_timer, 1, 0),
		   -XEN_EINVAL);
	stub_check("set_timer_op cancel",
		   hypercall2(__HYPERVISOR_set_timer_op, 0, 0), 0);
	test_runstate();
	printf("slept 20 ms five times, shortest %llu us\n",
	       (unsigned long long)(shortest / 1000));
	stub_check_report("time");
	return SHUTDOWN_poweroff;
}
