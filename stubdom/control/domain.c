/*
 * One domain's life as the control domain sees it: built from its
 * config and image, given a home in xenstore and its PCI functions,
 * wired to its backends, run; destroyed with its devices unplugged
 * first, so backends and frontends see them go before the domain does.
 */
#include <public/domctl.h>
#include <public/errno.h>
#include <xen/lib.h>
#include <xen/string.h>
#include <stub/consback.h>
#include <stub/stub.h>
#include <stub/time.h>
#include <stub/xenbus_glue.h>
#include "control.h"

#define CTL_CMDLINE_MAX 256

struct ctl_dom ctl_doms[CTL_MAX_DOMS];
unsigned int ctl_nr_doms;

struct ctl_dom *ctl_dom_by_name(const char *name)
{
	for (unsigned int i = 0; i < ctl_nr_doms; i++)
		if (!strcmp(ctl_doms[i].cfg.name, name))
			return &ctl_doms[i];
	return NULL;
}

struct ctl_dom *ctl_dom_by_id(domid_t domid)
{
	for (unsigned int i = 0; i < ctl_nr_doms; i++)
		if (ctl_doms[i].domid == domid && ctl_doms[i].state != CTL_DOWN)
			return &ctl_doms[i];
	return NULL;
}

/*
 * "<kernel> sbdf=N ... <extra>": a driver domain learns its PCI
 * functions from its command line.
 */
static void ctl_cmdline(const struct dom_cfg *c, bool standby, char *buf,
			size_t len)
{
	size_t n = (size_t)fmt_snprintf(buf, len, "%s", c->kernel);

	for (unsigned int i = 0; i < c->nr_pci && n < len; i++)
		n += (size_t)fmt_snprintf(buf + n, len - n, " sbdf=%u",
					  c->pci[i]);
	if (standby && n < len)
		n += (size_t)fmt_snprintf(buf + n, len - n, " standby=1");
	if (c->extra[0] && n < len)
		fmt_snprintf(buf + n, len - n, " %s", c->extra);
}

static long ctl_sched_params(const struct dom_cfg *c, domid_t id)
{
	struct xen_domctl op = { 0 };

	op.u.setweight.weight = c->weight;
	if (stub_domctl(&op, XEN_DOMCTL_setweight, id) < 0)
		return -1;
	op.u.setcap.cap = c->cap;
	if (stub_domctl(&op, XEN_DOMCTL_setcap, id) < 0)
		return -1;
	for (unsigned int v = 0; v < c->maxvcpus; v++) {
		op = (struct xen_domctl){ 0 };
		op.u.vcpuaffinity.vcpu = v;
		op.u.vcpuaffinity.cpumap[0] = c->cpus;
		if (stub_domctl(&op, XEN_DOMCTL_setvcpuaffinity, id) < 0)
			return -1;
	}
	return 0;
}

static long ctl_give_pci(struct ctl_dom *d)
{
	for (unsigned int i = 0; i < d->cfg.nr_pci; i++) {
		struct xen_domctl op = { 0 };
		char bdf[CFG_SBDF_STR_LEN];
		long rc;

		op.u.assign_device.dev = XEN_DOMCTL_DEV_PCI;
		op.u.assign_device.u.pci.machine_sbdf = d->cfg.pci[i];
		rc = stub_domctl(&op, XEN_DOMCTL_assign_device, d->domid);
		if (rc < 0) {
			cfg_format_sbdf(d->cfg.pci[i], bdf);
			printf("control: %s: PCI %s not assigned (%ld)\n",
			       d->cfg.name, bdf, rc);
			return -1;
		}
	}
	return 0;
}

/* /local/domain/<id>, owned by the domain, with its name. */
static long ctl_home(const struct dom_cfg *c, const struct stub_build *b)
{
	char path[32], perms[8];
	struct xenbus *xb = &ctl_xb;

	fmt_snprintf(path, sizeof(path), "/local/domain/%u", b->domid);
	fmt_snprintf(perms, sizeof(perms), "n%u", b->domid);
	if (xenbus_mkdir(xb, XENBUS_NO_TX, path) ||
	    xenbus_set_perms(xb, XENBUS_NO_TX, path, perms, strlen(perms) + 1))
		return -1;
	fmt_snprintf(path, sizeof(path), "/local/domain/%u/name", b->domid);
	if (xenbus_write(xb, XENBUS_NO_TX, path, c->name))
		return -1;
	return stub_xenbus_introduce(xb, b->domid, b->store_mfn, b->store_port)
		   ? -1
		   : 0;
}

static long ctl_create(struct ctl_dom *d, struct stub_build *b, bool standby)
{
	static char cmdline[CTL_CMDLINE_MAX];

	ctl_cmdline(&d->cfg, standby, cmdline, sizeof(cmdline));
	*b = (struct stub_build){
		.name = d->cfg.name,
		.image = d->image,
		.len = d->image_len,
		.cmdline = cmdline,
		.pages = (unsigned long)d->cfg.memory_mib * 256,
		.max_vcpus = d->cfg.maxvcpus,
		.flags =
		    (d->cfg.xenstore_domain ? XEN_DOMCTL_CDF_xs_domain : 0) |
		    (d->cfg.driver_domain ? XEN_DOMCTL_CDF_driver : 0),
		.store_domid = d->cfg.xenstore_domain ? 0 : ctl_xs_domid,
		.console_domid = 0,
		.handle = d->handle,
	};
	if (stub_build_domain(b) < 0) {
		printf("control: %s: not built: %s\n", d->cfg.name, b->error);
		return -1;
	}
	return consback_add(b->domid, d->cfg.name, b->console_port);
}

long ctl_dom_instance(struct ctl_dom *d, struct stub_build *b, bool standby)
{
	/* The new domain may get the id of one not yet released. */
	ctl_dom_forget(d);
	if (ctl_create(d, b, standby) < 0)
		return -1;
	if (ctl_sched_params(&d->cfg, b->domid) < 0 ||
	    (!d->cfg.xenstore_domain && ctl_home(&d->cfg, b) < 0)) {
		printf("control: %s: setting up domain %u failed\n",
		       d->cfg.name, b->domid);
		consback_remove(b->domid);
		stub_destroy_domain(b->domid);
		return -1;
	}
	return 0;
}

static uint64_t ctl_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/*
 * A handle no domain of this boot had (a version 4 UUID in form): the
 * hypervisor resets a PCI function between owners of different handles.
 */
static void ctl_new_handle(struct ctl_dom *d)
{
	static uint64_t count;
	uint64_t hi = ctl_mix(stub_now() ^ ++count << 48);
	uint64_t lo = ctl_mix(hi ^ count);

	memcpy(d->handle, &hi, 8);
	memcpy(d->handle + 8, &lo, 8);
	d->handle[6] = (uint8_t)((d->handle[6] & 0x0f) | 0x40);
	d->handle[8] = (uint8_t)((d->handle[8] & 0x3f) | 0x80);
}

long ctl_dom_build(struct ctl_dom *d)
{
	ctl_standby_destroy(d); /* it has the old handle */
	ctl_new_handle(d);
	return ctl_dom_rebuild(d);
}

long ctl_dom_rebuild(struct ctl_dom *d)
{
	d->warm = ctl_standby_take(d) == 0;
	if (!d->warm) {
		if (ctl_dom_instance(d, &d->build, false) < 0)
			return -1;
		d->domid = d->build.domid;
	}
	d->state = CTL_RUNNING;
	d->built_at = stub_now();
	/* It opens its devices while its backends are being wired. */
	if (ctl_give_pci(d) < 0 || (d->warm && ctl_standby_go(d) < 0)) {
		/* Introduced already: its store connection goes too, later. */
		ctl_dom_kill(d);
		return -1;
	}
	if (d->cfg.driver_domain)
		ctl_wire_backend(d);
	ctl_wire_guest(d);
	return 0;
}

long ctl_dom_unpause(struct ctl_dom *d)
{
	struct xen_domctl op;

	if (d->warm) { /* a standby: running, and told to take over */
		d->warm = false;
		return 0;
	}
	return stub_domctl(&op, XEN_DOMCTL_unpausedomain, d->domid);
}

void ctl_dom_kill(struct ctl_dom *d)
{
	long rc;

	if (d->domid == DOMID_INVALID)
		return;
	ctl_unwire_guest(d);
	consback_remove(d->domid);
	rc = stub_destroy_domain(d->domid);
	if (rc < 0)
		printf("control: %s: destroying domain %u failed (%ld)\n",
		       d->cfg.name, d->domid, rc);
	if (!d->cfg.xenstore_domain) {
		ctl_dom_forget(d); /* one waits at most */
		d->unforgotten = d->domid;
	}
	d->domid = DOMID_INVALID;
	d->state = CTL_DOWN;
	d->warm = false;
}

void ctl_dom_forget(struct ctl_dom *d)
{
	domid_t id = d->unforgotten;

	if (id == DOMID_INVALID)
		return;
	d->unforgotten = DOMID_INVALID;
	if (d->cfg.driver_domain)
		ctl_unwire_backend(id);
	stub_xenbus_release(&ctl_xb, id);
}

void ctl_dom_destroy(struct ctl_dom *d)
{
	ctl_dom_kill(d);
	ctl_dom_forget(d);
}
