/*
 * netfront: the frontend of one vif, for small domains.
 *
 * Pages: two ring pages, NETFRONT_RX_BUFS receive pages and
 * NETFRONT_TX_BUFS transmit pages, allocated at init and granted to the
 * backend for one connection at a time. A receive buffer's id is its
 * index, as is a transmit buffer's; a response naming an id we did not
 * post is counted and ignored.
 *
 * The handshake follows Linux's netfront against Linux's netback: when
 * the backend is InitWait we publish rings, event channel and features
 * and switch to Connected in one transaction; frames flow once the
 * backend is Connected too. When the backend leaves Connected, its node
 * disappears or <dir>/backend names another one, the connection ends:
 * grants are taken back (NETFRONT_DRAINING), then we wait for a backend
 * in InitWait again. Meanwhile our state tells the backend what to do: a
 * backend still Connected (or Closing) is asked to close (we write
 * Closed); one that is Closed, gone or new sees us Initialising, which
 * moves Linux's netback to InitWait.
 */
#include "../include/stub/netfront.h"
#include <xen/ctype.h>
#include <xen/lib.h>
#include <xen/string.h>

#define PAGE XEN_PAGE_SIZE

/* Pages by index: the two rings, the receive buffers, the transmit ones. */
#define NF_RX0	 2u
#define NF_TX0	 (NF_RX0 + NETFRONT_RX_BUFS)
#define NF_PAGES (NF_TX0 + NETFRONT_TX_BUFS)

/* Connection attempts through the transaction, while it conflicts. */
#define NF_TXN_TRIES 8

static struct netfront_page *nf_page(struct netfront *nf, unsigned int i)
{
	if (i == 0)
		return &nf->tx_ring_pg;
	if (i == 1)
		return &nf->rx_ring_pg;
	if (i < NF_TX0)
		return &nf->rx_buf[i - NF_RX0];
	return &nf->tx_buf[i - NF_TX0];
}

/* ---- Pages and grants ---- */

static int page_ensure(struct netfront *nf, struct netfront_page *pg)
{
	if (pg->va)
		return 0;
	pg->va = nf->ops.page_alloc(nf->ops.env, &pg->mfn);
	pg->granted = false;
	pg->end_tries = 0;
	return pg->va ? 0 : -XEN_ENOMEM;
}

static int page_grant(struct netfront *nf, struct netfront_page *pg,
		      bool readonly)
{
	long ref =
	    nf->ops.grant_access(nf->ops.env, nf->xf.be_id, pg->mfn, readonly);

	if (ref < 0)
		return (int)ref;
	pg->ref = (grant_ref_t)ref;
	pg->granted = true;
	pg->end_tries = 0;
	return 0;
}

/*
 * A transmit buffer lost its frame (in flight when the connection ended,
 * its page leaked, or shutdown). The queue holds each queued buffer
 * once and nothing else, so it never overflows: a queued one leaves it.
 */
static void tx_forget(struct netfront *nf, unsigned int b)
{
	unsigned int i, n = 0;

	if (nf->tx_st[b] == NETFRONT_TX_FREE)
		return;
	nf->stats.tx_lost++;
	if (nf->tx_st[b] == NETFRONT_TX_QUEUED) {
		for (i = 0; i < nf->txq_len; i++) {
			uint16_t e =
			    nf->txq[(nf->txq_head + i) % NETFRONT_TX_BUFS];

			if (e != b)
				nf->txq[(nf->txq_head + n++) %
					NETFRONT_TX_BUFS] = e;
		}
		nf->txq_len = n;
	}
	nf->tx_st[b] = NETFRONT_TX_FREE;
}

/*
 * Take page i's grant back. True when it is no longer granted: ended, or
 * given up on (the page leaked: never reused, never freed) after
 * NETFRONT_END_TRIES busy tries, or at once when final or when the
 * grant cannot be ended for another reason.
 */
static bool page_end(struct netfront *nf, unsigned int i, bool final)
{
	struct netfront_page *pg = nf_page(nf, i);
	long rc;

	if (!pg->granted)
		return true;
	rc = nf->ops.grant_end(nf->ops.env, pg->ref);
	if (rc == 0) {
		pg->granted = false;
		pg->end_tries = 0;
		return true;
	}
	if (rc == -XEN_EBUSY && !final && ++pg->end_tries < NETFRONT_END_TRIES)
		return false;
	pg->va = NULL;
	pg->granted = false;
	pg->end_tries = 0;
	nf->stats.grants_leaked++;
	if (i >= NF_TX0)
		tx_forget(nf, i - NF_TX0);
	return true;
}

/* ---- Store helpers ---- */

static int nf_write_key(struct netfront *nf, uint32_t tx, const char *key,
			unsigned long val)
{
	char path[NETFRONT_DIR_MAX + 32];
	int rc = xbf_key(nf->xf.dir, key, path, sizeof(path));

	return rc ? rc : xenbus_printf(nf->ops.xb, tx, path, "%lu", val);
}

/* "xx:xx:xx:xx:xx:xx", hex digits in either case. */
static int nf_read_mac(struct netfront *nf)
{
	char path[NETFRONT_DIR_MAX + 8], buf[20];
	int n, i;

	n = xbf_key(nf->xf.dir, "mac", path, sizeof(path));
	if (n)
		return n;
	n = xenbus_read(nf->ops.xb, XENBUS_NO_TX, path, buf, sizeof(buf));
	if (n < 0)
		return n == -XEN_E2BIG ? -XEN_EINVAL : n;
	if (n != 17)
		return -XEN_EINVAL;
	for (i = 0; i < 6; i++) {
		int hi = hex_digit_value(buf[3 * i]),
		    lo = hex_digit_value(buf[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && buf[3 * i + 2] != ':'))
			return -XEN_EINVAL;
		nf->mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* ---- Rings ---- */

static void nf_kick(struct netfront *nf)
{
	if (nf->port_valid)
		nf->ops.notify(nf->ops.env, nf->port);
}

/* Post every receive buffer we hold back; notify when the backend asks. */
static void nf_rx_refill(struct netfront *nf, bool notify_ok)
{
	unsigned int i, n = 0;
	int notify;

	for (i = 0; i < NETFRONT_RX_BUFS && !RING_FULL(&nf->rx); i++) {
		struct netif_rx_request *req;

		if (nf->rx_posted[i] || !nf->rx_buf[i].granted)
			continue;
		req = RING_GET_REQUEST(&nf->rx, nf->rx.req_prod_pvt);
		req->id = (uint16_t)i;
		req->pad = 0;
		req->gref = nf->rx_buf[i].ref;
		nf->rx.req_prod_pvt++;
		nf->rx_posted[i] = true;
		n++;
	}
	if (!n)
		return;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->rx, notify);
	if (notify && notify_ok)
		nf_kick(nf);
}

/* Put queued frames on the transmit ring while it has room. */
static void nf_tx_flush(struct netfront *nf)
{
	unsigned int n = 0;
	int notify;

	while (nf->txq_len && !RING_FULL(&nf->tx)) {
		unsigned int b = nf->txq[nf->txq_head];
		struct netif_tx_request *req;

		nf->txq_head = (nf->txq_head + 1) % NETFRONT_TX_BUFS;
		nf->txq_len--;
		req = RING_GET_REQUEST(&nf->tx, nf->tx.req_prod_pvt);
		req->gref = nf->tx_buf[b].ref;
		req->offset = 0;
		req->flags = 0;
		req->id = (uint16_t)b;
		req->size = nf->tx_len[b];
		nf->tx.req_prod_pvt++;
		nf->tx_st[b] = NETFRONT_TX_INFLIGHT;
		nf->stats.tx_frames++;
		n++;
	}
	if (!n)
		return;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->tx, notify);
	if (notify)
		nf_kick(nf);
}

/*
 * The backend's response producer, once, after which its responses may
 * be read. Bad when it claims more responses than we made requests.
 */
#define NF_RSP_PROD(r, prod)                                                  \
	({                                                                    \
		(prod) =                                                      \
		    __atomic_load_n(&(r)->sring->rsp_prod, __ATOMIC_ACQUIRE); \
		(RING_IDX)((prod) - (r)->rsp_cons) <=                         \
		    (RING_IDX)((r)->req_prod_pvt - (r)->rsp_cons);            \
	})

static void nf_tx_done(struct netfront *nf, const struct netif_tx_response *r)
{
	if (r->id >= NETFRONT_TX_BUFS ||
	    nf->tx_st[r->id] != NETFRONT_TX_INFLIGHT) {
		nf->stats.tx_bad_rsp++;
		return;
	}
	if (r->status != NETIF_RSP_OKAY)
		nf->stats.tx_errors++;
	nf->tx_st[r->id] = NETFRONT_TX_FREE;
}

/*
 * Free the buffers of answered frames; false when the ring is broken.
 * The next event is asked for when half of what is in flight has been
 * answered (as Linux's netfront does), not at every response: a sender
 * that runs out of buffers wakes with half of them back.
 */
static bool nf_tx_collect(struct netfront *nf)
{
	RING_IDX prod, cons;

	for (;;) {
		if (!NF_RSP_PROD(&nf->tx, prod))
			return false;
		for (cons = nf->tx.rsp_cons; cons != prod; cons++) {
			struct netif_tx_response rsp;

			RING_COPY_RESPONSE(&nf->tx, cons, &rsp);
			nf_tx_done(nf, &rsp);
		}
		nf->tx.rsp_cons = prod;
		nf->tx.sring->rsp_event =
		    prod + ((nf->tx.req_prod_pvt - prod) >> 1) + 1;
		xen_mb(); /* the event index, then a last look */
		if (nf->tx.sring->rsp_prod == prod)
			return true;
	}
}

/*
 * One receive response (a private copy): delivers its frame when it is
 * good; 1 when delivered. Its buffer, when the id names one we posted,
 * is taken back for reposting whatever the rest says.
 */
static int nf_rx_one(struct netfront *nf, const struct netif_rx_response *r)
{
	bool chained = nf->rx_in_chain;
	uint16_t id = r->id, flags = r->flags;
	int16_t status = r->status;

	if (nf->rx_skip_extra) {
		/* An extra_info slot: no buffer of ours, maybe another one. */
		struct netif_extra_info x;

		memcpy(&x, r, sizeof(x));
		nf->rx_skip_extra = (x.flags & XEN_NETIF_EXTRA_FLAG_MORE) != 0;
		return 0;
	}
	nf->rx_skip_extra = (flags & NETRXF_extra_info) != 0;
	nf->rx_in_chain = (flags & NETRXF_more_data) != 0;
	if (id >= NETFRONT_RX_BUFS || !nf->rx_posted[id]) {
		nf->stats.rx_bad_rsp++;
		return 0;
	}
	nf->rx_posted[id] = false;
	if (chained || (flags & (NETRXF_more_data | NETRXF_extra_info))) {
		nf->stats.rx_unwanted++; /* we asked for neither */
		return 0;
	}
	if (status < 0) {
		nf->stats.rx_errors++;
		return 0;
	}
	if (status == 0 || r->offset >= PAGE ||
	    (unsigned long)status > PAGE - r->offset) {
		nf->stats.rx_bad_rsp++;
		return 0;
	}
	memcpy(nf->rx_copy, (const uint8_t *)nf->rx_buf[id].va + r->offset,
	       (size_t)status);
	nf->stats.rx_frames++;
	nf->ops.rx(nf->ops.env, nf->rx_copy, (size_t)status);
	return 1;
}

/* Deliver what was received and repost the buffers; -1: ring broken. */
static int nf_rx_collect(struct netfront *nf)
{
	RING_IDX prod, cons;
	int more, delivered = 0;

	do {
		if (!NF_RSP_PROD(&nf->rx, prod))
			return -1;
		for (cons = nf->rx.rsp_cons; cons != prod; cons++) {
			struct netif_rx_response rsp;

			RING_COPY_RESPONSE(&nf->rx, cons, &rsp);
			delivered += nf_rx_one(nf, &rsp);
		}
		/* Buffers come back only with responses: none, no refill. */
		if (nf->rx.rsp_cons != prod) {
			nf->rx.rsp_cons = prod;
			nf_rx_refill(nf, true);
		}
		RING_FINAL_CHECK_FOR_RESPONSES(&nf->rx, more);
	} while (more);
	return delivered;
}

/* ---- The connection ---- */

/* Retry ending the old connection's grants; then wait for a backend. */
static void nf_drain(struct netfront *nf)
{
	bool done = true;
	unsigned int i;

	for (i = 0; i < NF_PAGES; i++)
		done &= page_end(nf, i, false);
	if (!done)
		return;
	nf->state = NETFRONT_WAIT;
	nf->xf.recheck = true;
}

/*
 * End the connection (made or half made): frames in flight are lost,
 * queued ones wait for the next connection.
 */
static void nf_disconnect(struct netfront *nf)
{
	unsigned int i;

	if (nf->state == NETFRONT_CONNECTED)
		nf->stats.disconnects++;
	if (nf->port_valid && nf->ops.evtchn_close)
		nf->ops.evtchn_close(nf->ops.env, nf->port);
	nf->port_valid = false;
	for (i = 0; i < NETFRONT_RX_BUFS; i++)
		nf->rx_posted[i] = false;
	nf->rx_skip_extra = nf->rx_in_chain = false;
	for (i = 0; i < NETFRONT_TX_BUFS; i++)
		if (nf->tx_st[i] == NETFRONT_TX_INFLIGHT)
			tx_forget(nf, i);
	nf->state = NETFRONT_DRAINING;
	nf_drain(nf);
}

static int nf_publish(struct xenbus *xb, uint32_t tx, void *data)
{
	struct netfront *nf = data;
	const struct {
		const char *key;
		unsigned long val;
	} kv[] = {
		{ "tx-ring-ref", nf->tx_ring_pg.ref },
		{ "rx-ring-ref", nf->rx_ring_pg.ref },
		{ "event-channel", nf->port },
		{ "request-rx-copy", 1 },
		{ "feature-rx-notify", 1 },
		{ "feature-sg", 0 },
		/* Full checksums on what we receive: the stack checks them. */
		{ "feature-no-csum-offload", 1 },
	};
	unsigned int i;
	int rc;

	for (i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
		rc = nf_write_key(nf, tx, kv[i].key, kv[i].val);
		if (rc)
			return rc;
	}
	return xenbus_switch_state(xb, tx, nf->xf.dir, XenbusStateConnected);
}

/* Fresh rings, all pages granted to be_id, a port, and the store told. */
static int nf_connect(struct netfront *nf)
{
	netif_tx_sring_t *txs;
	netif_rx_sring_t *rxs;
	unsigned int i;
	long port;
	int rc = 0;

	for (i = 0; i < NF_PAGES && !rc; i++)
		rc = page_ensure(nf, nf_page(nf, i));
	if (rc)
		goto fail_pages;
	/* Nothing of an earlier connection shows: only queued frames. */
	for (i = 0; i < NF_PAGES; i++)
		if (i < NF_TX0 || nf->tx_st[i - NF_TX0] != NETFRONT_TX_QUEUED)
			memset(nf_page(nf, i)->va, 0, PAGE);
	txs = nf->tx_ring_pg.va;
	rxs = nf->rx_ring_pg.va;
	SHARED_RING_INIT(txs);
	SHARED_RING_INIT(rxs);
	FRONT_RING_INIT(&nf->tx, txs, PAGE);
	FRONT_RING_INIT(&nf->rx, rxs, PAGE);

	nf->state = NETFRONT_CONNECTING;
	for (i = 0; i < NF_PAGES && !rc; i++)
		rc = page_grant(nf, nf_page(nf, i), i >= NF_TX0);
	if (rc)
		goto fail;
	port = nf->ops.evtchn_alloc_unbound(nf->ops.env, nf->xf.be_id);
	if (port < 0) {
		rc = (int)port;
		goto fail;
	}
	nf->port = (evtchn_port_t)port;
	nf->port_valid = true;
	nf_rx_refill(nf, false);
	rc = xenbus_transaction(nf->ops.xb, nf_publish, nf, NF_TXN_TRIES);
	if (rc)
		goto fail;
	nf->xf.fe_state = XenbusStateConnected;
	return 0;

fail:
	nf_disconnect(nf);
fail_pages:
	nf->stats.connect_errors++;
	nf->xf.hold = true; /* until the store changes */
	return rc;
}

static void nf_connected(struct netfront *nf)
{
	nf->state = NETFRONT_CONNECTED;
	nf->stats.connects++;
	nf_kick(nf);
	nf_tx_flush(nf);
}

/* A watch fired: read where the backend is and what it says. */
static void nf_check_store(struct netfront *nf)
{
	char path[XBF_BE_PATH_MAX];
	domid_t id;
	int bstate;

	nf->xf.recheck = false;
	if (xbf_backend_moved(&nf->xf, path, &id)) {
		if (nf->state == NETFRONT_CONNECTING ||
		    nf->state == NETFRONT_CONNECTED)
			nf_disconnect(nf);
		xbf_follow(&nf->xf, path, id);
	}
	bstate = xbf_backend_state(&nf->xf);

	if (nf->state == NETFRONT_CONNECTING && bstate == XenbusStateConnected)
		nf_connected(nf);
	else if ((nf->state == NETFRONT_CONNECTING &&
		  bstate != XenbusStateInitWait &&
		  bstate != XenbusStateInitialised) ||
		 (nf->state == NETFRONT_CONNECTED &&
		  bstate != XenbusStateConnected))
		nf_disconnect(nf);

	if (nf->state != NETFRONT_WAIT && nf->state != NETFRONT_DRAINING)
		return;
	/* A new backend's grants wait until the old ones are back. */
	if (nf->state == NETFRONT_WAIT && bstate == XenbusStateInitWait &&
	    !nf->xf.hold) {
		if (!nf_connect(nf))
			return;
	}
	xbf_set_state(&nf->xf, xbf_idle_state(bstate));
}

/* ---- The interface ---- */

int netfront_init(struct netfront *nf, const struct netfront_ops *ops,
		  const char *dir)
{
	unsigned int i;
	int rc;

	if (!ops || !ops->grant_access || !ops->grant_end || !ops->page_alloc ||
	    !ops->evtchn_alloc_unbound || !ops->notify || !ops->rx || !ops->xb)
		return -XEN_EINVAL;
	memset(nf, 0, sizeof(*nf));
	nf->ops = *ops;
	rc = xbf_init(&nf->xf, ops->xb, &nf->stats.store_errors, "netfront",
		      dir);
	if (rc)
		return rc;
	rc = nf_read_mac(nf);
	for (i = 0; i < NF_PAGES && !rc; i++)
		rc = page_ensure(nf, nf_page(nf, i));
	if (rc)
		goto fail;
	nf->state = NETFRONT_WAIT;
	return 0;

fail:
	xbf_close(&nf->xf);
	for (i = 0; i < NF_PAGES; i++) {
		struct netfront_page *pg = nf_page(nf, i);

		if (pg->va && nf->ops.page_free)
			nf->ops.page_free(nf->ops.env, pg->va);
		pg->va = NULL;
	}
	return rc;
}

int netfront_poll(struct netfront *nf)
{
	int delivered = 0, n;

	if (nf->state == NETFRONT_CLOSED)
		return 0;
	xenbus_poll(nf->ops.xb);
	xenbus_dispatch(nf->ops.xb);
	if (nf->state == NETFRONT_CONNECTED) {
		n = nf_tx_collect(nf) ? nf_rx_collect(nf) : -1;
		if (n < 0) {
			/* Logged by the count; the store says what is next. */
			nf->stats.ring_broken++;
			nf_disconnect(nf);
			nf->xf.recheck = true;
		} else {
			delivered = n;
		}
	}
	if (nf->state == NETFRONT_DRAINING)
		nf_drain(nf);
	if (nf->xf.recheck)
		nf_check_store(nf);
	if (nf->state == NETFRONT_CONNECTED)
		nf_tx_flush(nf);
	return delivered;
}

/*
 * A free transmit buffer whose page no other backend can read, or -1.
 * The backend answers in order, so the buffer after the one taken last
 * is the likeliest free one: looking there first makes this O(1) per
 * frame in a stream instead of a scan past every buffer in flight.
 */
static int nf_tx_get(struct netfront *nf)
{
	bool mine =
	    nf->state == NETFRONT_CONNECTING || nf->state == NETFRONT_CONNECTED;

	for (unsigned int n = 0; n < NETFRONT_TX_BUFS; n++) {
		unsigned int b = (nf->tx_next + n) % NETFRONT_TX_BUFS;
		struct netfront_page *pg = &nf->tx_buf[b];

		if (nf->tx_st[b] != NETFRONT_TX_FREE || (pg->granted && !mine))
			continue;
		if (!pg->va && (mine || page_ensure(nf, pg)))
			continue; /* leaked and not replaced yet */
		nf->tx_next = (b + 1) % NETFRONT_TX_BUFS;
		return (int)b;
	}
	return -1;
}

int netfront_send(struct netfront *nf, const void *frame, size_t len)
{
	int b;

	if (nf->state == NETFRONT_CLOSED)
		return -XEN_ENOTCONN;
	if (len < NETFRONT_FRAME_MIN || len > NETFRONT_FRAME_MAX)
		return -XEN_EINVAL;
	b = nf_tx_get(nf);
	if (b < 0) {
		nf->stats.tx_dropped++;
		return -XEN_ENOBUFS;
	}
	memcpy(nf->tx_buf[b].va, frame, len);
	nf->tx_len[b] = (uint16_t)len;
	nf->tx_st[b] = NETFRONT_TX_QUEUED;
	nf->txq[(nf->txq_head + nf->txq_len) % NETFRONT_TX_BUFS] = (uint16_t)b;
	nf->txq_len++;
	if (nf->state == NETFRONT_CONNECTED)
		nf_tx_flush(nf);
	if (nf->tx_st[b] == NETFRONT_TX_QUEUED)
		nf->stats.tx_queued++;
	return 0;
}

void netfront_shutdown(struct netfront *nf)
{
	unsigned int i;

	if (nf->state == NETFRONT_CLOSED)
		return;
	if (nf->state == NETFRONT_CONNECTING || nf->state == NETFRONT_CONNECTED)
		nf_disconnect(nf);
	xbf_set_state(&nf->xf, XenbusStateClosing);
	xbf_set_state(&nf->xf, XenbusStateClosed);
	xbf_close(&nf->xf);
	for (i = 0; i < NF_PAGES; i++) {
		struct netfront_page *pg = nf_page(nf, i);

		page_end(nf, i, true);
		if (pg->va && nf->ops.page_free)
			nf->ops.page_free(nf->ops.env, pg->va);
		pg->va = NULL;
	}
	for (i = 0; i < NETFRONT_TX_BUFS; i++)
		tx_forget(nf, i);
	nf->txq_len = 0;
	nf->state = NETFRONT_CLOSED;
}

enum netfront_state netfront_state(const struct netfront *nf)
{
	return nf->state;
}

bool netfront_connected(const struct netfront *nf)
{
	return nf->state == NETFRONT_CONNECTED;
}

void netfront_mac(const struct netfront *nf, uint8_t mac[6])
{
	memcpy(mac, nf->mac, 6);
}

long netfront_port(const struct netfront *nf)
{
	return nf->port_valid ? (long)nf->port : -1;
}

domid_t netfront_backend_id(const struct netfront *nf)
{
	return nf->xf.be_id;
}

const struct netfront_stats *netfront_stats(const struct netfront *nf)
{
	return &nf->stats;
}
