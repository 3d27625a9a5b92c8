/*
 * The network driver domain's vifs: watches, the backend state machine,
 * connecting netback to a frontend's rings and letting go of them.
 *
 * Watches: one on ND_BE_ROOT (every vif the toolstack announces, and our
 * own writes below it) and one per vif on "<frontend>/state". Callbacks
 * only mark vifs dirty; nd_update() then reads the store and acts, so
 * nothing happens inside xenbus_dispatch() but bookkeeping.
 *
 * Order when letting go: the switch forgets the vif, its ports are
 * closed and its rings unmapped, and only then is Closed written, so a
 * frontend that reacts to Closed finds its grants free to end.
 */
#include <xen/ctype.h>
#include <stddef.h>
#include <xen/lib.h>
#include <xen/string.h>
#include <driverdom/netdom.h>

#define ND_TXN_TRIES 8
#define ND_LIST_MAX  1024 /* directory listings of ND_BE_ROOT */

#define ND_LOG(nd, ...) (nd)->ops.nb->log((nd)->ops.nb->ctx, __VA_ARGS__)

/* ---- Pure parts ---- */

enum nd_action nd_decide(int be, bool up, int fe, bool gave_up)
{
	bool fe_up = fe == XenbusStateInitialised || fe == XenbusStateConnected;
	bool fe_new =
	    fe == XenbusStateInitialising || fe == XenbusStateInitWait;
	bool fe_closed = fe == XenbusStateClosing || fe == XenbusStateClosed;

	switch (be) {
	case XenbusStateUnknown:
		return ND_FORGET;
	case XenbusStateInitialising:
		/* The toolstack's: a new vif, or one it reset. */
		return ND_ADVERTISE;
	case XenbusStateInitWait:
		if (up)
			return ND_CLOSE;
		if (fe_up)
			return ND_CONNECT;
		/* Absent: the toolstack may write the frontend after us. */
		return fe_closed ? ND_CLOSE : ND_NOTHING;
	case XenbusStateConnected:
		return up && fe_up ? ND_NOTHING : ND_CLOSE;
	case XenbusStateClosing:
		/* We failed a connection: wait for the frontend to see it. */
		if (up)
			return ND_CLOSE;
		if (fe_new)
			return gave_up ? ND_CLOSE : ND_ADVERTISE;
		return fe_up ? ND_NOTHING : ND_CLOSE;
	case XenbusStateClosed:
		if (up)
			return ND_CLOSE;
		return fe_new && !gave_up ? ND_ADVERTISE : ND_NOTHING;
	default:
		/* Initialised, Reconfiguring...: not a backend's. Normalise. */
		return ND_CLOSE;
	}
}

int nd_parse_mac(const char *s, uint8_t mac[NB_ETH_ALEN])
{
	uint8_t m[NB_ETH_ALEN];

	if (strlen(s) != 3 * NB_ETH_ALEN - 1)
		return -XEN_EINVAL;
	for (unsigned int i = 0; i < NB_ETH_ALEN; i++) {
		int hi = hex_digit_value(s[3 * i]),
		    lo = hex_digit_value(s[3 * i + 1]);

		if (hi < 0 || lo < 0 ||
		    (i < NB_ETH_ALEN - 1 && s[3 * i + 2] != ':'))
			return -XEN_EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, m, NB_ETH_ALEN);
	return 0;
}

int nd_parse_id(const char *s, size_t len, unsigned long limit,
		unsigned int *out)
{
	unsigned long v = 0;

	if (len == 0 || len > 5 || (len > 1 && s[0] == '0'))
		return -XEN_EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -XEN_EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v >= limit)
		return -XEN_EINVAL;
	*out = (unsigned int)v;
	return 0;
}

int nd_parse_be_path(const char *path, unsigned int *domid, unsigned int *devid)
{
	size_t rlen = strlen(ND_BE_ROOT), n;
	const char *p;

	if (strncmp(path, ND_BE_ROOT, rlen))
		return -XEN_EINVAL;
	p = path + rlen;
	if (!*p)
		return 0;
	if (*p++ != '/')
		return -XEN_EINVAL;
	for (n = 0; p[n] && p[n] != '/'; n++)
		;
	if (nd_parse_id(p, n, DOMID_FIRST_RESERVED, domid))
		return -XEN_EINVAL;
	p += n;
	if (!*p)
		return 1;
	p++;
	for (n = 0; p[n] && p[n] != '/'; n++)
		;
	if (nd_parse_id(p, n, 65536, devid))
		return -XEN_EINVAL;
	return 2;
}

/* ---- Vifs ---- */

struct nd_vif *nd_vif_of(struct nb_vif *vif)
{
	return (struct nd_vif *)((char *)vif - offsetof(struct nd_vif, nb));
}

unsigned int nd_connected(const struct netdom *nd)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < ND_MAX_VIFS; i++)
		n += nd->vifs[i].used && nd->vifs[i].up;
	return n;
}

static const char *fe_token = "netdom-fe";
static const char *be_token = "netdom-be";

static void fe_watch_fn(struct xenbus *xb, const char *path, const char *token,
			void *data)
{
	struct nd_vif *v = data;

	v->dirty = true;
}

static struct nd_vif *vif_find(struct netdom *nd, unsigned int domid,
			       unsigned int devid)
{
	for (unsigned int i = 0; i < ND_MAX_VIFS; i++) {
		struct nd_vif *v = &nd->vifs[i];

		if (v->used && v->domid == domid && v->devid == devid)
			return v;
	}
	return NULL;
}

/* The vif's record, made when new: NULL when every slot is taken. */
static struct nd_vif *vif_get(struct netdom *nd, unsigned int domid,
			      unsigned int devid)
{
	struct nd_vif *v = vif_find(nd, domid, devid);

	if (v)
		return v;
	for (unsigned int i = 0; i < ND_MAX_VIFS; i++) {
		v = &nd->vifs[i];
		if (v->used)
			continue;
		memset(v, 0, sizeof(*v));
		v->used = true;
		v->domid = (domid_t)domid;
		v->devid = (uint16_t)devid;
		v->window = -1;
		fmt_snprintf(v->be_dir, sizeof(v->be_dir), ND_BE_ROOT "/%u/%u",
			     domid, devid);
		return v;
	}
	return NULL;
}

static void be_watch_fn(struct xenbus *xb, const char *path, const char *token,
			void *data)
{
	struct netdom *nd = data;
	unsigned int domid, devid;
	struct nd_vif *v;

	/* A vif's own node: that vif. Above one (a removal, the first
	 * event): list them all. Anything else: not ours. */
	switch (nd_parse_be_path(path, &domid, &devid)) {
	case 2:
		v = vif_get(nd, domid, devid);
		if (v)
			v->dirty = true;
		else
			nd->rescan = true; /* counts and logs the refusal */
		break;
	case 0:
	case 1:
		nd->rescan = true;
		break;
	default:
		break;
	}
}

static void fe_unwatch(struct netdom *nd, struct nd_vif *v)
{
	if (v->fe_watched)
		xenbus_unwatch(nd->ops.xb, v->fe_state, fe_token);
	v->fe_watched = false;
}

static void vif_print_stats(struct netdom *nd, struct nd_vif *v)
{
	const struct nb_vif_stats *s = &v->nb.stats;

	ND_LOG(nd,
	       "vif %u/%u stats: tx %lu packets %lu bytes (%lu errors, %lu "
	       "spoofed, %lu rate-limited), rx %lu packets %lu bytes (%lu "
	       "errors, %lu no buffer, %lu dropped)\n",
	       v->domid, v->devid, s->tx_packets, s->tx_bytes, s->tx_errors,
	       s->spoofed, s->rate_limited, s->rx_packets, s->rx_bytes,
	       s->rx_errors, s->rx_no_buffer, s->rx_dropped);
}

/* Let go of ports and mappings, whatever a connection got to. */
static void vif_release(struct netdom *nd, struct nd_vif *v)
{
	/* bound[NB_RING_RX] only for a second (split) port. */
	for (unsigned int r = 0; r < 2; r++) {
		if (v->bound[r])
			nd->ops.close(nd->ops.env, v->port[r]);
		v->bound[r] = false;
	}
	for (unsigned int r = 0; r < 2; r++) {
		long rc;

		if (!v->mapped[r])
			continue;
		rc = nd->ops.unmap(nd->ops.env, v->ring_va[r], v->handle[r]);
		if (rc) {
			ND_LOG(nd,
			       "vif %u/%u: unmapping a ring failed (%ld); "
			       "its window is not used again\n",
			       v->domid, v->devid, rc);
			nd->windows[v->window].stuck = true;
		}
		v->mapped[r] = false;
		v->ring_va[r] = NULL;
	}
	if (v->window >= 0)
		nd->windows[v->window].busy = false;
	v->window = -1;
}

/* Detach from the switch and let go of everything; logged. */
static void vif_teardown(struct netdom *nd, struct nd_vif *v)
{
	if (!v->up)
		return;
	nb_switch_detach(nd->ops.sw, &v->nb);
	v->nb.connected = false;
	if (nd->ops.forget)
		nd->ops.forget(nd->ops.env, v->domid);
	vif_release(nd, v);
	v->up = false;
	ND_LOG(nd, "vif %u/%u disconnected\n", v->domid, v->devid);
	vif_print_stats(nd, v);
}

static int vif_switch_state(struct netdom *nd, struct nd_vif *v, int state)
{
	int rc =
	    xenbus_switch_state(nd->ops.xb, XENBUS_NO_TX, v->be_dir, state);

	if (rc)
		ND_LOG(nd, "vif %u/%u: cannot write state %s (%d)\n", v->domid,
		       v->devid, xenbus_state_name(state), rc);
	return rc;
}

static int vif_path(const struct nd_vif *v, const char *dir, const char *key,
		    char *buf, size_t size)
{
	int n = fmt_snprintf(buf, size, "%s/%s", dir, key);

	return n < 0 || (size_t)n >= size ? -XEN_E2BIG : 0;
}

/*
 * frontend and frontend-id from the backend dir (the toolstack's, but
 * checked: the id is the dir's, the path is that domain's), and a watch
 * on the frontend's state.
 */
static int vif_read_frontend(struct netdom *nd, struct nd_vif *v)
{
	char fe[ND_FE_MAX];
	int rc = xenbus_read_frontend(nd->ops.xb, v->be_dir, v->domid, fe,
				      sizeof(fe));

	if (rc)
		return rc;
	if (v->fe_watched && !strcmp(fe, v->fe_dir))
		return 0;
	fe_unwatch(nd, v);
	memcpy(v->fe_dir, fe, strlen(fe) + 1);
	fmt_snprintf(v->fe_state, sizeof(v->fe_state), "%s/state", fe);
	rc = xenbus_watch(nd->ops.xb, v->fe_state, fe_token, fe_watch_fn, v);
	if (rc) {
		v->fe_dir[0] = '\0';
		return rc;
	}
	v->fe_watched = true;
	return 0;
}

static int advertise_txn(struct xenbus *xb, uint32_t tx, void *data)
{
	static const char *const features[][2] = {
		{ "feature-rx-copy", "1" },
		{ "feature-sg", "0" },
		{ "feature-gso-tcpv4", "0" },
		{ "feature-rx-flip", "0" },
	};
	struct nd_vif *v = data;
	char path[ND_DIR_MAX + 32];
	int rc;

	for (unsigned int i = 0; i < sizeof(features) / sizeof(features[0]);
	     i++) {
		rc = vif_path(v, v->be_dir, features[i][0], path, sizeof(path));
		if (!rc)
			rc = xenbus_write(xb, tx, path, features[i][1]);
		if (rc)
			return rc;
	}
	return xenbus_switch_state(xb, tx, v->be_dir, XenbusStateInitWait);
}

static int vif_advertise(struct netdom *nd, struct nd_vif *v, bool reset)
{
	int rc;

	vif_teardown(nd, v);
	if (reset) {
		v->fails = 0;
		v->gave_up_logged = false;
	}
	rc = vif_read_frontend(nd, v);
	if (rc) {
		/* The toolstack may not have written it yet: wait for it. */
		if (!v->fe_bad_logged)
			ND_LOG(nd, "vif %u/%u: no usable frontend node (%d)\n",
			       v->domid, v->devid, rc);
		v->fe_bad_logged = true;
		return rc;
	}
	v->fe_bad_logged = false;
	rc = xenbus_transaction(nd->ops.xb, advertise_txn, v, ND_TXN_TRIES);
	if (rc)
		ND_LOG(nd, "vif %u/%u: cannot advertise (%d)\n", v->domid,
		       v->devid, rc);
	return rc;
}

static void vif_failed(struct netdom *nd, struct nd_vif *v)
{
	if (++v->fails >= ND_MAX_FAILS && !v->gave_up_logged) {
		ND_LOG(nd,
		       "vif %u/%u: %u failures in a row: left Closed until the "
		       "toolstack resets it\n",
		       v->domid, v->devid, v->fails);
		v->gave_up_logged = true;
	}
}

/* What the frontend offers, read and checked; why not in *why. */
struct fe_info {
	grant_ref_t ref[2];
	evtchn_port_t port[2];
	bool split;
	uint64_t rate_bytes, rate_usec;
};

/* The frontend's and the backend dir's keys vif_read_offer() reads. */
enum offer_key {
	OF_TX_REF,
	OF_RX_REF,
	OF_EVTCHN_TX,
	OF_EVTCHN_RX,
	OF_EVTCHN,
	OF_RX_COPY,
	OF_MAC,
	OF_RATE,
	OF_KEYS
};

static const struct {
	bool be; /* in the backend dir (the toolstack's), else the frontend's */
	const char *key;
} offer_keys[OF_KEYS] = {
	[OF_TX_REF] = { false, "tx-ring-ref" },
	[OF_RX_REF] = { false, "rx-ring-ref" },
	[OF_EVTCHN_TX] = { false, "event-channel-tx" },
	[OF_EVTCHN_RX] = { false, "event-channel-rx" },
	[OF_EVTCHN] = { false, "event-channel" },
	[OF_RX_COPY] = { false, "request-rx-copy" },
	[OF_MAC] = { true, "mac" },
	[OF_RATE] = { true, "rate" },
};

/* Every key at once: one round trip, not one a key. */
static int offer_read(struct netdom *nd, const struct nd_vif *v,
		      struct xenbus_read_req r[OF_KEYS])
{
	static char paths[OF_KEYS][XENBUS_WATCH_PATH_MAX + 32];
	static char vals[OF_KEYS][XENBUS_UINT_MAX];
	int rc = 0;

	for (unsigned int i = 0; i < OF_KEYS && !rc; i++) {
		rc = vif_path(v, offer_keys[i].be ? v->be_dir : v->fe_dir,
			      offer_keys[i].key, paths[i], sizeof(paths[i]));
		r[i] = (struct xenbus_read_req){ paths[i], vals[i],
						 sizeof(vals[i]), 0 };
	}
	return rc ? rc
		  : xenbus_read_batch(nd->ops.xb, XENBUS_NO_TX, r, OF_KEYS);
}

static int offer_ports(const struct xenbus_read_req r[OF_KEYS],
		       struct fe_info *fi, const char **why)
{
	unsigned long tx, rx;
	int rc;

	fi->split = r[OF_EVTCHN_TX].rc != -XEN_ENOENT;
	if (!fi->split) {
		*why = "event-channel";
		rc = xenbus_batch_uint(&r[OF_EVTCHN], UINT32_MAX, &tx);
		rx = tx;
	} else {
		*why = "event-channel-tx";
		rc = xenbus_batch_uint(&r[OF_EVTCHN_TX], UINT32_MAX, &tx);
		if (!rc) {
			*why = "event-channel-rx";
			rc = xenbus_batch_uint(&r[OF_EVTCHN_RX], UINT32_MAX,
					       &rx);
		}
	}
	fi->port[NB_RING_TX] = (evtchn_port_t)tx;
	fi->port[NB_RING_RX] = (evtchn_port_t)rx;
	return rc;
}

static int vif_read_offer(struct netdom *nd, struct nd_vif *v,
			  struct fe_info *fi, const char **why)
{
	struct xenbus_read_req r[OF_KEYS];
	unsigned long val = 0;
	int rc;

	*why = "the store";
	rc = offer_read(nd, v, r);
	if (rc)
		return rc;
	*why = "tx-ring-ref";
	rc = xenbus_batch_uint(&r[OF_TX_REF], UINT32_MAX, &val);
	fi->ref[NB_RING_TX] = (grant_ref_t)val;
	if (!rc) {
		*why = "rx-ring-ref";
		rc = xenbus_batch_uint(&r[OF_RX_REF], UINT32_MAX, &val);
		fi->ref[NB_RING_RX] = (grant_ref_t)val;
	}
	if (rc || (rc = offer_ports(r, fi, why)))
		return rc;

	*why = "request-rx-copy is not 1";
	rc = xenbus_batch_uint(&r[OF_RX_COPY], 1, &val);
	if (rc == -XEN_ENOENT)
		val = 0;
	else if (rc)
		return rc;
	if (val != 1)
		return -XEN_EOPNOTSUPP;

	*why = "mac";
	rc = xenbus_batch_str(&r[OF_MAC]);
	if (!rc)
		rc = nd_parse_mac(r[OF_MAC].buf, v->mac);
	if (rc)
		return rc;

	*why = "rate";
	fi->rate_bytes = fi->rate_usec = 0;
	rc = xenbus_batch_str(&r[OF_RATE]);
	if (rc == -XEN_ENOENT)
		return 0;
	if (!rc)
		rc = nb_rate_parse(r[OF_RATE].buf, &fi->rate_bytes,
				   &fi->rate_usec);
	return rc;
}

static int window_get(struct netdom *nd)
{
	for (unsigned int w = 0; w < ND_WINDOWS; w++) {
		if (!nd->windows[w].busy && !nd->windows[w].stuck) {
			nd->windows[w].busy = true;
			return (int)w;
		}
	}
	return -1;
}

/* Map, bind, attach, Connected. 0, or the vif is left Closing. */
static int vif_connect(struct netdom *nd, struct nd_vif *v)
{
	const char *why;
	struct fe_info fi;
	long rc;

	rc = vif_read_offer(nd, v, &fi, &why);
	if (rc)
		goto fail;
	why = "no mapping window left";
	v->window = window_get(nd);
	if (v->window < 0) {
		rc = -XEN_ENOSPC;
		goto fail;
	}
	for (unsigned int r = 0; r < 2; r++) {
		why = r == NB_RING_TX ? "mapping tx-ring-ref"
				      : "mapping rx-ring-ref";
		rc = nd->ops.map(nd->ops.env, (unsigned int)v->window,
				 (enum nb_ring)r, v->domid, fi.ref[r],
				 &v->ring_va[r], &v->handle[r]);
		if (rc)
			goto fail;
		v->mapped[r] = true;
	}
	v->split = fi.split;
	for (unsigned int r = 0; r < (fi.split ? 2u : 1u); r++) {
		why = "binding the event channel";
		rc = nd->ops.bind(nd->ops.env, v->domid, fi.port[r]);
		if (rc < 0)
			goto fail;
		v->port[r] = (evtchn_port_t)rc;
		v->bound[r] = true;
	}
	if (!fi.split)
		v->port[NB_RING_RX] = v->port[NB_RING_TX];

	why = "netback refused the vif";
	rc = nb_vif_init(&v->nb, nd->ops.nb, v->domid, v->mac,
			 v->ring_va[NB_RING_TX], v->ring_va[NB_RING_RX]);
	if (rc)
		goto fail;
	if (fi.rate_bytes)
		nb_vif_set_rate(&v->nb, fi.rate_bytes, fi.rate_usec);
	why = "the switch refused the vif (full, or its MAC is taken)";
	rc = nb_switch_attach(nd->ops.sw, &v->nb);
	if (rc)
		goto fail;
	v->up = true;
	if (vif_switch_state(nd, v, XenbusStateConnected)) {
		/* Quietly: nothing was announced. */
		nb_switch_detach(nd->ops.sw, &v->nb);
		v->nb.connected = false;
		v->up = false;
		vif_release(nd, v);
		vif_failed(nd, v);
		return -XEN_EIO;
	}
	ND_LOG(nd, "vif %u/%u connected (mac %02x:%02x:%02x:%02x:%02x:%02x)\n",
	       v->domid, v->devid, v->mac[0], v->mac[1], v->mac[2], v->mac[3],
	       v->mac[4], v->mac[5]);
	if (fi.rate_bytes)
		ND_LOG(nd, "vif %u/%u: rate %llu bytes per %llu us\n", v->domid,
		       v->devid, (unsigned long long)fi.rate_bytes,
		       (unsigned long long)fi.rate_usec);
	return 0;

fail:
	v->nb.connected = false;
	vif_release(nd, v);
	ND_LOG(nd, "vif %u/%u: cannot connect: %s (%ld)\n", v->domid, v->devid,
	       why, rc);
	vif_failed(nd, v);
	vif_switch_state(nd, v, XenbusStateClosing);
	return (int)rc;
}

static void vif_forget(struct netdom *nd, struct nd_vif *v)
{
	vif_teardown(nd, v);
	fe_unwatch(nd, v);
	v->used = false;
}

/* Read the store, act, until nothing is left to do (bounded). */
static void vif_update(struct netdom *nd, struct nd_vif *v)
{
	int be, fe = XenbusStateUnknown;

	v->dirty = false;
	if (xenbus_read_states(nd->ops.xb, v->be_dir,
			       v->fe_watched ? v->fe_state : NULL, &be, &fe) ||
	    (be < 0 && be != -XEN_EINVAL))
		return; /* the store failed us: the next resync tries again */
	/* A new vif: its frontend (ADVERTISE logs when it is unusable). */
	if (be != XenbusStateUnknown && !v->fe_watched) {
		vif_read_frontend(nd, v);
		if (v->fe_watched)
			fe = xenbus_read_state(nd->ops.xb, v->fe_dir);
	}
	if (fe < 0 && fe != -XEN_EINVAL)
		return;

	for (unsigned int step = 0; step < ND_STEPS; step++) {
		bool gave_up = v->fails >= ND_MAX_FAILS;
		enum nd_action a = nd_decide(be, v->up, fe, gave_up);
		bool clean;

		switch (a) {
		case ND_NOTHING:
			return;
		case ND_FORGET:
			vif_forget(nd, v);
			return;
		case ND_ADVERTISE:
			if (vif_advertise(nd, v, be == XenbusStateInitialising))
				return;
			be = XenbusStateInitWait;
			break;
		case ND_CONNECT:
			be = vif_connect(nd, v) ? XenbusStateClosing
						: XenbusStateConnected;
			break;
		case ND_CLOSE:
			clean = v->up;
			if (v->up)
				ND_LOG(nd, "vif %u/%u: frontend %s\n", v->domid,
				       v->devid,
				       fe < 0 ? "state invalid"
					      : xenbus_state_name(fe));
			vif_teardown(nd, v);
			if (clean)
				v->fails = 0; /* it worked, then ended */
			if (be == XenbusStateClosed ||
			    vif_switch_state(nd, v, XenbusStateClosed))
				return;
			be = XenbusStateClosed;
			break;
		}
	}
}

/* List ND_BE_ROOT/<G>/<dev> and mark each vif dirty, new ones made. */
static void vif_rescan(struct netdom *nd)
{
	static char doms[ND_LIST_MAX], devs[ND_LIST_MAX];
	unsigned int untracked = 0;
	int n;

	nd->rescan = false;
	for (unsigned int i = 0; i < ND_MAX_VIFS; i++)
		nd->vifs[i].dirty |= nd->vifs[i].used;
	n = xenbus_directory(nd->ops.xb, XENBUS_NO_TX, ND_BE_ROOT, doms,
			     sizeof(doms));
	if (n == -XEN_ENOENT)
		n = 0;
	if (n < 0) {
		ND_LOG(nd, "cannot list " ND_BE_ROOT " (%d)\n", n);
		return;
	}
	for (const char *d = doms; *d; d += strlen(d) + 1) {
		char path[ND_DIR_MAX];
		unsigned int domid, devid;

		if (nd_parse_id(d, strlen(d), DOMID_FIRST_RESERVED, &domid))
			continue;
		fmt_snprintf(path, sizeof(path), ND_BE_ROOT "/%u", domid);
		n = xenbus_directory(nd->ops.xb, XENBUS_NO_TX, path, devs,
				     sizeof(devs));
		if (n < 0)
			continue;
		for (const char *e = devs; *e; e += strlen(e) + 1) {
			struct nd_vif *v;

			if (nd_parse_id(e, strlen(e), 65536, &devid))
				continue;
			v = vif_get(nd, domid, devid);
			if (v)
				v->dirty = true;
			else
				untracked++;
		}
	}
	if (untracked && untracked != nd->untracked)
		ND_LOG(nd, "%u vif(s) not served: at most %u\n", untracked,
		       ND_MAX_VIFS);
	nd->untracked = untracked;
}

int nd_start(struct netdom *nd, const struct nd_ops *ops)
{
	memset(nd, 0, sizeof(*nd));
	nd->ops = *ops;
	for (unsigned int i = 0; i < ND_MAX_VIFS; i++)
		nd->vifs[i].window = -1;
	nd->seen_dropped = xenbus_dropped_events(ops->xb);
	nd->started = true;
	return xenbus_watch(ops->xb, ND_BE_ROOT, be_token, be_watch_fn, nd);
}

void nd_resync(struct netdom *nd)
{
	nd->rescan = true;
}

void nd_update(struct netdom *nd)
{
	unsigned long dropped = xenbus_dropped_events(nd->ops.xb);

	if (xenbus_broken(nd->ops.xb)) {
		if (!nd->broken_logged)
			ND_LOG(nd, "the xenstore connection is broken: vifs "
				   "keep running as they are\n");
		nd->broken_logged = true;
		return;
	}
	if (dropped != nd->seen_dropped) {
		ND_LOG(nd,
		       "%lu xenstore events dropped: looking at everything\n",
		       dropped - nd->seen_dropped);
		nd->seen_dropped = dropped;
		nd->rescan = true;
	}
	if (nd->rescan)
		vif_rescan(nd);
	for (unsigned int i = 0; i < ND_MAX_VIFS; i++)
		if (nd->vifs[i].used && nd->vifs[i].dirty)
			vif_update(nd, &nd->vifs[i]);
}

bool nd_poll(struct netdom *nd, unsigned int budget, uint64_t now,
	     uint64_t *wake)
{
	bool more = false;

	for (unsigned int i = 0; i < ND_MAX_VIFS; i++) {
		struct nd_vif *v = &nd->vifs[i];
		uint64_t w;

		if (!v->used || !v->up || !v->nb.connected)
			continue;
		w = nb_vif_tx_wake_ns(&v->nb);
		if (w > now) {
			*wake = w < *wake ? w : *wake;
			continue;
		}
		if (nb_vif_tx_poll(&v->nb, budget) >= budget)
			more = true;
		w = nb_vif_tx_wake_ns(&v->nb);
		if (w)
			*wake = w < *wake ? w : *wake;
	}
	/* A vif netback gave up on, here or on its way in (rx). */
	for (unsigned int i = 0; i < ND_MAX_VIFS; i++) {
		struct nd_vif *v = &nd->vifs[i];
		const char *why;

		if (!v->used || !v->up || v->nb.connected)
			continue;
		why = v->nb.stats.disconnect_reason;
		ND_LOG(nd, "vif %u/%u: protocol violation: %s\n", v->domid,
		       v->devid, why ? why : "(no reason)");
		vif_teardown(nd, v);
		vif_failed(nd, v);
		if (!vif_switch_state(nd, v, XenbusStateClosed))
			v->dirty = true; /* a frontend already back */
	}
	return more;
}
