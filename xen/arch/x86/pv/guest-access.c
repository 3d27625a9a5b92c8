/* Guest virtual memory, through the guest's page tables (see the header). */
#include <xen/errno.h>
#include <xen/sched.h>
#include <xen/string.h>
#include <asm/guest_access.h>
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
		paddr_t pa;

		if (chunk > len)
			chunk = len;
		if (pv_translate(d, gva, to_guest, &pa) < 0)
			return -EFAULT;
		if (to_guest)
			memcpy(maddr_to_virt(pa), buf, chunk);
		else
			memcpy(buf, maddr_to_virt(pa), chunk);
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
