/* VT-d internals: registers, table formats, one unit's state. */
#ifndef VTD_H
#define VTD_H

#include <xen/spinlock.h>
#include <xen/types.h>

#define VTD_VER	    0x00
#define VTD_CAP	    0x08
#define VTD_ECAP    0x10
#define VTD_GCMD    0x18
#define VTD_GSTS    0x1c
#define VTD_RTADDR  0x20
#define VTD_FSTS    0x34
#define VTD_FECTL   0x38
#define VTD_FEDATA  0x3c
#define VTD_FEADDR  0x40
#define VTD_FEUADDR 0x44
#define VTD_IQH	    0x80
#define VTD_IQT	    0x88
#define VTD_IQA	    0x90
#define VTD_IRTA    0xb8

/* GCMD and GSTS share bit positions. */
#define VTD_GCMD_TE    (1u << 31)
#define VTD_GCMD_SRTP  (1u << 30)
#define VTD_GCMD_QIE   (1u << 26)
#define VTD_GCMD_IRE   (1u << 25)
#define VTD_GCMD_CFI   (1u << 23)
#define VTD_GCMD_SIRTP (1u << 24)
/* Enables that stay set; the rest are one-shot commands. */
#define VTD_GCMD_KEEP (VTD_GCMD_TE | VTD_GCMD_QIE | VTD_GCMD_IRE | VTD_GCMD_CFI)

#define VTD_CAP_SAGAW(c) (((c) >> 8) & 0x1f)
#define VTD_CAP_CM	 (1ull << 7)
#define VTD_CAP_FRO(c)	 ((((c) >> 24) & 0x3ff) * 16)
#define VTD_CAP_NFR(c)	 ((((c) >> 40) & 0xff) + 1)
#define VTD_ECAP_C	 (1ull << 0) /* page walks snoop the caches */
#define VTD_ECAP_QI	 (1ull << 1)
#define VTD_ECAP_IR	 (1ull << 3)

#define VTD_FSTS_PFO	(1u << 0)
#define VTD_FSTS_PPF	(1u << 1)
#define VTD_FSTS_IQE	(1u << 4)
#define VTD_FSTS_FRI(s) (((s) >> 8) & 0xff)
#define VTD_FECTL_IM	(1u << 31)

/* Fault recording register, high quadword. */
#define VTD_FRCD_F	(1ull << 63)
#define VTD_FRCD_T	(1ull << 62) /* 1: a read */
#define VTD_FRCD_FR(h)	(((h) >> 32) & 0xff)
#define VTD_FRCD_SID(h) ((uint16_t)(h))

/* Table entries (second level uses R and W; non-leaf entries need both). */
#define VTD_PTE_R     (1ull << 0)
#define VTD_PTE_W     (1ull << 1)
#define VTD_PTE_ADDR  0x000ffffffffff000ull
#define VTD_ROOT_P    (1ull << 0)
#define VTD_CTX_P     (1ull << 0)
#define VTD_CTX_AW_39 1 /* 3-level table */
#define VTD_CTX_AW_48 2 /* 4-level table */

/* Queued invalidation descriptors (128-bit). */
#define VTD_QI_CC	0x1
#define VTD_QI_IOTLB	0x2
#define VTD_QI_IEC	0x4
#define VTD_QI_WAIT	0x5
#define VTD_QI_GLOBAL	(1ull << 4)
#define VTD_QI_DOMAIN	(2ull << 4)
#define VTD_QI_DEVICE	(3ull << 4)
#define VTD_QI_IOTLB_DR (1ull << 7)
#define VTD_QI_IOTLB_DW (1ull << 6)
#define VTD_QI_WAIT_SW	(1ull << 5)
#define VTD_QI_ENTRIES	256 /* one page */

struct vtd_unit {
	volatile uint8_t *regs;
	uint64_t cap, ecap;
	uint16_t segment;
	bool include_all;
	unsigned int nr_scopes; /* the devices it lists, when not all */
	struct {
		uint8_t type, bus, devfn;
	} scopes[16];
	unsigned int levels; /* of every second-level table: 3 or 4 */
	uint64_t *root;	     /* 256 root entries, each two quadwords */
	uint64_t *queue;     /* invalidation descriptors, two quadwords */
	unsigned int qtail;
	volatile uint32_t qstatus;
	spinlock_t lock; /* tables and queue */
};

/* vtd.c: the units, and the depth of every second-level table. */
#define VTD_UNITS_MAX	 8 /* ACPI_DRHD_MAX */
#define VTD_SCOPE_BRIDGE 2 /* a device scope naming a PCI sub-hierarchy */
extern struct vtd_unit *vtd_units[VTD_UNITS_MAX];
extern unsigned int vtd_nr_units, vtd_levels;

uint32_t vtd_read32(const struct vtd_unit *u, unsigned int reg);
uint64_t vtd_read64(const struct vtd_unit *u, unsigned int reg);
void vtd_write32(struct vtd_unit *u, unsigned int reg, uint32_t v);
void vtd_write64(struct vtd_unit *u, unsigned int reg, uint64_t v);
/* Make table writes visible to units that do not snoop the caches. */
extern bool vtd_noncoherent;
void vtd_flush(const void *p, size_t len);

/* vtd-qi.c: queued invalidation (the unit's lock held). */
int vtd_qi_enable(struct vtd_unit *u);
int vtd_qi_context(struct vtd_unit *u, uint16_t did, uint16_t sid);
int vtd_qi_iotlb(struct vtd_unit *u, uint16_t did);
int vtd_qi_global(struct vtd_unit *u);
/* Interrupt entry cache: one entry, or all of them. */
int vtd_qi_iec(struct vtd_unit *u, unsigned int index, bool all);

/* vtd.c */
int vtd_gcmd(struct vtd_unit *u, uint32_t cmd, bool on);

/* vtd-ir.c: interrupt remapping on u; entry index changed (every unit). */
int vtd_ir_enable(struct vtd_unit *u);
void vtd_ir_invalidate(unsigned int index);

/* vtd-fault.c */
int vtd_fault_init(struct vtd_unit *u);
void vtd_fault_poll(struct vtd_unit *u);
unsigned long vtd_fault_total(void);
/* vtd-domain.c: the domain device sid behind u is assigned to, or -1. */
int vtd_owner(struct vtd_unit *u, uint16_t sid);

/* iopt.c: second-level page tables. */
uint64_t *iopt_alloc(void);
int iopt_map(uint64_t *root, unsigned int levels, uint64_t addr, uint64_t pte);
/* The last-level entry for addr, or 0 when none is there. */
uint64_t iopt_lookup(const uint64_t *root, unsigned int levels, uint64_t addr);
void iopt_free(uint64_t *root, unsigned int levels);

#endif
