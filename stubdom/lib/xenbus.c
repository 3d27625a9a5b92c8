/*
 * The xenbus client: requests and replies over the xenstore ring page,
 * and the watch events in between.
 *
 * Requests go one at a time: the header and the payload's parts are
 * copied into the request ring as room appears (publishing req_prod
 * after each piece, so a request longer than the ring gets through),
 * then the response ring is read until the reply with the request's id
 * is complete. Watch events met on the way are queued for
 * xenbus_dispatch().
 *
 * The other side is not trusted: the indices it writes are checked
 * before use, every copy is masked and bounded by what our own buffers
 * hold, and a message that breaks the protocol breaks the connection
 * for good. Our own indices (req_prod, rsp_cons) are kept in struct
 * xenbus and only written to the ring.
 */
#include "../include/stub/xenbus.h"
#include <public/xen.h>
#include <stdarg.h>
#include <xen/lib.h>
#include <xen/string.h>

#define HDR  sizeof(struct xsd_sockmsg)
#define RING XENSTORE_RING_SIZE

/* XS_TYPE_COUNT minus one: the withdrawn XS_RESTRICT. */
#define XS_WITHDRAWN 20

/* A piece of a request's payload. */
struct part {
	const void *p;
	size_t len;
};

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

static int broken(struct xenbus *xb)
{
	xb->broken = true;
	xb->pending = false;
	xb->reply_ready = false;
	return -XEN_EIO;
}

void xenbus_init(struct xenbus *xb,
		 volatile struct xenstore_domain_interface *ring,
		 const struct xenbus_ops *ops)
{
	memset(xb, 0, sizeof(*xb));
	xb->ring = ring;
	xb->ops = *ops;
	xb->req_prod = ring->req_prod;
	xb->rsp_cons = ring->rsp_cons;
	xb->next_req_id = 1;
}

bool xenbus_broken(const struct xenbus *xb)
{
	return xb->broken;
}

unsigned long xenbus_dropped_events(const struct xenbus *xb)
{
	return xb->dropped;
}

/* ---- The event queue: records of a 2-byte length and the payload ---- */

static size_t evq_record(const struct xenbus *xb, size_t off)
{
	uint16_t len;

	memcpy(&len, xb->evq + off, sizeof(len));
	return sizeof(len) + len;
}

static unsigned int evq_count(const struct xenbus *xb)
{
	unsigned int n = 0;
	size_t off;

	for (off = 0; off < xb->evq_len; off += evq_record(xb, off))
		n++;
	return n;
}

static void evq_push(struct xenbus *xb, const char *p, size_t len)
{
	uint16_t l = (uint16_t)len;

	if (len > sizeof(xb->evq) - sizeof(l) ||
	    xb->evq_len + sizeof(l) + len > sizeof(xb->evq)) {
		xb->dropped++;
		return;
	}
	memcpy(xb->evq + xb->evq_len, &l, sizeof(l));
	memcpy(xb->evq + xb->evq_len + sizeof(l), p, len);
	xb->evq_len += sizeof(l) + len;
}

static void evq_remove(struct xenbus *xb, size_t off)
{
	size_t n = evq_record(xb, off);

	memmove(xb->evq + off, xb->evq + off + n, xb->evq_len - off - n);
	xb->evq_len -= n;
}

/* A queued event's strings: a record always holds two. */
static const char *evq_path(const struct xenbus *xb, size_t off)
{
	return xb->evq + off + sizeof(uint16_t);
}

static const char *evq_token(const struct xenbus *xb, size_t off)
{
	const char *path = evq_path(xb, off);

	return path + strlen(path) + 1;
}

/* An event on path belongs to a watch on wpath when at or below it. */
static bool path_under(const char *wpath, const char *path)
{
	size_t n = strlen(wpath);

	if (strncmp(wpath, path, n))
		return false;
	return path[n] == '\0' || path[n] == '/' || (n && wpath[n - 1] == '/');
}

static struct xenbus_watch *watch_for(struct xenbus *xb, const char *path,
				      const char *token)
{
	unsigned int i;

	for (i = 0; i < XENBUS_WATCHES; i++) {
		struct xenbus_watch *w = &xb->watches[i];

		if (w->cb && !strcmp(w->token, token) &&
		    path_under(w->path, path))
			return w;
	}
	return NULL;
}

/* ---- The response ring ---- */

static void ring_copy_out(char *dst, const volatile char *ring, uint32_t idx,
			  size_t n)
{
	size_t off = MASK_XENSTORE_IDX(idx);
	size_t first = min_sz(n, RING - off);

	memcpy(dst, (const char *)ring + off, first);
	memcpy(dst + first, (const char *)ring, n - first);
}

static bool header_valid(const struct xsd_sockmsg *h)
{
	return h->len <= XENSTORE_PAYLOAD_MAX && h->type < XS_TYPE_COUNT &&
	       h->type != XS_WITHDRAWN;
}

/* A complete message in rx: an event is queued, a reply kept. */
static int message(struct xenbus *xb)
{
	struct xsd_sockmsg h;
	const char *p = xb->rx + HDR;
	const char *end;

	memcpy(&h, xb->rx, HDR);
	if (h.type == XS_WATCH_EVENT) {
		/* "path\0token\0": two strings, anything after ignored. */
		end = memchr(p, '\0', h.len);
		if (end)
			end = memchr(end + 1, '\0', h.len - (end + 1 - p));
		if (!end)
			return broken(xb);
		evq_push(xb, p, end + 1 - p);
		xb->rx_have = 0;
		return 0;
	}
	if (!xb->pending || h.req_id != xb->pending_id)
		return broken(xb);
	xb->rx[HDR + h.len] = '\0';
	xb->reply_ready = true;
	return 0;
}

/*
 * Reads what the response ring holds, without blocking, until it is
 * empty or the reply to the pending request is complete.
 */
static int pump(struct xenbus *xb)
{
	volatile struct xenstore_domain_interface *r = xb->ring;
	struct xsd_sockmsg h;
	bool moved = false;
	int rc = 0;

	if (xb->broken)
		return -XEN_EIO;
	if (r->error != XENSTORE_ERROR_NONE)
		return broken(xb);
	/* The server's view of our requests must make sense, too. */
	if (xb->req_prod - __atomic_load_n(&r->req_cons, __ATOMIC_ACQUIRE) >
	    RING)
		return broken(xb);
	while (!xb->reply_ready) {
		uint32_t prod = __atomic_load_n(&r->rsp_prod, __ATOMIC_ACQUIRE);
		uint32_t avail = prod - xb->rsp_cons;
		size_t want, n;

		if (avail > RING) {
			rc = broken(xb);
			break;
		}
		if (!avail)
			break;
		if (xb->rx_have < HDR) {
			want = HDR - xb->rx_have;
		} else {
			memcpy(&h, xb->rx, HDR);
			want = HDR + h.len - xb->rx_have;
		}
		n = min_sz(avail, want);
		ring_copy_out(xb->rx + xb->rx_have, r->rsp, xb->rsp_cons, n);
		xb->rx_have += n;
		xb->rsp_cons += n;
		moved = true;
		if (xb->rx_have < HDR)
			continue;
		memcpy(&h, xb->rx, HDR);
		if (xb->rx_have == HDR && !header_valid(&h)) {
			rc = broken(xb);
			break;
		}
		if (xb->rx_have == HDR + h.len && (rc = message(xb)))
			break;
	}
	if (moved && !xb->broken) {
		/* Done reading before the server may reuse the bytes. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		__atomic_store_n(&r->rsp_cons, xb->rsp_cons, __ATOMIC_RELEASE);
		xb->ops.notify(xb->ops.env);
	}
	return rc;
}

/* ---- The request ring ---- */

static int send_bytes(struct xenbus *xb, const void *data, size_t len)
{
	volatile struct xenstore_domain_interface *r = xb->ring;
	const char *s = data;

	while (len) {
		uint32_t cons, used, off;
		size_t n;
		int rc;

		if (r->error != XENSTORE_ERROR_NONE)
			return broken(xb);
		cons = __atomic_load_n(&r->req_cons, __ATOMIC_ACQUIRE);
		used = xb->req_prod - cons;
		if (used > RING)
			return broken(xb);
		if (used == RING) {
			/*
			 * Full: the server may be waiting for room in the
			 * response ring before it reads on, so drain that.
			 */
			xb->ops.notify(xb->ops.env);
			rc = pump(xb);
			if (rc)
				return rc;
			xb->ops.wait(xb->ops.env);
			continue;
		}
		off = MASK_XENSTORE_IDX(xb->req_prod);
		n = min_sz(len, min_sz(RING - used, RING - off));
		memcpy((char *)r->req + off, s, n);
		/* The bytes are in place before the index says so. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		xb->req_prod += (uint32_t)n;
		__atomic_store_n(&r->req_prod, xb->req_prod, __ATOMIC_RELEASE);
		s += n;
		len -= n;
	}
	return 0;
}

/* The number of an XS_ERROR's name. */
static int error_number(const char *p, size_t len)
{
	size_t n = strnlen(p, len);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xsd_errors); i++)
		if (strlen(xsd_errors[i].errstring) == n &&
		    !memcmp(xsd_errors[i].errstring, p, n))
			return -xsd_errors[i].errnum;
	return -XEN_EIO;
}

/* A request's header and parts into the ring: 0, or an error. */
static int send_request(struct xenbus *xb, uint32_t type, uint32_t tx,
			const struct part *parts, unsigned int nparts,
			size_t len, uint32_t *id)
{
	struct xsd_sockmsg h;
	int rc;

	h.type = type;
	h.req_id = xb->next_req_id++;
	h.tx_id = tx;
	h.len = (uint32_t)len;
	rc = send_bytes(xb, &h, HDR);
	for (unsigned int i = 0; !rc && i < nparts; i++)
		rc = send_bytes(xb, parts[i].p, parts[i].len);
	*id = h.req_id;
	return rc;
}

/*
 * Waits for the reply to request id (sent, and announced). Returns the
 * reply's payload length, the payload being at xb->rx + HDR (and
 * NUL-terminated there) until the next call into the library; or an
 * error.
 */
static int await_reply(struct xenbus *xb, uint32_t id, uint32_t type)
{
	struct xsd_sockmsg h;
	int rc;

	xb->pending = true;
	xb->pending_id = id;
	for (;;) {
		rc = pump(xb);
		if (rc)
			return rc;
		if (xb->reply_ready)
			break;
		xb->ops.wait(xb->ops.env);
	}
	xb->pending = false;
	xb->reply_ready = false;
	xb->rx_have = 0;
	memcpy(&h, xb->rx, HDR);
	if (h.type == XS_ERROR)
		return error_number(xb->rx + HDR, h.len);
	if (h.type != type)
		return broken(xb);
	return (int)h.len;
}

/*
 * Updates inside a transaction (writes, mkdirs, permissions: requests
 * answered "OK") go out without waiting for their replies: nobody sees
 * them before the commit, and the server answers a connection's
 * requests in order. The next other request (at the latest the
 * transaction's end) first reads those replies, in one round trip for
 * them all; the first error among them is its result.
 */

/* The deferred updates' replies read: 0, or the first error (once). */
static int drain(struct xenbus *xb)
{
	unsigned int n = xb->deferred;
	int rc;

	if (n)
		xb->ops.notify(xb->ops.env);
	for (unsigned int i = 0; i < n && !xb->broken; i++) {
		rc = await_reply(xb, xb->deferred_id + i, xb->deferred_type[i]);
		if (rc < 0 && !xb->deferred_rc)
			xb->deferred_rc = rc;
	}
	xb->deferred = 0;
	rc = xb->deferred_rc;
	xb->deferred_rc = 0;
	return rc;
}

/* Whether a request of len payload bytes fits the ring without a wait. */
static bool fits_now(struct xenbus *xb, size_t len)
{
	uint32_t used = xb->req_prod -
			__atomic_load_n(&xb->ring->req_cons, __ATOMIC_ACQUIRE);

	return used <= RING && RING - used >= HDR + len;
}

static bool deferrable(struct xenbus *xb, uint32_t type, uint32_t tx,
		       size_t len)
{
	if (type != XS_WRITE && type != XS_MKDIR && type != XS_SET_PERMS)
		return false;
	/* Never a wait for room with replies unread: those go first. */
	return tx != XENBUS_NO_TX && xb->deferred < XENBUS_DEFER_MAX &&
	       fits_now(xb, len);
}

/*
 * Sends a request and waits for its reply (a deferred update: only sends
 * it, and returns 0). Returns what await_reply() does.
 */
static int request(struct xenbus *xb, uint32_t type, uint32_t tx,
		   const struct part *parts, unsigned int nparts)
{
	size_t len = 0;
	uint32_t id;
	int rc;

	for (unsigned int i = 0; i < nparts; i++) {
		if (parts[i].len > XENSTORE_PAYLOAD_MAX - len)
			return -XEN_E2BIG;
		len += parts[i].len;
	}
	if (xb->broken)
		return -XEN_EIO;
	if (xb->pending)
		return -XEN_EBUSY; /* called from ops.wait or ops.notify */
	if (deferrable(xb, type, tx, len)) {
		rc = send_request(xb, type, tx, parts, nparts, len, &id);
		if (rc)
			return rc;
		if (!xb->deferred)
			xb->deferred_id = id;
		xb->deferred_type[xb->deferred++] = (uint8_t)type;
		return 0;
	}
	rc = drain(xb);
	if (rc)
		return rc;
	rc = send_request(xb, type, tx, parts, nparts, len, &id);
	if (rc)
		return rc;
	xb->ops.notify(xb->ops.env);
	return await_reply(xb, id, type);
}

static struct part str_part(const char *s)
{
	struct part p = { s, strlen(s) + 1 };

	return p;
}

/* A request on one path whose reply is only "OK". */
static int path_request(struct xenbus *xb, uint32_t type, uint32_t tx,
			const char *path)
{
	struct part p = str_part(path);
	int rc = request(xb, type, tx, &p, 1);

	return rc < 0 ? rc : 0;
}

/* ---- Operations ---- */

int xenbus_read(struct xenbus *xb, uint32_t tx, const char *path, char *buf,
		size_t size)
{
	struct part p = str_part(path);
	int n = request(xb, XS_READ, tx, &p, 1);

	if (n < 0)
		return n;
	if ((size_t)n >= size)
		return -XEN_E2BIG;
	memcpy(buf, xb->rx + HDR, (size_t)n + 1);
	return n;
}

/* Sends what fits of r[0..n) (one at least): how many, or an error. */
static int batch_send(struct xenbus *xb, uint32_t tx,
		      const struct xenbus_read_req *r, unsigned int n,
		      uint32_t *first)
{
	unsigned int sent = 0;
	uint32_t id;
	int rc;

	/* Never a wait for room with replies unread (as deferrable()). */
	while (sent < n && (!sent || fits_now(xb, strlen(r[sent].path) + 1))) {
		struct part p = str_part(r[sent].path);

		rc = send_request(xb, XS_READ, tx, &p, 1, p.len, &id);
		if (rc)
			return rc;
		if (!sent++)
			*first = id;
	}
	xb->ops.notify(xb->ops.env);
	return (int)sent;
}

int xenbus_read_batch(struct xenbus *xb, uint32_t tx, struct xenbus_read_req *r,
		      unsigned int n)
{
	unsigned int done = 0;
	uint32_t first = 0;
	int rc;

	if (xb->broken)
		return -XEN_EIO;
	if (xb->pending)
		return -XEN_EBUSY;
	for (unsigned int i = 0; i < n; i++)
		if (strlen(r[i].path) + 1 > XENSTORE_PAYLOAD_MAX)
			return -XEN_E2BIG;
	rc = drain(xb);
	while (!rc && done < n) {
		int sent = batch_send(xb, tx, r + done, n - done, &first);

		if (sent < 0)
			return sent;
		for (int k = 0; k < sent; k++, done++) {
			struct xenbus_read_req *q = &r[done];
			int m = await_reply(xb, first + (uint32_t)k, XS_READ);

			if (xb->broken)
				return -XEN_EIO;
			q->rc = m >= 0 && (size_t)m >= q->size ? -XEN_E2BIG : m;
			if (q->rc >= 0)
				memcpy(q->buf, xb->rx + HDR, (size_t)m + 1);
		}
	}
	return rc;
}

static int parse_ulong(const char *s, size_t len, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (!len)
		return -XEN_EINVAL;
	for (i = 0; i < len; i++) {
		unsigned int d = (unsigned int)(s[i] - '0');

		if (d > 9)
			return -XEN_EINVAL;
		if (v > (~0ul - d) / 10)
			return -XEN_ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int xenbus_parse_uint(const char *buf, int n, unsigned long *out)
{
	if (n == -XEN_E2BIG)
		return -XEN_EINVAL; /* no number has 63 digits */
	if (n < 0)
		return n;
	return parse_ulong(buf, (size_t)n, out);
}

int xenbus_batch_uint(const struct xenbus_read_req *r, unsigned long max,
		      unsigned long *out)
{
	int rc = xenbus_parse_uint(r->buf, r->rc, out);

	return !rc && *out > max ? -XEN_ERANGE : rc;
}

int xenbus_batch_str(const struct xenbus_read_req *r)
{
	if (r->rc >= 0 && (size_t)r->rc != strlen(r->buf))
		return -XEN_EINVAL;
	return r->rc < 0 ? r->rc : 0;
}

int xenbus_read_uint(struct xenbus *xb, uint32_t tx, const char *path,
		     unsigned long *out)
{
	char buf[XENBUS_UINT_MAX];
	int n = xenbus_read(xb, tx, path, buf, sizeof(buf));

	return xenbus_parse_uint(buf, n, out);
}

int xenbus_write(struct xenbus *xb, uint32_t tx, const char *path,
		 const char *value)
{
	struct part p[2] = { str_part(path), { value, strlen(value) } };
	int rc = request(xb, XS_WRITE, tx, p, 2);

	return rc < 0 ? rc : 0;
}

int xenbus_printf(struct xenbus *xb, uint32_t tx, const char *path,
		  const char *fmt, ...)
{
	struct part p[2];
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = fmt_vsnprintf(xb->scratch, sizeof(xb->scratch), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -XEN_EINVAL;
	if ((size_t)n >= sizeof(xb->scratch))
		return -XEN_E2BIG;
	p[0] = str_part(path);
	p[1].p = xb->scratch;
	p[1].len = (size_t)n;
	rc = request(xb, XS_WRITE, tx, p, 2);
	return rc < 0 ? rc : 0;
}

int xenbus_mkdir(struct xenbus *xb, uint32_t tx, const char *path)
{
	return path_request(xb, XS_MKDIR, tx, path);
}

int xenbus_rm(struct xenbus *xb, uint32_t tx, const char *path)
{
	return path_request(xb, XS_RM, tx, path);
}

/* A reply of NUL-terminated strings into buf, with one more NUL. */
static int string_list(struct xenbus *xb, int n, char *buf, size_t size)
{
	const char *p = xb->rx + HDR;
	int count = 0, i;

	if (n < 0)
		return n;
	if (n && p[n - 1] != '\0')
		return -XEN_EIO; /* not a list: the server got it wrong */
	if ((size_t)n >= size)
		return -XEN_E2BIG;
	memcpy(buf, p, (size_t)n);
	buf[n] = '\0';
	for (i = 0; i < n; i++)
		count += p[i] == '\0';
	return count;
}

int xenbus_directory(struct xenbus *xb, uint32_t tx, const char *path,
		     char *buf, size_t size)
{
	struct part p = str_part(path);

	return string_list(xb, request(xb, XS_DIRECTORY, tx, &p, 1), buf, size);
}

int xenbus_get_perms(struct xenbus *xb, uint32_t tx, const char *path,
		     char *buf, size_t size)
{
	struct part p = str_part(path);

	return string_list(xb, request(xb, XS_GET_PERMS, tx, &p, 1), buf, size);
}

int xenbus_set_perms(struct xenbus *xb, uint32_t tx, const char *path,
		     const char *perms, size_t perms_len)
{
	struct part p[2] = { str_part(path), { perms, perms_len } };
	int rc;

	if (!perms_len || perms[perms_len - 1] != '\0')
		return -XEN_EINVAL;
	rc = request(xb, XS_SET_PERMS, tx, p, 2);
	return rc < 0 ? rc : 0;
}

/* A reply holding one string (its NUL optional) into buf. */
static int string_reply(struct xenbus *xb, int n, char *buf, size_t size)
{
	size_t len;

	if (n < 0)
		return n;
	len = strnlen(xb->rx + HDR, (size_t)n);
	if (len >= size)
		return -XEN_E2BIG;
	memcpy(buf, xb->rx + HDR, len);
	buf[len] = '\0';
	return (int)len;
}

int xenbus_get_domain_path(struct xenbus *xb, unsigned int domid, char *buf,
			   size_t size)
{
	char id[16];
	struct part p = {
		id, (size_t)fmt_snprintf(id, sizeof(id), "%u", domid) + 1
	};

	return string_reply(xb, request(xb, XS_GET_DOMAIN_PATH, 0, &p, 1), buf,
			    size);
}

int xenbus_request(struct xenbus *xb, uint32_t type, uint32_t tx,
		   const void *payload, size_t len, char *reply, size_t size)
{
	struct part p = { payload, len };
	int n;

	if (type >= XS_TYPE_COUNT || type == XS_WITHDRAWN || type == XS_WATCH ||
	    type == XS_UNWATCH || type == XS_WATCH_EVENT || type == XS_ERROR)
		return -XEN_EINVAL;
	n = request(xb, type, tx, &p, 1);
	if (n < 0 || !reply)
		return n;
	if ((size_t)n >= size)
		return -XEN_E2BIG;
	memcpy(reply, xb->rx + HDR, (size_t)n + 1);
	return n;
}

/* ---- Transactions ---- */

int xenbus_transaction_start(struct xenbus *xb, uint32_t *tx)
{
	struct part p = { "", 1 };
	unsigned long id;
	int n = request(xb, XS_TRANSACTION_START, 0, &p, 1);

	if (n < 0)
		return n;
	if (parse_ulong(xb->rx + HDR, strnlen(xb->rx + HDR, (size_t)n), &id) ||
	    !id || id > UINT32_MAX)
		return -XEN_EIO;
	*tx = (uint32_t)id;
	return 0;
}

/* A write of it that failed ends it aborted, with that write's error. */
int xenbus_transaction_end(struct xenbus *xb, uint32_t tx, bool abort)
{
	int failed = xb->pending ? 0 : drain(xb);
	struct part p = { abort || failed ? "F" : "T", 2 };
	int rc = request(xb, XS_TRANSACTION_END, tx, &p, 1);

	return failed ? failed : rc < 0 ? rc : 0;
}

int xenbus_transaction(struct xenbus *xb,
		       int (*fn)(struct xenbus *xb, uint32_t tx, void *data),
		       void *data, unsigned int max_tries)
{
	unsigned int i;
	uint32_t tx;
	int rc = -XEN_EAGAIN;

	for (i = 0; i < max_tries || i == 0; i++) {
		rc = xenbus_transaction_start(xb, &tx);
		if (rc)
			return rc;
		rc = fn(xb, tx, data);
		if (rc) {
			xenbus_transaction_end(xb, tx, true);
			return rc;
		}
		rc = xenbus_transaction_end(xb, tx, false);
		if (rc != -XEN_EAGAIN)
			return rc;
	}
	return rc;
}

/* ---- Watches ---- */

static struct xenbus_watch *watch_find(struct xenbus *xb, const char *path,
				       const char *token)
{
	unsigned int i;

	for (i = 0; i < XENBUS_WATCHES; i++) {
		struct xenbus_watch *w = &xb->watches[i];

		if (w->cb && !strcmp(w->path, path) && !strcmp(w->token, token))
			return w;
	}
	return NULL;
}

int xenbus_watch(struct xenbus *xb, const char *path, const char *token,
		 xenbus_watch_fn cb, void *data)
{
	struct part p[2] = { str_part(path), str_part(token) };
	struct xenbus_watch *w = NULL;
	unsigned int i;
	int rc;

	if (!cb)
		return -XEN_EINVAL;
	if (p[0].len > XENBUS_WATCH_PATH_MAX ||
	    p[1].len > XENBUS_WATCH_TOKEN_MAX)
		return -XEN_E2BIG;
	if (xb->broken)
		return -XEN_EIO;
	if (watch_find(xb, path, token))
		return -XEN_EEXIST;
	for (i = 0; i < XENBUS_WATCHES && !w; i++)
		if (!xb->watches[i].cb)
			w = &xb->watches[i];
	if (!w)
		return -XEN_ENOSPC;
	rc = request(xb, XS_WATCH, XENBUS_NO_TX, p, 2);
	if (rc < 0)
		return rc;
	/* Before any event of it is dispatched: they are only queued. */
	memcpy(w->path, path, p[0].len);
	memcpy(w->token, token, p[1].len);
	w->data = data;
	w->cb = cb;
	return 0;
}

int xenbus_unwatch(struct xenbus *xb, const char *path, const char *token)
{
	struct part p[2] = { str_part(path), str_part(token) };
	struct xenbus_watch *w = watch_find(xb, path, token);
	size_t off;
	unsigned int i;
	int rc;

	if (!w)
		return -XEN_ENOENT;
	rc = request(xb, XS_UNWATCH, XENBUS_NO_TX, p, 2);
	w->cb = NULL;
	/*
	 * Forget its queued events, except the one being delivered (its
	 * strings are in the callback's hands).
	 */
	off = xb->dispatching ? evq_record(xb, 0) : 0;
	for (i = xb->dispatching ? 1 : 0; off < xb->evq_len; i++) {
		if (!strcmp(evq_token(xb, off), w->token) &&
		    path_under(w->path, evq_path(xb, off)) &&
		    !watch_for(xb, evq_path(xb, off), evq_token(xb, off))) {
			evq_remove(xb, off);
			if (xb->dispatching && i < xb->dispatch_left)
				xb->dispatch_left--;
			i--;
			continue;
		}
		off += evq_record(xb, off);
	}
	w->path[0] = w->token[0] = '\0';
	return rc < 0 ? rc : 0;
}

int xenbus_poll(struct xenbus *xb)
{
	int rc;

	/* Replies to deferred updates are read here, their error kept. */
	if (xb->deferred && !xb->pending) {
		rc = drain(xb);
		if (rc)
			xb->deferred_rc = rc;
	}
	rc = pump(xb);

	return rc ? rc : (int)evq_count(xb);
}

int xenbus_dispatch(struct xenbus *xb)
{
	int delivered = 0;

	if (xb->dispatching)
		return 0;
	xb->dispatching = true;
	/*
	 * Only what is queued now: the count shrinks when a callback's
	 * unwatch forgets some of these, events queued meanwhile wait.
	 */
	for (xb->dispatch_left = evq_count(xb);
	     xb->dispatch_left && xb->evq_len; xb->dispatch_left--) {
		const char *path = evq_path(xb, 0);
		const char *token = evq_token(xb, 0);
		struct xenbus_watch *w = watch_for(xb, path, token);

		if (w) {
			w->cb(xb, path, token, w->data);
			delivered++;
		}
		evq_remove(xb, 0);
	}
	xb->dispatching = false;
	return delivered;
}

/* ---- XenbusState ---- */

const char *xenbus_state_name(int state)
{
	static const char *const names[] = {
		[XenbusStateUnknown] = "Unknown",
		[XenbusStateInitialising] = "Initialising",
		[XenbusStateInitWait] = "InitWait",
		[XenbusStateInitialised] = "Initialised",
		[XenbusStateConnected] = "Connected",
		[XenbusStateClosing] = "Closing",
		[XenbusStateClosed] = "Closed",
		[XenbusStateReconfiguring] = "Reconfiguring",
		[XenbusStateReconfigured] = "Reconfigured",
	};

	if (state < 0 || (unsigned int)state >= ARRAY_SIZE(names))
		return "Invalid";
	return names[state];
}

int xenbus_parse_state(const char *buf, int n)
{
	unsigned long v;

	/*
	 * Absent, or unreadable: a peer's node goes with its domain's
	 * directory, and its parent may then be one we cannot read. Gone
	 * either way, as Xen's xenbus_read_driver_state() has it.
	 */
	if (n == -XEN_ENOENT || n == -XEN_EACCES)
		return XenbusStateUnknown;
	if (n == -XEN_E2BIG)
		return -XEN_EINVAL; /* no state has 63 digits */
	if (n < 0)
		return n;
	if (parse_ulong(buf, (size_t)n, &v) || v > 0x7fffffff)
		return -XEN_EINVAL;
	return (int)v;
}

int xenbus_read_state(struct xenbus *xb, const char *dir)
{
	struct part p[2] = { { dir, strlen(dir) }, { "/state", 7 } };
	int n = request(xb, XS_READ, XENBUS_NO_TX, p, 2);

	/* Here -XEN_E2BIG is the path's: any value fits xb->rx. */
	return n == -XEN_E2BIG ? n : xenbus_parse_state(xb->rx + HDR, n);
}

int xenbus_read_states(struct xenbus *xb, const char *be_dir,
		       const char *fe_state, int *be, int *fe)
{
	char path[XENBUS_WATCH_PATH_MAX + 8], val[2][XENBUS_UINT_MAX];
	struct xenbus_read_req r[2] = {
		{ path, val[0], sizeof(val[0]), 0 },
		{ fe_state, val[1], sizeof(val[1]), 0 },
	};
	int n = fmt_snprintf(path, sizeof(path), "%s/state", be_dir);
	int rc = n < 0 || (size_t)n >= sizeof(path)
		     ? -XEN_E2BIG
		     : xenbus_read_batch(xb, XENBUS_NO_TX, r, fe_state ? 2 : 1);

	if (rc)
		return rc;
	*be = xenbus_parse_state(val[0], r[0].rc);
	*fe =
	    fe_state ? xenbus_parse_state(val[1], r[1].rc) : XenbusStateUnknown;
	return 0;
}

int xenbus_read_frontend(struct xenbus *xb, const char *be_dir,
			 unsigned int domid, char *fe, size_t size)
{
	char path[2][XENBUS_WATCH_PATH_MAX + 16], prefix[32];
	char idv[XENBUS_UINT_MAX];
	struct xenbus_read_req r[2] = { { path[0], fe, size, 0 },
					{ path[1], idv, sizeof(idv), 0 } };
	int a = fmt_snprintf(path[0], sizeof(path[0]), "%s/frontend", be_dir);
	int b =
	    fmt_snprintf(path[1], sizeof(path[1]), "%s/frontend-id", be_dir);
	unsigned long id;
	int rc, n;

	if (a < 0 || (size_t)a >= sizeof(path[0]) || b < 0 ||
	    (size_t)b >= sizeof(path[1]))
		return -XEN_E2BIG;
	rc = xenbus_read_batch(xb, XENBUS_NO_TX, r, 2);
	if (!rc)
		rc = xenbus_batch_str(&r[0]);
	if (!rc)
		rc = xenbus_batch_uint(&r[1], DOMID_FIRST_RESERVED - 1, &id);
	if (rc)
		return rc;
	n = fmt_snprintf(prefix, sizeof(prefix), "/local/domain/%u/", domid);
	if (id != domid || strncmp(fe, prefix, (size_t)n) || !fe[n] ||
	    fe[strlen(fe) - 1] == '/')
		return -XEN_EINVAL;
	return 0;
}

int xenbus_switch_state(struct xenbus *xb, uint32_t tx, const char *dir,
			int state)
{
	char val[4];
	struct part p[3] = { { dir, strlen(dir) },
			     { "/state", 7 },
			     { val, 0 } };
	int rc;

	if (state < XenbusStateUnknown || state > XenbusStateReconfigured)
		return -XEN_EINVAL;
	p[2].len = (size_t)fmt_snprintf(val, sizeof(val), "%d", state);
	rc = request(xb, XS_WRITE, tx, p, 3);
	return rc < 0 ? rc : 0;
}
