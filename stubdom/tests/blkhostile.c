/*
 * A hostile blkif frontend: what blkback must survive while it serves
 * another guest on the same disk. It makes the xenbus handshake itself
 * (at once, so that its attacks overlap the other guest's I/O), then
 * writes its own requests straight into the shared ring: ranges past the
 * disk's end and ranges that wrap, segments whose sectors do not add up,
 * segment counts no request has (direct and indirect), grant refs
 * blkback may not use, a read into a page granted read-only, discards
 * out of range, unknown operations, ids twice in flight, overlapping
 * writes in flight, a flood ("flood=N" requests at least, for at least
 * "flood_ms=N"), and last a producer index far beyond the ring, with
 * good reads in flight. Then it starts over, offering first rings the
 * backend cannot use (a ref never granted, one granted read-only, the
 * store ring's, a port never allocated, a protocol it does not serve:
 * each must leave the vbd Closing and take us back), then a fresh one.
 *
 * What each case expects is what blkback documents (blkback.h): a bad
 * request BLKIF_RSP_ERROR (an unknown operation BLKIF_RSP_EOPNOTSUPP)
 * with its id and operation echoed and no sector touched; an impossible
 * producer index costs this vbd its connection (Closing), with no
 * response after it. Every response is copied out of the ring before it
 * is looked at. Our own pages are filled with a marker before each bad
 * case and must still hold it after, so no device data landed in them.
 *
 * The vbd is meant to lie right before a good guest's range ("vbd=" of
 * xsctl): a write past our end that landed would be in the good guest's
 * data, which it reads back, and the host checks the disk image. So we
 * first write blkguest's pattern ("tag=N") over our whole range, and
 * leave it so. One line per case, then "blkhostile: N passed, M failed".
 */
#include <public/errno.h>
#include <public/io/blkif.h>
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

#define MS	      1000000ull
#define BH_DIR	      "device/vbd/51712"
#define BH_SECTOR     512
#define BH_PAGE_SECTS 8
#define BH_PAGES      16 /* data pages granted to the backend */
#define BH_SEGS	      BLKIF_MAX_SEGMENTS_PER_REQUEST
#define BH_RING	      __CONST_RING_SIZE(blkif, XEN_PAGE_SIZE)
#define BH_FLOOD      5000	  /* bad requests in the flood ("flood=N") */
#define BH_FLOOD_MS   3000	  /* the flood's least time ("flood_ms=N") */
#define BH_FLOOD_MAX  (1u << 18)  /* ids of the flood: one bit each */
#define BH_WAIT_NS    (5000 * MS) /* for the backend or a response */
#define BH_FLOOD_NS   (60000 * MS)
#define BH_QUIET_NS   (300 * MS) /* to see that nothing comes */
#define BH_MARK	      0xee	 /* what our pages hold around a bad case */
#define BH_ID	      0xfeed000000000000ull /* all 64 bits echoed */
#define BH_BAD_OP     0x7f
#define BH_OTHER_TAG  0x5a /* the second of two overlapping writes */
#define BH_IND_SEGS   16   /* a good indirect request */
#define BH_IND_OVER   65   /* more than blkdom offers (checked at start) */

/* Where a segment's (or an indirect list's) grant ref comes from. */
enum bh_gref {
	G_DATA,	    /* data page i, granted read-write to the backend */
	G_RO,	    /* a page granted read-only to the backend */
	G_LIST,	    /* the indirect list page (read-only) */
	G_FREE,	    /* a ref of our table never granted */
	G_END,	    /* the first ref past our table */
	G_MAX,	    /* 0xffffffff */
	G_OTHER,    /* a page granted to the control domain, not the backend */
	G_XENSTORE, /* the reserved ref of our store ring (xenstored's) */
	G_CONSOLE,  /* the reserved ref of our console ring */
};

/*
 * One request. sector counts from 0, or from the disk's end (from_end,
 * wrapping as uint64_t does). Every segment is (g, first, last) but
 * segment odd - 1 (when odd > 0), which is (odd_g, odd_first, odd_last).
 * An indirect one (op BLKIF_OP_INDIRECT) does ind_op with its segments
 * in the page list names.
 */
struct bh_case {
	const char *what;
	uint8_t op, ind_op;
	uint16_t nsegs; /* nr_segments as written */
	bool from_end;
	uint64_t sector;
	enum bh_gref g, list;
	uint8_t first, last;
	uint8_t odd, odd_first, odd_last;
	enum bh_gref odd_g;
	uint64_t nr;   /* a discard's sectors */
	uint8_t flag;  /* a discard's */
	uint8_t page0; /* G_DATA segment i is data page page0 + i */
	bool mixed;    /* good data pages besides a bad one: may get data */
	int16_t want;
};

#define OK     BLKIF_RSP_OKAY
#define ERR    BLKIF_RSP_ERROR
#define NOTSUP BLKIF_RSP_EOPNOTSUPP
#define RD     BLKIF_OP_READ
#define WR     BLKIF_OP_WRITE
#define IND    BLKIF_OP_INDIRECT

/* A direct request of n whole pages; from e(nd) or not. */
#define RW(w, o, n, e, s, gr, st)                                           \
	{                                                                   \
		.what = w, .op = o, .nsegs = n, .from_end = e, .sector = s, \
		.g = gr, .first = 0, .last = 7, .want = st                  \
	}
/* The same with segment k's sectors f..l. */
#define RWODD(w, o, n, s, k, f, l, st)                                    \
	{                                                                 \
		.what = w, .op = o, .nsegs = n, .sector = s, .g = G_DATA, \
		.first = 0, .last = 7, .odd = k, .odd_first = f,          \
		.odd_last = l, .want = st                                 \
	}
/* An indirect ind_op of n whole pages, its list at li. */
#define INDIRECT(w, io, n, e, s, gr, li, st)                                   \
	{                                                                      \
		.what = w, .op = IND, .ind_op = io, .nsegs = n, .from_end = e, \
		.sector = s, .g = gr, .list = li, .first = 0, .last = 7,       \
		.want = st                                                     \
	}

/* A discard of nr sectors; refused as unsupported if not offered. */
#define DISCARD(w, e, s, n, fl, st)                                            \
	{                                                                      \
		.what = w, .op = BLKIF_OP_DISCARD, .from_end = e, .sector = s, \
		.nr = n, .flag = fl, .want = st                                \
	}

/* In order; each starts with the ring empty, ids all answered. */
static const struct bh_case bh_cases[] = {
	RW("a good read of 11 pages", RD, 11, false, 0, G_DATA, OK),
	RW("a good write of a page", WR, 1, false, 8, G_DATA, OK),
	RW("a read past the end", RD, 1, true, 0, G_DATA, ERR),
	RW("a write past the end", WR, 1, true, 0, G_DATA, ERR),
	RW("a write across the end", WR, 2, true, (uint64_t)-8, G_DATA, ERR),
	RW("a write 4000 sectors past the end", WR, 1, true, 4000, G_DATA, ERR),
	RW("a write at sector 2^64-8, its end past 2^64", WR, 2, false,
	   (uint64_t)-8, G_DATA, ERR),
	RW("a write at sector 2^64-16", WR, 1, false, (uint64_t)-16, G_DATA,
	   ERR),
	RW("a read at sector 2^64-8", RD, 1, false, (uint64_t)-8, G_DATA, ERR),
	RW("a write at sector 2^64-1024 (our start - 1024)", WR, 1, false,
	   (uint64_t)-1024, G_DATA, ERR),
	RWODD("a segment with first_sect > last_sect", RD, 2, 0, 2, 5, 2, ERR),
	RWODD("a segment with last_sect 8", WR, 1, 0, 1, 0, 8, ERR),
	RWODD("a segment with last_sect 255", RD, 3, 0, 3, 7, 255, ERR),
	RW("a read of 0 segments", RD, 0, false, 0, G_DATA, ERR),
	RW("a write of 0 segments", WR, 0, false, 0, G_DATA, ERR),
	RW("a read of 12 segments", RD, 12, false, 0, G_DATA, ERR),
	RW("a write of 255 segments", WR, 255, false, 0, G_DATA, ERR),
	RW("a flush carrying 12 segments", BLKIF_OP_FLUSH_DISKCACHE, 12, false,
	   0, G_DATA, ERR),
	RW("a barrier writing past the end", BLKIF_OP_WRITE_BARRIER, 1, true, 0,
	   G_DATA, ERR),
	INDIRECT("a good indirect read of 16 pages", RD, BH_IND_SEGS, false, 0,
		 G_DATA, G_LIST, OK),
	INDIRECT("an indirect read of 0 segments", RD, 0, false, 0, G_DATA,
		 G_LIST, ERR),
	INDIRECT("an indirect read of 65 segments", RD, BH_IND_OVER, false, 0,
		 G_DATA, G_LIST, ERR),
	INDIRECT("an indirect write of 512 segments", WR, 512, false, 0, G_DATA,
		 G_LIST, ERR),
	INDIRECT("an indirect write of 65535 segments", WR, 65535, false, 0,
		 G_DATA, G_LIST, ERR),
	INDIRECT("an indirect flush", BLKIF_OP_FLUSH_DISKCACHE, 1, false, 0,
		 G_DATA, G_LIST, ERR),
	INDIRECT("an indirect indirect", IND, 1, false, 0, G_DATA, G_LIST, ERR),
	INDIRECT("an indirect write past the end", WR, 16, true, (uint64_t)-8,
		 G_DATA, G_LIST, ERR),
	INDIRECT("an indirect list never granted", RD, 16, false, 0, G_DATA,
		 G_FREE, ERR),
	INDIRECT("an indirect list past our table", RD, 16, false, 0, G_DATA,
		 G_END, ERR),
	INDIRECT("an indirect list granted to another domain", WR, 16, false, 0,
		 G_DATA, G_OTHER, ERR),
	INDIRECT("an indirect read into a read-only grant", RD, 16, false, 0,
		 G_RO, G_LIST, ERR),
	RW("a read into a ref never granted", RD, 1, false, 0, G_FREE, ERR),
	RW("a write from a ref never granted", WR, 1, false, 0, G_FREE, ERR),
	RW("a read into the first ref past our table", RD, 1, false, 0, G_END,
	   ERR),
	RW("a write from grant ref 0xffffffff", WR, 1, false, 0, G_MAX, ERR),
	RW("a read into a grant to another domain", RD, 1, false, 0, G_OTHER,
	   ERR),
	RW("a write from a grant to another domain", WR, 1, false, 0, G_OTHER,
	   ERR),
	RW("a read into the store ring's reserved ref", RD, 1, false, 0,
	   G_XENSTORE, ERR),
	RW("a write from the store ring's reserved ref", WR, 1, false, 0,
	   G_XENSTORE, ERR),
	RW("a read into the console ring's reserved ref", RD, 1, false, 0,
	   G_CONSOLE, ERR),
	RW("a read into a read-only grant", RD, 1, false, 0, G_RO, ERR),
	{ .what = "11 pages, the last read-only",
	  .op = RD,
	  .nsegs = 11,
	  .g = G_DATA,
	  .last = 7,
	  .odd = 11,
	  .odd_g = G_RO,
	  .odd_last = 7,
	  .mixed = true,
	  .want = ERR },
	DISCARD("a discard past the end", true, 0, 8, 0, ERR),
	DISCARD("a discard across the end", true, (uint64_t)-8, 16, 0, ERR),
	DISCARD("a discard of 2^64-1 sectors", false, 8, (uint64_t)-1, 0, ERR),
	DISCARD("a discard at sector 2^64-8", false, (uint64_t)-8, 16, 0, ERR),
	DISCARD("a discard of 0 sectors", false, 8, 0, 0, ERR),
	DISCARD("a secure discard (not offered)", false, 8, 8,
		BLKIF_DISCARD_SECURE, NOTSUP),
	RW("an unknown operation", BH_BAD_OP, 1, false, 0, G_DATA, NOTSUP),
	RW("operation 4 (reserved)", BLKIF_OP_RESERVED_1, 1, false, 0, G_DATA,
	   NOTSUP),
	RW("after all that, a good read", RD, 4, false, 0, G_DATA, OK),
};

static struct {
	struct xenbus xb;
	char be[XENBUS_WATCH_PATH_MAX]; /* the backend's directory */
	domid_t be_id;
	unsigned int tag; /* "tag=N": whose pattern we write */
	uint64_t sectors; /* the vbd's, 512-byte sectors */
	unsigned long block, discard, indirect, info;
	blkif_front_ring_t ring;
	grant_ref_t ring_ref, ro_ref, list_ref, other_ref, free_ref, end_ref;
	grant_ref_t data_ref[BH_PAGES];
	uint8_t *data[BH_PAGES], *ro, *other;
	struct blkif_request_segment *list;
	evtchn_port_t port;
	uint64_t next_id;
	unsigned long bad_rsp_prod; /* responses to more than we asked */
} bh;

static void bh_on_event(evtchn_port_t port, void *data)
{
}

static void bh_notify(void)
{
	struct evtchn_send send = { .port = bh.port };

	stub_evtchn_op(EVTCHNOP_send, &send);
}

static const char *bh_status(int16_t status)
{
	switch (status) {
	case BLKIF_RSP_OKAY:
		return "OKAY";
	case BLKIF_RSP_ERROR:
		return "ERROR";
	case BLKIF_RSP_EOPNOTSUPP:
		return "EOPNOTSUPP";
	default:
		return "(not a status)";
	}
}

/* Sector s as blkguest tag=t writes it (the host's check knows it). */
static void bh_pattern(uint8_t *p, uint64_t s, unsigned int t)
{
	memset(p, 0, 32);
	fmt_snprintf((char *)p, 32, "CITADEL t%u s%llu", t,
		     (unsigned long long)s);
	for (unsigned int i = 32; i < BH_SECTOR; i++)
		p[i] = (uint8_t)(s * 31 + i + t);
}

/* ---- Setting up ---- */

static void *bh_page(unsigned long *mfn)
{
	void *p = stub_alloc_page();

	if (!p)
		stub_panic("blkhostile: out of pages");
	*mfn = stub_virt_to_mfn(p);
	return p;
}

/* The refs that are not grants of ours to the backend. */
static void bh_bad_refs(void)
{
	grant_ref_t r = STUB_GNTTAB_RESERVED;

	while (stub_gnttab_entry(r))
		r++;
	bh.end_ref = r;
	bh.free_ref = r - 1; /* refs are handed out lowest first */
	stub_check("the last ref is free",
		   stub_gnttab_entry(bh.free_ref)->flags, 0);
}

static grant_ref_t bh_grant(domid_t to, unsigned long mfn, bool ro)
{
	long ref = stub_grant_access(to, mfn, ro);

	if (ref < 0)
		stub_panic("blkhostile: no grant (%ld)", ref);
	return (grant_ref_t)ref;
}

static void bh_pages(void)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF,
					   .remote_dom = bh.be_id };
	blkif_sring_t *s;
	unsigned long mfn;

	s = bh_page(&mfn);
	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&bh.ring, s, XEN_PAGE_SIZE);
	bh.ring_ref = bh_grant(bh.be_id, mfn, false);
	for (unsigned int i = 0; i < BH_PAGES; i++) {
		bh.data[i] = bh_page(&mfn);
		bh.data_ref[i] = bh_grant(bh.be_id, mfn, false);
	}
	bh.ro = bh_page(&mfn);
	bh.ro_ref = bh_grant(bh.be_id, mfn, true);
	bh.list = bh_page(&mfn);
	bh.list_ref = bh_grant(bh.be_id, mfn, true);
	bh.other = bh_page(&mfn);
	bh.other_ref = bh_grant(0, mfn, false);
	stub_check("a port for the backend",
		   stub_evtchn_op(EVTCHNOP_alloc_unbound, &au), 0);
	bh.port = au.port;
	stub_event_bind(bh.port, bh_on_event, NULL);
}

static void bh_setup(void)
{
	unsigned long id = 0;

	stub_events_init();
	stub_check("grant table", stub_gnttab_init(1), 0);
	stub_check("xenstore", stub_xenbus_connect_store(&bh.xb), 0);
	stub_check("our backend",
		   xenbus_read(&bh.xb, XENBUS_NO_TX, BH_DIR "/backend", bh.be,
			       sizeof(bh.be)) > 0,
		   1);
	stub_check(
	    "its domain",
	    xenbus_read_uint(&bh.xb, XENBUS_NO_TX, BH_DIR "/backend-id", &id),
	    0);
	bh.be_id = (domid_t)id;
	bh.next_id = BH_ID;
	bh_pages();
	bh_bad_refs();
}

/* ---- The handshake ---- */

/* Read the backend's state until it is one of mask, or ns have passed. */
static int bh_wait_be_for(unsigned int mask, uint64_t ns)
{
	uint64_t until = stub_now() + ns;

	for (;;) {
		int st = xenbus_read_state(&bh.xb, bh.be);

		if ((st >= 0 && (mask & (1u << st))) || stub_now() >= until)
			return st;
		stub_sleep(5 * MS);
	}
}

static int bh_wait_be(unsigned int mask)
{
	return bh_wait_be_for(mask, BH_WAIT_NS);
}

/* The backend's key as a number; def when absent. */
static unsigned long bh_be_num(const char *key, unsigned long def)
{
	char path[XENBUS_WATCH_PATH_MAX + 32];
	unsigned long v;

	fmt_snprintf(path, sizeof(path), "%s/%s", bh.be, key);
	return xenbus_read_uint(&bh.xb, XENBUS_NO_TX, path, &v) ? def : v;
}

static int bh_write(const char *key, unsigned long val)
{
	char path[64];

	fmt_snprintf(path, sizeof(path), BH_DIR "/%s", key);
	return xenbus_printf(&bh.xb, XENBUS_NO_TX, path, "%lu", val);
}

/* Our ring at ref, port, protocol proto, then Initialised. */
static int bh_offer(grant_ref_t ref, evtchn_port_t port, const char *proto)
{
	int rc = bh_write("ring-ref", ref);

	if (!rc)
		rc = bh_write("event-channel", port);
	if (!rc)
		rc = xenbus_write(&bh.xb, XENBUS_NO_TX, BH_DIR "/protocol",
				  proto);
	if (!rc)
		rc = xenbus_switch_state(&bh.xb, XENBUS_NO_TX, BH_DIR,
					 XenbusStateInitialised);
	return rc;
}

#define BH_AFTER_OFFER                                           \
	(1u << XenbusStateConnected | 1u << XenbusStateClosing | \
	 1u << XenbusStateClosed)

/*
 * Offer a ring the backend cannot use: it must refuse (Closing), and
 * take us back when we start over, as a frontend restarting would.
 */
static void bh_bogus_ring(const char *what, grant_ref_t ref, evtchn_port_t port,
			  const char *proto)
{
	int st;

	stub_check(what, bh_offer(ref, port, proto), 0);
	st = bh_wait_be(BH_AFTER_OFFER);
	printf("blkhostile: %s: backend %s\n", what, xenbus_state_name(st));
	stub_check(what, st, XenbusStateClosing);
	xenbus_switch_state(&bh.xb, XENBUS_NO_TX, BH_DIR,
			    XenbusStateInitialising);
	stub_check("the backend waits again",
		   bh_wait_be(1u << XenbusStateInitWait), XenbusStateInitWait);
}

/* The disk as the backend offers it (written before its InitWait). */
static void bh_read_disk(void)
{
	bh.sectors = bh_be_num("sectors", 0);
	bh.block = bh_be_num("physical-sector-size", 512);
	bh.info = bh_be_num("info", 0);
	bh.discard = bh_be_num("feature-discard", 0);
	bh.indirect = bh_be_num("feature-max-indirect-segments", 0);
	printf("blkhostile: xvda %llu sectors of %lu bytes (blocks of %lu), "
	       "info %lu, discard %lu, indirect %lu, backend %s\n",
	       (unsigned long long)bh.sectors, bh_be_num("sector-size", 0),
	       bh.block, bh.info, bh.discard, bh.indirect, bh.be);
	stub_check("sector-size", bh_be_num("sector-size", 0), BH_SECTOR);
	stub_check("a disk of whole pages",
		   bh.sectors >= 64 && bh.sectors % BH_PAGE_SECTS == 0, 1);
	stub_check("blocks of at most a page", bh.block <= 4096, 1);
	stub_check("read-write", bh.info & VDISK_READONLY, 0);
	stub_check("indirect segments offered", bh.indirect >= BH_IND_SEGS, 1);
	stub_check("fewer offered than our over-long request",
		   bh.indirect < BH_IND_OVER, 1);
}

/* Our ring, offered by the book: true when the backend took it. */
static bool bh_connect_ring(const char *what)
{
	int st;

	stub_check(what, bh_offer(bh.ring_ref, bh.port, "x86_64-abi"), 0);
	st = bh_wait_be(BH_AFTER_OFFER);
	printf("blkhostile: %s: backend %s\n", what, xenbus_state_name(st));
	stub_check(what, st, XenbusStateConnected);
	stub_check("say so",
		   xenbus_switch_state(&bh.xb, XENBUS_NO_TX, BH_DIR,
				       XenbusStateConnected),
		   0);
	return st == XenbusStateConnected;
}

/*
 * At once, by the book: the attacks are to overlap the good guest's
 * I/O, which starts as soon as the driver domain serves. The bogus
 * offers come after the ring was broken (bh_come_back()).
 */
static bool bh_connect(void)
{
	int st = bh_wait_be(1u << XenbusStateInitWait);

	stub_check("the backend waits for us", st, XenbusStateInitWait);
	bh_read_disk();
	return bh_connect_ring("our ring") && !stub_checks_failed();
}

/* ---- The ring, written by hand ---- */

static grant_ref_t bh_gref(enum bh_gref g, unsigned int i)
{
	switch (g) {
	case G_DATA:
		return bh.data_ref[i % BH_PAGES]; /* i: page0 + segment */
	case G_RO:
		return bh.ro_ref;
	case G_LIST:
		return bh.list_ref;
	case G_FREE:
		return bh.free_ref;
	case G_END:
		return bh.end_ref;
	case G_OTHER:
		return bh.other_ref;
	case G_XENSTORE:
		return GNTTAB_RESERVED_XENSTORE;
	case G_CONSOLE:
		return GNTTAB_RESERVED_CONSOLE;
	default:
		return 0xffffffffu;
	}
}

/* The next slot, cleared: ours to fill until pushed. */
static blkif_request_t *bh_slot(void)
{
	blkif_request_t *r = RING_GET_REQUEST(&bh.ring, bh.ring.req_prod_pvt);

	bh.ring.req_prod_pvt++;
	memset(r, 0, sizeof(*r));
	return r;
}

/* Segment i of c: what the case says of it. */
static struct blkif_request_segment bh_seg(const struct bh_case *c,
					   unsigned int i)
{
	struct blkif_request_segment s = { 0 };
	bool odd = c->odd && i == c->odd - 1u;

	s.gref = bh_gref(odd ? c->odd_g : c->g, c->page0 + i);
	s.first_sect = odd ? c->odd_first : c->first;
	s.last_sect = odd ? c->odd_last : c->last;
	return s;
}

static uint64_t bh_sector(const struct bh_case *c)
{
	return (c->from_end ? bh.sectors : 0) + c->sector;
}

/* c on the ring as id (its list, for an indirect one, in our list page). */
static void bh_put(const struct bh_case *c, uint64_t id)
{
	blkif_request_t *r = bh_slot();

	if (c->op == BLKIF_OP_DISCARD) {
		struct blkif_request_discard *d = (void *)r;

		d->operation = BLKIF_OP_DISCARD;
		d->flag = c->flag;
		d->id = id;
		d->sector_number = bh_sector(c);
		d->nr_sectors = c->nr;
		return;
	}
	if (c->op == BLKIF_OP_INDIRECT) {
		struct blkif_request_indirect *ind = (void *)r;
		unsigned int n = c->nsegs < BLKIF_SEGS_PER_INDIRECT_FRAME
				     ? c->nsegs
				     : BLKIF_SEGS_PER_INDIRECT_FRAME;

		for (unsigned int i = 0; i < n; i++)
			bh.list[i] = bh_seg(c, i);
		ind->operation = BLKIF_OP_INDIRECT;
		ind->indirect_op = c->ind_op;
		ind->nr_segments = c->nsegs;
		ind->id = id;
		ind->sector_number = bh_sector(c);
		ind->indirect_grefs[0] = bh_gref(c->list, 0);
		return;
	}
	r->operation = c->op;
	r->nr_segments = (uint8_t)c->nsegs;
	r->id = id;
	r->sector_number = bh_sector(c);
	for (unsigned int i = 0; i < c->nsegs && i < BH_SEGS; i++)
		r->seg[i] = bh_seg(c, i);
}

/* Publish what was put, and kick the backend whether it asked or not. */
static void bh_push(void)
{
	RING_PUSH_REQUESTS(&bh.ring);
	bh_notify();
}

/*
 * Copy out up to max new responses. A response index past the requests
 * we made is the backend's bug: counted, nothing taken.
 */
static unsigned int bh_reap(struct blkif_response *out, unsigned int max)
{
	RING_IDX prod = bh.ring.sring->rsp_prod;
	unsigned int n = 0;

	xen_rmb(); /* the responses after the index */
	if ((RING_IDX)(prod - bh.ring.rsp_cons) >
	    (RING_IDX)(bh.ring.req_prod_pvt - bh.ring.rsp_cons)) {
		bh.bad_rsp_prod++;
		return 0;
	}
	for (; bh.ring.rsp_cons != prod && n < max; bh.ring.rsp_cons++, n++)
		RING_COPY_RESPONSE(&bh.ring, bh.ring.rsp_cons, &out[n]);
	return n;
}

/* Wait (bounded) for n responses: how many came. */
static unsigned int bh_collect(struct blkif_response *out, unsigned int n)
{
	uint64_t until = stub_now() + BH_WAIT_NS;
	unsigned int got = bh_reap(out, n);

	while (got < n && stub_now() < until) {
		stub_sleep(MS / 2);
		got += bh_reap(out + got, n - got);
	}
	return got;
}

/* ---- Our pages: the marker around bad cases, the pattern around good --- */

static void bh_mark(void)
{
	for (unsigned int i = 0; i < BH_PAGES; i++)
		memset(bh.data[i], BH_MARK, XEN_PAGE_SIZE);
	memset(bh.ro, BH_MARK, XEN_PAGE_SIZE);
	memset(bh.other, BH_MARK, XEN_PAGE_SIZE);
}

static bool bh_page_marked(const uint8_t *p)
{
	for (unsigned int i = 0; i < XEN_PAGE_SIZE; i++)
		if (p[i] != BH_MARK)
			return false;
	return true;
}

/*
 * Pages with something else than the marker: device data landed. The
 * data pages of a read failed for another page's grant may hold its
 * data (ours, granted for it), the others never.
 */
static unsigned int bh_marks_lost(bool data_too)
{
	unsigned int n = !bh_page_marked(bh.ro) + !bh_page_marked(bh.other);

	for (unsigned int i = 0; data_too && i < BH_PAGES; i++)
		n += !bh_page_marked(bh.data[i]);
	return n;
}

/* Segment i of a good case covers these sectors of the disk. */
static uint64_t bh_seg_sector(const struct bh_case *c, unsigned int i)
{
	return bh_sector(c) + (uint64_t)i * (c->last - c->first + 1u);
}

/* A good write's data: the pattern of the sectors it goes to. */
static void bh_fill(const struct bh_case *c)
{
	for (unsigned int i = 0; i < c->nsegs; i++)
		for (unsigned int k = c->first; k <= c->last; k++)
			bh_pattern(bh.data[c->page0 + i] + k * BH_SECTOR,
				   bh_seg_sector(c, i) + k - c->first, bh.tag);
}

/* A good read's data: sectors not as we wrote them. */
static unsigned int bh_verify(const struct bh_case *c)
{
	uint8_t want[BH_SECTOR];
	unsigned int bad = 0;

	for (unsigned int i = 0; i < c->nsegs; i++)
		for (unsigned int k = c->first; k <= c->last; k++) {
			bh_pattern(want, bh_seg_sector(c, i) + k - c->first,
				   bh.tag);
			bad +=
			    memcmp(want, bh.data[c->page0 + i] + k * BH_SECTOR,
				   BH_SECTOR) != 0;
		}
	return bad;
}

/* ---- The cases ---- */

static uint8_t bh_rsp_op(const struct bh_case *c)
{
	return c->op == BLKIF_OP_INDIRECT ? c->ind_op : c->op;
}

/* What c must get: a discard is unsupported when not offered. */
static int16_t bh_want(const struct bh_case *c)
{
	return c->op == BLKIF_OP_DISCARD && !bh.discard ? NOTSUP : c->want;
}

static void bh_run_case(const struct bh_case *c)
{
	int16_t want = bh_want(c);
	uint8_t rw = bh_rsp_op(c);
	uint64_t id = bh.next_id++;
	struct blkif_response rsp;
	unsigned int got, lost = 0, bad = 0;

	if (want != OK)
		bh_mark();
	else if (rw == BLKIF_OP_WRITE)
		bh_fill(c);
	bh_put(c, id);
	bh_push();
	got = bh_collect(&rsp, 1);
	stub_check(c->what, got, 1);
	if (got) {
		stub_check(c->what, rsp.id == id, 1);
		stub_check(c->what, rsp.operation, rw);
		stub_check(c->what, rsp.status, want);
	}
	if (want != OK)
		lost = bh_marks_lost(!c->mixed);
	else if (rw == BLKIF_OP_READ && got && rsp.status == OK)
		bad = bh_verify(c);
	stub_check(c->what, lost + bad, 0);
	printf("blkhostile: %s: %s%s\n", c->what,
	       got ? bh_status(rsp.status) : "no response",
	       lost  ? ", data landed in our pages"
	       : bad ? ", data bad"
		     : "");
}

/*
 * A request of ours that must work (c->want OKAY), a read's data checked
 * against our pattern when verify: 0, or what failed.
 */
static int bh_request(const struct bh_case *c, bool verify)
{
	uint64_t id = bh.next_id++;
	struct blkif_response rsp;

	if (bh_rsp_op(c) == BLKIF_OP_WRITE)
		bh_fill(c);
	bh_put(c, id);
	bh_push();
	if (!bh_collect(&rsp, 1))
		return -XEN_ETIMEDOUT;
	if (rsp.id != id || rsp.operation != bh_rsp_op(c) ||
	    rsp.status != BLKIF_RSP_OKAY)
		return -XEN_EIO;
	return verify && bh_rsp_op(c) == BLKIF_OP_READ && bh_verify(c)
		   ? -XEN_EILSEQ
		   : 0;
}

static int bh_sync(const struct bh_case *c)
{
	return bh_request(c, true);
}

/* Pages [page0, page0 + n) from sector, as a good request does them. */
static struct bh_case bh_good(uint8_t op, uint64_t sector, uint8_t n,
			      uint8_t page0)
{
	return (struct bh_case){ .op = op,
				 .nsegs = n,
				 .sector = sector,
				 .g = G_DATA,
				 .last = BH_PAGE_SECTS - 1,
				 .page0 = page0,
				 .want = OK };
}

/* Our pattern over our whole range: what the host finds there after. */
static void bh_fill_range(void)
{
	uint64_t t0 = stub_now(), s;
	int rc = 0;

	for (s = 0; s < bh.sectors && !rc; s += BH_SEGS * BH_PAGE_SECTS) {
		uint64_t left = (bh.sectors - s) / BH_PAGE_SECTS;
		struct bh_case c = bh_good(
		    WR, s, (uint8_t)(left < BH_SEGS ? left : BH_SEGS), 0);

		rc = bh_sync(&c);
	}
	printf("blkhostile: wrote our pattern over %llu sectors in %llu ms: "
	       "%d\n",
	       (unsigned long long)bh.sectors,
	       (unsigned long long)((stub_now() - t0) / MS), rc);
	stub_check("our pattern written", rc, 0);
}

/* a as id ida and b as idb, in flight together: the responses there are. */
static unsigned int bh_pair(const struct bh_case *a, uint64_t ida,
			    const struct bh_case *b, uint64_t idb,
			    struct blkif_response rsp[2])
{
	bh_put(a, ida);
	bh_put(b, idb);
	bh_push();
	return bh_collect(rsp, 2);
}

/* Both answered, with id, the operation and one OKAY and one of want. */
static void bh_pair_check(const char *what, const struct blkif_response *r,
			  unsigned int got, uint64_t id, int16_t want)
{
	unsigned int ok = 0, other = 0;

	stub_check(what, got, 2);
	for (unsigned int i = 0; i < got; i++) {
		stub_check(what, r[i].id == id, 1);
		stub_check(what, r[i].operation, BLKIF_OP_READ);
		ok += r[i].status == OK;
		other += r[i].status == want;
	}
	stub_check(what, want == OK ? ok == 2 : ok == 1 && other == 1, 1);
	printf("blkhostile: %s: %s, %s\n", what,
	       got > 0 ? bh_status(r[0].status) : "no response",
	       got > 1 ? bh_status(r[1].status) : "no response");
}

/* One id twice in flight: blkback answers each request, id as given. */
static void bh_dup_ids(void)
{
	struct bh_case a = bh_good(RD, 0, 1, 0), b = bh_good(RD, 8, 1, 1);
	struct bh_case bad = bh_good(RD, 0, 1, 2);
	struct blkif_response rsp[2];
	uint64_t id = bh.next_id++;
	unsigned int got;

	got = bh_pair(&a, id, &b, id, rsp);
	bh_pair_check("two good reads with one id in flight", rsp, got, id, OK);
	stub_check("both read as due", bh_verify(&a) + bh_verify(&b), 0);
	bad.from_end = true; /* past the end: refused */
	b = bh_good(RD, 16, 1, 3);
	id = bh.next_id++;
	got = bh_pair(&bad, id, &b, id, rsp);
	bh_pair_check("a bad and a good read with one id in flight", rsp, got,
		      id, ERR);
	stub_check("the good one read as due", bh_verify(&b), 0);
}

/*
 * Two writes in flight over sectors they share, with different data:
 * both answered OKAY, each shared sector read back as one of them (which
 * one is the device's business), the others as their own. Then our
 * pattern there again.
 */
/*
 * Sectors 16..39 as read into pages 4..6 after the overlapping writes:
 * those of neither (16..23 only a's, 32..39 only b's).
 */
static unsigned int bh_overlap_bad(unsigned int tag)
{
	unsigned int bad = 0;

	for (unsigned int k = 0; k < 3 * BH_PAGE_SECTS; k++) {
		uint8_t a[BH_SECTOR], b[BH_SECTOR];
		const uint8_t *got = bh.data[4 + k / 8] + k % 8 * BH_SECTOR;

		bh_pattern(a, 16 + k, tag);
		bh_pattern(b, 16 + k, BH_OTHER_TAG);
		bad += !((k < 16 && !memcmp(got, a, BH_SECTOR)) ||
			 (k >= 8 && !memcmp(got, b, BH_SECTOR)));
	}
	return bad;
}

static void bh_overlap(void)
{
	struct bh_case a = bh_good(WR, 16, 2, 0), b = bh_good(WR, 24, 2, 2);
	struct bh_case rd = bh_good(RD, 16, 3, 4), fix = bh_good(WR, 16, 3, 0);
	struct blkif_response rsp[2];
	uint64_t ida = bh.next_id++, idb = bh.next_id++;
	unsigned int got, tag = bh.tag, bad;

	bh_fill(&a);
	bh.tag = BH_OTHER_TAG; /* b's data: not our pattern */
	bh_fill(&b);
	bh.tag = tag;
	got = bh_pair(&a, ida, &b, idb, rsp);
	stub_check("two overlapping writes: both answered", got, 2);
	for (unsigned int i = 0; i < got; i++) {
		stub_check("overlapping writes: ids",
			   rsp[i].id == ida || rsp[i].id == idb, 1);
		stub_check("overlapping writes: op", rsp[i].operation, WR);
		stub_check("overlapping writes: status", rsp[i].status, OK);
	}
	if (got == 2)
		stub_check("overlapping writes: each answered once",
			   rsp[0].id != rsp[1].id, 1);
	stub_check("read them back", bh_request(&rd, false), 0);
	bad = bh_overlap_bad(tag);
	printf("blkhostile: two overlapping writes in flight: %s, %s; %u "
	       "sectors read back as neither\n",
	       got > 0 ? bh_status(rsp[0].status) : "no response",
	       got > 1 ? bh_status(rsp[1].status) : "no response", bad);
	stub_check("each sector as one of the writes", bad, 0);
	stub_check("our pattern back", bh_sync(&fix), 0);
}

/* ---- The flood ---- */

/*
 * What the flood sends, in turns: requests blkback must refuse, some at
 * once (their checks), some after the device or a grant copy failed.
 * The writes past our end would land in the good guest's range.
 */
static const struct bh_case bh_flood_kinds[] = {
	RW("past the end", WR, 1, true, 0, G_DATA, ERR),
	RW("2000 past the end", WR, 11, true, 2000, G_DATA, ERR),
	RW("wrapping", WR, 2, false, (uint64_t)-8, G_DATA, ERR),
	RWODD("last_sect 8", RD, 1, 0, 1, 0, 8, ERR),
	RWODD("first_sect > last_sect", WR, 2, 0, 2, 7, 0, ERR),
	RW("no segments", RD, 0, false, 0, G_DATA, ERR),
	RW("12 segments", WR, 12, false, 0, G_DATA, ERR),
	RW("unknown", BH_BAD_OP, 1, false, 0, G_DATA, NOTSUP),
	RW("never granted", RD, 1, false, 0, G_FREE, ERR),
	RW("another domain's", WR, 1, false, 0, G_OTHER, ERR),
	INDIRECT("65 indirect", WR, BH_IND_OVER, false, 0, G_DATA, G_LIST, ERR),
};
#define BH_KINDS (sizeof(bh_flood_kinds) / sizeof(bh_flood_kinds[0]))

/* The flood's ids: a tag in the high half, the sequence number below. */
#define BH_FLOOD_ID 0xf100d00000000000ull

struct bh_flood {
	unsigned int got, errors, notsup, wrong;
	uint8_t seen[BH_FLOOD_MAX / 8];
};

static struct bh_flood bh_fl;

/* Response r of the flood: a request of it not answered yet, as due. */
static void bh_flood_one(struct bh_flood *f, const struct blkif_response *r,
			 unsigned int n)
{
	uint64_t seq = r->id - BH_FLOOD_ID;
	const struct bh_case *c = &bh_flood_kinds[seq % BH_KINDS];

	f->got++;
	f->errors += r->status == ERR;
	f->notsup += r->status == NOTSUP;
	if (seq >= n || (f->seen[seq / 8] & (1u << seq % 8)) ||
	    r->operation != bh_rsp_op(c) || r->status != c->want) {
		f->wrong++;
		return;
	}
	f->seen[seq / 8] |= (uint8_t)(1u << seq % 8);
}

static unsigned int bh_flood_reap(struct bh_flood *f, unsigned int n)
{
	struct blkif_response rsp[BH_RING];
	unsigned int got = bh_reap(rsp, BH_RING);

	for (unsigned int i = 0; i < got; i++)
		bh_flood_one(f, &rsp[i], n);
	return got;
}

/* Whether the flood goes on: n sent at least, and for at least until. */
static bool bh_flood_more(unsigned int sent, unsigned int n, uint64_t until)
{
	return sent < BH_FLOOD_MAX && (sent < n || stub_now() < until);
}

/*
 * At least n bad requests, and for at least ms (so that it lasts as long
 * as the good guest's I/O), the ring kept as full as it goes: every one
 * answered, as due.
 */
static void bh_flood(unsigned int n, unsigned int ms)
{
	struct bh_flood *f = &bh_fl;
	uint64_t t0 = stub_now();
	unsigned int sent = 0;
	bool more = true;

	bh_mark();
	while ((more || f->got < sent) && stub_now() - t0 < BH_FLOOD_NS) {
		unsigned int put = 0;

		more = bh_flood_more(sent, n, t0 + ms * MS);
		for (; more && !RING_FULL(&bh.ring); sent++, put++) {
			bh_put(&bh_flood_kinds[sent % BH_KINDS],
			       BH_FLOOD_ID + sent);
			more = bh_flood_more(sent + 1, n, t0 + ms * MS);
		}
		if (put)
			bh_push();
		if (!bh_flood_reap(f, sent) && !put)
			stub_sleep(MS / 2);
	}
	printf("blkhostile: a flood of %u bad requests in %llu ms: %u ERROR, "
	       "%u EOPNOTSUPP, %u not as due\n",
	       sent, (unsigned long long)((stub_now() - t0) / MS), f->errors,
	       f->notsup, f->wrong);
	stub_check("every flood request answered", f->got, sent);
	stub_check("every flood response as due", f->wrong, 0);
	stub_check("no device data in our pages", bh_marks_lost(true), 0);
}

/* ---- Breaking the ring ---- */

#define BH_INFLIGHT 3 /* good reads in flight when the ring breaks */

/*
 * Until the backend took every request (it asks to be kicked for the
 * next one: req_event), or a second passed; without sleeping, so that
 * they are likely still at the device.
 */
static void bh_wait_taken(void)
{
	uint64_t until = stub_now() + 1000 * MS;
	volatile RING_IDX *ev = &bh.ring.sring->req_event; /* theirs */

	while (*ev != bh.ring.req_prod_pvt + 1 && stub_now() < until)
		;
}

/*
 * req_prod far past the ring (it holds 32), just after good reads went
 * on it: the backend must give up on this vbd (Closing), answer nothing
 * more (the reads it took before finish unanswered) and let go of our
 * ring at once.
 */
static void bh_out_of_range(void)
{
	struct bh_case rd = bh_good(RD, 0, BH_SEGS, 0);
	RING_IDX rsp = bh.ring.sring->rsp_prod, seen;
	int st;

	for (unsigned int i = 0; i < BH_INFLIGHT; i++)
		bh_put(&rd, bh.next_id++);
	bh_push();
	bh_wait_taken();
	bh.ring.sring->req_prod = bh.ring.req_prod_pvt + 1000;
	bh_notify();
	st = bh_wait_be(1u << XenbusStateClosing | 1u << XenbusStateClosed);
	seen = bh.ring.sring->rsp_prod;
	printf("blkhostile: a producer index past the ring, %u reads in "
	       "flight: backend %s, %u of them answered\n",
	       BH_INFLIGHT, xenbus_state_name(st), seen - rsp);
	stub_check("the vbd is closed",
		   st == XenbusStateClosing || st == XenbusStateClosed, 1);
	stub_check("no more responses than reads", seen - rsp <= BH_INFLIGHT,
		   1);
	/* Kicks on a closed vbd: nothing to find, nothing to log. */
	for (unsigned int i = 0; i < 10; i++)
		bh_notify();
	stub_sleep(BH_QUIET_NS);
	stub_check("no response after it", bh.ring.sring->rsp_prod - seen, 0);
	stub_check("the backend let go of the ring",
		   stub_grant_end(bh.ring_ref), 0);
}

static void bh_attack(unsigned int flood, unsigned int flood_ms)
{
	struct bh_case after = bh_good(RD, 0, BH_SEGS, 0);
	uint64_t t0 = stub_now();

	for (unsigned int i = 0; i < sizeof(bh_cases) / sizeof(bh_cases[0]);
	     i++)
		bh_run_case(&bh_cases[i]);
	bh_dup_ids();
	bh_overlap();
	bh_flood(flood, flood_ms);
	stub_check("after the flood, a good read", bh_sync(&after), 0);
	printf("blkhostile: the attacks ran from %llu to %llu ms\n",
	       (unsigned long long)(t0 / MS),
	       (unsigned long long)(stub_now() / MS));
	bh_out_of_range();
}

/*
 * After the ring was broken, start over as a frontend restarting would,
 * offering first rings the backend cannot use (each must leave the vbd
 * Closing and be taken back), then a fresh one: our data is still
 * there. Then we close, and the vbd waits for a next frontend.
 */
static void bh_come_back(void)
{
	blkif_sring_t *s = bh.ring.sring;
	struct bh_case rd = bh_good(RD, 0, BH_SEGS, 0);
	int st;

	xenbus_switch_state(&bh.xb, XENBUS_NO_TX, BH_DIR,
			    XenbusStateInitialising);
	stub_check("the backend takes us back",
		   bh_wait_be(1u << XenbusStateInitWait), XenbusStateInitWait);
	memset(s, 0, XEN_PAGE_SIZE);
	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&bh.ring, s, XEN_PAGE_SIZE);
	bh.ring_ref = bh_grant(bh.be_id, stub_virt_to_mfn(s), false);
	bh_bogus_ring("a ring-ref never granted", bh.free_ref, bh.port,
		      "x86_64-abi");
	bh_bogus_ring("a ring-ref granted read-only", bh.ro_ref, bh.port,
		      "x86_64-abi");
	bh_bogus_ring("the store ring's reserved ref as ring-ref",
		      GNTTAB_RESERVED_XENSTORE, bh.port, "x86_64-abi");
	bh_bogus_ring("an event channel never allocated", bh.ring_ref,
		      bh.port + 100, "x86_64-abi");
	bh_bogus_ring("protocol x86_32-abi", bh.ring_ref, bh.port,
		      "x86_32-abi");
	if (bh_connect_ring("then a fresh ring"))
		stub_check("our data, read again", bh_sync(&rd), 0);
	xenbus_switch_state(&bh.xb, XENBUS_NO_TX, BH_DIR, XenbusStateClosed);
	st = bh_wait_be(1u << XenbusStateInitWait);
	printf("blkhostile: we close: backend %s\n", xenbus_state_name(st));
	stub_check("the backend waits for a next frontend", st,
		   XenbusStateInitWait);
}

int app_main(const char *cmdline)
{
	unsigned int flood = stub_arg_has(cmdline, "flood=")
				 ? stub_arg_uint(cmdline, "flood=")
				 : BH_FLOOD;
	unsigned int flood_ms = stub_arg_has(cmdline, "flood_ms=")
				    ? stub_arg_uint(cmdline, "flood_ms=")
				    : BH_FLOOD_MS;

	bh.tag = stub_arg_uint(cmdline, "tag=");
	bh_setup();
	printf("blkhostile: started at %llu ms\n",
	       (unsigned long long)(stub_now() / MS));
	if (bh_connect()) {
		bh_fill_range();
		bh_attack(flood, flood_ms);
		bh_come_back();
	}
	stub_check("no response index past our requests", bh.bad_rsp_prod, 0);
	printf("blkhostile: done at %llu ms\n",
	       (unsigned long long)(stub_now() / MS));
	stub_check_report("blkhostile");
	return SHUTDOWN_poweroff;
}
