/*
 * Domains and devices: a domain's second-level table maps each of its
 * ordinary frames (never its page tables, never hypervisor pages) at its
 * machine address; a device's context entry points at the table of the
 * domain it is assigned to. Devices are assigned one at a time under
 * vtd_assign_lock; a domain's table changes under its own lock.
 */
#include <xen/acpi.h>
#include <xen/errno.h>
#include <xen/iommu.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/pci.h>
#include <xen/sched.h>
#include <xen/string.h>
#include <asm/page.h>

#include "vtd.h"

struct iommu_domain {
	uint64_t *root;
	uint16_t did; /* domain id + 1: the unit's domain id 0 is kept free */
	spinlock_t lock;
};

static DEFINE_SPINLOCK(vtd_assign_lock);

/*
 * Does a device scope name seg:bus:devfn? An endpoint scope names one
 * function; a bridge scope everything below the bridge (the buses from
 * its secondary to its subordinate, as firmware numbered them).
 */
static bool vtd_scope_covers(uint16_t seg, uint8_t type, uint8_t sbus,
			     uint8_t sdevfn, uint8_t bus, uint8_t devfn)
{
	const struct pci_dev *b;

	if (sbus == bus && sdevfn == devfn)
		return true;
	if (type != VTD_SCOPE_BRIDGE)
		return false;
	b = pci_dev_find(pci_sbdf(seg, sbus, sdevfn >> 3, sdevfn & 7));
	return b && b->bridge && bus >= b->sec_bus && bus <= b->sub_bus;
}

/* The unit that translates seg:bus:devfn: one that lists it, else "all". */
static struct vtd_unit *vtd_unit_of(uint16_t seg, uint8_t bus, uint8_t devfn)
{
	struct vtd_unit *all = NULL;

	for (unsigned int i = 0; i < vtd_nr_units; i++) {
		struct vtd_unit *u = vtd_units[i];

		if (u->segment != seg)
			continue;
		if (u->include_all) {
			all = u;
			continue;
		}
		for (unsigned int j = 0; j < u->nr_scopes; j++)
			if (vtd_scope_covers(seg, u->scopes[j].type,
					     u->scopes[j].bus,
					     u->scopes[j].devfn, bus, devfn))
				return u;
	}
	return all;
}

/* The context entry of bus:devfn (lock held); made when make is true. */
static uint64_t *vtd_context(struct vtd_unit *u, uint8_t bus, uint8_t devfn,
			     bool make)
{
	uint64_t *ctx;

	if (!(u->root[bus * 2] & VTD_ROOT_P)) {
		if (!make)
			return NULL;
		ctx = alloc_xen_page();
		if (!ctx)
			return NULL;
		vtd_flush(ctx, PAGE_SIZE);
		u->root[bus * 2] = paddr_x(virt_to_maddr(ctx)) | VTD_ROOT_P;
		vtd_flush(&u->root[bus * 2], 16);
	}
	ctx = maddr_to_virt(_paddr(u->root[bus * 2] & VTD_PTE_ADDR));
	return &ctx[devfn * 2];
}

int vtd_owner(struct vtd_unit *u, uint16_t sid)
{
	uint64_t *c = vtd_context(u, sid >> 8, sid & 0xff, false);

	if (!c || !(c[0] & VTD_CTX_P))
		return -1;
	return (int)((c[1] >> 8) & 0xffff) - 1;
}

static int vtd_map_own(struct domain *d, uint64_t mfn)
{
	struct iommu_domain *io = d->iommu;
	int rc;

	spin_lock(&io->lock);
	rc = iopt_map(io->root, vtd_levels, mfn << PAGE_SHIFT,
		      mfn << PAGE_SHIFT | VTD_PTE_R | VTD_PTE_W);
	spin_unlock(&io->lock);
	return rc;
}

int iommu_domain_init(struct domain *d)
{
	struct iommu_domain *io;
	int rc = 0;

	if (!iommu_enabled())
		return -ENODEV;
	if (d->iommu)
		return 0;
	io = alloc_xen_page();
	if (!io || !(io->root = iopt_alloc())) {
		if (io)
			free_xen_page(io);
		return -ENOMEM;
	}
	io->did = (uint16_t)(d->domain_id + 1);
	io->lock = SPIN_LOCK_UNLOCKED;
	/* Published first: frames populated from now on get mapped too. */
	__atomic_store_n(&d->iommu, io, __ATOMIC_RELEASE);
	spin_lock(&d->lock);
	for (struct page_info *pg = domain_first_page(d); pg && !rc;
	     pg = domain_next_page(pg))
		if (pg->use == PGU_DOMAIN)
			rc = iopt_map(io->root, vtd_levels,
				      mfn_x(page_to_mfn(pg)) << PAGE_SHIFT,
				      mfn_x(page_to_mfn(pg)) << PAGE_SHIFT |
					  VTD_PTE_R | VTD_PTE_W);
	spin_unlock(&d->lock);
	return rc;
}

int iommu_map_frame(struct domain *d, uint64_t mfn)
{
	return __atomic_load_n(&d->iommu, __ATOMIC_ACQUIRE)
		   ? vtd_map_own(d, mfn)
		   : 0;
}

bool iommu_has_table(const struct domain *d)
{
	return __atomic_load_n(&d->iommu, __ATOMIC_ACQUIRE) != NULL;
}

/* Capability bit 7, CM: the unit may cache not-present entries. */
static bool vtd_caching_mode(void)
{
	for (unsigned int i = 0; i < vtd_nr_units; i++)
		if (vtd_units[i]->cap & (1ull << 7))
			return true;
	return false;
}

/* Every unit's IOTLB entries of io's domain, waited for. */
static void vtd_flush_domain(struct iommu_domain *io)
{
	for (unsigned int i = 0; i < vtd_nr_units; i++) {
		spin_lock(&vtd_units[i]->lock);
		vtd_qi_iotlb(vtd_units[i], io->did);
		spin_unlock(&vtd_units[i]->lock);
	}
}

/*
 * The entry for a granted frame, perm 0 clearing it. *flush: whether the
 * IOTLB must be flushed before the change counts: a frame's write (or
 * all access) taken away, or a new entry on a unit in caching mode
 * (which may cache not-present entries).
 */
int iommu_grant_frame_deferred(struct domain *d, uint64_t mfn,
			       unsigned int perm, bool *flush)
{
	struct iommu_domain *io = __atomic_load_n(&d->iommu, __ATOMIC_ACQUIRE);
	uint64_t pte = 0, old;
	int rc;

	if (!io)
		return 0;
	if (perm)
		pte = mfn << PAGE_SHIFT | VTD_PTE_R |
		      ((perm & IOMMU_WRITE) ? VTD_PTE_W : 0);
	spin_lock(&io->lock);
	old = iopt_lookup(io->root, vtd_levels, mfn << PAGE_SHIFT);
	rc = old == pte
		 ? 0
		 : iopt_map(io->root, vtd_levels, mfn << PAGE_SHIFT, pte);
	spin_unlock(&io->lock);
	if (!rc && (((old & VTD_PTE_W) && !(pte & VTD_PTE_W)) ||
		    (old && !pte) || (!old && pte && vtd_caching_mode())))
		*flush = true;
	return rc;
}

void iommu_flush(struct domain *d)
{
	struct iommu_domain *io = __atomic_load_n(&d->iommu, __ATOMIC_ACQUIRE);

	if (io)
		vtd_flush_domain(io);
}

int iommu_grant_frame(struct domain *d, uint64_t mfn, unsigned int perm)
{
	bool flush = false;
	int rc = iommu_grant_frame_deferred(d, mfn, perm, &flush);

	if (flush)
		iommu_flush(d);
	return rc;
}

void iommu_unmap_frame(struct domain *d, uint64_t mfn)
{
	struct iommu_domain *io = __atomic_load_n(&d->iommu, __ATOMIC_ACQUIRE);
	uint64_t old;

	if (!io)
		return;
	spin_lock(&io->lock);
	old = iopt_lookup(io->root, vtd_levels, mfn << PAGE_SHIFT);
	if (old)
		iopt_map(io->root, vtd_levels, mfn << PAGE_SHIFT, 0);
	spin_unlock(&io->lock);
	if (old & (VTD_PTE_R | VTD_PTE_W))
		vtd_flush_domain(io);
}

int iommu_assign(struct domain *d, uint16_t seg, uint8_t bus, uint8_t devfn)
{
	struct vtd_unit *u = vtd_unit_of(seg, bus, devfn);
	struct iommu_domain *io = d->iommu;
	uint64_t *c;
	int rc = 0;

	if (!u)
		return -ENODEV;
	if (!io)
		return -EINVAL;
	spin_lock(&vtd_assign_lock);
	spin_lock(&u->lock);
	c = vtd_context(u, bus, devfn, true);
	if (!c) {
		rc = -ENOMEM;
	} else if (c[0] & VTD_CTX_P) {
		rc = ((c[1] >> 8) & 0xffff) == io->did ? 0 : -EBUSY;
	} else {
		c[1] = (vtd_levels == 4 ? VTD_CTX_AW_48 : VTD_CTX_AW_39) |
		       (uint64_t)io->did << 8;
		__atomic_store_n(&c[0],
				 paddr_x(virt_to_maddr(io->root)) | VTD_CTX_P,
				 __ATOMIC_RELEASE);
		vtd_flush(c, 16);
		rc = vtd_qi_context(u, io->did, (uint16_t)(bus << 8 | devfn));
	}
	spin_unlock(&u->lock);
	spin_unlock(&vtd_assign_lock);
	return rc;
}

/* Block the device again (u's lock held). */
static int vtd_block(struct vtd_unit *u, uint8_t bus, uint8_t devfn)
{
	uint64_t *c = vtd_context(u, bus, devfn, false);
	uint16_t did;

	if (!c || !(c[0] & VTD_CTX_P))
		return 0;
	did = (uint16_t)((c[1] >> 8) & 0xffff);
	__atomic_store_n(&c[0], 0, __ATOMIC_RELEASE);
	c[1] = 0;
	vtd_flush(c, 16);
	return vtd_qi_context(u, did, (uint16_t)(bus << 8 | devfn));
}

int iommu_deassign(uint16_t seg, uint8_t bus, uint8_t devfn)
{
	struct vtd_unit *u = vtd_unit_of(seg, bus, devfn);
	int rc;

	if (!u)
		return -ENODEV;
	spin_lock(&vtd_assign_lock);
	spin_lock(&u->lock);
	rc = vtd_block(u, bus, devfn);
	spin_unlock(&u->lock);
	spin_unlock(&vtd_assign_lock);
	return rc;
}

/* Every device still pointing at did, blocked (u's lock held). */
static void vtd_block_domain(struct vtd_unit *u, uint16_t did)
{
	for (unsigned int bus = 0; bus < 256; bus++) {
		if (!(u->root[bus * 2] & VTD_ROOT_P))
			continue;
		for (unsigned int devfn = 0; devfn < 256; devfn++) {
			uint64_t *c =
			    vtd_context(u, (uint8_t)bus, (uint8_t)devfn, false);

			if ((c[0] & VTD_CTX_P) && ((c[1] >> 8) & 0xffff) == did)
				vtd_block(u, (uint8_t)bus, (uint8_t)devfn);
		}
	}
}

void iommu_domain_destroy(struct domain *d)
{
	struct iommu_domain *io = d->iommu;

	if (!io)
		return;
	spin_lock(&vtd_assign_lock);
	for (unsigned int i = 0; i < vtd_nr_units; i++) {
		spin_lock(&vtd_units[i]->lock);
		vtd_block_domain(vtd_units[i], io->did);
		vtd_qi_iotlb(vtd_units[i], io->did);
		spin_unlock(&vtd_units[i]->lock);
	}
	spin_unlock(&vtd_assign_lock);
	d->iommu = NULL;
	iopt_free(io->root, vtd_levels);
	free_xen_page(io);
}
