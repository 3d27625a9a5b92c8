/*
 * Second-level (DMA) page tables: 4 KiB leaves only, in hypervisor
 * memory, never visible to the domain they describe. A leaf of 0 unmaps.
 */
#include <xen/errno.h>
#include <xen/mm.h>
#include <xen/string.h>
#include <asm/mm.h>
#include <asm/page.h>

#include "vtd.h"

#define IOPT_ENTRIES 512

uint64_t *iopt_alloc(void)
{
	return alloc_xen_page(); /* zeroed: nothing mapped */
}

static uint64_t *iopt_next(uint64_t *e)
{
	uint64_t *t;

	if (*e & (VTD_PTE_R | VTD_PTE_W))
		return maddr_to_virt(_paddr(*e & VTD_PTE_ADDR));
	t = iopt_alloc();
	if (!t)
		return NULL;
	vtd_flush(t, PAGE_SIZE);
	*e = paddr_x(virt_to_maddr(t)) | VTD_PTE_R | VTD_PTE_W;
	vtd_flush(e, sizeof(*e));
	return t;
}

uint64_t iopt_lookup(const uint64_t *root, unsigned int levels, uint64_t addr)
{
	const uint64_t *t = root;

	for (unsigned int l = levels; l > 1; l--) {
		uint64_t e = t[(addr >> (12 + 9 * (l - 1))) % IOPT_ENTRIES];

		if (!(e & (VTD_PTE_R | VTD_PTE_W)))
			return 0;
		t = maddr_to_virt(_paddr(e & VTD_PTE_ADDR));
	}
	return t[(addr >> 12) % IOPT_ENTRIES];
}

int iopt_map(uint64_t *root, unsigned int levels, uint64_t addr, uint64_t pte)
{
	uint64_t *t = root;

	for (unsigned int l = levels; l > 1; l--) {
		unsigned int i = (addr >> (12 + 9 * (l - 1))) % IOPT_ENTRIES;

		if (!pte && !(t[i] & (VTD_PTE_R | VTD_PTE_W)))
			return 0; /* nothing there to unmap */
		t = iopt_next(&t[i]);
		if (!t)
			return -ENOMEM;
	}
	t[(addr >> 12) % IOPT_ENTRIES] = pte;
	vtd_flush(&t[(addr >> 12) % IOPT_ENTRIES], sizeof(pte));
	return 0;
}

static void iopt_free_level(uint64_t *t, unsigned int level)
{
	if (level > 1)
		for (unsigned int i = 0; i < IOPT_ENTRIES; i++)
			if (t[i] & (VTD_PTE_R | VTD_PTE_W))
				iopt_free_level(
				    maddr_to_virt(_paddr(t[i] & VTD_PTE_ADDR)),
				    level - 1);
	free_xen_page(t);
}

void iopt_free(uint64_t *root, unsigned int levels)
{
	if (root)
		iopt_free_level(root, levels);
}
