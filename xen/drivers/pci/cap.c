/*
 * The capability list in conventional configuration space. It is a
 * linked list the device writes, so the walk trusts none of it: at most
 * as many entries as fit above the header, each pointer in range, each
 * capability read only when its registers fit in the space.
 */
#include <xen/lib.h>

#include "pci-private.h"

#define PCI_CAP_ID_PM	0x01
#define PCI_CAP_ID_MSI	0x05
#define PCI_CAP_ID_EXP	0x10
#define PCI_CAP_ID_MSIX 0x11

#define PCI_CAP_FIRST 0x40 /* capabilities live above the header */
#define PCI_CAPS_MAX  ((PCI_CONF_SIZE - PCI_CAP_FIRST) / 4)

#define PCI_PM_CTRL	      4 /* PMCSR */
#define PCI_PM_NO_SOFT_RESET  (1u << 3)
#define PCI_MSI_FLAGS	      2
#define PCI_MSI_FLAGS_64BIT   (1u << 7)
#define PCI_MSI_FLAGS_MASKBIT (1u << 8)
#define PCI_EXP_FLAGS	      2 /* bits 7:4: the port type */
#define PCI_EXP_DEVCAP	      4
#define PCI_EXP_DEVCAP_FLR    (1u << 28)
#define PCI_MSIX_FLAGS	      2
#define PCI_MSIX_FLAGS_SIZE   0x7ffu /* table entries - 1 */
#define PCI_MSIX_TABLE	      4
#define PCI_MSIX_PBA	      8
#define PCI_MSIX_BIR	      7u /* BAR index; the rest is the offset */

static void pci_cap_pm(struct pci_dev *d, unsigned int at)
{
	d->pm_cap = at;
	d->pm_pmcsr = at + PCI_PM_CTRL;
	d->pm_no_soft_reset =
	    pci_conf_read16(d->sbdf, d->pm_pmcsr) & PCI_PM_NO_SOFT_RESET;
}

static void pci_cap_msi(struct pci_dev *d, unsigned int at)
{
	uint16_t flags = pci_conf_read16(d->sbdf, at + PCI_MSI_FLAGS);

	d->msi_cap = at;
	d->msi_64bit = flags & PCI_MSI_FLAGS_64BIT;
	d->msi_maskable = flags & PCI_MSI_FLAGS_MASKBIT;
}

static void pci_cap_pcie(struct pci_dev *d, unsigned int at)
{
	d->pcie_cap = at;
	d->pcie_type =
	    (uint8_t)(pci_conf_read16(d->sbdf, at + PCI_EXP_FLAGS) >> 4 & 0xf);
	d->pcie_flr =
	    pci_conf_read32(d->sbdf, at + PCI_EXP_DEVCAP) & PCI_EXP_DEVCAP_FLR;
}

static void pci_cap_msix(struct pci_dev *d, unsigned int at)
{
	uint16_t flags = pci_conf_read16(d->sbdf, at + PCI_MSIX_FLAGS);
	uint32_t table = pci_conf_read32(d->sbdf, at + PCI_MSIX_TABLE);
	uint32_t pba = pci_conf_read32(d->sbdf, at + PCI_MSIX_PBA);

	d->msix_cap = at;
	d->msix_size = (flags & PCI_MSIX_FLAGS_SIZE) + 1;
	d->msix_table_bir = table & PCI_MSIX_BIR;
	d->msix_table_off = table & ~PCI_MSIX_BIR;
	d->msix_pba_bir = pba & PCI_MSIX_BIR;
	d->msix_pba_off = pba & ~PCI_MSIX_BIR;
}

/* The bytes of each capability we read, from its start. */
static unsigned int pci_cap_len(uint8_t id)
{
	switch (id) {
	case PCI_CAP_ID_PM:
	case PCI_CAP_ID_EXP:
		return 8;
	case PCI_CAP_ID_MSI:
		return 4;
	case PCI_CAP_ID_MSIX:
		return 12;
	default:
		return 2;
	}
}

/* Record capability id at; the first of each kind counts. */
static void pci_cap_one(struct pci_dev *d, uint8_t id, unsigned int at)
{
	if (id == PCI_CAP_ID_PM && !d->pm_cap)
		pci_cap_pm(d, at);
	else if (id == PCI_CAP_ID_MSI && !d->msi_cap)
		pci_cap_msi(d, at);
	else if (id == PCI_CAP_ID_EXP && !d->pcie_cap)
		pci_cap_pcie(d, at);
	else if (id == PCI_CAP_ID_MSIX && !d->msix_cap)
		pci_cap_msix(d, at);
}

/* Where the list starts: 0 when there is none. */
static unsigned int pci_caps_start(const struct pci_dev *d)
{
	if (!(pci_conf_read16(d->sbdf, PCI_STATUS) & PCI_STATUS_CAPS))
		return 0;
	if (d->hdr_type == PCI_HEADER_NORMAL ||
	    d->hdr_type == PCI_HEADER_BRIDGE)
		return pci_conf_read8(d->sbdf, PCI_CAP_PTR);
	if (d->hdr_type == PCI_HEADER_CB)
		return pci_conf_read8(d->sbdf, PCI_CB_CAP_PTR);
	return 0;
}

void pci_caps_read(struct pci_dev *d)
{
	unsigned int at = pci_caps_start(d) & ~3u;

	for (unsigned int n = 0; at; n++) {
		uint8_t id;

		if (n == PCI_CAPS_MAX || at < PCI_CAP_FIRST)
			goto bad;
		id = pci_conf_read8(d->sbdf, at);
		if (at + pci_cap_len(id) > PCI_CONF_SIZE)
			goto bad;
		pci_cap_one(d, id, at);
		/* The low two bits of a pointer are reserved: ignored. */
		at = pci_conf_read8(d->sbdf, at + 1) & ~3u;
	}
	return;
bad:
	/* A loop, or a pointer into the header or past the end. */
	d->caps_bad = true;
}
