/*
 * Reading and writing the running PV domain's memory by its virtual
 * addresses. Each page is translated through the domain's own page
 * tables and reached through the direct map, so a bad pointer is an
 * error (-EFAULT), never a hypervisor fault.
 */
#ifndef ASM_GUEST_ACCESS_H
#define ASM_GUEST_ACCESS_H

#include <xen/types.h>

struct domain;

int copy_from_guest(struct domain *d, void *dst, uint64_t gva, size_t len);
int copy_to_guest(struct domain *d, uint64_t gva, const void *src, size_t len);

#endif
