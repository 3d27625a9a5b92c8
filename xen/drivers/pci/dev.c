/*
 * The table of PCI functions found at boot. It is filled by one CPU
 * before the others run and never grows afterwards; only the owner
 * fields change later, under pci_owner_lock.
 */
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/spinlock.h>
#include <xen/string.h>
#include <public/xen.h>

#include "pci-private.h"

static struct pci_dev pci_devs[PCI_DEVS_MAX];
static unsigned int pci_nr_devs;
static unsigned int pci_nr_dropped;
static DEFINE_SPINLOCK(pci_owner_lock);

void pci_devs_reset(void)
{
	memset(pci_devs, 0, sizeof(pci_devs));
	pci_nr_devs = 0;
	pci_nr_dropped = 0;
}

struct pci_dev *pci_dev_add(pci_sbdf_t sbdf)
{
	struct pci_dev *d;

	if (pci_nr_devs == PCI_DEVS_MAX) {
		pci_nr_dropped++;
		return NULL;
	}
	d = &pci_devs[pci_nr_devs++];
	memset(d, 0, sizeof(*d));
	d->sbdf = sbdf;
	d->owner = PCI_OWNER_NONE;
	return d;
}

unsigned int pci_devs_dropped(void)
{
	return pci_nr_dropped;
}

unsigned int pci_dev_count(void)
{
	return pci_nr_devs;
}

const struct pci_dev *pci_dev_at(unsigned int i)
{
	return i < pci_nr_devs ? &pci_devs[i] : NULL;
}

static struct pci_dev *pci_dev_lookup(pci_sbdf_t sbdf)
{
	for (unsigned int i = 0; i < pci_nr_devs; i++)
		if (pci_sbdf_eq(pci_devs[i].sbdf, sbdf))
			return &pci_devs[i];
	return NULL;
}

const struct pci_dev *pci_dev_find(pci_sbdf_t sbdf)
{
	return pci_dev_lookup(sbdf);
}

int pci_get_owner(pci_sbdf_t sbdf, domid_t *owner)
{
	struct pci_dev *d = pci_dev_lookup(sbdf);

	if (!d)
		return -ENOENT;
	spin_lock(&pci_owner_lock);
	*owner = d->owner;
	spin_unlock(&pci_owner_lock);
	return 0;
}

static bool pci_handle_known(const xen_domain_handle_t h)
{
	for (unsigned int i = 0; i < sizeof(xen_domain_handle_t); i++)
		if (h[i])
			return true;
	return false;
}

int pci_claim(pci_sbdf_t sbdf, domid_t owner, const xen_domain_handle_t handle,
	      bool *reset)
{
	struct pci_dev *d = pci_dev_lookup(sbdf);
	int rc = 0;

	*reset = true;
	if (!d)
		return -ENOENT;
	spin_lock(&pci_owner_lock);
	if (d->owner == PCI_OWNER_HYPERVISOR)
		rc = -EPERM;
	else if (d->owner != PCI_OWNER_NONE)
		rc = -EBUSY;
	else {
		d->owner = owner;
		*reset = !pci_handle_known(handle) ||
			 memcmp(d->held_for, handle, sizeof(d->held_for));
		memcpy(d->held_for, handle, sizeof(d->held_for));
	}
	spin_unlock(&pci_owner_lock);
	return rc;
}

void pci_unclaim(pci_sbdf_t sbdf)
{
	struct pci_dev *d = pci_dev_lookup(sbdf);

	if (!d)
		return;
	spin_lock(&pci_owner_lock);
	if (d->owner != PCI_OWNER_HYPERVISOR) {
		d->owner = PCI_OWNER_NONE;
		memset(d->held_for, 0, sizeof(d->held_for));
	}
	spin_unlock(&pci_owner_lock);
}

/* What the hypervisor keeps is never handed out, nor taken back. */
int pci_set_owner(pci_sbdf_t sbdf, domid_t owner)
{
	struct pci_dev *d = pci_dev_lookup(sbdf);
	int rc = 0;

	if (!d)
		return -ENOENT;
	if (owner >= DOMID_FIRST_RESERVED && owner != PCI_OWNER_NONE)
		return -EINVAL;
	spin_lock(&pci_owner_lock);
	if (d->owner == PCI_OWNER_HYPERVISOR)
		rc = -EPERM;
	else
		d->owner = owner;
	spin_unlock(&pci_owner_lock);
	return rc;
}
