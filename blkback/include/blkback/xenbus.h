/*
 * The xenbus side of one vbd: the backend state machine, the way Linux's
 * blkback runs it, so a stock xen-blkfront works as well as ours.
 *
 * The control domain announces a vbd by writing below our home
 * backend/vbd/<G>/<dev>/{frontend, frontend-id, target, mode, state = 1}
 * (ours, readable by G) and G's device/vbd/<dev>/{backend, backend-id,
 * virtual-device, device-type, state = 1} (G's, readable by us). target
 * is a bb_target string, mode "r" or "w".
 *
 * The states, per bb_xb_decide(): the toolstack's Initialising -> the
 * target resolved, the disk's size and features offered, InitWait; the
 * frontend Initialised or Connected -> its ring mapped, its event
 * channel bound, the vbd attached, Connected; the frontend Closing ->
 * everything let go, Closing; the frontend Closed or gone (its node
 * unreadable: its domain died) -> everything let go, Closed, then
 * InitWait again for the next frontend; a frontend starting over
 * (Initialising) -> the same. A connection that fails (a bad ring-ref,
 * a protocol other than x86_64-abi) or a frontend that breaks the ring
 * protocol leaves the vbd Closing until the frontend closes; after
 * BB_XB_MAX_FAILS in a row it stays Closed until the toolstack writes
 * state = 1 again. A target that does not resolve leaves it Closed.
 *
 * ios still at the device when a frontend goes keep the vbd busy: its
 * ring is let go at once, but the next frontend is connected only once
 * they finished (bb_xb_poll() notices).
 *
 * The library touches the store through the xenbus client and the rest
 * through struct bb_xb_ops, so it runs in a driver domain and on the
 * host against fakes. The owner watches backend/vbd (as netdom does for
 * vifs) and calls bb_xb_update() for events below the vbd's directory;
 * the frontend's state is watched here. Not thread-safe; one caller.
 *
 * Errors are negative XEN_E* values (<public/errno.h>).
 */
#ifndef BLKBACK_XENBUS_H
#define BLKBACK_XENBUS_H

#include <stdbool.h>
#include <stdint.h>
#include <stub/xenbus.h>
#include "blkback.h"

#define BB_XB_MAX_FAILS 8  /* failures in a row before staying Closed */
#define BB_XB_STEPS	6  /* state changes per bb_xb_update() (a bound) */
#define BB_XB_DIR_MAX	40 /* "backend/vbd/<G>/<dev>", NUL included */
#define BB_XB_FE_MAX	(XENBUS_WATCH_PATH_MAX - 6) /* fits "<fe>/state" */
#define BB_XB_ROOT	"backend/vbd"
#define BB_XB_PROTOCOL	"x86_64-abi" /* the only layout blkif.h has */

/* What to do, given the store and what we hold. */
enum bb_xb_action {
	BB_XB_NOTHING,
	BB_XB_ADVERTISE, /* let go; resolve, offer the disk; InitWait */
	BB_XB_CONNECT,	 /* map, bind, attach; Connected (or Closing) */
	BB_XB_CLOSING,	 /* let go; Closing */
	BB_XB_RESET,	 /* let go; Closed, then InitWait (gave up: Closed) */
	BB_XB_FORGET,	 /* our state node is gone: let go, stop */
};

/*
 * be: our state node (XenbusStateUnknown when absent, -XEN_EINVAL when no
 * number); up: ring mapped and vbd attached; busy: ios of an earlier
 * connection still at the device; fe: the frontend's state node
 * (likewise, XenbusStateUnknown when gone); gave_up: BB_XB_MAX_FAILS
 * reached.
 */
enum bb_xb_action bb_xb_decide(int be, bool up, bool busy, int fe,
			       bool gave_up);

struct bb_xb_ops {
	/* Map domid's ring page: GNTST_okay with *va, *handle; or not 0. */
	long (*map)(void *env, domid_t domid, grant_ref_t ref, void **va,
		    uint32_t *handle);
	/* 0, or a status: the page stays taken for good (logged). */
	long (*unmap)(void *env, void *va, uint32_t handle);
	/* EVTCHNOP_bind_interdomain: our port, or -XEN_E*. */
	long (*bind)(void *env, domid_t domid, evtchn_port_t remote);
	void (*close)(void *env, evtchn_port_t port);
	/*
	 * Where t lies: cfg's nsid, start, sectors, ns_sectors, block_size
	 * and discard filled in (reading a GPT if t names one): 0, or
	 * -XEN_E* with *why.
	 */
	int (*resolve)(void *env, const struct bb_target *t,
		       struct bb_vbd_config *cfg, const char **why);
	void *env;
	struct xenbus *xb;
	const struct bb_env *bb; /* its log is ours too */
};

struct bb_xb {
	struct bb_xb_ops ops;
	domid_t domid;
	uint16_t devid;
	bool started;
	bool seen;	 /* our state node existed: its removal is the end */
	bool gone;	 /* it was removed: nothing more to do */
	bool up;	 /* ring mapped, port bound, vbd attached */
	bool dirty;	 /* the frontend's state changed: look again */
	bool fe_watched; /* a watch on fe_state is registered */
	bool resolved;	 /* vbd holds the target's configuration */
	bool drain_wait; /* a frontend waits for the device to drain */
	bool fe_bad_logged, gave_up_logged;
	unsigned int fails; /* failures in a row */
	unsigned int page_base, page_count;
	char be_dir[BB_XB_DIR_MAX];
	char fe_dir[BB_XB_FE_MAX]; /* "" until read */
	char fe_state[XENBUS_WATCH_PATH_MAX];
	void *ring_va;
	uint32_t handle;
	bool mapped, bound;
	evtchn_port_t port;
	struct bb_vbd vbd;
};

/*
 * Serve backend/vbd/<domid>/<devid> with local pages [page_base,
 * page_base + page_count) and look at the store once (nothing happens
 * until the toolstack has written the vbd's state; once it removes it,
 * the vbd is let go for good). ops is copied;
 * ops->bb and ops->xb must stay. 0 or -XEN_EINVAL.
 */
int bb_xb_start(struct bb_xb *x, const struct bb_xb_ops *ops, domid_t domid,
		uint16_t devid, unsigned int page_base,
		unsigned int page_count);
/* Read the store and act, until nothing is left to do (bounded). */
void bb_xb_update(struct bb_xb *x);
/*
 * The data path: bb_vbd_poll() (while connected; after, only to finish
 * ios), then a vbd the frontend broke is let go (Closing), and
 * bb_xb_update() runs when the frontend's state changed (its watch
 * fired in xenbus_dispatch()) or the device drained for a waiting
 * frontend. Call it after every event. Returns the requests taken.
 */
unsigned int bb_xb_poll(struct bb_xb *x, unsigned int budget);
/* Let go of everything and of the watch (the driver domain stops). */
void bb_xb_stop(struct bb_xb *x);

#endif
