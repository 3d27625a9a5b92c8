/*
 * The network driver domain's vifs: the xenbus side of netback, the way
 * Linux's netback does it, so a stock xen-netfront works as well as ours.
 *
 * The control domain announces a vif by writing, before it unpauses
 * anyone, backend/vif/<G>/<dev>/{frontend, frontend-id, mac, handle,
 * state = 1 [, rate = "bytes,usec"]} below our home (ours, readable by
 * G) and the frontend's device/vif/<dev>/{backend, backend-id, mac,
 * handle, state = 1} below G's (G's, readable by us). All our paths are
 * relative: a driver domain need not know its own id.
 *
 * Per vif, the backend state follows nd_decide(): Initialising (the
 * toolstack's) -> features and InitWait; the frontend Initialised or
 * Connected -> rings mapped, event channel bound, netback attached,
 * Connected; the frontend leaving (Closing, Closed, its node gone) or
 * netback finding the protocol broken -> everything let go, Closed; a
 * frontend back at Initialising -> InitWait again. A connection that
 * fails (no request-rx-copy, a bad ref, a refused map) leaves the vif
 * Closing until the frontend closes. After ND_MAX_FAILS failures in a
 * row (failed connections, protocol violations) the vif stays Closed
 * until the toolstack writes state = 1 again.
 *
 * The library touches the store through the xenbus client and the rest
 * (grant maps, event channels) through struct nd_ops, so it runs in the
 * driver domain and on the host against fakes. Not thread-safe; one
 * caller (the domain's main loop).
 *
 * The frontend is not trusted: every number it writes is parsed strictly
 * and range-checked; its rings are netback's business.
 *
 * Errors are negative XEN_E* values (<public/errno.h>).
 */
#ifndef DRIVERDOM_NETDOM_H
#define DRIVERDOM_NETDOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netback/netback.h>
#include <stub/xenbus.h>

#define ND_MAX_VIFS  NB_MAX_VIFS
#define ND_WINDOWS   (2 * ND_MAX_VIFS) /* ring mapping windows (2 pages) */
#define ND_MAX_FAILS 8	/* failures in a row before a vif is left Closed */
#define ND_STEPS     6	/* state changes per look at a vif (a bound) */
#define ND_DIR_MAX   40 /* "backend/vif/<G>/<dev>", NUL included */
#define ND_FE_MAX    (XENBUS_WATCH_PATH_MAX - 6) /* fits "<fe>/state" */
#define ND_BE_ROOT   "backend/vif"

/* ---- Pure parts (host-tested) ---- */

/* What to do with a vif, given the store and what we hold. */
enum nd_action {
	ND_NOTHING,
	ND_ADVERTISE, /* (let go of what we hold,) features, InitWait */
	ND_CONNECT,   /* map, bind, attach; Connected (or Closing: failed) */
	ND_CLOSE,     /* let go of what we hold; Closed */
	ND_FORGET,    /* the backend's state node is gone: let go, drop it */
};

/*
 * be: our backend's state node (XenbusStateUnknown when absent, -XEN_EINVAL
 * when not a number), up: rings mapped and netback attached, fe: the
 * frontend's state node (likewise), gave_up: ND_MAX_FAILS reached.
 */
enum nd_action nd_decide(int be, bool up, int fe, bool gave_up);

/* "xx:xx:xx:xx:xx:xx", hex digits in either case: 0 or -XEN_EINVAL. */
int nd_parse_mac(const char *s, uint8_t mac[NB_ETH_ALEN]);
/*
 * A path from the watch on ND_BE_ROOT: 0 for the root itself, 1 for
 * "<root>/<G>" (*domid set), 2 for "<root>/<G>/<dev>[/...]" (both set),
 * -XEN_EINVAL for anything else (another path, a name that is no
 * decimal number, G a reserved domid, dev over 65535).
 */
int nd_parse_be_path(const char *path, unsigned int *domid,
		     unsigned int *devid);
/* A decimal name of at most 5 digits, no sign, below limit: 0 or -EINVAL. */
int nd_parse_id(const char *s, size_t len, unsigned long limit,
		unsigned int *out);

/* ---- The vifs ---- */

struct nd_ops {
	/*
	 * Map domid's grant ref writable at window w's page ring (w <
	 * ND_WINDOWS: each pair its own address): GNTST_okay with *va and
	 * *handle set, or a GNTST_* status or -XEN_E*.
	 */
	long (*map)(void *env, unsigned int w, enum nb_ring ring, domid_t domid,
		    grant_ref_t ref, void **va, uint32_t *handle);
	/* 0, or a status: the window's page stays taken for good. */
	long (*unmap)(void *env, void *va, uint32_t handle);
	/* EVTCHNOP_bind_interdomain: our port, or -XEN_E*. */
	long (*bind)(void *env, domid_t domid, evtchn_port_t remote);
	void (*close)(void *env, evtchn_port_t port);
	/* domid's vif went down: drop what we keep of its grants. May be NULL.
	 */
	void (*forget)(void *env, domid_t domid);
	void *env;
	struct xenbus *xb;
	const struct nb_env *nb; /* its log is ours too */
	struct nb_switch *sw;
};

struct nd_vif {
	bool used;
	bool up;	 /* rings mapped, ports bound, attached to the switch */
	bool dirty;	 /* a watch fired: look at the store again */
	bool fe_watched; /* a watch on fe_state is registered */
	bool gave_up_logged;
	bool fe_bad_logged;
	bool split; /* two event channels */
	domid_t domid;
	uint16_t devid;
	unsigned int fails; /* failures in a row */
	int window;	    /* the mapping window while up, else -1 */
	char be_dir[ND_DIR_MAX];
	char fe_dir[ND_FE_MAX]; /* "" until read */
	char fe_state[XENBUS_WATCH_PATH_MAX];
	void *ring_va[2];
	uint32_t handle[2];
	bool mapped[2];
	evtchn_port_t
	    port[2];   /* [NB_RING_TX], [NB_RING_RX]: equal unless split */
	bool bound[2]; /* [NB_RING_RX] only when split */
	uint8_t mac[NB_ETH_ALEN];
	struct nb_vif nb;
};

struct nd_window {
	bool busy;  /* a vif's rings are mapped there */
	bool stuck; /* an unmap failed: never used again */
};

struct netdom {
	struct nd_ops ops;
	bool started;
	bool rescan;		    /* list backend/vif again */
	bool broken_logged;	    /* the xenbus connection is broken */
	unsigned long seen_dropped; /* xenbus_dropped_events() last time */
	unsigned int untracked;	    /* vifs without a slot, last rescan */
	struct nd_vif vifs[ND_MAX_VIFS];
	struct nd_window windows[ND_WINDOWS];
};

/*
 * Watch ND_BE_ROOT (its first event lists what is there already). ops
 * is copied; ops->nb and ops->sw must stay. 0 or the store's error.
 */
int nd_start(struct netdom *nd, const struct nd_ops *ops);
/*
 * After xenbus_poll() and xenbus_dispatch(): look at every vif a watch
 * named (all of them when events were dropped or nd_resync() asked).
 */
void nd_update(struct netdom *nd);
/* Look at every vif at the next nd_update() (a periodic safety net). */
void nd_resync(struct netdom *nd);
/*
 * Poll each connected vif's tx ring (budget packets each), skipping those
 * the rate limit holds until *wake (lowered to the earliest such time;
 * untouched when none), then tear down every vif netback disconnected.
 * True when a vif used its whole budget (more is waiting).
 */
bool nd_poll(struct netdom *nd, unsigned int budget, uint64_t now,
	     uint64_t *wake);
/* The vif whose netback half this is, for env.notify. */
struct nd_vif *nd_vif_of(struct nb_vif *vif);
unsigned int nd_connected(const struct netdom *nd);

/*
 * Copies out of guests' transmit pages through mappings kept from one
 * packet to the next (netdom_gcache.c): n ops as GNTTABOP_copy would do
 * them, each with its status; own(mfn) is our page mfn, or NULL.
 */
struct nd_gcache_stats {
	unsigned long hits, maps;   /* copies from a kept mapping; mappings */
	unsigned long refused;	    /* grants that would not map: copied */
	unsigned long unmap_errors; /* should stay 0 */
};
long nd_gcache_copy(struct gnttab_copy *ops, unsigned int n,
		    uint8_t *(*own)(unsigned long mfn));
void nd_gcache_forget(domid_t domid);
const struct nd_gcache_stats *nd_gcache_stats(void);

/*
 * The benchmark's baseline (netdom_stream.c): n UDP datagrams of size
 * bytes sent by the driver domain itself through the guests' UDP stack;
 * prints the time per packet. nd_stream_rx() takes the NIC's frames
 * while it runs (true: taken).
 */
struct netdrv;
void nd_stream(struct netdrv *nic, unsigned int n, size_t size);
bool nd_stream_rx(const void *frame, size_t len);

#endif
