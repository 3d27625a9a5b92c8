/*
 * One vbd's backend state machine over xenbus (see blkback/xenbus.h).
 *
 * Order when letting go: the vbd stops using the ring, the event
 * channel is closed and the ring unmapped, and only then is Closing or
 * Closed written, so a frontend that reacts finds its grant free to end.
 */
#include <xen/lib.h>
#include <xen/string.h>
#include "include/blkback/xenbus.h"

#define XB_TXN_TRIES   8
#define XB_LOG(x, ...) (x)->ops.bb->log((x)->ops.bb->ctx, __VA_ARGS__)

static const char *fe_token = "blkback-fe";

enum bb_xb_action bb_xb_decide(int be, bool up, bool busy, int fe, bool gave_up)
{
	bool fe_up = fe == XenbusStateInitialised || fe == XenbusStateConnected;
	bool fe_closing = fe == XenbusStateClosing;

	switch (be) {
	case XenbusStateUnknown:
		return BB_XB_FORGET;
	case XenbusStateInitialising:
		return BB_XB_ADVERTISE; /* the toolstack's: new, or reset */
	case XenbusStateInitWait:
		if (up)
			return BB_XB_RESET;
		if (fe_up)
			return busy ? BB_XB_NOTHING : BB_XB_CONNECT;
		return fe_closing ? BB_XB_CLOSING : BB_XB_NOTHING;
	case XenbusStateConnected:
		if (fe_up)
			return up ? BB_XB_NOTHING : BB_XB_CLOSING;
		return fe_closing ? BB_XB_CLOSING : BB_XB_RESET;
	case XenbusStateClosing:
		/* We let go (or failed): wait for the frontend to close. */
		if (fe_up || fe_closing)
			return up ? BB_XB_CLOSING : BB_XB_NOTHING;
		return BB_XB_RESET;
	case XenbusStateClosed:
		if (gave_up)
			return up ? BB_XB_RESET : BB_XB_NOTHING;
		if (fe_up)
			return BB_XB_CLOSING; /* it must start over */
		return fe_closing ? BB_XB_NOTHING : BB_XB_RESET;
	default:
		return BB_XB_RESET; /* not a backend's state: normalise */
	}
}

/* ---- The store ---- */

static int xb_path(const char *dir, const char *key, char *buf, size_t size)
{
	int n = fmt_snprintf(buf, size, "%s/%s", dir, key);

	return n < 0 || (size_t)n >= size ? -XEN_E2BIG : 0;
}

static int xb_switch(struct bb_xb *x, int state)
{
	int rc = xenbus_switch_state(x->ops.xb, XENBUS_NO_TX, x->be_dir, state);

	if (rc)
		XB_LOG(x, "vbd %u/%u: cannot write state %s (%d)\n", x->domid,
		       x->devid, xenbus_state_name(state), rc);
	return rc;
}

static void fe_watch_fn(struct xenbus *xb, const char *path, const char *token,
			void *data)
{
	struct bb_xb *x = data;

	x->dirty = true;
}

static void fe_unwatch(struct bb_xb *x)
{
	if (x->fe_watched)
		xenbus_unwatch(x->ops.xb, x->fe_state, fe_token);
	x->fe_watched = false;
}

/*
 * frontend and frontend-id from our dir (the toolstack's, but checked:
 * the id is the dir's, the path is that domain's), and a watch on the
 * frontend's state.
 */
static int xb_read_frontend(struct bb_xb *x)
{
	char fe[BB_XB_FE_MAX];
	int rc = xenbus_read_frontend(x->ops.xb, x->be_dir, x->domid, fe,
				      sizeof(fe));

	if (rc)
		return rc;
	if (x->fe_watched && !strcmp(fe, x->fe_dir))
		return 0;
	fe_unwatch(x);
	memcpy(x->fe_dir, fe, strlen(fe) + 1);
	fmt_snprintf(x->fe_state, sizeof(x->fe_state), "%s/state", fe);
	rc = xenbus_watch(x->ops.xb, x->fe_state, fe_token, fe_watch_fn, x);
	if (rc) {
		x->fe_dir[0] = '\0';
		return rc;
	}
	x->fe_watched = true;
	return 0;
}

/* ---- Letting go ---- */

static void xb_release(struct bb_xb *x)
{
	long rc;

	bb_vbd_disconnect(&x->vbd, "frontend gone");
	if (x->bound)
		x->ops.close(x->ops.env, x->port);
	x->bound = false;
	if (x->mapped) {
		rc = x->ops.unmap(x->ops.env, x->ring_va, x->handle);
		if (rc)
			XB_LOG(x,
			       "vbd %u/%u: unmapping the ring failed (%ld)\n",
			       x->domid, x->devid, rc);
	}
	x->mapped = false;
	x->ring_va = NULL;
}

static void xb_teardown(struct bb_xb *x)
{
	const struct bb_vbd_stats *s = &x->vbd.stats;

	if (!x->up)
		return;
	xb_release(x);
	x->up = false;
	XB_LOG(x,
	       "vbd %u/%u disconnected: %lu reads (%lu sectors), %lu writes "
	       "(%lu sectors), %lu flushes, %lu discards, %lu errors\n",
	       x->domid, x->devid, s->reads, s->read_sectors, s->writes,
	       s->written_sectors, s->flushes + s->barriers, s->discards,
	       s->errors);
}

static void xb_failed(struct bb_xb *x)
{
	if (++x->fails >= BB_XB_MAX_FAILS && !x->gave_up_logged) {
		XB_LOG(x,
		       "vbd %u/%u: %u failures in a row: left Closed until "
		       "the toolstack resets it\n",
		       x->domid, x->devid, x->fails);
		x->gave_up_logged = true;
	}
}

/* ---- Offering the disk ---- */

/* target and mode, resolved into the vbd's configuration. */
static int xb_resolve(struct bb_xb *x, const char **why)
{
	struct bb_vbd_config cfg = { 0 };
	struct bb_target t;
	char target[64], mode[4], path[2][BB_XB_DIR_MAX + 16];
	struct xenbus_read_req r[2] = { { path[0], target, sizeof(target), 0 },
					{ path[1], mode, sizeof(mode), 0 } };
	int rc;

	*why = "no usable target node";
	rc = xb_path(x->be_dir, "target", path[0], sizeof(path[0]));
	if (!rc)
		rc = xb_path(x->be_dir, "mode", path[1], sizeof(path[1]));
	if (!rc)
		rc = xenbus_read_batch(x->ops.xb, XENBUS_NO_TX, r, 2);
	if (!rc)
		rc = xenbus_batch_str(&r[0]);
	if (!rc)
		rc = bb_target_parse(target, &t);
	if (rc)
		return rc;
	*why = "mode is neither r nor w";
	rc = xenbus_batch_str(&r[1]);
	if (rc || (strcmp(mode, "r") && strcmp(mode, "w")))
		return rc ? rc : -XEN_EINVAL;
	rc = x->ops.resolve(x->ops.env, &t, &cfg, why);
	if (rc)
		return rc;
	cfg.readonly = mode[0] == 'r';
	cfg.page_base = x->page_base;
	cfg.page_count = x->page_count;
	rc = bb_config_check(&cfg, why);
	if (!rc)
		rc = bb_vbd_init(&x->vbd, x->ops.bb, &cfg);
	x->resolved = !rc;
	return rc;
}

struct adv {
	struct bb_xb *x;
	char path[BB_XB_DIR_MAX + 40];
};

static int adv_put(struct xenbus *xb, uint32_t tx, struct adv *a,
		   const char *key, unsigned long long v)
{
	int rc = xb_path(a->x->be_dir, key, a->path, sizeof(a->path));

	return rc ? rc : xenbus_printf(xb, tx, a->path, "%llu", v);
}

/* What blkfront reads: the size, the sector sizes, info, features. */
static int advertise_txn(struct xenbus *xb, uint32_t tx, void *data)
{
	struct adv *a = data;
	const struct bb_vbd_config *c = &a->x->vbd.cfg;
	int rc;

	rc = adv_put(xb, tx, a, "sectors", c->sectors);
	rc = rc ? rc : adv_put(xb, tx, a, "sector-size", BB_SECTOR_SIZE);
	rc =
	    rc ? rc : adv_put(xb, tx, a, "physical-sector-size", c->block_size);
	rc = rc ? rc
		: adv_put(xb, tx, a, "info", c->readonly ? VDISK_READONLY : 0);
	rc = rc ? rc : adv_put(xb, tx, a, "feature-flush-cache", 1);
	rc = rc ? rc : adv_put(xb, tx, a, "feature-barrier", 1);
	rc = rc ? rc
		: adv_put(xb, tx, a, "feature-max-indirect-segments",
			  bb_indirect_segs(c));
	rc = rc ? rc : adv_put(xb, tx, a, "feature-discard", c->discard);
	rc = rc ? rc
		: adv_put(xb, tx, a, "feature-persistent",
			  bb_vbd_persist_offered(&a->x->vbd));
	if (c->discard) {
		rc = rc ? rc
			: adv_put(xb, tx, a, "discard-granularity",
				  c->block_size);
		rc = rc ? rc : adv_put(xb, tx, a, "discard-alignment", 0);
		rc = rc ? rc : adv_put(xb, tx, a, "discard-secure", 0);
	}
	return rc ? rc
		  : xenbus_switch_state(xb, tx, a->x->be_dir,
					XenbusStateInitWait);
}

/* 0 with InitWait written; else nothing changed (or Closed: gave up). */
static int xb_advertise(struct bb_xb *x, bool reset)
{
	struct adv a = { .x = x };
	const char *why;
	int rc;

	xb_teardown(x);
	if (reset) {
		x->fails = 0;
		x->gave_up_logged = false;
	}
	rc = xb_read_frontend(x);
	if (rc) {
		/* The toolstack may not have written it yet: wait for it. */
		if (!x->fe_bad_logged)
			XB_LOG(x, "vbd %u/%u: no usable frontend node (%d)\n",
			       x->domid, x->devid, rc);
		x->fe_bad_logged = true;
		return rc;
	}
	x->fe_bad_logged = false;
	if (bb_vbd_busy(&x->vbd))
		return -XEN_EBUSY; /* bb_xb_poll() comes back when drained */
	rc = xb_resolve(x, &why);
	if (rc) {
		XB_LOG(x, "vbd %u/%u: no disk: %s (%d)\n", x->domid, x->devid,
		       why, rc);
		x->fails = BB_XB_MAX_FAILS;
		x->gave_up_logged = true;
		xb_switch(x, XenbusStateClosed);
		return rc;
	}
	rc = xenbus_transaction(x->ops.xb, advertise_txn, &a, XB_TXN_TRIES);
	if (rc)
		XB_LOG(x, "vbd %u/%u: cannot advertise (%d)\n", x->domid,
		       x->devid, rc);
	return rc;
}

/* ---- Connecting ---- */

struct fe_offer {
	grant_ref_t ref;
	evtchn_port_t port;
	bool persistent; /* it reuses its grants */
};

/* The frontend's keys xb_read_offer() reads, in one round trip. */
static const char *const xb_offer_keys[] = { "ring-page-order", "ring-ref",
					     "event-channel", "protocol",
					     "feature-persistent" };
#define XB_OFFER_KEYS (sizeof(xb_offer_keys) / sizeof(xb_offer_keys[0]))

/* What the frontend offers, read and checked; why not in *why. */
static int xb_read_offer(struct bb_xb *x, struct fe_offer *o, const char **why)
{
	static char path[XB_OFFER_KEYS][XENBUS_WATCH_PATH_MAX + 32];
	static char val[XB_OFFER_KEYS][XENBUS_UINT_MAX];
	struct xenbus_read_req r[XB_OFFER_KEYS];
	unsigned long v;
	int rc = 0;

	*why = "the store";
	for (unsigned int i = 0; i < XB_OFFER_KEYS && !rc; i++) {
		rc = xb_path(x->fe_dir, xb_offer_keys[i], path[i],
			     sizeof(path[i]));
		r[i] = (struct xenbus_read_req){ path[i], val[i],
						 sizeof(val[i]), 0 };
	}
	if (!rc)
		rc = xenbus_read_batch(x->ops.xb, XENBUS_NO_TX, r,
				       XB_OFFER_KEYS);
	if (rc)
		return rc;
	*why = "ring-page-order: multi-page rings are not offered";
	rc = xenbus_batch_uint(&r[0], 0, &v);
	if (rc && rc != -XEN_ENOENT)
		return rc;
	*why = "ring-ref";
	rc = xenbus_batch_uint(&r[1], UINT32_MAX, &v);
	if (rc)
		return rc;
	o->ref = (grant_ref_t)v;
	*why = "event-channel";
	rc = xenbus_batch_uint(&r[2], UINT32_MAX, &v);
	if (rc)
		return rc;
	o->port = (evtchn_port_t)v;
	*why = "feature-persistent";
	rc = xenbus_batch_uint(&r[4], 1, &v);
	if (rc && rc != -XEN_ENOENT)
		return rc;
	o->persistent = !rc && v;
	*why = "protocol: only " BB_XB_PROTOCOL " is served";
	rc = xenbus_batch_str(&r[3]);
	if (rc == -XEN_ENOENT)
		return 0; /* native: x86_64 */
	if (!rc && strcmp(r[3].buf, BB_XB_PROTOCOL))
		rc = -XEN_EOPNOTSUPP;
	return rc;
}

/* Map, bind, attach, Connected. 0, or the vbd is left Closing. */
static int xb_connect(struct bb_xb *x)
{
	struct fe_offer o;
	const char *why;
	long rc;

	rc = x->resolved ? 0 : xb_resolve(x, &why);
	if (!rc)
		rc = xb_read_offer(x, &o, &why);
	if (rc)
		goto fail;
	why = "mapping ring-ref";
	rc = x->ops.map(x->ops.env, x->domid, o.ref, &x->ring_va, &x->handle);
	if (rc)
		goto fail;
	x->mapped = true;
	why = "binding the event channel";
	rc = x->ops.bind(x->ops.env, x->domid, o.port);
	if (rc < 0)
		goto fail;
	x->port = (evtchn_port_t)rc;
	x->bound = true;
	why = "blkback refused the ring";
	rc = bb_vbd_attach(&x->vbd, x->domid, x->ring_va);
	if (rc)
		goto fail;
	bb_vbd_persist(&x->vbd, o.persistent);
	why = "writing Connected";
	rc = xb_switch(x, XenbusStateConnected);
	if (rc)
		goto fail;
	x->up = true;
	XB_LOG(x, "vbd %u/%u connected (%llu sectors%s)\n", x->domid, x->devid,
	       (unsigned long long)x->vbd.cfg.sectors,
	       x->vbd.cfg.readonly ? ", read-only" : "");
	return 0;

fail:
	xb_release(x);
	XB_LOG(x, "vbd %u/%u: cannot connect: %s (%ld)\n", x->domid, x->devid,
	       why, rc);
	xb_failed(x);
	xb_switch(x, XenbusStateClosing);
	return (int)rc;
}

/* ---- The machine ---- */

/* Do a; the state we are in after it, or -1 to stop looking. */
static int xb_act(struct bb_xb *x, enum bb_xb_action a, int be)
{
	bool clean = x->up;

	switch (a) {
	case BB_XB_ADVERTISE:
		return xb_advertise(x, be == XenbusStateInitialising)
			   ? -1
			   : XenbusStateInitWait;
	case BB_XB_CONNECT:
		return xb_connect(x) ? XenbusStateClosing
				     : XenbusStateConnected;
	case BB_XB_CLOSING:
		xb_teardown(x);
		return xb_switch(x, XenbusStateClosing) ? -1
							: XenbusStateClosing;
	case BB_XB_RESET:
		xb_teardown(x);
		if (clean)
			x->fails = 0; /* it worked, then ended */
		if (be != XenbusStateClosed && xb_switch(x, XenbusStateClosed))
			return -1;
		if (x->fails >= BB_XB_MAX_FAILS ||
		    xb_switch(x, XenbusStateInitWait))
			return -1;
		return XenbusStateInitWait;
	case BB_XB_FORGET:
		xb_teardown(x);
		fe_unwatch(x);
		x->gone = true;
		return -1;
	default:
		return -1;
	}
}

void bb_xb_update(struct bb_xb *x)
{
	int be, fe;

	x->dirty = false;
	if (!x->started || x->gone)
		return;
	if (xenbus_read_states(x->ops.xb, x->be_dir,
			       x->fe_watched ? x->fe_state : NULL, &be, &fe) ||
	    (be < 0 && be != -XEN_EINVAL))
		return; /* the store failed us: the next look tries again */
	if (be == XenbusStateUnknown && !x->seen)
		return; /* not announced yet */
	x->seen = true;
	if (be != XenbusStateUnknown && !x->fe_watched) {
		xb_read_frontend(x); /* ADVERTISE logs when it is unusable */
		if (x->fe_watched)
			fe = xenbus_read_state(x->ops.xb, x->fe_dir);
	}
	if (fe < 0 && fe != -XEN_EINVAL)
		return;
	for (unsigned int step = 0; step < BB_XB_STEPS; step++) {
		bool gave_up = x->fails >= BB_XB_MAX_FAILS;
		bool busy = bb_vbd_busy(&x->vbd);
		enum bb_xb_action a =
		    bb_xb_decide(be, x->up, busy, fe, gave_up);

		if (a == BB_XB_NOTHING)
			break;
		be = xb_act(x, a, be);
		if (be == -1)
			break;
	}
	x->drain_wait = bb_vbd_busy(&x->vbd);
}

unsigned int bb_xb_poll(struct bb_xb *x, unsigned int budget)
{
	unsigned int n = 0;

	if (!x->started)
		return 0;
	/* Also with the frontend or the vbd gone: ios still finishing
	 * free their pages (and the owner may reuse x once not busy). */
	if (x->resolved)
		n = bb_vbd_poll(&x->vbd, x->up ? budget : 0);
	if (x->gone)
		return n;
	if (x->up && !x->vbd.connected) {
		const char *why = x->vbd.stats.disconnect_reason;

		XB_LOG(x, "vbd %u/%u: protocol violation: %s\n", x->domid,
		       x->devid, why ? why : "(no reason)");
		xb_teardown(x);
		xb_failed(x);
		xb_switch(x, XenbusStateClosing);
	}
	if (x->dirty || (x->drain_wait && !bb_vbd_busy(&x->vbd)))
		bb_xb_update(x);
	return n;
}

int bb_xb_start(struct bb_xb *x, const struct bb_xb_ops *ops, domid_t domid,
		uint16_t devid, unsigned int page_base, unsigned int page_count)
{
	if (!ops || !ops->xb || !ops->bb || domid >= DOMID_FIRST_RESERVED)
		return -XEN_EINVAL;
	memset(x, 0, sizeof(*x));
	x->ops = *ops;
	x->domid = domid;
	x->devid = devid;
	x->page_base = page_base;
	x->page_count = page_count;
	fmt_snprintf(x->be_dir, sizeof(x->be_dir), BB_XB_ROOT "/%u/%u", domid,
		     devid);
	x->started = true;
	bb_xb_update(x);
	return 0;
}

void bb_xb_stop(struct bb_xb *x)
{
	if (!x->started)
		return;
	xb_teardown(x);
	fe_unwatch(x);
	x->started = false;
}
