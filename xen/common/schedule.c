/*
 * Scheduling vCPUs: the policy is sched_core.c's; this file turns its
 * decisions into switches. SCHEDULE_SOFTIRQ runs on a CPU when the core
 * asks for a pick there (a wake, a block, a slice over, an idle CPU to
 * fill); the arch then switches from the vCPU running there.
 */
#include <xen/arch.h>
#include <xen/kernel.h>
#include <xen/lib.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/softirq.h>
#include <xen/timer.h>

static struct timer slice_timers[CONFIG_NR_CPUS];
/* Per CPU: bounds the wait of units woken behind the vCPU running there. */
static struct timer handoff_timers[CONFIG_NR_CPUS];
static bool sched_running;

/* Calls into the core run with interrupts off (see sched-core.h). */
#define SCHED_CALL(expr)                                \
	({                                              \
		unsigned long flags_ = arch_irq_save(); \
		int cpu_ = (expr);                      \
		arch_irq_restore(flags_);               \
		cpu_;                                   \
	})

static void schedule_kick(int cpu)
{
	if (cpu >= 0)
		cpu_raise_softirq((unsigned int)cpu, SCHEDULE_SOFTIRQ);
}

static void slice_timer_fn(void *unused)
{
	raise_softirq(SCHEDULE_SOFTIRQ);
}

static void handoff_timer_fn(void *unused)
{
	schedule_kick(SCHED_CALL(sched_handoff(smp_processor_id())));
}

void vcpu_wake(struct vcpu *v)
{
	unsigned int cpu = smp_processor_id();
	s_time_t now = NOW();
	int kick = SCHED_CALL(sched_wake_from(&v->sched, now, cpu));

	if (kick == SCHED_BEHIND)
		timer_set_by(&handoff_timers[cpu], now + SCHED_HANDOFF);
	else
		schedule_kick(kick);
	vcpu_runstate_changed(v);
}

void vcpu_block(struct vcpu *v)
{
	schedule_kick(SCHED_CALL(sched_block(&v->sched, NOW())));
	vcpu_runstate_changed(v);
}

int vcpu_sched_init(struct vcpu *v)
{
	struct cpumask all;

	cpumask_zero(&all);
	for_each_online_cpu(c) cpumask_set(&all, c);
	return sched_unit_init(
	    &v->sched, (unsigned int)v->domain->domain_id << 8 | v->vcpu_id, v,
	    SCHED_WEIGHT_DEFAULT, 0, &all);
}

void vcpu_sched_remove(struct vcpu *v)
{
	schedule_kick(SCHED_CALL(sched_unit_remove(&v->sched)));
}

void vcpu_yield(struct vcpu *v)
{
	schedule_kick((int)v->processor);
}

static void schedule(void)
{
	unsigned int cpu = smp_processor_id();
	struct vcpu *prev = arch_current(), *next;
	unsigned long flags;
	struct sched_pick pick;

	if (!__atomic_load_n(&sched_running, __ATOMIC_ACQUIRE))
		return;
	flags = arch_irq_save();
	pick = sched_pick(cpu, NOW());
	arch_irq_restore(flags);
	schedule_kick(pick.kick);
	/*
	 * A slice timer armed earlier is kept: it costs one more pick, where
	 * moving it would cost a timer write at every switch.
	 */
	if (pick.until)
		timer_set_by(&slice_timers[cpu], pick.until);
	else
		timer_stop(&slice_timers[cpu]);
	next = pick.next ? pick.next->data : NULL;
	if (next == prev) {
		if (prev) /* picked again: one switch away will follow */
			sched_unit_switched_out(&prev->sched);
		return;
	}
	if (prev && prev->domain->state != DOMSTATE_ACTIVE)
		kernel_domains_changed();
	vcpu_runstate_switch(prev, next);
	arch_switch_to(prev, next);
}

void schedule_init(void)
{
	sched_core_init(nr_cpus_online);
	for_each_online_cpu(c)
	{
		timer_init(&slice_timers[c], slice_timer_fn, NULL, c);
		timer_init(&handoff_timers[c], handoff_timer_fn, NULL, c);
	}
	open_softirq(SCHEDULE_SOFTIRQ, schedule);
}

void schedule_start(void)
{
	__atomic_store_n(&sched_running, true, __ATOMIC_RELEASE);
	for_each_online_cpu(c) cpu_raise_softirq(c, SCHEDULE_SOFTIRQ);
}
