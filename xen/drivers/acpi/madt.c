/*
 * The MADT ("APIC"): the local APIC address, the processors, the
 * IO-APICs and the ISA interrupt overrides. Each entry is copied out
 * before it is looked at; a malformed entry ends the walk, keeping what
 * came before it.
 */
#include <xen/acpi.h>
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/string.h>

#include "acpi-private.h"

#define ACPI_MADT_ENTRIES 44 /* offset of the first entry */

enum {
	ACPI_MADT_LAPIC = 0,
	ACPI_MADT_IOAPIC = 1,
	ACPI_MADT_OVERRIDE = 2,
	ACPI_MADT_LAPIC_ADDR = 5,
	ACPI_MADT_X2APIC = 9,
};

#define ACPI_MADT_PCAT_COMPAT	 (1u << 0)
#define ACPI_MADT_ENABLED	 (1u << 0)
#define ACPI_MADT_ONLINE_CAPABLE (1u << 1)

/* What follows the header. */
struct acpi_madt_body {
	uint32_t lapic_addr;
	uint32_t flags;
} __packed;

struct acpi_madt_lapic {
	uint8_t type, length, uid, apic_id;
	uint32_t flags;
} __packed;

struct acpi_madt_ioapic {
	uint8_t type, length, id, reserved;
	uint32_t addr, gsi_base;
} __packed;

struct acpi_madt_override {
	uint8_t type, length, bus, source;
	uint32_t gsi;
	uint16_t flags;
} __packed;

struct acpi_madt_lapic_addr {
	uint8_t type, length;
	uint16_t reserved;
	uint64_t addr;
} __packed;

struct acpi_madt_x2apic {
	uint8_t type, length;
	uint16_t reserved;
	uint32_t apic_id, flags, uid;
} __packed;

/* An entry as copied out: the known part, the rest left in the table. */
union acpi_madt_entry {
	struct {
		uint8_t type, length;
	} h;
	struct acpi_madt_lapic lapic;
	struct acpi_madt_ioapic ioapic;
	struct acpi_madt_override override;
	struct acpi_madt_lapic_addr lapic_addr;
	struct acpi_madt_x2apic x2apic;
	uint8_t raw[16];
};

BUILD_BUG_ON(sizeof(struct acpi_madt_lapic) != 8);
BUILD_BUG_ON(sizeof(struct acpi_madt_ioapic) != 12);
BUILD_BUG_ON(sizeof(struct acpi_madt_override) != 10);
BUILD_BUG_ON(sizeof(struct acpi_madt_lapic_addr) != 12);
BUILD_BUG_ON(sizeof(struct acpi_madt_x2apic) != 16);
BUILD_BUG_ON(sizeof(union acpi_madt_entry) != 16);

/* The length each known type needs; 0 for types we skip. */
static const uint8_t acpi_madt_min_len[] = {
	[ACPI_MADT_LAPIC] = sizeof(struct acpi_madt_lapic),
	[ACPI_MADT_IOAPIC] = sizeof(struct acpi_madt_ioapic),
	[ACPI_MADT_OVERRIDE] = sizeof(struct acpi_madt_override),
	[ACPI_MADT_LAPIC_ADDR] = sizeof(struct acpi_madt_lapic_addr),
	[ACPI_MADT_X2APIC] = sizeof(struct acpi_madt_x2apic),
};

/* Entries beyond our arrays, reported once at the end. */
struct acpi_madt_drops {
	unsigned int ioapics, overrides;
};

static bool acpi_madt_cpu_known(const struct acpi_info *ai, uint32_t apic_id)
{
	for (unsigned int i = 0; i < ai->nr_cpus; i++)
		if (ai->cpus[i].apic_id == apic_id)
			return true;
	return false;
}

static void acpi_madt_cpu(struct acpi_info *ai, const struct acpi_table_ref *t,
			  uint32_t apic_id, uint32_t uid, uint32_t flags)
{
	if (acpi_madt_cpu_known(ai, apic_id)) {
		acpi_table_warn(t, "APIC ID %#x listed twice, ignored",
				apic_id);
		return;
	}
	if (ai->nr_cpus == ACPI_CPUS_MAX) {
		ai->cpus_dropped++;
		return;
	}
	ai->cpus[ai->nr_cpus++] = (struct acpi_cpu){
		.apic_id = apic_id,
		.uid = uid,
		.enabled = flags & ACPI_MADT_ENABLED,
		.online_capable = flags & ACPI_MADT_ONLINE_CAPABLE,
	};
}

static void acpi_madt_ioapic(struct acpi_info *ai, struct acpi_madt_drops *d,
			     const struct acpi_madt_ioapic *e)
{
	if (ai->nr_ioapics == ACPI_IOAPICS_MAX) {
		d->ioapics++;
		return;
	}
	ai->ioapics[ai->nr_ioapics++] = (struct acpi_ioapic){
		.id = e->id,
		.gsi_base = e->gsi_base,
		.addr = _paddr(e->addr),
	};
}

static void acpi_madt_override(struct acpi_info *ai, struct acpi_madt_drops *d,
			       const struct acpi_madt_override *e)
{
	if (ai->nr_overrides == ACPI_OVERRIDES_MAX) {
		d->overrides++;
		return;
	}
	ai->overrides[ai->nr_overrides++] = (struct acpi_override){
		.bus = e->bus,
		.source = e->source,
		.gsi = e->gsi,
		.flags = e->flags,
	};
}

/* Act on one entry, already checked to fit in the table. */
static void acpi_madt_entry(struct acpi_info *ai,
			    const struct acpi_table_ref *t,
			    struct acpi_madt_drops *d, uint32_t off,
			    const union acpi_madt_entry *e)
{
	uint8_t type = e->h.type;

	if (type < ARRAY_SIZE(acpi_madt_min_len) &&
	    e->h.length < acpi_madt_min_len[type]) {
		acpi_table_warn(t,
				"type %u entry at offset %u too short, skipped",
				type, off);
		return;
	}
	if (type == ACPI_MADT_LAPIC)
		acpi_madt_cpu(ai, t, e->lapic.apic_id, e->lapic.uid,
			      e->lapic.flags);
	else if (type == ACPI_MADT_X2APIC)
		acpi_madt_cpu(ai, t, e->x2apic.apic_id, e->x2apic.uid,
			      e->x2apic.flags);
	else if (type == ACPI_MADT_IOAPIC)
		acpi_madt_ioapic(ai, d, &e->ioapic);
	else if (type == ACPI_MADT_OVERRIDE)
		acpi_madt_override(ai, d, &e->override);
	else if (type == ACPI_MADT_LAPIC_ADDR)
		ai->lapic_addr = _paddr(e->lapic_addr.addr);
}

/*
 * Copy the entry at off out of t: its type and length, then (when it
 * fits in the table) the rest we know of. -EINVAL after a warning when
 * it does not fit.
 */
static int acpi_madt_copy(const struct acpi_table_ref *t, uint32_t off,
			  union acpi_madt_entry *e)
{
	uint32_t room = t->hdr.length - off;
	size_t n;

	memset(e, 0, sizeof(*e));
	if (room < sizeof(e->h)) {
		acpi_table_warn(t, "entry at offset %u runs past the end", off);
		return -EINVAL;
	}
	memcpy(&e->h, t->data + off, sizeof(e->h));
	if (e->h.length < sizeof(e->h) || e->h.length > room) {
		acpi_table_warn(t, "bad length %u at offset %u, rest ignored",
				e->h.length, off);
		return -EINVAL;
	}
	n = e->h.length < sizeof(*e) ? e->h.length : sizeof(*e);
	memcpy(e->raw + sizeof(e->h), t->data + off + sizeof(e->h),
	       n - sizeof(e->h));
	return 0;
}

static void acpi_madt_report(const struct acpi_info *ai,
			     const struct acpi_table_ref *t,
			     const struct acpi_madt_drops *d)
{
	if (ai->cpus_dropped)
		acpi_table_warn(t, "%u CPUs beyond the first %u ignored",
				ai->cpus_dropped, ACPI_CPUS_MAX);
	if (d->ioapics)
		acpi_table_warn(t, "%u IO-APICs beyond the first %u ignored",
				d->ioapics, ACPI_IOAPICS_MAX);
	if (d->overrides)
		acpi_table_warn(t, "%u overrides beyond the first %u ignored",
				d->overrides, ACPI_OVERRIDES_MAX);
}

/*
 * Read the MADT t. A table too short for its fixed part is rejected; a
 * malformed entry ends the walk with a warning, keeping the entries
 * before it. Only the first MADT counts.
 */
int acpi_madt_parse(struct acpi_info *ai, const struct acpi_table_ref *t)
{
	struct acpi_madt_drops d = { 0 };
	struct acpi_madt_body b;
	union acpi_madt_entry e;

	if (ai->have_madt) {
		acpi_table_warn(t, "a second MADT, ignored");
		return 0;
	}
	if (t->hdr.length < ACPI_MADT_ENTRIES) {
		acpi_table_warn(t, "length %u too short, skipped",
				t->hdr.length);
		return -EINVAL;
	}
	memcpy(&b, t->data + ACPI_HEADER_SIZE, sizeof(b));
	ai->have_madt = true;
	ai->lapic_addr = _paddr(b.lapic_addr);
	ai->pcat_compat = b.flags & ACPI_MADT_PCAT_COMPAT;
	for (uint32_t off = ACPI_MADT_ENTRIES; off < t->hdr.length;
	     off += e.h.length) {
		if (acpi_madt_copy(t, off, &e))
			break;
		acpi_madt_entry(ai, t, &d, off, &e);
	}
	acpi_madt_report(ai, t, &d);
	return 0;
}
