/*
 * Work for other CPUs: run a function there (IPI and wait), wake one
 * from its idle halt, or stop them all.
 */
#include <xen/arch.h>
#include <xen/console.h>
#include <xen/errno.h>
#include <xen/kernel.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/smp.h>
#include <xen/softirq.h>
#include <xen/spinlock.h>
#include <xen/time.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/irq.h>
#include <asm/regs.h>

#define STOP_TIMEOUT MILLISECS(100)

static DEFINE_SPINLOCK(call_lock);
static struct {
	void (*fn)(void *);
	void *data;
	unsigned int pending; /* CPUs yet to run it */
} call;
static bool stopping;
static unsigned int stopper; /* the CPU stopping the others */
static unsigned int cpus_stopped;

static void call_function_interrupt(struct cpu_regs *regs, void *unused)
{
	call.fn(call.data);
	__atomic_fetch_sub(&call.pending, 1, __ATOMIC_RELEASE);
}

static void event_check_interrupt(struct cpu_regs *regs, void *unused)
{
	if (!__atomic_load_n(&stopping, __ATOMIC_ACQUIRE) ||
	    smp_processor_id() == __atomic_load_n(&stopper, __ATOMIC_ACQUIRE))
		return;
	__atomic_fetch_add(&cpus_stopped, 1, __ATOMIC_RELEASE);
	apic_eoi();
	arch_halt();
}

void smp_init_ipis(void)
{
	irq_vector_set(CALL_FUNCTION_VECTOR, call_function_interrupt, NULL);
	irq_vector_set(EVENT_CHECK_VECTOR, event_check_interrupt, NULL);
}

void arch_cpu_kick(unsigned int cpu)
{
	apic_send_ipi(percpu_data[cpu].apic_id, EVENT_CHECK_VECTOR);
}

static void call_run_local(void (*fn)(void *), void *data)
{
	uint64_t flags = local_irq_save();

	fn(data);
	local_irq_restore(flags);
}

/*
 * Called with interrupts enabled, so that a CPU waiting for call_lock
 * still answers the IPI of the CPU holding it.
 */
int on_cpu(unsigned int cpu, void (*fn)(void *), void *data)
{
	if (!cpu_online(cpu))
		return -EINVAL;
	if (cpu == smp_processor_id()) {
		call_run_local(fn, data);
		return 0;
	}
	spin_lock(&call_lock);
	call.fn = fn;
	call.data = data;
	__atomic_store_n(&call.pending, 1, __ATOMIC_RELEASE);
	apic_send_ipi(percpu_data[cpu].apic_id, CALL_FUNCTION_VECTOR);
	while (__atomic_load_n(&call.pending, __ATOMIC_ACQUIRE))
		cpu_relax();
	spin_unlock(&call_lock);
	return 0;
}

void on_each_cpu(void (*fn)(void *), void *data)
{
	unsigned int self = smp_processor_id();

	spin_lock(&call_lock);
	call.fn = fn;
	call.data = data;
	__atomic_store_n(&call.pending, nr_cpus_online - 1, __ATOMIC_RELEASE);
	for_each_online_cpu(c) if (c != self)
	    apic_send_ipi(percpu_data[c].apic_id, CALL_FUNCTION_VECTOR);
	call_run_local(fn, data);
	while (__atomic_load_n(&call.pending, __ATOMIC_ACQUIRE))
		cpu_relax();
	spin_unlock(&call_lock);
}

/*
 * With interrupts off for good: the caller halts, reboots or leaves QEMU
 * next, and a kick arriving now must not stop it instead.
 */
void smp_stop_others(void)
{
	unsigned int self = smp_processor_id(), others = nr_cpus_online - 1;
	s_time_t deadline = NOW() + STOP_TIMEOUT;

	local_irq_disable();
	__atomic_store_n(&stopper, self, __ATOMIC_RELEASE);
	__atomic_store_n(&stopping, true, __ATOMIC_RELEASE);
	for_each_online_cpu(c) if (c != self)
	    apic_send_ipi(percpu_data[c].apic_id, EVENT_CHECK_VECTOR);
	while (__atomic_load_n(&cpus_stopped, __ATOMIC_ACQUIRE) < others &&
	       NOW() < deadline)
		cpu_relax();
}

void idle_loop(void)
{
	unsigned int cpu = smp_processor_id();

	for (;;) {
		do_softirq();
		/*
		 * A FIFO's worth of console output, or a frame to zero, at a
		 * time, while nothing else wants this CPU.
		 */
		if (!softirq_pending(cpu) && console_tx_pending() &&
		    console_tx_drain(CONSOLE_TX_BURST))
			continue;
		if (!softirq_pending(cpu) && page_scrub_pending() &&
		    page_scrub(1))
			continue;
		local_irq_disable();
		if (softirq_pending(cpu)) {
			local_irq_enable();
			continue;
		}
		testdev_idle_enter();
		/* sti takes effect after hlt starts: no wakeup is lost. */
		__asm__ volatile("sti; hlt" : : : "memory");
		testdev_idle_exit();
	}
}

unsigned long arch_irq_save(void)
{
	return local_irq_save();
}

void arch_irq_restore(unsigned long flags)
{
	local_irq_restore(flags);
}

void arch_stop_others(void)
{
	smp_stop_others();
}

/*
 * The idle loop starts below the frame a vCPU's registers occupy at the
 * top of the stack, so entering a vCPU from it overwrites nothing live.
 */
void arch_idle(void)
{
	switch_stack(this_cpu()->stack_top - sizeof(struct cpu_regs),
		     idle_loop);
}
