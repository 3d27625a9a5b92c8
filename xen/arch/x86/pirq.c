/*
 * Physical interrupts of driver domains: an MSI-X entry of a function
 * the domain owns, given a vector of ours (PHYSDEVOP_map_pirq), and
 * delivered as an event on the port the domain binds to it
 * (EVTCHNOP_bind_pirq). A device that interrupts more than
 * pirq_storm= times (5000 unless the command line says) in 10 ms is
 * masked until the domain's next PHYSDEVOP_eoi, and reported then, so
 * it cannot starve the host.
 */
#include <xen/errno.h>
#include <xen/event.h>
#include <xen/iommu.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/param.h>
#include <xen/pci.h>
#include <xen/ratelimit.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/time.h>
#include <public/physdev.h>
#include <asm/irq.h>
#include <asm/percpu.h>
#include <asm/pirq.h>

#define PIRQ_MAX	  64
#define PIRQ_STORM_WINDOW MILLISECS(10)

static unsigned int pirq_storm_max = 5000;
UINT_PARAM("pirq_storm", pirq_storm_max, 1, 1000000);

struct pirq {
	struct domain *d;
	const struct pci_dev *dev;
	uint16_t entry;
	bool msix; /* else plain MSI, entry 0 */
	int vector;
	unsigned int irte;  /* its remapping entry, or IOMMU_NO_IRTE */
	evtchn_port_t port; /* 0: not bound */
	struct ratelimit rate;
	bool used, throttled;
};

struct pirq_table {
	spinlock_t lock;
	struct pirq p[PIRQ_MAX];
};

_Static_assert(sizeof(struct pirq_table) <= PAGE_SIZE, "a page");

static void pirq_mask(struct pirq *p, bool mask)
{
	if (p->msix)
		pci_msix_mask(p->dev, p->entry, mask);
	else
		pci_msi_mask(p->dev, mask);
}

static void pirq_interrupt(struct cpu_regs *regs, void *data)
{
	struct pirq *p = data;
	evtchn_port_t port;

	if (ratelimit_exceeded(&p->rate, NOW(), PIRQ_STORM_WINDOW,
			       pirq_storm_max) &&
	    !p->throttled) {
		pirq_mask(p, true);
		p->throttled = true;
	}
	port = __atomic_load_n(&p->port, __ATOMIC_ACQUIRE);
	if (port)
		evtchn_send_pirq(p->d, port,
				 (unsigned int)(p - p->d->arch.pirqs->p));
}

/* The MSI-X entry aimed at our vector, through interrupt remapping. */
static int pirq_program(struct pirq *p)
{
	/* Its MSIs carry the requester ID its bridges give them. */
	uint16_t sid = pci_requester_id(p->dev);
	uint64_t addr;
	uint32_t data;
	int rc = iommu_msi_compose(sid, (unsigned int)p->vector,
				   this_cpu()->apic_id, &addr, &data, &p->irte);

	if (!rc)
		rc = p->msix ? pci_msix_setup(p->dev, p->entry, addr, data)
			     : pci_msi_setup(p->dev, addr, data);
	if (rc && p->irte != IOMMU_NO_IRTE)
		iommu_irte_free(p->irte);
	return rc;
}

static struct pirq_table *pirq_table_of(struct domain *d)
{
	struct pirq_table *t = d->arch.pirqs;

	if (t)
		return t;
	t = alloc_xen_page();
	if (!t)
		return NULL;
	t->lock = SPIN_LOCK_UNLOCKED;
	/* Only the domain's own vCPUs get here, one at a time. */
	spin_lock(&d->lock);
	if (!d->arch.pirqs)
		d->arch.pirqs = t;
	else
		free_xen_page(t);
	spin_unlock(&d->lock);
	return d->arch.pirqs;
}

/*
 * MSI-X when the caller names its table (as Linux does) or the function
 * has no MSI; else MSI.
 */
static bool pirq_wants_msix(const struct pci_dev *dev,
			    const struct physdev_map_pirq *m)
{
	return dev->msix_cap && (m->table_base || !dev->msi_cap);
}

/* Which function and MSI-X entry: checked against what d owns. */
static const struct pci_dev *pirq_device(struct domain *d,
					 const struct physdev_map_pirq *m)
{
	unsigned int seg = 0, bus = (unsigned int)m->bus;
	const struct pci_dev *dev;

	if (m->type == MAP_PIRQ_TYPE_MSI_SEG) {
		seg = bus >> 16;
		bus &= 0xff;
	} else if (m->type != MAP_PIRQ_TYPE_MSI || bus > 0xff) {
		return NULL;
	}
	if ((unsigned int)m->devfn > 0xff)
		return NULL;
	dev = pci_dev_find(pci_sbdf(seg, bus, (unsigned int)m->devfn >> 3,
				    (unsigned int)m->devfn & 7));
	if (!dev || dev->owner != d->domain_id || m->entry_nr < 0)
		return NULL;
	if (pirq_wants_msix(dev, m))
		return (unsigned int)m->entry_nr < dev->msix_size ? dev : NULL;
	return dev->msi_cap && m->entry_nr == 0 ? dev : NULL;
}

static int pirq_map(struct domain *d, struct physdev_map_pirq *m)
{
	const struct pci_dev *dev = pirq_device(d, m);
	struct pirq_table *t;
	struct pirq *p = NULL;
	bool vector = false;
	int rc = 0;

	if (m->domid != DOMID_SELF && m->domid != d->domain_id)
		return -EPERM;
	if (!dev)
		return -EINVAL;
	t = pirq_table_of(d);
	if (!t)
		return -ENOMEM;
	spin_lock(&t->lock);
	for (unsigned int i = 0; i < PIRQ_MAX; i++) {
		if (t->p[i].used && t->p[i].dev == dev &&
		    t->p[i].entry == m->entry_nr &&
		    t->p[i].msix == pirq_wants_msix(dev, m))
			rc = -EEXIST;
		else if (!t->p[i].used && !p)
			p = &t->p[i];
	}
	if (!rc && !p)
		rc = -ENOSPC;
	if (!rc) {
		*p = (struct pirq){ .d = d,
				    .dev = dev,
				    .entry = (uint16_t)m->entry_nr,
				    .msix = pirq_wants_msix(dev, m) };
		p->vector = irq_vector_alloc(pirq_interrupt, p);
		rc = p->vector < 0 ? p->vector : 0;
		vector = !rc;
	}
	if (!rc)
		rc = pirq_program(p);
	if (!rc) {
		p->used = true;
		m->pirq = (int)(p - t->p);
	} else if (vector) {
		irq_vector_free((unsigned int)p->vector);
	}
	spin_unlock(&t->lock);
	return rc;
}

static struct pirq *pirq_get(struct domain *d, int pirq)
{
	struct pirq_table *t = d->arch.pirqs;

	if (!t || pirq < 0 || pirq >= PIRQ_MAX || !t->p[pirq].used)
		return NULL;
	return &t->p[pirq];
}

/* Stop it for good (table lock held, or the domain going). */
static void pirq_stop(struct pirq *p)
{
	pirq_mask(p, true);
	irq_vector_free((unsigned int)p->vector);
	if (p->irte != IOMMU_NO_IRTE)
		iommu_irte_free(p->irte);
	p->used = false;
}

static void pirq_nothing(void *unused)
{
}

long pirq_physdev_op(struct domain *d, unsigned int cmd, void *arg)
{
	struct physdev_unmap_pirq *u = arg;
	struct physdev_eoi *e = arg;
	struct pirq *p;

	switch (cmd) {
	case PHYSDEVOP_map_pirq:
		return pirq_map(d, arg);
	case PHYSDEVOP_unmap_pirq:
		if (u->domid != DOMID_SELF && u->domid != d->domain_id)
			return -EPERM;
		p = pirq_get(d, u->pirq);
		if (!p)
			return -EINVAL;
		if (__atomic_load_n(&p->port, __ATOMIC_ACQUIRE))
			return -EBUSY; /* close its port first */
		spin_lock(&d->arch.pirqs->lock);
		pirq_stop(p);
		spin_unlock(&d->arch.pirqs->lock);
		on_each_cpu(pirq_nothing, NULL); /* no handler still running */
		return 0;
	case PHYSDEVOP_eoi:
		p = pirq_get(d, (int)e->irq);
		if (!p)
			return -EINVAL;
		if (p->throttled) {
			log_warn("domain %u: pirq %u: interrupt storm, it was "
				 "masked for a while\n",
				 d->domain_id, e->irq);
			p->throttled = false;
			pirq_mask(p, false);
		}
		return 0;
	default:
		return -ENOSYS;
	}
}

int pirq_bind(struct domain *d, unsigned int pirq, evtchn_port_t *port)
{
	struct pirq *p = pirq_get(d, (int)pirq);
	int rc;

	if (!p)
		return -EINVAL;
	spin_lock(&d->arch.pirqs->lock);
	rc = p->port ? -EEXIST : evtchn_bind_pirq(d, pirq, port);
	if (!rc)
		__atomic_store_n(&p->port, *port, __ATOMIC_RELEASE);
	spin_unlock(&d->arch.pirqs->lock);
	return rc;
}

void arch_pirq_unbound(struct domain *d, unsigned int pirq, evtchn_port_t port)
{
	struct pirq_table *t = d->arch.pirqs;

	if (t && pirq < PIRQ_MAX && t->p[pirq].port == port)
		__atomic_store_n(&t->p[pirq].port, 0, __ATOMIC_RELEASE);
}

void pirq_device_gone(struct domain *d, const struct pci_dev *dev)
{
	struct pirq_table *t = d->arch.pirqs;

	if (!t)
		return;
	spin_lock(&t->lock);
	for (unsigned int i = 0; i < PIRQ_MAX; i++)
		if (t->p[i].used && t->p[i].dev == dev) {
			__atomic_store_n(&t->p[i].port, 0, __ATOMIC_RELEASE);
			pirq_stop(&t->p[i]);
		}
	spin_unlock(&t->lock);
	on_each_cpu(pirq_nothing, NULL);
}

void pirq_domain_destroy(struct domain *d)
{
	struct pirq_table *t = d->arch.pirqs;

	if (!t)
		return;
	for (unsigned int i = 0; i < PIRQ_MAX; i++)
		if (t->p[i].used)
			pirq_stop(&t->p[i]);
	on_each_cpu(pirq_nothing, NULL);
	d->arch.pirqs = NULL;
	free_xen_page(t);
}
