/*
 * netguest's hostile mode ("hostile"): a frontend doing what netback must
 * survive. It connects by the book, after first offering a tx ring grant
 * that does not exist (the backend must refuse it and let it try again),
 * then writes its own requests straight into the shared tx ring: grant
 * refs netback may not copy from, ranges across the page end, sizes no
 * frame has, chains that do not add up, an extra-info slot it was not
 * offered, ids twice in flight, a flood, a packet never finished, and
 * last a producer index far beyond the ring, with which it then tries to
 * reconnect again and again.
 *
 * What each case expects is what netback documents (netback.h, tx.c):
 * every slot answered, in slot order; a bad packet NETIF_RSP_ERROR on
 * each of its data slots, an extra slot NETIF_RSP_NULL, a frame from a
 * MAC not ours NETIF_RSP_DROPPED; an impossible producer index costs
 * this vif its connection (the backend goes Closed, our ring grants come
 * free) with no response after it, and a vif that keeps coming back
 * that way is at last left Closed. Good frames are addressed to our own
 * MAC, which the switch never sends back, so none of this reaches
 * another guest. One line per case, then "nethostile: N passed, M
 * failed".
 */
#include <public/errno.h>
#include <public/io/netif.h>
#include <public/sched.h>
#include <xen/lib.h>
#include <xen/string.h>
#include <stub/check.h>
#include <stub/events.h>
#include <stub/gnttab.h>
#include <stub/mm.h>
#include <stub/stub.h>
#include <stub/time.h>
#include <stub/xenbus_glue.h>
#include "netguest.h"

#define MS	      1000000ull
#define HS_DIR	      "device/vif/0"
#define HS_FLOOD      10000	   /* requests in the flood ("flood=N") */
#define HS_COME_BACK  16	   /* reconnections tried, at most */
#define HS_WAIT_NS    (5000 * MS)  /* for the backend or a response */
#define HS_FLOOD_NS   (20000 * MS) /* for the whole flood */
#define HS_GIVE_UP_NS (2000 * MS)  /* to see the backend stays Closed */
#define HS_QUIET_NS   (300 * MS)   /* to see that nothing comes */
#define HS_ETHERTYPE  0x88b5	   /* local experimental: no stack's */
#define HS_SPOOF_OFF  2048	   /* the frame again, from another MAC */
#define HS_LEN	      60	   /* both frames' length */
#define HS_MAX_SLOTS  3		   /* in one case */

/* Where a request's grant ref comes from. */
enum hs_gref {
	G_DATA,	    /* our frames' page, granted read-only to the backend */
	G_FREE,	    /* a ref of our table never granted */
	G_END,	    /* the first ref past our table */
	G_MAX,	    /* 0xffffffff */
	G_OTHER,    /* a page granted to the control domain, not the backend */
	G_XENSTORE, /* the reserved ref of our store ring (xenstored's) */
	G_EXTRA,    /* not a request: a GSO extra-info slot */
};

struct hs_slot {
	enum hs_gref gref;
	uint16_t offset, size, flags, id;
	int16_t want; /* the response's status */
};

struct hs_case {
	const char *what;
	unsigned int nslots;
	struct hs_slot slot[HS_MAX_SLOTS];
};

#define OK    NETIF_RSP_OKAY
#define ERR   NETIF_RSP_ERROR
#define DROP  NETIF_RSP_DROPPED
#define NUL   NETIF_RSP_NULL
#define MORE  NETTXF_more_data
#define EXTRA NETTXF_extra_info

/* In order: each starts with the ring empty, ids all answered. */
static const struct hs_case hs_cases[] = {
	{ "a good frame, to ourselves",
	  1,
	  { { G_DATA, 0, HS_LEN, 0, 1, OK } } },
	{ "a frame from a MAC not ours",
	  1,
	  { { G_DATA, HS_SPOOF_OFF, HS_LEN, 0, 2, DROP } } },
	{ "a grant ref never granted",
	  1,
	  { { G_FREE, 0, HS_LEN, 0, 3, ERR } } },
	{ "the first grant ref past our table",
	  1,
	  { { G_END, 0, HS_LEN, 0, 4, ERR } } },
	{ "grant ref 0xffffffff", 1, { { G_MAX, 0, HS_LEN, 0, 5, ERR } } },
	{ "a grant to another domain",
	  1,
	  { { G_OTHER, 0, HS_LEN, 0, 6, ERR } } },
	{ "the store ring's reserved ref",
	  1,
	  { { G_XENSTORE, 0, HS_LEN, 0, 7, ERR } } },
	{ "offset + size across the page end",
	  1,
	  { { G_DATA, 4000, 200, 0, 8, ERR } } },
	{ "an offset past the page",
	  1,
	  { { G_DATA, 0xffff, HS_LEN, 0, 9, ERR } } },
	{ "size 0", 1, { { G_DATA, 0, 0, 0, 10, ERR } } },
	{ "size 13, less than a header", 1, { { G_DATA, 0, 13, 0, 11, ERR } } },
	{ "size 1515, more than a frame",
	  1,
	  { { G_DATA, 0, 1515, 0, 12, ERR } } },
	{ "size 5000, more than a page",
	  1,
	  { { G_DATA, 0, 5000, 0, 13, ERR } } },
	{ "size 65535", 1, { { G_DATA, 0, 65535, 0, 14, ERR } } },
	{ "a chain longer than its first slot says",
	  2,
	  { { G_DATA, 0, HS_LEN, MORE, 20, ERR },
	    { G_DATA, 0, 100, 0, 21, ERR } } },
	{ "a chain claiming 65535 bytes",
	  2,
	  { { G_DATA, 0, 65535, MORE, 22, ERR },
	    { G_DATA, 0, HS_LEN, 0, 23, ERR } } },
	{ "a chain slot across the page end",
	  2,
	  { { G_DATA, 0, 160, MORE, 24, ERR },
	    { G_DATA, 4000, 100, 0, 25, ERR } } },
	{ "one id twice in a chain",
	  2,
	  { { G_DATA, 0, 120, MORE, 26, ERR },
	    { G_DATA, 0, 60, 0, 26, ERR } } },
	{ "an extra-info slot not offered",
	  2,
	  { { G_DATA, 0, HS_LEN, EXTRA, 27, ERR },
	    { G_EXTRA, 0, 0, 0, 0, NUL } } },
	{ "two good packets with one id in flight",
	  2,
	  { { G_DATA, 0, HS_LEN, 0, 28, OK },
	    { G_DATA, 0, HS_LEN, 0, 28, ERR } } },
	{ "a bad packet's id taken by the next",
	  2,
	  { { G_FREE, 0, HS_LEN, 0, 29, ERR },
	    { G_DATA, 0, HS_LEN, 0, 29, ERR } } },
	{ "ids 0 and 65535, good",
	  2,
	  { { G_DATA, 0, HS_LEN, 0, 0, OK },
	    { G_DATA, 0, HS_LEN, 0, 65535, OK } } },
};

static struct {
	struct xenbus xb;
	char be[XENBUS_WATCH_PATH_MAX]; /* the backend's directory */
	domid_t be_id;
	uint8_t mac[6];
	netif_tx_front_ring_t tx;
	unsigned long tx_mfn, rx_mfn;
	grant_ref_t tx_ref, rx_ref, data_ref, other_ref, free_ref, end_ref;
	evtchn_port_t port;
	unsigned long bad_rsp_prod; /* responses to more than we asked */
} hs;

static void hs_on_event(evtchn_port_t port, void *data)
{
}

static void hs_notify(void)
{
	struct evtchn_send send = { .port = hs.port };

	stub_evtchn_op(EVTCHNOP_send, &send);
}

static const char *hs_status(int16_t status)
{
	switch (status) {
	case NETIF_RSP_OKAY:
		return "OKAY";
	case NETIF_RSP_ERROR:
		return "ERROR";
	case NETIF_RSP_DROPPED:
		return "DROPPED";
	case NETIF_RSP_NULL:
		return "NULL";
	default:
		return "(not a status)";
	}
}

/* ---- Setting up, and the xenbus handshake ---- */

static int hs_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int hs_read_mac(void)
{
	char s[32];

	if (xenbus_read(&hs.xb, XENBUS_NO_TX, HS_DIR "/mac", s, sizeof(s)) !=
	    17)
		return -XEN_EINVAL;
	for (unsigned int i = 0; i < 6; i++) {
		int hi = hs_hex(s[3 * i]), lo = hs_hex(s[3 * i + 1]);

		if (hi < 0 || lo < 0)
			return -XEN_EINVAL;
		hs.mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Our frame at off: to our own MAC, from src. */
static void hs_frame(uint8_t *page, unsigned int off, const uint8_t *src)
{
	uint8_t *f = page + off;

	memcpy(f, hs.mac, 6);
	memcpy(f + 6, src, 6);
	f[12] = HS_ETHERTYPE >> 8;
	f[13] = HS_ETHERTYPE & 0xff;
	memset(f + 14, 0xa5, HS_LEN - 14);
}

/* The refs that are not grants of ours to the backend. */
static void hs_bad_refs(void)
{
	grant_ref_t r = STUB_GNTTAB_RESERVED;

	while (stub_gnttab_entry(r))
		r++;
	hs.end_ref = r;
	hs.free_ref = r - 1; /* refs are handed out lowest first */
	stub_check("the last ref is free",
		   stub_gnttab_entry(hs.free_ref)->flags, 0);
}

static void *hs_page(unsigned long *mfn)
{
	void *p = stub_alloc_page();

	if (!p)
		stub_panic("nethostile: out of pages");
	*mfn = stub_virt_to_mfn(p);
	return p;
}

static void hs_rings(void)
{
	static const uint8_t spoof[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x99 };
	unsigned long tx, rx, data, other;
	netif_tx_sring_t *txs = hs_page(&tx);
	netif_rx_sring_t *rxs = hs_page(&rx);
	uint8_t *frames = hs_page(&data);
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF,
					   .remote_dom = hs.be_id };

	hs_page(&other);
	SHARED_RING_INIT(txs);
	SHARED_RING_INIT(rxs); /* no buffers posted: rx frames are dropped */
	FRONT_RING_INIT(&hs.tx, txs, XEN_PAGE_SIZE);
	hs_frame(frames, 0, hs.mac);
	hs_frame(frames, HS_SPOOF_OFF, spoof);
	hs.tx_mfn = tx;
	hs.rx_mfn = rx;
	hs.tx_ref = (grant_ref_t)stub_grant_access(hs.be_id, tx, false);
	hs.rx_ref = (grant_ref_t)stub_grant_access(hs.be_id, rx, false);
	hs.data_ref = (grant_ref_t)stub_grant_access(hs.be_id, data, true);
	hs.other_ref = (grant_ref_t)stub_grant_access(0, other, true);
	stub_check("a port for the backend",
		   stub_evtchn_op(EVTCHNOP_alloc_unbound, &au), 0);
	hs.port = au.port;
	stub_event_bind(hs.port, hs_on_event, NULL);
}

static void hs_setup(void)
{
	unsigned long id = 0;

	stub_events_init();
	stub_check("grant table", stub_gnttab_init(1), 0);
	stub_check("xenstore", stub_xenbus_connect_store(&hs.xb), 0);
	stub_check("our backend",
		   xenbus_read(&hs.xb, XENBUS_NO_TX, HS_DIR "/backend", hs.be,
			       sizeof(hs.be)) > 0,
		   1);
	stub_check(
	    "its domain",
	    xenbus_read_uint(&hs.xb, XENBUS_NO_TX, HS_DIR "/backend-id", &id),
	    0);
	hs.be_id = (domid_t)id;
	stub_check("our mac", hs_read_mac(), 0);
	hs_bad_refs();
	hs_rings();
}

/* Read the backend's state until it is one of mask, or ns have passed. */
static int hs_wait_be_for(unsigned int mask, uint64_t ns)
{
	uint64_t until = stub_now() + ns;

	for (;;) {
		int st = xenbus_read_state(&hs.xb, hs.be);

		if ((st >= 0 && (mask & (1u << st))) || stub_now() >= until)
			return st;
		stub_sleep(5 * MS);
	}
}

static int hs_wait_be(unsigned int mask)
{
	return hs_wait_be_for(mask, HS_WAIT_NS);
}

static int hs_write(const char *key, unsigned long val)
{
	char path[64];

	fmt_snprintf(path, sizeof(path), HS_DIR "/%s", key);
	return xenbus_printf(&hs.xb, XENBUS_NO_TX, path, "%lu", val);
}

/* Our rings (tx at tx_ref), port and features, then Connected. */
static int hs_offer(grant_ref_t tx_ref)
{
	int rc = hs_write("tx-ring-ref", tx_ref);

	if (!rc)
		rc = hs_write("rx-ring-ref", hs.rx_ref);
	if (!rc)
		rc = hs_write("event-channel", hs.port);
	if (!rc)
		rc = hs_write("request-rx-copy", 1);
	if (!rc)
		rc = xenbus_switch_state(&hs.xb, XENBUS_NO_TX, HS_DIR,
					 XenbusStateConnected);
	return rc;
}

#define HS_AFTER_OFFER                                           \
	(1u << XenbusStateConnected | 1u << XenbusStateClosing | \
	 1u << XenbusStateClosed)

/*
 * Offer a tx ring the backend cannot use: it must refuse (Closing), and
 * take us back when we start over, as a frontend restarting would.
 */
static void hs_bogus_ring(const char *what, grant_ref_t ref)
{
	int st;

	stub_check(what, hs_offer(ref), 0);
	st = hs_wait_be(HS_AFTER_OFFER);
	printf("nethostile: %s: backend %s\n", what, xenbus_state_name(st));
	stub_check(what, st, XenbusStateClosing);
	xenbus_switch_state(&hs.xb, XENBUS_NO_TX, HS_DIR,
			    XenbusStateInitialising);
	stub_check("the backend waits again",
		   hs_wait_be(1u << XenbusStateInitWait), XenbusStateInitWait);
}

/* Bogus tx rings first, then the real one: true when connected. */
static bool hs_connect(void)
{
	int st = hs_wait_be(1u << XenbusStateInitWait);

	stub_check("the backend waits for us", st, XenbusStateInitWait);
	hs_bogus_ring("a tx-ring-ref never granted", hs.free_ref);
	hs_bogus_ring("a tx-ring-ref granted read-only", hs.data_ref);
	stub_check("offer the real rings", hs_offer(hs.tx_ref), 0);
	st = hs_wait_be(HS_AFTER_OFFER);
	printf("nethostile: then the real rings: backend %s\n",
	       xenbus_state_name(st));
	stub_check("connected", st, XenbusStateConnected);
	return st == XenbusStateConnected;
}

/* ---- The tx ring, written by hand ---- */

static grant_ref_t hs_gref(enum hs_gref g)
{
	switch (g) {
	case G_DATA:
		return hs.data_ref;
	case G_FREE:
		return hs.free_ref;
	case G_END:
		return hs.end_ref;
	case G_OTHER:
		return hs.other_ref;
	case G_XENSTORE:
		return GNTTAB_RESERVED_XENSTORE;
	default:
		return 0xffffffffu;
	}
}

static void hs_put(enum hs_gref g, uint16_t offset, uint16_t size,
		   uint16_t flags, uint16_t id)
{
	struct netif_tx_request *r =
	    RING_GET_REQUEST(&hs.tx, hs.tx.req_prod_pvt);

	hs.tx.req_prod_pvt++;
	if (g == G_EXTRA) {
		struct netif_extra_info e = {
			.type = XEN_NETIF_EXTRA_TYPE_GSO,
			.u.gso = { .size = 1400,
				   .type = XEN_NETIF_GSO_TYPE_TCPV4 },
		};

		memcpy(r, &e, sizeof(e));
		return;
	}
	r->gref = hs_gref(g);
	r->offset = offset;
	r->size = size;
	r->flags = flags;
	r->id = id;
}

/* Publish what was put, and kick the backend whether it asked or not. */
static void hs_push(void)
{
	RING_PUSH_REQUESTS(&hs.tx);
	hs_notify();
}

/*
 * Copy out up to max new responses. A response index past the requests
 * we made is the backend's bug: counted, nothing taken.
 */
static unsigned int hs_reap(struct netif_tx_response *out, unsigned int max)
{
	RING_IDX prod = hs.tx.sring->rsp_prod;
	unsigned int n = 0;

	xen_rmb(); /* the responses after the index */
	if ((RING_IDX)(prod - hs.tx.rsp_cons) >
	    (RING_IDX)(hs.tx.req_prod_pvt - hs.tx.rsp_cons)) {
		hs.bad_rsp_prod++;
		return 0;
	}
	for (; hs.tx.rsp_cons != prod && n < max; hs.tx.rsp_cons++, n++)
		RING_COPY_RESPONSE(&hs.tx, hs.tx.rsp_cons, &out[n]);
	return n;
}

/* Wait (bounded) for n responses: how many came. */
static unsigned int hs_collect(struct netif_tx_response *out, unsigned int n)
{
	uint64_t until = stub_now() + HS_WAIT_NS;
	unsigned int got = hs_reap(out, n);

	while (got < n && stub_now() < until) {
		stub_sleep(MS / 2);
		got += hs_reap(out + got, n - got);
	}
	return got;
}

static void hs_run_case(const struct hs_case *c)
{
	struct netif_tx_response rsp[HS_MAX_SLOTS];
	char line[128];
	unsigned int got, at = 0;

	for (unsigned int i = 0; i < c->nslots; i++)
		hs_put(c->slot[i].gref, c->slot[i].offset, c->slot[i].size,
		       c->slot[i].flags, c->slot[i].id);
	hs_push();
	got = hs_collect(rsp, c->nslots);
	stub_check(c->what, got, c->nslots);
	for (unsigned int i = 0; i < got; i++) {
		const struct hs_slot *s = &c->slot[i];

		stub_check(c->what, rsp[i].status, s->want);
		if (s->want != NETIF_RSP_NULL)
			stub_check(c->what, rsp[i].id, s->id);
		at += (unsigned int)fmt_snprintf(line + at, sizeof(line) - at,
						 "%s%s", i ? ", " : "",
						 hs_status(rsp[i].status));
	}
	printf("nethostile: %s: %s\n", c->what, got ? line : "no response");
}

/* ---- The flood ---- */

/* Request seq of the flood: bad grant, across the page, or spoofed. */
static const int16_t hs_flood_want[3] = { ERR, ERR, DROP };

static void hs_flood_put(unsigned int seq)
{
	uint16_t id = (uint16_t)seq;

	switch (seq % 3) {
	case 0:
		hs_put(G_FREE, 0, HS_LEN, 0, id);
		break;
	case 1:
		hs_put(G_DATA, 4090, HS_LEN, 0, id);
		break;
	default:
		hs_put(G_DATA, HS_SPOOF_OFF, HS_LEN, 0, id);
		break;
	}
}

struct hs_flood_count {
	unsigned int got, errors, dropped, wrong;
};

/* Take the responses there are; each must be the next seq's, as due. */
static unsigned int hs_flood_reap(struct hs_flood_count *c)
{
	struct netif_tx_response rsp[64];
	unsigned int n = hs_reap(rsp, 64);

	for (unsigned int i = 0; i < n; i++, c->got++) {
		if (rsp[i].id != (uint16_t)c->got ||
		    rsp[i].status != hs_flood_want[c->got % 3])
			c->wrong++;
		c->errors += rsp[i].status == NETIF_RSP_ERROR;
		c->dropped += rsp[i].status == NETIF_RSP_DROPPED;
	}
	return n;
}

/* n requests, the ring kept as full as it goes: every one answered. */
static void hs_flood(unsigned int n)
{
	struct hs_flood_count c = { 0 };
	uint64_t t0 = stub_now();
	unsigned int sent = 0;

	if (n > 60000)
		n = 60000; /* ids stay unique: seq fits 16 bits */
	while (c.got < n && stub_now() - t0 < HS_FLOOD_NS) {
		unsigned int put = 0;

		for (; sent < n && !RING_FULL(&hs.tx); sent++, put++)
			hs_flood_put(sent);
		if (put)
			hs_push();
		if (!hs_flood_reap(&c) && !put)
			stub_sleep(MS / 2);
	}
	printf("nethostile: a flood of %u requests in %llu ms: %u ERROR, %u "
	       "DROPPED, %u not as due\n",
	       n, (unsigned long long)((stub_now() - t0) / MS), c.errors,
	       c.dropped, c.wrong);
	stub_check("every flood request answered", c.got, n);
	stub_check("every flood response as due", c.wrong, 0);
}

/* ---- Breaking the ring ---- */

/* A chain whose last slot never comes: the backend must just wait. */
static void hs_unfinished(void)
{
	struct netif_tx_response rsp[1];
	uint64_t until = stub_now() + HS_QUIET_NS;
	unsigned int got = 0;

	hs_put(G_DATA, 0, 2 * HS_LEN, MORE, 30);
	hs_push();
	while (!got && stub_now() < until) {
		stub_sleep(MS);
		got = hs_reap(rsp, 1);
	}
	printf("nethostile: a chain never finished: %s\n",
	       got ? "answered" : "no response, as due");
	stub_check("an unfinished chain is not answered", got, 0);
}

/*
 * req_prod far past the ring (it holds 256): the backend must give up
 * on this vif, answer nothing more, and let go of our rings.
 */
static void hs_out_of_range(void)
{
	RING_IDX rsp = hs.tx.sring->rsp_prod;
	int st;

	xen_wmb();
	hs.tx.sring->req_prod = hs.tx.req_prod_pvt + 1000;
	hs_notify();
	st = hs_wait_be(1u << XenbusStateClosing | 1u << XenbusStateClosed);
	printf("nethostile: a producer index past the ring: backend %s, %u "
	       "responses after it\n",
	       xenbus_state_name(st), hs.tx.sring->rsp_prod - rsp);
	stub_check("the vif is closed",
		   st == XenbusStateClosing || st == XenbusStateClosed, 1);
	stub_check("no response after it", hs.tx.sring->rsp_prod - rsp, 0);
	/* Kicks on a closed vif: nothing to find, nothing to log. */
	for (unsigned int i = 0; i < 10; i++)
		hs_notify();
	stub_check("the backend let go of the tx ring",
		   stub_grant_end(hs.tx_ref), 0);
	stub_check("and of the rx ring", stub_grant_end(hs.rx_ref), 0);
}

/*
 * Start over again and again with the broken ring: each time the
 * backend takes us back it must find the index and drop us at once, and
 * after a few failures in a row stop taking us back (no reconnect storm
 * for the driver domain). The times it took us back, or -1 when it never
 * stopped.
 */
static int hs_come_back(void)
{
	/* The rings as they are, granted afresh (the old grants ended). */
	hs.tx_ref = (grant_ref_t)stub_grant_access(hs.be_id, hs.tx_mfn, false);
	hs.rx_ref = (grant_ref_t)stub_grant_access(hs.be_id, hs.rx_mfn, false);
	stub_check("grant the rings again", hs_offer(hs.tx_ref), 0);
	for (int n = 0; n < HS_COME_BACK; n++) {
		int st;

		xenbus_switch_state(&hs.xb, XENBUS_NO_TX, HS_DIR,
				    XenbusStateInitialising);
		/* Given up on: it would have answered within the quiet time. */
		st = hs_wait_be_for(1u << XenbusStateInitWait, HS_GIVE_UP_NS);
		if (st != XenbusStateInitWait)
			return n;
		xenbus_switch_state(&hs.xb, XENBUS_NO_TX, HS_DIR,
				    XenbusStateConnected);
		st = hs_wait_be(1u << XenbusStateClosed);
		if (st != XenbusStateClosed)
			return -1;
	}
	return -1;
}

int netguest_hostile(const char *cmdline)
{
	unsigned int flood = stub_arg_has(cmdline, "flood=")
				 ? stub_arg_uint(cmdline, "flood=")
				 : HS_FLOOD;
	int back;

	hs_setup();
	printf("nethostile: mac %02x:%02x:%02x:%02x:%02x:%02x, backend %s\n",
	       hs.mac[0], hs.mac[1], hs.mac[2], hs.mac[3], hs.mac[4], hs.mac[5],
	       hs.be);
	if (hs_connect()) {
		for (unsigned int i = 0;
		     i < sizeof(hs_cases) / sizeof(hs_cases[0]); i++)
			hs_run_case(&hs_cases[i]);
		hs_flood(flood);
		hs_unfinished();
		hs_out_of_range();
		printf("nethostile: the ring attacks over at %llu ms\n",
		       (unsigned long long)(stub_now() / MS));
		back = hs_come_back();
		printf("nethostile: starting over with the broken ring: taken "
		       "back %d times, then left Closed\n",
		       back);
		stub_check("the backend stops taking us back", back >= 0, 1);
	}
	stub_check("no response index past our requests", hs.bad_rsp_prod, 0);
	printf("nethostile: done at %llu ms\n",
	       (unsigned long long)(stub_now() / MS));
	stub_check_report("nethostile");
	return SHUTDOWN_poweroff;
}
