/*
 * The control domain: builds the system its configuration files describe
 * (xenstore domain, driver domains, guests), wires each guest's devices
 * to their backends in xenstore, and restarts what crashes. It holds no
 * device and has no network: everything it does goes through domctl and
 * xenstore.
 */
#ifndef CONTROL_CONTROL_H
#define CONTROL_CONTROL_H

#include <stdbool.h>
#include <stdint.h>
#include <public/xen.h>
#include <stub/builder.h>
#include <stub/xenbus.h>
#include "cfg.h"

#define CTL_MAX_DOMS 16
#define CTL_MS	     1000000ull

enum ctl_state {
	CTL_DOWN,      /* not built (never, destroyed, or given up on) */
	CTL_RUNNING,   /* built and unpaused */
	CTL_WAITING,   /* crashed; restarted at restart_at (back-off) */
	CTL_PRESERVED, /* crashed, kept for inspection (on_crash=preserve) */
};

struct ctl_dom {
	struct dom_cfg cfg;
	const void *image; /* in the boot bundle */
	unsigned long image_len;
	enum ctl_state state;
	domid_t domid;	   /* DOMID_INVALID while down */
	uint64_t built_at; /* stub_now() of the last build */
	uint64_t fault_at; /* when the last crash was seen */
	uint64_t back_at;  /* when its devices were all connected again */
	uint64_t restart_at;
	unsigned int restarts;	    /* in all */
	unsigned int quick;	    /* crashes in a row soon after a build */
	bool waiting_connect;	    /* restarted: its devices not all back */
	xen_domain_handle_t handle; /* kept by a restart: see ctl_dom_rebuild */
	domid_t standby;	    /* built and waiting, or DOMID_INVALID */
	bool warm;		    /* the instance is a standby taken over */
	domid_t unforgotten;	    /* killed, not yet forgotten */
	uint64_t standby_after;	    /* no standby build before (a failure) */
	struct stub_build standby_build;
	uint64_t io_ops;	 /* for top: not known yet */
	struct stub_build build; /* the last build's results */
};

extern struct ctl_dom ctl_doms[CTL_MAX_DOMS];
extern unsigned int ctl_nr_doms;
extern struct xenbus ctl_xb;
extern domid_t ctl_xs_domid; /* the xenstore domain, once built */

/* bundle.c: the boot modules. */
const void *ctl_bundle_file(const char *name, unsigned long *len);
/* Each module whose name ends in ".cfg", in order: fn(name, text, len). */
void ctl_bundle_configs(void (*fn)(const char *name, const char *text,
				   unsigned long len));
unsigned long ctl_bundle_count(void);

/* domain.c: one domain's life. */
struct ctl_dom *ctl_dom_by_name(const char *name);
struct ctl_dom *ctl_dom_by_id(domid_t domid);
/*
 * Build, introduce, give devices, wire; left paused, but for a standby
 * taken over, which runs already (d->warm until ctl_dom_unpause()). 0
 * or -1 (logged). A build is a new domain (a new handle: its PCI
 * functions are reset before it gets them); a rebuild restarts the same
 * one (the handle it had: no reset but its driver's own, and no 100 ms
 * FLR on the way).
 */
long ctl_dom_build(struct ctl_dom *d);
long ctl_dom_rebuild(struct ctl_dom *d);
/*
 * An instance of d in b: built, paused, at home in xenstore; no devices.
 * A standby's command line has "standby=1" (driverdom/standby.h).
 */
long ctl_dom_instance(struct ctl_dom *d, struct stub_build *b, bool standby);
long ctl_dom_unpause(struct ctl_dom *d);
/* Devices unplugged, domain destroyed and released in xenstore. */
void ctl_dom_destroy(struct ctl_dom *d);
/*
 * The two halves: destroyed (its guest devices unplugged, its console
 * closed), then forgotten (its backend directories removed, its store
 * connection released). A restart forgets the old instance only once
 * the standby serves: the frontends see their backend move in one
 * change, and nothing waits for the release.
 */
void ctl_dom_kill(struct ctl_dom *d);
void ctl_dom_forget(struct ctl_dom *d);

/* devices.c: vifs and vbds in xenstore. */
/* Every device of guest g whose backend is running: wired to it. */
void ctl_wire_guest(struct ctl_dom *g);
/* Every running guest's devices served by backend be: wired to it. */
void ctl_wire_backend(struct ctl_dom *be);
/* be is gone: its backend directories removed, frontends see it go. */
void ctl_unwire_backend(domid_t be);
/* g is going: its devices' backend directories removed. */
void ctl_unwire_guest(struct ctl_dom *g);
/* How many devices be serves (of running guests); *connected: how
 * many of them are Connected (state 4). */
unsigned int ctl_backend_devices(struct ctl_dom *be, unsigned int *connected);
/* Whether every device be serves is Connected. */
bool ctl_backend_connected(struct ctl_dom *be);

/* standby.c: a second instance kept ready (cfg standby = 1). */
/* Built when due: d runs, its devices are connected, none is ready. */
void ctl_standby_poll(struct ctl_dom *d, uint64_t now);
/* When ctl_standby_poll() wants to run next for d, or 0. */
uint64_t ctl_standby_deadline(const struct ctl_dom *d);
/* The standby becomes d's instance (d->domid): 0, or -1 if none is fit. */
long ctl_standby_take(struct ctl_dom *d);
/*
 * Tell the instance taken over that its devices are assigned: "1" in
 * its CTL_TAKEOVER_NODE (driverdom/standby.h). 0 or -1 (logged).
 */
#define CTL_TAKEOVER_NODE "control/takeover"
long ctl_standby_go(struct ctl_dom *d);
/* A standby that stopped (a crash while it waited): destroyed. */
void ctl_standby_look(struct ctl_dom *d, uint64_t now);
void ctl_standby_destroy(struct ctl_dom *d);
/* The domain whose standby id is, or NULL. */
struct ctl_dom *ctl_standby_owner(domid_t id);

/* supervisor.c: crashes and restarts. */
void ctl_supervisor_init(void);
/* VIRQ_DOM_EXC came, or a deadline passed: look at every domain. */
void ctl_supervise(uint64_t now);
/* The earliest deadline the supervisor waits for, or 0. */
uint64_t ctl_supervisor_deadline(void);

/* faults.c (faults-stub.c without CONFIG_FAULT_INJECT): crash tests. */
void ctl_faults_init(const char *cmdline);
void ctl_faults_poll(uint64_t now);

/* boot.c: the whole system, in order, with a timeline. */
/* host_mib: memory the layout may use. 0, or -1 when it cannot boot. */
long ctl_boot(uint64_t host_mib);
/* Call from the main loop: prints when every device first connected. */
void ctl_boot_poll(void);
void ctl_timeline(const char *what);

#endif
