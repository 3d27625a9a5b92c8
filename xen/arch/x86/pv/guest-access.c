/*
 * Guest virtual memory, through the guest's page tables (see the header).
 *
 * A translation is good only until the guest's page tables change, and
 * the frame a mapping took away may belong to another domain by then (a
 * grant's granter, once the grantee unmapped it). So each page is
 * translated and copied with interrupts off: whoever takes a mapping of
 * the running domain away flushes it from every CPU holding the domain's
 * page tables, this one among them, before the frame can change hands,
 * and that flush waits for the copy (pv/tlb.c).
 */
#include <xen/errno.h>
#include <xen/sched.h>
#include <xen/string.h>
#include <asm/guest_access.h>
#include <asm/irq.h>
#include <asm/page.h>
#include <asm/pv.h>

static int pv_translate(struct domain *d, uint64_t va, bool write, paddr_t *pa)
{
	unsigned int level;
	uint64_t e;

	if (va >= GUEST_VA_END)
		return -EFAULT;
	e = pt_lookup(d->arch.pt_root, va, &level);
	if (!(e & PTE_P) || !(e & PTE_US) || level != 1 ||
	    (write && !(e & PTE_RW)))
		return -EFAULT;
	*pa = _paddr((e & PTE_ADDR) | (va & (PAGE_SIZE - 1)));
	return 0;
}

static int pv_copy(struct domain *d, uint64_t gva, void *buf, size_t len,
		   bool to_guest)
{
	if (len && gva + len < gva)
		return -EFAULT;
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
