/*
 * vCPU run states (VCPUOP_get_runstate_info and the registered runstate
 * area): what each vCPU is doing and how long it spent in each state,
 * which a guest uses for steal time. Only the scheduler moves a vCPU into
 * or out of RUNSTATE_running; wakes and blocks move it between the
 * others. Each change accounts the time since the last one, so the four
 * times always add up to the vCPU's age.
 */
#include <xen/arch.h>
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/sched.h>
#include <xen/string.h>
#include <public/vcpu.h>
#include <asm/guest_access.h>

/* Not running: what the scheduler and the domain's state say it is. */
static int runstate_idle_state(const struct vcpu *v)
{
	enum sched_state s = sched_unit_state(&v->sched);

	if (s == SCHED_RUNNABLE || s == SCHED_RUNNING || s == SCHED_PARKED)
		return RUNSTATE_runnable;
	if (__atomic_load_n(&v->online, __ATOMIC_ACQUIRE) &&
	    v->domain->state == DOMSTATE_ACTIVE &&
	    !__atomic_load_n(&v->domain->pause_count, __ATOMIC_ACQUIRE))
		return RUNSTATE_blocked;
	return RUNSTATE_offline;
}

static void runstate_enter(struct vcpu *v, int state, s_time_t now)
{
	struct vcpu_runstate_info *r = &v->runstate;
	s_time_t delta = now - (s_time_t)r->state_entry_time;

	if (state == r->state)
		return;
	if (delta > 0) {
		r->time[r->state] += (uint64_t)delta;
		r->state_entry_time = (uint64_t)now;
	}
	r->state = state;
}

/*
 * The copy in the guest is rewritten whenever the scheduler switches the
 * vCPU in or out, which is when its reader (the vCPU itself) can notice.
 * A bad address is the guest's problem: the write is dropped.
 */
static void runstate_publish(struct vcpu *v)
{
	struct vcpu_runstate_info copy;
	uint64_t gva = __atomic_load_n(&v->runstate_guest, __ATOMIC_ACQUIRE);

	if (!gva)
		return;
	vcpu_runstate_get(v, &copy);
	(void)copy_to_guest(v->domain, gva, &copy, sizeof(copy));
}

void vcpu_runstate_init(struct vcpu *v)
{
	memset(&v->runstate, 0, sizeof(v->runstate));
	v->runstate.state = RUNSTATE_offline;
	v->runstate.state_entry_time = (uint64_t)NOW();
	v->runstate_guest = 0;
	v->runstate_lock = SPIN_LOCK_UNLOCKED;
}

void vcpu_runstate_switch(struct vcpu *prev, struct vcpu *next)
{
	s_time_t now = NOW();
	unsigned long flags = arch_irq_save();

	if (prev) {
		spin_lock(&prev->runstate_lock);
		runstate_enter(prev, runstate_idle_state(prev), now);
		spin_unlock(&prev->runstate_lock);
	}
	if (next) {
		spin_lock(&next->runstate_lock);
		runstate_enter(next, RUNSTATE_running, now);
		spin_unlock(&next->runstate_lock);
	}
	arch_irq_restore(flags);
	if (prev)
		runstate_publish(prev);
	if (next)
		runstate_publish(next);
}

void vcpu_runstate_changed(struct vcpu *v)
{
	unsigned long flags = arch_irq_save();

	spin_lock(&v->runstate_lock);
	if (v->runstate.state != RUNSTATE_running)
		runstate_enter(v, runstate_idle_state(v), NOW());
	spin_unlock(&v->runstate_lock);
	arch_irq_restore(flags);
}

void vcpu_runstate_get(struct vcpu *v, struct vcpu_runstate_info *out)
{
	unsigned long flags = arch_irq_save();
	s_time_t delta;

	spin_lock(&v->runstate_lock);
	*out = v->runstate;
	spin_unlock(&v->runstate_lock);
	arch_irq_restore(flags);
	/* Time in the current state so far counts too, as in Xen. */
	delta = NOW() - (s_time_t)out->state_entry_time;
	if (delta > 0)
		out->time[out->state] += (uint64_t)delta;
}

long vcpu_runstate_op(struct vcpu *v, unsigned int cmd, uint64_t arg)
{
	struct vcpu_register_runstate_memory_area area;
	struct vcpu_runstate_info info;
	struct domain *d = v->domain;

	if (cmd == VCPUOP_get_runstate_info) {
		vcpu_runstate_get(v, &info);
		return copy_to_guest(d, arg, &info, sizeof(info));
	}
	if (copy_from_guest(d, &area, arg, sizeof(area)))
		return -EFAULT;
	/* 0 unregisters; anything else must be writable now. */
	if (area.addr.p) {
		vcpu_runstate_get(v, &info);
		if (copy_to_guest(d, area.addr.p, &info, sizeof(info)))
			return -EFAULT;
	}
	__atomic_store_n(&v->runstate_guest, area.addr.p, __ATOMIC_RELEASE);
	return 0;
}
