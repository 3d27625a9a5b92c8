/* The x86 parts of domains and vCPUs (PV, ring 3). */
#ifndef ASM_DOMAIN_H
#define ASM_DOMAIN_H

#include <xen/spinlock.h>
#include <xen/types.h>
#include <asm/regs.h>

struct pirq_table;

struct arch_domain {
	paddr_t pt_root;	  /* its page tables, owned by the hypervisor */
	struct pirq_table *pirqs; /* its devices' interrupts (pirq.c) */
	/* Mappings of device registers are made and revoked under it. */
	spinlock_t mmio_lock;
};

struct domain;
struct vcpu;
/* Give back what the arch part holds (its frames go with the domain's). */
void arch_domain_destroy(struct domain *d);
/* d has no vCPU left: no CPU may hold its page tables after this. */
void arch_domain_release_cpus(const struct domain *d);
/* Its devices' interrupts stopped (before its event channels go). */
void arch_domain_stop_irqs(struct domain *d);
/* A vCPU's arch state (its FPU area); 0 or -ENOMEM. */
int arch_vcpu_init(struct vcpu *v);
void arch_vcpu_destroy(struct vcpu *v);

/* The exceptions a PV vCPU handles itself (set_trap_table). */
#define PV_TRAPS 32

struct arch_vcpu {
	struct cpu_regs regs;	 /* saved while it does not run */
	uint64_t event_callback; /* where event upcalls enter */
	uint64_t failsafe_callback;
	uint64_t trap_address[PV_TRAPS]; /* 0: none, crash the domain */
	uint8_t trap_flags[PV_TRAPS];
	void *fpu; /* FPU/SSE/AVX state while it does not run (a page) */
};

#endif
