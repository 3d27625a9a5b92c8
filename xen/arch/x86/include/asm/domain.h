/* The x86 parts of domains and vCPUs (PV, ring 3). */
#ifndef ASM_DOMAIN_H
#define ASM_DOMAIN_H

#include <xen/types.h>
#include <asm/regs.h>

struct arch_domain {
	paddr_t pt_root; /* its page tables, owned by the hypervisor */
};

struct domain;
/* Give back what the arch part holds (its frames go with the domain's). */
void arch_domain_destroy(struct domain *d);

struct arch_vcpu {
	struct cpu_regs regs; /* saved while it does not run */
};

#endif
