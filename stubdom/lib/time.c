/*
 * Reading the pvclock (version even and unchanged around the read, as
 * Xen's ABI has it) and sleeping on a single-shot timer.
 */
#include <public/vcpu.h>
#include <stub/events.h>
#include <stub/hypercall.h>
#include <stub/stub.h>
#include <stub/time.h>

static volatile int timer_fired;
static int timer_bound;

static uint64_t stub_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

uint64_t stub_now(void)
{
	volatile struct vcpu_time_info *t = &shared_info->vcpu_info[0].time;
	uint32_t version;
	uint64_t delta, ns;

	do {
		version = t->version;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		delta = stub_rdtsc() - t->tsc_timestamp;
		delta = t->tsc_shift >= 0 ? delta << t->tsc_shift
					  : delta >> -t->tsc_shift;
		ns = t->system_time + (uint64_t)(((unsigned __int128)delta *
						  t->tsc_to_system_mul) >>
						 32);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((version & 1) || version != t->version);
	return ns;
}

uint64_t stub_wallclock(void)
{
	uint32_t version;
	uint64_t sec, nsec;

	do {
		version = shared_info->wc_version;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		sec = (uint64_t)shared_info->wc_sec_hi << 32 |
		      shared_info->wc_sec;
		nsec = shared_info->wc_nsec;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((version & 1) || version != shared_info->wc_version);
	return sec * 1000000000ull + nsec + stub_now();
}

static uint64_t timer_deadline; /* armed and not fired yet, else 0 */

static void on_timer(evtchn_port_t port, void *data)
{
	timer_fired = 1;
	timer_deadline = 0;
}

static void stub_bind_timer(void)
{
	struct evtchn_bind_virq b = { .virq = VIRQ_TIMER, .vcpu = 0 };

	if (stub_evtchn_op(EVTCHNOP_bind_virq, &b) < 0)
		stub_panic("cannot bind VIRQ_TIMER");
	stub_event_bind(b.port, on_timer, NULL);
	timer_bound = 1;
}

void stub_timer_arm(uint64_t deadline)
{
	struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = deadline };

	if (!timer_bound)
		stub_bind_timer();
	timer_fired = 0;
	timer_deadline = deadline ? deadline : 1;
	if (hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0,
		       (long)&t) < 0)
		stub_panic("set_singleshot_timer failed");
}

uint64_t stub_timer_deadline(void)
{
	return timer_deadline;
}

bool stub_timer_fired(void)
{
	return timer_fired;
}

void stub_sleep(uint64_t ns)
{
	stub_timer_arm(stub_now() + ns);
	stub_wait_until(timer_fired);
}

long stub_all_halted_ns(void)
{
	return hypercall2(__HYPERVISOR_arch_7, 5, 0);
}

bool stub_busy_since(long halted0, uint64_t ns, uint64_t *busy)
{
	long halted = stub_all_halted_ns();

	if (halted0 < 0 || halted < halted0 ||
	    (uint64_t)(halted - halted0) > ns)
		return false;
	*busy = ns - (uint64_t)(halted - halted0);
	return true;
}
