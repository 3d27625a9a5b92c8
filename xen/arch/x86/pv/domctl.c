/*
 * domctl: the control domain's hands on other domains. Mechanism only:
 * which domains to build, with what, and when to restart them is the
 * control domain's business. Every call is checked with policy_check()
 * and copies its arguments in before acting.
 *
 * First stage: a domain's page tables are the hypervisor's, so populate
 * maps the frames it allocates into the domain from a virtual address;
 * map_foreign lets the builder write them through its own mapping.
 */
#include <xen/errno.h>
#include <xen/grant_table.h>
#include <xen/iommu.h>
#include <xen/pci.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/policy.h>
#include <xen/sched.h>
#include <xen/softirq.h>
#include <xen/string.h>
#include <public/domctl.h>
#include <public/sched.h>
#include <asm/guest_access.h>
#include <asm/page.h>
#include <asm/pv.h>

/* How long destroydomain waits for a vCPU to leave its CPU: see below. */
#define DOMCTL_DESTROY_WAIT MICROSECS(100)

static int domctl_create(struct domain *cd, struct xen_domctl_createdomain *c)
{
	uint32_t roles = 0;
	struct domain *d;
	int rc;

	c->name[sizeof(c->name) - 1] = '\0';
	if (c->flags & ~(XEN_DOMCTL_CDF_xs_domain | XEN_DOMCTL_CDF_driver))
		return -EINVAL; /* no new control domains, no HVM yet */
	if (c->flags & XEN_DOMCTL_CDF_xs_domain)
		roles |= DOMROLE_XENSTORE;
	if (c->flags & XEN_DOMCTL_CDF_driver)
		roles |= DOMROLE_DRIVER;
	rc = domain_create(DOMID_INVALID, c->name, c->max_vcpus, c->max_pages,
			   roles, &d);
	if (rc)
		return rc;
	rc = gnttab_domain_init(d, c->max_grant_frames, c->max_maptrack_frames);
	if (!rc)
		rc = pv_shared_info(d);
	if (!rc)
		rc = pv_build_root(d);
	if (rc) {
		domain_destroy(d);
		return rc;
	}
	pv_time_set_wallclock(d);
	memcpy(d->handle, c->handle, sizeof(d->handle));
	c->domid = d->domain_id;
	return 0;
}

/* Allocate frames for d, map them from va in d, report their mfns. */
static int domctl_populate(struct domain *cd, struct domain *d,
			   struct xen_domctl_populate *p)
{
	const struct pt_alloc alloc = { pv_alloc_pt, d };
	uint64_t list = (uint64_t)(uintptr_t)p->mfn_list.p;
	bool replaced = false;
	int rc = 0;

	if ((p->va & (PAGE_SIZE - 1)) || p->va < PAGE_SIZE ||
	    p->nr_pages > d->mem.limit ||
	    p->va + p->nr_pages * PAGE_SIZE > GUEST_VA_END)
		return -EINVAL;
	for (p->nr_done = 0; p->nr_done < p->nr_pages; p->nr_done++) {
		struct page_info *pg = domain_alloc_page(d);
		uint64_t mfn, va = p->va + p->nr_done * PAGE_SIZE;
		uint64_t old = 0;

		if (!pg) {
			rc = -ENOMEM;
			break;
		}
		mfn = mfn_x(page_to_mfn(pg));
		memset(maddr_to_virt(mfn_to_paddr(_mfn(mfn))), 0, PAGE_SIZE);
		if (iommu_map_frame(d, mfn) < 0) {
			rc = -ENOMEM;
			break;
		}
		if (pt_set_leaf(d->arch.pt_root, va,
				mfn << PAGE_SHIFT | PTE_P | PTE_RW | PTE_US,
				&alloc, &old) < 0) {
			rc = -EFAULT;
			break;
		}
		replaced |= old & PTE_P;
		if (copy_to_guest(cd, list + p->nr_done * 8, &mfn, 8) < 0) {
			rc = -EFAULT;
			break;
		}
	}
	/* Over mappings d had: those must be gone everywhere. */
	if (replaced)
		pv_flush_tlb(d, PV_FLUSH_ALL);
	return rc;
}

/* A frame of d, mapped into the control domain for building d. */
static int domctl_map_foreign(struct domain *cd, struct domain *d,
			      const struct xen_domctl_map_foreign *m)
{
	const struct pt_alloc alloc = { pv_alloc_pt, cd };
	struct page_info *pg = mfn_to_page(_mfn(m->mfn));
	uint64_t pte = m->mfn << PAGE_SHIFT | PTE_P | PTE_US | PTE_NX;

	if ((m->va & (PAGE_SIZE - 1)) || m->va < PAGE_SIZE ||
	    m->va >= GUEST_VA_END || (m->flags & ~XEN_DOMCTL_MAPF_readonly) ||
	    !pg || pg->owner != d->domain_id || pg->use != PGU_DOMAIN)
		return -EINVAL;
	if (pv_va_maps_grant(cd, m->va))
		return -EBUSY; /* only its grant unmap takes it away */
	if (!(m->flags & XEN_DOMCTL_MAPF_readonly))
		pte |= PTE_RW;
	return pv_set_leaf(cd, m->va, pte, &alloc);
}

static int domctl_unmap_foreign(struct domain *cd,
				const struct xen_domctl_map_foreign *m)
{
	unsigned int level;
	uint64_t e;
	struct page_info *pg;

	if ((m->va & (PAGE_SIZE - 1)) || m->va >= GUEST_VA_END)
		return -EINVAL;
	if (pv_va_maps_grant(cd, m->va))
		return -EBUSY;
	e = pt_lookup(cd->arch.pt_root, m->va, &level);
	pg = mfn_to_page(_mfn((e & PTE_ADDR) >> PAGE_SHIFT));
	/* Only foreign mappings: a domain's own layout stays as it is. */
	if (!(e & PTE_P) || level != 1 || !pg || pg->owner == cd->domain_id)
		return -EINVAL;
	pt_set_leaf(cd->arch.pt_root, m->va, 0, NULL, NULL);
	pv_flush_tlb(cd, m->va);
	return 0;
}

static int domctl_hypercall_page(struct domain *d, uint64_t va)
{
	uint8_t *page = (va & (PAGE_SIZE - 1)) ? NULL : pv_va(d, va);

	if (!page)
		return -EINVAL;
	pv_write_hypercall_page(page);
	return 0;
}

static void domctl_info(struct domain *d, struct xen_domctl_getdomaininfo *i)
{
	memset(i, 0, sizeof(*i));
	i->domain = d->domain_id;
	i->flags = (d->state == DOMSTATE_SHUTDOWN ? XEN_DOMINF_shutdown : 0) |
		   (d->state == DOMSTATE_DYING ? XEN_DOMINF_dying : 0) |
		   (d->pause_count ? XEN_DOMINF_paused : 0);
	i->tot_pages = d->mem.pages;
	i->max_pages = d->mem.limit;
	i->shutdown_reason = d->shutdown_code;
	i->shared_info_frame =
	    mfn_x(paddr_to_mfn(virt_to_maddr(d->shared_info)));
	for (unsigned int v = 0; v < d->max_vcpus; v++) {
		if (!d->vcpus[v])
			continue;
		i->cpu_time += sched_unit_runtime(&d->vcpus[v]->sched);
		i->nr_online_vcpus += d->vcpus[v]->online;
		i->max_vcpu_id = v;
		i->weight = d->vcpus[v]->sched.weight;
		i->cap = d->vcpus[v]->sched.cap;
	}
	memcpy(i->name, d->name, sizeof(d->name));
	memcpy(i->handle, d->handle, sizeof(i->handle));
}

/*
 * A domain is built paused (pause count 1). Pausing keeps every vCPU off
 * its CPU whatever events arrive; unpausing runs the online ones again.
 */
static int domctl_pause(struct domain *d)
{
	if (d->state != DOMSTATE_ACTIVE)
		return -EINVAL;
	__atomic_fetch_add(&d->pause_count, 1, __ATOMIC_ACQ_REL);
	for (unsigned int i = 0; i < d->max_vcpus; i++)
		if (d->vcpus[i])
			vcpu_block(d->vcpus[i]);
	return 0;
}

static int domctl_unpause(struct domain *d)
{
	if (d->state != DOMSTATE_ACTIVE || !d->pause_count)
		return -EINVAL;
	if (__atomic_sub_fetch(&d->pause_count, 1, __ATOMIC_ACQ_REL))
		return 0;
	for (unsigned int i = 0; i < d->max_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];

		if (v && __atomic_load_n(&v->online, __ATOMIC_ACQUIRE))
			vcpu_wake(v);
	}
	return 0;
}

static int domctl_affinity(struct domain *d,
			   const struct xen_domctl_vcpuaffinity *a)
{
	struct cpumask m;
	int rc;

	if (a->vcpu >= d->max_vcpus || !d->vcpus[a->vcpu])
		return -ENOENT;
	for (unsigned int w = 0; w < XEN_DOMCTL_CPUMAP_WORDS; w++)
		m.bits[w] = a->cpumap[w];
	rc = sched_set_affinity(&d->vcpus[a->vcpu]->sched, &m);
	if (rc == -EINVAL)
		return rc;
	if (rc >= 0)
		cpu_raise_softirq((unsigned int)rc, SCHEDULE_SOFTIRQ);
	return 0;
}

/* A new limit, not below what the domain holds now. */
static int domctl_max_mem(struct domain *d, uint64_t max_kb)
{
	uint64_t pages = max_kb / (PAGE_SIZE / 1024);

	if (pages < d->mem.pages)
		return -EINVAL;
	d->mem.limit = pages;
	return 0;
}

/* A vCPU made with a context is up: it runs once the domain is unpaused. */
static int domctl_vcpu_context(struct domain *cd, struct domain *d,
			       const struct xen_domctl_vcpucontext *c)
{
	long rc = pv_vcpu_create_with_context(d, c->vcpu, cd,
					      (uint64_t)(uintptr_t)c->ctxt.p);

	if (rc == 0)
		__atomic_store_n(&d->vcpus[c->vcpu]->online, true,
				 __ATOMIC_RELEASE);
	return (int)rc;
}

/*
 * Stop d if it still runs, wait until none of its vCPUs is on a CPU,
 * then take it down: every frame goes back, its peers' event channels
 * are left unbound. A vCPU on its way off a CPU (it was just stopped)
 * is waited for briefly; past that, -EAGAIN, and the caller tries again
 * later, as Xen's toolstack does: spinning here holds the domctl lock
 * and keeps this CPU, which another vCPU may be waiting for.
 */
static int domctl_destroy(struct domain *d)
{
	s_time_t deadline = NOW() + DOMCTL_DESTROY_WAIT;

	if (d->state == DOMSTATE_ACTIVE)
		domain_shutdown(d, SHUTDOWN_poweroff);
	for (unsigned int i = 0; i < d->max_vcpus; i++)
		while (d->vcpus[i] &&
		       __atomic_load_n(&d->vcpus[i]->running, __ATOMIC_ACQUIRE))
			if (NOW() > deadline)
				return -EAGAIN;
	return domain_destroy(d);
}

static int domctl_sched(struct domain *d, unsigned int weight, unsigned int cap,
			bool set_weight)
{
	for (unsigned int i = 0; i < d->max_vcpus; i++) {
		struct sched_unit *u = d->vcpus[i] ? &d->vcpus[i]->sched : NULL;
		int rc;

		if (!u)
			continue;
		rc = sched_set_params(u, set_weight ? weight : u->weight,
				      set_weight ? u->cap : cap);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int domctl_on(struct domain *cd, struct domain *d, struct xen_domctl *op)
{
	switch (op->cmd) {
	case XEN_DOMCTL_destroydomain:
		return domctl_destroy(d);
	case XEN_DOMCTL_pausedomain:
		return domctl_pause(d);
	case XEN_DOMCTL_unpausedomain:
		return domctl_unpause(d);
	case XEN_DOMCTL_setvcpuaffinity:
		return domctl_affinity(d, &op->u.vcpuaffinity);
	case XEN_DOMCTL_max_mem:
		return domctl_max_mem(d, op->u.max_mem.max_memkb);
	case XEN_DOMCTL_getdomaininfo:
		domctl_info(d, &op->u.getdomaininfo);
		return 0;
	case XEN_DOMCTL_populate:
		return domctl_populate(cd, d, &op->u.populate);
	case XEN_DOMCTL_map_foreign:
		return domctl_map_foreign(cd, d, &op->u.map_foreign);
	case XEN_DOMCTL_hypercall_page:
		return domctl_hypercall_page(d, op->u.map_foreign.va);
	case XEN_DOMCTL_setvcpucontext:
		return domctl_vcpu_context(cd, d, &op->u.vcpucontext);
	case XEN_DOMCTL_setweight:
		return domctl_sched(d, op->u.setweight.weight, 0, true);
	case XEN_DOMCTL_setcap:
		return domctl_sched(d, 0, op->u.setcap.cap, false);
	case XEN_DOMCTL_assign_device:
	case XEN_DOMCTL_deassign_device:
		if (op->u.assign_device.dev != XEN_DOMCTL_DEV_PCI ||
		    op->u.assign_device.flags)
			return -EINVAL;
		return op->cmd == XEN_DOMCTL_assign_device
			   ? pci_assign(
				 d, _pci_sbdf(
					op->u.assign_device.u.pci.machine_sbdf))
			   : pci_deassign(
				 d,
				 _pci_sbdf(
				     op->u.assign_device.u.pci.machine_sbdf));
	case XEN_DOMCTL_gnttab_seed:
		if (op->u.gnttab_seed.flags & ~XEN_DOMCTL_MAPF_readonly)
			return -EINVAL;
		return gnttab_seed(
		    d, op->u.gnttab_seed.ref, op->u.gnttab_seed.to,
		    op->u.gnttab_seed.frame,
		    op->u.gnttab_seed.flags & XEN_DOMCTL_MAPF_readonly);
	default:
		return -ENOSYS;
	}
}

/*
 * One domctl at a time, as in Xen: a destroy cannot take a domain's
 * vCPUs and frames from under another domctl working on it.
 */
static DEFINE_SPINLOCK(domctl_lock);

static long domctl_locked(struct domain *cd, struct xen_domctl *op)
{
	struct domain *d = NULL;
	long rc;

	if (op->cmd != XEN_DOMCTL_createdomain) {
		d = domain_get(op->domain);
		if (!d)
			return -ESRCH;
	}
	if (policy_check(cd, POLICY_DOMCTL, d) < 0)
		rc = -EPERM;
	else if (op->cmd == XEN_DOMCTL_createdomain)
		rc = domctl_create(cd, &op->u.createdomain);
	else if (op->cmd == XEN_DOMCTL_unmap_foreign)
		rc = domctl_unmap_foreign(cd, &op->u.map_foreign);
	else
		rc = domctl_on(cd, d, op);
	if (d)
		domain_put(d);
	return rc;
}

long pv_do_domctl(uint64_t arg, uint64_t a2, uint64_t a3, uint64_t a4,
		  uint64_t a5)
{
	struct domain *cd = pv_current()->domain;
	struct xen_domctl op;
	long rc;

	if (copy_from_guest(cd, &op, arg, sizeof(op)) < 0)
		return -EFAULT;
	if (op.interface_version != XEN_DOMCTL_INTERFACE_VERSION)
		return -EACCES;
	spin_lock(&domctl_lock);
	rc = domctl_locked(cd, &op);
	spin_unlock(&domctl_lock);
	if (rc == 0 && copy_to_guest(cd, arg, &op, sizeof(op)) < 0)
		return -EFAULT;
	return rc;
}
