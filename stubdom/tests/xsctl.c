/*
 * The control domain with a xenstore domain: builds xenstored from the
 * first module it was handed (talking to it through xenstored's own ring page),
 * then a guest from its second, introduces the guest, gives it a home it owns,
 * serves both consoles, and when the guest is done destroys and releases it:
 * @releaseDomain fires and the guest's nodes are gone. Prints "xsctl: N passed,
 * M failed".
 */
#include <public/domctl.h>
#include <public/errno.h>
#include <public/sched.h>
#include <xen/lib.h>
#include <xen/string.h>
#include <stub/builder.h>
#include <stub/consback.h>
#include <stub/events.h>
#include <stub/gnttab.h>
#include <stub/stub.h>
#include <stub/time.h>
#include <stub/xenbus_glue.h>

#define STORE_VA 0x32000000ul
#define MS	 1000000ull

static struct xenbus xb;
static grant_handle_t store_handle;
static unsigned int passed, failed, released;

static void check(const char *what, long got, long want)
{
	if (got == want) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL %s: got %ld, expected %ld\n", what, got, want);
}

static const struct xen_multiboot_mod_list *module(unsigned int i)
{
	const struct xen_multiboot_mod_list *m =
	    (const void *)start_info->mod_start;

	if (!(start_info->flags & SIF_MULTIBOOT_MOD))
		stub_panic("no modules");
	for (unsigned int j = 0; j <= i; j++, m++)
		if (!m->mod_start)
			stub_panic("module %u missing", i + 1);
	return m - 1;
}

static long build(struct stub_build *b, const char *name, unsigned int mod,
		  uint32_t flags, domid_t store)
{
	const char *pkg = (const char *)start_info->mod_start;
	const struct xen_multiboot_mod_list *m = module(mod);

	*b = (struct stub_build){ .name = name,
				  .image = pkg + m->mod_start,
				  .len = m->mod_end - m->mod_start + 1,
				  .cmdline = pkg + m->cmdline,
				  .flags = flags,
				  .store_domid = store,
				  .console_domid = 0 };
	if (stub_build_domain(b) < 0) {
		printf("building %s: %s\n", name, b->error);
		return -1;
	}
	return consback_add(b->domid, name, b->console_port);
}

static void on_release(struct xenbus *x, const char *path, const char *token,
		       void *data)
{
	released++;
}

static bool stopped(domid_t dom)
{
	struct xen_domctl op;

	return stub_domctl(&op, XEN_DOMCTL_getdomaininfo, dom) < 0 ||
	       (op.u.getdomaininfo.flags & XEN_DOMINF_shutdown);
}

/* xenstored's ring is its own page, granted to us by the builder. */
static void connect_store(const struct stub_build *xs)
{
	struct evtchn_bind_interdomain bi = { .remote_dom = xs->domid,
					      .remote_port = xs->store_port };
	check("map xenstored's ring",
	      stub_grant_map(xs->domid, GNTTAB_RESERVED_XENSTORE, STORE_VA,
			     false, &store_handle),
	      GNTST_okay);
	check("bind xenstored's port",
	      stub_evtchn_op(EVTCHNOP_bind_interdomain, &bi), 0);
	stub_xenbus_connect(&xb, (void *)STORE_VA, bi.local_port);
}

static void run_guest(domid_t xs)
{
	struct stub_build g;
	struct xen_domctl op;
	char path[32], perms[8], buf[16];
	uint64_t deadline;

	check("build the guest", build(&g, "guest", 1, 0, xs), 0);
	fmt_snprintf(path, sizeof(path), "/local/domain/%u", g.domid);
	fmt_snprintf(perms, sizeof(perms), "n%u", g.domid);
	check("make its home", xenbus_mkdir(&xb, XENBUS_NO_TX, path), 0);
	check(
	    "give it its home",
	    xenbus_set_perms(&xb, XENBUS_NO_TX, path, perms, strlen(perms) + 1),
	    0);
	check("introduce it",
	      stub_xenbus_introduce(&xb, g.domid, g.store_mfn, g.store_port),
	      0);
	check("watch @releaseDomain",
	      xenbus_watch(&xb, "@releaseDomain", "rel", on_release, NULL), 0);
	check("run it", stub_domctl(&op, XEN_DOMCTL_unpausedomain, g.domid), 0);
	deadline = stub_now() + 20000 * MS;
	while (!stopped(g.domid) && stub_now() < deadline) {
		stub_sleep(20 * MS);
		consback_poll();
	}
	consback_remove(g.domid);
	check("guest done", stopped(g.domid), 1);
	check("destroy it", stub_domctl(&op, XEN_DOMCTL_destroydomain, g.domid),
	      0);
	check("release it", stub_xenbus_release(&xb, g.domid), 0);
	for (unsigned int i = 0; i < 100 && released < 2; i++) {
		xenbus_poll(&xb);
		xenbus_dispatch(&xb);
		if (released < 2)
			stub_sleep(10 * MS);
	}
	check("@releaseDomain fired", released >= 2, 1); /* initial + release */
	fmt_snprintf(path, sizeof(path), "/local/domain/%u/data/x", g.domid);
	check("its nodes are gone",
	      xenbus_read(&xb, XENBUS_NO_TX, path, buf, sizeof(buf)),
	      -XEN_ENOENT);
}

int app_main(const char *cmdline)
{
	struct stub_build xs;
	struct xen_domctl op;

	stub_events_init();
	check("gnttab", stub_gnttab_init(1), 0);
	check("build xenstored",
	      build(&xs, "xenstored", 0, XEN_DOMCTL_CDF_xs_domain, 0), 0);
	connect_store(&xs);
	check("run xenstored",
	      stub_domctl(&op, XEN_DOMCTL_unpausedomain, xs.domid), 0);
	check("write a node of ours",
	      xenbus_write(&xb, XENBUS_NO_TX, "/tool/secret", "s"), 0);
	run_guest(xs.domid);
	consback_poll();
	consback_remove(xs.domid);
	check("unmap xenstored's ring",
	      stub_grant_unmap(store_handle, STORE_VA), GNTST_okay);
	check("destroy xenstored",
	      stub_domctl(&op, XEN_DOMCTL_destroydomain, xs.domid), 0);
	printf("xsctl: %u passed, %u failed\n", passed, failed);
	return SHUTDOWN_poweroff;
}
