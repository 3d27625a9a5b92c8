/*
 * The PCI half of hostscan: every function libpci sees, with its names
 * and the facts the other modules judge it by.
 */
#ifndef HOSTSCAN_PCISCAN_H
#define HOSTSCAN_PCISCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "dddd:bb:dd.f", with room for the 32-bit domains some hosts have. */
#define BDF_LEN	 24
#define NAME_LEN 256

struct pcifn {
	unsigned int domain, bus, dev, fn;
	char bdf[BDF_LEN];
	uint16_t vendor, device;
	uint32_t class;	      /* base class << 16 | sub-class << 8 | prog-if */
	unsigned int hdrtype; /* low 7 bits of the header type */
	unsigned int sec_bus; /* bridges (header types 1 and 2) only */
	char vendor_name[NAME_LEN];
	char device_name[NAME_LEN];
	char class_name[NAME_LEN];
	unsigned int resets; /* RESET_* of resets.h */
	/* Other functions a secondary bus reset would also hit. */
	unsigned int bus_peers;
	char bus_peer[BDF_LEN]; /* the first of them */
	char iommu_group[16];	/* the group's number, or "none" */
	const char *drvdom;	/* the driver domain suggested, or NULL */
};

struct pciscan_opts {
	const char *dump; /* an lspci -x dump; NULL: this machine */
	const char *ids;  /* a pci.ids file; NULL: libpci's own */
};

/*
 * Scans the functions, sorted by address, into *fns (malloc'ed) and their
 * number into *n. Returns 0 or a negative errno. A fatal libpci error (an
 * unreadable dump, no way to reach config space) exits with status 2.
 */
int pciscan_run(const struct pciscan_opts *o, struct pcifn **fns, size_t *n);

/* Bridges and host bridges (class 06xx) are never given to a domain. */
bool pcifn_is_bridge(const struct pcifn *f);

/* Header types 1 (PCI-to-PCI) and 2 (CardBus) lead to a secondary bus. */
bool pcifn_has_sec_bus(const struct pcifn *f);

const struct pcifn *pciscan_find(const struct pcifn *fns, size_t n,
				 const char *bdf);

/* The "PCI functions:" section of the report. */
void pciscan_print(const struct pcifn *fns, size_t n);

#endif
