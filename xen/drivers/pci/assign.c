/*
 * Giving functions to domains and taking them back. A function enters a
 * domain reset and confined by the IOMMU to that domain's memory, and
 * leaves it reset and blocked again, whoever asks (the control domain,
 * or the domain's destruction).
 */
#include <xen/console.h>
#include <xen/errno.h>
#include <xen/iommu.h>
#include <xen/lib.h>
#include <xen/pci.h>
#include <xen/sched.h>

static void pci_name(pci_sbdf_t s, char *buf, size_t size)
{
	fmt_snprintf(buf, size, "%04x:%02x:%02x.%u", pci_sbdf_seg(s),
		     pci_sbdf_bus(s), pci_sbdf_dev(s), pci_sbdf_fn(s));
}

static uint8_t pci_devfn(pci_sbdf_t s)
{
	return (uint8_t)(pci_sbdf_dev(s) << 3 | pci_sbdf_fn(s));
}

/* Confine it to d's memory (or say loudly that nothing does). */
static int pci_confine(struct domain *d, pci_sbdf_t s, const char *name)
{
	int rc;

	if (!iommu_enabled()) {
		log_warn("PCI %s: domain %u gets it WITHOUT an IOMMU: it can "
			 "reach all memory\n",
			 name, d->domain_id);
		return 0;
	}
	rc = iommu_domain_init(d);
	if (!rc)
		rc = iommu_assign(d, (uint16_t)pci_sbdf_seg(s),
				  (uint8_t)pci_sbdf_bus(s), pci_devfn(s));
	return rc;
}

/* Does one of its I/O BARs hold the hypervisor's serial console? */
static bool pci_carries_console(const struct pci_dev *dev)
{
	for (unsigned int i = 0; i < dev->nr_bars; i++)
		if (dev->bars[i].size && dev->bars[i].io &&
		    console_cfg.port >= dev->bars[i].addr &&
		    console_cfg.port < dev->bars[i].addr + dev->bars[i].size)
			return true;
	return false;
}

int pci_assign(struct domain *d, pci_sbdf_t s)
{
	const struct pci_dev *dev = pci_dev_find(s);
	const char *how;
	char name[16];
	int rc;

	if (!dev)
		return -ENOENT;
	pci_name(s, name, sizeof(name));
	if (dev->bridge || dev->host_bridge)
		return -EPERM;
	if (console_cfg.enabled && pci_carries_console(dev)) {
		log_err("PCI %s: not assigned: it carries the console\n", name);
		return -EPERM;
	}
	if (!iommu_enabled() && IS_ENABLED(CONFIG_IOMMU_REQUIRED)) {
		log_err("PCI %s: not assigned: no IOMMU to confine it\n", name);
		return -ENODEV;
	}
	rc = pci_claim(s, d->domain_id);
	if (rc)
		return rc;
	rc = pci_reset(dev, &how);
	if (rc)
		log_err("PCI %s: not assigned: it has no reset\n", name);
	else
		rc = pci_confine(d, s, name);
	if (rc) {
		pci_set_owner(s, PCI_OWNER_NONE);
		return rc;
	}
	log_info("PCI %s: assigned to domain %u (reset: %s)\n", name,
		 d->domain_id, how);
	return 0;
}

int pci_deassign(struct domain *d, pci_sbdf_t s)
{
	const struct pci_dev *dev = pci_dev_find(s);
	const char *how;
	domid_t owner;
	char name[16];

	if (!dev || pci_get_owner(s, &owner) < 0)
		return -ENOENT;
	if (owner != d->domain_id)
		return -EPERM;
	pci_name(s, name, sizeof(name));
	/* Nobody's first: no new mapping of its registers from here on. */
	pci_set_owner(s, PCI_OWNER_NONE);
	arch_pci_revoke_bars(d, dev);
	/* Quiet and reset while still confined, then blocked. */
	if (pci_reset(dev, &how) < 0)
		log_warn("PCI %s: left domain %u without a reset\n", name,
			 d->domain_id);
	if (iommu_enabled())
		iommu_deassign((uint16_t)pci_sbdf_seg(s),
			       (uint8_t)pci_sbdf_bus(s), pci_devfn(s));
	log_info("PCI %s: taken back from domain %u (reset: %s)\n", name,
		 d->domain_id, how);
	return 0;
}

void pci_release_domain(struct domain *d)
{
	for (unsigned int i = 0; i < pci_dev_count(); i++)
		if (pci_dev_at(i)->owner == d->domain_id)
			pci_deassign(d, pci_dev_at(i)->sbdf);
}
