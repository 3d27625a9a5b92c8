/* What goes to which driver domain, and what stands in the way. */
#ifndef HOSTSCAN_SUGGEST_H
#define HOSTSCAN_SUGGEST_H

#include <stddef.h>
#include <stdint.h>

#include "pciscan.h"

/* "netdom", "blkdom", "usbdom" for a 24-bit class code, or NULL. */
const char *suggest_domain(uint32_t class);

/*
 * Prints a "pci = [ ... ]" block per driver domain, then a comment line
 * for each problem: an IOMMU group split between domains, a function
 * with no reset or no IOMMU group, a bus reset hitting another domain.
 */
void suggest_print(const struct pcifn *fns, size_t n);

#endif
