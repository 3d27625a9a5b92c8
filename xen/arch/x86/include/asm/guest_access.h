/*
 * Reading and writing a PV domain's memory by its virtual addresses,
 * through the domain's own page tables: by the MMU when this CPU's CR3
 * holds them (pv/copy-guest.S), else by a walk of them and the direct
 * map. Either way a bad pointer is an error (-EFAULT), never a hypervisor
 * fault.
 */
#ifndef ASM_GUEST_ACCESS_H
#define ASM_GUEST_ACCESS_H

#include <xen/types.h>

struct domain;

int copy_from_guest(struct domain *d, void *dst, uint64_t gva, size_t len);
int copy_to_guest(struct domain *d, uint64_t gva, const void *src, size_t len);

/* pv/copy-guest.S: 0, or non-zero when a page fault stopped the copy. */
size_t x86_copy_guest(void *dst, const void *src, size_t len);
/* Its faulting range and where a fault there resumes (traps.c). */
extern const char x86_copy_guest_start[], x86_copy_guest_end[],
    x86_copy_guest_fixup[];

#endif
