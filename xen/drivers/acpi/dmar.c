/*
 * The DMAR: the Intel IOMMU (VT-d) description. It goes whole to the
 * IOMMU code later; here only its header and host address width are
 * checked, and where it is remembered.
 */
#include <xen/acpi.h>
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/string.h>

#include "acpi-private.h"

#define ACPI_DMAR_LEN_MIN 48
#define ACPI_DMAR_HAW_MAX 64 /* bits */

/* What follows the header; the remapping structures come next. */
struct acpi_dmar_body {
	uint8_t haw; /* host address width minus one */
	uint8_t flags;
	uint8_t reserved[10];
} __packed;

BUILD_BUG_ON(ACPI_HEADER_SIZE + sizeof(struct acpi_dmar_body) !=
	     ACPI_DMAR_LEN_MIN);

/*
 * Check and remember the DMAR t: rejected when shorter than 48 bytes or
 * with an address width beyond 64 bits. Only the first DMAR counts.
 */
int acpi_dmar_parse(struct acpi_info *ai, const struct acpi_table_ref *t)
{
	struct acpi_dmar_body b;

	if (ai->have_dmar) {
		acpi_table_warn(t, "a second DMAR, ignored");
		return 0;
	}
	if (t->hdr.length < ACPI_DMAR_LEN_MIN) {
		acpi_table_warn(t, "length %u too short, skipped",
				t->hdr.length);
		return -EINVAL;
	}
	memcpy(&b, t->data + ACPI_HEADER_SIZE, sizeof(b));
	if (b.haw >= ACPI_DMAR_HAW_MAX) {
		acpi_table_warn(t, "host address width %u bits, skipped",
				b.haw + 1);
		return -EINVAL;
	}
	ai->have_dmar = true;
	ai->dmar_addr = t->pa;
	ai->dmar_length = t->hdr.length;
	ai->dmar_haw = b.haw + 1;
	ai->dmar_flags = b.flags;
	return 0;
}
