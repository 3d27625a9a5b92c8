/*
 * Memory hypercalls for PV domains, first stage: the page tables are the
 * hypervisor's, so a domain changes its mappings only here, and only to
 * frames it owns (not its page tables) or to its shared_info page.
 */
#include <xen/errno.h>
#include <xen/grant_table.h>
#include <xen/pci.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/sched.h>
#include <xen/string.h>
#include <public/memory.h>
#include <public/xen.h>
#include <asm/guest_access.h>
#include <asm/page.h>
#include <asm/pirq.h>
#include <asm/pv.h>

/* What a domain may ask for in an entry; the rest is ours to decide. */
#define PV_PTE_ALLOWED \
	(PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | PTE_NX | PTE_ADDR)

/* A frame of a BAR of a PCI function d owns (not RAM). */
static bool pv_frame_mmio(struct domain *d, uint64_t mfn)
{
	struct page_info *pg = mfn_to_page(_mfn(mfn));

	return (!pg || pg->use == PGU_RESERVED) && pci_guest_mmio_ok(d, mfn);
}

/*
 * May d map this frame? Its own ordinary frames, its shared_info, its
 * grant frames, or its devices' registers.
 */
static bool pv_frame_ok(struct domain *d, uint64_t mfn)
{
	struct page_info *pg = mfn_to_page(_mfn(mfn));

	if (pv_frame_mmio(d, mfn))
		return true;
	if (mfn == mfn_x(paddr_to_mfn(virt_to_maddr(d->shared_info))) ||
	    gnttab_is_frame(d, _mfn(mfn)))
		return true;
	return pg && pg->owner == d->domain_id && pg->use == PGU_DOMAIN &&
	       pg->order != PAGE_ORDER_TAIL;
}

bool pv_va_maps_grant(struct domain *d, uint64_t va)
{
	unsigned int level;
	uint64_t e = pt_lookup(d->arch.pt_root, va, &level);

	return (e & PTE_P) && (e & PTE_GRANT) && level == 1;
}

/* Check everything about the request; change nothing. */
static int pv_check_mapping(struct domain *d, uint64_t va, uint64_t pte,
			    uint64_t flags)
{
	if ((va & (PAGE_SIZE - 1)) || va >= GUEST_VA_END || va < PAGE_SIZE)
		return -EINVAL;
	if (flags & ~(uint64_t)(UVMF_FLUSHTYPE_MASK | UVMF_ALL))
		return -EINVAL;
	/* A grant mapping goes only with its unmap, which drops its pin. */
	if (pv_va_maps_grant(d, va))
		return -EBUSY;
	if (!(pte & PTE_P))
		return 0;
	if (pte & ~PV_PTE_ALLOWED)
		return -EINVAL;
	return pv_frame_ok(d, (pte & PTE_ADDR) >> PAGE_SHIFT) ? 0 : -EPERM;
}

long pv_do_update_va_mapping(uint64_t va, uint64_t pte, uint64_t flags,
			     uint64_t a4, uint64_t a5)
{
	struct domain *d = pv_current()->domain;
	const struct pt_alloc alloc = { pv_alloc_pt, d };
	int rc = pv_check_mapping(d, va, pte, flags);

	if (rc)
		return rc;
	if (pte & PTE_P)
		pte |= PTE_US;
	if ((pte & PTE_P) && pv_frame_mmio(d, (pte & PTE_ADDR) >> PAGE_SHIFT)) {
		/*
		 * Checked again under the lock a deassignment revokes under,
		 * so a mapping cannot slip in after its revocation.
		 */
		spin_lock(&d->arch.mmio_lock);
		rc = pv_frame_mmio(d, (pte & PTE_ADDR) >> PAGE_SHIFT)
			 ? pt_set_leaf(d->arch.pt_root, va,
				       pte | PTE_PCD | PTE_PWT, &alloc, NULL)
			 : -EPERM;
		spin_unlock(&d->arch.mmio_lock);
		pv_flush_tlb(d, va);
		return rc;
	}
	rc = pt_set_leaf(d->arch.pt_root, va, pte, &alloc, NULL);
	/*
	 * Always flushed, whatever the flags ask: a mapping taken away
	 * must be gone from every CPU before the frame can change hands.
	 */
	pv_flush_tlb(d, va);
	return rc;
}

static long pv_mmuext_one(struct domain *d, const struct mmuext_op *op)
{
	switch (op->cmd) {
	case MMUEXT_TLB_FLUSH_LOCAL:
	case MMUEXT_TLB_FLUSH_ALL:
		pv_flush_tlb(d, PV_FLUSH_ALL);
		return 0;
	case MMUEXT_INVLPG_LOCAL:
	case MMUEXT_INVLPG_ALL:
		if (op->arg1.linear_addr >= GUEST_VA_END)
			return -EINVAL;
		pv_flush_tlb(d,
			     op->arg1.linear_addr & ~(uint64_t)(PAGE_SIZE - 1));
		return 0;
	default:
		return -ENOSYS;
	}
}

long pv_do_mmuext_op(uint64_t uops, uint64_t count, uint64_t done_ptr,
		     uint64_t domid, uint64_t a5)
{
	struct domain *d = pv_current()->domain;
	unsigned int done;

	if (domid != DOMID_SELF || count > 1024)
		return -EINVAL;
	for (done = 0; done < count; done++) {
		struct mmuext_op op;
		long rc;

		if (copy_from_guest(d, &op, uops + done * sizeof(op),
				    sizeof(op)) < 0)
			return -EFAULT;
		rc = pv_mmuext_one(d, &op);
		if (rc < 0)
			return rc;
	}
	if (done_ptr && copy_to_guest(d, done_ptr, &done, sizeof(done)) < 0)
		return -EFAULT;
	return 0;
}

/*
 * memory_op, the queries a PV domain needs now: its current and maximum
 * reservation (in pages) and the highest machine frame. The argument of
 * the reservation queries is a domid_t in the domain's memory.
 */
long pv_do_memory_op(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4,
		     uint64_t a5)
{
	struct domain *d = pv_current()->domain;
	domid_t dom;

	switch (cmd) {
	case XENMEM_maximum_ram_page:
		return (long)page_alloc_max_mfn();
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation:
		if (copy_from_guest(d, &dom, arg, sizeof(dom)) < 0)
			return -EFAULT;
		if (dom != DOMID_SELF && dom != d->domain_id)
			return -EPERM;
		return (long)(cmd == XENMEM_current_reservation ? d->mem.pages
								: d->mem.limit);
	default:
		return -ENOSYS;
	}
}

void arch_pci_revoke_bars(struct domain *d, const struct pci_dev *dev)
{
	struct pt_frames r[PCI_BARS_MAX];
	unsigned int n = 0;

	for (unsigned int i = 0; i < dev->nr_bars; i++) {
		const struct pci_bar *b = &dev->bars[i];

		if (b->size && !b->io)
			r[n++] = (struct pt_frames){ b->addr >> PAGE_SHIFT,
						     (b->addr + b->size - 1) >>
							 PAGE_SHIFT };
	}
	/* Every BAR in one walk of the tables: a walk visits them all. */
	spin_lock(&d->arch.mmio_lock);
	if (paddr_x(d->arch.pt_root))
		pt_clear_frames(d->arch.pt_root, r, n);
	spin_unlock(&d->arch.mmio_lock);
	pv_flush_tlb(d, PV_FLUSH_ALL);
	pirq_device_gone(d, dev);
}
