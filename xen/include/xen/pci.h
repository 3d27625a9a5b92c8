/*
 * PCI in the hypervisor: configuration space access, and the table of
 * functions found at boot with their BARs and capabilities, each with an
 * owner. Mechanism only: which domain gets which function is decided by
 * the control domain.
 */
#ifndef XEN_PCI_H
#define XEN_PCI_H

#include <xen/mm.h>
#include <xen/types.h>
#include <public/xen.h>

struct acpi_info;

/* Segment (16 bits), bus (8), device (5), function (3): Xen's layout. */
TYPESAFE_(pci_sbdf, uint32_t)

static inline pci_sbdf_t pci_sbdf(unsigned int seg, unsigned int bus,
				  unsigned int dev, unsigned int fn)
{
	return _pci_sbdf((seg & 0xffff) << 16 | (bus & 0xff) << 8 |
			 (dev & 0x1f) << 3 | (fn & 7));
}

static inline unsigned int pci_sbdf_seg(pci_sbdf_t s)
{
	return pci_sbdf_x(s) >> 16;
}

static inline unsigned int pci_sbdf_bus(pci_sbdf_t s)
{
	return (pci_sbdf_x(s) >> 8) & 0xff;
}

static inline unsigned int pci_sbdf_dev(pci_sbdf_t s)
{
	return (pci_sbdf_x(s) >> 3) & 0x1f;
}

static inline unsigned int pci_sbdf_fn(pci_sbdf_t s)
{
	return pci_sbdf_x(s) & 7;
}

/* Configuration space registers (PCI Local Bus 3.0, PCIe 4.0). */
#define PCI_VENDOR_ID	  0x00
#define PCI_DEVICE_ID	  0x02
#define PCI_COMMAND	  0x04
#define PCI_CMD_IO	  (1u << 0)
#define PCI_CMD_MEMORY	  (1u << 1)
#define PCI_STATUS	  0x06
#define PCI_STATUS_CAPS	  (1u << 4)
#define PCI_CLASS_REV	  0x08 /* class << 8 | revision */
#define PCI_HEADER_TYPE	  0x0e
#define PCI_HEADER_MF	  0x80 /* multi-function device */
#define PCI_HEADER_NORMAL 0
#define PCI_HEADER_BRIDGE 1
#define PCI_HEADER_CB	  2 /* CardBus bridge */
#define PCI_BAR0	  0x10
#define PCI_CAP_PTR	  0x34
#define PCI_CB_CAP_PTR	  0x14
#define PCI_PRIMARY_BUS	  0x18 /* bridges: primary, secondary, subordinate */
#define PCI_SECONDARY_BUS 0x19
#define PCI_SUBORD_BUS	  0x1a

#define PCI_VENDOR_NONE 0xffff /* what a missing function reads as */

#define PCI_CONF_SIZE	  256  /* conventional configuration space */
#define PCI_CONF_SIZE_EXT 4096 /* PCI Express extended space */
#define PCI_BUSES	  256

/*
 * How configuration space is reached. The backend gets only aligned
 * accesses of 1, 2 or 4 bytes within its size, and must answer all ones
 * for a function, bus or segment that is not there (and never fault).
 */
struct pci_conf_ops {
	const char *name;
	unsigned int size; /* PCI_CONF_SIZE or PCI_CONF_SIZE_EXT */
	uint32_t (*read)(pci_sbdf_t sbdf, unsigned int reg, unsigned int len);
	void (*write)(pci_sbdf_t sbdf, unsigned int reg, unsigned int len,
		      uint32_t val);
};

/* Use ops from now on (at boot, or from a host test). */
void pci_conf_set_ops(const struct pci_conf_ops *ops);

/*
 * Read or write len (1, 2 or 4) bytes at reg of sbdf's configuration
 * space. -EINVAL for a bad len, a misaligned reg or one beyond the
 * space, -ENOENT when there is no backend; a failed read gives all ones.
 */
int pci_conf_read(pci_sbdf_t sbdf, unsigned int reg, unsigned int len,
		  uint32_t *val);
int pci_conf_write(pci_sbdf_t sbdf, unsigned int reg, unsigned int len,
		   uint32_t val);
uint8_t pci_conf_read8(pci_sbdf_t sbdf, unsigned int reg);
uint16_t pci_conf_read16(pci_sbdf_t sbdf, unsigned int reg);
uint32_t pci_conf_read32(pci_sbdf_t sbdf, unsigned int reg);
int pci_conf_write8(pci_sbdf_t sbdf, unsigned int reg, uint8_t val);
int pci_conf_write16(pci_sbdf_t sbdf, unsigned int reg, uint16_t val);
int pci_conf_write32(pci_sbdf_t sbdf, unsigned int reg, uint32_t val);

/* The bytes of configuration space the backend reaches (0: none yet). */
unsigned int pci_conf_size(void);

#define PCI_BARS_MAX 6

/* A BAR: its address as firmware left it, size 0 when not implemented. */
struct pci_bar {
	uint64_t addr;
	uint64_t size;
	bool io;       /* I/O space, else memory */
	bool mem64;    /* takes this slot and the next */
	bool prefetch; /* prefetchable memory */
};

/* What was found of a function: its place, identity and resources. */
struct pci_dev {
	pci_sbdf_t sbdf;
	uint16_t vendor, device;
	uint32_t class;	      /* base << 16 | subclass << 8 | prog-if */
	uint8_t hdr_type;     /* without the multi-function bit */
	bool host_bridge;     /* class 0600 */
	bool bridge;	      /* PCI-to-PCI (header type 1) */
	uint8_t sec_bus;      /* bridges: secondary and subordinate buses */
	uint8_t sub_bus;      /*   as firmware numbered them */
	unsigned int nr_bars; /* slots: 6, 2 for a bridge, 1 for CardBus */
	struct pci_bar bars[PCI_BARS_MAX];

	/* Capabilities: each offset is 0 when the capability is absent. */
	uint8_t pm_cap;
	uint8_t pm_pmcsr; /* PMCSR offset */
	bool pm_no_soft_reset;
	uint8_t msi_cap;
	bool msi_64bit, msi_maskable;
	uint8_t pcie_cap;
	uint8_t pcie_type; /* PCI_EXP_TYPE_*: the port type */
	bool pcie_flr;	   /* DevCap: function level reset */
	uint8_t msix_cap;
	uint16_t msix_size; /* table entries */
	uint8_t msix_table_bir, msix_pba_bir;
	uint32_t msix_table_off, msix_pba_off;
	bool caps_bad; /* the list was malformed; walking it stopped */

	domid_t owner; /* PCI_OWNER_*, or the domain it is assigned to */
	/*
	 * Whose state it may hold: the handle of the last domain it went to
	 * (it is not reset when taken back, only quiesced). All zero: not
	 * known, or anyone's.
	 */
	xen_domain_handle_t held_for;
};

/* Owners: Xen's reserved domain ids. */
#define PCI_OWNER_HYPERVISOR DOMID_XEN
#define PCI_OWNER_NONE	     DOMID_INVALID

#define PCI_DEVS_MAX 256 /* functions beyond are logged and ignored */

/* A bus to start enumeration at: bus 0 of each segment, in practice. */
struct pci_root {
	uint16_t seg;
	uint8_t bus;
};

/*
 * Forget what was found, then walk each root depth first through the
 * PCI-to-PCI bridges (their bus numbers as firmware set them) and record
 * every function. Returns the number recorded.
 */
unsigned int pci_scan(const struct pci_root *roots, unsigned int nr);

/* Functions beyond PCI_DEVS_MAX found by the last scan. */
unsigned int pci_devs_dropped(void);

/* The functions found, in the order found; NULL past the end. */
unsigned int pci_dev_count(void);
const struct pci_dev *pci_dev_at(unsigned int i);
const struct pci_dev *pci_dev_find(pci_sbdf_t sbdf);

/* PCI Express port types (PCIe capability, flags bits 7:4). */
#define PCI_EXP_TYPE_ROOT_PORT	 0x4
#define PCI_EXP_TYPE_UPSTREAM	 0x5
#define PCI_EXP_TYPE_DOWNSTREAM	 0x6
#define PCI_EXP_TYPE_PCI_BRIDGE	 0x7 /* PCIe to PCI/PCI-X */
#define PCI_EXP_TYPE_PCIE_BRIDGE 0x8 /* PCI/PCI-X to PCIe */

/*
 * The requester ID (bus << 8 | devfn) that dev's DMA and MSIs carry when
 * they reach the IOMMU: its own, unless a bridge on the way takes them
 * over (see alias.c).
 */
uint16_t pci_requester_id(const struct pci_dev *dev);
/* Another function, not a bridge, whose requests carry the same ID. */
const struct pci_dev *pci_alias_sharer(const struct pci_dev *dev);

/*
 * A function's owner. Both fail with -ENOENT for a function not found;
 * setting fails with -EPERM for one the hypervisor keeps, -EINVAL for an owner
 * that is neither a domain nor PCI_OWNER_NONE.
 */
int pci_get_owner(pci_sbdf_t sbdf, domid_t *owner);
int pci_set_owner(pci_sbdf_t sbdf, domid_t owner);
/*
 * Take an unowned function for owner, whose domain handle is handle:
 * -EBUSY if owned, -EPERM if kept. *reset: it may hold the state of
 * another domain (a different or all-zero handle), so it needs a reset
 * before the new owner gets it.
 */
int pci_claim(pci_sbdf_t sbdf, domid_t owner, const xen_domain_handle_t handle,
	      bool *reset);
/* A claim undone: unowned, and holding anyone's state (reset next time). */
void pci_unclaim(pci_sbdf_t sbdf);

/*
 * Quiesce a function leaving a domain: no more DMA and no more messages
 * (bus mastering off), and every interrupt vector masked.
 */
void pci_quiesce(const struct pci_dev *d);
/*
 * Reset a function before it enters a domain whose state it may not
 * hold: quiesced, then FLR, else a D3hot->D0 cycle, else a secondary
 * bus reset when it is alone behind its bridge; then its BARs and command
 * register put back (decoding on, bus mastering off). -ENODEV when it
 * has no reset: such a device is not assigned. *how names the one used.
 */
int pci_reset(const struct pci_dev *d, const char **how);

/*
 * Assignment (xen/drivers/pci/assign.c), called by the control domain's
 * domctl: -ENOENT unknown function, -EPERM a bridge or the hypervisor's,
 * -EBUSY owned, -ENODEV no reset or (CONFIG_IOMMU_REQUIRED) no IOMMU.
 */
struct domain;
int pci_assign(struct domain *d, pci_sbdf_t sbdf);
int pci_deassign(struct domain *d, pci_sbdf_t sbdf);
/*
 * Provided by the arch: every mapping d has of dev's BARs removed (the
 * owner already changed, so none can be made again), and dev's
 * interrupts to d stopped.
 */
void arch_pci_revoke_bars(struct domain *d, const struct pci_dev *dev);

/* Every function d owns, reset and unowned (d is being destroyed). */
void pci_release_domain(struct domain *d);

/*
 * The owning domain's access: config space through the hypervisor,
 * which lets it enable decoding and bus mastering but not move BARs or
 * touch the MSI/MSI-X and power-management capabilities; and its BARs'
 * frames for its page tables (never the MSI-X table's or PBA's).
 */
int pci_guest_conf_read(const struct domain *d, pci_sbdf_t sbdf,
			unsigned int reg, unsigned int len, uint32_t *val);
int pci_guest_conf_write(const struct domain *d, pci_sbdf_t sbdf,
			 unsigned int reg, unsigned int len, uint32_t val);
bool pci_guest_mmio_ok(const struct domain *d, uint64_t mfn);
/* Are ports [port, port + len) in an I/O BAR of a function d owns? */
bool pci_guest_pio_ok(const struct domain *d, unsigned int port,
		      unsigned int len);

/*
 * MSI-X entry programming (xen/drivers/pci/msix.c): the entry masked,
 * given addr and data, MSI-X enabled, the entry unmasked. -EINVAL for a
 * function without MSI-X or an entry beyond its table.
 */
int pci_msix_setup(const struct pci_dev *d, unsigned int entry, uint64_t addr,
		   uint32_t data);
int pci_msix_mask(const struct pci_dev *d, unsigned int entry, bool mask);
/* The same for MSI (one message), -EINVAL without the capability. */
int pci_msi_setup(const struct pci_dev *d, uint64_t addr, uint32_t data);
int pci_msi_mask(const struct pci_dev *d, bool mask);
/* Its MSI masked (if it can be), every MSI-X entry and the function too. */
void pci_msi_quiesce(const struct pci_dev *d);

/*
 * Format d's boot line into buf ("PCI 0000:00:02.0 8086:10d3 class
 * 020000 ..."); returns the length it would have (snprintf-style).
 */
int pci_format(const struct pci_dev *d, char *buf, size_t size);

/* Log one line per function found. */
void pci_print(void);

/*
 * Reach configuration space through the MCFG's ECAM windows, or else the
 * 0xcf8/0xcfc ports, then scan and print. At boot, on one CPU.
 */
void pci_init(const struct acpi_info *ai);

#endif
