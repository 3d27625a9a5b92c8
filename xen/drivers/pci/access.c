/*
 * What an owning domain may do to its function itself. Config reads are
 * free; writes may switch decoding, bus mastering and INTx, and reach
 * device-specific registers, but never move a BAR, never touch the rest
 * of the header and never the capabilities the hypervisor programs
 * (power management: it resets with it; MSI and MSI-X: interrupts are
 * set up by the hypervisor; PCI Express: FLR). Its BARs' frames may be
 * mapped, but not the pages holding the MSI-X table or PBA.
 */
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/pci.h>
#include <xen/sched.h>

#define PCI_CMD_MASTER	 (1u << 2)
#define PCI_CMD_INTX_OFF (1u << 10)
#define PCI_HEADER_END	 0x40
#define PCI_PM_LEN	 8
#define PCI_MSI_LEN	 24
#define PCI_MSIX_LEN	 12
#define PCI_PCIE_LEN	 0x3c

static const struct pci_dev *pci_owned(const struct domain *d, pci_sbdf_t s)
{
	const struct pci_dev *dev = pci_dev_find(s);
	domid_t owner;

	if (!dev || pci_get_owner(s, &owner) < 0 || owner != d->domain_id)
		return NULL;
	return dev;
}

int pci_guest_conf_read(const struct domain *d, pci_sbdf_t s, unsigned int reg,
			unsigned int len, uint32_t *val)
{
	if (!pci_owned(d, s))
		return -EPERM;
	return pci_conf_read(s, reg, len, val);
}

static bool pci_overlaps(unsigned int reg, unsigned int len, unsigned int at,
			 unsigned int size)
{
	return at && reg < at + size && at < reg + len;
}

static bool pci_io_bars(const struct pci_dev *dev)
{
	for (unsigned int i = 0; i < dev->nr_bars; i++)
		if (dev->bars[i].size && dev->bars[i].io)
			return true;
	return false;
}

/* The command register: only its safe bits change. */
static int pci_guest_command(const struct pci_dev *dev, uint16_t val)
{
	uint16_t allowed = PCI_CMD_MEMORY | PCI_CMD_MASTER | PCI_CMD_INTX_OFF;
	uint16_t cur = pci_conf_read16(dev->sbdf, PCI_COMMAND);

	if (pci_io_bars(dev))
		allowed |= PCI_CMD_IO;
	return pci_conf_write16(dev->sbdf, PCI_COMMAND,
				(uint16_t)((cur & ~allowed) | (val & allowed)));
}

/* Said in the log, the first few times per function (no flooding). */
#define PCI_REFUSALS_LOGGED 8
static unsigned int pci_refusals[PCI_DEVS_MAX];

static int pci_refuse(const struct domain *d, const struct pci_dev *dev,
		      unsigned int reg)
{
	unsigned int i = (unsigned int)(dev - pci_dev_at(0));

	if (i < PCI_DEVS_MAX &&
	    __atomic_fetch_add(&pci_refusals[i], 1, __ATOMIC_RELAXED) <
		PCI_REFUSALS_LOGGED)
		log_warn("PCI %04x:%02x:%02x.%u: domain %u may not write "
			 "config register %#x\n",
			 pci_sbdf_seg(dev->sbdf), pci_sbdf_bus(dev->sbdf),
			 pci_sbdf_dev(dev->sbdf), pci_sbdf_fn(dev->sbdf),
			 d->domain_id, reg);
	return -EPERM;
}

int pci_guest_conf_write(const struct domain *d, pci_sbdf_t s, unsigned int reg,
			 unsigned int len, uint32_t val)
{
	const struct pci_dev *dev = pci_owned(d, s);

	if (!dev)
		return -EPERM;
	if (reg == PCI_COMMAND && (len == 2 || len == 4)) {
		if (len == 4) /* the status half: write-one-to-clear bits */
			pci_conf_write16(s, PCI_STATUS, (uint16_t)(val >> 16));
		return pci_guest_command(dev, (uint16_t)val);
	}
	if (reg < PCI_HEADER_END ||
	    pci_overlaps(reg, len, dev->pm_cap, PCI_PM_LEN) ||
	    pci_overlaps(reg, len, dev->msi_cap, PCI_MSI_LEN) ||
	    pci_overlaps(reg, len, dev->msix_cap, PCI_MSIX_LEN) ||
	    pci_overlaps(reg, len, dev->pcie_cap, PCI_PCIE_LEN))
		return pci_refuse(d, dev, reg);
	return pci_conf_write(s, reg, len, val);
}

/* Is mfn in the pages of BAR bir that hold [off, off + len)? */
static bool pci_in_pages(const struct pci_bar *b, uint32_t off, uint32_t len,
			 uint64_t mfn)
{
	uint64_t first = (b->addr + off) >> PAGE_SHIFT;
	uint64_t last = (b->addr + off + len - 1) >> PAGE_SHIFT;

	return mfn >= first && mfn <= last;
}

static bool pci_bar_frame_ok(const struct pci_dev *dev, unsigned int i,
			     uint64_t mfn)
{
	const struct pci_bar *b = &dev->bars[i];

	if (!b->size || b->io || mfn < b->addr >> PAGE_SHIFT ||
	    mfn > (b->addr + b->size - 1) >> PAGE_SHIFT)
		return false;
	if (dev->msix_cap && dev->msix_table_bir == i &&
	    pci_in_pages(b, dev->msix_table_off, dev->msix_size * 16u, mfn))
		return false;
	if (dev->msix_cap && dev->msix_pba_bir == i &&
	    pci_in_pages(b, dev->msix_pba_off,
			 (dev->msix_size + 63u) / 64u * 8u, mfn))
		return false;
	return true;
}

bool pci_guest_pio_ok(const struct domain *d, unsigned int port,
		      unsigned int len)
{
	if ((len != 1 && len != 2 && len != 4) || (port & (len - 1)))
		return false;
	for (unsigned int i = 0; i < pci_dev_count(); i++) {
		const struct pci_dev *dev = pci_dev_at(i);

		if (dev->owner != d->domain_id)
			continue;
		for (unsigned int b = 0; b < dev->nr_bars; b++)
			if (dev->bars[b].size && dev->bars[b].io &&
			    port >= dev->bars[b].addr &&
			    port + len <= dev->bars[b].addr + dev->bars[b].size)
				return true;
	}
	return false;
}

bool pci_guest_mmio_ok(const struct domain *d, uint64_t mfn)
{
	for (unsigned int i = 0; i < pci_dev_count(); i++) {
		const struct pci_dev *dev = pci_dev_at(i);

		if (dev->owner != d->domain_id)
			continue;
		for (unsigned int b = 0; b < dev->nr_bars; b++)
			if (pci_bar_frame_ok(dev, b, mfn))
				return true;
	}
	return false;
}
