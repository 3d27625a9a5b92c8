/*
 * Guest virtual memory, through the guest's page tables (see the header).
 *
 * A translation is good only until the guest's page tables change, and
 * the frame a mapping took away may belong to another domain by then (a
 * grant's granter, once the grantee unmapped it). So each copy runs with
 * interrupts off: whoever takes a mapping of the domain away flushes it
 * from every CPU holding the domain's page tables, this one among them,
 * before the frame can change hands, and that flush waits for the copy
 * (pv/tlb.c). That holds for a TLB entry as for a walk of the tables.
 *
 * When this CPU's CR3 holds d's tables (the usual case: d is running
 * here, or was last and this CPU idled since), the MMU does the work:
 * the guest half maps only the domain's own frames, its grants and its
 * devices, all as user pages, so the checks are the ones its own accesses
 * get. Otherwise each page is translated by a walk and reached through
 * the direct map.
 */
#include <xen/errno.h>
#include <xen/sched.h>
#include <xen/string.h>
#include <asm/guest_access.h>
#include <asm/irq.h>
#include <asm/page.h>
#include <asm/percpu.h>
#include <asm/pv.h>

static int pv_translate(struct domain *d, uint64_t va, bool write, paddr_t *pa)
{
	const struct page_info *pg;
	unsigned int level;
	uint64_t e;

	if (va >= GUEST_VA_END)
		return -EFAULT;
	e = pt_lookup(d->arch.pt_root, va, &level);
	if (!(e & PTE_P) || !(e & PTE_US) || level != 1 ||
	    (write && !(e & PTE_RW)))
		return -EFAULT;
	/*
	 * A device's registers (a BAR the domain mapped) are not in the
	 * direct map, or not as registers: reached only through the MMU.
	 */
	pg = mfn_to_page(_mfn((e & PTE_ADDR) >> PAGE_SHIFT));
	if (!pg || pg->use == PGU_RESERVED)
		return -EFAULT;
	*pa = _paddr((e & PTE_ADDR) | (va & (PAGE_SIZE - 1)));
	return 0;
}

/* 0, -EFAULT, or 1 when this CPU does not hold d's tables. */
static int pv_copy_mmu(const struct domain *d, uint64_t gva, void *buf,
		       size_t len, bool to_guest)
{
	void *guest = (void *)(uintptr_t)gva;
	uint64_t flags = local_irq_save();
	size_t left = 1;
	bool held = this_cpu()->cr3_dom == d;

	if (held && to_guest)
		left = x86_copy_guest(guest, buf, len);
	else if (held)
		left = x86_copy_guest(buf, guest, len);
	local_irq_restore(flags);
	if (!held)
		return 1;
	return left ? -EFAULT : 0;
}

static int pv_copy(struct domain *d, uint64_t gva, void *buf, size_t len,
		   bool to_guest)
{
	int rc;

	if (!len)
		return 0;
	if (gva >= GUEST_VA_END || len > GUEST_VA_END - gva)
		return -EFAULT;
	rc = pv_copy_mmu(d, gva, buf, len, to_guest);
	if (rc <= 0)
		return rc;
	while (len) {
		size_t chunk = PAGE_SIZE - (gva & (PAGE_SIZE - 1));
		uint64_t flags = local_irq_save();
		paddr_t pa;
		int rc;

		if (chunk > len)
			chunk = len;
		rc = pv_translate(d, gva, to_guest, &pa);
		if (!rc && to_guest)
			memcpy(maddr_to_virt(pa), buf, chunk);
		else if (!rc)
			memcpy(buf, maddr_to_virt(pa), chunk);
		local_irq_restore(flags);
		if (rc < 0)
			return -EFAULT;
		gva += chunk;
		buf = (char *)buf + chunk;
		len -= chunk;
	}
	return 0;
}

int copy_from_guest(struct domain *d, void *dst, uint64_t gva, size_t len)
{
	return pv_copy(d, gva, dst, len, false);
}

int copy_to_guest(struct domain *d, uint64_t gva, const void *src, size_t len)
{
	return pv_copy(d, gva, (void *)src, len, true);
}
