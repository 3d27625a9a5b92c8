/*
 * The MCFG: where PCI Express configuration space (ECAM) is mapped, one
 * entry per range of buses of a segment. A table whose length does not
 * hold whole entries is rejected: with its layout in doubt, none of its
 * addresses is trusted, and config space is reached through the ports.
 */
#include <xen/acpi.h>
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/string.h>

#include "acpi-private.h"

#define ACPI_MCFG_ENTRIES   44 /* the header, then 8 reserved bytes */
#define ACPI_MCFG_BUS_SHIFT 20 /* 1 MiB of config space per bus */

struct acpi_mcfg_entry {
	uint64_t base; /* of bus 0, even when bus_start is not 0 */
	uint16_t segment;
	uint8_t bus_start, bus_end;
	uint32_t reserved;
} __packed;

BUILD_BUG_ON(sizeof(struct acpi_mcfg_entry) != 16);

/* Bus range in order, base aligned, and the range not wrapping. */
static bool acpi_mcfg_entry_ok(const struct acpi_mcfg_entry *e)
{
	uint64_t end = (uint64_t)(e->bus_end + 1) << ACPI_MCFG_BUS_SHIFT;

	return e->base && e->bus_start <= e->bus_end &&
	       !(e->base & ((1ull << ACPI_MCFG_BUS_SHIFT) - 1)) &&
	       e->base <= ~0ull - end;
}

static void acpi_mcfg_add(struct acpi_info *ai, const struct acpi_table_ref *t,
			  uint32_t off, unsigned int *dropped)
{
	struct acpi_mcfg_entry e;

	memcpy(&e, t->data + off, sizeof(e));
	if (!acpi_mcfg_entry_ok(&e)) {
		acpi_table_warn(t,
				"bad entry at offset %u (base %#llx), skipped",
				off, (unsigned long long)e.base);
		return;
	}
	if (ai->nr_mcfg == ACPI_MCFG_MAX) {
		(*dropped)++;
		return;
	}
	ai->mcfg[ai->nr_mcfg++] = (struct acpi_mcfg){
		.base = _paddr(e.base),
		.segment = e.segment,
		.bus_start = e.bus_start,
		.bus_end = e.bus_end,
	};
}

/*
 * Read the MCFG t: rejected unless its length is 44 plus whole entries;
 * a bad entry is skipped. Only the first MCFG counts.
 */
int acpi_mcfg_parse(struct acpi_info *ai, const struct acpi_table_ref *t)
{
	uint32_t len = t->hdr.length;
	unsigned int dropped = 0;

	if (ai->have_mcfg) {
		acpi_table_warn(t, "a second MCFG, ignored");
		return 0;
	}
	if (len < ACPI_MCFG_ENTRIES ||
	    (len - ACPI_MCFG_ENTRIES) % sizeof(struct acpi_mcfg_entry)) {
		acpi_table_warn(t, "length %u is not 44 + 16 * n, skipped",
				len);
		return -EINVAL;
	}
	ai->have_mcfg = true;
	for (uint32_t off = ACPI_MCFG_ENTRIES; off < len;
	     off += sizeof(struct acpi_mcfg_entry))
		acpi_mcfg_add(ai, t, off, &dropped);
	if (dropped)
		acpi_table_warn(t, "%u entries beyond the first %u ignored",
				dropped, ACPI_MCFG_MAX);
	return 0;
}
