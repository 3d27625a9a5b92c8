/*
 * Enumeration: depth first from each root bus through PCI-to-PCI
 * bridges, with the bus numbers firmware gave them; nothing is
 * renumbered or moved. Whatever the hardware answers, the walk ends:
 * a bridge's secondary bus must lie above its own bus, no bus is walked
 * twice, and the depth is bounded.
 */
#include <xen/lib.h>

#include "pci-private.h"

#define PCI_DEVS_PER_BUS   32
#define PCI_FNS_PER_DEV	   8
#define PCI_SCAN_DEPTH_MAX 32	/* a recursion per level, on a small stack */
#define PCI_CLASS_BRIDGE   0x06 /* base class of every kind of bridge */
#define PCI_CLASS_HOST	   0x0600

/* One walk from a root: buses are numbered per segment. */
struct pci_walk {
	uint16_t seg;
	uint8_t seen[PCI_BUSES / 8];
};

static void pci_scan_bus(struct pci_walk *w, unsigned int bus,
			 unsigned int depth);

/* BAR slots by header type; other layouts are not ours to interpret. */
static unsigned int pci_hdr_bars(uint8_t hdr_type)
{
	switch (hdr_type) {
	case PCI_HEADER_NORMAL:
		return 6;
	case PCI_HEADER_BRIDGE:
		return 2;
	case PCI_HEADER_CB:
		return 1;
	default:
		return 0;
	}
}

/*
 * Fill d from its configuration space. Bridges of every kind stay with
 * the hypervisor: the host bridge fronts RAM, the ISA/LPC bridge the
 * hypervisor's own UART and timers, and a PCI-to-PCI bridge's windows
 * route every other function's traffic.
 */
static void pci_fn_fill(struct pci_dev *d, uint8_t hdr)
{
	pci_sbdf_t s = d->sbdf;

	d->vendor = pci_conf_read16(s, PCI_VENDOR_ID);
	d->device = pci_conf_read16(s, PCI_DEVICE_ID);
	d->class = pci_conf_read32(s, PCI_CLASS_REV) >> 8;
	d->hdr_type = hdr & ~PCI_HEADER_MF;
	d->host_bridge = d->class >> 8 == PCI_CLASS_HOST;
	d->bridge = d->hdr_type == PCI_HEADER_BRIDGE;
	if (d->bridge) {
		d->sec_bus = pci_conf_read8(s, PCI_SECONDARY_BUS);
		d->sub_bus = pci_conf_read8(s, PCI_SUBORD_BUS);
	}
	d->nr_bars = pci_hdr_bars(d->hdr_type);
	pci_bars_size(d);
	pci_caps_read(d);
	if (d->class >> 16 == PCI_CLASS_BRIDGE)
		d->owner = PCI_OWNER_HYPERVISOR;
}

/* Follow a PCI-to-PCI bridge to its secondary bus, if that is sane. */
static void pci_scan_bridge(struct pci_walk *w, pci_sbdf_t s,
			    unsigned int depth)
{
	unsigned int bus = pci_sbdf_bus(s);
	unsigned int sec = pci_conf_read8(s, PCI_SECONDARY_BUS);

	if (sec <= bus || (w->seen[sec / 8] & (1u << (sec % 8)))) {
		log_warn("PCI %04x:%02x:%02x.%u: bridge to bus %02x skipped "
			 "(unnumbered, or looping)\n",
			 w->seg, bus, pci_sbdf_dev(s), pci_sbdf_fn(s), sec);
		return;
	}
	if (depth + 1 >= PCI_SCAN_DEPTH_MAX) {
		log_warn("PCI %04x:%02x: bridges nest deeper than %u, "
			 "bus %02x skipped\n",
			 w->seg, bus, PCI_SCAN_DEPTH_MAX, sec);
		return;
	}
	pci_scan_bus(w, sec, depth + 1);
}

static bool pci_fn_present(pci_sbdf_t s)
{
	uint16_t vendor = pci_conf_read16(s, PCI_VENDOR_ID);

	/* 0 too: some bridges answer it for an empty slot. */
	return vendor != PCI_VENDOR_NONE && vendor != 0;
}

/* A function that answered: record it (if there is room), then go on. */
static void pci_scan_fn(struct pci_walk *w, pci_sbdf_t s, unsigned int depth)
{
	uint8_t hdr = pci_conf_read8(s, PCI_HEADER_TYPE);
	struct pci_dev *d = pci_dev_add(s);

	if (d)
		pci_fn_fill(d, hdr);
	if ((hdr & ~PCI_HEADER_MF) == PCI_HEADER_BRIDGE)
		pci_scan_bridge(w, s, depth);
}

/* Function 0 decides whether the device is there and has others. */
static void pci_scan_slot(struct pci_walk *w, unsigned int bus,
			  unsigned int dev, unsigned int depth)
{
	pci_sbdf_t s = pci_sbdf(w->seg, bus, dev, 0);
	unsigned int nr_fns;

	if (!pci_fn_present(s))
		return;
	nr_fns = pci_conf_read8(s, PCI_HEADER_TYPE) & PCI_HEADER_MF
		     ? PCI_FNS_PER_DEV
		     : 1;
	for (unsigned int fn = 0; fn < nr_fns; fn++) {
		s = pci_sbdf(w->seg, bus, dev, fn);
		if (fn == 0 || pci_fn_present(s))
			pci_scan_fn(w, s, depth);
	}
}

static void pci_scan_bus(struct pci_walk *w, unsigned int bus,
			 unsigned int depth)
{
	w->seen[bus / 8] |= 1u << (bus % 8);
	for (unsigned int dev = 0; dev < PCI_DEVS_PER_BUS; dev++)
		pci_scan_slot(w, bus, dev, depth);
}

unsigned int pci_scan(const struct pci_root *roots, unsigned int nr)
{
	pci_devs_reset();
	for (unsigned int i = 0; i < nr; i++) {
		struct pci_walk w = { .seg = roots[i].seg };

		pci_scan_bus(&w, roots[i].bus, 0);
	}
	return pci_dev_count();
}
