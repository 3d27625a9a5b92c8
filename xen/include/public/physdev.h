/*
 * Physical devices and interrupts: physdev_op(cmd, arg) (hypercall 33).
 * Mostly for the hardware and driver domains.
 */
#ifndef XEN_PUBLIC_PHYSDEV_H
#define XEN_PUBLIC_PHYSDEV_H

#include <stdint.h>
#include "xen-compat.h"
#include "xen.h"

#define PHYSDEVOP_IRQ_UNMASK_NOTIFY  4 /* obsolete */
#define PHYSDEVOP_irq_status_query   5
#define PHYSDEVOP_set_iopl	     6
#define PHYSDEVOP_set_iobitmap	     7
#define PHYSDEVOP_apic_read	     8
#define PHYSDEVOP_apic_write	     9
#define PHYSDEVOP_alloc_irq_vector   10
#define PHYSDEVOP_free_irq_vector    11
#define PHYSDEVOP_eoi		     12
#define PHYSDEVOP_map_pirq	     13
#define PHYSDEVOP_unmap_pirq	     14
#define PHYSDEVOP_manage_pci_add     15
#define PHYSDEVOP_manage_pci_remove  16
#define PHYSDEVOP_pirq_eoi_gmfn_v1   17
#define PHYSDEVOP_restore_msi	     19
#define PHYSDEVOP_manage_pci_add_ext 20
#define PHYSDEVOP_setup_gsi	     21
/* 22 is left free */
#define PHYSDEVOP_get_free_pirq	     23
#define PHYSDEVOP_pci_mmcfg_reserved 24
#define PHYSDEVOP_pci_device_add     25
#define PHYSDEVOP_pci_device_remove  26
#define PHYSDEVOP_restore_msi_ext    27
#define PHYSDEVOP_pirq_eoi_gmfn_v2   28
#define PHYSDEVOP_dbgp_op	     29
#define PHYSDEVOP_prepare_msix	     30
#define PHYSDEVOP_release_msix	     31

#define PHYSDEVOP_pirq_eoi_gmfn PHYSDEVOP_pirq_eoi_gmfn_v2

/*
 * Citadel: configuration space of a PCI function the caller owns (a
 * driver domain has no port 0xcf8 and no ECAM mapping). Writes are
 * filtered: see docs/abi.md.
 */
#define PHYSDEVOP_citadel_pci_conf_read	 64
#define PHYSDEVOP_citadel_pci_conf_write 65
struct physdev_citadel_pci_conf {
	uint32_t sbdf; /* segment << 16 | bus << 8 | devfn */
	uint16_t reg;  /* offset: aligned to len */
	uint8_t len;   /* 1, 2 or 4 */
	uint8_t _pad0;
	uint32_t value; /* OUT for read, IN for write */
};
typedef struct physdev_citadel_pci_conf physdev_citadel_pci_conf_t;

/*
 * Citadel: port I/O within an I/O BAR of a function the caller owns (a
 * PV domain runs without I/O privilege).
 */
#define PHYSDEVOP_citadel_pio_read  66
#define PHYSDEVOP_citadel_pio_write 67
struct physdev_citadel_pio {
	uint16_t port;
	uint8_t len; /* 1, 2 or 4, the port aligned to it */
	uint8_t _pad0;
	uint32_t value; /* OUT for read, IN for write */
};
typedef struct physdev_citadel_pio physdev_citadel_pio_t;
DEFINE_XEN_GUEST_HANDLE(physdev_citadel_pio_t);
XEN_ABI_SIZE(struct physdev_citadel_pio, 8);
XEN_ABI_OFFSET(struct physdev_citadel_pio, value, 4);
DEFINE_XEN_GUEST_HANDLE(physdev_citadel_pci_conf_t);
XEN_ABI_SIZE(struct physdev_citadel_pci_conf, 12);
XEN_ABI_OFFSET(struct physdev_citadel_pci_conf, value, 8);

/* eoi: the guest has handled physical IRQ irq. */
struct physdev_eoi {
	uint32_t irq; /* IN */
};
typedef struct physdev_eoi physdev_eoi_t;
DEFINE_XEN_GUEST_HANDLE(physdev_eoi_t);
XEN_ABI_SIZE(struct physdev_eoi, 4);

/*
 * pirq_eoi_gmfn: register a page whose bit n says PIRQ n needs an
 * explicit PHYSDEVOP_eoi (v1 also makes eoi unmask the event channel).
 */
struct physdev_pirq_eoi_gmfn {
	xen_pfn_t gmfn; /* IN */
};
typedef struct physdev_pirq_eoi_gmfn physdev_pirq_eoi_gmfn_t;
DEFINE_XEN_GUEST_HANDLE(physdev_pirq_eoi_gmfn_t);
XEN_ABI_SIZE(struct physdev_pirq_eoi_gmfn, 8);

/* irq_status_query: how an IRQ must be handled. */
struct physdev_irq_status_query {
	uint32_t irq;	/* IN */
	uint32_t flags; /* OUT: XENIRQSTAT_* */
};
typedef struct physdev_irq_status_query physdev_irq_status_query_t;
DEFINE_XEN_GUEST_HANDLE(physdev_irq_status_query_t);
XEN_ABI_SIZE(struct physdev_irq_status_query, 8);

#define _XENIRQSTAT_needs_eoi (0)
#define XENIRQSTAT_needs_eoi  (1U << _XENIRQSTAT_needs_eoi) /* call eoi */
#define _XENIRQSTAT_shared    (1)
#define XENIRQSTAT_shared     (1U << _XENIRQSTAT_shared) /* other guests */

/* set_iopl: the I/O privilege level of the calling vCPU. */
struct physdev_set_iopl {
	uint32_t iopl; /* IN */
};
typedef struct physdev_set_iopl physdev_set_iopl_t;
DEFINE_XEN_GUEST_HANDLE(physdev_set_iopl_t);
XEN_ABI_SIZE(struct physdev_set_iopl, 4);

/* set_iobitmap: the I/O port bitmap of the calling vCPU. */
struct physdev_set_iobitmap {
	XEN_GUEST_HANDLE(uint8) bitmap; /* IN */
	uint32_t nr_ports;		/* IN */
	uint32_t _pad0;
};
typedef struct physdev_set_iobitmap physdev_set_iobitmap_t;
DEFINE_XEN_GUEST_HANDLE(physdev_set_iobitmap_t);
XEN_ABI_SIZE(struct physdev_set_iobitmap, 16);
XEN_ABI_OFFSET(struct physdev_set_iobitmap, nr_ports, 8);

/* apic_read, apic_write: an IO-APIC register. */
struct physdev_apic {
	xen_ulong_t apic_physbase; /* IN */
	uint32_t reg;		   /* IN */
	uint32_t value;		   /* IN or OUT */
};
typedef struct physdev_apic physdev_apic_t;
DEFINE_XEN_GUEST_HANDLE(physdev_apic_t);
XEN_ABI_SIZE(struct physdev_apic, 16);
XEN_ABI_OFFSET(struct physdev_apic, reg, 8);

/* alloc_irq_vector, free_irq_vector */
struct physdev_irq {
	uint32_t irq;	 /* IN */
	uint32_t vector; /* IN or OUT */
};
typedef struct physdev_irq physdev_irq_t;
DEFINE_XEN_GUEST_HANDLE(physdev_irq_t);
XEN_ABI_SIZE(struct physdev_irq, 8);

/* map_pirq: give domid a PIRQ for a GSI or an MSI(-X) vector. */
#define MAP_PIRQ_TYPE_MSI	0x0
#define MAP_PIRQ_TYPE_GSI	0x1
#define MAP_PIRQ_TYPE_UNKNOWN	0x2
#define MAP_PIRQ_TYPE_MSI_SEG	0x3 /* bus[31:16] is the PCI segment */
#define MAP_PIRQ_TYPE_MULTI_MSI 0x4 /* entry_nr vectors; bus as MSI_SEG */

struct physdev_map_pirq {
	domid_t domid;
	uint16_t _pad0;
	int type;     /* IN: MAP_PIRQ_TYPE_* */
	int index;    /* IN: GSI, or ignored for MULTI_MSI */
	int pirq;     /* IN or OUT */
	int bus;      /* IN */
	int devfn;    /* IN */
	int entry_nr; /* IN; OUT for MULTI_MSI */
	uint32_t _pad1;
	uint64_t table_base; /* IN: MSI-X table address */
};
typedef struct physdev_map_pirq physdev_map_pirq_t;
DEFINE_XEN_GUEST_HANDLE(physdev_map_pirq_t);
XEN_ABI_SIZE(struct physdev_map_pirq, 40);
XEN_ABI_OFFSET(struct physdev_map_pirq, type, 4);
XEN_ABI_OFFSET(struct physdev_map_pirq, index, 8);
XEN_ABI_OFFSET(struct physdev_map_pirq, pirq, 12);
XEN_ABI_OFFSET(struct physdev_map_pirq, bus, 16);
XEN_ABI_OFFSET(struct physdev_map_pirq, devfn, 20);
XEN_ABI_OFFSET(struct physdev_map_pirq, entry_nr, 24);
XEN_ABI_OFFSET(struct physdev_map_pirq, table_base, 32);

struct physdev_unmap_pirq {
	domid_t domid;
	uint16_t _pad0;
	int pirq; /* IN */
};
typedef struct physdev_unmap_pirq physdev_unmap_pirq_t;
DEFINE_XEN_GUEST_HANDLE(physdev_unmap_pirq_t);
XEN_ABI_SIZE(struct physdev_unmap_pirq, 8);
XEN_ABI_OFFSET(struct physdev_unmap_pirq, pirq, 4);

/* manage_pci_add, manage_pci_remove (segment 0 only; superseded) */
struct physdev_manage_pci {
	uint8_t bus;
	uint8_t devfn;
};
typedef struct physdev_manage_pci physdev_manage_pci_t;
DEFINE_XEN_GUEST_HANDLE(physdev_manage_pci_t);
XEN_ABI_SIZE(struct physdev_manage_pci, 2);

struct physdev_restore_msi {
	uint8_t bus;
	uint8_t devfn;
};
typedef struct physdev_restore_msi physdev_restore_msi_t;
DEFINE_XEN_GUEST_HANDLE(physdev_restore_msi_t);
XEN_ABI_SIZE(struct physdev_restore_msi, 2);

struct physdev_manage_pci_ext {
	uint8_t bus;
	uint8_t devfn;
	uint16_t _pad0;
	unsigned int is_extfn;
	unsigned int is_virtfn;
	struct {
		uint8_t bus;
		uint8_t devfn;
	} physfn; /* the physical function of a virtual one */
	uint16_t _pad1;
};
typedef struct physdev_manage_pci_ext physdev_manage_pci_ext_t;
DEFINE_XEN_GUEST_HANDLE(physdev_manage_pci_ext_t);
XEN_ABI_SIZE(struct physdev_manage_pci_ext, 16);
XEN_ABI_OFFSET(struct physdev_manage_pci_ext, is_extfn, 4);
XEN_ABI_OFFSET(struct physdev_manage_pci_ext, physfn, 12);

/* Argument of the old physdev_op_compat (hypercall 19). */
struct physdev_op {
	uint32_t cmd;
	uint32_t _pad0;
	union {
		physdev_irq_status_query_t irq_status_query;
		physdev_set_iopl_t set_iopl;
		physdev_set_iobitmap_t set_iobitmap;
		physdev_apic_t apic_op;
		physdev_irq_t irq_op;
	} u;
};
typedef struct physdev_op physdev_op_t;
DEFINE_XEN_GUEST_HANDLE(physdev_op_t);
XEN_ABI_SIZE(struct physdev_op, 24);
XEN_ABI_OFFSET(struct physdev_op, u, 8);

/* setup_gsi: trigger mode and polarity of a GSI. */
struct physdev_setup_gsi {
	int gsi;
	uint8_t triggering; /* IN */
	uint8_t polarity;   /* IN */
	uint16_t _pad0;
};
typedef struct physdev_setup_gsi physdev_setup_gsi_t;
DEFINE_XEN_GUEST_HANDLE(physdev_setup_gsi_t);
XEN_ABI_SIZE(struct physdev_setup_gsi, 8);
XEN_ABI_OFFSET(struct physdev_setup_gsi, triggering, 4);

/* get_free_pirq: a free PIRQ for MAP_PIRQ_TYPE_GSI or _MSI. */
struct physdev_get_free_pirq {
	int type;      /* IN */
	uint32_t pirq; /* OUT */
};
typedef struct physdev_get_free_pirq physdev_get_free_pirq_t;
DEFINE_XEN_GUEST_HANDLE(physdev_get_free_pirq_t);
XEN_ABI_SIZE(struct physdev_get_free_pirq, 8);

/* pci_mmcfg_reserved: an MMCONFIG area the firmware reserved. */
#define XEN_PCI_MMCFG_RESERVED 0x1

struct physdev_pci_mmcfg_reserved {
	uint64_t address;
	uint16_t segment;
	uint8_t start_bus;
	uint8_t end_bus;
	uint32_t flags; /* XEN_PCI_MMCFG_* */
};
typedef struct physdev_pci_mmcfg_reserved physdev_pci_mmcfg_reserved_t;
DEFINE_XEN_GUEST_HANDLE(physdev_pci_mmcfg_reserved_t);
XEN_ABI_SIZE(struct physdev_pci_mmcfg_reserved, 16);
XEN_ABI_OFFSET(struct physdev_pci_mmcfg_reserved, segment, 8);
XEN_ABI_OFFSET(struct physdev_pci_mmcfg_reserved, flags, 12);

/* pci_device_add: tell the hypervisor about a PCI device it found. */
#define XEN_PCI_DEV_EXTFN  0x1
#define XEN_PCI_DEV_VIRTFN 0x2
#define XEN_PCI_DEV_PXM	   0x4 /* optarr[0] holds the proximity domain */

struct physdev_pci_device_add {
	uint16_t seg;
	uint8_t bus;
	uint8_t devfn;
	uint32_t flags; /* XEN_PCI_DEV_* */
	struct {
		uint8_t bus;
		uint8_t devfn;
	} physfn;
	uint16_t _pad0;
	uint32_t optarr[XEN_FLEX_ARRAY_DIM];
};
typedef struct physdev_pci_device_add physdev_pci_device_add_t;
DEFINE_XEN_GUEST_HANDLE(physdev_pci_device_add_t);
XEN_ABI_OFFSET(struct physdev_pci_device_add, flags, 4);
XEN_ABI_OFFSET(struct physdev_pci_device_add, physfn, 8);
XEN_ABI_OFFSET(struct physdev_pci_device_add, optarr, 12);

/* pci_device_remove, restore_msi_ext, prepare_msix, release_msix */
struct physdev_pci_device {
	uint16_t seg;
	uint8_t bus;
	uint8_t devfn;
};
typedef struct physdev_pci_device physdev_pci_device_t;
DEFINE_XEN_GUEST_HANDLE(physdev_pci_device_t);
XEN_ABI_SIZE(struct physdev_pci_device, 4);

/* dbgp_op: around a reset of a USB debug port's controller. */
#define PHYSDEVOP_DBGP_RESET_PREPARE 1
#define PHYSDEVOP_DBGP_RESET_DONE    2
#define PHYSDEVOP_DBGP_BUS_UNKNOWN   0
#define PHYSDEVOP_DBGP_BUS_PCI	     1

struct physdev_dbgp_op {
	uint8_t op;
	uint8_t bus;
	union {
		physdev_pci_device_t pci;
	} u;
};
typedef struct physdev_dbgp_op physdev_dbgp_op_t;
DEFINE_XEN_GUEST_HANDLE(physdev_dbgp_op_t);
XEN_ABI_SIZE(struct physdev_dbgp_op, 6);
XEN_ABI_OFFSET(struct physdev_dbgp_op, u, 2);

#endif /* XEN_PUBLIC_PHYSDEV_H */
