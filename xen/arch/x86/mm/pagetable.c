/* Building the hypervisor's page tables. */
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/string.h>
#include <asm/cpufeature.h>
#include <asm/page.h>

static uint64_t *pt_table(uint64_t entry)
{
	return maddr_to_virt(_paddr(entry & PTE_ADDR));
}

static unsigned int pt_index(uint64_t va, unsigned int shift)
{
	return (va >> shift) & 511;
}

/*
 * The table below entry *e, made if absent. Intermediate entries are as
 * permissive as possible (user-accessible only for user leaves): the
 * leaf decides.
 */
static uint64_t *pt_next(uint64_t *e, uint64_t user,
			 const struct pt_alloc *alloc)
{
	paddr_t pa;

	if (*e & PTE_P) {
		if (*e & PTE_PSE)
			return NULL;
		*e |= user;
		return pt_table(*e);
	}
	pa = alloc->alloc(alloc->ctx);
	if (!paddr_x(pa))
		return NULL;
	*e = paddr_x(pa) | PTE_P | PTE_RW | user;
	return pt_table(*e);
}

static bool pt_fits(uint64_t va, uint64_t pa, uint64_t left, unsigned int shift)
{
	uint64_t sz = 1ull << shift;

	return !((va | pa) & (sz - 1)) && left >= sz;
}

/* The page size to use next: 1 GiB, 2 MiB or 4 KiB. */
static unsigned int pt_leaf_shift(uint64_t va, uint64_t pa, uint64_t left,
				  bool large)
{
	if (large && cpu_has(X86_FEATURE_PAGE1GB) &&
	    pt_fits(va, pa, left, L3_SHIFT))
		return L3_SHIFT;
	if (large && pt_fits(va, pa, left, L2_SHIFT))
		return L2_SHIFT;
	return L1_SHIFT;
}

static int pt_map_one(paddr_t root, uint64_t va, uint64_t pa, unsigned int leaf,
		      uint64_t flags, const struct pt_alloc *alloc)
{
	uint64_t *t = maddr_to_virt(root);

	for (unsigned int shift = L4_SHIFT; shift > leaf; shift -= 9) {
		t = pt_next(&t[pt_index(va, shift)], flags & PTE_US, alloc);
		if (!t)
			return -ENOMEM;
	}
	if (t[pt_index(va, leaf)] & PTE_P)
		return -EEXIST;
	t[pt_index(va, leaf)] = pa | flags | (leaf > L1_SHIFT ? PTE_PSE : 0);
	return 0;
}

int pt_map(paddr_t root, uint64_t va, paddr_t pa, uint64_t size, uint64_t flags,
	   bool large, const struct pt_alloc *alloc)
{
	uint64_t p = paddr_x(pa);

	/* Without NX, bit 63 is reserved: boot must not depend on it. */
	if (!cpu_has(X86_FEATURE_NX))
		flags &= ~PTE_NX;
	if ((va | p | size) & (PAGE_SIZE - 1))
		return -EINVAL;
	while (size) {
		unsigned int shift = pt_leaf_shift(va, p, size, large);
		int rc = pt_map_one(root, va, p, shift, flags, alloc);

		if (rc)
			return rc;
		va += 1ull << shift;
		p += 1ull << shift;
		size -= 1ull << shift;
	}
	return 0;
}

int pt_set_leaf(paddr_t root, uint64_t va, uint64_t pte,
		const struct pt_alloc *alloc, uint64_t *old)
{
	uint64_t *t = maddr_to_virt(root), prev;

	for (unsigned int shift = L4_SHIFT; shift > L1_SHIFT; shift -= 9) {
		t = pt_next(&t[pt_index(va, shift)], pte & PTE_US, alloc);
		if (!t)
			return -ENOMEM;
	}
	prev = __atomic_exchange_n(&t[pt_index(va, L1_SHIFT)], pte,
				   __ATOMIC_ACQ_REL);
	if (old)
		*old = prev;
	return 0;
}

uint64_t pt_lookup(paddr_t root, uint64_t va, unsigned int *level)
{
	uint64_t *t = maddr_to_virt(root), e = 0;

	for (unsigned int shift = L4_SHIFT, lvl = 4; lvl; shift -= 9, lvl--) {
		e = t[pt_index(va, shift)];
		*level = lvl;
		if (!(e & PTE_P) || (e & PTE_PSE) || lvl == 1)
			break;
		t = pt_table(e);
	}
	return e;
}

static bool pt_frame_in(uint64_t mfn, const struct pt_frames *r,
			unsigned int nr)
{
	for (unsigned int k = 0; k < nr; k++)
		if (mfn >= r[k].first && mfn <= r[k].last)
			return true;
	return false;
}

/* Clear the 4 KiB leaves of the table at level lvl mapping a frame of r. */
static unsigned long pt_clear_level(uint64_t *t, unsigned int lvl,
				    const struct pt_frames *r, unsigned int nr,
				    unsigned int n)
{
	unsigned long cleared = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t e = t[i];

		if (!(e & PTE_P) || (lvl > 1 && (e & PTE_PSE)))
			continue;
		if (lvl > 1) {
			cleared +=
			    pt_clear_level(pt_table(e), lvl - 1, r, nr, 512);
			continue;
		}
		if (pt_frame_in((e & PTE_ADDR) >> 12, r, nr)) {
			__atomic_store_n(&t[i], 0, __ATOMIC_RELEASE);
			cleared++;
		}
	}
	return cleared;
}

unsigned long pt_clear_frames(paddr_t root, const struct pt_frames *r,
			      unsigned int n)
{
	/* The lower half only: the upper half is the hypervisor's. */
	return n ? pt_clear_level(maddr_to_virt(root), 4, r, n, 256) : 0;
}
