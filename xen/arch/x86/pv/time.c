/*
 * Time for PV domains: a pvclock per vCPU (system time at a TSC stamp,
 * with the TSC's scale), refreshed whenever the vCPU is entered; the
 * wallclock at system time 0 in shared_info; and a single-shot timer
 * per vCPU raising VIRQ_TIMER.
 */
#include <xen/errno.h>
#include <xen/event.h>
#include <xen/lib.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/timer.h>
#include <public/vcpu.h>
#include <public/xen.h>
#include <asm/guest_access.h>
#include <asm/msr.h>
#include <asm/pv.h>
#include <asm/rtc.h>
#include <asm/time.h>

#define NSEC_PER_SEC 1000000000ull

static uint64_t wall_at_zero_ns; /* wallclock at system time 0, in ns */

void pv_time_init(void)
{
	uint64_t epoch = rtc_read_epoch();
	s_time_t now = NOW();

	wall_at_zero_ns = epoch * NSEC_PER_SEC - now;
	log_info("Wallclock: %llu s since 1970 (CMOS clock)\n",
		 (unsigned long long)epoch);
}

/* Writers make version odd, then even again: a reader retries between. */
void pv_time_set_wallclock(struct domain *d)
{
	struct shared_info *si = d->shared_info;
	uint64_t sec = wall_at_zero_ns / NSEC_PER_SEC;

	__atomic_fetch_add(&si->wc_version, 1, __ATOMIC_RELEASE);
	si->wc_sec = (uint32_t)sec;
	si->wc_sec_hi = (uint32_t)(sec >> 32);
	si->wc_nsec = (uint32_t)(wall_at_zero_ns % NSEC_PER_SEC);
	__atomic_fetch_add(&si->wc_version, 1, __ATOMIC_RELEASE);
}

void pv_time_update_vcpu(struct vcpu *v)
{
	struct vcpu_time_info *t = &v->vcpu_info->time;
	uint32_t mul;
	int8_t shift;

	time_pvclock_scale(&mul, &shift);
	__atomic_fetch_add(&t->version, 1, __ATOMIC_RELEASE);
	t->tsc_timestamp = rdtsc();
	t->system_time = NOW();
	t->tsc_to_system_mul = mul;
	t->tsc_shift = shift;
	__atomic_fetch_add(&t->version, 1, __ATOMIC_RELEASE);
}

static void pv_singleshot_fired(void *data)
{
	evtchn_send_virq(data, VIRQ_TIMER);
}

static void pv_poll_timeout(void *data)
{
	vcpu_wake(data);
}

void pv_timer_init(struct vcpu *v)
{
	timer_init(&v->singleshot, pv_singleshot_fired, v, 0);
	timer_init(&v->poll_timer, pv_poll_timeout, v, 0);
}

/* The timer moves to the CPU the vCPU runs on now. 0 stops it. */
static void pv_singleshot_set(struct vcpu *v, s_time_t when)
{
	timer_stop(&v->singleshot);
	if (!when)
		return;
	v->singleshot.cpu = smp_processor_id();
	timer_set(&v->singleshot, when);
}

long pv_vcpu_timer_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	struct vcpu_set_singleshot_timer t;

	if (cmd == VCPUOP_stop_singleshot_timer) {
		pv_singleshot_set(v, 0);
		return 0;
	}
	if (copy_from_guest(v->domain, &t, arg, sizeof(t)) < 0)
		return -EFAULT;
	if (t.flags & ~VCPU_SSHOTTMR_future)
		return -EINVAL;
	if ((t.flags & VCPU_SSHOTTMR_future) && t.timeout_abs_ns < NOW())
		return -ETIME;
	pv_singleshot_set(v, t.timeout_abs_ns ? t.timeout_abs_ns : 1);
	return 0;
}

/* set_timer_op: an absolute timeout for the calling vCPU, 0 to cancel. */
long pv_do_set_timer_op(uint64_t timeout, uint64_t a2, uint64_t a3, uint64_t a4,
			uint64_t a5)
{
	pv_singleshot_set(pv_current(), timeout);
	return 0;
}
