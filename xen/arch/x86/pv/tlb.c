/*
 * TLB flushes for a domain whose vCPUs may run on several CPUs.
 *
 * A CPU holds d's translations while its CR3 holds d's page tables
 * (percpu cr3_dom == d): while it runs one of d's vCPUs, and after that
 * while it idles, until it runs another domain. Idling with them costs
 * nothing (the hypervisor's half is the same in every domain's tables and
 * idle code never touches the guest half) and saves a CR3 load and a TLB
 * refill when d runs there again, the usual case for a driver domain or
 * a guest blocked on its events. So a flush goes to every CPU whose CR3
 * holds d's tables, idle or not; any other CPU loads CR3 afresh (guest
 * mappings are never global) before it runs d, and so sees the new
 * entries. Before d's page tables are freed, every CPU that still holds
 * them loads the idle tables (arch_domain_release_cpus): a freed table
 * must not stay in a CR3, nor may a later domain at d's address be
 * taken for d.
 */
#include <xen/sched.h>
#include <xen/smp.h>
#include <asm/domain.h>
#include <asm/mm.h>
#include <asm/page.h>
#include <asm/percpu.h>
#include <asm/pv.h>

struct pv_flush {
	const struct domain *d;
	uint64_t va; /* PV_FLUSH_ALL: everything */
};

void pv_load_cr3(const struct domain *d)
{
	struct percpu *p = this_cpu();

	if (p->cr3_dom == d)
		return;
	/*
	 * Published before the load: a flush that misses it comes before
	 * the load in memory order, and the load's table walks see the
	 * flusher's page table writes.
	 */
	__atomic_store_n(&p->cr3_dom, d, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	write_cr3(d->arch.pt_root);
}

static void pv_flush_here(void *data)
{
	const struct pv_flush *f = data;
	uint64_t cr3;

	/* Another domain's tables since: that CR3 load flushed it. */
	if (this_cpu()->cr3_dom != f->d)
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

/* Run fn on every CPU whose CR3 holds d's tables (this one too). */
static void pv_on_holders(const struct domain *d, void (*fn)(void *),
			  void *data)
{
	for_each_online_cpu(c)
	{
		if (__atomic_load_n(&percpu_data[c].cr3_dom,
				    __ATOMIC_RELAXED) == d)
			on_cpu(c, fn, data);
	}
}

void pv_flush_tlb(const struct domain *d, uint64_t va)
{
	struct pv_flush f = { d, va };

	/*
	 * The caller's page table writes must be visible before we look at
	 * whose tables each CPU holds: a CPU that takes d's after this
	 * loads CR3 after them (pv_load_cr3).
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	pv_on_holders(d, pv_flush_here, &f);
}

int pv_set_leaf(struct domain *d, uint64_t va, uint64_t pte,
		const struct pt_alloc *alloc)
{
	uint64_t old = 0;
	int rc = pt_set_leaf(d->arch.pt_root, va, pte, alloc, &old);

	if (old & PTE_P)
		pv_flush_tlb(d, va);
	return rc;
}

static void pv_release_here(void *data)
{
	struct percpu *p = this_cpu();

	/* d has no vCPU left: this CPU only idles on its tables. */
	if (p->cr3_dom != data)
		return;
	write_cr3(idle_pg_table);
	__atomic_store_n(&p->cr3_dom, NULL, __ATOMIC_RELAXED);
}

void arch_domain_release_cpus(const struct domain *d)
{
	/* No CPU takes d's tables any more: none of its vCPUs is left. */
	pv_on_holders(d, pv_release_here, (void *)(uintptr_t)d);
}
