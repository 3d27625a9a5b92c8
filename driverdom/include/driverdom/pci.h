/*
 * A driver domain's view of the PCI function the toolstack assigned to
 * it ("sbdf=N" on its command line, N = seg << 16 | bus << 8 | devfn in
 * decimal): configuration space through the hypervisor, its BARs mapped
 * uncached into a window of our address space, its MSI-X entries as event
 * channels, and DMA buffers in our own frames (the IOMMU lets the device
 * reach nothing else; machine address = bus address).
 *
 * BAR sizes: sizing a BAR means writing all-ones to it, which the
 * hypervisor refuses (the BARs are its business). So the domain never
 * learns a size from the device: a driver passes the size it knows from
 * its datasheet (a table per device) and maps only what it needs; the
 * hypervisor refuses any page outside the BAR and the MSI-X table and PBA
 * pages, so a wrong size fails the mapping instead of touching anything.
 *
 * Errors are negative XEN_E* values (<public/errno.h>).
 */
#ifndef DRIVERDOM_PCI_H
#define DRIVERDOM_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <public/event_channel.h>

#define DD_PCI_BARS 6

/* Config-space offsets and bits a driver domain uses. */
#define DD_PCI_VENDOR	   0x00
#define DD_PCI_DEVICE	   0x02
#define DD_PCI_COMMAND	   0x04
#define DD_PCI_CMD_IO	   (1u << 0)
#define DD_PCI_CMD_MEM	   (1u << 1)
#define DD_PCI_CMD_MASTER  (1u << 2)
#define DD_PCI_CMD_INTXOFF (1u << 10)
#define DD_PCI_STATUS	   0x06
#define DD_PCI_BAR0	   0x10
#define DD_PCI_CAP_PTR	   0x34
#define DD_PCI_CAP_MSIX	   0x11

struct dd_pci {
	uint32_t sbdf;
	uint16_t vendor, device;
};

struct dd_bar {
	uint64_t addr; /* bus address; 0: not implemented */
	bool io;       /* an I/O BAR: reach it with port I/O, not mapping */
	bool is64;
};

/* An MSI-X entry delivered as an event. fn runs in event context. */
typedef void (*dd_irq_fn)(void *data);

struct dd_irq {
	int pirq;
	evtchn_port_t port;
	volatile unsigned long count; /* events seen */
	unsigned long acked;	      /* count at the last dd_irq_ack() */
	dd_irq_fn fn;
	void *data;
};

/* One page for the device to read or write: ours, so the IOMMU allows it. */
struct dd_dma {
	void *va;
	uint64_t bus;
};

/*
 * The function named by "sbdf=" in cmdline: -XEN_ENODEV without one,
 * -XEN_EPERM (from the hypervisor) when it is not ours.
 */
long dd_pci_open(struct dd_pci *pci, const char *cmdline);

/* Config space: reg aligned to len (1, 2, 4). */
long dd_pci_read(const struct dd_pci *pci, unsigned int reg, unsigned int len,
		 uint32_t *val);
long dd_pci_write(const struct dd_pci *pci, unsigned int reg, unsigned int len,
		  uint32_t val);
/* Set bits (DD_PCI_CMD_*) in the command register, keeping the rest. */
long dd_pci_enable(const struct dd_pci *pci, uint16_t bits);
/* Offset of capability id, or -XEN_ENOENT (a bounded walk). */
long dd_pci_find_cap(const struct dd_pci *pci, uint8_t id);

/* Where BAR index is (the upper half of a 64-bit BAR is no BAR). */
long dd_pci_bar(const struct dd_pci *pci, unsigned int index,
		struct dd_bar *bar);
/*
 * Map len bytes of BAR index from offset off (both page-aligned), page by
 * page, at the next free addresses of the domain's MMIO window; *va gets
 * the first. A page the hypervisor refuses fails the whole call (pages
 * already mapped stay mapped: the window is never reused).
 */
long dd_pci_map(const struct dd_pci *pci, unsigned int index, uint64_t off,
		size_t len, volatile void **va);

/*
 * MSI-X entry of the function as pirq, bound to an event channel whose
 * events count in irq->count and call fn(data).
 */
long dd_irq_bind_msix(const struct dd_pci *pci, unsigned int entry,
		      struct dd_irq *irq, dd_irq_fn fn, void *data);
/*
 * Tell the hypervisor the interrupts so far are handled (PHYSDEVOP_eoi),
 * which unmasks the entry if a storm had it masked. Cheap when no
 * interrupt came since the last call.
 */
void dd_irq_ack(struct dd_irq *irq);

/* A zeroed DMA page and its bus address; -XEN_ENOMEM when out. */
long dd_dma_alloc(struct dd_dma *dma);
/* Only once the device can no longer reach it (stopped, or reset). */
void dd_dma_free(struct dd_dma *dma);

#endif
