/*
 * Booting the system the bundle's configs describe: every config parsed
 * and the layout checked before anything is built (a bad file or layout
 * stops the boot with the reason, nothing half started); then the
 * xenstore domain, the driver domains, the guests. A domain is unpaused
 * as soon as it is built and wired, so driver domains bring their
 * devices up while the guests are being built, and a guest's frontend
 * meets its backend whenever both are ready. A timeline of the steps is
 * printed as they happen.
 */
#include <public/domctl.h>
#include <public/grant_table.h>
#include <public/event_channel.h>
#include <xen/lib.h>
#include <xen/string.h>
#include <stub/consback.h>
#include <stub/events.h>
#include <stub/gnttab.h>
#include <stub/stub.h>
#include <stub/time.h>
#include <stub/xenbus_glue.h>
#include "control.h"

#define CTL_STORE_VA 0x32000000ul

struct xenbus ctl_xb;
domid_t ctl_xs_domid = DOMID_INVALID;
static uint64_t ctl_boot_t0;
static unsigned int ctl_cfg_errors;
static struct dom_cfg ctl_cfgs[CTL_MAX_DOMS]; /* the configs, side by side */
static bool ctl_all_up;

void ctl_timeline(const char *what)
{
	uint64_t us = (stub_now() - ctl_boot_t0) / 1000;

	printf("control: [%4llu.%03llu ms] %s\n", (unsigned long long)us / 1000,
	       (unsigned long long)us % 1000, what);
}

static void ctl_add_config(const char *name, const char *text,
			   unsigned long len)
{
	static char err[160];
	struct ctl_dom *d = &ctl_doms[ctl_nr_doms];

	if (ctl_nr_doms == CTL_MAX_DOMS) {
		printf("control: %s: more than %u domains\n", name,
		       CTL_MAX_DOMS);
		ctl_cfg_errors++;
		return;
	}
	if (cfg_parse(name, text, len, &d->cfg, err, sizeof(err)) < 0) {
		printf("control: %s\n", err);
		ctl_cfg_errors++;
		return;
	}
	d->image = ctl_bundle_file(d->cfg.kernel, &d->image_len);
	if (!d->image) {
		printf("control: %s: kernel '%s' is not in the boot bundle\n",
		       name, d->cfg.kernel);
		ctl_cfg_errors++;
		return;
	}
	d->domid = DOMID_INVALID;
	d->standby = DOMID_INVALID;
	d->unforgotten = DOMID_INVALID;
	d->state = CTL_DOWN;
	ctl_nr_doms++;
}

/* Every config, checked together; false (and why) if the boot must stop. */
static bool ctl_load(uint64_t host_mib)
{
	static char err[1024];

	ctl_bundle_configs(ctl_add_config);
	for (unsigned int i = 0; i < ctl_nr_doms; i++)
		ctl_cfgs[i] = ctl_doms[i].cfg;
	if (!ctl_cfg_errors && cfg_check_layout(ctl_cfgs, ctl_nr_doms, host_mib,
						err, sizeof(err))) {
		printf("control: the domain layout is refused:\n%s\n", err);
		ctl_cfg_errors++;
	}
	if (ctl_cfg_errors)
		return false;
	if (!ctl_nr_doms)
		printf("control: no domain configs in the boot bundle\n");
	return ctl_nr_doms > 0;
}

/* The store's ring is the xenstore domain's own page, granted to us. */
static long ctl_connect_store(struct ctl_dom *xs)
{
	static grant_handle_t handle;
	struct evtchn_bind_interdomain bi = {
		.remote_dom = xs->domid,
		.remote_port = xs->build.store_port,
	};

	if (stub_grant_map(xs->domid, GNTTAB_RESERVED_XENSTORE, CTL_STORE_VA,
			   false, &handle) != GNTST_okay ||
	    stub_evtchn_op(EVTCHNOP_bind_interdomain, &bi))
		return -1;
	stub_xenbus_connect(&ctl_xb, (void *)CTL_STORE_VA, bi.local_port);
	return 0;
}

static void ctl_start(struct ctl_dom *d)
{
	char what[96];

	if (ctl_dom_build(d) < 0)
		return;
	if (d->cfg.xenstore_domain) {
		ctl_xs_domid = d->domid;
		if (ctl_connect_store(d) < 0)
			stub_panic("control: cannot reach xenstored");
	}
	if (ctl_dom_unpause(d) < 0)
		printf("control: %s: cannot unpause it\n", d->cfg.name);
	fmt_snprintf(what, sizeof(what), "%s started (domain %u)", d->cfg.name,
		     d->domid);
	ctl_timeline(what);
}

long ctl_boot(uint64_t host_mib)
{
	static unsigned int order[CTL_MAX_DOMS];

	ctl_boot_t0 = stub_now();
	if (!ctl_load(host_mib))
		return -1;
	ctl_timeline("configs read and checked");
	cfg_boot_order(ctl_cfgs, ctl_nr_doms, order);
	if (!ctl_doms[order[0]].cfg.xenstore_domain)
		return -1; /* the layout check requires one */
	for (unsigned int i = 0; i < ctl_nr_doms; i++)
		ctl_start(&ctl_doms[order[i]]);
	return 0;
}

/* Once, at boot: the moment every driver domain serves every device. */
void ctl_boot_poll(void)
{
	if (ctl_all_up || !ctl_boot_t0)
		return;
	for (unsigned int i = 0; i < ctl_nr_doms; i++) {
		struct ctl_dom *d = &ctl_doms[i];

		if (d->cfg.driver_domain &&
		    (d->state != CTL_RUNNING || !ctl_backend_connected(d)))
			return;
	}
	ctl_all_up = true;
	ctl_timeline("every device connected");
}
