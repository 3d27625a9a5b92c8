/*
 * A first toolstack, as the control domain: builds domains from the boot
 * modules it was handed (ELF images, checked), runs them, watches them
 * (VIRQ_DOM_EXC) and destroys them. Module command lines: "<file>
 * weight=N" builds a domain with that scheduling weight; "console" gives
 * it a console ring served by this domain's console back end, and
 * "attach" sends it what is typed on the serial console; "sbdf=N" assigns
 * it that PCI function ("refused": the assignment must be refused).
 *
 * The checks: two CPU-bound domains with weights 256 and 512 share one
 * CPU about 1:2; a domain that faults is reported and destroyed; a
 * destroyed domain is gone.
 */
#include <public/domctl.h>
#include <public/errno.h>
#include <public/sched.h>
#include <xen/string.h>
#include <stub/builder.h>
#include <stub/consback.h>
#include <stub/events.h>
#include <stub/gnttab.h>
#include <stub/hypercall.h>
#include <stub/check.h>
#include <stub/stub.h>
#include <stub/time.h>

#define WINDOW	     0x60000000ul /* the builder's window, free after */
#define MS	     1000000ull
#define MAX_CHILDREN 4

struct child {
	domid_t domid;
	unsigned int weight;
	const char *cmdline;
	xen_pfn_t first_mfn;
};

static struct child children[MAX_CHILDREN];
static unsigned int nr_children;
static volatile unsigned int dom_exc;

static long domctl(struct xen_domctl *op, uint32_t cmd, domid_t dom)
{
	return stub_domctl(op, cmd, dom);
}

static void on_dom_exc(evtchn_port_t port, void *data)
{
	dom_exc++;
}

static unsigned int arg_weight(const char *cmdline)
{
	return stub_arg_uint(cmdline, "weight=");
}

static long assign(domid_t dom, uint32_t sbdf, uint32_t cmd)
{
	struct xen_domctl op = { 0 };

	op.u.assign_device.dev = XEN_DOMCTL_DEV_PCI;
	op.u.assign_device.u.pci.machine_sbdf = sbdf;
	return domctl(&op, cmd, dom);
}

/* "sbdf=N": the child gets that PCI function; the refusals around it. */
/* A second domain can neither take the function nor give it back. */
static void check_second_owner(domid_t owner, uint32_t sbdf)
{
	struct xen_domctl op = { 0 };
	domid_t other;

	memcpy(op.u.createdomain.name, "other", 6);
	op.u.createdomain.max_vcpus = 1;
	op.u.createdomain.max_pages = 64;
	if (domctl(&op, XEN_DOMCTL_createdomain, 0) < 0) {
		stub_check("a second domain", 0, 1);
		return;
	}
	other = op.u.createdomain.domid;
	stub_check("assign to a second domain",
		   assign(other, sbdf, XEN_DOMCTL_assign_device), -XEN_EBUSY);
	stub_check("take back by a domain not its owner",
		   assign(other, sbdf, XEN_DOMCTL_deassign_device), -XEN_EPERM);
	stub_check(
	    "deassign with bad flags",
	    domctl(&(struct xen_domctl){ .u.assign_device = { .dev = 0,
							      .flags = 1 } },
		   XEN_DOMCTL_deassign_device, owner),
	    -XEN_EINVAL);
	stub_check("the second domain goes", stub_destroy_domain(other), 0);
}

static void check_assign(domid_t dom, uint32_t sbdf)
{
	stub_check("assign the host bridge",
		   assign(dom, 0, XEN_DOMCTL_assign_device), -XEN_EPERM);
	stub_check("assign no such function",
		   assign(dom, 99u << 8, XEN_DOMCTL_assign_device),
		   -XEN_ENOENT);
	stub_check("assign", assign(dom, sbdf, XEN_DOMCTL_assign_device), 0);
	stub_check("assign twice", assign(dom, sbdf, XEN_DOMCTL_assign_device),
		   -XEN_EBUSY);
	check_second_owner(dom, sbdf);
}

/*
 * "revoke": the function is taken back while the child still uses it;
 * its next touch of the registers must fault (the child dies of it).
 */
static void revoke_devices(void)
{
	for (unsigned int i = 0; i < nr_children; i++) {
		struct child *c = &children[i];

		if (!stub_arg_has(c->cmdline, " revoke"))
			continue;
		stub_sleep(300 * MS);
		stub_check("take the function back while in use",
			   assign(c->domid, stub_arg_uint(c->cmdline, "sbdf="),
				  XEN_DOMCTL_deassign_device),
			   0);
	}
}

static void build_all(void)
{
	const char *pkg = (const char *)start_info->mod_start;
	const struct xen_multiboot_mod_list *m = (const void *)pkg;
	struct stub_build b;
	struct xen_domctl op;

	if (!(start_info->flags & SIF_MULTIBOOT_MOD))
		stub_panic("no modules to build domains from");
	for (; m->mod_start && nr_children < MAX_CHILDREN; m++) {
		struct child *c = &children[nr_children];
		char name[16];

		c->cmdline = pkg + m->cmdline;
		c->weight = arg_weight(c->cmdline);
		name[0] = 'd';
		name[1] = (char)('1' + nr_children);
		name[2] = '\0';
		printf("creating %s at %llu ns\n", name,
		       (unsigned long long)stub_now());
		b = (struct stub_build){ .name = name,
					 .image = pkg + m->mod_start,
					 .len = m->mod_end - m->mod_start + 1,
					 .cmdline = c->cmdline,
					 .store_domid = DOMID_INVALID,
					 .console_domid = DOMID_INVALID };
		if (stub_arg_has(c->cmdline, " console"))
			b.console_domid = 0;
		stub_check("build", stub_build_domain(&b), 0);
		if (b.error)
			printf("building %s: %s\n", name, b.error);
		if (!b.error && b.console_domid == 0)
			stub_check("console back end",
				   consback_add(b.domid, name, b.console_port),
				   0);
		/* " refused": -ENODEV; " refused=N": -N. */
		if (!b.error && stub_arg_has(c->cmdline, " refused"))
			stub_check(
			    "assignment refused",
			    assign(b.domid, stub_arg_uint(c->cmdline, "sbdf="),
				   XEN_DOMCTL_assign_device),
			    stub_arg_has(c->cmdline, " refused=")
				? -(long)stub_arg_uint(c->cmdline, "refused=")
				: -XEN_ENODEV);
		else if (!b.error && stub_arg_has(c->cmdline, " sbdf="))
			check_assign(b.domid,
				     stub_arg_uint(c->cmdline, "sbdf="));
		if (!b.error && stub_arg_has(c->cmdline, " attach"))
			stub_check("attach", consback_attach(b.domid), 0);
		c->domid = b.domid;
		c->first_mfn = b.first_mfn;
		op.u.setweight.weight = c->weight ? c->weight : 256;
		stub_check("weight",
			   domctl(&op, XEN_DOMCTL_setweight, c->domid), 0);
		nr_children++;
	}
}

static uint64_t cpu_time(domid_t dom)
{
	struct xen_domctl op;

	return domctl(&op, XEN_DOMCTL_getdomaininfo, dom) < 0
		   ? 0
		   : op.u.getdomaininfo.cpu_time;
}

/* The two weighted children should share the CPU in their weights' ratio. */
static void check_shares(void)
{
	struct child *a = NULL, *b = NULL;
	uint64_t ta, tb;

	for (unsigned int i = 0; i < nr_children; i++)
		if (children[i].weight == 256)
			a = &children[i];
		else if (children[i].weight == 512)
			b = &children[i];
	if (!a || !b)
		return;
	ta = cpu_time(a->domid);
	tb = cpu_time(b->domid);
	stub_sleep(3000 * MS);
	ta = cpu_time(a->domid) - ta;
	tb = cpu_time(b->domid) - tb;
	printf("weights 256:512 ran %llu:%llu ms, ratio 1:%llu.%02llu\n",
	       (unsigned long long)(ta / MS), (unsigned long long)(tb / MS),
	       (unsigned long long)(tb / ta),
	       (unsigned long long)(tb * 100 / ta % 100));
	stub_check("share within 10% of 1:2",
		   tb * 10 >= ta * 18 && tb * 10 <= ta * 22, 1);
}

static void reap_stopped(void);

/*
 * Children without a weight= run to completion (or crash): wait, at most
 * 10 s, until they have all stopped.
 */
static void wait_for_finishers(void)
{
	uint64_t deadline = stub_now() + 10000 * MS;
	struct xen_domctl op;
	bool all;

	do {
		stub_sleep(100 * MS);
		consback_pump();
		consback_poll();
		reap_stopped(); /* a finisher may wait for another to go */
		all = true;
		for (unsigned int i = 0; i < nr_children; i++)
			if (!children[i].weight &&
			    domctl(&op, XEN_DOMCTL_getdomaininfo,
				   children[i].domid) == 0 &&
			    !(op.u.getdomaininfo.flags & XEN_DOMINF_shutdown))
				all = false;
	} while (!all && stub_now() < deadline);
	stub_check("finishers stopped", all, 1);
}

/*
 * A paused domain gets no CPU time; unpaused, it runs again. Also the
 * other per-domain knobs: affinity and memory limit.
 */
static void check_pause(void)
{
	struct xen_domctl op;
	struct child *c = NULL;
	uint64_t t;

	for (unsigned int i = 0; i < nr_children; i++)
		if (children[i].weight)
			c = &children[i];
	if (!c)
		return;
	stub_check("pause", domctl(&op, XEN_DOMCTL_pausedomain, c->domid), 0);
	stub_sleep(50 * MS);
	t = cpu_time(c->domid);
	stub_sleep(300 * MS);
	stub_check("no CPU while paused", cpu_time(c->domid) == t, 1);
	stub_check("unpause", domctl(&op, XEN_DOMCTL_unpausedomain, c->domid),
		   0);
	stub_sleep(300 * MS);
	stub_check("runs again", cpu_time(c->domid) > t, 1);
	memset(&op.u.vcpuaffinity, 0, sizeof(op.u.vcpuaffinity));
	stub_check("empty affinity",
		   domctl(&op, XEN_DOMCTL_setvcpuaffinity, c->domid),
		   -XEN_EINVAL);
	op.u.vcpuaffinity.cpumap[0] = 1;
	stub_check("affinity CPU 0",
		   domctl(&op, XEN_DOMCTL_setvcpuaffinity, c->domid), 0);
	op.u.max_mem.max_memkb = 4;
	stub_check("limit below use", domctl(&op, XEN_DOMCTL_max_mem, c->domid),
		   -XEN_EINVAL);
	op.u.max_mem.max_memkb = 8192;
	stub_check("limit", domctl(&op, XEN_DOMCTL_max_mem, c->domid), 0);
}

/* Children that stopped by themselves (a crash) are reported and destroyed. */
static void reap_stopped(void)
{
	struct xen_domctl op;

	for (unsigned int i = 0; i < nr_children; i++) {
		struct child *c = &children[i];

		if (domctl(&op, XEN_DOMCTL_getdomaininfo, c->domid) < 0 ||
		    !(op.u.getdomaininfo.flags & XEN_DOMINF_shutdown))
			continue;
		printf("domain %u stopped (reason %u): destroying it\n",
		       c->domid, op.u.getdomaininfo.shutdown_reason);
		consback_remove(c->domid);
		stub_check("destroy stopped", stub_destroy_domain(c->domid), 0);
		c->domid = DOMID_INVALID;
	}
}

static void destroy_all(void)
{
	struct xen_domctl op;

	for (unsigned int i = 0; i < nr_children; i++) {
		if (children[i].domid == DOMID_INVALID)
			continue;
		consback_remove(children[i].domid);
		stub_check("destroy", stub_destroy_domain(children[i].domid),
			   0);
		stub_check(
		    "gone",
		    domctl(&op, XEN_DOMCTL_getdomaininfo, children[i].domid),
		    -XEN_ESRCH);
	}
}

/* A port made in the child, offered to us, as for xenstored. */
static void check_port_for(domid_t child)
{
	struct evtchn_alloc_unbound au = { .dom = child,
					   .remote_dom = DOMID_SELF };
	struct evtchn_bind_interdomain bi = { .remote_dom = child };
	struct evtchn_close cl;

	stub_check("port in the child",
		   stub_evtchn_op(EVTCHNOP_alloc_unbound, &au), 0);
	bi.remote_port = au.port;
	stub_check("bind to it", stub_evtchn_op(EVTCHNOP_bind_interdomain, &bi),
		   0);
	cl.port = bi.local_port;
	stub_check("close it", stub_evtchn_op(EVTCHNOP_close, &cl), 0);
}

/*
 * The builder's grant: the last child's first frame, granted to us
 * through its reserved xenstore ref, as the toolstack does for xenstored.
 */
static void check_seed(void)
{
	struct child *c = &children[nr_children - 1];
	struct xen_domctl op = { 0 };
	grant_handle_t h;

	if (!nr_children)
		return;
	op.u.gnttab_seed.frame = c->first_mfn;
	op.u.gnttab_seed.ref = GNTTAB_RESERVED_XENSTORE;
	op.u.gnttab_seed.to = 0;
	stub_check("seed xenstore ref",
		   domctl(&op, XEN_DOMCTL_gnttab_seed, c->domid), 0);
	stub_check("map the seeded ref",
		   stub_grant_map(c->domid, GNTTAB_RESERVED_XENSTORE, WINDOW,
				  false, &h),
		   GNTST_okay);
	stub_check("seed while in use",
		   domctl(&op, XEN_DOMCTL_gnttab_seed, c->domid), -XEN_EBUSY);
	stub_check("unmap the seeded ref", stub_grant_unmap(h, WINDOW),
		   GNTST_okay);
	check_port_for(c->domid);
	op.u.gnttab_seed.frame = 0;
	stub_check("seed a frame not the domain's",
		   domctl(&op, XEN_DOMCTL_gnttab_seed, c->domid), -XEN_EINVAL);
	op.u.gnttab_seed.frame = c->first_mfn;
	op.u.gnttab_seed.ref = 1u << 30;
	stub_check("seed a ref beyond the table",
		   domctl(&op, XEN_DOMCTL_gnttab_seed, c->domid), -XEN_EINVAL);
	op.u.gnttab_seed.ref = 0;
	op.u.gnttab_seed.flags = 0x80;
	stub_check("seed bad flags",
		   domctl(&op, XEN_DOMCTL_gnttab_seed, c->domid), -XEN_EINVAL);
}

static void check_bad_requests(void)
{
	struct xen_domctl op = { 0 };

	op.cmd = XEN_DOMCTL_getdomaininfo;
	op.interface_version = 1;
	stub_check("old interface",
		   hypercall2(__HYPERVISOR_domctl, (long)&op, 0), -XEN_EACCES);
	stub_check("no such domain", domctl(&op, XEN_DOMCTL_getdomaininfo, 999),
		   -XEN_ESRCH);
	stub_check("destroy myself", stub_destroy_domain(0), -XEN_EPERM);
	/* The control domain holds no device: not even by its own hand. */
	stub_check("a PCI function for myself",
		   assign(0, 2u << 3, XEN_DOMCTL_assign_device), -XEN_EPERM);
	op.u.createdomain.max_vcpus = 1;
	op.u.createdomain.max_pages = 16;
	op.u.createdomain.flags = XEN_DOMCTL_CDF_control;
	memcpy(op.u.createdomain.name, "x", 2);
	stub_check("a second control domain",
		   domctl(&op, XEN_DOMCTL_createdomain, 0), -XEN_EINVAL);
	stub_check("unknown op", domctl(&op, 77, 0), -XEN_EPERM);
	stub_check("bad pointer",
		   hypercall2(__HYPERVISOR_domctl, 0x10000000, 0), -XEN_EFAULT);
}

int app_main(const char *cmdline)
{
	struct evtchn_bind_virq virq = { .virq = VIRQ_DOM_EXC };

	stub_events_init();
	stub_check("bind VIRQ_DOM_EXC",
		   stub_evtchn_op(EVTCHNOP_bind_virq, &virq), 0);
	stub_event_bind(virq.port, on_dom_exc, NULL);
	check_bad_requests();
	build_all();
	check_seed();
	for (unsigned int i = 0; i < nr_children; i++) {
		struct xen_domctl op;

		stub_check(
		    "unpause",
		    domctl(&op, XEN_DOMCTL_unpausedomain, children[i].domid),
		    0);
	}
	revoke_devices();
	check_pause();
	check_shares();
	wait_for_finishers();
	printf("VIRQ_DOM_EXC seen %u times\n", dom_exc);
	reap_stopped();
	destroy_all();
	stub_check_report("toolstack");
	return SHUTDOWN_poweroff;
}
