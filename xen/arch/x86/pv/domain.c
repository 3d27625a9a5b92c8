/*
 * Running PV vCPUs: entering one from its saved registers, leaving it
 * when it stops, and what happens on the way back to ring 3.
 *
 * A CPU's stack holds nothing across a switch: a running vCPU's
 * registers are the frame at the top of the stack, saved into the vCPU
 * when it leaves; entering resets the stack (Xen's reset_stack_and_jump).
 */
#include <xen/arch.h>
#include <xen/kernel.h>
#include <xen/lib.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/softirq.h>
#include <asm/cpu.h>
#include <asm/fpu.h>
#include <asm/irq.h>
#include <asm/mm.h>
#include <asm/page.h>
#include <asm/percpu.h>
#include <asm/pirq.h>
#include <asm/pv.h>

void x86_return_to_frame(struct cpu_regs *frame) __noreturn;

static struct cpu_regs *pv_frame(void)
{
	return (struct cpu_regs *)(uintptr_t)(this_cpu()->stack_top -
					      sizeof(struct cpu_regs));
}

struct vcpu *pv_current(void)
{
	return this_cpu()->curr;
}

/*
 * On a fresh stack that starts below the frame: the frame is written
 * and then everything runs below it, so no call can overwrite it.
 */
static void __noreturn pv_vcpu_enter_fresh(void)
{
	struct vcpu *v = this_cpu()->entering;
	struct cpu_regs *frame = pv_frame();

	/*
	 * The scheduler may hand v to this CPU while the CPU it last ran on
	 * is still saving its registers: wait for them.
	 */
	while (__atomic_load_n(&v->running, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	this_cpu()->curr = v;
	v->processor = smp_processor_id();
	__atomic_store_n(&v->running, true, __ATOMIC_RELAXED);
	/* Running again ends a poll, whatever woke it. */
	__atomic_store_n(&v->polling, false, __ATOMIC_RELEASE);
	if (timer_active(&v->poll_timer))
		timer_stop(&v->poll_timer);
	pv_load_cr3(v->domain);
	fpu_restore(v);
	pv_time_update_vcpu(v);
	*frame = v->arch.regs;
	/* Events and softirqs first, as on every way out to ring 3. */
	pv_exit_to_guest(frame);
	x86_return_to_frame(frame);
}

void pv_vcpu_enter(struct vcpu *v)
{
	local_irq_disable();
	this_cpu()->entering = v;
	switch_stack((uint64_t)(uintptr_t)pv_frame(), pv_vcpu_enter_fresh);
}

struct vcpu *arch_current(void)
{
	return this_cpu()->curr;
}

/*
 * Called from schedule() on this CPU: prev's registers are the frame at
 * the top of the stack (schedule runs on the way out to it) or there is
 * no prev (the idle loop). Neither branch returns.
 */
void arch_switch_to(struct vcpu *prev, struct vcpu *next)
{
	if (prev) {
		fpu_save(prev);
		prev->arch.regs = *pv_frame();
		__atomic_store_n(&prev->running, false, __ATOMIC_RELEASE);
		/* The last touch of prev: it may be freed from here on. */
		sched_unit_switched_out(&prev->sched);
	}
	if (next)
		pv_vcpu_enter(next);
	/* Idle keeps prev's page tables (cr3_dom): see pv/tlb.c. */
	this_cpu()->curr = NULL;
	local_irq_enable();
	arch_idle();
}

/*
 * On the way back to ring 3: run softirqs (which may switch this CPU to
 * another vCPU, never to return here), then deliver an event upcall.
 */
void pv_exit_to_guest(struct cpu_regs *regs)
{
	struct vcpu *v = pv_current();

	for (;;) {
		local_irq_disable();
		if (v->domain->state != DOMSTATE_ACTIVE || !v->online ||
		    __atomic_load_n(&v->domain->pause_count, __ATOMIC_ACQUIRE))
			vcpu_block(v);
		if (!softirq_pending(smp_processor_id())) {
			pv_deliver_events(v, regs);
			if (v->domain->state == DOMSTATE_ACTIVE)
				return; /* iretq restores the guest's IF */
			continue;
		}
		local_irq_enable();
		do_softirq();
	}
}

int arch_vcpu_init(struct vcpu *v)
{
	return fpu_vcpu_init(v);
}

void arch_vcpu_destroy(struct vcpu *v)
{
	fpu_vcpu_free(v);
}

void arch_domain_stop_irqs(struct domain *d)
{
	pirq_domain_destroy(d);
}

void arch_domain_destroy(struct domain *d)
{
	if (d->shared_info)
		free_xen_page(d->shared_info);
	d->shared_info = NULL;
}
