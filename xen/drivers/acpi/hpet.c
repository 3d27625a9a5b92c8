/*
 * The HPET table: where the first High Precision Event Timer block's
 * registers are. Only a block in memory space is usable.
 */
#include <xen/acpi.h>
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/string.h>

#include "acpi-private.h"

#define ACPI_HPET_LEN_MIN 56
#define ACPI_SPACE_MEMORY 0

/* A Generic Address Structure. */
struct acpi_gas {
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} __packed;

/* What follows the header. */
struct acpi_hpet_body {
	uint32_t block_id;
	struct acpi_gas base;
	uint8_t number;
	uint16_t min_tick;
	uint8_t attributes;
} __packed;

BUILD_BUG_ON(ACPI_HEADER_SIZE + sizeof(struct acpi_hpet_body) !=
	     ACPI_HPET_LEN_MIN);

/*
 * Read the HPET table t: rejected when shorter than 56 bytes or when the
 * block is not in memory space. Only the first HPET table counts.
 */
int acpi_hpet_parse(struct acpi_info *ai, const struct acpi_table_ref *t)
{
	struct acpi_hpet_body b;

	if (ai->have_hpet) {
		acpi_table_warn(t, "a second HPET, ignored");
		return 0;
	}
	if (t->hdr.length < ACPI_HPET_LEN_MIN) {
		acpi_table_warn(t, "length %u too short, skipped",
				t->hdr.length);
		return -EINVAL;
	}
	memcpy(&b, t->data + ACPI_HEADER_SIZE, sizeof(b));
	if (b.base.space_id != ACPI_SPACE_MEMORY || !b.base.address) {
		acpi_table_warn(t, "block %#llx in space %u, skipped",
				(unsigned long long)b.base.address,
				b.base.space_id);
		return -EINVAL;
	}
	ai->have_hpet = true;
	ai->hpet_addr = _paddr(b.base.address);
	ai->hpet_number = b.number;
	ai->hpet_min_tick = b.min_tick;
	return 0;
}
