/*
 * Domains: ids, names, memory accounting, life cycle. The list of
 * domains is ordered by id and guarded by domlist_lock; a domain's own
 * state by its lock. Whoever looks a domain up holds a reference, so a
 * concurrent destroy takes its resources but never frees the struct
 * under it; a dying domain gets no new references and no new frames.
 */
#include <xen/errno.h>
#include <xen/event.h>
#include <xen/grant_table.h>
#include <xen/iommu.h>
#include <xen/pci.h>
#include <xen/lib.h>
#include <xen/sched.h>
#include <xen/string.h>

static DEFINE_SPINLOCK(domlist_lock);
static struct domain *domain_list;

static bool domain_name_ok(const char *name)
{
	size_t len = strnlen(name, DOMAIN_NAME_MAX);

	if (len == 0 || len == DOMAIN_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] > '~')
			return false;
	return true;
}

/* The lowest free id from 1 (0 is the control domain's). Lock held. */
static int domain_pick_id(domid_t want)
{
	domid_t id = want == DOMID_INVALID ? 1 : want;

	for (struct domain *d = domain_list; d; d = d->next) {
		if (d->domain_id == id && want != DOMID_INVALID)
			return -EEXIST;
		if (d->domain_id == id)
			id++;
	}
	return id < DOMID_IO ? id : -ENOSPC;
}

static void domain_link(struct domain *d)
{
	struct domain **pp = &domain_list;

	while (*pp && (*pp)->domain_id < d->domain_id)
		pp = &(*pp)->next;
	d->next = *pp;
	*pp = d;
}

int domain_create(domid_t want, const char *name, unsigned int max_vcpus,
		  unsigned long max_pages, uint32_t roles, struct domain **out)
{
	struct domain *d;
	int id;

	BUILD_BUG_ON(sizeof(struct domain) > PAGE_SIZE);
	if (!domain_name_ok(name) || max_vcpus == 0 ||
	    max_vcpus > MAX_VIRT_CPUS || max_pages == 0)
		return -EINVAL;
	d = alloc_xen_page();
	if (!d)
		return -ENOMEM;
	spin_lock(&domlist_lock);
	id = domain_pick_id(want);
	if (id < 0) {
		spin_unlock(&domlist_lock);
		free_xen_page(d);
		return id;
	}
	d->domain_id = (domid_t)id;
	memcpy(d->name, name, strnlen(name, DOMAIN_NAME_MAX));
	d->roles = roles;
	d->max_vcpus = max_vcpus;
	d->mem.limit = max_pages;
	d->page_head = PAGE_LIST_NONE;
	d->pause_count = 1;
	d->refcnt = 1;
	/* Lines whole, but the control domain's: its prompt has none. */
	d->console.buffered = !(roles & DOMROLE_CONTROL);
	if (evtchn_domain_init(d) < 0) {
		spin_unlock(&domlist_lock);
		free_xen_page(d);
		return -ENOMEM;
	}
	domain_link(d);
	spin_unlock(&domlist_lock);
	*out = d;
	return 0;
}

struct domain *domain_get(domid_t id)
{
	struct domain *d;

	spin_lock(&domlist_lock);
	for (d = domain_list; d && d->domain_id != id; d = d->next)
		;
	if (d && d->state == DOMSTATE_DYING)
		d = NULL;
	if (d)
		__atomic_add_fetch(&d->refcnt, 1, __ATOMIC_ACQ_REL);
	spin_unlock(&domlist_lock);
	return d;
}

void domain_put(struct domain *d)
{
	unsigned int left = __atomic_sub_fetch(&d->refcnt, 1, __ATOMIC_ACQ_REL);

	ASSERT(left != (unsigned int)-1);
	if (!left) {
		gnttab_domain_free(d);
		free_xen_page(d);
	}
}

struct page_info *domain_alloc_page(struct domain *d)
{
	struct page_info *pg = page_alloc(0, d->domain_id, PGU_DOMAIN, &d->mem);
	struct page_info *head;

	if (!pg)
		return NULL;
	spin_lock(&d->lock);
	if (d->state == DOMSTATE_DYING) {
		/* Its frames are being given back: this one goes too. */
		spin_unlock(&d->lock);
		page_free(pg, 0, &d->mem);
		return NULL;
	}
	pg->prev = PAGE_LIST_NONE;
	pg->next = d->page_head;
	head = d->page_head == PAGE_LIST_NONE ? NULL
					      : mfn_to_page(_mfn(d->page_head));
	if (head)
		head->prev = (uint32_t)mfn_x(page_to_mfn(pg));
	d->page_head = (uint32_t)mfn_x(page_to_mfn(pg));
	spin_unlock(&d->lock);
	return pg;
}

struct page_info *domain_first_page(const struct domain *d)
{
	return d->page_head == PAGE_LIST_NONE ? NULL
					      : mfn_to_page(_mfn(d->page_head));
}

struct page_info *domain_next_page(const struct page_info *pg)
{
	return pg->next == PAGE_LIST_NONE ? NULL : mfn_to_page(_mfn(pg->next));
}

void domain_free_pages(struct domain *d)
{
	struct page_info *pg = domain_first_page(d);
	unsigned long kept = 0;

	while (pg) {
		struct page_info *next = domain_next_page(pg);

		pg->next = pg->prev = PAGE_LIST_NONE;
		kept += pg->count != 0;
		/* A frame another domain still maps goes when it lets go. */
		if (page_free_or_orphan(pg, &d->mem) < 0)
			log_err("domain %u: frame %#llx not freed\n",
				d->domain_id,
				(unsigned long long)mfn_x(page_to_mfn(pg)));
		pg = next;
	}
	d->page_head = PAGE_LIST_NONE;
	if (kept)
		log_info("domain %u (%s): %lu frame%s still mapped elsewhere\n",
			 d->domain_id, d->name, kept, kept == 1 ? "" : "s");
}

struct vcpu *vcpu_create(struct domain *d, unsigned int id)
{
	struct vcpu *v;

	BUILD_BUG_ON(sizeof(struct vcpu) > PAGE_SIZE);
	if (id >= d->max_vcpus)
		return NULL;
	v = alloc_xen_page();
	if (!v)
		return NULL;
	v->vcpu_id = id;
	v->domain = d;
	vcpu_runstate_init(v);
	if (arch_vcpu_init(v) < 0) {
		free_xen_page(v);
		return NULL;
	}
	if (vcpu_sched_init(v) < 0) {
		arch_vcpu_destroy(v);
		free_xen_page(v);
		return NULL;
	}
	/* Two vCPUs may race to create the same one: one wins. */
	spin_lock(&d->lock);
	if (d->vcpus[id]) {
		spin_unlock(&d->lock);
		vcpu_sched_remove(v);
		arch_vcpu_destroy(v);
		free_xen_page(v);
		return NULL;
	}
	d->vcpus[id] = v;
	spin_unlock(&d->lock);
	return v;
}

/*
 * The domain was shut down first. Once out of the scheduler, a vCPU may
 * still be in use by the CPU that last picked it (entering it, or saving
 * it on its way out, which the removal's kick makes it do): it is freed
 * only after that CPU has switched away.
 */
static void domain_free_vcpus(struct domain *d)
{
	for (unsigned int i = 0; i < d->max_vcpus; i++) {
		if (!d->vcpus[i])
			continue;
		timer_stop(&d->vcpus[i]->singleshot);
		timer_stop(&d->vcpus[i]->poll_timer);
		vcpu_sched_remove(d->vcpus[i]);
	}
	for (unsigned int i = 0; i < d->max_vcpus; i++) {
		if (!d->vcpus[i])
			continue;
		while (sched_unit_on_cpu(&d->vcpus[i]->sched))
			cpu_relax();
		arch_vcpu_destroy(d->vcpus[i]);
		free_xen_page(d->vcpus[i]);
		d->vcpus[i] = NULL;
	}
}

/* Its last line, if it did not end it. */
static void domain_console_flush(struct domain *d)
{
	char prefix[16];

	fmt_snprintf(prefix, sizeof(prefix), "(d%u) ", d->domain_id);
	printk_guest_flush(prefix, &d->console);
}

int domain_destroy(struct domain *d)
{
	struct domain **pp;

	spin_lock(&d->lock);
	if (d->state == DOMSTATE_DYING) {
		spin_unlock(&d->lock);
		return -EBUSY;
	}
	d->state = DOMSTATE_DYING;
	spin_unlock(&d->lock);
	spin_lock(&domlist_lock);
	for (pp = &domain_list; *pp && *pp != d; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = d->next;
	spin_unlock(&domlist_lock);
	domain_watchdogs_stop(d);
	arch_domain_stop_irqs(d);
	evtchn_domain_destroy(d);
	/* Its devices reset and blocked before any frame it reaches goes. */
	pci_release_domain(d);
	iommu_domain_destroy(d);
	gnttab_domain_destroy(d);
	arch_domain_destroy(d);
	domain_free_vcpus(d);
	arch_domain_release_cpus(d); /* before its page tables go */
	domain_free_pages(d);
	domain_console_flush(d);
	log_info("domain %u (%s) destroyed\n", d->domain_id, d->name);
	domain_put(d); /* the list's reference */
	return 0;
}

/* The control domain hears of every other domain that stops. */
static void domain_tell_control(struct domain *d)
{
	struct domain *ctl = domain_get(DOMID_CONTROL);

	if (!ctl)
		return;
	if (ctl != d)
		evtchn_send_global_virq(ctl, VIRQ_DOM_EXC);
	domain_put(ctl);
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
	static const char *const reasons[] = { "poweroff", "reboot",
					       "suspend",  "crash",
					       "watchdog", "soft reset" };

	spin_lock(&d->lock);
	if (d->state == DOMSTATE_ACTIVE) {
		d->state = DOMSTATE_SHUTDOWN;
		d->shutdown_code = reason;
	}
	spin_unlock(&d->lock);
	domain_watchdogs_stop(d);
	for (unsigned int i = 0; i < d->max_vcpus; i++)
		if (d->vcpus[i])
			vcpu_block(d->vcpus[i]);
	log_info("domain %u (%s) shut down: %s\n", d->domain_id, d->name,
		 reason < ARRAY_SIZE(reasons) ? reasons[reason] : "unknown");
	domain_tell_control(d);
}

unsigned int domain_count(void)
{
	unsigned int n = 0;

	spin_lock(&domlist_lock);
	for (struct domain *d = domain_list; d; d = d->next)
		n++;
	spin_unlock(&domlist_lock);
	return n;
}

static void vcpu_print(const struct domain *d, const struct vcpu *v)
{
	const struct vcpu_info *vi = v->vcpu_info;

	log_always("    vCPU %u: %s%s on CPU %u, sched state %u, rip %#llx, "
		   "upcall pending %u mask %u, pending[0] %#llx mask[0] "
		   "%#llx\n",
		   v->vcpu_id, v->online ? "up" : "down",
		   v->running ? ", running" : "", v->processor,
		   (unsigned int)sched_unit_state(&v->sched),
		   (unsigned long long)v->arch.regs.rip,
		   (unsigned int)vi->evtchn_upcall_pending,
		   (unsigned int)vi->evtchn_upcall_mask,
		   (unsigned long long)d->shared_info->evtchn_pending[0],
		   (unsigned long long)d->shared_info->evtchn_mask[0]);
}

void domain_print_all(void)
{
	spin_lock(&domlist_lock);
	for (struct domain *d = domain_list; d; d = d->next) {
		log_always("  domain %u (%s): %lu pages, state %u, paused %u\n",
			   d->domain_id, d->name, d->mem.pages, d->state,
			   d->pause_count);
		for (unsigned int i = 0; i < d->max_vcpus; i++)
			if (d->vcpus[i] && d->shared_info)
				vcpu_print(d, d->vcpus[i]);
	}
	spin_unlock(&domlist_lock);
}
