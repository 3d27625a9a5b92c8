/*
 * The wire's framing: the byte stream a domain sends is cut into
 * messages (a struct xsd_sockmsg and its payload), copied into the
 * connection's own buffers before anything looks at them; replies and
 * events are queued whole. Only a broken frame (a length over
 * XENSTORE_PAYLOAD_MAX) breaks a connection; bad requests get an error
 * reply (request.c).
 */
#include "xs_core.h"

void xs_conn_break(struct xs_conn *c, const char *why)
{
	if (c->broken)
		return;
	c->broken = true;
	xs_log("xenstore: domain %u: %s; connection dropped", c->domid, why);
}

/* Starts a message of len payload bytes; xs_out_append() must follow. */
int xs_out_msg(struct xs_conn *c, uint32_t type, uint32_t req_id,
	       uint32_t tx_id, size_t len)
{
	struct xsd_sockmsg m = {
		.type = type, .req_id = req_id, .tx_id = tx_id, .len = len
	};

	if (xs_outq_reserve(&c->out, XS_HDR + len)) {
		xs_conn_break(c, "out of memory for output");
		return -XEN_ENOMEM;
	}
	xs_outq_write(&c->out, &m, XS_HDR);
	return 0;
}

void xs_out_append(struct xs_conn *c, const void *p, size_t n)
{
	xs_outq_write(&c->out, p, n);
}

/* Takes bytes of the message being received; returns how many. */
static size_t conn_take(struct xs_conn *c, const unsigned char *p, size_t n)
{
	struct xs_blob in = { .len = XS_BLOB_MAX,
			      .part = { c->in[0], c->in[1] } };
	size_t k;

	if (c->got < XS_HDR) {
		k = XS_HDR - c->got < n ? XS_HDR - c->got : n;
		memcpy((unsigned char *)&c->hdr + c->got, p, k);
		c->got += k;
		if (c->got == XS_HDR && c->hdr.len > XENSTORE_PAYLOAD_MAX)
			xs_conn_break(c, "message longer than allowed");
		return k;
	}
	k = XS_HDR + c->hdr.len - c->got;
	if (k > n)
		k = n;
	xs_blob_write(&in, c->got - XS_HDR, p, k);
	c->got += k;
	return k;
}

size_t xs_conn_feed(struct xs_conn *c, const void *buf, size_t len)
{
	size_t used = 0;

	while (!c->broken) {
		if (c->got >= XS_HDR && c->got == XS_HDR + c->hdr.len) {
			/* Replies wait for the domain to read what it has. */
			if (c->out.bytes > c->s->lim.output)
				return used;
			xs_request_handle(c);
			c->got = 0;
			continue;
		}
		if (used == len)
			return used;
		used +=
		    conn_take(c, (const unsigned char *)buf + used, len - used);
	}
	return len; /* a broken connection's bytes are dropped */
}

size_t xs_conn_pull(struct xs_conn *c, void *buf, size_t max)
{
	return xs_outq_pull(&c->out, buf, max);
}
