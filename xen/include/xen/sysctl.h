/* sysctl (hypercall 35): host-wide queries for the control domain. */
#ifndef XEN_SYSCTL_H
#define XEN_SYSCTL_H

#include <xen/types.h>

struct domain;

/* d's sysctl at guest address arg: 0 or a negative errno. */
long sysctl(struct domain *d, uint64_t arg);

#endif
