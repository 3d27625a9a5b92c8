/*
 * netback (netback/): the tx and rx paths, the switch and the rate limit,
 * against a fake environment and frontends written here from netif.h.
 *
 * The fake grant table maps (domid, ref) to a guest page, a heap block of
 * exactly NB_PAGE_SIZE bytes; grant_copy() executes each op against those
 * pages and the local frames, answering GNTST_bad_gntref for an unknown
 * ref and GNTST_bad_copy_arg for a range off the page, as the hypervisor
 * does. Each frontend's ring pages are page-sized heap blocks too, and
 * frames handed to netback from the "NIC" are blocks of their exact size,
 * so ASan sees any access past what exists. The world: two vifs (dom1 A
 * and dom2 B) and an uplink, joined by one switch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../netback/include/netback/netback.h"

#define MAX_GRANTS 512
#define MAX_FRAMES 512
#define RX_POSTED  64
#define LOCAL_MFN  0x1000

static const uint8_t MAC_A[6] = { 0x00, 0x16, 0x3e, 0, 0, 0x0a };
static const uint8_t MAC_B[6] = { 0x00, 0x16, 0x3e, 0, 0, 0x0b };
static const uint8_t MAC_GW[6] = { 0x02, 0, 0, 0, 0, 0xfe };
static const uint8_t MAC_X[6] = { 0x02, 0, 0, 0, 0, 0x77 };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* ---- The fake environment ------------------------------------------- */

struct grant {
	domid_t domid;
	grant_ref_t ref;
	uint8_t *page;
};

struct frame {
	uint8_t *data;
	size_t len;
};

struct frame_list {
	struct frame f[MAX_FRAMES];
	unsigned int n;
};

static struct {
	struct grant grants[MAX_GRANTS];
	unsigned int ngrants;
	grant_ref_t next_ref;
	uint8_t *local[NB_LOCAL_BUFS];
	uint64_t now;
	unsigned int logs;
	char last_log[256];
	unsigned int copy_calls;
	long copy_fail; /* grant_copy() returns this when not 0 */
	struct frame_list nic;
	unsigned int notify[3][2]; /* [port][ring] */
	void (*on_now)(void);	   /* a frontend acting while netback runs */
	unsigned int now_calls;
	uint16_t tx_offset; /* of tx frames in their local pages */
} W;

static void frames_add(struct frame_list *l, const void *data, size_t len)
{
	assert_true(l->n < MAX_FRAMES);
	l->f[l->n].data = malloc(len);
	assert_non_null(l->f[l->n].data);
	memcpy(l->f[l->n].data, data, len);
	l->f[l->n].len = len;
	l->n++;
}

static void frames_clear(struct frame_list *l)
{
	for (unsigned int i = 0; i < l->n; i++)
		free(l->f[i].data);
	l->n = 0;
}

static uint8_t *grant_page(domid_t domid, grant_ref_t ref)
{
	for (unsigned int i = 0; i < W.ngrants; i++)
		if (W.grants[i].domid == domid && W.grants[i].ref == ref)
			return W.grants[i].page;
	return NULL;
}

static uint8_t *local_page(uint64_t mfn)
{
	if (mfn < LOCAL_MFN || mfn >= LOCAL_MFN + NB_LOCAL_BUFS)
		return NULL;
	return W.local[mfn - LOCAL_MFN];
}

/* One side of a copy: the page it names, or the GNTST_* why not. */
static int copy_side(const struct gnttab_copy_ptr *p, bool gref, uint16_t len,
		     uint8_t **at)
{
	uint8_t *page;

	if (gref)
		page = grant_page(p->domid, p->u.ref);
	else
		page = p->domid == DOMID_SELF ? local_page(p->u.gmfn) : NULL;
	if (!page)
		return gref ? GNTST_bad_gntref : GNTST_bad_page;
	if ((uint32_t)p->offset + len > NB_PAGE_SIZE)
		return GNTST_bad_copy_arg;
	*at = page + p->offset;
	return GNTST_okay;
}

static long env_grant_copy(void *ctx, struct gnttab_copy *ops, unsigned int n)
{
	W.copy_calls++;
	if (W.copy_fail)
		return W.copy_fail;
	for (unsigned int i = 0; i < n; i++) {
		struct gnttab_copy *op = &ops[i];
		uint8_t *src = NULL, *dst = NULL;

		op->status = (int16_t)copy_side(&op->source,
						op->flags & GNTCOPY_source_gref,
						op->len, &src);
		if (op->status == GNTST_okay)
			op->status = (int16_t)copy_side(
			    &op->dest, op->flags & GNTCOPY_dest_gref, op->len,
			    &dst);
		if (op->status == GNTST_okay)
			memcpy(dst, src, op->len);
	}
	return 0;
}

static void env_notify(void *ctx, struct nb_vif *vif, enum nb_ring ring)
{
	assert_true(vif->port >= 1 && vif->port <= 2);
	W.notify[vif->port][ring]++;
}

static uint64_t env_now(void *ctx)
{
	W.now_calls++;
	if (W.on_now)
		W.on_now();
	return W.now;
}

static void env_log(void *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(W.last_log, sizeof(W.last_log), fmt, ap);
	va_end(ap);
	W.logs++;
}

static struct nb_buf env_local_buf(void *ctx, unsigned int i)
{
	uint16_t off = i < NB_TX_BATCH ? W.tx_offset : 0;

	assert_true(i < NB_LOCAL_BUFS);
	return (struct nb_buf){ W.local[i] + off, LOCAL_MFN + i, off };
}

static long env_send_to_nic(void *ctx, const void *frame, size_t len)
{
	frames_add(&W.nic, frame, len);
	return 0;
}

static const struct nb_env ENV = {
	.grant_copy = env_grant_copy,
	.notify = env_notify,
	.now_ns = env_now,
	.log = env_log,
	.local_buf = env_local_buf,
	.send_to_nic = env_send_to_nic,
};

/* ---- Frontends, written from netif.h --------------------------------- */

struct front {
	domid_t domid;
	const uint8_t *mac;
	struct netif_tx_sring *txs;
	struct netif_rx_sring *rxs;
	struct netif_tx_front_ring tx;
	struct netif_rx_front_ring rx;
	struct nb_vif vif;
	grant_ref_t rx_ref[RX_POSTED]; /* by request id */
	uint16_t next_id;
	struct frame_list got; /* frames received */
	unsigned int rx_errors;
	struct netif_tx_response rsp[1024]; /* tx responses, in order */
	unsigned int nrsp;
};

static struct front FA, FB;
static struct nb_switch SW;

static grant_ref_t grant_new(domid_t domid, uint8_t **page)
{
	struct grant *g;

	assert_true(W.ngrants < MAX_GRANTS);
	g = &W.grants[W.ngrants++];
	g->domid = domid;
	g->ref = W.next_ref++;
	g->page = calloc(1, NB_PAGE_SIZE);
	assert_non_null(g->page);
	if (page)
		*page = g->page;
	return g->ref;
}

static void front_init(struct front *f, domid_t domid, const uint8_t *mac)
{
	memset(f, 0, sizeof(*f));
	f->domid = domid;
	f->mac = mac;
	f->txs = aligned_alloc(NB_PAGE_SIZE, NB_PAGE_SIZE);
	f->rxs = aligned_alloc(NB_PAGE_SIZE, NB_PAGE_SIZE);
	assert_non_null(f->txs);
	assert_non_null(f->rxs);
	SHARED_RING_INIT(f->txs);
	SHARED_RING_INIT(f->rxs);
	FRONT_RING_INIT(&f->tx, f->txs, XEN_PAGE_SIZE);
	FRONT_RING_INIT(&f->rx, f->rxs, XEN_PAGE_SIZE);
	assert_int_equal(nb_vif_init(&f->vif, &ENV, domid, mac, f->txs, f->rxs),
			 0);
	assert_int_equal(nb_switch_attach(&SW, &f->vif), 0);
}

static void front_free(struct front *f)
{
	frames_clear(&f->got);
	free(f->txs);
	free(f->rxs);
}

/* Queue one tx request as given, without pushing. */
static void tx_req(struct front *f, grant_ref_t gref, uint16_t offset,
		   uint16_t flags, uint16_t id, uint16_t size)
{
	struct netif_tx_request *req =
	    RING_GET_REQUEST(&f->tx, f->tx.req_prod_pvt++);

	req->gref = gref;
	req->offset = offset;
	req->flags = flags;
	req->id = id;
	req->size = size;
}

/* Queue one extra-info slot. */
static void tx_extra(struct front *f, uint8_t type, uint8_t flags)
{
	struct netif_extra_info *ex =
	    (void *)RING_GET_REQUEST(&f->tx, f->tx.req_prod_pvt++);

	memset(ex, 0, sizeof(*ex));
	ex->type = type;
	ex->flags = flags;
}

/* Queue a one-slot packet holding frame, in a fresh granted page. */
static uint16_t tx_frame(struct front *f, const uint8_t *frame, size_t len)
{
	uint8_t *page;
	grant_ref_t ref = grant_new(f->domid, &page);
	uint16_t id = f->next_id++;

	memcpy(page + 100, frame, len);
	tx_req(f, ref, 100, 0, id, (uint16_t)len);
	return id;
}

static void tx_push(struct front *f)
{
	RING_PUSH_REQUESTS(&f->tx);
}

/* Collect the tx responses netback published. */
static void tx_reap(struct front *f)
{
	RING_IDX prod = f->txs->rsp_prod;

	for (; f->tx.rsp_cons != prod; f->tx.rsp_cons++) {
		assert_true(f->nrsp < 1024);
		f->rsp[f->nrsp++] = *RING_GET_RESPONSE(&f->tx, f->tx.rsp_cons);
	}
}

/* Post n empty rx buffers. */
static void rx_post(struct front *f, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		uint16_t id = (uint16_t)(f->rx.req_prod_pvt % RX_POSTED);
		struct netif_rx_request *req =
		    RING_GET_REQUEST(&f->rx, f->rx.req_prod_pvt++);

		f->rx_ref[id] = grant_new(f->domid, NULL);
		req->id = id;
		req->gref = f->rx_ref[id];
	}
	RING_PUSH_REQUESTS(&f->rx);
}

/* Take received frames out of the rx responses. */
static void rx_reap(struct front *f)
{
	RING_IDX prod = f->rxs->rsp_prod;

	for (; f->rx.rsp_cons != prod; f->rx.rsp_cons++) {
		struct netif_rx_response rsp =
		    *RING_GET_RESPONSE(&f->rx, f->rx.rsp_cons);

		assert_true(rsp.id < RX_POSTED);
		if (rsp.status <= 0) {
			f->rx_errors++;
			continue;
		}
		assert_int_equal(rsp.offset, 0);
		assert_int_equal(rsp.flags, 0);
		frames_add(&f->got,
			   grant_page(f->domid, f->rx_ref[rsp.id]) + rsp.offset,
			   (size_t)rsp.status);
	}
}

/* ---- Frames ------------------------------------------------------------ */

/* An IPv4-typed frame of len bytes, payload a pattern from seed. */
static void frame_make(uint8_t *buf, size_t len, const uint8_t *dst,
		       const uint8_t *src, uint8_t seed)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = 0x08;
	buf[13] = 0x00;
	for (size_t i = 14; i < len; i++)
		buf[i] = (uint8_t)(seed + i * 7);
}

/* A frame from the NIC, in a heap block of exactly len bytes. */
static void from_nic(const uint8_t *frame, size_t len)
{
	uint8_t *copy = malloc(len);

	assert_non_null(copy);
	memcpy(copy, frame, len);
	nb_switch_from_nic(&SW, copy, len);
	free(copy);
}

static void assert_frame(const struct frame *f, const uint8_t *want, size_t len)
{
	assert_int_equal(f->len, len);
	assert_memory_equal(f->data, want, len);
}

static void reap_all(void)
{
	tx_reap(&FA);
	tx_reap(&FB);
	rx_reap(&FA);
	rx_reap(&FB);
}

static int world_setup(void **state)
{
	memset(&W, 0, sizeof(W));
	W.next_ref = 8;
	W.now = 1000000000ull;
	for (unsigned int i = 0; i < NB_LOCAL_BUFS; i++) {
		W.local[i] = aligned_alloc(NB_PAGE_SIZE, NB_PAGE_SIZE);
		assert_non_null(W.local[i]);
	}
	nb_switch_init(&SW, &ENV);
	front_init(&FA, 1, MAC_A);
	front_init(&FB, 2, MAC_B);
	rx_post(&FA, 32);
	rx_post(&FB, 32);
	return 0;
}

static int world_teardown(void **state)
{
	front_free(&FA);
	front_free(&FB);
	frames_clear(&W.nic);
	for (unsigned int i = 0; i < W.ngrants; i++)
		free(W.grants[i].page);
	for (unsigned int i = 0; i < NB_LOCAL_BUFS; i++)
		free(W.local[i]);
	return 0;
}

/* ---- Rate limit ------------------------------------------------------- */

static void test_rate_parse(void **state)
{
	static const char *const bad[] = {
		"",
		",",
		"1000",
		"1000,",
		",1000",
		"0,1000",
		"1000,0",
		"1000,1000,",
		"1000 ,10",
		"-1,10",
		"1000,10x",
		"x1000,10",
		"10,+5",
		"18446744073709551616,1",
		"1,3600000001",
	};
	uint64_t b = 7, u = 7;

	assert_int_equal(nb_rate_parse("125000,50000", &b, &u), 0);
	assert_int_equal(b, 125000);
	assert_int_equal(u, 50000);
	assert_int_equal(
	    nb_rate_parse("18446744073709551615,3600000000", &b, &u), 0);
	assert_true(b == UINT64_MAX);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = u = 7;
		assert_int_equal(nb_rate_parse(bad[i], &b, &u), -XEN_EINVAL);
		assert_int_equal(b, 7);
		assert_int_equal(u, 7);
	}
	assert_int_equal(nb_rate_parse(NULL, &b, &u), -XEN_EINVAL);
}

static void test_rate_credit(void **state)
{
	struct nb_rate r;

	nb_rate_init(&r, 1000, 100, 0); /* 1000 bytes per 100 us */
	assert_true(nb_rate_take(&r, 600, 0));
	assert_false(nb_rate_take(&r, 600, 50000));
	assert_true(nb_rate_take(&r, 400, 50000));
	assert_false(nb_rate_take(&r, 1, 99999));
	assert_true(nb_rate_take(&r, 1000, 100000));
	/* A frame larger than one interval's credit goes after two. */
	assert_false(nb_rate_take(&r, 1514, 200000));
	assert_true(nb_rate_take(&r, 1514, 300000));
	/* Unused credit does not pile up beyond a frame. */
	assert_true(nb_rate_take(&r, 10, 10000000));
	assert_false(nb_rate_take(&r, 1514, 10000000));
	/* A clock going back does not stall the limit. */
	assert_true(nb_rate_take(&r, 1000, 5));
	/* Unlimited. */
	nb_rate_init(&r, 0, 0, 0);
	assert_true(nb_rate_take(&r, 65535, 0));
}

/* ---- Frames flowing ---------------------------------------------------- */

static void test_init_checks(void **state)
{
	static const uint8_t group[6] = { 0x01, 0, 0x5e, 0, 0, 1 };
	static const uint8_t zero[6];
	struct nb_vif v;
	struct front *f = &FA;

	assert_int_equal(nb_vif_init(&v, &ENV, 3, group, f->txs, f->rxs),
			 -XEN_EINVAL);
	assert_int_equal(nb_vif_init(&v, &ENV, 3, zero, f->txs, f->rxs),
			 -XEN_EINVAL);
	assert_int_equal(nb_vif_init(&v, &ENV, 3, MAC_A, NULL, f->rxs),
			 -XEN_EINVAL);
	/* A second vif with A's address cannot join the switch. */
	assert_int_equal(nb_vif_init(&v, &ENV, 3, MAC_A, f->txs, f->rxs), 0);
	assert_int_equal(nb_switch_attach(&SW, &v), -XEN_EEXIST);
}

static void test_vif_to_vif(void **state)
{
	uint8_t ping[98], reply[98];
	uint16_t id;

	frame_make(ping, sizeof(ping), MAC_B, MAC_A, 1);
	id = tx_frame(&FA, ping, sizeof(ping));
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 1);
	reap_all();
	assert_int_equal(FA.nrsp, 1);
	assert_int_equal(FA.rsp[0].id, id);
	assert_int_equal(FA.rsp[0].status, NETIF_RSP_OKAY);
	assert_int_equal(FB.got.n, 1);
	assert_frame(&FB.got.f[0], ping, sizeof(ping));
	/* A configured address is never flooded: nothing to A or the NIC. */
	assert_int_equal(W.nic.n, 0);
	assert_int_equal(FA.got.n, 0);
	assert_int_equal(W.notify[1][NB_RING_TX], 1);
	assert_int_equal(W.notify[2][NB_RING_RX], 1);

	frame_make(reply, sizeof(reply), MAC_A, MAC_B, 2);
	tx_frame(&FB, reply, sizeof(reply));
	tx_push(&FB);
	assert_int_equal(nb_vif_tx_poll(&FB.vif, 64), 1);
	reap_all();
	assert_int_equal(FA.got.n, 1);
	assert_frame(&FA.got.f[0], reply, sizeof(reply));
	assert_int_equal(FA.vif.stats.tx_packets, 1);
	assert_int_equal(FA.vif.stats.tx_bytes, 98);
	assert_int_equal(FA.vif.stats.rx_packets, 1);
	assert_int_equal(FB.vif.stats.rx_bytes, 98);
	/* One grant copy for A's batch, one into B, and back again. */
	assert_int_equal(W.copy_calls, 4);
}

static void test_vif_uplink_learning(void **state)
{
	uint8_t out[98], in[60];

	/*
	 * A pings the gateway, not yet known: to the NIC only (every vif's
	 * address is known, so B never sees another guest's unicast).
	 */
	frame_make(out, sizeof(out), MAC_GW, MAC_A, 3);
	tx_frame(&FA, out, sizeof(out));
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 1);
	reap_all();
	assert_int_equal(W.nic.n, 1);
	assert_frame(&W.nic.f[0], out, sizeof(out));
	assert_int_equal(FB.got.n, 0);
	assert_int_equal(SW.stats.flooded, 0);

	/* The gateway answers from the uplink: to A only, and learned. */
	frame_make(in, sizeof(in), MAC_A, MAC_GW, 4);
	from_nic(in, sizeof(in));
	reap_all();
	assert_int_equal(FA.got.n, 1);
	assert_frame(&FA.got.f[0], in, sizeof(in));
	assert_int_equal(FB.got.n, 0);
	assert_int_equal(SW.stats.learned, 1);

	/* A to the gateway: the NIC alone. */
	tx_frame(&FA, out, sizeof(out));
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 1);
	reap_all();
	assert_int_equal(W.nic.n, 2);
	assert_int_equal(FB.got.n, 0);

	/* A frame from the uplink to a learned uplink address stays out. */
	frame_make(in, sizeof(in), MAC_GW, MAC_X, 5);
	from_nic(in, sizeof(in));
	reap_all();
	assert_int_equal(W.nic.n, 2);
	assert_int_equal(FA.got.n + FB.got.n, 1);
	assert_int_equal(SW.stats.dropped, 1);

	/* Aged out: still the NIC only, never the other vif. */
	W.now += NB_MAC_AGE_NS;
	tx_frame(&FA, out, sizeof(out));
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 1);
	reap_all();
	assert_int_equal(W.nic.n, 3);
	assert_int_equal(FB.got.n, 0);
	assert_int_equal(SW.stats.flooded, 0);
}

static void test_broadcast(void **state)
{
	uint8_t arp[60];

	frame_make(arp, sizeof(arp), BCAST, MAC_A, 6);
	tx_frame(&FA, arp, sizeof(arp));
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 1);
	reap_all();
	assert_int_equal(W.nic.n, 1);
	assert_int_equal(FB.got.n, 1);
	assert_int_equal(FA.got.n, 0); /* never back to the source */

	frame_make(arp, sizeof(arp), BCAST, MAC_GW, 7);
	from_nic(arp, sizeof(arp));
	reap_all();
	assert_int_equal(W.nic.n, 1);
	assert_int_equal(FA.got.n, 1);
	assert_int_equal(FB.got.n, 2);
	assert_frame(&FA.got.f[0], arp, sizeof(arp));
}

static void test_uplink_cannot_take_vif_address(void **state)
{
	uint8_t f[60];

	/* From the wire, claiming to be A: dropped, not learned. */
	frame_make(f, sizeof(f), MAC_B, MAC_A, 8);
	from_nic(f, sizeof(f));
	frame_make(f, sizeof(f), BCAST, MAC_A, 8);
	from_nic(f, sizeof(f));
	reap_all();
	assert_int_equal(FA.got.n + FB.got.n, 0);
	assert_int_equal(SW.stats.uplink_spoofed, 2);
	assert_int_equal(SW.stats.learned, 0);
	/* A group source and a runt are dropped too. */
	frame_make(f, sizeof(f), MAC_A, BCAST, 9);
	from_nic(f, sizeof(f));
	from_nic(f, 13);
	assert_int_equal(SW.stats.uplink_bad, 2);
	/* B still reaches A. */
	frame_make(f, sizeof(f), MAC_A, MAC_B, 10);
	tx_frame(&FB, f, sizeof(f));
	tx_push(&FB);
	nb_vif_tx_poll(&FB.vif, 64);
	reap_all();
	assert_int_equal(FA.got.n, 1);
	assert_int_equal(W.nic.n, 0);
}

static void test_spoofed_source_dropped(void **state)
{
	uint8_t bad[60], good[60];
	uint16_t id_bad, id_good;

	frame_make(bad, sizeof(bad), MAC_B, MAC_X, 11);
	frame_make(good, sizeof(good), MAC_B, MAC_A, 12);
	id_bad = tx_frame(&FA, bad, sizeof(bad));
	id_good = tx_frame(&FA, good, sizeof(good));
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 2);
	reap_all();
	assert_int_equal(FA.nrsp, 2);
	assert_int_equal(FA.rsp[0].id, id_bad);
	assert_int_equal(FA.rsp[0].status, NETIF_RSP_DROPPED);
	assert_int_equal(FA.rsp[1].id, id_good);
	assert_int_equal(FA.rsp[1].status, NETIF_RSP_OKAY);
	assert_int_equal(FB.got.n, 1);
	assert_frame(&FB.got.f[0], good, sizeof(good));
	assert_int_equal(W.nic.n, 0);
	assert_int_equal(FA.vif.stats.spoofed, 1);
	assert_int_equal(FA.vif.stats.tx_packets, 1);
	assert_true(FA.vif.connected);
}

static void test_rate_limit_defers(void **state)
{
	uint8_t f[600];
	uint64_t bytes, usec;

	assert_int_equal(nb_rate_parse("1000,100000", &bytes, &usec), 0);
	nb_vif_set_rate(&FA.vif, bytes, usec); /* 1000 bytes per 100 ms */
	frame_make(f, sizeof(f), MAC_B, MAC_A, 13);
	for (int i = 0; i < 3; i++)
		tx_frame(&FA, f, sizeof(f));
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 1);
	reap_all();
	assert_int_equal(FA.nrsp, 1);
	assert_int_equal(FB.got.n, 1);
	assert_int_equal(FA.vif.stats.rate_limited, 1);
	assert_true(nb_vif_tx_wake_ns(&FA.vif) == W.now + 100000000ull);
	/* Still waiting: the requests stay in the ring, counted once. */
	W.now += 50000000ull;
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 0);
	assert_int_equal(FA.vif.stats.rate_limited, 1);
	assert_int_equal(FA.vif.tx.req_cons, 1);
	/* The next interval lets both go. */
	W.now += 50000000ull;
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 2);
	reap_all();
	assert_int_equal(FA.nrsp, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(FA.rsp[i].status, NETIF_RSP_OKAY);
	assert_int_equal(FB.got.n, 3);
	assert_true(nb_vif_tx_wake_ns(&FA.vif) == 0);
	/* B is not limited. */
	frame_make(f, sizeof(f), MAC_A, MAC_B, 14);
	for (int i = 0; i < 5; i++)
		tx_frame(&FB, f, sizeof(f));
	tx_push(&FB);
	assert_int_equal(nb_vif_tx_poll(&FB.vif, 64), 5);
	reap_all();
	assert_int_equal(FA.got.n, 5);
	assert_int_equal(FB.vif.stats.rate_limited, 0);
}

static void test_multi_slot(void **state)
{
	uint8_t f[300], *p1, *p2, *p3;
	grant_ref_t r1 = grant_new(1, &p1), r2 = grant_new(1, &p2),
		    r3 = grant_new(1, &p3);

	frame_make(f, sizeof(f), MAC_B, MAC_A, 15);
	/* 100 bytes at the end of one page, 120 and 80 in two others. */
	memcpy(p1 + 3996, f, 100);
	memcpy(p2, f + 100, 120);
	memcpy(p3 + 7, f + 220, 80);
	tx_req(&FA, r1, 3996, NETTXF_more_data, 10, 300);
	tx_req(&FA, r2, 0, NETTXF_more_data, 11, 120);
	tx_req(&FA, r3, 7, 0, 12, 80);
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 1);
	reap_all();
	assert_int_equal(FA.nrsp, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(FA.rsp[i].id, 10 + i);
		assert_int_equal(FA.rsp[i].status, NETIF_RSP_OKAY);
	}
	assert_int_equal(FB.got.n, 1);
	assert_frame(&FB.got.f[0], f, sizeof(f));
	assert_int_equal(FA.vif.stats.tx_bytes, 300);
}

/*
 * Local frames that start inside their pages (a NIC's half-page buffers
 * lent to a batch): every slot lands at the frame's offset, and the
 * checks read the frame there.
 */
static void test_local_frames_at_an_offset(void **state)
{
	uint8_t up[300], spoofed[60], to_b[90], *p1, *p2;
	grant_ref_t r1 = grant_new(1, &p1), r2 = grant_new(1, &p2);

	W.tx_offset = NB_PAGE_SIZE - NB_FRAME_MAX;
	frame_make(up, sizeof(up), MAC_X, MAC_A, 21);
	frame_make(spoofed, sizeof(spoofed), MAC_X, MAC_B, 22);
	frame_make(to_b, sizeof(to_b), MAC_B, MAC_A, 23);
	memcpy(p1 + 4000, up, 96);
	memcpy(p2 + 5, up + 96, 204);
	tx_req(&FA, r1, 4000, NETTXF_more_data, 10, 300);
	tx_req(&FA, r2, 5, 0, 11, 204);
	tx_frame(&FA, spoofed, sizeof(spoofed));
	tx_frame(&FA, to_b, sizeof(to_b));
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 3);
	reap_all();
	assert_int_equal(W.nic.n, 1);
	assert_frame(&W.nic.f[0], up, sizeof(up));
	assert_int_equal(FB.got.n, 1);
	assert_frame(&FB.got.f[0], to_b, sizeof(to_b));
	assert_int_equal(FA.vif.stats.spoofed, 1);
	assert_int_equal(FA.vif.stats.tx_packets, 2);
}

static void test_multi_slot_bad_sizes(void **state)
{
	grant_ref_t r = grant_new(1, NULL);

	/* The second slot claims more than the first slot's total. */
	tx_req(&FA, r, 0, NETTXF_more_data, 1, 100);
	tx_req(&FA, r, 0, 0, 2, 200);
	/* A total over a frame. */
	tx_req(&FA, r, 0, NETTXF_more_data, 3, 2000);
	tx_req(&FA, r, 0, 0, 4, 1000);
	/* A later slot across its page: refused before any copy. */
	tx_req(&FA, r, 0, NETTXF_more_data, 5, 300);
	tx_req(&FA, r, 4000, 0, 6, 200);
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 3);
	reap_all();
	assert_int_equal(FA.nrsp, 6);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(FA.rsp[i].id, i + 1);
		assert_int_equal(FA.rsp[i].status, NETIF_RSP_ERROR);
	}
	assert_int_equal(FA.vif.stats.tx_errors, 3);
	assert_int_equal(W.copy_calls, 0);
	assert_true(FA.vif.connected);
}

static void test_incomplete_packet_waits(void **state)
{
	uint8_t f[200], *p1, *p2;
	grant_ref_t r1 = grant_new(1, &p1), r2 = grant_new(1, &p2);

	frame_make(f, sizeof(f), MAC_B, MAC_A, 16);
	memcpy(p1, f, 150);
	memcpy(p2, f + 150, 50);
	tx_req(&FA, r1, 0, NETTXF_more_data, 1, 200);
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 0);
	assert_int_equal(FA.txs->rsp_prod, 0);
	/* Netback asked to hear of the next slot. */
	assert_int_equal(FA.txs->req_event, 2);
	tx_req(&FA, r2, 0, 0, 2, 50);
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 1);
	reap_all();
	assert_int_equal(FA.nrsp, 2);
	assert_int_equal(FB.got.n, 1);
	assert_frame(&FB.got.f[0], f, sizeof(f));
}

/* An IPv4 frame of len bytes carrying protocol proto, from A to B. */
static void ip_frame(uint8_t *f, size_t len, uint8_t proto)
{
	size_t total = len - 14;

	frame_make(f, len, MAC_B, MAC_A, 30);
	memset(f + 14, 0, 20);
	f[14] = 0x45;
	f[16] = (uint8_t)(total >> 8);
	f[17] = (uint8_t)total;
	f[22] = 64;
	f[23] = proto;
	memcpy(f + 26, (uint8_t[]){ 10, 0, 3, 2, 10, 0, 3, 1 }, 8);
}

/* Does the TCP/UDP checksum of frame f verify? (Written here, not netback's.)
 */
static bool l4_csum_ok(const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + 14, *l4 = ip + 20;
	size_t l4len = len - 34;
	uint32_t sum = ip[23 - 14] + (uint32_t)l4len;

	for (size_t i = 12; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	for (size_t i = 0; i < l4len; i += 2)
		sum += (uint32_t)(l4[i] << 8 | (i + 1 < l4len ? l4[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static void test_csum_blank_completed(void **state)
{
	uint8_t udp[101], tcp[120], arp[60], frag[80], *page;
	grant_ref_t ref;

	ip_frame(udp, sizeof(udp), 17);
	udp[34 + 6] = 0x12; /* a partial sum, as netfront leaves it */
	ip_frame(tcp, sizeof(tcp), 6);
	ip_frame(frag, sizeof(frag), 17);
	frag[14 + 6] = 0x20; /* more fragments */
	frame_make(arp, sizeof(arp), MAC_B, MAC_A, 31);
	arp[12] = 0x08;
	arp[13] = 0x06;
	ref = grant_new(1, &page);
	memcpy(page, udp, sizeof(udp));
	tx_req(&FA, ref, 0, NETTXF_csum_blank | NETTXF_data_validated, 1,
	       sizeof(udp));
	ref = grant_new(1, &page);
	memcpy(page, tcp, sizeof(tcp));
	tx_req(&FA, ref, 0, NETTXF_csum_blank, 2, sizeof(tcp));
	ref = grant_new(1, &page);
	memcpy(page, arp, sizeof(arp));
	tx_req(&FA, ref, 0, NETTXF_csum_blank, 3, sizeof(arp));
	ref = grant_new(1, &page);
	memcpy(page, frag, sizeof(frag));
	tx_req(&FA, ref, 0, NETTXF_csum_blank, 4, sizeof(frag));
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 4);
	reap_all();
	assert_int_equal(FA.rsp[0].status, NETIF_RSP_OKAY);
	assert_int_equal(FA.rsp[1].status, NETIF_RSP_OKAY);
	assert_int_equal(FA.rsp[2].status, NETIF_RSP_ERROR);
	assert_int_equal(FA.rsp[3].status, NETIF_RSP_ERROR);
	assert_int_equal(FB.got.n, 2);
	assert_int_equal(FB.got.f[0].len, sizeof(udp));
	assert_true(l4_csum_ok(FB.got.f[0].data, sizeof(udp)));
	assert_false(l4_csum_ok(udp, sizeof(udp)));
	assert_true(l4_csum_ok(FB.got.f[1].data, sizeof(tcp)));
	/* Only the checksum changed. */
	memcpy(udp + 40, FB.got.f[0].data + 40, 2);
	assert_memory_equal(FB.got.f[0].data, udp, sizeof(udp));
}

/* ---- A hostile frontend ----------------------------------------------- */

static void test_bad_requests_answered(void **state)
{
	uint8_t f[60], *page;
	grant_ref_t ref = grant_new(1, &page);
	uint16_t good;

	frame_make(f, sizeof(f), MAC_B, MAC_A, 17);
	memcpy(page, f, sizeof(f));
	tx_req(&FA, 9999, 0, 0, 1, 60);	   /* a ref never granted */
	tx_req(&FA, ref, 4000, 0, 2, 200); /* across the page */
	tx_req(&FA, ref, 0, 0, 3, 13);	   /* shorter than a header */
	tx_req(&FA, ref, 0, 0, 4, 1515);   /* longer than a frame */
	tx_req(&FA, grant_new(2, NULL), 0, 0, 5, 60); /* B's grant */
	tx_push(&FA);
	good = tx_frame(&FA, f, sizeof(f));
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 6);
	reap_all();
	assert_int_equal(FA.nrsp, 6);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(FA.rsp[i].id, i + 1);
		assert_int_equal(FA.rsp[i].status, NETIF_RSP_ERROR);
	}
	assert_int_equal(FA.rsp[5].id, good);
	assert_int_equal(FA.rsp[5].status, NETIF_RSP_OKAY);
	assert_int_equal(FA.vif.stats.tx_errors, 5);
	assert_int_equal(FB.got.n, 1);
	assert_true(FA.vif.connected);
	assert_int_equal(W.logs, 0);
}

static void test_grant_copy_failing_whole(void **state)
{
	uint8_t f[60];

	frame_make(f, sizeof(f), MAC_B, MAC_A, 18);
	tx_frame(&FA, f, sizeof(f));
	tx_push(&FA);
	W.copy_fail = -XEN_EFAULT;
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 1);
	W.copy_fail = 0;
	reap_all();
	assert_int_equal(FA.rsp[0].status, NETIF_RSP_ERROR);
	assert_int_equal(FB.got.n, 0);
}

static void test_duplicate_ids(void **state)
{
	uint8_t f[60], *page;
	grant_ref_t ref = grant_new(1, &page);

	frame_make(f, sizeof(f), MAC_B, MAC_A, 19);
	memcpy(page, f, sizeof(f));
	tx_req(&FA, ref, 0, 0, 7, 60);
	tx_req(&FA, ref, 0, 0, 7, 60);
	/* Within one packet, too. */
	tx_req(&FA, ref, 0, NETTXF_more_data, 8, 60);
	tx_req(&FA, ref, 0, 0, 8, 30);
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 3);
	reap_all();
	assert_int_equal(FA.nrsp, 4);
	assert_int_equal(FA.rsp[0].status, NETIF_RSP_OKAY);
	assert_int_equal(FA.rsp[1].status, NETIF_RSP_ERROR);
	assert_int_equal(FA.rsp[2].status, NETIF_RSP_ERROR);
	assert_int_equal(FA.rsp[3].status, NETIF_RSP_ERROR);
	assert_int_equal(FB.got.n, 1);
	/* Once answered, an id may come again. */
	tx_req(&FA, ref, 0, 0, 7, 60);
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 1);
	reap_all();
	assert_int_equal(FA.rsp[4].status, NETIF_RSP_OKAY);
}

static void test_extra_info_refused(void **state)
{
	uint8_t f[60], *page;
	grant_ref_t ref = grant_new(1, &page);

	frame_make(f, sizeof(f), MAC_B, MAC_A, 20);
	memcpy(page, f, sizeof(f));
	tx_req(&FA, ref, 0, NETTXF_extra_info | NETTXF_more_data, 1, 60);
	tx_extra(&FA, XEN_NETIF_EXTRA_TYPE_GSO, XEN_NETIF_EXTRA_FLAG_MORE);
	tx_extra(&FA, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0);
	tx_req(&FA, ref, 0, 0, 2, 20);
	tx_req(&FA, ref, 0, 0, 3, 60); /* the next packet, fine */
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 2);
	reap_all();
	assert_int_equal(FA.nrsp, 5);
	assert_int_equal(FA.rsp[0].id, 1);
	assert_int_equal(FA.rsp[0].status, NETIF_RSP_ERROR);
	assert_int_equal(FA.rsp[1].status, NETIF_RSP_NULL);
	assert_int_equal(FA.rsp[2].status, NETIF_RSP_NULL);
	assert_int_equal(FA.rsp[3].id, 2);
	assert_int_equal(FA.rsp[3].status, NETIF_RSP_ERROR);
	assert_int_equal(FA.rsp[4].id, 3);
	assert_int_equal(FA.rsp[4].status, NETIF_RSP_OKAY);
	assert_int_equal(FB.got.n, 1);
	assert_true(FA.vif.connected);
}

static void test_extra_chain_too_long(void **state)
{
	tx_req(&FA, grant_new(1, NULL), 0, NETTXF_extra_info, 1, 60);
	for (int i = 0; i < NB_TX_MAX_EXTRAS + 1; i++)
		tx_extra(&FA, XEN_NETIF_EXTRA_TYPE_MCAST_ADD,
			 XEN_NETIF_EXTRA_FLAG_MORE);
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 0);
	assert_false(FA.vif.connected);
	assert_int_equal(W.logs, 1);
}

static void test_slot_chain_too_long(void **state)
{
	grant_ref_t ref = grant_new(1, NULL);

	for (int i = 0; i < NB_TX_MAX_SLOTS + 1; i++)
		tx_req(&FA, ref, 0, NETTXF_more_data, (uint16_t)i, 20);
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 0);
	assert_false(FA.vif.connected);
	assert_non_null(FA.vif.stats.disconnect_reason);
	assert_int_equal(FA.txs->rsp_prod, 0);
}

static void test_max_slots_accepted(void **state)
{
	uint8_t f[NB_TX_MAX_SLOTS * 20], *page;
	grant_ref_t ref = grant_new(1, &page);

	frame_make(f, sizeof(f), MAC_B, MAC_A, 21);
	memcpy(page, f, sizeof(f));
	tx_req(&FA, ref, 0, NETTXF_more_data, 0, sizeof(f));
	for (int i = 1; i < NB_TX_MAX_SLOTS; i++)
		tx_req(&FA, ref, (uint16_t)(20 * i),
		       i + 1 < NB_TX_MAX_SLOTS ? NETTXF_more_data : 0,
		       (uint16_t)i, 20);
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 1);
	reap_all();
	assert_int_equal(FA.nrsp, NB_TX_MAX_SLOTS);
	assert_int_equal(FB.got.n, 1);
	assert_frame(&FB.got.f[0], f, sizeof(f));
}

static void test_req_prod_overflow_disconnects_one(void **state)
{
	uint8_t f[60];
	unsigned int logs;

	FA.txs->req_prod = 1000;
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 0);
	assert_false(FA.vif.connected);
	assert_int_equal(W.logs, 1);
	assert_non_null(strstr(W.last_log, "producer index"));
	assert_string_equal(FA.vif.stats.disconnect_reason,
			    "tx ring: producer index out of range");
	/* Logged once, whatever A does next; nothing more read or written. */
	logs = W.logs;
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 0);
	nb_vif_disconnect(&FA.vif, "again");
	assert_int_equal(W.logs, logs);
	assert_int_equal(FA.txs->rsp_prod, 0);

	/* B still works, to the NIC and to A (A drops it). */
	frame_make(f, sizeof(f), MAC_GW, MAC_B, 22);
	tx_frame(&FB, f, sizeof(f));
	frame_make(f, sizeof(f), MAC_A, MAC_B, 23);
	tx_frame(&FB, f, sizeof(f));
	tx_push(&FB);
	assert_int_equal(nb_vif_tx_poll(&FB.vif, 64), 2);
	reap_all();
	assert_int_equal(FB.nrsp, 2);
	assert_int_equal(W.nic.n, 1);
	assert_int_equal(FA.got.n, 0);
	assert_int_equal(FA.vif.stats.rx_dropped, 1);
	frame_make(f, sizeof(f), MAC_B, MAC_GW, 24);
	from_nic(f, sizeof(f));
	reap_all();
	assert_int_equal(FB.got.n, 1);
}

static void test_req_prod_behind_disconnects(void **state)
{
	uint8_t f[60];

	frame_make(f, sizeof(f), MAC_B, MAC_A, 25);
	tx_frame(&FA, f, sizeof(f));
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 1);
	FA.txs->req_prod = 0; /* moved back */
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 0);
	assert_false(FA.vif.connected);
}

/* Moves A's producer index between 1 and 2 whenever netback looks. */
static void flip_req_prod(void)
{
	FA.txs->req_prod = FA.txs->req_prod == 1 ? 2 : 1;
}

static void test_racing_frontend_no_spin(void **state)
{
	grant_ref_t ref = grant_new(1, NULL);

	tx_req(&FA, ref, 0, NETTXF_more_data, 1, 100);
	tx_req(&FA, ref, 0, NETTXF_more_data, 2, 50);
	FA.txs->req_prod = 1;
	W.now_calls = 0;
	W.on_now = flip_req_prod;
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 0);
	W.on_now = NULL;
	assert_int_equal(W.now_calls, 2); /* two batches, no more */
	assert_int_equal(FA.txs->rsp_prod, 0);
	assert_true(FA.vif.connected);
}

static void test_flood_bounded_by_budget(void **state)
{
	uint8_t f[60], *page;
	grant_ref_t ref = grant_new(1, &page);
	unsigned int total = 0, n;

	frame_make(f, sizeof(f), MAC_X, MAC_A, 26);
	memcpy(page, f, sizeof(f));
	for (int i = 0; i < 256; i++)
		tx_req(&FA, ref, 0, 0, (uint16_t)i, 60);
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 10), 10);
	reap_all();
	assert_int_equal(FA.nrsp, 10);
	total = 10;
	while ((n = nb_vif_tx_poll(&FA.vif, 64)) > 0) {
		assert_true(n <= 64);
		total += n;
	}
	assert_int_equal(total, 256);
	reap_all();
	assert_int_equal(FA.nrsp, 256);
	assert_int_equal(W.nic.n, 256);
	assert_true(FA.vif.connected);
	/* The ring is full of answered slots; more requests go through. */
	tx_req(&FA, ref, 0, 0, 1, 60);
	tx_push(&FA);
	assert_int_equal(nb_vif_tx_poll(&FA.vif, 64), 1);
}

/* ---- Receive ----------------------------------------------------------- */

static void test_rx_no_buffer(void **state)
{
	uint8_t f[60];
	struct front *c = &FA;

	/* Use up A's 32 posted buffers. */
	frame_make(f, sizeof(f), MAC_A, MAC_GW, 27);
	for (int i = 0; i < 33; i++)
		from_nic(f, sizeof(f));
	reap_all();
	assert_int_equal(c->got.n, 32);
	assert_int_equal(c->vif.stats.rx_no_buffer, 1);
	assert_int_equal(nb_vif_rx_deliver(&c->vif, f, sizeof(f)),
			 -XEN_ENOBUFS);
	assert_int_equal(c->vif.stats.rx_no_buffer, 2);
	rx_post(c, 1);
	from_nic(f, sizeof(f));
	reap_all();
	assert_int_equal(c->got.n, 33);
	assert_true(c->vif.connected);
}

static void test_rx_bad_buffers(void **state)
{
	uint8_t f[60];
	struct netif_rx_request *req;

	/* A buffer with a ref never granted: an error response. */
	req = RING_GET_REQUEST(&FA.rx, FA.rx.req_prod_pvt++);
	req->id = 0;
	req->gref = 9999;
	RING_PUSH_REQUESTS(&FA.rx);
	frame_make(f, sizeof(f), MAC_A, MAC_GW, 28);
	for (int i = 0; i < 33; i++)
		from_nic(f, sizeof(f));
	reap_all();
	assert_int_equal(FA.got.n, 32);
	assert_int_equal(FA.rx_errors, 1);
	assert_int_equal(FA.vif.stats.rx_errors, 1);
	/* Sizes netback refuses to deliver. */
	assert_int_equal(nb_vif_rx_deliver(&FA.vif, f, 13), -XEN_EINVAL);
	/* An rx producer index beyond the ring: A is gone, B is not. */
	FA.rxs->req_prod += 300;
	assert_int_equal(nb_vif_rx_deliver(&FA.vif, f, sizeof(f)),
			 -XEN_ENOTCONN);
	assert_false(FA.vif.connected);
	assert_string_equal(FA.vif.stats.disconnect_reason,
			    "rx ring: producer index out of range");
	frame_make(f, sizeof(f), MAC_B, MAC_GW, 29);
	from_nic(f, sizeof(f));
	reap_all();
	assert_int_equal(FB.got.n, 1);
}

static void test_switch_ports(void **state)
{
	struct front extra[NB_MAX_VIFS - 1];
	uint8_t mac[6] = { 0x00, 0x16, 0x3e, 1, 0, 0 };

	/* Two attached; fill the rest, then one too many. */
	for (int i = 0; i < NB_MAX_VIFS - 2; i++) {
		mac[5] = (uint8_t)i;
		front_init(&extra[i], (domid_t)(10 + i), mac);
	}
	mac[5] = 0xee;
	assert_int_equal(nb_vif_init(&extra[NB_MAX_VIFS - 2].vif, &ENV, 30, mac,
				     FA.txs, FA.rxs),
			 0);
	assert_int_equal(nb_switch_attach(&SW, &extra[NB_MAX_VIFS - 2].vif),
			 -XEN_ENOSPC);
	/* Detach B: its port is free again and frames to B are flooded. */
	nb_switch_detach(&SW, &FB.vif);
	assert_null(FB.vif.sw);
	assert_int_equal(nb_switch_attach(&SW, &extra[NB_MAX_VIFS - 2].vif), 0);
	for (int i = 0; i < NB_MAX_VIFS - 2; i++)
		front_free(&extra[i]);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, world_setup, world_teardown)
	const struct CMUnitTest tests[] = {
		T(test_rate_parse),
		T(test_rate_credit),
		T(test_init_checks),
		T(test_vif_to_vif),
		T(test_vif_uplink_learning),
		T(test_broadcast),
		T(test_uplink_cannot_take_vif_address),
		T(test_spoofed_source_dropped),
		T(test_rate_limit_defers),
		T(test_multi_slot),
		T(test_local_frames_at_an_offset),
		T(test_multi_slot_bad_sizes),
		T(test_incomplete_packet_waits),
		T(test_csum_blank_completed),
		T(test_bad_requests_answered),
		T(test_grant_copy_failing_whole),
		T(test_duplicate_ids),
		T(test_extra_info_refused),
		T(test_extra_chain_too_long),
		T(test_slot_chain_too_long),
		T(test_max_slots_accepted),
		T(test_req_prod_overflow_disconnects_one),
		T(test_req_prod_behind_disconnects),
		T(test_racing_frontend_no_spin),
		T(test_flood_bounded_by_budget),
		T(test_rx_no_buffer),
		T(test_rx_bad_buffers),
		T(test_switch_ports),
	};
#undef T

	return cmocka_run_group_tests_name("netback", tests, NULL, NULL);
}
