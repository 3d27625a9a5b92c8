/*
 * netfront (stubdom/lib/netfront.c) against a fake backend written here,
 * over the real xenbus client and the real xenstore core.
 *
 * The store: as in test_xenbus.c, each domain's xenstore ring is memory
 * here and a fake server moves bytes between it and the core: x5 is the
 * frontend's domain (5), x0 domain 0, which plays the toolstack and the
 * backend driver in domains 1 and 2 (their nodes carry the permissions
 * a real backend's would).
 *
 * The environment: pages are heap blocks of exactly XEN_PAGE_SIZE, so
 * ASan sees any access past one; frames are fake numbers. The grant
 * table is a table here: the backend reaches a page only through
 * be_map(), which checks the ref, the domain and read-only, and a test
 * can mark a grant busy (still mapped) so grant_end fails. Event
 * channels are numbers with the remote domain recorded.
 *
 * The backend side of the rings (struct fbe) copies requests out, checks
 * them and writes responses, honest or, in the hostile tests, not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <public/io/xs_wire.h>
#include "../../stubdom/include/stub/netfront.h"
#include "../../stubdom/xenstore/xenstore.h"
#include "../../stubdom/xenstore/xs_env.h"
#include "fake_xs_env.h"

#define PAGE	  XEN_PAGE_SIZE
#define RING	  XENSTORE_RING_SIZE
#define MAX_WAITS 100000
#define HOME	  "/local/domain/5"
#define VIF	  HOME "/device/vif/0"
#define NPAGES	  (2 + NETFRONT_RX_BUFS + NETFRONT_TX_BUFS)

/* ---- A domain's xenstore ring and the fake server behind it ---- */

struct xsenv {
	struct xenstore_domain_interface *ring;
	struct xs_conn *conn;
	unsigned long waits;
};

static struct xs_store *store;
static struct xsenv e0, e5;
static struct xenbus *x0, *x5;

static void xs_notify(void *p)
{
}

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

static void serve(struct xsenv *e)
{
	struct xenstore_domain_interface *r = e->ring;
	bool progress = true;

	while (progress) {
		uint32_t used = r->req_prod - r->req_cons;

		progress = false;
		while (used) {
			size_t off = MASK_XENSTORE_IDX(r->req_cons);
			size_t n = min_sz(used, RING - off);
			size_t c = xs_conn_feed(e->conn, r->req + off, n);

			r->req_cons += (uint32_t)c;
			used -= (uint32_t)c;
			progress |= c > 0;
			if (c < n)
				break;
		}
		for (;;) {
			uint32_t fill = r->rsp_prod - r->rsp_cons;
			size_t off = MASK_XENSTORE_IDX(r->rsp_prod);
			size_t n = min_sz(RING - fill, RING - off), got;

			if (!n)
				break;
			got = xs_conn_pull(e->conn, r->rsp + off, n);
			r->rsp_prod += (uint32_t)got;
			progress |= got > 0;
			if (got < n)
				break;
		}
	}
	assert_false(xs_conn_broken(e->conn));
}

static void xs_wait(void *p)
{
	struct xsenv *e = p;

	if (++e->waits > MAX_WAITS)
		fail_msg("xenbus wait() called too often: a hang");
	serve(e);
}

static void xsenv_init(struct xsenv *e, struct xenbus **x, unsigned int domid)
{
	struct xenbus_ops ops = { xs_notify, xs_wait, e };

	e->ring = calloc(1, sizeof(*e->ring));
	e->conn = xs_conn_new(store, domid);
	e->waits = 0;
	assert_non_null(e->ring);
	assert_non_null(e->conn);
	*x = malloc(sizeof(**x));
	xenbus_init(*x, e->ring, &ops);
}

/* ---- Pages ---- */

#define MAX_PAGES 1024
#define MFN0	  0x40000ul

struct fpage {
	void *va;
	bool live;
};

static struct fpage pages[MAX_PAGES];
static unsigned int npages;
static unsigned long pages_freed;
static int alloc_left = -1; /* pages page_alloc still gives; -1: any */

static void *fpage_va(unsigned long mfn)
{
	assert_true(mfn >= MFN0 && mfn < MFN0 + npages);
	assert_true(pages[mfn - MFN0].live);
	return pages[mfn - MFN0].va;
}

static void *op_page_alloc(void *env, unsigned long *mfn)
{
	void *va;

	if (alloc_left == 0)
		return NULL;
	if (alloc_left > 0)
		alloc_left--;
	assert_true(npages < MAX_PAGES);
	va = aligned_alloc(PAGE, PAGE);
	assert_non_null(va);
	memset(va, 0xa5, PAGE); /* not zeroed: netfront must not care */
	pages[npages].va = va;
	pages[npages].live = true;
	*mfn = MFN0 + npages++;
	return va;
}

/* ---- Grants ---- */

#define GT_MAX 512 /* one grant-table frame of v1 entries, as the stub has */

struct gent {
	bool used;
	bool ro;
	int busy; /* the backend still maps it */
	domid_t domid;
	unsigned long mfn;
};

static struct gent gt[GT_MAX];
static unsigned long gt_ends;

static long op_grant_access(void *env, domid_t domid, unsigned long mfn,
			    bool readonly)
{
	grant_ref_t r;

	fpage_va(mfn); /* a page of ours */
	for (r = 8; r < GT_MAX; r++) {
		if (gt[r].used)
			continue;
		gt[r] = (struct gent){ true, readonly, 0, domid, mfn };
		return r;
	}
	return -XEN_ENOSPC;
}

static long op_grant_end(void *env, grant_ref_t ref)
{
	assert_true(ref >= 8 && ref < GT_MAX);
	assert_true(gt[ref].used); /* no double end */
	if (gt[ref].busy)
		return -XEN_EBUSY;
	gt[ref].used = false;
	gt_ends++;
	return 0;
}

static bool mfn_granted(unsigned long mfn)
{
	unsigned int r;

	for (r = 0; r < GT_MAX; r++)
		if (gt[r].used && gt[r].mfn == mfn)
			return true;
	return false;
}

static void op_page_free(void *env, void *va)
{
	unsigned int i;

	for (i = 0; i < npages; i++) {
		if (pages[i].va != va)
			continue;
		assert_true(pages[i].live);
		assert_false(mfn_granted(MFN0 + i)); /* never a granted page */
		pages[i].live = false;
		free(va);
		pages_freed++;
		return;
	}
	fail_msg("page_free of a page never allocated");
}

/* The page behind ref, as the grant table lets domid at it. */
static uint8_t *be_map(domid_t domid, grant_ref_t ref, bool write)
{
	assert_true(ref < GT_MAX);
	assert_true(gt[ref].used);
	assert_int_equal(gt[ref].domid, domid);
	if (write)
		assert_false(gt[ref].ro);
	return fpage_va(gt[ref].mfn);
}

/* Grants to domid now in the table, and how many of them are read-only. */
static unsigned int grants_to(domid_t domid, unsigned int *ro)
{
	unsigned int r, n = 0;

	if (ro)
		*ro = 0;
	for (r = 0; r < GT_MAX; r++) {
		if (!gt[r].used || gt[r].domid != domid)
			continue;
		n++;
		if (ro && gt[r].ro)
			(*ro)++;
	}
	return n;
}

/* ---- Event channels ---- */

#define MAX_PORTS 64

struct port {
	bool open;
	domid_t remote;
	unsigned long notifies;
};

static struct port ports[MAX_PORTS];
static unsigned int nports = 1;

static bool unbound_fail;

static long op_alloc_unbound(void *env, domid_t remote)
{
	if (unbound_fail)
		return -XEN_ENOSPC;
	assert_true(nports < MAX_PORTS);
	ports[nports] = (struct port){ true, remote, 0 };
	return nports++;
}

static void op_evtchn_close(void *env, evtchn_port_t port)
{
	assert_true(port < nports && ports[port].open);
	ports[port].open = false;
}

static void op_notify(void *env, evtchn_port_t port)
{
	assert_true(port < nports && ports[port].open);
	ports[port].notifies++;
}

/* ---- Frames received ---- */

#define RX_KEEP 8

static struct {
	uint8_t data[PAGE];
	size_t len;
} got[RX_KEEP];
static unsigned long ngot;
static bool echo; /* the rx callback sends each frame back */
static struct netfront *nf;

static void op_rx(void *env, const void *frame, size_t len)
{
	assert_true(len > 0 && len <= PAGE);
	memcpy(got[ngot % RX_KEEP].data, frame, len);
	got[ngot % RX_KEEP].len = len;
	ngot++;
	if (echo)
		assert_int_equal(netfront_send(nf, frame, len), 0);
}

static const struct netfront_ops base_ops = {
	.grant_access = op_grant_access,
	.grant_end = op_grant_end,
	.page_alloc = op_page_alloc,
	.page_free = op_page_free,
	.evtchn_alloc_unbound = op_alloc_unbound,
	.evtchn_close = op_evtchn_close,
	.notify = op_notify,
	.rx = op_rx,
};

/* ---- Store helpers, as domain 0 ---- */

static void wr(const char *path, const char *val)
{
	int rc = xenbus_write(x0, XENBUS_NO_TX, path, val);

	if (rc)
		fail_msg("write %s: %d", path, rc);
}

static unsigned long rd_uint(const char *path)
{
	unsigned long v;
	int rc = xenbus_read_uint(x0, XENBUS_NO_TX, path, &v);

	if (rc)
		fail_msg("read %s: %d", path, rc);
	return v;
}

static int fe_state(void)
{
	return xenbus_read_state(x0, VIF);
}

/* ---- The fake backend ---- */

struct fbe {
	domid_t domid;
	char path[96];
	netif_tx_back_ring_t tx;
	netif_rx_back_ring_t rx;
	evtchn_port_t port;
	bool connected;
};

static struct fbe b1, b2;

static void be_state(struct fbe *b, int state)
{
	assert_int_equal(xenbus_switch_state(x0, XENBUS_NO_TX, b->path, state),
			 0);
}

/*
 * The toolstack makes the backend's directory (readable by domain 5),
 * the backend driver says InitWait, then the toolstack points the
 * frontend at it.
 */
static void be_create(struct fbe *b, domid_t domid)
{
	char perms[16], p[160];
	int n;

	memset(b, 0, sizeof(*b));
	b->domid = domid;
	snprintf(b->path, sizeof(b->path), "/local/domain/%u/backend/vif/5/0",
		 domid);
	assert_int_equal(xenbus_mkdir(x0, XENBUS_NO_TX, b->path), 0);
	n = snprintf(perms, sizeof(perms), "n%u%cr5", domid, 0);
	assert_int_equal(
	    xenbus_set_perms(x0, XENBUS_NO_TX, b->path, perms, (size_t)n + 1),
	    0);
	snprintf(p, sizeof(p), "%s/frontend", b->path);
	wr(p, VIF);
	snprintf(p, sizeof(p), "%s/frontend-id", b->path);
	wr(p, "5");
	snprintf(p, sizeof(p), "%s/feature-rx-copy", b->path);
	wr(p, "1");
	be_state(b, XenbusStateInitWait);
	wr(VIF "/backend", b->path);
	snprintf(p, sizeof(p), "%u", domid);
	wr(VIF "/backend-id", p);
}

/* The backend goes away: its domain and its nodes are gone. */
static void be_destroy(struct fbe *b)
{
	assert_int_equal(xenbus_rm(x0, XENBUS_NO_TX, b->path), 0);
	b->connected = false;
}

/* The frontend said Connected: read its details, map, say Connected. */
static void be_connect(struct fbe *b)
{
	unsigned long txr, rxr, port;

	assert_int_equal(fe_state(), XenbusStateConnected);
	assert_int_equal(rd_uint(VIF "/request-rx-copy"), 1);
	assert_int_equal(rd_uint(VIF "/feature-rx-notify"), 1);
	assert_int_equal(rd_uint(VIF "/feature-sg"), 0);
	txr = rd_uint(VIF "/tx-ring-ref");
	rxr = rd_uint(VIF "/rx-ring-ref");
	port = rd_uint(VIF "/event-channel");
	assert_true(port < nports && ports[port].open);
	assert_int_equal(ports[port].remote, b->domid);
	b->port = (evtchn_port_t)port;
	BACK_RING_INIT(&b->tx, (netif_tx_sring_t *)be_map(b->domid, txr, true),
		       PAGE);
	BACK_RING_INIT(&b->rx, (netif_rx_sring_t *)be_map(b->domid, rxr, true),
		       PAGE);
	/* A fresh ring. */
	assert_int_equal(b->tx.sring->req_prod, 0);
	assert_int_equal(b->tx.sring->rsp_prod, 0);
	be_state(b, XenbusStateConnected);
	b->connected = true;
}

/* Take every transmit request: frames into out (if not NULL), OKAY. */
static unsigned int be_tx(struct fbe *b, uint8_t (*out)[PAGE], size_t *lens,
			  unsigned int max, int16_t status)
{
	unsigned int n = 0;

	while (RING_HAS_UNCONSUMED_REQUESTS(&b->tx)) {
		struct netif_tx_request req;
		struct netif_tx_response *rsp;
		const uint8_t *pg;

		RING_COPY_REQUEST(&b->tx, b->tx.req_cons, &req);
		b->tx.req_cons++;
		assert_int_equal(req.flags, 0);
		assert_true(req.size >= 14 &&
			    (size_t)req.offset + req.size <= PAGE);
		pg = be_map(b->domid, req.gref, false);
		assert_true(n < max);
		if (out) {
			memcpy(out[n], pg + req.offset, req.size);
			lens[n] = req.size;
		}
		n++;
		rsp = RING_GET_RESPONSE(&b->tx, b->tx.rsp_prod_pvt++);
		rsp->id = req.id;
		rsp->status = status;
	}
	RING_PUSH_RESPONSES(&b->tx);
	return n;
}

/* Receive requests waiting for a frame. */
static unsigned int be_rx_avail(struct fbe *b)
{
	return RING_HAS_UNCONSUMED_REQUESTS(&b->rx);
}

/* Take one receive request; write data (len bytes) into its page. */
static struct netif_rx_request be_rx_take(struct fbe *b, const void *data,
					  size_t len, size_t off)
{
	struct netif_rx_request req;

	assert_true(be_rx_avail(b) > 0);
	RING_COPY_REQUEST(&b->rx, b->rx.req_cons, &req);
	b->rx.req_cons++;
	if (len)
		memcpy(be_map(b->domid, req.gref, true) + off, data, len);
	return req;
}

static void be_rx_rsp(struct fbe *b, uint16_t id, uint16_t off, uint16_t flags,
		      int16_t status)
{
	struct netif_rx_response *rsp;

	rsp = RING_GET_RESPONSE(&b->rx, b->rx.rsp_prod_pvt++);
	rsp->id = id;
	rsp->offset = off;
	rsp->flags = flags;
	rsp->status = status;
	RING_PUSH_RESPONSES(&b->rx);
}

/* An honest receive of one frame. */
static void be_rx(struct fbe *b, const void *data, size_t len)
{
	struct netif_rx_request req = be_rx_take(b, data, len, 0);

	be_rx_rsp(b, req.id, 0, 0, (int16_t)len);
}

/* ---- The frontend's event loop ---- */

static int step(void)
{
	serve(&e5);
	return netfront_poll(nf);
}

static int settle(void)
{
	int i, n = 0;

	for (i = 0; i < 6; i++)
		n += step();
	return n;
}

static void frame_fill(uint8_t *f, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		f[i] = (uint8_t)(seed * 31 + i * 7);
}

/* ---- Setup ---- */

static int setup(void **state)
{
	live_blocks = 0;
	memset(gt, 0, sizeof(gt));
	memset(ports, 0, sizeof(ports));
	nports = 1;
	npages = 0;
	pages_freed = gt_ends = ngot = 0;
	alloc_left = -1;
	echo = unbound_fail = false;
	store = xs_store_create(NULL);
	assert_non_null(store);
	xsenv_init(&e0, &x0, 0);
	xsenv_init(&e5, &x5, 5);
	/* The toolstack: domain 5's home and its vif. */
	assert_int_equal(xenbus_mkdir(x0, XENBUS_NO_TX, HOME), 0);
	assert_int_equal(xenbus_set_perms(x0, XENBUS_NO_TX, HOME, "n5", 3), 0);
	assert_int_equal(xenbus_mkdir(x0, XENBUS_NO_TX, VIF), 0);
	assert_int_equal(
	    xenbus_set_perms(x0, XENBUS_NO_TX, VIF, "n5\0r1\0r2", 9), 0);
	wr(VIF "/mac", "00:16:3E:0a:bB:ff");
	wr(VIF "/state", "1");
	nf = malloc(sizeof(*nf));
	assert_non_null(nf);
	return 0;
}

static int teardown(void **state)
{
	unsigned int i;

	netfront_shutdown(nf);
	free(nf);
	for (i = 0; i < npages; i++)
		if (pages[i].live)
			free(pages[i].va); /* leaked on purpose */
	xs_store_destroy(store);
	assert_int_equal(live_blocks, 0);
	free(e0.ring);
	free(e5.ring);
	free(x0);
	free(x5);
	return 0;
}

static void fe_init(void)
{
	struct netfront_ops ops = base_ops;

	ops.xb = x5;
	assert_int_equal(netfront_init(nf, &ops, "device/vif/0"), 0);
}

/* Backend 1 up, netfront connected to it. */
static void connect_b1(void)
{
	be_create(&b1, 1);
	fe_init();
	settle();
	assert_int_equal(netfront_state(nf), NETFRONT_CONNECTING);
	be_connect(&b1);
	settle();
	assert_true(netfront_connected(nf));
}

/* ---- Tests ---- */

static void test_init_errors(void **state)
{
	struct netfront_ops ops = base_ops;

	ops.xb = x5;
	ops.rx = NULL;
	assert_int_equal(netfront_init(nf, &ops, "device/vif/0"), -XEN_EINVAL);
	ops.rx = op_rx;
	assert_int_equal(netfront_init(nf, &ops, ""), -XEN_EINVAL);
	assert_int_equal(netfront_init(nf, &ops, "device/vif/0/"), -XEN_EINVAL);
	/* No such device. */
	assert_int_equal(netfront_init(nf, &ops, "device/vif/7"), -XEN_ENOENT);
	wr(VIF "/mac", "00:16:3e:0a:0b");
	assert_int_equal(netfront_init(nf, &ops, "device/vif/0"), -XEN_EINVAL);
	wr(VIF "/mac", "00:16:3e:0a:0b:0g");
	assert_int_equal(netfront_init(nf, &ops, "device/vif/0"), -XEN_EINVAL);
	wr(VIF "/mac", "00-16:3e:0a:0b:0c");
	assert_int_equal(netfront_init(nf, &ops, "device/vif/0"), -XEN_EINVAL);
	wr(VIF "/mac", "00:16:3e:0a:0b:0c");
	/* Out of pages: what was allocated is given back. */
	alloc_left = 5;
	assert_int_equal(netfront_init(nf, &ops, "device/vif/0"), -XEN_ENOMEM);
	assert_int_equal(pages_freed, 5);
	alloc_left = -1;
	assert_int_equal(netfront_init(nf, &ops, "device/vif/0"), 0);
	assert_int_equal(npages, 5 + NPAGES);
	assert_int_equal(netfront_send(nf, "short", 5), -XEN_EINVAL);
	netfront_shutdown(nf);
	assert_int_equal(pages_freed, 5 + NPAGES);
	assert_int_equal(netfront_state(nf), NETFRONT_CLOSED);
	assert_int_equal(netfront_send(nf, "0123456789abcdef", 16),
			 -XEN_ENOTCONN);
}

static void test_connect(void **state)
{
	static const uint8_t mac[6] = { 0x00, 0x16, 0x3e, 0x0a, 0xbb, 0xff };
	uint8_t m[6];
	unsigned int ro;
	unsigned long txr, rxr;

	/* No backend yet: nothing happens but waiting. */
	fe_init();
	netfront_mac(nf, m);
	assert_memory_equal(m, mac, 6);
	settle();
	assert_int_equal(netfront_state(nf), NETFRONT_WAIT);
	assert_int_equal(grants_to(1, NULL), 0);
	assert_int_equal(netfront_port(nf), -1);

	/* The backend shows up in InitWait: everything is published. */
	be_create(&b1, 1);
	settle();
	assert_int_equal(netfront_state(nf), NETFRONT_CONNECTING);
	assert_int_equal(fe_state(), XenbusStateConnected);
	assert_int_equal(rd_uint(VIF "/feature-no-csum-offload"), 1);
	assert_int_equal(grants_to(1, &ro), NPAGES);
	assert_int_equal(ro, NETFRONT_TX_BUFS); /* transmit pages only */
	txr = rd_uint(VIF "/tx-ring-ref");
	rxr = rd_uint(VIF "/rx-ring-ref");
	assert_false(gt[txr].ro);
	assert_false(gt[rxr].ro);
	assert_int_equal(netfront_port(nf), rd_uint(VIF "/event-channel"));
	assert_int_equal(netfront_backend_id(nf), 1);

	/* Not connected until the backend is. */
	assert_int_equal(netfront_send(nf, "0123456789abcdef", 16), 0);
	assert_int_equal(netfront_stats(nf)->tx_queued, 1);
	be_connect(&b1);
	/* Every receive buffer is posted, each page its own grant. */
	assert_int_equal(be_rx_avail(&b1), NETFRONT_RX_BUFS);
	settle();
	assert_true(netfront_connected(nf));
	assert_int_equal(netfront_stats(nf)->connects, 1);
	/* The queued frame went out on connecting. */
	assert_int_equal(be_tx(&b1, NULL, NULL, 4, NETIF_RSP_OKAY), 1);
	assert_true(ports[b1.port].notifies > 0);
}

static uint8_t txf[NETFRONT_TX_BUFS + 4][PAGE];
static size_t txl[NETFRONT_TX_BUFS + 4];

static void test_tx(void **state)
{
	static const size_t lens[] = { 14, 60, 1514, 4000, PAGE };
	uint8_t f[PAGE];
	unsigned long kicks;
	unsigned int i;

	connect_b1();
	kicks = ports[b1.port].notifies;
	for (i = 0; i < 5; i++) {
		frame_fill(f, lens[i], i);
		assert_int_equal(netfront_send(nf, f, lens[i]), 0);
	}
	assert_true(ports[b1.port].notifies > kicks);
	assert_int_equal(be_tx(&b1, txf, txl, 5, NETIF_RSP_OKAY), 5);
	for (i = 0; i < 5; i++) {
		frame_fill(f, lens[i], i);
		assert_int_equal(txl[i], lens[i]);
		assert_memory_equal(txf[i], f, lens[i]);
	}
	assert_int_equal(netfront_send(nf, f, 13), -XEN_EINVAL);
	assert_int_equal(netfront_send(nf, f, PAGE + 1), -XEN_EINVAL);

	/* Responses free the buffers; without them, sends run out. */
	step();
	for (i = 0; i < NETFRONT_TX_BUFS; i++)
		assert_int_equal(netfront_send(nf, f, 100), 0);
	assert_int_equal(netfront_send(nf, f, 100), -XEN_ENOBUFS);
	assert_int_equal(netfront_stats(nf)->tx_dropped, 1);
	/* Errors answered are counted, and free the buffers too. */
	assert_int_equal(
	    be_tx(&b1, NULL, NULL, NETFRONT_TX_BUFS, NETIF_RSP_ERROR),
	    NETFRONT_TX_BUFS);
	step();
	assert_int_equal(netfront_stats(nf)->tx_errors, NETFRONT_TX_BUFS);
	assert_int_equal(netfront_send(nf, f, 100), 0);
	assert_int_equal(netfront_stats(nf)->tx_frames,
			 5 + NETFRONT_TX_BUFS + 1);
	/* Many more than the ring holds: its indices wrap. */
	for (i = 0; i < 600; i++) {
		frame_fill(f, 64, i);
		if (i % NETFRONT_TX_BUFS == 0) {
			be_tx(&b1, NULL, NULL, NETFRONT_TX_BUFS + 1,
			      NETIF_RSP_OKAY);
			step();
		}
		assert_int_equal(netfront_send(nf, f, 64), 0);
	}
	assert_int_equal(netfront_stats(nf)->tx_dropped, 1);
	assert_int_equal(netfront_stats(nf)->tx_bad_rsp, 0);
}

static void test_rx(void **state)
{
	uint8_t f[PAGE];
	unsigned int i;

	connect_b1();
	frame_fill(f, 60, 1);
	be_rx(&b1, f, 60);
	assert_int_equal(be_rx_avail(&b1), NETFRONT_RX_BUFS - 1);
	assert_int_equal(step(), 1);
	assert_int_equal(ngot, 1);
	assert_int_equal(got[0].len, 60);
	assert_memory_equal(got[0].data, f, 60);
	/* The buffer is posted again. */
	assert_int_equal(be_rx_avail(&b1), NETFRONT_RX_BUFS);

	/* A whole page, and a frame at an offset. */
	frame_fill(f, PAGE, 2);
	be_rx(&b1, f, PAGE);
	{
		struct netif_rx_request req = be_rx_take(&b1, f, 100, 3000);

		be_rx_rsp(&b1, req.id, 3000, 0, 100);
	}
	assert_int_equal(step(), 2);
	assert_int_equal(got[1].len, PAGE);
	assert_memory_equal(got[1].data, f, PAGE);
	assert_int_equal(got[2].len, 100);
	assert_memory_equal(got[2].data, f, 100);

	/* Many batches, more frames than buffers and than ring slots. */
	for (i = 0; i < 700; i++) {
		frame_fill(f, 64 + i % 200, i);
		be_rx(&b1, f, 64 + i % 200);
		if (be_rx_avail(&b1) == 0)
			assert_int_equal(step(), NETFRONT_RX_BUFS);
	}
	step();
	assert_int_equal(ngot, 703);
	assert_int_equal(got[(ngot - 1) % RX_KEEP].len, 64 + 699 % 200);
	assert_memory_equal(got[(ngot - 1) % RX_KEEP].data, f, 64 + 699 % 200);
	assert_int_equal(be_rx_avail(&b1), NETFRONT_RX_BUFS);
	assert_int_equal(netfront_stats(nf)->rx_frames, 703);

	/* The callback may send: an echo. */
	echo = true;
	frame_fill(f, 80, 9);
	be_rx(&b1, f, 80);
	assert_int_equal(step(), 1);
	assert_int_equal(be_tx(&b1, txf, txl, 1, NETIF_RSP_OKAY), 1);
	assert_int_equal(txl[0], 80);
	assert_memory_equal(txf[0], f, 80);
}

static void test_hostile_rx(void **state)
{
	const struct netfront_stats *st;
	struct netif_rx_request req;
	uint8_t f[PAGE];

	connect_b1();
	st = netfront_stats(nf);
	frame_fill(f, 200, 3);

	/*
	 * Ids beyond the table, and one answered twice. Each response
	 * takes a request, as a backend must (the ring is shared); the
	 * buffers of those answered with a bad id stay lost to us.
	 */
	req = be_rx_take(&b1, f, 200, 0);
	be_rx_rsp(&b1, NETFRONT_RX_BUFS, 0, 0, 200);
	req = be_rx_take(&b1, f, 200, 0);
	be_rx_rsp(&b1, 0xffff, 0, 0, 200);
	assert_int_equal(step(), 0);
	assert_int_equal(st->rx_bad_rsp, 2);
	req = be_rx_take(&b1, f, 200, 0);
	be_rx_rsp(&b1, req.id, 0, 0, 200);
	be_rx_take(&b1, f, 0, 0);
	be_rx_rsp(&b1, req.id, 0, 0, 200); /* not posted any more */
	assert_int_equal(step(), 1);
	assert_int_equal(st->rx_bad_rsp, 3);

	/* Sizes beyond the page, negative and zero. */
	req = be_rx_take(&b1, f, 0, 0);
	be_rx_rsp(&b1, req.id, 0, 0, 5000);
	req = be_rx_take(&b1, f, 0, 0);
	be_rx_rsp(&b1, req.id, 4000, 0, 200);
	req = be_rx_take(&b1, f, 0, 0);
	be_rx_rsp(&b1, req.id, PAGE, 0, 1);
	req = be_rx_take(&b1, f, 0, 0);
	be_rx_rsp(&b1, req.id, 0xffff, 0, 0x7fff);
	req = be_rx_take(&b1, f, 0, 0);
	be_rx_rsp(&b1, req.id, 0, 0, 0);
	req = be_rx_take(&b1, f, 0, 0);
	be_rx_rsp(&b1, req.id, 0, 0, NETIF_RSP_ERROR);
	req = be_rx_take(&b1, f, 0, 0);
	be_rx_rsp(&b1, req.id, 0, 0, -32768);
	assert_int_equal(step(), 0);
	assert_int_equal(st->rx_bad_rsp, 3 + 5);
	assert_int_equal(st->rx_errors, 2);

	/* Slots we did not negotiate: a chain and an extra_info. */
	req = be_rx_take(&b1, f, 0, 0);
	be_rx_rsp(&b1, req.id, 0, NETRXF_more_data, 100);
	req = be_rx_take(&b1, f, 0, 0);
	be_rx_rsp(&b1, req.id, 0, 0, 100);
	req = be_rx_take(&b1, f, 0, 0);
	be_rx_rsp(&b1, req.id, 0, NETRXF_extra_info, 100);
	{
		/* The extra slot: type and flags where the id would be. */
		struct netif_rx_response *rsp =
		    RING_GET_RESPONSE(&b1.rx, b1.rx.rsp_prod_pvt++);

		be_rx_take(&b1, f, 0, 0); /* its request, no buffer back */
		memset(rsp, 0, sizeof(*rsp));
		((uint8_t *)rsp)[0] = XEN_NETIF_EXTRA_TYPE_GSO;
		RING_PUSH_RESPONSES(&b1.rx);
	}
	assert_int_equal(step(), 0);
	assert_int_equal(st->rx_unwanted, 3);
	assert_int_equal(st->rx_bad_rsp, 8); /* the extra slot is not one */
	assert_int_equal(ngot, 1);

	/* Every buffer whose id came back is posted again. */
	assert_int_equal(be_rx_avail(&b1), NETFRONT_RX_BUFS - 4);
	/* And good frames still get through. */
	be_rx(&b1, f, 200);
	assert_int_equal(step(), 1);
	assert_memory_equal(got[1].data, f, 200);
	assert_true(netfront_connected(nf));
}

static void test_hostile_tx(void **state)
{
	struct netif_tx_response *rsp;
	uint8_t f[64] = { 0 };

	connect_b1();
	assert_int_equal(netfront_send(nf, f, 64), 0);
	/* A response for a request never made breaks the ring. */
	b1.tx.req_cons++;
	rsp = RING_GET_RESPONSE(&b1.tx, b1.tx.rsp_prod_pvt++);
	rsp->id = 3; /* not in flight */
	rsp->status = 0;
	RING_PUSH_RESPONSES(&b1.tx);
	step();
	assert_int_equal(netfront_stats(nf)->tx_bad_rsp, 1);
	assert_int_equal(netfront_send(nf, f, 64), 0);
	b1.tx.req_cons++;
	rsp = RING_GET_RESPONSE(&b1.tx, b1.tx.rsp_prod_pvt++);
	rsp->id = 0xffff; /* beyond the table */
	rsp->status = 0;
	RING_PUSH_RESPONSES(&b1.tx);
	step();
	assert_int_equal(netfront_stats(nf)->tx_bad_rsp, 2);
	assert_true(netfront_connected(nf));
	/* Beyond the requests made: the connection ends. */
	b1.tx.sring->rsp_prod += 1;
	step();
	assert_int_equal(netfront_stats(nf)->ring_broken, 1);
	assert_false(netfront_connected(nf));
	assert_int_equal(grants_to(1, NULL), 0);
}

/*
 * A response index out of range breaks the connection; the backend,
 * still Connected, is asked to close (Linux's netback: Closing, Closed),
 * then sees Initialising and offers InitWait again: a fresh connection.
 */
static void test_ring_broken_reconnect(void **state)
{
	unsigned long old_port;
	uint8_t f[PAGE];

	connect_b1();
	old_port = b1.port;
	b1.rx.sring->rsp_prod += 1000;
	settle();
	assert_int_equal(netfront_stats(nf)->ring_broken, 1);
	assert_int_equal(netfront_state(nf), NETFRONT_WAIT);
	assert_int_equal(grants_to(1, NULL), 0);
	assert_false(ports[old_port].open);
	assert_int_equal(fe_state(), XenbusStateClosed);
	/* Queued while down. */
	frame_fill(f, 100, 5);
	assert_int_equal(netfront_send(nf, f, 100), 0);

	be_state(&b1, XenbusStateClosing);
	settle();
	assert_int_equal(fe_state(), XenbusStateClosed);
	be_state(&b1, XenbusStateClosed);
	settle();
	assert_int_equal(fe_state(), XenbusStateInitialising);
	be_state(&b1, XenbusStateInitWait);
	settle();
	assert_int_equal(netfront_state(nf), NETFRONT_CONNECTING);
	be_connect(&b1);
	assert_true(b1.port != old_port);
	settle();
	assert_true(netfront_connected(nf));
	assert_int_equal(be_tx(&b1, txf, txl, 2, NETIF_RSP_OKAY), 1);
	assert_memory_equal(txf[0], f, 100);
	be_rx(&b1, f, 100);
	assert_int_equal(step(), 1);
	assert_int_equal(netfront_stats(nf)->connects, 2);
	assert_int_equal(netfront_stats(nf)->disconnects, 1);
}

/*
 * The backend's domain dies (its nodes vanish); the toolstack brings up
 * another in domain 2. Frames sent meanwhile wait and go out to it.
 */
static void test_new_backend(void **state)
{
	uint8_t f[PAGE];
	unsigned long old_port, txr_old, txr;
	unsigned int i, ro;

	connect_b1();
	old_port = b1.port;
	txr_old = rd_uint(VIF "/tx-ring-ref");
	for (i = 0; i < NETFRONT_RX_BUFS; i++) {
		frame_fill(f, PAGE, i);
		be_rx(&b1, f, PAGE);
	}
	assert_int_equal(step(), NETFRONT_RX_BUFS);
	/* One frame in flight when it dies: lost. */
	assert_int_equal(netfront_send(nf, "in flight!!!!!!!", 16), 0);
	be_destroy(&b1);
	settle();
	assert_int_equal(netfront_state(nf), NETFRONT_WAIT);
	assert_int_equal(fe_state(), XenbusStateInitialising);
	assert_int_equal(grants_to(1, NULL), 0);
	assert_false(ports[old_port].open);
	assert_int_equal(netfront_stats(nf)->tx_lost, 1);
	assert_int_equal(netfront_port(nf), -1);

	for (i = 0; i < 3; i++) {
		frame_fill(f, 100 + i, 10 + i);
		assert_int_equal(netfront_send(nf, f, 100 + i), 0);
	}
	assert_int_equal(netfront_stats(nf)->tx_queued, 3);

	be_create(&b2, 2);
	settle();
	assert_int_equal(netfront_state(nf), NETFRONT_CONNECTING);
	assert_int_equal(netfront_backend_id(nf), 2);
	assert_int_equal(grants_to(2, &ro), NPAGES);
	assert_int_equal(ro, NETFRONT_TX_BUFS);
	assert_int_equal(grants_to(1, NULL), 0);
	txr = rd_uint(VIF "/tx-ring-ref");
	(void)txr_old;
	assert_int_equal(gt[txr].domid, 2);
	be_connect(&b2); /* checks the ring is fresh and the port is 2's */
	/* The new backend sees nothing of what the old one wrote. */
	assert_int_equal(be_rx_avail(&b2), NETFRONT_RX_BUFS);
	for (i = 0; i < NETFRONT_RX_BUFS; i++) {
		const struct netif_rx_request *q =
		    RING_GET_REQUEST(&b2.rx, b2.rx.req_cons + i);
		const uint8_t *pg = be_map(2, q->gref, true);
		static const uint8_t zero[PAGE];

		assert_memory_equal(pg, zero, PAGE);
	}
	settle();
	assert_true(netfront_connected(nf));
	assert_int_equal(be_tx(&b2, txf, txl, 4, NETIF_RSP_OKAY), 3);
	for (i = 0; i < 3; i++) {
		frame_fill(f, 100 + i, 10 + i);
		assert_int_equal(txl[i], 100 + i);
		assert_memory_equal(txf[i], f, 100 + i);
	}
	assert_int_equal(be_rx_avail(&b2), NETFRONT_RX_BUFS);
	frame_fill(f, 300, 77);
	be_rx(&b2, f, 300);
	assert_int_equal(step(), 1);
	assert_memory_equal(got[0].data, f, 300);
	assert_int_equal(netfront_stats(nf)->connects, 2);
	assert_int_equal(netfront_stats(nf)->grants_leaked, 0);
	/* No page had to be replaced. */
	assert_int_equal(npages, NPAGES);
}

/*
 * A grant the old backend keeps mapped: retried, then leaked (never
 * reused, never freed); a fresh page takes its place. One released in
 * time is not leaked.
 */
static void test_busy_grant(void **state)
{
	unsigned long txr_old, rxr_old, mfn_tx, mfn_rx, txr;
	unsigned int i, r, tx0 = 0, polls = 0;
	unsigned long mfn_tx0;
	uint8_t f[PAGE];

	connect_b1();
	txr_old = rd_uint(VIF "/tx-ring-ref");
	rxr_old = rd_uint(VIF "/rx-ring-ref");
	mfn_tx = gt[txr_old].mfn;
	mfn_rx = gt[rxr_old].mfn;
	gt[txr_old].busy = 1;
	gt[rxr_old].busy = 1;
	/* The first transmit buffer's page, too, for a while. */
	mfn_tx0 = MFN0 + 2 + NETFRONT_RX_BUFS;
	for (r = 0; r < GT_MAX; r++)
		if (gt[r].used && gt[r].mfn == mfn_tx0)
			tx0 = r;
	assert_true(gt[tx0].ro);
	gt[tx0].busy = 1;
	be_destroy(&b1);
	settle();
	assert_int_equal(netfront_state(nf), NETFRONT_DRAINING);
	/* A send now may not use a page the old backend can still read. */
	frame_fill(f, 90, 1);
	assert_int_equal(netfront_send(nf, f, 90), 0);
	assert_true(memcmp(fpage_va(mfn_tx0), f, 90) != 0);
	gt[tx0].busy = 0;
	be_create(&b2, 2);
	settle();
	assert_int_equal(netfront_state(nf), NETFRONT_DRAINING);
	assert_int_equal(grants_to(2, NULL), 0);
	gt[rxr_old].busy = 0; /* released in time */
	while (netfront_state(nf) == NETFRONT_DRAINING) {
		step();
		assert_true(++polls <= NETFRONT_END_TRIES);
	}
	settle();
	assert_int_equal(netfront_stats(nf)->grants_leaked, 1);
	assert_int_equal(netfront_state(nf), NETFRONT_CONNECTING);
	/* The leaked grant stays; the released one is gone. */
	assert_int_equal(grants_to(1, NULL), 1);
	assert_true(gt[txr_old].used && gt[txr_old].domid == 1);
	assert_true(!gt[rxr_old].used || gt[rxr_old].domid == 2);
	/* One new page, for the tx ring; the leaked page is not granted. */
	assert_int_equal(npages, NPAGES + 1);
	txr = rd_uint(VIF "/tx-ring-ref");
	assert_int_equal(gt[txr].mfn, MFN0 + NPAGES);
	for (r = 0; r < GT_MAX; r++)
		if (gt[r].used && gt[r].domid == 2)
			assert_true(gt[r].mfn != mfn_tx);
	(void)mfn_rx;
	be_connect(&b2);
	settle();
	assert_true(netfront_connected(nf));
	assert_int_equal(be_tx(&b2, txf, txl, 2, NETIF_RSP_OKAY), 1);
	assert_memory_equal(txf[0], f, 90);
	/* Shutdown frees every page but the leaked one. */
	netfront_shutdown(nf);
	assert_int_equal(pages_freed, NPAGES);
	assert_true(pages[mfn_tx - MFN0].live);
	for (i = 0; i < GT_MAX; i++)
		if (gt[i].used)
			assert_int_equal(i, txr_old);
}

/*
 * Frames queued before the backend connected, one of them on a page the
 * vanished backend keeps: that one is lost, the others go out in order
 * to the next backend, and the queue stays whole.
 */
static void test_queued_page_leaked(void **state)
{
	unsigned int i, r, busy = 0, polls = 0;
	uint8_t f[PAGE];

	be_create(&b1, 1);
	fe_init();
	settle();
	assert_int_equal(netfront_state(nf), NETFRONT_CONNECTING);
	for (i = 0; i < 3; i++) {
		frame_fill(f, 100, i);
		assert_int_equal(netfront_send(nf, f, 100), 0);
	}
	/* The second one's page (buffers are taken in order). */
	for (r = 0; r < GT_MAX; r++)
		if (gt[r].used && gt[r].mfn == MFN0 + 2 + NETFRONT_RX_BUFS + 1)
			busy = r;
	gt[busy].busy = 1;
	be_destroy(&b1);
	be_create(&b2, 2);
	while (netfront_state(nf) != NETFRONT_CONNECTING ||
	       netfront_backend_id(nf) != 2) {
		step();
		assert_true(++polls <= NETFRONT_END_TRIES + 2);
	}
	assert_int_equal(netfront_stats(nf)->grants_leaked, 1);
	assert_int_equal(netfront_stats(nf)->tx_lost, 1);
	be_connect(&b2);
	settle();
	assert_int_equal(be_tx(&b2, txf, txl, 4, NETIF_RSP_OKAY), 2);
	frame_fill(f, 100, 0);
	assert_memory_equal(txf[0], f, 100);
	frame_fill(f, 100, 2);
	assert_memory_equal(txf[1], f, 100);
	step();
	/* Every buffer usable again, the replaced one included. */
	for (i = 0; i < NETFRONT_TX_BUFS; i++)
		assert_int_equal(netfront_send(nf, f, 100), 0);
	assert_int_equal(netfront_send(nf, f, 100), -XEN_ENOBUFS);
	assert_int_equal(
	    be_tx(&b2, NULL, NULL, NETFRONT_TX_BUFS, NETIF_RSP_OKAY),
	    NETFRONT_TX_BUFS);
}

/* Backend-id changes under the same path: a new backend domain too. */
static void test_backend_id_change(void **state)
{
	connect_b1();
	wr(VIF "/backend-id", "3");
	settle();
	assert_int_equal(grants_to(1, NULL), 0);
	assert_false(netfront_connected(nf));
	assert_int_equal(netfront_backend_id(nf), 3);
	/* The backend (now domain 3's, same path) says InitWait again. */
	be_state(&b1, XenbusStateInitWait);
	settle();
	assert_int_equal(netfront_state(nf), NETFRONT_CONNECTING);
	assert_int_equal(grants_to(3, NULL), NPAGES);
	b1.domid = 3;
	be_connect(&b1);
	settle();
	assert_true(netfront_connected(nf));
}

/*
 * A connection attempt that fails is undone (no grant left) and not
 * retried on every poll, only when the store changes again.
 */
static void test_connect_failure(void **state)
{
	uint64_t errs;

	unbound_fail = true;
	be_create(&b1, 1);
	fe_init();
	settle();
	/* Once per watch event, the first events included. */
	errs = netfront_stats(nf)->connect_errors;
	assert_true(errs >= 1 && errs <= 3);
	assert_int_equal(netfront_state(nf), NETFRONT_WAIT);
	assert_int_equal(grants_to(1, NULL), 0);
	assert_int_equal(fe_state(), XenbusStateInitialising);
	settle();
	settle();
	assert_int_equal(netfront_stats(nf)->connect_errors, errs);
	unbound_fail = false;
	be_state(&b1, XenbusStateInitWait); /* the backend says it again */
	settle();
	assert_int_equal(netfront_state(nf), NETFRONT_CONNECTING);
	be_connect(&b1);
	settle();
	assert_true(netfront_connected(nf));
}

static void test_shutdown(void **state)
{
	connect_b1();
	netfront_shutdown(nf);
	assert_int_equal(fe_state(), XenbusStateClosed);
	assert_int_equal(grants_to(1, NULL), 0);
	assert_int_equal(pages_freed, NPAGES);
	assert_int_equal(netfront_port(nf), -1);
	/* Its watches are gone: the store changing does nothing. */
	be_state(&b1, XenbusStateClosed);
	assert_int_equal(step(), 0);
	assert_int_equal(netfront_state(nf), NETFRONT_CLOSED);
	/* And it can start again. */
	be_state(&b1, XenbusStateInitWait);
	fe_init();
	settle();
	assert_int_equal(netfront_state(nf), NETFRONT_CONNECTING);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_errors),
		T(test_connect),
		T(test_tx),
		T(test_rx),
		T(test_hostile_rx),
		T(test_hostile_tx),
		T(test_ring_broken_reconnect),
		T(test_new_backend),
		T(test_busy_grant),
		T(test_backend_id_change),
		T(test_queued_page_leaked),
		T(test_connect_failure),
		T(test_shutdown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
