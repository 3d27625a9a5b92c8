/*
 * The control domain with a xenstore domain: builds xenstored from the
 * first module it was handed (and talks to it through xenstored's own
 * ring page), then a guest from each other module (named after its
 * image); introduces each, gives it a home it owns, serves all consoles,
 * and when the guests are done destroys and releases them: @releaseDomain
 * fires and their nodes are gone. Prints "xsctl: N passed, M failed".
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
#include <stub/check.h>
#include <stub/stub.h>
#include <stub/time.h>
#include <stub/xenbus_glue.h>

#define STORE_VA 0x32000000ul
#define MS	 1000000ull

static struct xenbus xb;
static grant_handle_t store_handle;
static unsigned int released;

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
	stub_check("map xenstored's ring",
		   stub_grant_map(xs->domid, GNTTAB_RESERVED_XENSTORE, STORE_VA,
				  false, &store_handle),
		   GNTST_okay);
	stub_check("bind xenstored's port",
		   stub_evtchn_op(EVTCHNOP_bind_interdomain, &bi), 0);
	stub_xenbus_connect(&xb, (void *)STORE_VA, bi.local_port);
}

#define MAX_GUESTS 4

static unsigned int module_count(void)
{
	const struct xen_multiboot_mod_list *m =
	    (const void *)start_info->mod_start;
	unsigned int n = 0;

	while (m[n].mod_start)
		n++;
	return n;
}

/* Build one guest and give it a home it owns; left paused. */
static domid_t netdom = DOMID_INVALID; /* the network driver domain */
static domid_t blkdom = DOMID_INVALID; /* the block driver domain */

/* A directory owned by owner that reader may read. */
static void store_dir(const char *path, domid_t owner, domid_t reader)
{
	char perms[16];
	size_t n;

	n = (size_t)fmt_snprintf(perms, sizeof(perms), "n%u", owner) + 1;
	n += (size_t)fmt_snprintf(perms + n, sizeof(perms) - n, "r%u", reader) +
	     1;
	stub_check("make a device directory",
		   xenbus_mkdir(&xb, XENBUS_NO_TX, path), 0);
	stub_check("its permissions",
		   xenbus_set_perms(&xb, XENBUS_NO_TX, path, perms, n), 0);
}

/* A store node dir/key = val. */
static void put_field(const char *dir, const char *key, const char *val)
{
	char path[96];

	fmt_snprintf(path, sizeof(path), "%s/%s", dir, key);
	xenbus_write(&xb, XENBUS_NO_TX, path, val);
}

/*
 * Guest g's device kind/devid served by bedom: the backend's directory
 * (bedom's, g may read it) and the frontend's (g's, bedom may read it),
 * with their own fields (NULL-terminated key, value pairs), each
 * pointing at the other, both Initialising. The frontend's "backend"
 * goes last: a frontend starts when it appears.
 */
static void wire_device(const char *kind, domid_t g, domid_t bedom,
			unsigned int devid, const char *const *be_fields,
			const char *const *fe_fields)
{
	char fe[64], be[80], id[8], link[80];

	fmt_snprintf(fe, sizeof(fe), "/local/domain/%u/device/%s/%u", g, kind,
		     devid);
	fmt_snprintf(be, sizeof(be), "/local/domain/%u/backend/%s/%u/%u", bedom,
		     kind, g, devid);
	store_dir(be, bedom, g);
	store_dir(fe, g, bedom);
	for (unsigned int i = 0; be_fields[i]; i += 2)
		put_field(be, be_fields[i], be_fields[i + 1]);
	for (unsigned int i = 0; fe_fields[i]; i += 2)
		put_field(fe, fe_fields[i], fe_fields[i + 1]);
	put_field(be, "state", "1");
	put_field(fe, "state", "1");
	put_field(be, "frontend", fe);
	fmt_snprintf(id, sizeof(id), "%u", g);
	put_field(be, "frontend-id", id);
	fmt_snprintf(id, sizeof(id), "%u", bedom);
	put_field(fe, "backend-id", id);
	fmt_snprintf(link, sizeof(link), "%s/backend", fe);
	stub_check("wire the device", xenbus_write(&xb, XENBUS_NO_TX, link, be),
		   0);
}

/* Guest g's vif 0, served by netdom, with a MAC made of its domain id. */
static void write_vif(domid_t g)
{
	char mac[20];
	const char *const fields[] = { "mac", mac, "handle", "0", NULL };

	fmt_snprintf(mac, sizeof(mac), "00:16:3e:00:00:%02x", g);
	wire_device("vif", g, netdom, 0, fields, fields);
}

/*
 * Guest g's vbd xvda (51712), served by blkdom: "vbd=T" names the range
 * of the disk it gets (blkback's target syntax), " ro" makes it
 * read-only.
 */
static void write_vbd(domid_t g, const char *cmd)
{
	char target[48];
	const char *const be_fields[] = { "target", target, "mode",
					  stub_arg_has(cmd, " ro") ? "r" : "w",
					  NULL };
	const char *const fe_fields[] = { "virtual-device", "51712",
					  "device-type", "disk", NULL };

	stub_arg_word(cmd, " vbd=", target, sizeof(target));
	wire_device("vbd", g, blkdom, 51712, be_fields, fe_fields);
}

/* "sbdf=N": the guest drives that PCI function. */
static void give_device(domid_t g, uint32_t sbdf)
{
	struct xen_domctl op = { 0 };

	op.u.assign_device.dev = XEN_DOMCTL_DEV_PCI;
	op.u.assign_device.u.pci.machine_sbdf = sbdf;
	stub_check("assign its device",
		   stub_domctl(&op, XEN_DOMCTL_assign_device, g), 0);
}

static void start_guest(struct stub_build *g, unsigned int mod, domid_t xs)
{
	const char *pkg = (const char *)start_info->mod_start;
	char path[32], perms[8], name[16];
	const char *cmd = pkg + module(mod)->cmdline;
	size_t len = 0;

	/* Named after its image: ".../xsclient.elf args" is "xsclient". */
	for (const char *p = cmd; *p && *p != ' '; p++)
		if (*p == '/')
			cmd = p + 1;
	while (cmd[len] && cmd[len] != '.' && cmd[len] != ' ' && len < 15)
		len++;
	memcpy(name, cmd, len);
	name[len] = '\0';
	stub_check("build a guest", build(g, name, mod, 0, xs), 0);
	fmt_snprintf(path, sizeof(path), "/local/domain/%u", g->domid);
	fmt_snprintf(perms, sizeof(perms), "n%u", g->domid);
	stub_check("make its home", xenbus_mkdir(&xb, XENBUS_NO_TX, path), 0);
	stub_check(
	    "give it its home",
	    xenbus_set_perms(&xb, XENBUS_NO_TX, path, perms, strlen(perms) + 1),
	    0);
	stub_check(
	    "introduce it",
	    stub_xenbus_introduce(&xb, g->domid, g->store_mfn, g->store_port),
	    0);
	if (stub_arg_has(cmd, "sbdf="))
		give_device(g->domid, stub_arg_uint(cmd, "sbdf="));
	if (stub_arg_has(cmd, " netdom"))
		netdom = g->domid;
	if (stub_arg_has(cmd, " vif") && netdom != DOMID_INVALID)
		write_vif(g->domid);
	if (stub_arg_has(cmd, " blkdom"))
		blkdom = g->domid;
	if (stub_arg_has(cmd, " vbd=") && blkdom != DOMID_INVALID)
		write_vbd(g->domid, cmd);
}

/* Every guest but the driver domains (which serve until destroyed). */
static bool all_stopped(const struct stub_build *g, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (g[i].domid != netdom && g[i].domid != blkdom &&
		    !stopped(g[i].domid))
			return false;
	return true;
}

static void finish_guest(const struct stub_build *g)
{
	char path[48], buf[16];

	consback_remove(g->domid);
	stub_check("destroy it", stub_destroy_domain(g->domid), 0);
	stub_check("release it", stub_xenbus_release(&xb, g->domid), 0);
	fmt_snprintf(path, sizeof(path), "/local/domain/%u/data/x", g->domid);
	stub_check("its nodes are gone",
		   xenbus_read(&xb, XENBUS_NO_TX, path, buf, sizeof(buf)),
		   -XEN_ENOENT);
}

/*
 * Take each guest's devices away as a toolstack does (their backend
 * directories removed), so the driver domains tear them down and report
 * them before anything is destroyed.
 */
static void unplug(const char *kind, domid_t bedom, const struct stub_build *g,
		   unsigned int n)
{
	char be[64];

	if (bedom == DOMID_INVALID)
		return;
	for (unsigned int i = 0; i < n; i++) {
		if (g[i].domid == bedom)
			continue;
		fmt_snprintf(be, sizeof(be), "/local/domain/%u/backend/%s/%u",
			     bedom, kind, g[i].domid);
		xenbus_rm(&xb, XENBUS_NO_TX, be);
	}
}

static void unplug_devices(const struct stub_build *g, unsigned int n)
{
	unplug("vif", netdom, g, n);
	unplug("vbd", blkdom, g, n);
	if (netdom == DOMID_INVALID && blkdom == DOMID_INVALID)
		return;
	for (unsigned int i = 0; i < 20; i++) {
		stub_sleep(20 * MS);
		consback_poll();
	}
}

static void run_guests(domid_t xs)
{
	static struct stub_build g[MAX_GUESTS];
	unsigned int n = module_count() - 1;
	struct xen_domctl op;
	uint64_t deadline;

	if (n > MAX_GUESTS)
		n = MAX_GUESTS;
	for (unsigned int i = 0; i < n; i++)
		start_guest(&g[i], i + 1, xs);
	stub_check("watch @releaseDomain",
		   xenbus_watch(&xb, "@releaseDomain", "rel", on_release, NULL),
		   0);
	for (unsigned int i = 0; i < n; i++)
		stub_check(
		    "run it",
		    stub_domctl(&op, XEN_DOMCTL_unpausedomain, g[i].domid), 0);
	deadline = stub_now() + 20000 * MS;
	while (!all_stopped(g, n) && stub_now() < deadline) {
		stub_sleep(20 * MS);
		consback_poll();
	}
	consback_poll();
	stub_check("guests done", all_stopped(g, n), 1);
	unplug_devices(g, n);
	for (unsigned int i = 0; i < n; i++)
		finish_guest(&g[i]);
	for (unsigned int i = 0; i < 100 && released < n + 1; i++) {
		xenbus_poll(&xb);
		xenbus_dispatch(&xb);
		if (released < n + 1)
			stub_sleep(10 * MS);
	}
	/* The watch's first event, then one per release. */
	stub_check("@releaseDomain fired", released, n + 1);
}

int app_main(const char *cmdline)
{
	struct stub_build xs;
	struct xen_domctl op;

	stub_events_init();
	stub_check("gnttab", stub_gnttab_init(1), 0);
	stub_check("build xenstored",
		   build(&xs, "xenstored", 0, XEN_DOMCTL_CDF_xs_domain, 0), 0);
	connect_store(&xs);
	stub_check("run xenstored",
		   stub_domctl(&op, XEN_DOMCTL_unpausedomain, xs.domid), 0);
	stub_check("write a node of ours",
		   xenbus_write(&xb, XENBUS_NO_TX, "/tool/secret", "s"), 0);
	run_guests(xs.domid);
	consback_poll();
	consback_remove(xs.domid);
	stub_check("unmap xenstored's ring",
		   stub_grant_unmap(store_handle, STORE_VA), GNTST_okay);
	stub_check("destroy xenstored", stub_destroy_domain(xs.domid), 0);
	stub_check_report("xsctl");
	return SHUTDOWN_poweroff;
}
