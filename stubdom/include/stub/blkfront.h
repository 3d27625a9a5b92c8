/*
 * blkfront for small domains: one vbd (device/vbd/<n>), Xen's blkif
 * protocol as a stock Linux blkback expects it: one ring page, one event
 * channel, protocol x86_64-abi, direct requests of up to
 * BLKIF_MAX_SEGMENTS_PER_REQUEST pages and indirect ones when the backend
 * offers feature-max-indirect-segments; flush and discard when offered.
 *
 * The library touches nothing but the struct, the pages it is given and
 * the xenbus client: everything else comes through struct blkfront_ops
 * (grants, pages, event channels, completions), so the same code runs in
 * a PV domain and in a host test. Not thread-safe; one caller at a time.
 *
 * Life cycle: blkfront_init() reads the device's nodes, allocates every
 * page it will use and watches the device's backend nodes;
 * blkfront_poll(), called from the domain's event loop (on the vbd's and
 * the xenstore's events, and now and then on a timer), does everything
 * else: it reads the store when a watch fired, connects when the backend
 * waits for us (InitWait), and reconnects when the backend goes away and
 * comes back, possibly in another domain (a new backend-id).
 *
 * Requests are asynchronous. A read or write whose buffer is page-aligned
 * and a whole number of pages, when ops.virt_to_mfn is given, is done in
 * the caller's own pages: they are granted to the backend (read-only for
 * a write) for each ring request that carries them, again on a new
 * connection, and the request completes only once every grant of them
 * is taken back, so a read's data is in the buffer by then and the
 * backend no longer reaches it. Any other buffer goes through the
 * library's own bounce pages, granted the same way: the caller's buffer
 * is read when a piece of a write goes on the ring (again when it is
 * issued again) and written when a piece of a read is answered. Either
 * way it must stay valid and unchanged until the request's completion.
 * When the backend keeps grants (feature-persistent, which blkfront
 * asks for), every data grant is made once a connection: the library's
 * pages stay granted from their first request to the connection's end,
 * a caller's pages go through them (copied) unless they are in the
 * buffer registered with blkfront_register(), whose pages are granted
 * as they are, once. Such a request costs no grant operation at all.
 * A request larger than one
 * ring request is split; at most one ring's worth is in flight and the
 * rest waits in order. A shadow of every ring request in flight is kept:
 * when the connection ends, whatever the backend did not acknowledge is
 * issued again, in the order it was first issued, on the next
 * connection; what it acknowledged (a write above all) never is. Each
 * request completes exactly once, whatever happens to the connection; a
 * backend that never comes back leaves requests waiting, not failing.
 *
 * The backend is not trusted: responses are copied out of the ring once
 * and checked (the producer index, the id, the operation, the status).
 * Any bad response breaks the connection, which is torn down and made
 * again as for a backend restart: the requests it did not answer
 * properly are issued again. A grant the backend still holds when it is
 * taken back is retried on later polls; after BLKFRONT_END_TRIES of them
 * its page is leaked (never reused, never freed) and counted, and a fresh
 * page takes its place. A grant of a caller's page is never given up on
 * that way: it is retried on every poll, and its request waits for it
 * (a new connection does not wait past BLKFRONT_END_TRIES polls); only
 * blkfront_shutdown() gives it up, counted as leaked.
 *
 * Sectors are 512-byte units, as in blkif, whatever the disk's
 * sector-size; a request must be aligned to the latter. Errors are
 * negative XEN_E* values (<public/errno.h>).
 */
#ifndef STUB_BLKFRONT_H
#define STUB_BLKFRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <public/errno.h>
#include <public/grant_table.h>
#include <public/io/blkif.h>
#include <public/xen.h>
#include "xenbus.h"
#include "xenbus_front.h"

#define BLKFRONT_RING_SLOTS  32	 /* requests on one ring page */
#define BLKFRONT_PAGES	     160 /* bounce and indirect pages */
#define BLKFRONT_QUEUE	     64	 /* caller requests in flight or waiting */
#define BLKFRONT_MAX_SECTORS 512 /* one caller request: 64 pages */
#define BLKFRONT_INDIRECT_SEGS                                    \
	64 /* segments of an indirect request, at most: a request \
	      of BLKFRONT_MAX_SECTORS in one */
#define BLKFRONT_END_TRIES	  64 /* polls a busy grant is retried, then leaked */
#define BLKFRONT_REG_PAGES	  128 /* the registered buffer's pages, at most */
#define BLKFRONT_DIR_MAX	  XBF_DIR_MAX /* "device/vbd/<n>", NUL included */
#define BLKFRONT_SECTOR		  512
#define BLKFRONT_SECTORS_PER_PAGE (XEN_PAGE_SIZE / BLKFRONT_SECTOR)
#define BLKFRONT_REQ_UNITS	  (BLKFRONT_MAX_SECTORS / BLKFRONT_SECTORS_PER_PAGE)

_Static_assert(BLKFRONT_RING_SLOTS == __CONST_RING_SIZE(blkif, XEN_PAGE_SIZE),
	       "one shadow per ring slot");
_Static_assert(BLKFRONT_REQ_UNITS <= 64, "a request's pages fit a mask");
_Static_assert(BLKFRONT_INDIRECT_SEGS > BLKIF_MAX_SEGMENTS_PER_REQUEST &&
		   BLKFRONT_INDIRECT_SEGS <= BLKIF_SEGS_PER_INDIRECT_FRAME,
	       "an indirect request takes one indirect page");
_Static_assert(BLKFRONT_PAGES > BLKFRONT_INDIRECT_SEGS,
	       "the largest request fits the pages");
_Static_assert(BLKFRONT_PAGES <= 256, "a page's index fits a uint8_t");
_Static_assert(BLKFRONT_QUEUE <= 256, "a request's index fits a uint8_t");

struct blkfront_ops {
	/* Let domid at frame mfn: a grant ref, or a negative XEN_E*. */
	long (*grant_access)(void *env, domid_t domid, unsigned long mfn,
			     bool readonly);
	/* Take a grant back: 0, or -XEN_EBUSY while domid still uses it. */
	long (*grant_end)(void *env, grant_ref_t ref);
	/* A XEN_PAGE_SIZE page and its frame in *mfn; NULL if none. */
	void *(*page_alloc)(void *env, unsigned long *mfn);
	/* Give back a page from page_alloc (never a leaked one). May be NULL.
	 */
	void (*page_free)(void *env, void *page);
	/*
	 * The frame behind a page-aligned page of a caller's buffer, to
	 * grant it as it is. May be NULL: then every request goes through
	 * the library's own pages.
	 */
	unsigned long (*virt_to_mfn)(void *env, const void *va);
	/* A port that remote may bind: >= 0, or a negative XEN_E*. */
	long (*evtchn_alloc_unbound)(void *env, domid_t remote);
	/* Close a port from evtchn_alloc_unbound. May be NULL. */
	void (*evtchn_close)(void *env, evtchn_port_t port);
	/* Send an event on port. */
	void (*notify)(void *env, evtchn_port_t port);
	/*
	 * A request finished: status 0, -XEN_EIO (the backend failed it),
	 * -XEN_EOPNOTSUPP (the backend does not do it), -XEN_EROFS (a
	 * write to a read-only disk), -XEN_EINVAL (beyond the disk's end
	 * or not aligned to its sector-size) or -XEN_ENOTCONN (cut short by
	 * blkfront_shutdown()). Runs inside blkfront_poll() (or
	 * blkfront_shutdown()); may submit requests, not call
	 * blkfront_poll().
	 */
	void (*done)(void *env, void *cookie, int status);
	/*
	 * Block until an event may have come (SCHEDOP_block; a host test
	 * runs its backend). Needed by the blocking helpers only. May be NULL.
	 */
	void (*wait)(void *env);
	void *env;
	struct xenbus *xb; /* the domain's xenbus client */
};

/* Where the connection is; see blkfront_poll(). */
enum blkfront_state {
	BLKFRONT_CLOSED,     /* not started, or shut down */
	BLKFRONT_WAIT,	     /* no ring: waiting for a backend in InitWait */
	BLKFRONT_CONNECTING, /* ring published, backend not Connected yet */
	BLKFRONT_CONNECTED,  /* requests flow */
	BLKFRONT_DRAINING,   /* taking the old connection's grants back */
};

/* The disk, as the backend last described it. */
struct blkfront_info {
	uint64_t sectors;     /* capacity, 512-byte sectors */
	uint32_t sector_size; /* bytes: requests are aligned to it */
	uint32_t info;	      /* VDISK_* bits */
	bool flush;	      /* feature-flush-cache */
	bool discard;	      /* feature-discard */
	uint32_t indirect;    /* segments per indirect request; 0: none */
	bool persistent;      /* feature-persistent: it keeps grants */
};

struct blkfront_stats {
	uint64_t submitted;	 /* requests accepted */
	uint64_t completed;	 /* completions run */
	uint64_t failed;	 /* of them, with a status other than 0 */
	uint64_t rejected;	 /* refused by a submit: the queue was full */
	uint64_t ring_reqs;	 /* ring requests made, re-issues included */
	uint64_t indirect;	 /* of them, indirect */
	uint64_t split;		 /* requests that took more than one */
	uint64_t reissued;	 /* ring requests unanswered at a disconnect */
	uint64_t rsp_errors;	 /* responses with a status other than OKAY */
	uint64_t bad_rsp;	 /* responses with a bad id, op or status */
	uint64_t ring_broken;	 /* bad responses and indices out of range */
	uint64_t connects;	 /* connections made */
	uint64_t disconnects;	 /* connections ended */
	uint64_t grants_leaked;	 /* pages given up: still granted */
	uint64_t connect_errors; /* a connection attempt that failed */
	uint64_t store_errors;	 /* a store operation that failed */
	uint64_t direct;	 /* reads and writes of whole aligned pages */
	uint64_t registered;	 /* ring requests in the registered buffer */
};

/*
 * Internal: one page of ours and its grant to the current backend; or,
 * in direct[], a grant of one page of a caller's buffer.
 */
struct blkfront_page {
	void *va; /* NULL: none (never allocated, or leaked) */
	unsigned long mfn;
	grant_ref_t ref;
	bool granted;
	bool busy;	   /* part of a ring request in flight */
	uint8_t end_tries; /* polls the grant was found busy */
	uint8_t req;	   /* direct[]: the request whose page it is */
};

/* Internal: a caller's request, from submission to completion. */
struct blkfront_req {
	bool used;
	bool finished; /* every unit answered: to be completed */
	bool sync;     /* a blocking helper's: no ops.done */
	uint8_t op;    /* BLKIF_OP_READ, _WRITE, _FLUSH_DISKCACHE, _DISCARD */
	int status;    /* the first error, or 0 */
	uint64_t sector;
	uint64_t count;	    /* sectors */
	uint8_t *dst;	    /* a read's buffer */
	const uint8_t *src; /* a write's buffer */
	bool direct;	    /* its pages are granted, not copied */
	uint16_t held;	    /* direct[] grants of its pages not ended yet */
	void *cookie;
	uint64_t acked;	   /* units (pages; one for flush, discard) done */
	uint16_t units;	   /* how many there are */
	uint16_t next;	   /* the first unit not on the ring yet */
	uint16_t inflight; /* ring requests of it in flight */
	uint16_t parts;	   /* ring requests it took, in all */
};

/* Internal: a ring request in flight, as we made it. */
struct blkfront_shadow {
	bool used;
	uint8_t op;    /* as on the ring (BLKIF_OP_INDIRECT for one) */
	uint8_t rw_op; /* the operation itself */
	uint8_t nseg;
	bool direct;	/* pg[] are direct[] slots, not pool pages */
	bool reg;	/* in the registered buffer's grants (no pg[]) */
	int16_t ind;	/* its indirect page, or -1 (any page index fits) */
	uint16_t req;	/* index in the queue's table */
	uint16_t first; /* its first unit */
	uint64_t id;
	uint8_t pg[BLKFRONT_INDIRECT_SEGS]; /* its data pages (or slots) */
};

/*
 * About 15 KiB plus the 161 pages it owns. The fields are the library's;
 * read them only through the functions below.
 */
struct blkfront {
	struct blkfront_ops ops;
	enum blkfront_state state;
	struct xenbus_front xf; /* our directory, the backend followed */
	bool port_valid;
	bool have_info; /* info holds what a backend said */
	bool in_poll;	/* inside blkfront_poll(): completions run */
	bool sync_done; /* the blocking helper's request completed */
	/*
	 * A pool page's or a caller page's grant the backend still held
	 * when its request was done: retried at each poll until ended.
	 */
	bool pages_pending, direct_pending;
	int sync_status;
	evtchn_port_t port;
	uint16_t handle; /* virtual-device */
	uint32_t next_id;

	struct blkfront_info info;
	struct blkfront_page ring_pg;
	blkif_front_ring_t ring;
	struct blkfront_page pages[BLKFRONT_PAGES];
	struct blkfront_page direct[BLKFRONT_PAGES]; /* caller pages' grants */
	/* This connection keeps every data grant (feature-persistent). */
	bool persistent;
	/* The registered buffer: reg_pages pages from reg_va, their grants. */
	uint8_t *reg_va;
	unsigned int reg_pages;
	struct blkfront_page reg[BLKFRONT_REG_PAGES];
	struct blkfront_shadow shadow[BLKFRONT_RING_SLOTS];
	/*
	 * Where the next search for a free direct slot and shadow starts:
	 * after the last one taken, which is usually free again last, so a
	 * search at depth does not walk the busy ones. (Pool pages are
	 * taken first-fit: they are allocated as first needed.)
	 */
	unsigned int direct_next, shadow_next;
	struct blkfront_req q[BLKFRONT_QUEUE]; /* oldest at q_head */
	unsigned int q_head, q_len;
	unsigned int q_used;   /* entries of q[] used: blkfront_pending() */
	unsigned int q_issued; /* the first q_issued have nothing to issue */

	struct blkfront_stats stats;
};

/*
 * Set up bf for the vbd whose directory is dir ("device/vbd/51712",
 * relative to the domain's home, or absolute): reads its virtual-device,
 * allocates every page and watches <dir>/backend and <dir>/backend-id.
 * Connects nothing yet: blkfront_poll() does. -XEN_EINVAL for a missing
 * op, a bad dir or a bad virtual-device; -XEN_ENOMEM when pages run out;
 * or the store's error.
 */
int blkfront_init(struct blkfront *bf, const struct blkfront_ops *ops,
		  const char *dir);

/*
 * Everything that waits: responses, watch events, the connection's state
 * machine, grants to take back, requests to issue, completions to run.
 * Returns the number of completions run.
 */
int blkfront_poll(struct blkfront *bf);

/*
 * Read or write count sectors (1..BLKFRONT_MAX_SECTORS) from sector,
 * into or from buf, which the caller keeps valid and does not touch
 * until ops.done(cookie) runs (a write's data may be read again for a
 * new connection). 0 when accepted
 * (issued or queued); -XEN_EINVAL for a bad count or NULL buf (or, once
 * a backend described the disk, a range beyond its end or not aligned
 * to its sector-size); -XEN_ENOBUFS when the queue is full (counted in
 * rejected); -XEN_ENOTCONN after blkfront_shutdown().
 */
int blkfront_read(struct blkfront *bf, uint64_t sector, uint32_t count,
		  void *buf, void *cookie);
int blkfront_write(struct blkfront *bf, uint64_t sector, uint32_t count,
		   const void *buf, void *cookie);
/*
 * Flush the disk's write cache: when it completes, the writes that
 * completed before it was submitted are durable. -XEN_EOPNOTSUPP as its
 * status when the backend has no feature-flush-cache.
 */
int blkfront_flush(struct blkfront *bf, void *cookie);
/*
 * Forget count sectors from sector (any count above 0). -XEN_EOPNOTSUPP
 * as its status when the backend has no feature-discard.
 */
int blkfront_discard(struct blkfront *bf, uint64_t sector, uint64_t count,
		     void *cookie);

/*
 * The same, waiting for the completion (blkfront_poll() and ops.wait in
 * turns): its status, or the submit's error. Other requests' completions
 * run meanwhile. -XEN_EINVAL without ops.wait, -XEN_EBUSY when called
 * from inside one (from ops.done). A backend that never comes back
 * keeps it waiting.
 */
int blkfront_read_sync(struct blkfront *bf, uint64_t sector, uint32_t count,
		       void *buf);
int blkfront_write_sync(struct blkfront *bf, uint64_t sector, uint32_t count,
			const void *buf);
int blkfront_flush_sync(struct blkfront *bf);

/*
 * Close the vbd: our state Closing then Closed, grants taken back (busy
 * ones leaked), pages freed, watches removed, every request not completed
 * completed with -XEN_ENOTCONN. bf may be set up again.
 */
void blkfront_shutdown(struct blkfront *bf);

enum blkfront_state blkfront_state(const struct blkfront *bf);
bool blkfront_connected(const struct blkfront *bf);
/* The disk as the backend last described it; false before any did. */
bool blkfront_info(const struct blkfront *bf, struct blkfront_info *info);
/* The current event channel, to bind to blkfront_poll(); -1 if none. */
long blkfront_port(const struct blkfront *bf);
/* The backend's domain, as <dir>/backend-id last said. */
domid_t blkfront_backend_id(const struct blkfront *bf);
/* Requests accepted and not completed yet. */
unsigned int blkfront_pending(const struct blkfront *bf);
/*
 * Register the caller's buffer [va, va + len): page-aligned, whole
 * pages, BLKFRONT_REG_PAGES at most; one buffer for bf's life; needs
 * ops.virt_to_mfn. On a connection whose backend keeps grants, a read
 * or write whose buffer is whole pages inside it is done in those
 * pages, granted once for the connection: no grant operation and no
 * copy per request, on either side. The price: while a connection
 * lasts its backend may read and write those pages at any time, not
 * only during a request, so copy out what you check before you use it
 * (as with any page a backend keeps). 0, -XEN_EINVAL (a bad buffer, no
 * virt_to_mfn) or -XEN_EEXIST (one is registered).
 */
int blkfront_register(struct blkfront *bf, void *va, size_t len);
const struct blkfront_stats *blkfront_stats(const struct blkfront *bf);

/*
 * Internal: shared by stubdom/lib/blkfront.c (the connection) and
 * stubdom/lib/blkfront_io.c (requests and the ring). Not for callers.
 */
#define BF_RING_PG   BLKFRONT_PAGES	  /* the ring page's index */
#define BF_ALL_PAGES (BLKFRONT_PAGES + 1) /* the pool, then the ring page */
struct blkfront_page *bf_page(struct blkfront *bf, unsigned int i);
/* A page for pg if it has none: 0 or -XEN_ENOMEM. */
int bf_page_ensure(struct blkfront *bf, struct blkfront_page *pg);
int bf_page_grant(struct blkfront *bf, struct blkfront_page *pg, bool readonly);
/* Take page i's grant back; false while it is busy (see the .c). */
bool bf_page_end(struct blkfront *bf, unsigned int i, bool final);
void bf_pages_retry(struct blkfront *bf);
/*
 * Take caller pages' grants back (final: give up on busy ones, counted
 * as leaked). True when none is left that was tried fewer than
 * BLKFRONT_END_TRIES times.
 */
bool bf_direct_end(struct blkfront *bf, bool final);
/* The same for the registered buffer's grants (given up as pool pages). */
bool bf_reg_end(struct blkfront *bf, bool final);
void bf_pages_free(struct blkfront *bf);
/* Queue a request (in: its fields); issue what can go. */
int bf_submit(struct blkfront *bf, const struct blkfront_req *in);
void bf_issue(struct blkfront *bf);
/* Take the responses; false when the ring is broken. */
bool bf_collect(struct blkfront *bf);
/* The connection ended: what was in flight waits to go again. */
void bf_requeue(struct blkfront *bf);
int bf_deliver(struct blkfront *bf);
void bf_complete(struct blkfront *bf, unsigned int ri, int status);

#endif /* STUB_BLKFRONT_H */
