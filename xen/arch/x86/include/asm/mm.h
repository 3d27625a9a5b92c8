/* The hypervisor's address space on x86. */
#ifndef ASM_MM_H
#define ASM_MM_H

#include <xen/bootinfo.h>
#include <xen/types.h>

/* The page tables every CPU runs on when no domain's are loaded. */
extern paddr_t idle_pg_table;
/* A page below 1 MiB for the AP start-up code, mapped 1:1. */
extern paddr_t trampoline_pa;

/*
 * Work out free memory from the boot information, build the final page
 * tables (W^X image, direct map of all RAM, frame table), switch to them
 * and start the page allocator with every free frame.
 */
void mm_init(const struct boot_info *bi);

/* Map [pa, pa + size) uncached for device registers; NULL if no room. */
void *ioremap(paddr_t pa, uint64_t size);

/*
 * Map nr fresh zeroed pages at va (RW, NX); for stacks, whose guard
 * pages are simply left unmapped. Returns 0 or -ENOMEM.
 */
int map_fresh_pages(uint64_t va, unsigned int nr);

/* Map the existing page at pa at va with flags; 0 or -ENOMEM/-EEXIST. */
int map_page(uint64_t va, paddr_t pa, uint64_t flags);

/* Print memory use (for boot and the debug keys). */
void mm_print_usage(void);

#endif
