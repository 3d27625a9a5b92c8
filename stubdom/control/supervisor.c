/*
 * The restart supervisor. VIRQ_DOM_EXC says some domain shut down; each
 * of ours is looked at, and one that crashed (a fault, its watchdog) is
 * handled as its config's on_crash says: destroyed, kept, or restarted.
 * A restart destroys what is left (the hypervisor revokes its mappings
 * and quiesces its devices), builds a fresh instance from the same image
 * under the same domain handle, gives it its devices (not reset by the
 * hypervisor, as they went back to the same domain: its driver resets
 * them) and writes its backend directories again; the guests are not
 * touched, their frontends reconnect on their own. One that died soon
 * after its start gets a new handle, and so fully reset devices.
 *
 * A domain that dies soon after each start is restarted at once twice,
 * then with a back-off that doubles up to CTL_BACKOFF_MAX, and reported:
 * never in a tight loop.
 */
#include <public/domctl.h>
#include <public/event_channel.h>
#include <public/sched.h>
#include <xen/lib.h>
#include <stub/events.h>
#include <stub/stub.h>
#include <stub/time.h>
#include "control.h"

#define CTL_QUICK_NS	  (500 * CTL_MS) /* "soon after its start" */
#define CTL_QUICK_FREE	  2		 /* restarted at once */
#define CTL_BACKOFF_FIRST (100 * CTL_MS)
#define CTL_BACKOFF_MAX	  (30000 * CTL_MS)

static volatile unsigned long ctl_dom_exc;
static unsigned long ctl_dom_exc_seen;

static void ctl_on_dom_exc(evtchn_port_t port, void *data)
{
	ctl_dom_exc++;
}

void ctl_supervisor_init(void)
{
	struct evtchn_bind_virq virq = { .virq = VIRQ_DOM_EXC };

	if (stub_evtchn_op(EVTCHNOP_bind_virq, &virq))
		stub_panic("control: cannot bind VIRQ_DOM_EXC");
	stub_event_bind(virq.port, ctl_on_dom_exc, NULL);
}

static const char *ctl_reason(unsigned int r)
{
	static const char *const names[] = { "poweroff", "reboot",
					     "suspend",	 "crash",
					     "watchdog", "soft_reset" };

	return r <= SHUTDOWN_MAX ? names[r] : "unknown";
}

/* How long to wait before the next start of d, which just crashed. */
static uint64_t ctl_backoff(struct ctl_dom *d, uint64_t now)
{
	uint64_t delay;

	if (now - d->built_at >= CTL_QUICK_NS) {
		d->quick = 0;
		return 0;
	}
	if (++d->quick <= CTL_QUICK_FREE)
		return 0;
	delay = CTL_BACKOFF_FIRST << (d->quick - CTL_QUICK_FREE - 1 < 16
					  ? d->quick - CTL_QUICK_FREE - 1
					  : 16);
	if (delay > CTL_BACKOFF_MAX)
		delay = CTL_BACKOFF_MAX;
	printf("control: %s keeps crashing (%u times in a row within %llu ms "
	       "of its start): next start in %llu ms\n",
	       d->cfg.name, d->quick,
	       (unsigned long long)(CTL_QUICK_NS / CTL_MS),
	       (unsigned long long)(delay / CTL_MS));
	return delay;
}

static void ctl_restart(struct ctl_dom *d, uint64_t now)
{
	domid_t old = d->domid;
	uint64_t t0 = stub_now();

	ctl_dom_kill(d);
	/* One that died soon after its start gets its devices fully reset. */
	if ((d->quick ? ctl_dom_build(d) : ctl_dom_rebuild(d)) < 0 ||
	    ctl_dom_unpause(d) < 0) {
		printf("control: %s: restart failed; retrying later\n",
		       d->cfg.name);
		ctl_dom_destroy(d);
		d->state = CTL_WAITING;
		d->restart_at = stub_now() + CTL_BACKOFF_FIRST;
		return;
	}
	d->restarts++;
	d->waiting_connect = true;
	printf("control: %s restarted (domain %u, was %u; restart %u): "
	       "rebuilt in %llu us, %llu us after the crash was seen\n",
	       d->cfg.name, d->domid, old, d->restarts,
	       (unsigned long long)((stub_now() - t0) / 1000),
	       (unsigned long long)((stub_now() - now) / 1000));
	ctl_dom_forget(d);
}

/* d has shut down with reason r: do what its config says. */
static void ctl_shut_down(struct ctl_dom *d, unsigned int r, uint64_t now)
{
	bool crash = r == SHUTDOWN_crash || r == SHUTDOWN_watchdog;
	enum cfg_action a = crash		   ? d->cfg.on_crash
			    : r == SHUTDOWN_reboot ? d->cfg.on_reboot
						   : d->cfg.on_poweroff;

	d->fault_at = now;
	ctl_timeline("shutdown seen");
	printf("control: %s (domain %u) shut down: %s\n", d->cfg.name, d->domid,
	       ctl_reason(r));
	if (a != CFG_ACTION_RESTART)
		ctl_standby_destroy(d); /* nothing for it to take over */
	if (a == CFG_ACTION_PRESERVE) {
		d->state = CTL_PRESERVED;
		return;
	}
	if (a == CFG_ACTION_DESTROY) {
		ctl_dom_destroy(d);
		return;
	}
	d->restart_at = now + ctl_backoff(d, now);
	d->state = CTL_WAITING;
	if (d->restart_at <= now)
		ctl_restart(d, now);
}

static void ctl_look(struct ctl_dom *d, uint64_t now)
{
	struct xen_domctl op;
	const struct xen_domctl_getdomaininfo *i = &op.u.getdomaininfo;

	if (stub_domctl(&op, XEN_DOMCTL_getdomaininfo, d->domid) < 0 ||
	    i->domain != d->domid) {
		printf("control: %s (domain %u) is gone\n", d->cfg.name,
		       d->domid);
		ctl_standby_destroy(d);
		d->domid = DOMID_INVALID;
		d->state = CTL_DOWN;
		return;
	}
	if (i->flags & XEN_DOMINF_shutdown)
		ctl_shut_down(d, i->shutdown_reason, now);
}

/* A restarted backend whose devices are all connected again. */
static void ctl_check_back(struct ctl_dom *d, uint64_t now)
{
	if (!d->waiting_connect || !ctl_backend_connected(d))
		return;
	d->waiting_connect = false;
	d->back_at = now;
	printf("control: %s: every device connected again %llu us after the "
	       "crash\n",
	       d->cfg.name, (unsigned long long)((now - d->fault_at) / 1000));
}

void ctl_supervise(uint64_t now)
{
	bool exc = ctl_dom_exc != ctl_dom_exc_seen;

	ctl_dom_exc_seen = ctl_dom_exc;
	for (unsigned int i = 0; i < ctl_nr_doms; i++) {
		struct ctl_dom *d = &ctl_doms[i];

		if (d->state == CTL_RUNNING && exc)
			ctl_look(d, now);
		if (exc)
			ctl_standby_look(d, now);
		if (d->state == CTL_WAITING && now >= d->restart_at)
			ctl_restart(d, now);
		if (d->state == CTL_RUNNING)
			ctl_check_back(d, now);
		if (d->state == CTL_RUNNING)
			ctl_standby_poll(d, now);
	}
}

uint64_t ctl_supervisor_deadline(void)
{
	uint64_t t = 0;

	for (unsigned int i = 0; i < ctl_nr_doms; i++) {
		uint64_t s = ctl_standby_deadline(&ctl_doms[i]);

		if (ctl_doms[i].state == CTL_WAITING &&
		    (!t || ctl_doms[i].restart_at < t))
			t = ctl_doms[i].restart_at;
		if (s && (!t || s < t))
			t = s;
	}
	return t;
}
