/*
 * Per-CPU timers: a timer queue per CPU, under a lock per CPU, with the
 * CPU's timer interrupt programmed for the earliest expiry. Expired
 * timers run from TIMER_SOFTIRQ on their CPU.
 */
#include <xen/lib.h>
#include <xen/smp.h>
#include <xen/softirq.h>
#include <xen/spinlock.h>
#include <xen/timer.h>
#include <asm/irq.h>

#define TIMERS_PER_CPU 256

struct timer_cpu {
	spinlock_t lock;
	struct timer_queue queue;
	struct timer *heap[TIMERS_PER_CPU + 1];
	s_time_t armed; /* the expiry the CPU's timer is programmed for */
};

static struct timer_cpu timer_cpus[CONFIG_NR_CPUS];

static void timer_program(struct timer_cpu *tc)
{
	tc->armed = timer_queue_next(&tc->queue);
	arch_timer_program(tc->armed);
}

/*
 * Called with tc->lock held, on any CPU: only reprograms our own, and
 * only when the earliest expiry moved (a timer write can cost as much as
 * a short hypercall; an emulated one, far more).
 */
static void timer_reprogram(struct timer_cpu *tc, unsigned int cpu)
{
	if (cpu != smp_processor_id())
		cpu_raise_softirq(cpu, TIMER_SOFTIRQ);
	else if (timer_queue_next(&tc->queue) != tc->armed)
		timer_program(tc);
}

void timer_init(struct timer *t, void (*fn)(void *), void *data,
		unsigned int cpu)
{
	*t = (struct timer){ .fn = fn, .data = data, .cpu = cpu };
}

static void timer_add_locked(struct timer_cpu *tc, struct timer *t,
			     s_time_t expires)
{
	t->expires = expires ? expires : 1; /* 0 means "none" */
	if (timer_queue_add(&tc->queue, t) < 0)
		panic("more than %u timers on CPU %u", TIMERS_PER_CPU, t->cpu);
	timer_reprogram(tc, t->cpu);
}

void timer_set(struct timer *t, s_time_t expires)
{
	struct timer_cpu *tc = &timer_cpus[t->cpu];
	uint64_t flags = local_irq_save();

	spin_lock(&tc->lock);
	timer_add_locked(tc, t, expires);
	spin_unlock(&tc->lock);
	local_irq_restore(flags);
}

void timer_set_by(struct timer *t, s_time_t expires)
{
	struct timer_cpu *tc = &timer_cpus[t->cpu];
	uint64_t flags = local_irq_save();

	spin_lock(&tc->lock);
	if (!t->heap_pos || t->expires > expires)
		timer_add_locked(tc, t, expires);
	spin_unlock(&tc->lock);
	local_irq_restore(flags);
}

void timer_stop(struct timer *t)
{
	struct timer_cpu *tc = &timer_cpus[t->cpu];
	uint64_t flags = local_irq_save();

	spin_lock(&tc->lock);
	timer_queue_remove(&tc->queue, t);
	spin_unlock(&tc->lock);
	local_irq_restore(flags);
}

bool timer_active(const struct timer *t)
{
	return __atomic_load_n(&t->heap_pos, __ATOMIC_RELAXED) != 0;
}

/*
 * Run what has expired. Handlers run without the lock (they may set
 * timers), so take them out one at a time.
 */
static void timer_softirq(void)
{
	unsigned int cpu = smp_processor_id();
	struct timer_cpu *tc = &timer_cpus[cpu];

	local_irq_disable();
	spin_lock(&tc->lock);
	for (;;) {
		s_time_t next = timer_queue_next(&tc->queue);
		struct timer *t = tc->queue.nr ? tc->queue.heap[1] : NULL;

		if (!t || next > NOW())
			break;
		timer_queue_remove(&tc->queue, t);
		spin_unlock(&tc->lock);
		local_irq_enable();
		t->fn(t->data);
		local_irq_disable();
		spin_lock(&tc->lock);
	}
	/* Always: the timer may have fired a little before NOW() said so. */
	timer_program(tc);
	spin_unlock(&tc->lock);
	local_irq_enable();
}

static void timer_interrupt(struct cpu_regs *regs, void *data)
{
	raise_softirq(TIMER_SOFTIRQ);
}

void timer_subsys_init(void)
{
	for (unsigned int c = 0; c < CONFIG_NR_CPUS; c++)
		timer_queue_init(&timer_cpus[c].queue, timer_cpus[c].heap,
				 TIMERS_PER_CPU);
	open_softirq(TIMER_SOFTIRQ, timer_softirq);
	irq_vector_set(TIMER_VECTOR, timer_interrupt, NULL);
}

void timer_print_queues(void)
{
	s_time_t now = NOW();

	log_always("Timers at %llu ns:\n", (unsigned long long)now);
	for_each_online_cpu(c)
	{
		struct timer_cpu *tc = &timer_cpus[c];
		uint64_t flags = local_irq_save();

		spin_lock(&tc->lock);
		log_always("  CPU %u: %u queued, next in %lld ns\n", c,
			   tc->queue.nr,
			   tc->queue.nr
			       ? (long long)(timer_queue_next(&tc->queue) - now)
			       : 0ll);
		spin_unlock(&tc->lock);
		local_irq_restore(flags);
	}
}
