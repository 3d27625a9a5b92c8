/*
 * asm/page.h for host programs that run code copying through the direct
 * map (tests/fuzz/fuzz_gnttab.c): each frame is a page of its own in the
 * host's heap, found through a table, so a copy past a frame's end runs
 * into AddressSanitizer instead of the next frame.
 */
#ifndef FUZZ_SHADOW_ASM_PAGE_H
#define FUZZ_SHADOW_ASM_PAGE_H

#define maddr_to_virt maddr_to_virt_direct_map
#define virt_to_maddr virt_to_maddr_direct_map
#include_next <asm/page.h>
#undef maddr_to_virt
#undef virt_to_maddr

void *fake_maddr_to_virt(paddr_t pa);
paddr_t fake_virt_to_maddr(const void *p);
#define maddr_to_virt fake_maddr_to_virt
#define virt_to_maddr fake_virt_to_maddr

#endif
