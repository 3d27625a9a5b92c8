/*
 * What the admin shell asks of the control domain (struct shell_ops):
 * domains from ctl_doms[] and domctl getdomaininfo, the host from sysctl
 * physinfo, the hypervisor's log from sysctl readconsole, devices from
 * the configs and from xenstore, actions through the same functions the
 * boot and the supervisor use. Errors are negative Xen errnos, with one
 * line in err where the errno alone would not say why.
 */
#include <public/domctl.h>
#include <public/errno.h>
#include <public/sched.h>
#include <public/sysctl.h>
#include <public/vcpu.h>
#include <public/version.h>
#include <stdarg.h>
#include <xen/lib.h>
#include <xen/string.h>
#include <stub/consback.h>
#include <stub/hypercall.h>
#include <stub/stub.h>
#include <stub/time.h>
#include "control.h"
#include "xl.h"

#define XL_PATH_MAX 96
/* Domains not in ctl_doms are looked for up to this far past ours. */
#define XL_PROBE_EXTRA 8

uint64_t xl_host_mib;

/* vcpu-pin's affinities, per ctl_doms slot, for the instance pinned. */
static struct {
	domid_t domid; /* the instance they were set for */
	bool set[CFG_VCPUS_MAX];
	uint64_t cpus[CFG_VCPUS_MAX];
} xl_pins[CTL_MAX_DOMS];

static void xl_err(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void xl_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static long xl_sysctl(struct xen_sysctl *op, uint32_t cmd)
{
	op->cmd = cmd;
	op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
	return hypercall2(__HYPERVISOR_sysctl, (long)op, 0);
}

static long xl_dominfo(domid_t id, struct xen_domctl_getdomaininfo *out)
{
	struct xen_domctl op;
	long rc;

	memset(&op, 0, sizeof(op));
	rc = stub_domctl(&op, XEN_DOMCTL_getdomaininfo, id);
	if (rc < 0)
		return rc;
	if (op.u.getdomaininfo.domain != id)
		return -XEN_ESRCH;
	*out = op.u.getdomaininfo;
	return 0;
}

/* A domain of ours that is built (running, crashed or kept). */
static struct ctl_dom *xl_ours(uint16_t id)
{
	return id ? ctl_dom_by_id(id) : NULL;
}

/* ---- list, top -------------------------------------------------------- */

/* The control domain's own vCPU time: the hypervisor keeps its runstate. */
static uint64_t xl_self_cpu_ns(void)
{
	struct vcpu_runstate_info rs;

	if (hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info, 0,
		       (long)&rs) < 0)
		return 0;
	return rs.time[RUNSTATE_running];
}

static void xl_self(struct shell_dom *d)
{
	memset(d, 0, sizeof(*d));
	d->id = 0;
	fmt_snprintf(d->name, sizeof(d->name), "%s", "Domain-0");
	d->state = SHELL_DOM_RUNNING; /* it is answering */
	d->mem_kib = start_info->nr_pages * 4;
	d->max_vcpus = d->online_vcpus = 1;
	d->cpu_ns = xl_self_cpu_ns();
}

static void xl_fill(struct shell_dom *d,
		    const struct xen_domctl_getdomaininfo *i,
		    const struct ctl_dom *c)
{
	memset(d, 0, sizeof(*d));
	d->id = i->domain;
	if (c)
		memcpy(d->name, c->cfg.name, sizeof(c->cfg.name));
	else
		memcpy(d->name, i->name,
		       sizeof(i->name) < SHELL_NAME_MAX ? sizeof(i->name)
							: SHELL_NAME_MAX - 1);
	d->name[SHELL_NAME_MAX - 1] = '\0';
	if (i->flags & XEN_DOMINF_running)
		d->state |= SHELL_DOM_RUNNING;
	if (i->flags & XEN_DOMINF_blocked)
		d->state |= SHELL_DOM_BLOCKED;
	if (i->flags & XEN_DOMINF_paused)
		d->state |= SHELL_DOM_PAUSED;
	if (i->flags & XEN_DOMINF_dying)
		d->state |= SHELL_DOM_DYING;
	if (i->flags & XEN_DOMINF_shutdown)
		d->state |= i->shutdown_reason == SHUTDOWN_crash ||
				    i->shutdown_reason == SHUTDOWN_watchdog
				? SHELL_DOM_CRASHED
				: SHELL_DOM_SHUTDOWN;
	d->mem_kib = i->tot_pages * 4;
	d->max_vcpus = i->max_vcpu_id + 1;
	d->online_vcpus = i->nr_online_vcpus;
	d->cpu_ns = i->cpu_time;
	if (c) {
		d->nets = c->cfg.nr_vifs;
		d->vbds = c->cfg.nr_disks;
	}
}

static int xl_list(void *ctx, struct shell_dom *out, unsigned int max)
{
	struct xen_domctl_getdomaininfo info;
	unsigned int n = 0;
	domid_t top = 0;

	if (n < max)
		xl_self(&out[n++]);
	/* Ours, in the order of their configs. */
	for (unsigned int i = 0; i < ctl_nr_doms && n < max; i++) {
		struct ctl_dom *c = &ctl_doms[i];

		if (c->state == CTL_DOWN || c->domid == DOMID_INVALID)
			continue;
		if (c->domid > top)
			top = c->domid;
		if (xl_dominfo(c->domid, &info) == 0)
			xl_fill(&out[n++], &info, c);
		if (c->standby == DOMID_INVALID || n == max ||
		    xl_dominfo(c->standby, &info))
			continue;
		/* Its standby, under a name of its own (it waits, blocked). */
		xl_fill(&out[n], &info, c);
		fmt_snprintf(out[n++].name, SHELL_NAME_MAX, "%s-standby",
			     c->cfg.name);
		if (c->standby > top)
			top = c->standby;
	}
	/*
	 * Others: domctl getdomaininfo answers for one id only, so ids are
	 * tried up to a little past the highest of ours (ids are given out
	 * lowest free first).
	 */
	for (domid_t id = 1; id <= top + XL_PROBE_EXTRA && n < max; id++)
		if (!xl_ours(id) && !ctl_standby_owner(id) &&
		    xl_dominfo(id, &info) == 0)
			xl_fill(&out[n++], &info, NULL);
	return (int)n;
}

/* ---- info, dmesg ------------------------------------------------------ */

static int xl_info(void *ctx, struct shell_info *out)
{
	struct xen_sysctl op;
	const struct xen_sysctl_physinfo *pi = &op.u.physinfo;
	long rc, ver;

	memset(&op, 0, sizeof(op));
	rc = xl_sysctl(&op, XEN_SYSCTL_physinfo);
	if (rc < 0)
		return (int)rc;
	fmt_snprintf(out->host, sizeof(out->host), "%s", "citadel");
	out->nr_cpus = pi->nr_cpus;
	out->max_cpu_id = pi->max_cpu_id;
	out->nr_nodes = pi->nr_nodes;
	out->cores_per_socket = pi->cores_per_socket;
	out->threads_per_core = pi->threads_per_core;
	out->cpu_khz = pi->cpu_khz;
	fmt_snprintf(out->virt_caps, sizeof(out->virt_caps), "%s%s",
		     pi->capabilities & XEN_SYSCTL_PHYSCAP_pv ? "pv" : "",
		     pi->capabilities & XEN_SYSCTL_PHYSCAP_directio
			 ? " pv_directio"
			 : "");
	out->total_kib = pi->total_pages * 4;
	out->free_kib = pi->free_pages * 4;
	out->free_cpus = 0; /* every CPU is in the one pool */
	ver = hypercall2(__HYPERVISOR_xen_version, XENVER_version, 0);
	if (ver > 0) {
		out->xen_major = (unsigned int)(ver >> 16);
		out->xen_minor = (unsigned int)(ver & 0xffff);
	}
	hypercall2(__HYPERVISOR_xen_version, XENVER_extraversion,
		   (long)out->xen_extra);
	out->xen_extra[sizeof(out->xen_extra) - 1] = '\0';
	fmt_snprintf(out->xen_caps, sizeof(out->xen_caps), "%s",
		     "xen-3.0-x86_64");
	fmt_snprintf(out->xen_scheduler, sizeof(out->xen_scheduler), "%s",
		     "citadel");
	out->xen_pagesize = 4096;
	return 0;
}

/* Where the log read from offset 0 started, so later offsets follow it. */
static uint32_t xl_dmesg_base;

static size_t xl_dmesg(void *ctx, size_t off, char *buf, size_t len)
{
	struct xen_sysctl op;
	struct xen_sysctl_readconsole *r = &op.u.readconsole;

	memset(&op, 0, sizeof(op));
	r->incremental = off != 0;
	r->index = xl_dmesg_base + (uint32_t)off;
	r->buffer.p = buf;
	r->count = (uint32_t)len;
	if (xl_sysctl(&op, XEN_SYSCTL_readconsole) < 0)
		return 0;
	if (!off)
		xl_dmesg_base = r->index - r->count;
	return r->count;
}

/* ---- actions ---------------------------------------------------------- */

static int xl_create_op(void *ctx, const char *cfg, char *err, size_t errlen)
{
	return xl_create(cfg, xl_host_mib, err, errlen);
}

/* Ask the domain through xenstore, as xl does; say so if it cannot. */
static int xl_ask(uint16_t id, const char *what, char *err, size_t errlen)
{
	char path[XL_PATH_MAX], val[8];

	fmt_snprintf(path, sizeof(path), "/local/domain/%u/control/feature-%s",
		     id, what);
	if (xenbus_read(&ctl_xb, XENBUS_NO_TX, path, val, sizeof(val)) < 0 ||
	    strcmp(val, "1")) {
		xl_err(err, errlen,
		       "domain %u does not support %s requests "
		       "(no control/feature-%s); use destroy",
		       id, what, what);
		return -XEN_EOPNOTSUPP;
	}
	fmt_snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown",
		     id);
	return xenbus_write(&ctl_xb, XENBUS_NO_TX, path, what);
}

static int xl_destroy(uint16_t id, char *err, size_t errlen)
{
	struct ctl_dom *c = xl_ours(id);
	struct xen_domctl op;

	if (!c && ctl_standby_owner(id)) {
		/* Only the standby: the next crash is a plain restart. */
		ctl_standby_destroy(ctl_standby_owner(id));
		return 0;
	}
	if (!c) {
		/* Not built from a config: nothing of ours to unwire. */
		memset(&op, 0, sizeof(op));
		return (int)stub_destroy_domain(id);
	}
	if (c->cfg.xenstore_domain) {
		xl_err(err, errlen,
		       "%s runs xenstored: every domain's store would go with "
		       "it",
		       c->cfg.name);
		return -XEN_EBUSY;
	}
	/* Down for good: the supervisor restarts only what crashed. */
	ctl_standby_destroy(c);
	ctl_dom_destroy(c);
	printf("control: %s destroyed from the shell\n", c->cfg.name);
	return 0;
}

static int xl_action(void *ctx, enum shell_action a, uint16_t id, char *err,
		     size_t errlen)
{
	struct xen_domctl op;

	if (!id) {
		xl_err(err, errlen, "not on the control domain itself");
		return -XEN_EPERM;
	}
	memset(&op, 0, sizeof(op));
	switch (a) {
	case SHELL_DESTROY:
		return xl_destroy(id, err, errlen);
	case SHELL_SHUTDOWN:
		return xl_ask(id, "poweroff", err, errlen);
	case SHELL_REBOOT:
		return xl_ask(id, "reboot", err, errlen);
	case SHELL_PAUSE:
		return (int)stub_domctl(&op, XEN_DOMCTL_pausedomain, id);
	case SHELL_UNPAUSE:
		return (int)stub_domctl(&op, XEN_DOMCTL_unpausedomain, id);
	}
	return -XEN_EINVAL;
}

/* ---- console ---------------------------------------------------------- */

static int xl_console_open(void *ctx, uint16_t id, char *err, size_t errlen)
{
	if (!id) {
		xl_err(err, errlen, "this is the control domain's console");
		return -XEN_EINVAL;
	}
	/* Nothing sent: only whether its console is served. */
	if (consback_input(id, "", 0) < 0) {
		xl_err(err, errlen, "domain %u has no console here", id);
		return -XEN_ENOENT;
	}
	return 0;
}

static void xl_console_input(void *ctx, uint16_t id, const char *s, size_t n)
{
	/* A full ring drops the rest, as a terminal's typing would be. */
	consback_input(id, s, n);
}

/* ---- vCPUs ------------------------------------------------------------ */

static int xl_nr_cpus(void)
{
	struct xen_sysctl op;

	memset(&op, 0, sizeof(op));
	if (xl_sysctl(&op, XEN_SYSCTL_physinfo) < 0 || !op.u.physinfo.nr_cpus)
		return 64;
	return op.u.physinfo.nr_cpus < 64 ? (int)op.u.physinfo.nr_cpus : 64;
}

static uint64_t xl_affinity(const struct ctl_dom *c, unsigned int v)
{
	unsigned int slot = (unsigned int)(c - ctl_doms);

	if (xl_pins[slot].domid == c->domid && v < CFG_VCPUS_MAX &&
	    xl_pins[slot].set[v])
		return xl_pins[slot].cpus[v];
	return c->cfg.cpus;
}

static int xl_vcpu_list(void *ctx, uint16_t id, struct shell_vcpu *out,
			unsigned int max)
{
	struct xen_domctl_getdomaininfo info;
	const struct ctl_dom *c = xl_ours(id);
	unsigned int n;

	if (!id) {
		memset(out, 0, sizeof(*out));
		out->online = out->running = true;
		out->cpu_ns = xl_self_cpu_ns();
		out->hard_affinity = out->soft_affinity = ~0ull;
		return max ? 1 : 0;
	}
	if (xl_dominfo(id, &info) < 0)
		return -XEN_ESRCH;
	n = info.max_vcpu_id + 1;
	for (unsigned int v = 0; v < n && v < max; v++) {
		struct shell_vcpu *o = &out[v];

		memset(o, 0, sizeof(*o));
		o->vcpu = v;
		/* Per-vCPU state is not reported: the domain's, on vCPU 0. */
		o->online = v < info.nr_online_vcpus;
		o->running = o->online && (info.flags & XEN_DOMINF_running);
		o->blocked = o->online && (info.flags & XEN_DOMINF_blocked);
		o->cpu_ns = v ? 0 : info.cpu_time;
		o->hard_affinity = c ? xl_affinity(c, v) : ~0ull;
		o->soft_affinity = ~0ull;
	}
	return (int)(n < max ? n : max);
}

static int xl_vcpu_pin(void *ctx, uint16_t id, int vcpu, uint64_t cpus,
		       char *err, size_t errlen)
{
	struct xen_domctl_getdomaininfo info;
	struct ctl_dom *c = xl_ours(id);
	int nr = xl_nr_cpus();
	uint64_t host = nr >= 64 ? ~0ull : (1ull << nr) - 1;
	unsigned int first, last;

	if (!id) {
		xl_err(err, errlen, "the control domain is not pinned");
		return -XEN_EPERM;
	}
	if (xl_dominfo(id, &info) < 0)
		return -XEN_ESRCH;
	if (!(cpus & host)) {
		xl_err(err, errlen,
		       "no CPU of the list exists (the host has %d)", nr);
		return -XEN_EINVAL;
	}
	cpus &= host;
	if (vcpu != SHELL_VCPU_ALL && (unsigned int)vcpu > info.max_vcpu_id) {
		xl_err(err, errlen, "domain %u has no vCPU %d", id, vcpu);
		return -XEN_EINVAL;
	}
	first = vcpu == SHELL_VCPU_ALL ? 0 : (unsigned int)vcpu;
	last = vcpu == SHELL_VCPU_ALL ? info.max_vcpu_id : (unsigned int)vcpu;
	for (unsigned int v = first; v <= last; v++) {
		struct xen_domctl op;
		long rc;

		memset(&op, 0, sizeof(op));
		op.u.vcpuaffinity.vcpu = v;
		op.u.vcpuaffinity.cpumap[0] = cpus;
		rc = stub_domctl(&op, XEN_DOMCTL_setvcpuaffinity, id);
		if (rc < 0)
			return (int)rc;
		if (c && v < CFG_VCPUS_MAX) {
			unsigned int slot = (unsigned int)(c - ctl_doms);

			if (xl_pins[slot].domid != c->domid) {
				memset(&xl_pins[slot], 0,
				       sizeof(xl_pins[slot]));
				xl_pins[slot].domid = c->domid;
			}
			xl_pins[slot].set[v] = true;
			xl_pins[slot].cpus[v] = cpus;
		}
	}
	return 0;
}

static int xl_vcpu_set(void *ctx, uint16_t id, unsigned int nr, char *err,
		       size_t errlen)
{
	xl_err(err, errlen,
	       "not supported: a domain brings its own vCPUs up and down "
	       "(VCPUOP_up/down), within its config's maxvcpus");
	return -XEN_EOPNOTSUPP;
}

/* ---- devices ---------------------------------------------------------- */

static void xl_pci(uint32_t sbdf, struct shell_pci *p)
{
	memset(p, 0, sizeof(*p));
	p->seg = (uint16_t)(sbdf >> 16);
	p->bus = (uint8_t)(sbdf >> 8);
	p->dev = (uint8_t)((sbdf >> 3) & 0x1f);
	p->fn = (uint8_t)(sbdf & 7);
	/* A driver domain sees its function at its host address. */
	p->vdevfn = (uint8_t)(sbdf & 0xff);
}

static int xl_pci_list(void *ctx, uint16_t id, struct shell_pci *out,
		       unsigned int max)
{
	const struct ctl_dom *c = xl_ours(id);
	unsigned int n = 0;

	/* The control domain holds no device; others are not ours to know. */
	if (!c)
		return 0;
	for (unsigned int i = 0; i < c->cfg.nr_pci && n < max; i++)
		xl_pci(c->cfg.pci[i], &out[n++]);
	return (int)n;
}

/* Whether a running domain holds sbdf. */
static bool xl_pci_held(uint32_t sbdf)
{
	for (unsigned int i = 0; i < ctl_nr_doms; i++) {
		const struct ctl_dom *c = &ctl_doms[i];

		if (c->state == CTL_DOWN)
			continue;
		for (unsigned int k = 0; k < c->cfg.nr_pci; k++)
			if (c->cfg.pci[k] == sbdf)
				return true;
	}
	return false;
}

/*
 * The functions the configs name whose domain is down. The hypervisor
 * has no call yet that lists the host's PCI functions and their owners
 * (it knows them: it scans the bus at boot), so functions no config
 * names are not shown.
 */
static int xl_pci_assignable(void *ctx, struct shell_pci *out, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < ctl_nr_doms; i++) {
		const struct ctl_dom *c = &ctl_doms[i];

		for (unsigned int k = 0; k < c->cfg.nr_pci && n < max; k++) {
			bool dup = false;

			if (xl_pci_held(c->cfg.pci[k]))
				continue;
			for (unsigned int j = 0; j < n; j++) {
				struct shell_pci p;

				xl_pci(c->cfg.pci[k], &p);
				dup |= !memcmp(&p, &out[j], sizeof(p));
			}
			if (!dup)
				xl_pci(c->cfg.pci[k], &out[n++]);
		}
	}
	return (int)n;
}

static unsigned long xl_read_uint(const char *dir, const char *key)
{
	char path[XL_PATH_MAX + 24];
	unsigned long v = 0;

	fmt_snprintf(path, sizeof(path), "%s/%s", dir, key);
	if (xenbus_read_uint(&ctl_xb, XENBUS_NO_TX, path, &v) < 0)
		return 0;
	return v;
}

static void xl_read_str(const char *dir, const char *key, char *buf, size_t len)
{
	char path[XL_PATH_MAX + 24];

	fmt_snprintf(path, sizeof(path), "%s/%s", dir, key);
	if (xenbus_read(&ctl_xb, XENBUS_NO_TX, path, buf, len) < 0)
		buf[0] = '\0';
}

/* What every frontend directory says of its backend and connection. */
static void xl_read_front(const char *fe, uint16_t *backend,
			  unsigned int *state, unsigned int *evtch,
			  char *be_path, size_t len)
{
	*backend = (uint16_t)xl_read_uint(fe, "backend-id");
	*state = (unsigned int)xl_read_uint(fe, "state");
	*evtch = (unsigned int)xl_read_uint(fe, "event-channel");
	xl_read_str(fe, "backend", be_path, len);
}

static int xl_net_list(void *ctx, uint16_t id, struct shell_nic *out,
		       unsigned int max)
{
	const struct ctl_dom *c = xl_ours(id);
	unsigned int n = 0;

	if (!c)
		return 0;
	for (unsigned int i = 0; i < c->cfg.nr_vifs && n < max; i++) {
		struct shell_nic *o = &out[n++];
		char fe[XL_PATH_MAX];

		memset(o, 0, sizeof(*o));
		fmt_snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/%u",
			     id, i);
		o->devid = i;
		cfg_vif_mac(&c->cfg, i, o->mac);
		xl_read_front(fe, &o->backend, &o->state, &o->evtch, o->be_path,
			      sizeof(o->be_path));
		o->tx_ref = (unsigned int)xl_read_uint(fe, "tx-ring-ref");
		o->rx_ref = (unsigned int)xl_read_uint(fe, "rx-ring-ref");
	}
	return (int)n;
}

static int xl_blk_list(void *ctx, uint16_t id, struct shell_vbd *out,
		       unsigned int max)
{
	const struct ctl_dom *c = xl_ours(id);
	unsigned int n = 0;

	if (!c)
		return 0;
	for (unsigned int i = 0; i < c->cfg.nr_disks && n < max; i++) {
		struct shell_vbd *o = &out[n++];
		char fe[XL_PATH_MAX];

		memset(o, 0, sizeof(*o));
		o->vdev = c->cfg.disks[i].vdev;
		fmt_snprintf(fe, sizeof(fe), "/local/domain/%u/device/vbd/%u",
			     id, o->vdev);
		o->handle = o->vdev;
		xl_read_front(fe, &o->backend, &o->state, &o->evtch, o->be_path,
			      sizeof(o->be_path));
		o->ring_ref = (unsigned int)xl_read_uint(fe, "ring-ref");
	}
	return (int)n;
}

/* ---- the table -------------------------------------------------------- */

const struct shell_ops xl_ops = {
	.write = xl_console_write,
	.list = xl_list,
	.info = xl_info,
	.create = xl_create_op,
	.action = xl_action,
	.console_open = xl_console_open,
	.console_input = xl_console_input,
	.vcpu_list = xl_vcpu_list,
	.vcpu_pin = xl_vcpu_pin,
	.vcpu_set = xl_vcpu_set,
	.pci_list = xl_pci_list,
	.pci_assignable = xl_pci_assignable,
	.net_list = xl_net_list,
	.blk_list = xl_blk_list,
	.dmesg = xl_dmesg,
};
