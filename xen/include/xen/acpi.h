/*
 * The ACPI tables the hypervisor needs at boot: where the CPUs and
 * IO-APICs are (MADT), PCI Express configuration space (MCFG), the HPET
 * and the Intel IOMMU (DMAR). Everything is copied out of firmware memory
 * and checked; a broken table is reported and left out, never believed.
 */
#ifndef XEN_ACPI_H
#define XEN_ACPI_H

#include <xen/types.h>

#define ACPI_CPUS_MAX	   256
#define ACPI_IOAPICS_MAX   8
#define ACPI_OVERRIDES_MAX 16
#define ACPI_MCFG_MAX	   4
#define ACPI_TABLES_MAX	   32

/* A processor: MADT type 0 (xAPIC) or type 9 (x2APIC). */
struct acpi_cpu {
	uint32_t apic_id;
	uint32_t uid; /* ACPI processor UID */
	bool enabled;
	bool online_capable; /* disabled now, may be brought up later */
};

/* MADT type 1. */
struct acpi_ioapic {
	uint32_t id;
	uint32_t gsi_base; /* the GSI of its first input */
	paddr_t addr;
};

/* Flags of an interrupt source override (MPS INTI flags). */
#define ACPI_POLARITY_MASK 0x3 /* 0 as the bus, 1 high, 3 low */
#define ACPI_TRIGGER_SHIFT 2
#define ACPI_TRIGGER_MASK  0xc /* 0 as the bus, 1 edge, 3 level */

/* MADT type 2: ISA IRQ source is delivered on GSI gsi. */
struct acpi_override {
	uint8_t bus, source;
	uint32_t gsi;
	uint16_t flags;
};

/*
 * An MCFG entry: buses bus_start..bus_end of a PCI segment have their
 * configuration space at base + (bus << 20) (base is that of bus 0).
 */
struct acpi_mcfg {
	paddr_t base;
	uint16_t segment;
	uint8_t bus_start, bus_end;
};

/* A table the RSDT or XSDT lists. */
struct acpi_table {
	char sig[5]; /* "????" when its header is not readable */
	paddr_t addr;
	uint32_t length; /* as its header says, 0 when not readable */
	bool valid;	 /* header, checksum and (when parsed) contents good */
};

/* DMAR flags. */
#define ACPI_DMAR_INTR_REMAP	  (1u << 0)
#define ACPI_DMAR_X2APIC_OPT_OUT  (1u << 1)
#define ACPI_DMAR_DMA_CTRL_OPT_IN (1u << 2)

/* A DMAR remapping unit (DRHD) and a reserved region (RMRR). */
#define ACPI_DRHD_MAX	     8
#define ACPI_RMRR_MAX	     8
#define ACPI_DMAR_SCOPES_MAX 16 /* devices named by one structure */

/* A device scope entry whose path is one hop: bus, device, function. */
struct acpi_dmar_scope {
	uint8_t type; /* 1 endpoint, 2 bridge, 3 IO-APIC, 4 HPET */
	uint8_t bus;
	uint8_t devfn;
};

struct acpi_drhd {
	paddr_t base; /* its registers */
	uint16_t segment;
	bool include_all; /* every device of the segment not named elsewhere */
	unsigned int nr_scopes;
	struct acpi_dmar_scope scopes[ACPI_DMAR_SCOPES_MAX];
};

struct acpi_rmrr {
	uint16_t segment;
	paddr_t base, limit; /* inclusive limit */
	unsigned int nr_scopes;
	struct acpi_dmar_scope scopes[ACPI_DMAR_SCOPES_MAX];
};

/* What acpi_parse() found. */
struct acpi_info {
	paddr_t rsdp;
	uint8_t revision; /* the RSDP's: 0 for ACPI 1.0, 2 for 2.0 and later */
	char oem_id[7];
	paddr_t root_addr; /* the RSDT or XSDT walked, 0 if none usable */
	bool root_is_xsdt;

	/* Every table listed by the root, valid or not, in its order. */
	unsigned int nr_tables;
	struct acpi_table tables[ACPI_TABLES_MAX];
	unsigned int tables_dropped; /* listed beyond ACPI_TABLES_MAX */

	bool have_madt;
	paddr_t lapic_addr; /* type 5 override included */
	bool pcat_compat;   /* the 8259 PICs are there too */
	unsigned int nr_cpus;
	struct acpi_cpu cpus[ACPI_CPUS_MAX];
	unsigned int cpus_dropped; /* beyond ACPI_CPUS_MAX */
	unsigned int nr_ioapics;
	struct acpi_ioapic ioapics[ACPI_IOAPICS_MAX];
	unsigned int nr_overrides;
	struct acpi_override overrides[ACPI_OVERRIDES_MAX];

	bool have_mcfg;
	unsigned int nr_mcfg;
	struct acpi_mcfg mcfg[ACPI_MCFG_MAX];

	bool have_hpet;
	paddr_t hpet_addr;
	uint8_t hpet_number;
	uint16_t hpet_min_tick;

	/* The IOMMU: its header, remapping units and reserved regions. */
	bool have_dmar;
	paddr_t dmar_addr;
	uint32_t dmar_length;
	uint8_t dmar_haw; /* host address width in bits */
	uint8_t dmar_flags;
	unsigned int nr_drhd, nr_rmrr;
	struct acpi_drhd drhd[ACPI_DRHD_MAX];
	struct acpi_rmrr rmrr[ACPI_RMRR_MAX];
};

/*
 * Search [start, start + len) on 16-byte boundaries for a valid RSDP (its
 * first 20 bytes in the area; at most 1 MiB is searched). Returns 0 and
 * *rsdp, or -ENOENT.
 */
int acpi_find_rsdp(paddr_t start, uint64_t len, paddr_t *rsdp);

/*
 * Check the RSDP at rsdp and walk the XSDT (revision >= 2 and a valid
 * XSDT) or else the RSDT: list each table and parse the MADT, MCFG, HPET
 * and DMAR found valid. Returns 0, or -EINVAL when the RSDP or its root
 * table is unusable. A missing table is not an error (have_* false).
 */
int acpi_parse(struct acpi_info *ai, paddr_t rsdp);

/* Log what acpi_parse() found, and which of the tables are missing. */
void acpi_print(const struct acpi_info *ai);

#endif
