/*
 * TLB flushes for a domain whose vCPUs may run on several CPUs. Only a
 * CPU running one of d's vCPUs right now can hold d's translations: any
 * other loads d's CR3 afresh (guest mappings are never global) when it
 * next runs d, and so sees the new entries.
 */
#include <xen/sched.h>
#include <xen/smp.h>
#include <asm/page.h>
#include <asm/percpu.h>
#include <asm/pv.h>

struct pv_flush {
	const struct domain *d;
	uint64_t va; /* PV_FLUSH_ALL: everything */
};

static void pv_flush_here(void *data)
{
	const struct pv_flush *f = data;
	struct vcpu *v = this_cpu()->curr;
	uint64_t cr3;

	/* Switched away meanwhile: the CR3 load flushed it. */
	if (!v || v->domain != f->d)
		return;
	if (f->va != PV_FLUSH_ALL) {
		flush_tlb_one(f->va);
		return;
	}
	__asm__ volatile("mov %%cr3, %0; mov %0, %%cr3"
			 : "=r"(cr3)
			 :
			 : "memory");
}

void pv_flush_tlb(const struct domain *d, uint64_t va)
{
	struct pv_flush f = { d, va };
	unsigned int self = smp_processor_id();

	pv_flush_here(&f);
	/*
	 * The caller's page table writes must be visible before we look at
	 * who runs d: a CPU that sets curr after this loads CR3 after them.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for_each_online_cpu(c)
	{
		struct vcpu *v =
		    __atomic_load_n(&percpu_data[c].curr, __ATOMIC_ACQUIRE);

		if (c != self && v && v->domain == d)
			on_cpu(c, pv_flush_here, &f);
	}
}
