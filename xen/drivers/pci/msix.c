/*
 * MSI and MSI-X, programmed only by the hypervisor (an owner cannot map
 * the MSI-X table nor write either capability): an entry (or the one MSI
 * message) gets an address and data naming a CPU and vector of ours,
 * and is masked and unmasked here.
 */
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/pci.h>
#include <asm/mm.h>

#define MSIX_CTRL	   2 /* message control, from the capability */
#define MSIX_CTRL_ENABLE   (1u << 15)
#define MSIX_CTRL_FUNCMASK (1u << 14)
#define MSIX_ENTRY	   16
#define MSIX_ADDR_LO	   0
#define MSIX_ADDR_HI	   4
#define MSIX_DATA	   8
#define MSIX_VCTRL	   12
#define MSIX_VCTRL_MASK	   1u

/* Each function's table, mapped on first use (functions never go). */
static volatile uint8_t *msix_tables[PCI_DEVS_MAX];

static volatile uint32_t *pci_msix_entry(const struct pci_dev *d,
					 unsigned int entry, unsigned int reg)
{
	unsigned int i = 0;

	while (i < pci_dev_count() && pci_dev_at(i) != d)
		i++;
	if (i == pci_dev_count() || !d->msix_cap || entry >= d->msix_size)
		return NULL;
	if (!msix_tables[i]) {
		const struct pci_bar *b = &d->bars[d->msix_table_bir];

		if (!b->size || b->io)
			return NULL;
		msix_tables[i] = ioremap(_paddr(b->addr + d->msix_table_off),
					 (uint64_t)d->msix_size * MSIX_ENTRY);
		if (!msix_tables[i])
			return NULL;
	}
	return (volatile uint32_t *)(msix_tables[i] + entry * MSIX_ENTRY + reg);
}

int pci_msix_mask(const struct pci_dev *d, unsigned int entry, bool mask)
{
	volatile uint32_t *vc = pci_msix_entry(d, entry, MSIX_VCTRL);

	if (!vc)
		return -EINVAL;
	*vc = mask ? (*vc | MSIX_VCTRL_MASK) : (*vc & ~MSIX_VCTRL_MASK);
	return 0;
}

int pci_msix_setup(const struct pci_dev *d, unsigned int entry, uint64_t addr,
		   uint32_t data)
{
	uint16_t ctrl;

	if (pci_msix_mask(d, entry, true) < 0)
		return -EINVAL;
	*pci_msix_entry(d, entry, MSIX_ADDR_LO) = (uint32_t)addr;
	*pci_msix_entry(d, entry, MSIX_ADDR_HI) = (uint32_t)(addr >> 32);
	*pci_msix_entry(d, entry, MSIX_DATA) = data;
	ctrl = pci_conf_read16(d->sbdf, d->msix_cap + MSIX_CTRL);
	pci_conf_write16(
	    d->sbdf, d->msix_cap + MSIX_CTRL,
	    (uint16_t)((ctrl | MSIX_CTRL_ENABLE) & ~MSIX_CTRL_FUNCMASK));
	return pci_msix_mask(d, entry, false);
}

#define MSI_CTRL_ENABLE (1u << 0)
#define MSI_CTRL_MME	(7u << 4) /* multiple messages: we use one */
#define MSI_CTRL_64	(1u << 7)
#define MSI_CTRL_MASK	(1u << 8) /* per-vector masking */

/* Offsets in the MSI capability, which depend on its kind. */
static unsigned int msi_data_off(const struct pci_dev *d)
{
	return d->msi_64bit ? 0xc : 0x8;
}

static unsigned int msi_mask_off(const struct pci_dev *d)
{
	return d->msi_64bit ? 0x10 : 0xc;
}

int pci_msi_mask(const struct pci_dev *d, bool mask)
{
	uint16_t ctrl;

	if (!d->msi_cap)
		return -EINVAL;
	if (d->msi_maskable) {
		pci_conf_write32(d->sbdf, d->msi_cap + msi_mask_off(d),
				 mask ? 1 : 0);
		return 0;
	}
	/* Without mask bits, only switching MSI off stops it. */
	ctrl = pci_conf_read16(d->sbdf, d->msi_cap + MSIX_CTRL);
	pci_conf_write16(d->sbdf, d->msi_cap + MSIX_CTRL,
			 mask ? (uint16_t)(ctrl & ~MSI_CTRL_ENABLE)
			      : (uint16_t)(ctrl | MSI_CTRL_ENABLE));
	return 0;
}

int pci_msi_setup(const struct pci_dev *d, uint64_t addr, uint32_t data)
{
	uint16_t ctrl;

	if (!d->msi_cap || (addr >> 32 && !d->msi_64bit))
		return -EINVAL;
	ctrl = pci_conf_read16(d->sbdf, d->msi_cap + MSIX_CTRL);
	ctrl &= (uint16_t) ~(MSI_CTRL_ENABLE | MSI_CTRL_MME);
	pci_conf_write16(d->sbdf, d->msi_cap + MSIX_CTRL, ctrl);
	pci_conf_write32(d->sbdf, d->msi_cap + 4, (uint32_t)addr);
	if (d->msi_64bit)
		pci_conf_write32(d->sbdf, d->msi_cap + 8,
				 (uint32_t)(addr >> 32));
	pci_conf_write16(d->sbdf, d->msi_cap + msi_data_off(d), (uint16_t)data);
	if (d->msi_maskable)
		pci_conf_write32(d->sbdf, d->msi_cap + msi_mask_off(d), 0);
	pci_conf_write16(d->sbdf, d->msi_cap + MSIX_CTRL,
			 (uint16_t)(ctrl | MSI_CTRL_ENABLE));
	return 0;
}

/*
 * The enable bits stay as they are: devices may not expect them to change
 * under them outside a reset (QEMU's e1000e asserts on a pending MSI-X
 * moderation timer with MSI-X off). Bus mastering, off first, already
 * stops every message; masks keep stale entries quiet for the next owner.
 */
void pci_msi_quiesce(const struct pci_dev *d)
{
	uint16_t ctrl;

	if (d->msi_cap && d->msi_maskable)
		pci_msi_mask(d, true);
	if (!d->msix_cap)
		return;
	for (unsigned int i = 0; i < d->msix_size; i++)
		pci_msix_mask(d, i, true);
	ctrl = pci_conf_read16(d->sbdf, d->msix_cap + MSIX_CTRL);
	pci_conf_write16(d->sbdf, d->msix_cap + MSIX_CTRL,
			 (uint16_t)(ctrl | MSIX_CTRL_FUNCMASK));
}
