/*
 * Exceptions raised by a PV domain in ring 3. Until domains register
 * trap tables, an exception crashes the domain (never the hypervisor),
 * with a report naming it.
 */
#include <xen/lib.h>
#include <xen/sched.h>
#include <asm/pv.h>
#include <asm/regs.h>
#include <public/sched.h>

#define X86_VEC_PF 14

static uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

void pv_guest_exception(struct cpu_regs *regs)
{
	struct vcpu *v = pv_current();
	struct domain *d = v->domain;

	char where[40] = "";
	uint64_t cr2 = regs->vector == X86_VEC_PF ? read_cr2() : 0;

	if (pv_bounce_exception(v, regs, cr2)) {
		pv_exit_to_guest(regs);
		return;
	}
	if (regs->vector == X86_VEC_PF)
		fmt_snprintf(where, sizeof(where), ", address %#llx",
			     (unsigned long long)cr2);
	log_err("domain %u (%s) vCPU %u: exception %llu at %#llx, error "
		"%#llx%s: no handler, crashing it\n",
		d->domain_id, d->name, v->vcpu_id,
		(unsigned long long)regs->vector, (unsigned long long)regs->rip,
		(unsigned long long)regs->error_code, where);
	domain_shutdown(d, SHUTDOWN_crash);
	pv_exit_to_guest(regs);
}
