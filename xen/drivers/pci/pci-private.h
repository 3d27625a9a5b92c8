/* Shared by the PCI files; nothing outside xen/drivers/pci uses it. */
#ifndef PCI_PRIVATE_H
#define PCI_PRIVATE_H

#include <xen/pci.h>

/* Empty the table of functions (before a scan). */
void pci_devs_reset(void);

/*
 * A fresh, zeroed entry for sbdf, owned by nobody; NULL (and counted as
 * dropped) when the table is full.
 */
struct pci_dev *pci_dev_add(pci_sbdf_t sbdf);

/*
 * Size d's BARs with decoding off, then put the command register and
 * every BAR back as they were.
 */
void pci_bars_size(struct pci_dev *d);

/* Walk d's capability list (bounded) and record the ones we use. */
void pci_caps_read(struct pci_dev *d);

/* The 0xcf8/0xcfc ports (configuration mechanism #1): segment 0 only. */
extern const struct pci_conf_ops pci_port_ops;

/*
 * ECAM through the MCFG's windows: fills roots with each window's first
 * bus and returns how many (0 when no window can be used).
 */
unsigned int pci_ecam_setup(const struct acpi_info *ai, struct pci_root *roots,
			    unsigned int max);
extern const struct pci_conf_ops pci_ecam_ops;

#endif
