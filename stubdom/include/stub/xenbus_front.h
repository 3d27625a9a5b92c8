/*
 * What every frontend does with the store, whatever its device: its
 * directory <dir>, its own <dir>/state, and the backend it follows
 * through <dir>/backend and <dir>/backend-id, which the toolstack may
 * point elsewhere at any time (a driver domain restarted anew). Watches
 * on both links and on the followed backend's state set recheck; the
 * frontend then reads where its backend is (xbf_backend_moved), drops
 * what it had with an old one and follows the new (xbf_follow), and acts
 * on the backend's state (xbf_backend_state).
 */
#ifndef STUB_XENBUS_FRONT_H
#define STUB_XENBUS_FRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <public/xen.h>
#include "xenbus.h"

#define XBF_DIR_MAX 64 /* "device/<kind>/<n>", NUL included */
/* Room after a backend's path for "/<key>" of the longest feature. */
#define XBF_BE_PATH_MAX (XENBUS_WATCH_PATH_MAX - 48)

struct xenbus_front {
	struct xenbus *xb;
	uint64_t *errors;   /* the frontend's count of failed store ops */
	int fe_state;	    /* what we last wrote to <dir>/state */
	bool recheck;	    /* a watch fired: read the store again */
	bool hold;	    /* a connection failed: wait for the store */
	bool be_watched;    /* a watch on <be_path>/state is registered */
	bool be_state_read; /* be_state_got is fresh (see xbf_backend_moved) */
	int be_state_got;   /* the followed backend's state, as read */
	domid_t be_id;	    /* the backend followed */
	char dir[XBF_DIR_MAX]; /* ours */
	char token[XBF_DIR_MAX + 16];
	char be_path[XBF_BE_PATH_MAX];	      /* "" when none */
	char be_state[XENBUS_WATCH_PATH_MAX]; /* be_path + "/state" */
};

/*
 * Set f up for dir ("device/vif/0": no trailing '/') and watch its
 * backend links; kind names the watches' token. -XEN_EINVAL for a bad
 * dir, or the watch's error.
 */
int xbf_init(struct xenbus_front *f, struct xenbus *xb, uint64_t *errors,
	     const char *kind, const char *dir);
/* Every watch removed (the followed backend's too). */
void xbf_close(struct xenbus_front *f);

/* "<dir>/<key>" into buf: -XEN_E2BIG when it does not fit. */
int xbf_key(const char *dir, const char *key, char *buf, size_t size);
/*
 * <dir>/<key> as a number. An optional one (def not -1) is def when
 * absent or not a number, as Linux's frontends read features.
 */
int xbf_read_num(struct xenbus_front *f, const char *dir, const char *key,
		 long def, unsigned long *v);
/* A key of xbf_read_nums(): its name and default, as xbf_read_num's. */
struct xbf_num {
	const char *key;
	long def;
};
/*
 * xbf_read_num() of each of n keys (at most XBF_NUMS_MAX) in one round
 * trip, v[i] for keys[i]: 0, or the first key's error.
 */
#define XBF_NUMS_MAX 8
int xbf_read_nums(struct xenbus_front *f, const char *dir,
		  const struct xbf_num *keys, unsigned long *v, unsigned int n);
/* <our dir>/<key> = val. */
int xbf_write(struct xenbus_front *f, uint32_t tx, const char *key,
	      const char *val);
/* Our state, written only when it changes (a failure is counted). */
void xbf_set_state(struct xenbus_front *f, int state);

/*
 * Where <dir>/backend and <dir>/backend-id point now (path "" when
 * either is absent: the toolstack is between backends): true when that
 * is not the backend followed.
 */
bool xbf_backend_moved(struct xenbus_front *f, char path[XBF_BE_PATH_MAX],
		       domid_t *id);
/*
 * (It reads the followed backend's state in the same round trip, for
 * the xbf_backend_state() that follows when the backend did not move.)
 */
/* Follow path's backend from now on (its state watched); "" for none. */
void xbf_follow(struct xenbus_front *f, const char *path, domid_t id);
/* The followed backend's state; XenbusStateUnknown when none or gone. */
int xbf_backend_state(struct xenbus_front *f);
/* Our state while not connected, for a backend in bstate. */
int xbf_idle_state(int bstate);

#endif
