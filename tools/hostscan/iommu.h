/* IOMMU groups, as Linux's sysfs shows them. */
#ifndef HOSTSCAN_IOMMU_H
#define HOSTSCAN_IOMMU_H

#include <stddef.h>

/*
 * Writes the number of @bdf's IOMMU group (the name the iommu_group link
 * under <sysfs>/bus/pci/devices/<bdf> points to) into @buf, or "none"
 * when there is no such link (no IOMMU, or it is off).
 */
void iommu_group_of(const char *sysfs, const char *bdf, char *buf, size_t len);

#endif
