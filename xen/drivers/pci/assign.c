/*
 * Giving functions to domains and taking them back. A function enters a
 * domain confined by the IOMMU to that domain's memory, and reset unless
 * it can hold only that domain's state: its last owner had the same
 * domain handle (the control domain gives a restarted domain its old
 * handle, and the domain's own driver resets the device as it starts).
 * It leaves quiesced and blocked, whoever asks (the control domain, or
 * the domain's destruction): the reset that keeps its state from another
 * domain waits until another domain gets it, off the restart's path.
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

static uint16_t pci_rid(pci_sbdf_t s)
{
	return (uint16_t)(pci_sbdf_bus(s) << 8 | pci_devfn(s));
}

/*
 * Confine it to d's memory (or say loudly that nothing does): under its
 * own requester ID and, when a bridge takes its requests over, the
 * bridge's, which is the one the IOMMU will see.
 */
static int pci_confine(struct domain *d, const struct pci_dev *dev,
		       const char *name)
{
	pci_sbdf_t s = dev->sbdf;
	uint16_t rid = pci_requester_id(dev);
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
	if (!rc && rid != pci_rid(s)) {
		rc = iommu_assign(d, (uint16_t)pci_sbdf_seg(s),
				  (uint8_t)(rid >> 8), (uint8_t)rid);
		if (rc)
			iommu_deassign((uint16_t)pci_sbdf_seg(s),
				       (uint8_t)pci_sbdf_bus(s), pci_devfn(s));
	}
	return rc;
}

static void pci_unconfine(const struct pci_dev *dev)
{
	pci_sbdf_t s = dev->sbdf;
	uint16_t rid = pci_requester_id(dev);

	iommu_deassign((uint16_t)pci_sbdf_seg(s), (uint8_t)pci_sbdf_bus(s),
		       pci_devfn(s));
	if (rid != pci_rid(s))
		iommu_deassign((uint16_t)pci_sbdf_seg(s), (uint8_t)(rid >> 8),
			       (uint8_t)rid);
}

/* Refuse a function whose requests the IOMMU cannot tell from another's. */
static int pci_check_isolable(const struct pci_dev *dev, const char *name)
{
	const struct pci_dev *other = pci_alias_sharer(dev);
	uint16_t rid = pci_requester_id(dev);
	char oname[16];

	if (!other)
		return 0;
	pci_name(other->sbdf, oname, sizeof(oname));
	log_err("PCI %s: not assigned: it cannot be isolated: its requests "
		"reach the IOMMU as %02x:%02x.%u, as those of %s do\n",
		name, rid >> 8, (rid >> 3) & 0x1f, rid & 7, oname);
	return -ENODEV;
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
	bool reset;
	char name[16];
	int rc;

	pci_name(s, name, sizeof(name));
	if (!dev) {
		log_err("PCI %s: not assigned: no such function\n", name);
		return -ENOENT;
	}
	if (dev->bridge || dev->host_bridge) {
		log_err("PCI %s: not assigned: it is a bridge\n", name);
		return -EPERM;
	}
	if (console_cfg.enabled && pci_carries_console(dev)) {
		log_err("PCI %s: not assigned: it carries the console\n", name);
		return -EPERM;
	}
	if (!iommu_enabled() && IS_ENABLED(CONFIG_IOMMU_REQUIRED)) {
		log_err("PCI %s: not assigned: no IOMMU to confine it\n", name);
		return -ENODEV;
	}
	rc = pci_check_isolable(dev, name);
	if (rc)
		return rc;
	rc = pci_claim(s, d->domain_id, d->handle, &reset);
	if (rc) {
		log_err("PCI %s: not assigned: %s\n", name,
			rc == -EBUSY ? "it is assigned already"
				     : "the hypervisor keeps it");
		return rc;
	}
	how = "skipped, its last owner had this domain's handle";
	rc = reset ? pci_reset(dev, &how) : 0;
	if (rc)
		log_err("PCI %s: not assigned: it has no reset\n", name);
	else
		rc = pci_confine(d, dev, name);
	if (rc) {
		pci_unclaim(s);
		return rc;
	}
	log_info("PCI %s: assigned to domain %u (reset: %s)\n", name,
		 d->domain_id, how);
	return 0;
}

int pci_deassign(struct domain *d, pci_sbdf_t s)
{
	const struct pci_dev *dev = pci_dev_find(s);
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
	/* Quiet while still confined, then blocked. */
	pci_quiesce(dev);
	if (iommu_enabled())
		pci_unconfine(dev);
	log_info("PCI %s: taken back from domain %u (quiesced; reset before "
		 "another domain gets it)\n",
		 name, d->domain_id);
	return 0;
}

void pci_release_domain(struct domain *d)
{
	for (unsigned int i = 0; i < pci_dev_count(); i++)
		if (pci_dev_at(i)->owner == d->domain_id)
			pci_deassign(d, pci_dev_at(i)->sbdf);
}
