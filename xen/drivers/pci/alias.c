/*
 * Requester-ID aliasing. Conventional PCI carries no requester ID, so a
 * bridge from PCI Express to conventional PCI issues its devices' DMA and
 * MSIs under an ID of its own: a PCIe-to-PCI bridge uses its secondary
 * bus with devfn 00.0 (PCIe-to-PCI/PCI-X bridge specification, 2.3), a
 * bridge without a PCIe capability its own bus/devfn. The IOMMU then sees
 * only that ID: its context entry is the one that must point at the
 * owner, and every function behind the bridge shares it, so none of them
 * can be isolated from the others. Walking up from the function, each
 * such bridge replaces the ID; the last one wins.
 */
#include <xen/lib.h>
#include <xen/pci.h>

static uint16_t pci_rid(pci_sbdf_t s)
{
	return (uint16_t)(pci_sbdf_bus(s) << 8 | pci_sbdf_dev(s) << 3 |
			  pci_sbdf_fn(s));
}

/* The bridge whose secondary bus is bus, in dev's segment. */
static const struct pci_dev *pci_parent_bridge(unsigned int seg,
					       unsigned int bus)
{
	for (unsigned int i = 0; i < pci_dev_count(); i++) {
		const struct pci_dev *b = pci_dev_at(i);

		if (b->bridge && pci_sbdf_seg(b->sbdf) == seg &&
		    b->sec_bus == bus && pci_sbdf_bus(b->sbdf) != bus)
			return b;
	}
	return NULL;
}

uint16_t pci_requester_id(const struct pci_dev *dev)
{
	unsigned int seg = pci_sbdf_seg(dev->sbdf);
	unsigned int bus = pci_sbdf_bus(dev->sbdf);
	uint16_t rid = pci_rid(dev->sbdf);

	/* Bounded: a bus number only grows going down a sane tree. */
	for (unsigned int depth = 0; depth < 256; depth++) {
		const struct pci_dev *b = pci_parent_bridge(seg, bus);

		if (!b)
			break;
		if (!b->pcie_cap)
			rid = pci_rid(b->sbdf);
		else if (b->pcie_type == PCI_EXP_TYPE_PCI_BRIDGE)
			rid = (uint16_t)(b->sec_bus << 8);
		else if (b->pcie_type == PCI_EXP_TYPE_PCIE_BRIDGE)
			rid = pci_rid(b->sbdf);
		if (pci_sbdf_bus(b->sbdf) >= bus)
			break; /* a loop in the firmware's numbering */
		bus = pci_sbdf_bus(b->sbdf);
	}
	return rid;
}

const struct pci_dev *pci_alias_sharer(const struct pci_dev *dev)
{
	uint16_t rid = pci_requester_id(dev);

	for (unsigned int i = 0; i < pci_dev_count(); i++) {
		const struct pci_dev *o = pci_dev_at(i);

		if (o != dev && !o->bridge && !o->host_bridge &&
		    pci_sbdf_seg(o->sbdf) == pci_sbdf_seg(dev->sbdf) &&
		    pci_requester_id(o) == rid)
			return o;
	}
	return NULL;
}
