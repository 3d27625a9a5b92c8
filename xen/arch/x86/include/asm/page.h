/* x86-64 4-level page tables. */
#ifndef ASM_PAGE_H
#define ASM_PAGE_H

#include <xen/types.h>
#include <asm/layout.h>

#define PTE_P	(1ull << 0)
#define PTE_RW	(1ull << 1)
#define PTE_US	(1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_A	(1ull << 5)
#define PTE_D	(1ull << 6)
#define PTE_PSE (1ull << 7)
#define PTE_G	(1ull << 8)
#define PTE_NX	(1ull << 63)
/* Software bit (ignored by the CPU): a grant mapping, kept until unmap. */
#define PTE_GRANT (1ull << 9)
#define PTE_ADDR  0x000ffffffffff000ull

/* Mapping kinds for the hypervisor's own address space. */
#define PAGE_HV_RX (PTE_P | PTE_G)
#define PAGE_HV_RO (PTE_P | PTE_G | PTE_NX)
#define PAGE_HV_RW (PTE_P | PTE_RW | PTE_G | PTE_NX)
#define PAGE_HV_UC (PAGE_HV_RW | PTE_PCD | PTE_PWT)

#define L1_SHIFT 12
#define L2_SHIFT 21
#define L3_SHIFT 30
#define L4_SHIFT 39

/* The hypervisor reaches every machine address through the direct map. */
static inline void *maddr_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)(DIRECTMAP_VIRT_START + paddr_x(pa));
}

static inline paddr_t virt_to_maddr(const void *p)
{
	uint64_t va = (uint64_t)(uintptr_t)p;

	if (va >= XEN_VIRT_START && va < XEN_VIRT_START + XEN_IMAGE_MAX)
		return _paddr(va - XEN_VIRT_START + XEN_LOAD_PHYS);
	return _paddr(va - DIRECTMAP_VIRT_START);
}

/* Where page tables come from: a zeroed page, or 0 when none is left. */
struct pt_alloc {
	paddr_t (*alloc)(void *ctx);
	void *ctx;
};

/*
 * Map [va, va + size) to [pa, pa + size) in the tables under root, with
 * flags (PTE bits, P included), using 1 GiB and 2 MiB pages where both
 * addresses are aligned and large is true. Refuses (-EEXIST) to replace
 * a present mapping; -ENOMEM when a table cannot be had (what was mapped
 * stays mapped). va, pa and size are page multiples.
 */
int pt_map(paddr_t root, uint64_t va, paddr_t pa, uint64_t size, uint64_t flags,
	   bool large, const struct pt_alloc *alloc);

/*
 * Set the 4 KiB leaf entry for va to pte (0 unmaps), making missing
 * tables with alloc (user-accessible when pte is); the entry it replaced
 * in *old unless old is NULL. Returns 0, -ENOMEM, or -EEXIST when a
 * large page covers va.
 */
int pt_set_leaf(paddr_t root, uint64_t va, uint64_t pte,
		const struct pt_alloc *alloc, uint64_t *old);

/*
 * Clear every 4 KiB leaf in the lower half of root that maps a frame in
 * one of the n ranges [r[i].first, r[i].last], in one walk of the tables;
 * how many. The caller flushes the TLBs.
 */
struct pt_frames {
	uint64_t first, last;
};
unsigned long pt_clear_frames(paddr_t root, const struct pt_frames *r,
			      unsigned int n);

/* The entry mapping va at the lowest level it reaches (for checks). */
uint64_t pt_lookup(paddr_t root, uint64_t va, unsigned int *level);

static inline void write_cr3(paddr_t root)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(paddr_x(root)) : "memory");
}

static inline paddr_t read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return _paddr(v & PTE_ADDR);
}

static inline void flush_tlb_one(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

#endif
