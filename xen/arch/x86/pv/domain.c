/*
 * Running PV vCPUs: entering one from its saved registers, leaving it
 * when it stops, and what happens on the way back to ring 3.
 *
 * A CPU's stack holds nothing across a switch: a running vCPU's
 * registers are the frame at the top of the stack, saved into the vCPU
 * when it leaves; entering resets the stack (Xen's reset_stack_and_jump).
 */
#include <xen/kernel.h>
#include <xen/lib.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/softirq.h>
#include <asm/cpu.h>
#include <asm/irq.h>
#include <asm/mm.h>
#include <asm/page.h>
#include <asm/percpu.h>
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

void pv_vcpu_enter(struct vcpu *v)
{
	struct cpu_regs *frame = pv_frame();

	local_irq_disable();
	this_cpu()->curr = v;
	v->processor = smp_processor_id();
	v->running = true;
	write_cr3(v->domain->arch.pt_root);
	*frame = v->arch.regs;
	x86_return_to_frame(frame);
}

static void __noreturn pv_after_leave(void)
{
	kernel_domains_changed();
	idle_loop();
}

/* The vCPU on this CPU stops running: keep its registers, go idle. */
static void __noreturn pv_vcpu_leave(struct vcpu *v)
{
	v->arch.regs = *pv_frame();
	v->running = false;
	this_cpu()->curr = NULL;
	write_cr3(idle_pg_table);
	local_irq_enable();
	switch_stack(this_cpu()->stack_top, pv_after_leave);
}

void pv_exit_to_guest(struct cpu_regs *regs)
{
	struct vcpu *v = pv_current();

	for (;;) {
		local_irq_disable();
		if (v->domain->state != DOMSTATE_ACTIVE || !v->online)
			pv_vcpu_leave(v);
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

void arch_domain_destroy(struct domain *d)
{
	if (d->shared_info)
		free_xen_page(d->shared_info);
	d->shared_info = NULL;
}
