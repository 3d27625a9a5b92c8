/*
 * The xenstore daemon's core: the tree, permissions, transactions,
 * watches, domains and quotas, behind a byte-stream interface per
 * connection. The glue (a stubdom main loop, or a host test) only moves
 * bytes between the rings and xs_conn_feed()/xs_conn_pull(), and maps and
 * unmaps rings when asked through struct xs_hooks.
 *
 * Not thread-safe: one store is used by one thread at a time. There is no
 * global state; several stores may coexist.
 *
 * Building it: the .c files here (blob outq perms path store tree txn
 * watch domain proto request), with -Ixen/include and xen/include/xen/
 * compiler.h force-included, as the stubdom runtime is built; link with
 * fmt_snprintf() and the string functions (xen/common/vsnprintf.c and
 * string.c) and an implementation of xs_env.h.
 *
 * The glue's loop, per domain: feed the bytes between req_cons and
 * req_prod and advance req_cons by what xs_conn_feed() returned; pull
 * into the response ring and advance rsp_prod; when a pull freed room
 * and the request ring still holds bytes, feed again. On
 * xs_conn_broken(), set the ring's error to XENSTORE_ERROR_PROTO.
 */
#ifndef XS_XENSTORE_H
#define XS_XENSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xs_store;
struct xs_conn;

/*
 * Quotas of an unprivileged domain (the privileged ones, domain 0 and the
 * store's own domain, are not limited). Errors follow C xenstored:
 * ENOSPC for nodes, transactions, nodes touched by one transaction and
 * permission entries; E2BIG for value size and watches.
 */
struct xs_limits {
	unsigned int nodes;	   /* nodes owned by the domain */
	unsigned int value_size;   /* bytes of one node's value */
	unsigned int watches;	   /* watches registered */
	unsigned int transactions; /* transactions open at once */
	unsigned int txn_nodes;	   /* nodes one transaction may touch */
	unsigned int perms;	   /* entries in one node's permission list */
	/*
	 * Bytes of queued output (replies and watch events). Above it the
	 * connection's requests wait (xs_conn_feed() consumes nothing more)
	 * and new watch events for it are dropped, counted and logged once.
	 * Applies to privileged connections too: it bounds memory, not rights.
	 */
	unsigned int output;
};

/* C xenstored's defaults, and an output bound of 16 KiB. */
void xs_limits_default(struct xs_limits *lim);

/*
 * Set by the glue; each may be NULL. Called from inside xs_conn_feed() of
 * the privileged connection that sent the request.
 */
struct xs_hooks {
	/*
	 * INTRODUCE: conn is new (or, for a repeated INTRODUCE with the
	 * same mfn, the existing one): map its ring and bind its event
	 * channel. Returns 0 or a negative XEN_E* value; on failure a new
	 * conn is freed again and the request fails with that error.
	 */
	int (*introduce)(void *opaque, struct xs_conn *conn, uint64_t mfn,
			 uint32_t port);
	/*
	 * RELEASE: the domain's state is gone; unmap its ring. The core
	 * frees conn right after this returns.
	 */
	void (*release)(void *opaque, struct xs_conn *conn);
	void *opaque;
};

/* limits NULL: the defaults. Returns NULL when out of memory. */
struct xs_store *xs_store_create(const struct xs_limits *limits);
/* Frees everything, every remaining connection included. */
void xs_store_destroy(struct xs_store *s);
void xs_store_set_hooks(struct xs_store *s, const struct xs_hooks *hooks);
/* The store's own domain id: privileged like domain 0. */
void xs_store_set_self(struct xs_store *s, unsigned int domid);
/* Nodes in the store, the root included. */
unsigned long xs_store_nodes(const struct xs_store *s);

/*
 * A connection for domid, made by the glue (domains the glue knows at
 * start, such as domain 0). NULL when out of memory, when domid is not a
 * valid domain id or when the domain already has one. Introduced
 * domains get theirs from INTRODUCE, through the introduce hook.
 */
struct xs_conn *xs_conn_new(struct xs_store *s, unsigned int domid);
/* Forgets the domain's watches, transactions and queued bytes. */
void xs_conn_free(struct xs_conn *c);
struct xs_conn *xs_conn_find(struct xs_store *s, unsigned int domid);
unsigned int xs_conn_domid(const struct xs_conn *c);
void xs_conn_set_priv(struct xs_conn *c, void *priv);
void *xs_conn_priv(const struct xs_conn *c);

/*
 * Bytes from the domain's request ring: a 16-byte struct xsd_sockmsg,
 * then len bytes of payload. Each complete message is handled at once
 * and its reply queued. Returns the bytes consumed: fewer than len when
 * the queued output is over its bound (feed again after pulling; buf
 * NULL with len 0 just retries a message already received). A length
 * over XENSTORE_PAYLOAD_MAX breaks the connection: logged once, and from
 * then on everything fed is discarded (consumed) unprocessed.
 */
size_t xs_conn_feed(struct xs_conn *c, const void *buf, size_t len);
/* Takes up to max bytes of queued output for the response ring. */
size_t xs_conn_pull(struct xs_conn *c, void *buf, size_t max);
size_t xs_conn_pending_output(const struct xs_conn *c);
/* The protocol was broken (or memory ran out): nothing more is served. */
bool xs_conn_broken(const struct xs_conn *c);
/* Watch events dropped because the output was over its bound. */
unsigned long xs_conn_dropped_events(const struct xs_conn *c);

#endif /* XS_XENSTORE_H */
