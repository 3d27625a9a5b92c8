/* IOMMU groups from sysfs. */
#include "iommu.h"

#include <ctype.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The link's last component must be a group number; anything else is no
 * group we could name. */
static bool iommu_is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

void iommu_group_of(const char *sysfs, const char *bdf, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *name;
	ssize_t r;

	snprintf(buf, len, "none");
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/iommu_group", sysfs,
		 bdf);
	r = readlink(path, target, sizeof(target) - 1);
	if (r <= 0)
		return;
	target[r] = '\0';
	name = strrchr(target, '/');
	name = name ? name + 1 : target;
	if (iommu_is_number(name))
		snprintf(buf, len, "%s", name);
}
