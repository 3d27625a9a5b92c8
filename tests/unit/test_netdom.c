/*
 * The network driver domain's vif manager (driverdom/netdom_vifs.c) with
 * the real netback behind it, against real netfronts and hand-written
 * frontends, over the real xenbus client and the real xenstore core.
 *
 * Domains: 0 is the toolstack (x0), 1 the driver domain (x1, the code
 * under test), 5 and 6 guests (xg[0], xg[1]) with a netfront each. The
 * store's rings are memory here and serve() moves bytes between each and
 * the core, as in test_netfront.c.
 *
 * Pages are heap blocks of exactly XEN_PAGE_SIZE with fake frame numbers.
 * Each guest has a grant table here; the driver domain reaches a guest
 * page only through op_map() (which checks the grant is to domain 1 and
 * writable, and counts it busy while mapped, so a guest's grant_end
 * fails until the unmap) and through grant copies checked the same way.
 * Event channels are numbers: a guest's unbound port, the driver
 * domain's port bound to it.
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
#include <driverdom/netdom.h>
#include "../../stubdom/include/stub/netfront.h"
#include "../../stubdom/xenstore/xenstore.h"
#include "../../stubdom/xenstore/xs_env.h"
#include "fake_xs_env.h"

#define PAGE	  XEN_PAGE_SIZE
#define RING	  XENSTORE_RING_SIZE
#define MAX_WAITS 100000
#define NETDOM	  1
#define NGUESTS	  2
#define ROUNDS	  24

/* ---- Rings to the store ---- */

struct xsenv {
	struct xenstore_domain_interface *ring;
	struct xs_conn *conn;
	unsigned long waits;
};

static struct xs_store *store;
static struct xsenv e0, e1, eg[NGUESTS];
static struct xenbus *x0, *x1, *xg[NGUESTS];

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

static void xsenv_free(struct xsenv *e, struct xenbus *x)
{
	free(e->ring);
	free(x);
}

/* ---- Pages ---- */

#define MAX_PAGES 1024
#define MFN0	  0x40000ul

static struct {
	void *va;
	bool live;
} pages[MAX_PAGES];
static unsigned int npages;

static void *page_new(unsigned long *mfn)
{
	void *va;

	assert_true(npages < MAX_PAGES);
	va = aligned_alloc(PAGE, PAGE);
	assert_non_null(va);
	memset(va, 0, PAGE);
	pages[npages].va = va;
	pages[npages].live = true;
	*mfn = MFN0 + npages++;
	return va;
}

static uint8_t *page_va(unsigned long mfn)
{
	if (mfn < MFN0 || mfn >= MFN0 + npages || !pages[mfn - MFN0].live)
		return NULL;
	return pages[mfn - MFN0].va;
}

/* ---- Guests: grant tables, ports, netfronts ---- */

#define GT_MAX	  512 /* one grant-table frame of v1 entries */
#define GPORT_MAX 64

struct gent {
	bool used, ro;
	int busy; /* mapped by the driver domain */
	domid_t domid;
	unsigned long mfn;
};

struct gport {
	bool open;
	domid_t remote;
	unsigned int bound; /* the driver domain's port, or 0 */
};

struct guest {
	domid_t domid;
	struct gent gt[GT_MAX];
	struct gport port[GPORT_MAX];
	unsigned int nports;
	struct netfront nf;
	bool nf_on;
	uint8_t got[8][PAGE];
	size_t got_len[8];
	unsigned int ngot;
};

static struct guest G[NGUESTS];

static struct guest *guest_of(domid_t domid)
{
	for (unsigned int i = 0; i < NGUESTS; i++)
		if (G[i].domid == domid)
			return &G[i];
	return NULL;
}

static long g_grant_access(void *env, domid_t domid, unsigned long mfn, bool ro)
{
	struct guest *g = env;

	assert_non_null(page_va(mfn));
	for (grant_ref_t r = 8; r < GT_MAX; r++) {
		if (g->gt[r].used)
			continue;
		g->gt[r] = (struct gent){ true, ro, 0, domid, mfn };
		return r;
	}
	return -XEN_ENOSPC;
}

static long g_grant_end(void *env, grant_ref_t ref)
{
	struct guest *g = env;

	assert_true(ref >= 8 && ref < GT_MAX && g->gt[ref].used);
	if (g->gt[ref].busy)
		return -XEN_EBUSY;
	g->gt[ref].used = false;
	return 0;
}

static unsigned int g_grants(const struct guest *g)
{
	unsigned int n = 0;

	for (unsigned int r = 0; r < GT_MAX; r++)
		n += g->gt[r].used;
	return n;
}

static void *g_page_alloc(void *env, unsigned long *mfn)
{
	return page_new(mfn);
}

static long g_alloc_unbound(void *env, domid_t remote)
{
	struct guest *g = env;

	assert_true(g->nports < GPORT_MAX);
	g->port[g->nports] = (struct gport){ true, remote, 0 };
	return g->nports++;
}

static void g_evtchn_close(void *env, evtchn_port_t port)
{
	struct guest *g = env;

	assert_true(port < g->nports && g->port[port].open);
	g->port[port].open = false;
}

static void g_notify(void *env, evtchn_port_t port)
{
}

static void g_rx(void *env, const void *frame, size_t len)
{
	struct guest *g = env;

	memcpy(g->got[g->ngot % 8], frame, len);
	g->got_len[g->ngot % 8] = len;
	g->ngot++;
}

static void nf_start(struct guest *g)
{
	const struct netfront_ops ops = {
		.grant_access = g_grant_access,
		.grant_end = g_grant_end,
		.page_alloc = g_page_alloc,
		.evtchn_alloc_unbound = g_alloc_unbound,
		.evtchn_close = g_evtchn_close,
		.notify = g_notify,
		.rx = g_rx,
		.env = g,
		.xb = xg[g - G],
	};

	assert_int_equal(netfront_init(&g->nf, &ops, "device/vif/0"), 0);
	g->nf_on = true;
}

/* ---- The driver domain's environment ---- */

#define DPORT_MAX 64

static struct {
	struct netdom nd;
	struct nb_switch sw;
	struct nb_env env;
	struct nb_buf bufs[NB_LOCAL_BUFS];
	uint64_t now;
	char log[16384];
	size_t log_len;
	/* Its ports: bound to (guest, guest port). */
	struct {
		bool open;
		domid_t dom;
		evtchn_port_t rport;
		unsigned long notifies;
	} port[DPORT_MAX];
	unsigned int nports;
	/* Its mappings, by window and ring. */
	struct {
		bool on;
		domid_t dom;
		grant_ref_t ref;
	} map[ND_WINDOWS][2];
	unsigned int maps_made;
	bool unmap_fail;
	/* The NIC. */
	uint8_t wire[8][PAGE];
	size_t wire_len[8];
	unsigned int nwire;
} D;

static long d_grant_copy(void *ctx, struct gnttab_copy *ops, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct gnttab_copy *op = &ops[i];
		uint8_t *side[2];
		const struct gnttab_copy_ptr *ptr[2] = { &op->source,
							 &op->dest };

		op->status = GNTST_okay;
		for (unsigned int s = 0; s < 2; s++) {
			bool gref = op->flags & (s ? GNTCOPY_dest_gref
						   : GNTCOPY_source_gref);
			struct guest *g;

			if (!gref) {
				side[s] = page_va(ptr[s]->u.gmfn);
				if (!side[s])
					op->status = GNTST_bad_page;
				continue;
			}
			g = guest_of(ptr[s]->domid);
			if (!g || ptr[s]->u.ref >= GT_MAX ||
			    !g->gt[ptr[s]->u.ref].used ||
			    g->gt[ptr[s]->u.ref].domid != NETDOM ||
			    (s && g->gt[ptr[s]->u.ref].ro)) {
				op->status = GNTST_bad_gntref;
				side[s] = NULL;
				continue;
			}
			side[s] = page_va(g->gt[ptr[s]->u.ref].mfn);
		}
		if (op->status)
			continue;
		if (op->source.offset + op->len > PAGE ||
		    op->dest.offset + op->len > PAGE) {
			op->status = GNTST_bad_copy_arg;
			continue;
		}
		memmove(side[1] + op->dest.offset, side[0] + op->source.offset,
			op->len);
	}
	return 0;
}

static void d_notify(void *ctx, struct nb_vif *vif, enum nb_ring ring)
{
	evtchn_port_t p = nd_vif_of(vif)->port[ring];

	assert_true(p < D.nports && D.port[p].open);
	D.port[p].notifies++;
}

static uint64_t d_now(void *ctx)
{
	return D.now;
}

static void d_log(void *ctx, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(D.log + D.log_len, sizeof(D.log) - D.log_len, fmt, ap);
	va_end(ap);
	if (getenv("NETDOM_VERBOSE"))
		printf("netdom: %s", D.log + D.log_len);
	if (n > 0)
		D.log_len = min_sz(D.log_len + (size_t)n, sizeof(D.log) - 1);
}

static unsigned int log_count(const char *s)
{
	unsigned int n = 0;

	for (const char *p = D.log; (p = strstr(p, s)); p++)
		n++;
	return n;
}

static struct nb_buf d_local_buf(void *ctx, unsigned int i)
{
	assert_true(i < NB_LOCAL_BUFS);
	return D.bufs[i];
}

static long d_send_to_nic(void *ctx, const void *frame, size_t len)
{
	memcpy(D.wire[D.nwire % 8], frame, len);
	D.wire_len[D.nwire % 8] = len;
	D.nwire++;
	return 0;
}

static long d_map(void *env, unsigned int w, enum nb_ring ring, domid_t domid,
		  grant_ref_t ref, void **va, uint32_t *handle)
{
	struct guest *g = guest_of(domid);

	assert_true(w < ND_WINDOWS);
	assert_false(D.map[w][ring].on); /* a window is never shared */
	if (!g || ref >= GT_MAX || !g->gt[ref].used ||
	    g->gt[ref].domid != NETDOM || g->gt[ref].ro)
		return GNTST_bad_gntref;
	g->gt[ref].busy++;
	D.map[w][ring].on = true;
	D.map[w][ring].dom = domid;
	D.map[w][ring].ref = ref;
	D.maps_made++;
	*va = page_va(g->gt[ref].mfn);
	*handle = w * 2 + ring;
	return GNTST_okay;
}

static long d_unmap(void *env, void *va, uint32_t handle)
{
	unsigned int w = handle / 2, r = handle % 2;
	struct guest *g;

	assert_true(w < ND_WINDOWS && D.map[w][r].on);
	g = guest_of(D.map[w][r].dom);
	assert_ptr_equal(va, page_va(g->gt[D.map[w][r].ref].mfn));
	if (D.unmap_fail)
		return GNTST_general_error;
	g->gt[D.map[w][r].ref].busy--;
	D.map[w][r].on = false;
	return 0;
}

static unsigned int maps_of(domid_t dom)
{
	unsigned int n = 0;

	for (unsigned int w = 0; w < ND_WINDOWS; w++)
		for (unsigned int r = 0; r < 2; r++)
			n += D.map[w][r].on && D.map[w][r].dom == dom;
	return n;
}

static long d_bind(void *env, domid_t domid, evtchn_port_t remote)
{
	struct guest *g = guest_of(domid);

	if (!g || remote >= g->nports || !g->port[remote].open ||
	    g->port[remote].remote != NETDOM || g->port[remote].bound)
		return -XEN_EINVAL;
	assert_true(D.nports < DPORT_MAX);
	D.port[D.nports].open = true;
	D.port[D.nports].dom = domid;
	D.port[D.nports].rport = remote;
	D.port[D.nports].notifies = 0;
	g->port[remote].bound = D.nports;
	return D.nports++;
}

static void d_close(void *env, evtchn_port_t port)
{
	struct guest *g;

	assert_true(port < D.nports && D.port[port].open);
	D.port[port].open = false;
	g = guest_of(D.port[port].dom);
	g->port[D.port[port].rport].bound = 0;
}

static unsigned int ports_of(domid_t dom)
{
	unsigned int n = 0;

	for (unsigned int p = 1; p < D.nports; p++)
		n += D.port[p].open && D.port[p].dom == dom;
	return n;
}

/* ---- The world ---- */

static void run(void)
{
	for (unsigned int i = 0; i < ROUNDS; i++) {
		uint64_t wake = UINT64_MAX;

		for (unsigned int g = 0; g < NGUESTS; g++) {
			serve(&eg[g]);
			if (G[g].nf_on)
				netfront_poll(&G[g].nf);
		}
		serve(&e1);
		if (xenbus_poll(x1) > 0)
			xenbus_dispatch(x1);
		nd_update(&D.nd);
		nd_poll(&D.nd, 64, D.now, &wake);
		D.now += 1000;
	}
}

/* ---- The toolstack ---- */

static void wr(const char *path, const char *val)
{
	int rc = xenbus_write(x0, XENBUS_NO_TX, path, val);

	if (rc)
		fail_msg("write %s: %d", path, rc);
}

static void wrf(struct xenbus *x, const char *path, const char *val)
{
	int rc = xenbus_write(x, XENBUS_NO_TX, path, val);

	if (rc)
		fail_msg("write %s: %d", path, rc);
}

static char *be_path(domid_t g, const char *key)
{
	static char buf[4][128];
	static unsigned int i;
	char *p = buf[i++ % 4];

	snprintf(p, 128, "/local/domain/1/backend/vif/%u/0%s%s", g,
		 key ? "/" : "", key ? key : "");
	return p;
}

static char *fe_path(domid_t g, const char *key)
{
	static char buf[4][128];
	static unsigned int i;
	char *p = buf[i++ % 4];

	snprintf(p, 128, "/local/domain/%u/device/vif/0%s%s", g, key ? "/" : "",
		 key ? key : "");
	return p;
}

static int be_state(domid_t g)
{
	return xenbus_read_state(x0, be_path(g, NULL));
}

static unsigned long rd_uint(const char *path)
{
	unsigned long v = 0;

	if (xenbus_read_uint(x0, XENBUS_NO_TX, path, &v))
		fail_msg("read %s", path);
	return v;
}

/* What the control domain writes for guest g's vif 0. */
static void announce(domid_t g, const char *rate)
{
	char perms[16], v[64];
	int n;

	assert_int_equal(xenbus_mkdir(x0, XENBUS_NO_TX, be_path(g, NULL)), 0);
	n = snprintf(perms, sizeof(perms), "n1%cr%u", 0, g);
	assert_int_equal(xenbus_set_perms(x0, XENBUS_NO_TX, be_path(g, NULL),
					  perms, (size_t)n + 1),
			 0);
	wr(be_path(g, "frontend"), fe_path(g, NULL));
	snprintf(v, sizeof(v), "%u", g);
	wr(be_path(g, "frontend-id"), v);
	snprintf(v, sizeof(v), "00:16:3e:00:00:%02x", g);
	wr(be_path(g, "mac"), v);
	wr(be_path(g, "handle"), "0");
	if (rate)
		wr(be_path(g, "rate"), rate);

	assert_int_equal(xenbus_mkdir(x0, XENBUS_NO_TX, fe_path(g, NULL)), 0);
	n = snprintf(perms, sizeof(perms), "n%u%cr1", g, 0);
	assert_int_equal(xenbus_set_perms(x0, XENBUS_NO_TX, fe_path(g, NULL),
					  perms, (size_t)n + 1),
			 0);
	wr(fe_path(g, "backend"), be_path(g, NULL));
	wr(fe_path(g, "backend-id"), "1");
	wr(fe_path(g, "mac"), v);
	wr(fe_path(g, "handle"), "0");
	wr(fe_path(g, "state"), "1");
	wr(be_path(g, "state"), "1");
}

static void home(unsigned int dom)
{
	char p[32], perms[8];
	int n;

	snprintf(p, sizeof(p), "/local/domain/%u", dom);
	n = snprintf(perms, sizeof(perms), "n%u", dom);
	assert_int_equal(xenbus_mkdir(x0, XENBUS_NO_TX, p), 0);
	assert_int_equal(
	    xenbus_set_perms(x0, XENBUS_NO_TX, p, perms, (size_t)n + 1), 0);
}

/* ---- Setup ---- */

static int setup(void **state)
{
	const struct nd_ops ops = {
		.map = d_map,
		.unmap = d_unmap,
		.bind = d_bind,
		.close = d_close,
		.xb = NULL,
		.nb = &D.env,
		.sw = &D.sw,
	};
	struct nd_ops o = ops;

	live_blocks = 0;
	memset(&D, 0, sizeof(D));
	memset(G, 0, sizeof(G));
	D.nports = 1;
	D.now = 1000000000ull;
	store = xs_store_create(NULL);
	assert_non_null(store);
	xsenv_init(&e0, &x0, 0);
	xsenv_init(&e1, &x1, NETDOM);
	home(NETDOM);
	for (unsigned int i = 0; i < NGUESTS; i++) {
		G[i].domid = (domid_t)(5 + i);
		G[i].nports = 1;
		xsenv_init(&eg[i], &xg[i], G[i].domid);
		home(G[i].domid);
	}
	for (unsigned int i = 0; i < NB_LOCAL_BUFS; i++)
		D.bufs[i].va = page_new(&D.bufs[i].mfn);
	D.env = (struct nb_env){
		.grant_copy = d_grant_copy,
		.notify = d_notify,
		.now_ns = d_now,
		.log = d_log,
		.local_buf = d_local_buf,
		.send_to_nic = d_send_to_nic,
	};
	nb_switch_init(&D.sw, &D.env);
	o.xb = x1;
	assert_int_equal(nd_start(&D.nd, &o), 0);
	run();
	return 0;
}

static int teardown(void **state)
{
	for (unsigned int i = 0; i < NGUESTS; i++) {
		if (G[i].nf_on)
			netfront_shutdown(&G[i].nf);
		xsenv_free(&eg[i], xg[i]);
	}
	for (unsigned int i = 0; i < npages; i++)
		if (pages[i].live)
			free(pages[i].va);
	npages = 0;
	xs_store_destroy(store);
	assert_int_equal(live_blocks, 0);
	xsenv_free(&e0, x0);
	xsenv_free(&e1, x1);
	return 0;
}

/* Both guests announced, their netfronts started, everything settled. */
static void connect_both(void)
{
	for (unsigned int i = 0; i < NGUESTS; i++) {
		announce(G[i].domid, NULL);
		nf_start(&G[i]);
	}
	run();
	for (unsigned int i = 0; i < NGUESTS; i++) {
		assert_true(netfront_connected(&G[i].nf));
		assert_int_equal(be_state(G[i].domid), XenbusStateConnected);
	}
	assert_int_equal(nd_connected(&D.nd), 2);
}

static void frame(uint8_t *f, const uint8_t *dst, const uint8_t *src,
		  size_t len, uint8_t fill)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0xb5; /* local experimental ethertype */
	memset(f + 14, fill, len - 14);
}

static const uint8_t MAC5[6] = { 0x00, 0x16, 0x3e, 0, 0, 5 };
static const uint8_t MAC6[6] = { 0x00, 0x16, 0x3e, 0, 0, 6 };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t GW[6] = { 0x52, 0x55, 0x0a, 0, 2, 2 };

/* ---- Pure parts ---- */

static void test_decide(void **state)
{
	enum {
		U = XenbusStateUnknown,
		I = XenbusStateInitialising,
		W = XenbusStateInitWait,
		D3 = XenbusStateInitialised,
		C = XenbusStateConnected,
		CG = XenbusStateClosing,
		CD = XenbusStateClosed,
		R = XenbusStateReconfiguring
	};
	const struct {
		int be;
		bool up;
		int fe;
		bool gave_up;
		enum nd_action want;
	} t[] = {
		{ U, false, C, false, ND_FORGET },
		{ U, true, C, false, ND_FORGET },
		{ I, false, U, false, ND_ADVERTISE },
		{ I, true, C, false, ND_ADVERTISE },
		{ I, false, I, true, ND_ADVERTISE }, /* the toolstack resets */
		{ W, false, I, false, ND_NOTHING },
		{ W, false, W, false, ND_NOTHING },
		{ W, false, U, false,
		  ND_NOTHING }, /* frontend not written yet */
		{ W, false, D3, false, ND_CONNECT },
		{ W, false, C, false, ND_CONNECT },
		{ W, false, CG, false, ND_CLOSE },
		{ W, false, CD, false, ND_CLOSE },
		{ W, false, -XEN_EINVAL, false, ND_NOTHING },
		{ W, true, C, false, ND_CLOSE },
		{ C, true, C, false, ND_NOTHING },
		{ C, true, D3, false, ND_NOTHING },
		{ C, true, CG, false, ND_CLOSE },
		{ C, true, CD, false, ND_CLOSE },
		{ C, true, U, false, ND_CLOSE },
		{ C, true, I, false, ND_CLOSE },
		{ C, true, R, false, ND_CLOSE },
		{ C, true, -XEN_EINVAL, false, ND_CLOSE },
		{ C, false, C, false, ND_CLOSE },
		{ CG, false, C, false, ND_NOTHING },
		{ CG, false, CD, false, ND_CLOSE },
		{ CG, false, U, false, ND_CLOSE },
		{ CG, false, I, false, ND_ADVERTISE },
		{ CG, false, I, true, ND_CLOSE },
		{ CG, true, C, false, ND_CLOSE },
		{ CD, false, I, false, ND_ADVERTISE },
		{ CD, false, W, false, ND_ADVERTISE },
		{ CD, false, I, true, ND_NOTHING },
		{ CD, false, C, false, ND_NOTHING },
		{ CD, false, CD, false, ND_NOTHING },
		{ CD, false, U, false, ND_NOTHING },
		{ CD, true, C, false, ND_CLOSE },
		{ D3, false, C, false, ND_CLOSE },
		{ R, false, C, false, ND_CLOSE },
		{ 99, false, C, false, ND_CLOSE },
		{ -XEN_EINVAL, false, C, false, ND_CLOSE },
	};

	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (nd_decide(t[i].be, t[i].up, t[i].fe, t[i].gave_up) !=
		    t[i].want)
			fail_msg("case %u: be %d up %d fe %d gave_up %d", i,
				 t[i].be, t[i].up, t[i].fe, t[i].gave_up);
	}
	/* Every path ends: no state is left acting forever. */
	for (int be = -1; be <= 9; be++)
		for (int fe = -1; fe <= 9; fe++)
			for (int up = 0; up < 2; up++)
				for (int gu = 0; gu < 2; gu++)
					assert_true(nd_decide(be, up, fe, gu) <=
						    ND_FORGET);
}

static void test_parse(void **state)
{
	uint8_t mac[6] = { 0 };
	unsigned int d = 0, v = 0;

	assert_int_equal(nd_parse_mac("00:16:3e:00:00:0A", mac), 0);
	assert_memory_equal(mac, ((uint8_t[]){ 0, 0x16, 0x3e, 0, 0, 10 }), 6);
	assert_int_equal(nd_parse_mac("00:16:3e:00:00:0", mac), -XEN_EINVAL);
	assert_int_equal(nd_parse_mac("00:16:3e:00:00:0g", mac), -XEN_EINVAL);
	assert_int_equal(nd_parse_mac("00-16:3e:00:00:0a", mac), -XEN_EINVAL);
	assert_int_equal(nd_parse_mac("00:16:3e:00:00:0a ", mac), -XEN_EINVAL);
	assert_int_equal(nd_parse_mac("", mac), -XEN_EINVAL);

	assert_int_equal(nd_parse_be_path("backend/vif", &d, &v), 0);
	assert_int_equal(nd_parse_be_path("backend/vif/5", &d, &v), 1);
	assert_int_equal(d, 5);
	assert_int_equal(nd_parse_be_path("backend/vif/7/0", &d, &v), 2);
	assert_int_equal(d, 7);
	assert_int_equal(v, 0);
	assert_int_equal(nd_parse_be_path("backend/vif/12/3/state", &d, &v), 2);
	assert_int_equal(d, 12);
	assert_int_equal(v, 3);
	assert_int_equal(nd_parse_be_path("backend/vifx", &d, &v), -XEN_EINVAL);
	assert_int_equal(nd_parse_be_path("backend/vif/", &d, &v), -XEN_EINVAL);
	assert_int_equal(nd_parse_be_path("backend/vif/05/0", &d, &v),
			 -XEN_EINVAL);
	assert_int_equal(nd_parse_be_path("backend/vif/5/x", &d, &v),
			 -XEN_EINVAL);
	assert_int_equal(nd_parse_be_path("backend/vif/-5/0", &d, &v),
			 -XEN_EINVAL);
	assert_int_equal(nd_parse_be_path("backend/vif/32752/0", &d, &v),
			 -XEN_EINVAL); /* DOMID_FIRST_RESERVED */
	assert_int_equal(nd_parse_be_path("backend/vif/5/65536", &d, &v),
			 -XEN_EINVAL);
	assert_int_equal(nd_parse_be_path("backend/vif/5//", &d, &v),
			 -XEN_EINVAL);
	assert_int_equal(
	    nd_parse_be_path("/local/domain/1/backend/vif/5/0", &d, &v),
	    -XEN_EINVAL);
	assert_int_equal(nd_parse_be_path("backend/vif/99999999999/0", &d, &v),
			 -XEN_EINVAL);
}

/* ---- The vifs ---- */

static void test_connect(void **state)
{
	connect_both();
	assert_int_equal(rd_uint(be_path(5, "feature-rx-copy")), 1);
	assert_int_equal(rd_uint(be_path(5, "feature-sg")), 0);
	assert_int_equal(rd_uint(be_path(5, "feature-gso-tcpv4")), 0);
	assert_int_equal(rd_uint(be_path(5, "feature-rx-flip")), 0);
	assert_int_equal(
	    log_count("vif 5/0 connected (mac 00:16:3e:00:00:05)\n"), 1);
	assert_int_equal(
	    log_count("vif 6/0 connected (mac 00:16:3e:00:00:06)\n"), 1);
	assert_int_equal(maps_of(5), 2);
	assert_int_equal(maps_of(6), 2);
	assert_int_equal(ports_of(5), 1);
	assert_int_equal(ports_of(6), 1);
	/* Quiet once settled: nothing more is written. */
	run();
	assert_int_equal(log_count("connected"), 2);
	assert_int_equal(D.maps_made, 4);
}

static void test_traffic(void **state)
{
	uint8_t f[100];

	connect_both();
	/* Unicast from 5 to 6: to 6 only. */
	frame(f, MAC6, MAC5, sizeof(f), 0x11);
	assert_int_equal(netfront_send(&G[0].nf, f, sizeof(f)), 0);
	run();
	assert_int_equal(G[1].ngot, 1);
	assert_int_equal(G[1].got_len[0], sizeof(f));
	assert_memory_equal(G[1].got[0], f, sizeof(f));
	assert_int_equal(G[0].ngot, 0);
	assert_int_equal(D.nwire, 0);
	/* Broadcast from 6: to 5 and the wire. */
	frame(f, BCAST, MAC6, 60, 0x22);
	assert_int_equal(netfront_send(&G[1].nf, f, 60), 0);
	run();
	assert_int_equal(G[0].ngot, 1);
	assert_memory_equal(G[0].got[0], f, 60);
	assert_int_equal(D.nwire, 1);
	assert_memory_equal(D.wire[0], f, 60);
	/* From the NIC to 5. */
	frame(f, MAC5, GW, 80, 0x33);
	nb_switch_from_nic(&D.sw, f, 80);
	run();
	assert_int_equal(G[0].ngot, 2);
	assert_memory_equal(G[0].got[1], f, 80);
	assert_int_equal(G[1].ngot, 1);
	/* 5 claiming 6's address goes nowhere. */
	frame(f, BCAST, MAC6, 60, 0x44);
	assert_int_equal(netfront_send(&G[0].nf, f, 60), 0);
	run();
	assert_int_equal(G[1].ngot, 1);
	assert_int_equal(D.nwire, 1);
	/* The frontend was told about the frames it got. */
	assert_true(D.port[G[0].port[netfront_port(&G[0].nf)].bound].notifies >
		    0);
}

static void test_frontend_closes_and_returns(void **state)
{
	connect_both();
	/*
	 * It ends its grants at once, before we could unmap: the two ring
	 * grants it finds busy it gives up on (leaks).
	 */
	netfront_shutdown(&G[0].nf);
	G[0].nf_on = false;
	assert_int_equal(netfront_stats(&G[0].nf)->grants_leaked, 2);
	assert_int_equal(g_grants(&G[0]), 2);
	run();
	for (unsigned int r = 0; r < GT_MAX; r++)
		assert_int_equal(G[0].gt[r].busy, 0);
	assert_int_equal(log_count("vif 5/0 disconnected\n"), 1);
	assert_int_equal(log_count("vif 5/0 stats: tx "), 1);
	assert_int_equal(be_state(5), XenbusStateClosed);
	assert_int_equal(maps_of(5), 0);
	assert_int_equal(ports_of(5), 0);
	assert_int_equal(nd_connected(&D.nd), 1);
	/* The guest comes back. */
	nf_start(&G[0]);
	run();
	assert_true(netfront_connected(&G[0].nf));
	assert_int_equal(be_state(5), XenbusStateConnected);
	assert_int_equal(log_count("vif 5/0 connected"), 2);
	assert_int_equal(maps_of(5), 2);
	/* And traffic flows on the new rings. */
	{
		uint8_t f[64];

		frame(f, MAC5, MAC6, sizeof(f), 0x55);
		assert_int_equal(netfront_send(&G[1].nf, f, sizeof(f)), 0);
		run();
		assert_int_equal(G[0].ngot, 1);
	}
}

static void test_protocol_violation(void **state)
{
	uint8_t f[64];

	connect_both();
	/* Guest 5 claims a thousand requests more than the ring holds. */
	G[0].nf.tx.sring->req_prod += 1000;
	run();
	assert_int_equal(log_count("vif 5/0: protocol violation: "), 1);
	assert_int_equal(log_count("vif 5/0 disconnected\n"), 1);
	assert_int_equal(netfront_stats(&G[0].nf)->grants_leaked, 0);
	/* Its netfront saw Closed and came back, on fresh rings. */
	assert_true(netfront_connected(&G[0].nf));
	assert_int_equal(netfront_stats(&G[0].nf)->connects, 2);
	assert_int_equal(log_count("vif 5/0 connected"), 2);
	/* Guest 6 never noticed. */
	assert_int_equal(netfront_stats(&G[1].nf)->connects, 1);
	frame(f, MAC5, MAC6, sizeof(f), 0x66);
	assert_int_equal(netfront_send(&G[1].nf, f, sizeof(f)), 0);
	run();
	assert_int_equal(G[0].ngot, 1);
}

/* ---- A frontend written by hand (as a stock one, or a hostile one) ---- */

struct hand {
	grant_ref_t txr, rxr;
	evtchn_port_t port, port2;
};

static void hand_offer(struct guest *g, struct hand *h, const char *rx_copy,
		       bool split)
{
	struct xenbus *x = xg[g - G];
	unsigned long mfn;
	char v[16];

	page_new(&mfn);
	h->txr = (grant_ref_t)g_grant_access(g, NETDOM, mfn, false);
	page_new(&mfn);
	h->rxr = (grant_ref_t)g_grant_access(g, NETDOM, mfn, false);
	h->port = (evtchn_port_t)g_alloc_unbound(g, NETDOM);
	snprintf(v, sizeof(v), "%u", h->txr);
	wrf(x, "device/vif/0/tx-ring-ref", v);
	snprintf(v, sizeof(v), "%u", h->rxr);
	wrf(x, "device/vif/0/rx-ring-ref", v);
	if (split) {
		h->port2 = (evtchn_port_t)g_alloc_unbound(g, NETDOM);
		snprintf(v, sizeof(v), "%u", h->port);
		wrf(x, "device/vif/0/event-channel-tx", v);
		snprintf(v, sizeof(v), "%u", h->port2);
		wrf(x, "device/vif/0/event-channel-rx", v);
	} else {
		snprintf(v, sizeof(v), "%u", h->port);
		wrf(x, "device/vif/0/event-channel", v);
	}
	if (rx_copy)
		wrf(x, "device/vif/0/request-rx-copy", rx_copy);
	wrf(x, "device/vif/0/state", "4");
}

static void hand_state(struct guest *g, const char *s)
{
	wrf(xg[g - G], "device/vif/0/state", s);
}

static void test_no_rx_copy(void **state)
{
	struct hand h;

	announce(5, NULL);
	run();
	assert_int_equal(be_state(5), XenbusStateInitWait);
	hand_offer(&G[0], &h, NULL, false); /* absent: 0 */
	run();
	assert_int_equal(be_state(5), XenbusStateClosing);
	assert_int_equal(log_count("vif 5/0: cannot connect: request-rx-copy "
				   "is not 1"),
			 1);
	assert_int_equal(maps_of(5), 0);
	assert_int_equal(ports_of(5), 0);
	hand_state(&G[0], "6");
	run();
	assert_int_equal(be_state(5), XenbusStateClosed);
	/* Back at Initialising: InitWait again, and "0" fails the same. */
	hand_state(&G[0], "1");
	run();
	assert_int_equal(be_state(5), XenbusStateInitWait);
	wrf(xg[0], "device/vif/0/request-rx-copy", "0");
	hand_state(&G[0], "4");
	run();
	assert_int_equal(be_state(5), XenbusStateClosing);
	/* A value that is no number fails too. */
	hand_state(&G[0], "1");
	run();
	wrf(xg[0], "device/vif/0/request-rx-copy", "1x");
	hand_state(&G[0], "4");
	run();
	assert_int_equal(be_state(5), XenbusStateClosing);
	/* Now right: it connects. */
	hand_state(&G[0], "1");
	run();
	wrf(xg[0], "device/vif/0/request-rx-copy", "1");
	hand_state(&G[0], "3"); /* Initialised will do */
	run();
	assert_int_equal(be_state(5), XenbusStateConnected);
	assert_int_equal(maps_of(5), 2);
	assert_int_equal(G[0].port[h.port].bound != 0, 1);
}

static void test_bad_offers(void **state)
{
	struct hand h;

	announce(5, NULL);
	run();
	hand_offer(&G[0], &h, "1", false);
	hand_state(&G[0], "1");
	run();
	/* A ref not granted to us. */
	wrf(xg[0], "device/vif/0/tx-ring-ref", "200");
	hand_state(&G[0], "4");
	run();
	assert_int_equal(be_state(5), XenbusStateClosing);
	assert_int_equal(log_count("cannot connect: mapping tx-ring-ref"), 1);
	assert_int_equal(maps_of(5), 0);
	/* A ref past 32 bits. */
	hand_state(&G[0], "1");
	run();
	wrf(xg[0], "device/vif/0/tx-ring-ref", "4294967296");
	hand_state(&G[0], "4");
	run();
	assert_int_equal(be_state(5), XenbusStateClosing);
	assert_int_equal(log_count("cannot connect: tx-ring-ref"), 1);
	/* A port not ours to bind. */
	hand_state(&G[0], "1");
	run();
	{
		char v[16];

		snprintf(v, sizeof(v), "%u", h.txr);
		wrf(xg[0], "device/vif/0/tx-ring-ref", v);
	}
	wrf(xg[0], "device/vif/0/event-channel", "63");
	hand_state(&G[0], "4");
	run();
	assert_int_equal(be_state(5), XenbusStateClosing);
	assert_int_equal(log_count("cannot connect: binding"), 1);
	assert_int_equal(maps_of(5), 0); /* the maps made were undone */
	assert_int_equal(ports_of(5), 0);
	/* A state that is no number while connected closes it. */
	hand_state(&G[0], "1");
	run();
	{
		char v[16];

		snprintf(v, sizeof(v), "%u", h.port);
		wrf(xg[0], "device/vif/0/event-channel", v);
	}
	hand_state(&G[0], "4");
	run();
	assert_int_equal(be_state(5), XenbusStateConnected);
	hand_state(&G[0], "connected");
	run();
	assert_int_equal(be_state(5), XenbusStateClosed);
	assert_int_equal(maps_of(5), 0);
}

static void test_gives_up(void **state)
{
	struct hand h;

	announce(5, NULL);
	run();
	hand_offer(&G[0], &h, "0", false);
	for (unsigned int i = 0; i < ND_MAX_FAILS; i++) {
		hand_state(&G[0], "4");
		run();
		assert_int_equal(be_state(5), XenbusStateClosing);
		hand_state(&G[0], "1");
		run();
	}
	assert_int_equal(log_count("failures in a row"), 1);
	assert_int_equal(be_state(5), XenbusStateClosed);
	hand_state(&G[0], "4");
	run();
	assert_int_equal(be_state(5), XenbusStateClosed);
	/* The toolstack resets the vif. */
	wrf(xg[0], "device/vif/0/request-rx-copy", "1");
	hand_state(&G[0], "1");
	wr(be_path(5, "state"), "1");
	run();
	assert_int_equal(be_state(5), XenbusStateInitWait);
	hand_state(&G[0], "4");
	run();
	assert_int_equal(be_state(5), XenbusStateConnected);
}

static void test_split_channels(void **state)
{
	struct hand h;

	announce(5, NULL);
	run();
	hand_offer(&G[0], &h, "1", true);
	run();
	assert_int_equal(be_state(5), XenbusStateConnected);
	assert_int_equal(ports_of(5), 2);
	assert_int_not_equal(G[0].port[h.port].bound, 0);
	assert_int_not_equal(G[0].port[h.port2].bound, 0);
	hand_state(&G[0], "5");
	run();
	assert_int_equal(be_state(5), XenbusStateClosed);
	assert_int_equal(ports_of(5), 0);
	assert_int_equal(G[0].port[h.port].bound, 0);
	assert_int_equal(G[0].port[h.port2].bound, 0);
}

static void test_rate(void **state)
{
	struct hand h;

	announce(5, "1000,1000000");
	run();
	hand_offer(&G[0], &h, "1", false);
	run();
	assert_int_equal(be_state(5), XenbusStateConnected);
	assert_int_equal(log_count("vif 5/0: rate 1000 bytes per 1000000 us"),
			 1);
	hand_state(&G[0], "6");
	run();
	/* A rate that does not parse: the vif fails rather than run free. */
	wr(be_path(5, "rate"), "1000");
	hand_state(&G[0], "1");
	run();
	hand_state(&G[0], "4");
	run();
	assert_int_equal(be_state(5), XenbusStateClosing);
	assert_int_equal(log_count("cannot connect: rate"), 1);
}

static void test_backend_removed(void **state)
{
	connect_both();
	assert_int_equal(xenbus_rm(x0, XENBUS_NO_TX, be_path(5, NULL)), 0);
	run();
	assert_int_equal(log_count("vif 5/0 disconnected\n"), 1);
	assert_int_equal(maps_of(5), 0);
	assert_int_equal(ports_of(5), 0);
	assert_int_equal(nd_connected(&D.nd), 1);
	assert_false(netfront_connected(&G[0].nf));
	/* A new announcement: served again. */
	announce(5, NULL);
	wr(fe_path(5, "backend"), be_path(5, NULL));
	run();
	assert_true(netfront_connected(&G[0].nf));
	assert_int_equal(be_state(5), XenbusStateConnected);
	assert_int_equal(nd_connected(&D.nd), 2);
}

static void test_frontend_gone(void **state)
{
	connect_both();
	/* Guest 5's vif node goes: the watch fires. */
	G[0].nf_on = false;
	assert_int_equal(xenbus_rm(x0, XENBUS_NO_TX, fe_path(5, NULL)), 0);
	run();
	assert_int_equal(log_count("vif 5/0: frontend Unknown"), 1);
	assert_int_equal(be_state(5), XenbusStateClosed);
	assert_int_equal(maps_of(5), 0);
	assert_int_equal(nd_connected(&D.nd), 1);
}

static void test_domain_gone(void **state)
{
	connect_both();
	/*
	 * Guest 5's whole directory goes. The store tells only those who
	 * could read the removed node (not us): the periodic resync finds
	 * the frontend unreadable.
	 */
	G[0].nf_on = false;
	assert_int_equal(xenbus_rm(x0, XENBUS_NO_TX, "/local/domain/5"), 0);
	run();
	nd_resync(&D.nd);
	run();
	assert_int_equal(log_count("vif 5/0: frontend Unknown"), 1);
	assert_int_equal(be_state(5), XenbusStateClosed);
	assert_int_equal(maps_of(5), 0);
	assert_int_equal(ports_of(5), 0);
	assert_int_equal(nd_connected(&D.nd), 1);
}

static void test_unmap_failure(void **state)
{
	connect_both();
	D.unmap_fail = true;
	hand_state(&G[0], "5");
	run();
	D.unmap_fail = false;
	assert_int_equal(log_count("its window is not used again"), 2);
	/* The window stays taken: the next connection uses another. */
	hand_state(&G[0], "1");
	run();
	assert_int_equal(be_state(5), XenbusStateInitWait);
	G[0].nf_on = false; /* its grants are stuck busy: drive by hand */
	{
		struct hand h;

		hand_offer(&G[0], &h, "1", false);
	}
	run();
	assert_int_equal(be_state(5), XenbusStateConnected);
}

static void test_too_many(void **state)
{
	char p[64];

	for (unsigned int g = 10; g < 10 + ND_MAX_VIFS + 1; g++) {
		snprintf(p, sizeof(p), "/local/domain/1/backend/vif/%u/0/state",
			 g);
		wr(p, "1");
	}
	run();
	assert_int_equal(log_count("1 vif(s) not served"), 1);
	/* Each served one waits for a frontend node that is not there. */
	assert_int_equal(log_count("no usable frontend node"), ND_MAX_VIFS);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_parse),
		T(test_connect),
		T(test_traffic),
		T(test_frontend_closes_and_returns),
		T(test_protocol_violation),
		T(test_no_rx_copy),
		T(test_bad_offers),
		T(test_gives_up),
		T(test_split_channels),
		T(test_rate),
		T(test_backend_removed),
		T(test_frontend_gone),
		T(test_domain_gone),
		T(test_unmap_failure),
		T(test_too_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
