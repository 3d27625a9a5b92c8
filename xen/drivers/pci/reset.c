/*
 * Quiescing a function that leaves a domain (no DMA, no interrupts from
 * then on), and resetting one before it enters a domain whose state it
 * may not hold, so one domain leaves nothing in the device for another:
 * a function level reset, else a D3hot->D0 cycle when the device says it
 * resets on it, else a secondary bus reset when the function is alone
 * behind its bridge. A reset clears the BARs: they are put back where
 * firmware placed them.
 */
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/pci.h>
#include <xen/time.h>

#define PCI_CMD_MASTER	   (1u << 2)
#define PCIE_DEVCTL	   0x08
#define PCIE_DEVCTL_FLR	   (1u << 15)
#define PCIE_DEVSTA	   0x0a
#define PCIE_DEVSTA_TPEND  (1u << 5)
#define PCI_BRIDGE_CTL	   0x3e
#define PCI_BRIDGE_CTL_SBR (1u << 6)
#define PCI_PM_STATE_MASK  3u
#define PCI_PM_D3HOT	   3u

static void pci_delay(s_time_t ns)
{
	s_time_t until = NOW() + ns;

	while (NOW() < until)
		__builtin_ia32_pause();
}

static void pci_flr(const struct pci_dev *d)
{
	unsigned int cap = d->pcie_cap;

	/* Let outstanding transactions finish (100 ms at most). */
	for (int i = 0;
	     i < 100 &&
	     (pci_conf_read16(d->sbdf, cap + PCIE_DEVSTA) & PCIE_DEVSTA_TPEND);
	     i++)
		pci_delay(MILLISECS(1));
	pci_conf_write16(d->sbdf, cap + PCIE_DEVCTL,
			 pci_conf_read16(d->sbdf, cap + PCIE_DEVCTL) |
			     PCIE_DEVCTL_FLR);
	pci_delay(MILLISECS(100));
}

static void pci_pm_cycle(const struct pci_dev *d)
{
	uint16_t pmcsr = pci_conf_read16(d->sbdf, d->pm_pmcsr);

	pmcsr &= (uint16_t)~PCI_PM_STATE_MASK;
	pci_conf_write16(d->sbdf, d->pm_pmcsr, pmcsr | PCI_PM_D3HOT);
	pci_delay(MILLISECS(10));
	pci_conf_write16(d->sbdf, d->pm_pmcsr, pmcsr);
	pci_delay(MILLISECS(10));
}

/* The bridge d sits behind, if d is the only function on its bus. */
static const struct pci_dev *pci_lone_parent(const struct pci_dev *d)
{
	const struct pci_dev *parent = NULL;
	unsigned int bus = pci_sbdf_bus(d->sbdf);

	for (unsigned int i = 0; i < pci_dev_count(); i++) {
		const struct pci_dev *o = pci_dev_at(i);

		if (pci_sbdf_seg(o->sbdf) != pci_sbdf_seg(d->sbdf))
			continue;
		if (o->bridge && o->sec_bus == bus)
			parent = o;
		else if (o != d && pci_sbdf_bus(o->sbdf) == bus)
			return NULL;
	}
	return parent;
}

static void pci_bus_reset(const struct pci_dev *bridge)
{
	uint16_t ctl = pci_conf_read16(bridge->sbdf, PCI_BRIDGE_CTL);

	pci_conf_write16(bridge->sbdf, PCI_BRIDGE_CTL,
			 ctl | PCI_BRIDGE_CTL_SBR);
	pci_delay(MILLISECS(2));
	pci_conf_write16(bridge->sbdf, PCI_BRIDGE_CTL, ctl);
	pci_delay(MILLISECS(200));
}

/* BARs back where firmware put them; decoding on, bus mastering off. */
static void pci_restore(const struct pci_dev *d)
{
	uint16_t cmd = 0;

	for (unsigned int i = 0; i < d->nr_bars; i++) {
		const struct pci_bar *b = &d->bars[i];

		if (!b->size)
			continue;
		pci_conf_write32(d->sbdf, PCI_BAR0 + 4 * i, (uint32_t)b->addr);
		if (b->mem64)
			pci_conf_write32(d->sbdf, PCI_BAR0 + 4 * (i + 1),
					 (uint32_t)(b->addr >> 32));
		cmd |= b->io ? PCI_CMD_IO : PCI_CMD_MEMORY;
		i += b->mem64;
	}
	pci_conf_write16(d->sbdf, PCI_COMMAND, cmd);
}

void pci_quiesce(const struct pci_dev *d)
{
	pci_conf_write16(d->sbdf, PCI_COMMAND,
			 pci_conf_read16(d->sbdf, PCI_COMMAND) &
			     (uint16_t)~PCI_CMD_MASTER);
	pci_msi_quiesce(d);
}

int pci_reset(const struct pci_dev *d, const char **how)
{
	const struct pci_dev *parent = pci_lone_parent(d);

	pci_quiesce(d);
	if (d->pcie_cap && d->pcie_flr) {
		*how = "function level reset";
		pci_flr(d);
	} else if (d->pm_cap && !d->pm_no_soft_reset) {
		*how = "D3hot->D0";
		pci_pm_cycle(d);
	} else if (parent) {
		*how = "secondary bus reset";
		pci_bus_reset(parent);
	} else {
		*how = "none";
		return -ENODEV;
	}
	pci_restore(d);
	return 0;
}
