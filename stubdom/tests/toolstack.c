/*
 * A first toolstack, as the control domain: builds domains from the boot
 * modules it was handed (ELF images, checked), runs them, watches them
 * (VIRQ_DOM_EXC) and destroys them. Module command lines: "<file>
 * weight=N" builds a domain with that scheduling weight.
 *
 * The checks: two CPU-bound domains with weights 256 and 512 share one
 * CPU about 1:2; a domain that faults is reported and destroyed; a
 * destroyed domain is gone.
 */
#include <public/domctl.h>
#include <public/errno.h>
#include <public/sched.h>
#include <xen/elf.h>
#include <xen/string.h>
#include <stub/events.h>
#include <stub/gnttab.h>
#include <stub/hypercall.h>
#include <stub/stub.h>
#include <stub/time.h>

#define CHILD_PAGES  1024
#define PT_RESERVE   24
#define WINDOW	     0x60000000ul /* where a child's pages are mapped */
#define MS	     1000000ull
#define MAX_CHILDREN 4

struct child {
	domid_t domid;
	unsigned int weight;
	const char *cmdline;
};

static unsigned int passed, failed;
static struct child children[MAX_CHILDREN];
static unsigned int nr_children;
static xen_pfn_t p2m[CHILD_PAGES];
static struct elf_image img;
static volatile unsigned int dom_exc;

static void check(const char *what, long got, long want)
{
	if (got == want) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL %s: got %ld, expected %ld\n", what, got, want);
}

static long domctl(struct xen_domctl *op, uint32_t cmd, domid_t dom)
{
	op->cmd = cmd;
	op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
	op->domain = dom;
	return hypercall2(__HYPERVISOR_domctl, (long)op, 0);
}

static int window_copy(void *ctx, uint64_t va, const void *src, uint64_t len)
{
	memcpy((char *)WINDOW + (va - img.virt_start), src, len);
	return 0;
}

static int window_zero(void *ctx, uint64_t va, uint64_t len)
{
	memset((char *)WINDOW + (va - img.virt_start), 0, len);
	return 0;
}

/* Map (or unmap) the child's first n pages at WINDOW. */
static long window_map(domid_t dom, unsigned long n, bool map)
{
	struct xen_domctl op;

	for (unsigned long i = 0; i < n; i++) {
		op.u.map_foreign.mfn = p2m[i];
		op.u.map_foreign.va = WINDOW + i * 4096;
		op.u.map_foreign.flags = 0;
		if (domctl(&op,
			   map ? XEN_DOMCTL_map_foreign
			       : XEN_DOMCTL_unmap_foreign,
			   dom) < 0)
			return -1;
	}
	return 0;
}

struct child_layout {
	uint64_t base, start_info, p2m, stack_top;
	unsigned long nr_pages, boot_pages;
};

static void child_layout(struct child_layout *l)
{
	l->base = img.virt_start;
	l->nr_pages = CHILD_PAGES - PT_RESERVE;
	l->start_info = img.virt_end;
	l->p2m = l->start_info + 4096;
	l->stack_top = ((l->p2m + l->nr_pages * 8 + 4095) & ~4095ul) + 4 * 4096;
	l->boot_pages = (l->stack_top - l->base) / 4096;
}

static void child_start_info(const struct child_layout *l,
			     uint64_t shared_info_frame, const char *cmdline)
{
	struct start_info *si = (void *)(WINDOW + (l->start_info - l->base));

	memcpy(si->magic, "xen-3.0-x86_64", 15);
	si->nr_pages = l->nr_pages;
	si->shared_info = shared_info_frame << 12;
	si->pt_base = l->stack_top;
	si->mfn_list = l->p2m;
	memcpy(si->cmd_line, cmdline, strnlen(cmdline, 1000));
	memcpy((char *)WINDOW + (l->p2m - l->base), p2m,
	       l->nr_pages * sizeof(p2m[0]));
}

static long child_start(domid_t dom, const struct child_layout *l)
{
	static struct vcpu_guest_context ctx;
	struct xen_domctl op;

	op.u.map_foreign.va = img.note_hypercall_page;
	if (domctl(&op, XEN_DOMCTL_hypercall_page, dom) < 0)
		return -1;
	ctx.user_regs.rip = img.has_entry ? img.note_entry : img.entry;
	ctx.user_regs.rsp = l->stack_top;
	ctx.user_regs.rsi = l->start_info;
	ctx.user_regs.rflags = 0x202;
	op.u.vcpucontext.vcpu = 0;
	op.u.vcpucontext.ctxt.p = &ctx;
	return domctl(&op, XEN_DOMCTL_setvcpucontext, dom);
}

/* Fill the child's memory from the image: map, write, unmap. */
static long child_fill(domid_t dom, const struct child_layout *l,
		       const char *cmdline)
{
	struct xen_domctl op;

	if (domctl(&op, XEN_DOMCTL_getdomaininfo, dom) < 0 ||
	    window_map(dom, l->boot_pages, true) < 0)
		return -1;
	if (elf_load(&img, window_copy, window_zero, NULL) < 0)
		return -1;
	child_start_info(l, op.u.getdomaininfo.shared_info_frame, cmdline);
	return window_map(dom, l->boot_pages, false);
}

static long build(const char *name, const void *data, unsigned long len,
		  const char *cmdline, domid_t *out)
{
	struct xen_domctl op = { 0 };
	struct child_layout l;

	if (elf_parse(&img, data, len) < 0) {
		printf("%s: %s\n", name, img.error);
		return -1;
	}
	child_layout(&l);
	memcpy(op.u.createdomain.name, name, strnlen(name, 31));
	op.u.createdomain.max_vcpus = 1;
	op.u.createdomain.max_pages = CHILD_PAGES;
	if (domctl(&op, XEN_DOMCTL_createdomain, 0) < 0)
		return -1;
	*out = op.u.createdomain.domid;
	op.u.populate.nr_pages = l.nr_pages;
	op.u.populate.mfn_list.p = p2m;
	op.u.populate.va = l.base;
	if (domctl(&op, XEN_DOMCTL_populate, *out) < 0 ||
	    child_fill(*out, &l, cmdline) < 0 || child_start(*out, &l) < 0)
		return -1;
	return 0;
}

static void on_dom_exc(evtchn_port_t port, void *data)
{
	dom_exc++;
}

static unsigned int arg_weight(const char *cmdline)
{
	const char *w = cmdline;
	unsigned int v = 0;

	while (*w && strncmp(w, "weight=", 7))
		w++;
	for (w += *w ? 7 : 0; *w >= '0' && *w <= '9'; w++)
		v = v * 10 + (unsigned int)(*w - '0');
	return v;
}

static void build_all(void)
{
	const char *pkg = (const char *)start_info->mod_start;
	const struct xen_multiboot_mod_list *m = (const void *)pkg;
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
		check("build",
		      build(name, pkg + m->mod_start,
			    m->mod_end - m->mod_start + 1, c->cmdline,
			    &c->domid),
		      0);
		op.u.setweight.weight = c->weight ? c->weight : 256;
		check("weight", domctl(&op, XEN_DOMCTL_setweight, c->domid), 0);
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
	check("share within 10% of 1:2",
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
		reap_stopped(); /* a finisher may wait for another to go */
		all = true;
		for (unsigned int i = 0; i < nr_children; i++)
			if (!children[i].weight &&
			    domctl(&op, XEN_DOMCTL_getdomaininfo,
				   children[i].domid) == 0 &&
			    !(op.u.getdomaininfo.flags & XEN_DOMINF_shutdown))
				all = false;
	} while (!all && stub_now() < deadline);
	check("finishers stopped", all, 1);
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
	check("pause", domctl(&op, XEN_DOMCTL_pausedomain, c->domid), 0);
	stub_sleep(50 * MS);
	t = cpu_time(c->domid);
	stub_sleep(300 * MS);
	check("no CPU while paused", cpu_time(c->domid) == t, 1);
	check("unpause", domctl(&op, XEN_DOMCTL_unpausedomain, c->domid), 0);
	stub_sleep(300 * MS);
	check("runs again", cpu_time(c->domid) > t, 1);
	memset(&op.u.vcpuaffinity, 0, sizeof(op.u.vcpuaffinity));
	check("empty affinity",
	      domctl(&op, XEN_DOMCTL_setvcpuaffinity, c->domid), -XEN_EINVAL);
	op.u.vcpuaffinity.cpumap[0] = 1;
	check("affinity CPU 0",
	      domctl(&op, XEN_DOMCTL_setvcpuaffinity, c->domid), 0);
	op.u.max_mem.max_memkb = 4;
	check("limit below use", domctl(&op, XEN_DOMCTL_max_mem, c->domid),
	      -XEN_EINVAL);
	op.u.max_mem.max_memkb = 8192;
	check("limit", domctl(&op, XEN_DOMCTL_max_mem, c->domid), 0);
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
		check("destroy stopped",
		      domctl(&op, XEN_DOMCTL_destroydomain, c->domid), 0);
		c->domid = DOMID_INVALID;
	}
}

static void destroy_all(void)
{
	struct xen_domctl op;

	for (unsigned int i = 0; i < nr_children; i++) {
		if (children[i].domid == DOMID_INVALID)
			continue;
		check("destroy",
		      domctl(&op, XEN_DOMCTL_destroydomain, children[i].domid),
		      0);
		check("gone",
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

	check("port in the child", stub_evtchn_op(EVTCHNOP_alloc_unbound, &au),
	      0);
	bi.remote_port = au.port;
	check("bind to it", stub_evtchn_op(EVTCHNOP_bind_interdomain, &bi), 0);
	cl.port = bi.local_port;
	check("close it", stub_evtchn_op(EVTCHNOP_close, &cl), 0);
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
	op.u.gnttab_seed.frame = p2m[0];
	op.u.gnttab_seed.ref = GNTTAB_RESERVED_XENSTORE;
	op.u.gnttab_seed.to = 0;
	check("seed xenstore ref",
	      domctl(&op, XEN_DOMCTL_gnttab_seed, c->domid), 0);
	check("map the seeded ref",
	      stub_grant_map(c->domid, GNTTAB_RESERVED_XENSTORE, WINDOW, false,
			     &h),
	      GNTST_okay);
	check("seed while in use",
	      domctl(&op, XEN_DOMCTL_gnttab_seed, c->domid), -XEN_EBUSY);
	check("unmap the seeded ref", stub_grant_unmap(h, WINDOW), GNTST_okay);
	check_port_for(c->domid);
	op.u.gnttab_seed.frame = 0;
	check("seed a frame not the domain's",
	      domctl(&op, XEN_DOMCTL_gnttab_seed, c->domid), -XEN_EINVAL);
	op.u.gnttab_seed.frame = p2m[0];
	op.u.gnttab_seed.ref = 1u << 30;
	check("seed a ref beyond the table",
	      domctl(&op, XEN_DOMCTL_gnttab_seed, c->domid), -XEN_EINVAL);
	op.u.gnttab_seed.ref = 0;
	op.u.gnttab_seed.flags = 0x80;
	check("seed bad flags", domctl(&op, XEN_DOMCTL_gnttab_seed, c->domid),
	      -XEN_EINVAL);
}

static void check_bad_requests(void)
{
	struct xen_domctl op = { 0 };

	op.cmd = XEN_DOMCTL_getdomaininfo;
	op.interface_version = 1;
	check("old interface", hypercall2(__HYPERVISOR_domctl, (long)&op, 0),
	      -XEN_EACCES);
	check("no such domain", domctl(&op, XEN_DOMCTL_getdomaininfo, 999),
	      -XEN_ESRCH);
	check("destroy myself", domctl(&op, XEN_DOMCTL_destroydomain, 0),
	      -XEN_EPERM);
	op.u.createdomain.max_vcpus = 1;
	op.u.createdomain.max_pages = 16;
	op.u.createdomain.flags = XEN_DOMCTL_CDF_control;
	memcpy(op.u.createdomain.name, "x", 2);
	check("a second control domain",
	      domctl(&op, XEN_DOMCTL_createdomain, 0), -XEN_EINVAL);
	check("unknown op", domctl(&op, 77, 0), -XEN_EPERM);
	check("bad pointer", hypercall2(__HYPERVISOR_domctl, 0x10000000, 0),
	      -XEN_EFAULT);
}

int app_main(const char *cmdline)
{
	struct evtchn_bind_virq virq = { .virq = VIRQ_DOM_EXC };

	stub_events_init();
	check("bind VIRQ_DOM_EXC", stub_evtchn_op(EVTCHNOP_bind_virq, &virq),
	      0);
	stub_event_bind(virq.port, on_dom_exc, NULL);
	check_bad_requests();
	build_all();
	check_seed();
	for (unsigned int i = 0; i < nr_children; i++) {
		struct xen_domctl op;

		check("unpause",
		      domctl(&op, XEN_DOMCTL_unpausedomain, children[i].domid),
		      0);
	}
	check_pause();
	check_shares();
	wait_for_finishers();
	printf("VIRQ_DOM_EXC seen %u times\n", dom_exc);
	reap_stopped();
	destroy_all();
	printf("toolstack: %u passed, %u failed\n", passed, failed);
	return SHUTDOWN_poweroff;
}
