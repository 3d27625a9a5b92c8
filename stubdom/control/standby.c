/*
 * Standbys. A driver domain whose config says standby = 1 has a second
 * instance kept ready: from the same image, under the same handle, at
 * home in xenstore, but with no device and no backend directory. It
 * runs its start-up as far as it goes without a device and waits
 * (driverdom/standby.h). When the running instance crashes, the
 * standby takes over: its devices are assigned, it is told so through
 * its takeover node and opens them while its backends are wired, so the
 * restart waits for no build and no start-up. Another standby is built
 * once the new instance serves every device again and
 * CTL_STANDBY_DELAY has passed, so the build does not compete with the
 * reconnection.
 */
#include <public/domctl.h>
#include <xen/lib.h>
#include <stub/consback.h>
#include <stub/stub.h>
#include <stub/time.h>
#include <stub/xenbus_glue.h>
#include "control.h"

#define CTL_STANDBY_DELAY (200 * CTL_MS)
#define CTL_STANDBY_RETRY (10000 * CTL_MS) /* after a failed build */

static bool ctl_standby_wanted(const struct ctl_dom *d)
{
	return d->cfg.standby && d->state == CTL_RUNNING &&
	       d->standby == DOMID_INVALID && !d->waiting_connect;
}

uint64_t ctl_standby_deadline(const struct ctl_dom *d)
{
	uint64_t at = d->built_at + CTL_STANDBY_DELAY;

	if (!ctl_standby_wanted(d))
		return 0;
	if (d->back_at + CTL_STANDBY_DELAY > at)
		at = d->back_at + CTL_STANDBY_DELAY;
	return d->standby_after > at ? d->standby_after : at;
}

void ctl_standby_poll(struct ctl_dom *d, uint64_t now)
{
	uint64_t at = ctl_standby_deadline(d);
	struct xen_domctl op;

	if (!at || now < at || !ctl_backend_connected(d))
		return;
	if (ctl_dom_instance(d, &d->standby_build, true) < 0) {
		/* Not now (logged): restarts build as they always did. */
		d->standby_after = now + CTL_STANDBY_RETRY;
		return;
	}
	d->standby = d->standby_build.domid;
	if (stub_domctl(&op, XEN_DOMCTL_unpausedomain, d->standby) < 0) {
		printf("control: %s: standby domain %u would not start\n",
		       d->cfg.name, d->standby);
		ctl_standby_destroy(d);
		d->standby_after = now + CTL_STANDBY_RETRY;
		return;
	}
	printf("control: %s: standby ready (domain %u)\n", d->cfg.name,
	       d->standby);
}

void ctl_standby_destroy(struct ctl_dom *d)
{
	if (d->standby == DOMID_INVALID)
		return;
	consback_remove(d->standby);
	if (stub_destroy_domain(d->standby) < 0)
		printf("control: %s: destroying standby domain %u failed\n",
		       d->cfg.name, d->standby);
	stub_xenbus_release(&ctl_xb, d->standby);
	d->standby = DOMID_INVALID;
}

/* Alive: not shut down, nor paused by someone. */
static bool ctl_standby_fit(const struct ctl_dom *d)
{
	struct xen_domctl op;
	const struct xen_domctl_getdomaininfo *i = &op.u.getdomaininfo;

	return stub_domctl(&op, XEN_DOMCTL_getdomaininfo, d->standby) == 0 &&
	       i->domain == d->standby &&
	       !(i->flags &
		 (XEN_DOMINF_paused | XEN_DOMINF_shutdown | XEN_DOMINF_dying));
}

void ctl_standby_look(struct ctl_dom *d, uint64_t now)
{
	if (d->standby == DOMID_INVALID || ctl_standby_fit(d))
		return;
	printf("control: %s: standby domain %u stopped: destroyed, another "
	       "built later\n",
	       d->cfg.name, d->standby);
	ctl_standby_destroy(d);
	d->standby_after = now + CTL_STANDBY_RETRY;
}

long ctl_standby_go(struct ctl_dom *d)
{
	char path[64];

	fmt_snprintf(path, sizeof(path), "/local/domain/%u/" CTL_TAKEOVER_NODE,
		     d->domid);
	if (!xenbus_write(&ctl_xb, XENBUS_NO_TX, path, "1"))
		return 0;
	printf("control: %s: cannot tell domain %u to take over\n", d->cfg.name,
	       d->domid);
	return -1;
}

long ctl_standby_take(struct ctl_dom *d)
{
	if (d->standby == DOMID_INVALID)
		return -1;
	if (!ctl_standby_fit(d)) {
		printf("control: %s: standby domain %u is not fit: built "
		       "again instead\n",
		       d->cfg.name, d->standby);
		ctl_standby_destroy(d);
		return -1;
	}
	d->domid = d->standby;
	d->build = d->standby_build;
	d->standby = DOMID_INVALID;
	printf("control: %s: standby domain %u takes over\n", d->cfg.name,
	       d->domid);
	return 0;
}

struct ctl_dom *ctl_standby_owner(domid_t id)
{
	for (unsigned int i = 0; i < ctl_nr_doms; i++)
		if (ctl_doms[i].standby == id && id != DOMID_INVALID)
			return &ctl_doms[i];
	return NULL;
}
