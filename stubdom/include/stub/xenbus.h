/*
 * The xenbus client of a small domain: requests to xenstore over the
 * domain's ring page, one at a time, and the watches it registers.
 *
 * The library touches nothing but the ring and the struct: the caller
 * passes what it needs from its environment in struct xenbus_ops, so the
 * same code runs in a PV domain (notify is EVTCHNOP_send on the xenstore
 * port, wait is SCHEDOP_block) and in a host test (wait runs a fake
 * server). Not thread-safe; one struct xenbus per ring.
 *
 * Errors are negative XEN_E* values (<public/errno.h>). An XS_ERROR reply
 * gives the number of its name ("ENOENT" is -XEN_ENOENT), an unknown name
 * -XEN_EIO. The ring is not trusted: an index out of range, a header that
 * breaks the protocol (unknown type, len over XENSTORE_PAYLOAD_MAX, a
 * reply nobody asked for or with another req_id, a malformed watch
 * event) or ring->error set makes the connection broken, and every call
 * fails with -XEN_EIO from then on (xenbus_broken() tells).
 *
 * Watch events are never delivered from inside a request: they are
 * queued (a bounded queue; events that do not fit are dropped and
 * counted) and delivered by xenbus_dispatch(). A main loop that woke for
 * the xenstore event channel calls xenbus_poll() and xenbus_dispatch().
 *
 * tx is a transaction id from xenbus_transaction_start(), or
 * XENBUS_NO_TX. Paths are absolute or relative to the domain's home.
 */
#ifndef STUB_XENBUS_H
#define STUB_XENBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <public/errno.h>
#include <public/io/xenbus.h>
#include <public/io/xs_wire.h>

#define XENBUS_NO_TX 0u
/* Updates inside a transaction sent ahead of their replies, at most. */
#define XENBUS_DEFER_MAX 32

/* Bounds of the fixed tables in struct xenbus. */
#define XENBUS_WATCHES	       16   /* watches registered at once */
#define XENBUS_WATCH_PATH_MAX  256  /* a watched path, NUL included */
#define XENBUS_WATCH_TOKEN_MAX 64   /* a token, NUL included */
#define XENBUS_EVENT_BYTES     2048 /* queued events: 2 + payload each */

struct xenbus;

struct xenbus_ops {
	/* Kick the event channel: the server has something to look at. */
	void (*notify)(void *env);
	/* Block until an event arrives (a host test runs its server). */
	void (*wait)(void *env);
	void *env;
};

/* Called by xenbus_dispatch() with the event's path and the token. */
typedef void (*xenbus_watch_fn)(struct xenbus *xb, const char *path,
				const char *token, void *data);

struct xenbus_watch {
	xenbus_watch_fn cb; /* NULL: a free slot */
	void *data;
	char path[XENBUS_WATCH_PATH_MAX];
	char token[XENBUS_WATCH_TOKEN_MAX];
};

/*
 * About 16 KiB: keep it in static storage, not on a small stack. The
 * fields are the library's; read them only through the functions.
 */
struct xenbus {
	volatile struct xenstore_domain_interface *ring;
	struct xenbus_ops ops;
	uint32_t req_prod; /* ours; the ring's copy is only written */
	uint32_t rsp_cons; /* likewise */
	uint32_t next_req_id;
	uint32_t pending_id;   /* the request awaiting its reply */
	bool pending;	       /* a request was sent, no reply yet */
	unsigned int deferred; /* transaction updates sent, replies not read */
	uint32_t deferred_id;  /* the first of them */
	int deferred_rc;       /* the first error among their replies */
	uint8_t deferred_type[XENBUS_DEFER_MAX]; /* theirs, in order */
	bool reply_ready;			 /* rx holds the reply to it */
	bool broken;	       /* every call fails with -XEN_EIO */
	bool dispatching;      /* inside xenbus_dispatch() */
	uint32_t rx_have;      /* bytes of the message in rx so far */
	unsigned long dropped; /* watch events that did not fit the queue */
	size_t evq_len;	       /* bytes used in evq */
	unsigned int dispatch_left; /* events this dispatch still owns */
	struct xenbus_watch watches[XENBUS_WATCHES];
	/* One message: header, payload and a terminating NUL of ours. */
	char rx[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX + 1];
	/* Events: a 2-byte length (host order) then "path\0token\0". */
	char evq[XENBUS_EVENT_BYTES];
	char scratch[XENSTORE_PAYLOAD_MAX]; /* xenbus_printf()'s value */
};

/*
 * Starts on the ring as it is (its indices need not be 0). ops is
 * copied. Nothing is sent.
 */
void xenbus_init(struct xenbus *xb,
		 volatile struct xenstore_domain_interface *ring,
		 const struct xenbus_ops *ops);
bool xenbus_broken(const struct xenbus *xb);
/* Watch events dropped because the queue was full. */
unsigned long xenbus_dropped_events(const struct xenbus *xb);

/*
 * The value at path, NUL-terminated in buf; returns its length (a value
 * may hold NULs itself). -XEN_E2BIG, with buf untouched, when the value
 * and its NUL do not fit size.
 */
int xenbus_read(struct xenbus *xb, uint32_t tx, const char *path, char *buf,
		size_t size);
/*
 * The value as a decimal number (digits only): -XEN_EINVAL when it is
 * not one, -XEN_ERANGE when it does not fit an unsigned long.
 */
int xenbus_read_uint(struct xenbus *xb, uint32_t tx, const char *path,
		     unsigned long *out);
/*
 * What xenbus_read_uint() makes of a value read into buf (a buffer of
 * XENBUS_UINT_MAX bytes) with result n: the number, or n if an error.
 */
#define XENBUS_UINT_MAX 64
int xenbus_parse_uint(const char *buf, int n, unsigned long *out);

/* One read of a batch: path, buf and size in; rc out. */
struct xenbus_read_req {
	const char *path;
	char *buf;
	size_t size;
	int rc; /* what xenbus_read() of it would return */
};
/*
 * The reads r[0..n), every request sent before the first reply is
 * awaited: one round trip where reading them one by one takes n (those
 * the request ring cannot take at once go in further rounds). Outside
 * a transaction each read stands alone, as n reads would. Returns 0
 * with every r[i].rc set, or an error of the connection (-XEN_EIO), of
 * a transaction's earlier update, or -XEN_E2BIG for a path too long for
 * a request (nothing sent then).
 */
int xenbus_read_batch(struct xenbus *xb, uint32_t tx, struct xenbus_read_req *r,
		      unsigned int n);
/*
 * A read of a batch as a number no greater than max (-XEN_ERANGE when
 * greater), its buf XENBUS_UINT_MAX bytes; or as a string, 0 unless it
 * failed or holds a NUL (-XEN_EINVAL).
 */
int xenbus_batch_uint(const struct xenbus_read_req *r, unsigned long max,
		      unsigned long *out);
int xenbus_batch_str(const struct xenbus_read_req *r);
/*
 * Writes a string value (without its NUL), making parents as needed.
 * Inside a transaction it returns once the request is sent, as do
 * xenbus_mkdir() and xenbus_set_perms(): the replies of a transaction's
 * updates are read together by the next other request on xb, which
 * fails with the first error among them; at the latest
 * xenbus_transaction_end(), which then aborts the transaction.
 */
int xenbus_write(struct xenbus *xb, uint32_t tx, const char *path,
		 const char *value);
/* The value formatted with fmt_snprintf(). */
int xenbus_printf(struct xenbus *xb, uint32_t tx, const char *path,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int xenbus_mkdir(struct xenbus *xb, uint32_t tx, const char *path);
int xenbus_rm(struct xenbus *xb, uint32_t tx, const char *path);
/*
 * The children's names, each NUL-terminated, then one more NUL (so an
 * empty name ends the list); returns how many. -XEN_E2BIG when they do
 * not fit size.
 */
int xenbus_directory(struct xenbus *xb, uint32_t tx, const char *path,
		     char *buf, size_t size);
/*
 * The permissions ("n0", "r5", ...), laid out as xenbus_directory()'s
 * names; returns how many.
 */
int xenbus_get_perms(struct xenbus *xb, uint32_t tx, const char *path,
		     char *buf, size_t size);
/* perms: perms_len bytes of NUL-terminated entries, such as "n0\0r5\0". */
int xenbus_set_perms(struct xenbus *xb, uint32_t tx, const char *path,
		     const char *perms, size_t perms_len);
/* "/local/domain/<domid>" in buf; returns its length. */
int xenbus_get_domain_path(struct xenbus *xb, unsigned int domid, char *buf,
			   size_t size);

/*
 * Any other request (INTRODUCE, RELEASE, IS_DOMAIN_INTRODUCED,
 * RESET_WATCHES...): payload as is, the reply's payload copied to reply
 * and NUL-terminated there (reply NULL: not wanted); returns its length.
 * -XEN_EINVAL for WATCH and UNWATCH (use xenbus_watch()) and for types
 * that are no request.
 */
int xenbus_request(struct xenbus *xb, uint32_t type, uint32_t tx,
		   const void *payload, size_t len, char *reply, size_t size);

/*
 * Transactions: end() fails with -XEN_EAGAIN when a commit conflicted,
 * or with the error of a write in it (aborted then).
 */
int xenbus_transaction_start(struct xenbus *xb, uint32_t *tx);
int xenbus_transaction_end(struct xenbus *xb, uint32_t tx, bool abort);
/*
 * Runs fn in a transaction and commits, up to max_tries times (at least
 * once) while the commit fails with -XEN_EAGAIN. When fn fails, the
 * transaction is aborted and fn's error returned.
 */
int xenbus_transaction(struct xenbus *xb,
		       int (*fn)(struct xenbus *xb, uint32_t tx, void *data),
		       void *data, unsigned int max_tries);

/*
 * A watch on path (and everything below it); cb gets each event of it,
 * the first one (on path itself) included, from xenbus_dispatch(). Path
 * and token are copied: -XEN_E2BIG when longer than the bounds above,
 * -XEN_ENOSPC when all XENBUS_WATCHES slots are in use, -XEN_EEXIST when
 * this path and token are already watched.
 */
int xenbus_watch(struct xenbus *xb, const char *path, const char *token,
		 xenbus_watch_fn cb, void *data);
/* Also forgets its queued events. -XEN_ENOENT when not registered. */
int xenbus_unwatch(struct xenbus *xb, const char *path, const char *token);
/*
 * Reads what the response ring holds, without blocking, queueing watch
 * events. Returns the number of queued events, or -XEN_EIO.
 */
int xenbus_poll(struct xenbus *xb);
/*
 * Delivers the events queued when it is called, in order, to their
 * watches' callbacks (events of watches no longer registered are
 * dropped); returns how many were delivered. Does not poll. Callbacks
 * may make requests and (un)register watches; the events those cause
 * wait for the next call (so a callback that writes below its own watch
 * cannot loop forever). Returns 0 when called from a callback.
 */
int xenbus_dispatch(struct xenbus *xb);

/* "Connected" and so on; "Invalid" for a number that is no state. */
const char *xenbus_state_name(int state);
/*
 * The state in "<dir>/state": XenbusStateUnknown when the node is
 * absent or unreadable (gone with its domain's directory), -XEN_EINVAL
 * when it does not hold a number.
 */
int xenbus_read_state(struct xenbus *xb, const char *dir);
/*
 * A backend's look at a device: its own "<be_dir>/state" and, fe_state
 * (the frontend's state node) not NULL, the frontend's, in one round
 * trip; each as xenbus_read_state() gives it, *fe XenbusStateUnknown
 * without fe_state. 0, or the store's error.
 */
int xenbus_read_states(struct xenbus *xb, const char *be_dir,
		       const char *fe_state, int *be, int *fe);
/*
 * A backend's frontend, from "<be_dir>/frontend" and "frontend-id" (the
 * toolstack's, in one round trip), into fe (size bytes). Checked, as a
 * backend must before it follows the link: the id is domid (the
 * device's, from the backend dir's name) and the path lies inside that
 * domain's "/local/domain/<domid>/", below it, without a trailing '/'.
 * 0, -XEN_EINVAL for a link that is not domid's, or the store's error.
 */
int xenbus_read_frontend(struct xenbus *xb, const char *be_dir,
			 unsigned int domid, char *fe, size_t size);
/*
 * The same of a "<dir>/state" read into buf with result n (a value too
 * big for buf is no state either: -XEN_EINVAL).
 */
int xenbus_parse_state(const char *buf, int n);
/* Writes state to "<dir>/state". */
int xenbus_switch_state(struct xenbus *xb, uint32_t tx, const char *dir,
			int state);

#endif /* STUB_XENBUS_H */
