/*
 * blkfront (stubdom/lib/blkfront.c) against a fake backend written here,
 * over the real xenbus client and the real xenstore core.
 *
 * The store: as in test_netfront.c, each domain's xenstore ring is memory
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
 * The backend (struct fbe) reads the ring as Linux's blkback would: it
 * copies each request out, follows its segments (directly or through
 * the indirect page), and keeps it until the test answers it, against
 * one disk in memory shared by every backend (the same virtual disk
 * served from another domain). Every request taken is logged, so a test
 * sees what was issued, and in which order.
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
#include "../../stubdom/include/stub/blkfront.h"
#include "../../stubdom/xenstore/xenstore.h"
#include "../../stubdom/xenstore/xs_env.h"
#include "fake_xs_env.h"

#define PAGE	  XEN_PAGE_SIZE
#define RING	  XENSTORE_RING_SIZE
#define MAX_WAITS 100000
#define HOME	  "/local/domain/5"
#define VBD	  HOME "/device/vbd/51712"
#define NPAGES	  (1 + BLKFRONT_PAGES)
/* Pages left when two 64-page requests are in flight: a third's first. */
#define LEFT (BLKFRONT_PAGES - 4 * 33)
_Static_assert(LEFT > BLKIF_MAX_SEGMENTS_PER_REQUEST + 1 && LEFT < 33,
	       "the third request's first piece is a short indirect one");

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

#define MAX_PAGES 512
#define MFN0	  0x40000ul

struct fpage {
	void *va;
	bool live;
	bool user; /* a page of a caller's buffer, not page_alloc's */
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
	memset(va, 0xa5, PAGE); /* not zeroed: blkfront must not care */
	pages[npages].va = va;
	pages[npages].live = true;
	pages[npages].user = false;
	*mfn = MFN0 + npages++;
	return va;
}

/* A caller's page gets a frame number of its own the first time. */
static unsigned long op_virt_to_mfn(void *env, const void *va)
{
	unsigned int i;

	assert_true((uintptr_t)va % PAGE == 0);
	for (i = 0; i < npages; i++)
		if (pages[i].va == va && pages[i].live)
			return MFN0 + i;
	assert_true(npages < MAX_PAGES);
	pages[npages] = (struct fpage){ (void *)(uintptr_t)va, true, true };
	return MFN0 + npages++;
}

/* ---- Grants ---- */

#define GT_MAX 256

struct gent {
	bool used;
	bool ro;
	int busy; /* the backend still maps it */
	domid_t domid;
	unsigned long mfn;
};

static struct gent gt[GT_MAX];
static unsigned long gt_ends;

static int grants_left = -1; /* grants grant_access still makes; -1: any */

static long op_grant_access(void *env, domid_t domid, unsigned long mfn,
			    bool readonly)
{
	grant_ref_t r;

	if (grants_left == 0)
		return -XEN_ENOSPC;
	if (grants_left > 0)
		grants_left--;

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
		assert_false(pages[i].user);
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

/* ---- Completions ---- */

#define MAX_REQS 256

static unsigned int done_n[MAX_REQS]; /* completions per cookie */
static int done_st[MAX_REQS];	      /* the last status */
static unsigned int done_order[MAX_REQS * 2];
static unsigned int ndone;
static struct blkfront *bf;
static struct fbe *wait_be; /* ops.wait serves this backend */
static unsigned long waits;

/* The caller's buffer whose completion is checked: no grant reaches it. */
static const uint8_t *held_buf;
static size_t held_len;

static void op_done(void *env, void *cookie, int status)
{
	unsigned int c = (unsigned int)(uintptr_t)cookie, r;

	for (r = 0; held_buf && r < GT_MAX; r++) {
		const uint8_t *va;

		if (!gt[r].used || gt[r].mfn < MFN0 ||
		    gt[r].mfn >= MFN0 + npages)
			continue;
		va = pages[gt[r].mfn - MFN0].va;
		assert_false(va >= held_buf && va < held_buf + held_len);
	}
	assert_true(c < MAX_REQS);
	done_n[c]++;
	done_st[c] = status;
	assert_true(ndone < MAX_REQS * 2);
	done_order[ndone++] = c;
}

#define CK(n) ((void *)(uintptr_t)(n))

static void be_serve(struct fbe *b);
static void op_wait(void *env)
{
	if (++waits > MAX_WAITS)
		fail_msg("blkfront wait() called too often: a hang");
	serve(&e5);
	if (wait_be)
		be_serve(wait_be);
}

static const struct blkfront_ops base_ops = {
	.grant_access = op_grant_access,
	.grant_end = op_grant_end,
	.page_alloc = op_page_alloc,
	.page_free = op_page_free,
	.evtchn_alloc_unbound = op_alloc_unbound,
	.evtchn_close = op_evtchn_close,
	.notify = op_notify,
	.done = op_done,
	.wait = op_wait,
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
	return xenbus_read_state(x0, VBD);
}

/* ---- The disk ---- */

#define DISK_SECT 8192 /* 4 MiB */
#define SECT	  512

static uint8_t disk[DISK_SECT * SECT];

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 9));
}

/* ---- The fake backend ---- */

#define BE_PEND 64
#define LOG_MAX 1024

/* A request as the backend took it. */
struct breq {
	uint8_t op; /* the operation itself (indirect_op for indirect) */
	bool indirect;
	uint64_t id;
	uint64_t sector;
	uint64_t nsect; /* data sectors, or a discard's count */
	unsigned int nseg;
	struct blkif_request_segment seg[BLKFRONT_INDIRECT_SEGS];
};

struct fbe {
	domid_t domid;
	char path[96];
	blkif_back_ring_t ring;
	evtchn_port_t port;
	bool connected;
	/* What it tells the frontend. */
	unsigned long sectors, sector_size, info;
	bool flush, discard;
	unsigned long indirect;
	bool persistent; /* offers feature-persistent: grants are kept */
	struct breq pend[BE_PEND]; /* taken, not answered */
	unsigned int npend;
};

static struct fbe b1, b2;
static struct breq blog[LOG_MAX]; /* every request taken, in order */
static unsigned int nlog;

static void be_state(struct fbe *b, int state)
{
	assert_int_equal(xenbus_switch_state(x0, XENBUS_NO_TX, b->path, state),
			 0);
}

static void be_wr(struct fbe *b, const char *key, unsigned long v)
{
	char p[160], val[24];

	snprintf(p, sizeof(p), "%s/%s", b->path, key);
	snprintf(val, sizeof(val), "%lu", v);
	wr(p, val);
}

/*
 * The toolstack makes the backend's directory (readable by domain 5),
 * the backend driver says InitWait, then the toolstack points the
 * frontend at it. Features as set in *b before (defaults when zero).
 */
static void be_create(struct fbe *b, domid_t domid)
{
	char perms[16], p[160];
	int n;

	b->domid = domid;
	b->ring = (blkif_back_ring_t){ 0 };
	b->npend = 0;
	b->connected = false;
	if (!b->sectors)
		b->sectors = DISK_SECT;
	if (!b->sector_size)
		b->sector_size = SECT;
	snprintf(b->path, sizeof(b->path),
		 "/local/domain/%u/backend/vbd/5/51712", domid);
	assert_int_equal(xenbus_mkdir(x0, XENBUS_NO_TX, b->path), 0);
	n = snprintf(perms, sizeof(perms), "n%u%cr5", domid, 0);
	assert_int_equal(
	    xenbus_set_perms(x0, XENBUS_NO_TX, b->path, perms, (size_t)n + 1),
	    0);
	snprintf(p, sizeof(p), "%s/frontend", b->path);
	wr(p, VBD);
	be_wr(b, "frontend-id", 5);
	if (b->indirect)
		be_wr(b, "feature-max-indirect-segments", b->indirect);
	be_state(b, XenbusStateInitWait);
	wr(VBD "/backend", b->path);
	snprintf(p, sizeof(p), "%u", domid);
	wr(VBD "/backend-id", p);
}

/* The backend goes away: its domain and its nodes are gone. */
static void be_destroy(struct fbe *b)
{
	assert_int_equal(xenbus_rm(x0, XENBUS_NO_TX, b->path), 0);
	b->connected = false;
	b->npend = 0;
}

/* The frontend said Initialised: read its details, map, say Connected. */
static void be_connect(struct fbe *b)
{
	unsigned long ref, port;
	char proto[32];

	assert_int_equal(fe_state(), XenbusStateInitialised);
	assert_int_equal(xenbus_read(x0, XENBUS_NO_TX, VBD "/protocol", proto,
				     sizeof(proto)),
			 10);
	assert_string_equal(proto, "x86_64-abi");
	ref = rd_uint(VBD "/ring-ref");
	port = rd_uint(VBD "/event-channel");
	assert_true(port < nports && ports[port].open);
	assert_int_equal(ports[port].remote, b->domid);
	b->port = (evtchn_port_t)port;
	BACK_RING_INIT(&b->ring, (blkif_sring_t *)be_map(b->domid, ref, true),
		       PAGE);
	/* A fresh ring. */
	assert_int_equal(b->ring.sring->req_prod, 0);
	assert_int_equal(b->ring.sring->rsp_prod, 0);
	be_wr(b, "sectors", b->sectors);
	be_wr(b, "sector-size", b->sector_size);
	be_wr(b, "info", b->info);
	be_wr(b, "feature-flush-cache", b->flush);
	if (b->discard)
		be_wr(b, "feature-discard", 1);
	if (b->persistent) {
		assert_int_equal(rd_uint(VBD "/feature-persistent"), 1);
		be_wr(b, "feature-persistent", 1);
	}
	be_state(b, XenbusStateConnected);
	b->connected = true;
}

/* One segment's page and sector range, checked as blkback checks it. */
static uint8_t *be_seg(struct fbe *b, const struct breq *q, unsigned int i,
		       unsigned int *n)
{
	const struct blkif_request_segment *s = &q->seg[i];

	assert_true(s->first_sect <= s->last_sect && s->last_sect < 8);
	*n = s->last_sect - s->first_sect + 1u;
	return be_map(b->domid, s->gref, q->op == BLKIF_OP_READ) +
	       s->first_sect * SECT;
}

/* Copy one request out of the ring and check it as blkback would. */
static void be_parse(struct fbe *b, struct breq *q)
{
	union blkif_sring_entry e;
	const struct blkif_request *rw = &e.req;
	const struct blkif_request_indirect *ind = (const void *)&e.req;
	const struct blkif_request_discard *dis = (const void *)&e.req;
	unsigned int i, n;

	RING_COPY_REQUEST(&b->ring, b->ring.req_cons, &e.req);
	b->ring.req_cons++;
	memset(q, 0, sizeof(*q));
	q->id = rw->id;
	q->op = rw->operation;
	if (q->op == BLKIF_OP_DISCARD) {
		q->sector = dis->sector_number;
		q->nsect = dis->nr_sectors;
		return;
	}
	if (q->op == BLKIF_OP_INDIRECT) {
		const uint8_t *pg;

		assert_true(b->indirect > 0);
		q->indirect = true;
		q->op = ind->indirect_op;
		q->nseg = ind->nr_segments;
		q->sector = ind->sector_number;
		assert_true(q->nseg > BLKIF_MAX_SEGMENTS_PER_REQUEST &&
			    q->nseg <= b->indirect &&
			    q->nseg <= BLKFRONT_INDIRECT_SEGS);
		/* The list is read-only to us (unless kept), on one page. */
		assert_true(gt[ind->indirect_grefs[0]].ro != b->persistent);
		pg = be_map(b->domid, ind->indirect_grefs[0], false);
		memcpy(q->seg, pg, q->nseg * sizeof(q->seg[0]));
	} else {
		q->nseg = rw->nr_segments;
		q->sector = rw->sector_number;
		assert_true(q->nseg <= BLKIF_MAX_SEGMENTS_PER_REQUEST);
		memcpy(q->seg, rw->seg, q->nseg * sizeof(q->seg[0]));
	}
	if (q->op == BLKIF_OP_FLUSH_DISKCACHE) {
		assert_int_equal(q->nseg, 0);
		return;
	}
	assert_true(q->op == BLKIF_OP_READ || q->op == BLKIF_OP_WRITE);
	assert_true(q->nseg > 0);
	for (i = 0; i < q->nseg; i++) {
		/*
		 * Writes' pages are read-only to the backend, reads' not;
		 * kept ones serve both, so are writable.
		 */
		assert_int_equal(gt[q->seg[i].gref].ro,
				 q->op == BLKIF_OP_WRITE && !b->persistent);
		be_seg(b, q, i, &n);
		q->nsect += n;
	}
}

/* Take every request the frontend made; answer none yet. */
static unsigned int be_take(struct fbe *b)
{
	unsigned int n = 0;

	while (RING_HAS_UNCONSUMED_REQUESTS(&b->ring)) {
		assert_true(b->npend < BE_PEND && nlog < LOG_MAX);
		be_parse(b, &b->pend[b->npend]);
		blog[nlog++] = b->pend[b->npend++];
		n++;
	}
	return n;
}

/* Do a request to the disk (when status is OKAY). */
static void be_do(struct fbe *b, const struct breq *q)
{
	uint64_t s = q->sector;
	unsigned int i, n;

	if (q->op == BLKIF_OP_DISCARD) {
		assert_true(q->sector + q->nsect <= DISK_SECT);
		memset(disk + q->sector * SECT, 0, q->nsect * SECT);
		return;
	}
	assert_true(q->sector + q->nsect <= DISK_SECT);
	for (i = 0; i < q->nseg; i++) {
		uint8_t *pg = be_seg(b, q, i, &n);

		if (q->op == BLKIF_OP_READ)
			memcpy(pg, disk + s * SECT, n * SECT);
		else
			memcpy(disk + s * SECT, pg, n * SECT);
		s += n;
	}
}

static void be_rsp(struct fbe *b, uint64_t id, uint8_t op, int16_t status)
{
	struct blkif_response *rsp =
	    RING_GET_RESPONSE(&b->ring, b->ring.rsp_prod_pvt++);

	memset(rsp, 0, sizeof(*rsp));
	rsp->id = id;
	rsp->operation = op;
	rsp->status = status;
	RING_PUSH_RESPONSES(&b->ring);
}

/* Answer pending request k with status (doing it if OKAY). */
static void be_answer(struct fbe *b, unsigned int k, int16_t status)
{
	struct breq q;

	assert_true(k < b->npend);
	q = b->pend[k];
	memmove(&b->pend[k], &b->pend[k + 1],
		(b->npend - k - 1) * sizeof(b->pend[0]));
	b->npend--;
	if (status == BLKIF_RSP_OKAY)
		be_do(b, &q);
	/* Linux's blkback answers an indirect request with its rw op. */
	be_rsp(b, q.id, q.op, status);
}

/* Take and answer everything, OKAY. */
static void be_serve(struct fbe *b)
{
	if (!b->connected)
		return;
	be_take(b);
	while (b->npend)
		be_answer(b, 0, BLKIF_RSP_OKAY);
}

/* ---- The frontend's event loop ---- */

static int step(void)
{
	serve(&e5);
	return blkfront_poll(bf);
}

static int settle(void)
{
	int i, n = 0;

	for (i = 0; i < 6; i++)
		n += step();
	return n;
}

/* Serve and poll until nothing moves. */
static void run(struct fbe *b)
{
	int i;

	for (i = 0; i < 8; i++) {
		be_serve(b);
		step();
	}
}

/* ---- Setup ---- */

static bool fe_direct; /* give blkfront ops.virt_to_mfn */

static int setup(void **state)
{
	live_blocks = 0;
	memset(gt, 0, sizeof(gt));
	memset(ports, 0, sizeof(ports));
	memset(done_n, 0, sizeof(done_n));
	memset(done_st, 0x55, sizeof(done_st));
	memset(&b1, 0, sizeof(b1));
	memset(&b2, 0, sizeof(b2));
	nports = 1;
	npages = 0;
	pages_freed = gt_ends = 0;
	ndone = nlog = 0;
	waits = 0;
	wait_be = NULL;
	fe_direct = false;
	held_buf = NULL;
	held_len = 0;
	alloc_left = -1;
	unbound_fail = false;
	grants_left = -1;
	fill(disk, sizeof(disk), 1);
	store = xs_store_create(NULL);
	assert_non_null(store);
	xsenv_init(&e0, &x0, 0);
	xsenv_init(&e5, &x5, 5);
	/* The toolstack: domain 5's home and its vbd. */
	assert_int_equal(xenbus_mkdir(x0, XENBUS_NO_TX, HOME), 0);
	assert_int_equal(xenbus_set_perms(x0, XENBUS_NO_TX, HOME, "n5", 3), 0);
	assert_int_equal(xenbus_mkdir(x0, XENBUS_NO_TX, VBD), 0);
	assert_int_equal(
	    xenbus_set_perms(x0, XENBUS_NO_TX, VBD, "n5\0r1\0r2", 9), 0);
	wr(VBD "/virtual-device", "51712");
	wr(VBD "/device-type", "disk");
	wr(VBD "/state", "1");
	bf = malloc(sizeof(*bf));
	assert_non_null(bf);
	return 0;
}

static int teardown(void **state)
{
	unsigned int i;

	blkfront_shutdown(bf);
	free(bf);
	for (i = 0; i < npages; i++)
		if (pages[i].live && !pages[i].user)
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
	struct blkfront_ops ops = base_ops;

	ops.xb = x5;
	if (fe_direct)
		ops.virt_to_mfn = op_virt_to_mfn;
	assert_int_equal(blkfront_init(bf, &ops, "device/vbd/51712"), 0);
}

/* Backend b (domid) up, blkfront connected to it. */
static void connect_to(struct fbe *b, domid_t domid)
{
	be_create(b, domid);
	fe_init();
	settle();
	assert_int_equal(blkfront_state(bf), BLKFRONT_CONNECTING);
	be_connect(b);
	settle();
	assert_true(blkfront_connected(bf));
}

/*
 * The backend, still there, saw the frontend close (a broken ring):
 * Closing, Closed, then InitWait again, as Linux's blkback does; the
 * frontend reconnects.
 */
static void be_restart(struct fbe *b)
{
	settle();
	assert_int_equal(fe_state(), XenbusStateClosed);
	be_state(b, XenbusStateClosing);
	settle();
	be_state(b, XenbusStateClosed);
	settle();
	assert_int_equal(fe_state(), XenbusStateInitialising);
	b->ring = (blkif_back_ring_t){ 0 };
	b->npend = 0;
	b->connected = false;
	be_state(b, XenbusStateInitWait);
	settle();
	assert_int_equal(blkfront_state(bf), BLKFRONT_CONNECTING);
	be_connect(b);
	settle();
	assert_true(blkfront_connected(bf));
}

/* ---- Tests ---- */

#define BUF (2 * BLKFRONT_MAX_SECTORS * SECT)

static uint8_t wbuf[BUF], rbuf[BUF];

static void test_init_errors(void **state)
{
	struct blkfront_ops ops = base_ops;
	uint8_t b[SECT];

	ops.xb = x5;
	ops.done = NULL;
	assert_int_equal(blkfront_init(bf, &ops, "device/vbd/51712"),
			 -XEN_EINVAL);
	ops.done = op_done;
	assert_int_equal(blkfront_init(bf, &ops, ""), -XEN_EINVAL);
	assert_int_equal(blkfront_init(bf, &ops, "device/vbd/51712/"),
			 -XEN_EINVAL);
	/* No such device. */
	assert_int_equal(blkfront_init(bf, &ops, "device/vbd/7"), -XEN_ENOENT);
	wr(VBD "/virtual-device", "xvda");
	assert_int_equal(blkfront_init(bf, &ops, "device/vbd/51712"),
			 -XEN_EINVAL);
	wr(VBD "/virtual-device", "51712");
	/* Out of pages: what was allocated is given back. */
	alloc_left = 5;
	assert_int_equal(blkfront_init(bf, &ops, "device/vbd/51712"),
			 -XEN_ENOMEM);
	assert_int_equal(pages_freed, 5);
	alloc_left = -1;
	assert_int_equal(blkfront_init(bf, &ops, "device/vbd/51712"), 0);
	assert_int_equal(npages, 5 + NPAGES);
	assert_int_equal(blkfront_read(bf, 0, 0, b, CK(0)), -XEN_EINVAL);
	assert_int_equal(
	    blkfront_read(bf, 0, BLKFRONT_MAX_SECTORS + 1, rbuf, CK(0)),
	    -XEN_EINVAL);
	assert_int_equal(blkfront_write(bf, 0, 1, NULL, CK(0)), -XEN_EINVAL);
	assert_int_equal(blkfront_discard(bf, 0, 0, CK(0)), -XEN_EINVAL);
	assert_int_equal(blkfront_pending(bf), 0);
	blkfront_shutdown(bf);
	assert_int_equal(pages_freed, 5 + NPAGES);
	assert_int_equal(blkfront_state(bf), BLKFRONT_CLOSED);
	assert_int_equal(blkfront_read(bf, 0, 1, b, CK(0)), -XEN_ENOTCONN);
	assert_int_equal(ndone, 0);
}

static void test_connect(void **state)
{
	struct blkfront_info in;
	uint8_t b[8 * SECT];

	/* No backend yet: nothing happens but waiting. */
	fe_init();
	settle();
	assert_int_equal(blkfront_state(bf), BLKFRONT_WAIT);
	assert_int_equal(grants_to(1, NULL), 0);
	assert_int_equal(blkfront_port(bf), -1);
	assert_false(blkfront_info(bf, &in));
	/* A request waits for a backend. */
	assert_int_equal(blkfront_read(bf, 64, 8, b, CK(0)), 0);
	assert_int_equal(blkfront_pending(bf), 1);

	/* The backend shows up in InitWait: the ring is published. */
	b1.flush = true;
	b1.indirect = 256; /* more than we take */
	be_create(&b1, 1);
	settle();
	assert_int_equal(blkfront_state(bf), BLKFRONT_CONNECTING);
	assert_int_equal(fe_state(), XenbusStateInitialised);
	assert_int_equal(grants_to(1, NULL), 1); /* the ring page alone */
	assert_false(gt[rd_uint(VBD "/ring-ref")].ro);
	assert_int_equal(blkfront_port(bf), rd_uint(VBD "/event-channel"));
	assert_int_equal(blkfront_backend_id(bf), 1);

	/* Connected once the backend is, with the disk described. */
	be_connect(&b1);
	assert_int_equal(be_take(&b1), 0);
	settle();
	assert_true(blkfront_connected(bf));
	assert_int_equal(fe_state(), XenbusStateConnected);
	assert_true(blkfront_info(bf, &in));
	assert_int_equal(in.sectors, DISK_SECT);
	assert_int_equal(in.sector_size, SECT);
	assert_int_equal(in.info, 0);
	assert_true(in.flush);
	assert_false(in.discard);
	assert_int_equal(in.indirect, BLKFRONT_INDIRECT_SEGS);
	assert_int_equal(blkfront_stats(bf)->connects, 1);

	/* The waiting request went out. */
	assert_int_equal(be_take(&b1), 1);
	assert_true(ports[b1.port].notifies > 0);
	assert_int_equal(blog[0].op, BLKIF_OP_READ);
	assert_int_equal(blog[0].sector, 64);
	assert_int_equal(blog[0].nsect, 8);
	assert_int_equal(blog[0].nseg, 1);
	assert_int_equal(ndone, 0);
	be_answer(&b1, 0, BLKIF_RSP_OKAY);
	assert_int_equal(step(), 1);
	assert_int_equal(done_n[0], 1);
	assert_int_equal(done_st[0], 0);
	assert_memory_equal(b, disk + 64 * SECT, sizeof(b));
	/* Its page is back. */
	assert_int_equal(grants_to(1, NULL), 1);
	assert_int_equal(blkfront_pending(bf), 0);
}

/* Writes then reads of many sizes, from buffers at odd addresses. */
static void test_read_write(void **state)
{
	static const unsigned int counts[] = { 1, 7, 8, 9, 88, 100 };
	unsigned int i, n = sizeof(counts) / sizeof(counts[0]);
	uint64_t sector = 3;

	connect_to(&b1, 1);
	for (i = 0; i < n; i++) {
		fill(wbuf + 3, counts[i] * SECT, 10 + i);
		assert_int_equal(
		    blkfront_write(bf, sector, counts[i], wbuf + 3, CK(i)), 0);
		be_take(&b1);
		while (b1.npend)
			be_answer(&b1, 0, BLKIF_RSP_OKAY);
		step();
		assert_int_equal(done_n[i], 1);
		assert_int_equal(done_st[i], 0);
		assert_memory_equal(disk + sector * SECT, wbuf + 3,
				    counts[i] * SECT);
		memset(rbuf, 0xee, BUF);
		assert_int_equal(
		    blkfront_read(bf, sector, counts[i], rbuf + 5, CK(n + i)),
		    0);
		run(&b1);
		assert_int_equal(done_n[n + i], 1);
		assert_int_equal(done_st[n + i], 0);
		assert_memory_equal(rbuf + 5, wbuf + 3, counts[i] * SECT);
		/* Not a byte beyond the buffer. */
		assert_int_equal(rbuf[4], 0xee);
		assert_int_equal(rbuf[5 + counts[i] * SECT], 0xee);
		sector += counts[i] + 1;
	}
	/* 100 sectors (13 pages) took two direct requests. */
	assert_int_equal(blkfront_stats(bf)->split, 2);
	assert_int_equal(blkfront_stats(bf)->indirect, 0);
	assert_int_equal(blkfront_stats(bf)->completed, 2 * n);
	assert_int_equal(blkfront_stats(bf)->failed, 0);
	/* Every data page is back; only the ring stays granted. */
	assert_int_equal(grants_to(1, NULL), 1);
}

/*
 * The backend offers 32 indirect segments: a request of up to 32 pages
 * is one ring request; a larger one is split, and pages running short
 * make smaller pieces.
 */
static void test_indirect(void **state)
{
	unsigned int i;

	b1.indirect = 32;
	connect_to(&b1, 1);
	fill(wbuf, 256 * SECT, 3);
	assert_int_equal(blkfront_write(bf, 16, 256, wbuf, CK(0)), 0);
	assert_int_equal(be_take(&b1), 1);
	assert_true(blog[0].indirect);
	assert_int_equal(blog[0].op, BLKIF_OP_WRITE);
	assert_int_equal(blog[0].nseg, 32);
	assert_int_equal(blog[0].nsect, 256);
	/* Answered with the indirect op itself: accepted too. */
	b1.npend = 0;
	be_do(&b1, &blog[0]);
	be_rsp(&b1, blog[0].id, BLKIF_OP_INDIRECT, BLKIF_RSP_OKAY);
	step();
	assert_int_equal(done_n[0], 1);
	assert_int_equal(done_st[0], 0);
	assert_memory_equal(disk + 16 * SECT, wbuf, 256 * SECT);

	/*
	 * Two requests of 64 pages take 4 x (32 + 1) pages; a third gets
	 * what is left (LEFT - 1 segments and their list), then the rest.
	 */
	fill(wbuf, BUF, 4);
	assert_int_equal(blkfront_write(bf, 2000, 512, wbuf, CK(3)), 0);
	assert_int_equal(
	    blkfront_write(bf, 2512, 512, wbuf + 512 * SECT, CK(4)), 0);
	assert_int_equal(be_take(&b1), 4);
	fill(wbuf, 512 * SECT, 4);
	assert_int_equal(blkfront_write(bf, 1000, 512, wbuf, CK(1)), 0);
	assert_int_equal(be_take(&b1), 1);
	assert_int_equal(blog[5].nseg, LEFT - 1);
	assert_int_equal(blog[5].sector, 1000);
	be_answer(&b1, 0, BLKIF_RSP_OKAY);
	step();
	assert_int_equal(be_take(&b1), 1);
	assert_int_equal(blog[6].nseg, 32);
	assert_int_equal(blog[6].sector, 1000 + (LEFT - 1) * 8);
	assert_int_equal(done_n[1], 0);
	run(&b1);
	assert_int_equal(done_n[1], 1);
	assert_int_equal(done_st[1], 0);
	assert_memory_equal(disk + 1000 * SECT, wbuf, 512 * SECT);

	memset(rbuf, 0, BUF);
	assert_int_equal(blkfront_read(bf, 1000, 512, rbuf, CK(2)), 0);
	run(&b1);
	assert_int_equal(done_n[2], 1);
	assert_memory_equal(rbuf, wbuf, 512 * SECT);
	for (i = 0; i < nlog; i++)
		assert_true(blog[i].nseg <= 32);
	assert_true(blkfront_stats(bf)->indirect >= 5);
	assert_int_equal(grants_to(1, NULL), 1);
}

/*
 * Every page in flight at once: two requests of 64 pages are four
 * indirect requests of 32 segments, their lists on pages 32, 65, 98 and
 * 131; any page may carry a list, whatever its index.
 */
static void test_indirect_all_pages(void **state)
{
	unsigned int i;

	b1.indirect = 32;
	connect_to(&b1, 1);
	fill(wbuf, BUF, 9);
	assert_int_equal(blkfront_write(bf, 0, 512, wbuf, CK(0)), 0);
	assert_int_equal(blkfront_write(bf, 512, 512, wbuf + 512 * SECT, CK(1)),
			 0);
	assert_int_equal(be_take(&b1), 4);
	for (i = 0; i < 4; i++) {
		assert_true(blog[i].indirect);
		assert_int_equal(blog[i].nseg, 32);
		assert_int_equal(blog[i].sector, 256 * i);
	}
	run(&b1);
	assert_int_equal(done_st[0], 0);
	assert_int_equal(done_st[1], 0);
	assert_memory_equal(disk, wbuf, BUF);
	memset(rbuf, 0, BUF);
	assert_int_equal(blkfront_read(bf, 0, 512, rbuf, CK(2)), 0);
	assert_int_equal(blkfront_read(bf, 512, 512, rbuf + 512 * SECT, CK(3)),
			 0);
	run(&b1);
	assert_int_equal(done_st[2], 0);
	assert_int_equal(done_st[3], 0);
	assert_memory_equal(rbuf, wbuf, BUF);
	assert_int_equal(blkfront_stats(bf)->indirect, 8);
	assert_int_equal(blkfront_stats(bf)->rsp_errors, 0);
}

/* A backend offering fewer indirect segments than we would use. */
static void test_indirect_small(void **state)
{
	b1.indirect = 16;
	connect_to(&b1, 1);
	fill(wbuf, 40 * 8 * SECT, 5);
	assert_int_equal(blkfront_write(bf, 0, 40 * 8, wbuf, CK(0)), 0);
	assert_int_equal(be_take(&b1), 3);
	assert_int_equal(blog[0].nseg, 16);
	assert_int_equal(blog[1].nseg, 16);
	assert_false(blog[2].indirect); /* 8 pages: direct */
	assert_int_equal(blog[2].nseg, 8);
	run(&b1);
	assert_int_equal(done_n[0], 1);
	assert_memory_equal(disk, wbuf, 40 * 8 * SECT);
}

/*
 * No indirect segments: a large request goes as direct ones, in order,
 * and completes once, after the last piece, whatever the order of the
 * answers; an error in one piece is its status.
 */
static void test_split(void **state)
{
	unsigned int i;

	connect_to(&b1, 1);
	fill(wbuf, 512 * SECT, 6);
	assert_int_equal(blkfront_write(bf, 8, 512, wbuf, CK(0)), 0);
	assert_int_equal(be_take(&b1), 6);
	for (i = 0; i < 6; i++) {
		assert_false(blog[i].indirect);
		assert_int_equal(blog[i].sector, 8 + 88 * i);
		assert_int_equal(blog[i].nseg, i < 5 ? 11 : 9);
	}
	for (i = 6; i-- > 1;) {
		be_answer(&b1, i, BLKIF_RSP_OKAY);
		step();
		assert_int_equal(done_n[0], 0);
	}
	be_answer(&b1, 0, BLKIF_RSP_OKAY);
	step();
	assert_int_equal(done_n[0], 1);
	assert_int_equal(done_st[0], 0);
	assert_memory_equal(disk + 8 * SECT, wbuf, 512 * SECT);
	assert_int_equal(blkfront_stats(bf)->split, 1);

	/* A read whose third piece fails. */
	assert_int_equal(blkfront_read(bf, 8, 512, rbuf, CK(1)), 0);
	assert_int_equal(be_take(&b1), 6);
	be_answer(&b1, 2, BLKIF_RSP_ERROR);
	while (b1.npend)
		be_answer(&b1, 0, BLKIF_RSP_OKAY);
	step();
	assert_int_equal(done_n[1], 1);
	assert_int_equal(done_st[1], -XEN_EIO);
	assert_int_equal(blkfront_stats(bf)->rsp_errors, 1);
	assert_int_equal(blkfront_stats(bf)->failed, 1);
	/* The pieces that worked were read. */
	assert_memory_equal(rbuf, wbuf, 2 * 88 * SECT);
	assert_true(blkfront_connected(bf));
}

static void test_flush_discard(void **state)
{
	b1.flush = true;
	b1.discard = true;
	connect_to(&b1, 1);
	fill(wbuf, 8 * SECT, 7);
	assert_int_equal(blkfront_write(bf, 40, 8, wbuf, CK(0)), 0);
	assert_int_equal(blkfront_flush(bf, CK(1)), 0);
	assert_int_equal(blkfront_discard(bf, 100, 5000, CK(2)), 0);
	assert_int_equal(be_take(&b1), 3);
	assert_int_equal(blog[1].op, BLKIF_OP_FLUSH_DISKCACHE);
	assert_int_equal(blog[1].nseg, 0);
	assert_int_equal(blog[2].op, BLKIF_OP_DISCARD);
	assert_int_equal(blog[2].sector, 100);
	assert_int_equal(blog[2].nsect, 5000);
	while (b1.npend)
		be_answer(&b1, 0, BLKIF_RSP_OKAY);
	assert_int_equal(step(), 3);
	assert_int_equal(done_order[0], 0);
	assert_int_equal(done_st[1], 0);
	assert_int_equal(done_st[2], 0);
	assert_true(disk[100 * SECT] == 0 && disk[5099 * SECT + 511] == 0);
	/* The backend may refuse or fail them all the same. */
	assert_int_equal(blkfront_flush(bf, CK(3)), 0);
	assert_int_equal(blkfront_discard(bf, 0, 8, CK(4)), 0);
	be_take(&b1);
	be_answer(&b1, 0, BLKIF_RSP_EOPNOTSUPP);
	be_answer(&b1, 0, BLKIF_RSP_ERROR);
	step();
	assert_int_equal(done_st[3], -XEN_EOPNOTSUPP);
	assert_int_equal(done_st[4], -XEN_EIO);
	assert_int_equal(blkfront_stats(bf)->rsp_errors, 2);
}

/*
 * What this backend cannot do completes with a status, without going
 * on the ring; a bad range is refused at once once the disk is known.
 */
static void test_unsupported(void **state)
{
	uint8_t b[16 * SECT];

	/* Before any backend: accepted, checked when it can be. */
	fe_init();
	assert_int_equal(blkfront_read(bf, DISK_SECT - 1, 2, b, CK(0)), 0);
	b1.info = VDISK_READONLY;
	b1.sector_size = 4096;
	be_create(&b1, 1);
	settle();
	be_connect(&b1);
	settle();
	assert_true(blkfront_connected(bf));
	assert_int_equal(done_n[0], 1);
	assert_int_equal(done_st[0], -XEN_EINVAL);
	assert_int_equal(blkfront_flush(bf, CK(1)), 0);
	assert_int_equal(blkfront_discard(bf, 0, 8, CK(2)), 0);
	assert_int_equal(blkfront_write(bf, 0, 8, b, CK(3)), 0);
	assert_int_equal(step(), 3);
	assert_int_equal(done_st[1], -XEN_EOPNOTSUPP);
	assert_int_equal(done_st[2], -XEN_EOPNOTSUPP);
	assert_int_equal(done_st[3], -XEN_EROFS);
	/* Beyond the end, or not aligned to 4096-byte sectors. */
	assert_int_equal(blkfront_read(bf, DISK_SECT - 8, 16, b, CK(4)),
			 -XEN_EINVAL);
	assert_int_equal(blkfront_read(bf, 4, 8, b, CK(4)), -XEN_EINVAL);
	assert_int_equal(blkfront_read(bf, 8, 4, b, CK(4)), -XEN_EINVAL);
	assert_int_equal(blkfront_read(bf, DISK_SECT - 8, 8, b, CK(4)), 0);
	run(&b1);
	assert_int_equal(done_st[4], 0);
	assert_memory_equal(b, disk + (DISK_SECT - 8) * SECT, 8 * SECT);
	assert_int_equal(nlog, 1);
	assert_int_equal(blkfront_stats(bf)->failed, 4);
}

/*
 * More than the ring holds, and more than the pages hold: the rest
 * waits and goes out in order as answers come; the queue is bounded.
 */
#define FIT    (BLKFRONT_PAGES / 11)
#define WRITES (FIT + 2)
_Static_assert(BLKFRONT_PAGES % 11 && 40 + WRITES <= 100, "a short piece");

static void test_queue(void **state)
{
	static uint8_t b[40][SECT], wq[WRITES][88 * SECT];
	unsigned int i, n;

	connect_to(&b1, 1);
	for (i = 0; i < 40; i++)
		assert_int_equal(blkfront_read(bf, i, 1, b[i], CK(i)), 0);
	assert_int_equal(be_take(&b1), BLKFRONT_RING_SLOTS);
	while (b1.npend)
		be_answer(&b1, 0, BLKIF_RSP_OKAY);
	assert_int_equal(step(), BLKFRONT_RING_SLOTS);
	assert_int_equal(be_take(&b1), 8);
	run(&b1);
	for (i = 0; i < 40; i++) {
		assert_int_equal(done_n[i], 1);
		assert_int_equal(done_order[i], i);
		assert_int_equal(blog[i].sector, i);
		assert_memory_equal(b[i], disk + i * SECT, SECT);
	}

	/* Writes of 11 pages: FIT fill the pages, and the rest the next. */
	nlog = 0;
	for (i = 0; i < WRITES; i++) {
		fill(wq[i], sizeof(wq[i]), 20 + i);
		assert_int_equal(
		    blkfront_write(bf, 2000 + i * 88, 88, wq[i], CK(40 + i)),
		    0);
	}
	assert_int_equal(be_take(&b1), FIT + 1);
	assert_int_equal(blog[FIT].nseg, BLKFRONT_PAGES - FIT * 11);
	run(&b1);
	for (i = 0; i < nlog; i++)
		if (i)
			assert_true(blog[i].sector > blog[i - 1].sector);
	for (i = 0; i < WRITES; i++) {
		assert_int_equal(done_n[40 + i], 1);
		assert_memory_equal(disk + (2000 + i * 88) * SECT, wq[i],
				    sizeof(wq[i]));
	}

	/* The queue is bounded: the backend answers nothing for now. */
	for (n = 0; n < BLKFRONT_QUEUE; n++)
		assert_int_equal(blkfront_read(bf, 0, 1, b[0], CK(100)), 0);
	assert_int_equal(blkfront_read(bf, 0, 1, b[0], CK(100)), -XEN_ENOBUFS);
	assert_int_equal(blkfront_stats(bf)->rejected, 1);
	assert_int_equal(blkfront_pending(bf), BLKFRONT_QUEUE);
	run(&b1);
	assert_int_equal(done_n[100], BLKFRONT_QUEUE);
	assert_int_equal(blkfront_pending(bf), 0);
}

/* Two reads in flight, taken by b1; returns their ids. */
static void two_reads(uint8_t (*b)[SECT])
{
	assert_int_equal(blkfront_read(bf, 10, 1, b[0], CK(0)), 0);
	assert_int_equal(blkfront_read(bf, 11, 1, b[1], CK(1)), 0);
	assert_int_equal(be_take(&b1), 2);
}

/* After a broken ring: both reads again, each completed once. */
static void two_reads_again(uint8_t (*b)[SECT], unsigned int n)
{
	assert_int_equal(blkfront_stats(bf)->ring_broken, 1);
	assert_false(blkfront_connected(bf));
	assert_int_equal(grants_to(1, NULL), 0);
	be_restart(&b1);
	assert_int_equal(be_take(&b1), n);
	while (b1.npend)
		be_answer(&b1, 0, BLKIF_RSP_OKAY);
	step();
	assert_int_equal(done_n[0], 1);
	assert_int_equal(done_n[1], 1);
	assert_int_equal(done_st[0], 0);
	assert_int_equal(done_st[1], 0);
	assert_memory_equal(b[0], disk + 10 * SECT, SECT);
	assert_memory_equal(b[1], disk + 11 * SECT, SECT);
	assert_int_equal(blkfront_stats(bf)->connects, 2);
}

static void test_bad_id(void **state)
{
	uint8_t b[2][SECT];

	connect_to(&b1, 1);
	two_reads(b);
	be_rsp(&b1, b1.pend[0].id ^ (1ull << 40), BLKIF_OP_READ, 0);
	step();
	assert_int_equal(blkfront_stats(bf)->bad_rsp, 1);
	assert_int_equal(ndone, 0);
	two_reads_again(b, 2);
}

static void test_bad_op(void **state)
{
	uint8_t b[2][SECT];

	connect_to(&b1, 1);
	two_reads(b);
	be_rsp(&b1, b1.pend[1].id, BLKIF_OP_WRITE, 0);
	step();
	assert_int_equal(blkfront_stats(bf)->bad_rsp, 1);
	two_reads_again(b, 2);
}

/* A second answer to the same request: the first one counts. */
static void test_duplicate_rsp(void **state)
{
	uint8_t b[2][SECT];
	uint64_t id;

	connect_to(&b1, 1);
	two_reads(b);
	id = b1.pend[0].id;
	be_answer(&b1, 0, BLKIF_RSP_OKAY);
	be_rsp(&b1, id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	step();
	assert_int_equal(done_n[0], 1);
	assert_int_equal(blkfront_stats(bf)->bad_rsp, 1);
	two_reads_again(b, 1);
	assert_int_equal(blog[2].sector, 11);
}

static void test_bad_status(void **state)
{
	uint8_t b[2][SECT];

	connect_to(&b1, 1);
	two_reads(b);
	be_rsp(&b1, b1.pend[0].id, BLKIF_OP_READ, 7);
	step();
	assert_int_equal(blkfront_stats(bf)->bad_rsp, 1);
	two_reads_again(b, 2);
}

/* A producer index beyond the requests made. */
static void test_bad_prod(void **state)
{
	uint8_t b[2][SECT];

	connect_to(&b1, 1);
	two_reads(b);
	b1.ring.sring->rsp_prod += 3;
	step();
	assert_int_equal(blkfront_stats(bf)->bad_rsp, 0);
	two_reads_again(b, 2);
}

/*
 * The backend's domain dies with requests in flight, two writes of them
 * acknowledged out of order; another backend, in domain 2, takes over.
 * What was not acknowledged goes to it again, once, in the order it
 * first went out, before what was submitted meanwhile; the
 * acknowledged writes do not; each completion runs once.
 */
static void test_new_backend(void **state)
{
	static uint8_t w[5][16 * SECT], r[16 * SECT];
	uint64_t sect[] = { 0, 100, 200, 300 };
	unsigned int i, k;

	b1.flush = b2.flush = true;
	connect_to(&b1, 1);
	for (i = 0; i < 4; i++) {
		fill(w[i], sizeof(w[i]), 40 + i);
		assert_int_equal(blkfront_write(bf, sect[i], 16, w[i], CK(i)),
				 0);
	}
	assert_int_equal(blkfront_flush(bf, CK(4)), 0);
	assert_int_equal(blkfront_read(bf, 1000, 16, r, CK(5)), 0);
	assert_int_equal(be_take(&b1), 6);
	be_answer(&b1, 3, BLKIF_RSP_OKAY); /* write 3 */
	be_answer(&b1, 1, BLKIF_RSP_OKAY); /* write 1 */
	assert_int_equal(step(), 2);
	assert_int_equal(done_n[1], 1);
	assert_int_equal(done_n[3], 1);
	/* Someone wrote over write 1's sectors since: not to be undone. */
	memset(disk + 100 * SECT, 0x77, 16 * SECT);

	be_destroy(&b1);
	settle();
	assert_int_equal(blkfront_state(bf), BLKFRONT_WAIT);
	assert_int_equal(fe_state(), XenbusStateInitialising);
	assert_int_equal(grants_to(1, NULL), 0);
	assert_int_equal(blkfront_port(bf), -1);
	assert_int_equal(blkfront_stats(bf)->reissued, 4);
	fill(w[4], sizeof(w[4]), 50);
	assert_int_equal(blkfront_write(bf, 400, 16, w[4], CK(6)), 0);
	/* The backend stays away a while: nothing fails meanwhile. */
	for (i = 0; i < 200; i++)
		assert_int_equal(step(), 0);
	assert_int_equal(ndone, 2);
	assert_int_equal(blkfront_pending(bf), 5);
	assert_int_equal(blkfront_stats(bf)->failed, 0);
	assert_int_equal(blkfront_stats(bf)->store_errors, 0);
	assert_int_equal(blkfront_stats(bf)->connect_errors, 0);

	be_create(&b2, 2);
	settle();
	assert_int_equal(blkfront_state(bf), BLKFRONT_CONNECTING);
	assert_int_equal(blkfront_backend_id(bf), 2);
	assert_int_equal(grants_to(2, NULL), 1);
	be_connect(&b2); /* a fresh ring, and the port is 2's */
	settle();
	assert_true(blkfront_connected(bf));
	k = nlog;
	assert_int_equal(be_take(&b2), 5);
	assert_int_equal(blog[k].op, BLKIF_OP_WRITE);
	assert_int_equal(blog[k].sector, 0);
	assert_int_equal(blog[k + 1].op, BLKIF_OP_WRITE);
	assert_int_equal(blog[k + 1].sector, 200);
	assert_int_equal(blog[k + 2].op, BLKIF_OP_FLUSH_DISKCACHE);
	assert_int_equal(blog[k + 3].op, BLKIF_OP_READ);
	assert_int_equal(blog[k + 3].sector, 1000);
	assert_int_equal(blog[k + 4].sector, 400);
	/* Answered in reverse, each completes once. */
	while (b2.npend)
		be_answer(&b2, b2.npend - 1, BLKIF_RSP_OKAY);
	assert_int_equal(step(), 5);
	for (i = 0; i < 7; i++) {
		assert_int_equal(done_n[i], 1);
		assert_int_equal(done_st[i], 0);
	}
	assert_int_equal(settle(), 0);
	assert_int_equal(be_take(&b2), 0);
	assert_memory_equal(disk + 0 * SECT, w[0], 16 * SECT);
	assert_memory_equal(disk + 200 * SECT, w[2], 16 * SECT);
	assert_memory_equal(disk + 300 * SECT, w[3], 16 * SECT);
	assert_memory_equal(disk + 400 * SECT, w[4], 16 * SECT);
	assert_int_equal(disk[100 * SECT], 0x77);
	assert_memory_equal(r, disk + 1000 * SECT, sizeof(r));
	assert_int_equal(blkfront_stats(bf)->connects, 2);
	assert_int_equal(blkfront_stats(bf)->disconnects, 1);
	assert_int_equal(blkfront_stats(bf)->grants_leaked, 0);
	assert_int_equal(npages, NPAGES); /* no page replaced */
}

/*
 * An indirect request in flight when the backend goes; the next one has
 * no indirect segments: the same sectors go again as direct requests.
 */
static void test_reissue_resplit(void **state)
{
	b1.indirect = 32;
	connect_to(&b1, 1);
	fill(wbuf, 256 * SECT, 60);
	assert_int_equal(blkfront_write(bf, 512, 256, wbuf, CK(0)), 0);
	assert_int_equal(be_take(&b1), 1);
	assert_true(blog[0].indirect);
	be_destroy(&b1);
	settle();
	be_create(&b2, 2);
	settle();
	be_connect(&b2);
	settle();
	assert_int_equal(be_take(&b2), 3);
	assert_int_equal(blog[1].sector, 512);
	assert_int_equal(blog[2].sector, 512 + 88);
	assert_int_equal(blog[3].sector, 512 + 176);
	assert_int_equal(blog[3].nseg, 10);
	assert_false(blog[1].indirect || blog[2].indirect || blog[3].indirect);
	run(&b2);
	assert_int_equal(done_n[0], 1);
	assert_int_equal(done_st[0], 0);
	assert_memory_equal(disk + 512 * SECT, wbuf, 256 * SECT);
}

/* A backend that never comes back: requests wait, nothing piles up. */
static void test_backend_gone(void **state)
{
	uint8_t b[3][SECT];
	unsigned int i;

	connect_to(&b1, 1);
	for (i = 0; i < 3; i++)
		assert_int_equal(blkfront_read(bf, i, 1, b[i], CK(i)), 0);
	assert_int_equal(be_take(&b1), 3);
	be_destroy(&b1);
	wr(VBD "/backend-id", "9"); /* the toolstack gives up on it */
	for (i = 0; i < 1000; i++)
		assert_int_equal(step(), 0);
	assert_int_equal(blkfront_state(bf), BLKFRONT_WAIT);
	assert_int_equal(blkfront_pending(bf), 3);
	assert_int_equal(blkfront_stats(bf)->failed, 0);
	assert_int_equal(blkfront_stats(bf)->store_errors, 0);
	assert_int_equal(blkfront_stats(bf)->connect_errors, 0);
	assert_int_equal(blkfront_stats(bf)->ring_broken, 0);
	assert_int_equal(ndone, 0);
	/* Closing the device ends them, once each, in order. */
	blkfront_shutdown(bf);
	assert_int_equal(ndone, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(done_order[i], i);
		assert_int_equal(done_st[i], -XEN_ENOTCONN);
	}
	blkfront_shutdown(bf);
	assert_int_equal(ndone, 3);
}

/* The grant-table entry of the page behind data segment 0 of q. */
static grant_ref_t seg_ref(const struct breq *q)
{
	return q->seg[0].gref;
}

/*
 * A backend that keeps a data page mapped after answering: the page is
 * retried, then leaked and counted, and a fresh one takes its place;
 * one released in time is not leaked. At a disconnect, the next backend
 * waits until the old one's grants are back or given up on.
 */
static void test_busy_grant(void **state)
{
	grant_ref_t ref, ref2, ring;
	unsigned int i, polls = 0;
	uint8_t b[8 * SECT];

	connect_to(&b1, 1);
	assert_int_equal(blkfront_read(bf, 0, 8, b, CK(0)), 0);
	assert_int_equal(blkfront_read(bf, 8, 8, b, CK(1)), 0);
	assert_int_equal(be_take(&b1), 2);
	ref = seg_ref(&b1.pend[0]);
	ref2 = seg_ref(&b1.pend[1]);
	gt[ref].busy = gt[ref2].busy = 1;
	be_answer(&b1, 0, BLKIF_RSP_OKAY);
	be_answer(&b1, 0, BLKIF_RSP_OKAY);
	assert_int_equal(step(), 2); /* the answers count all the same */
	assert_int_equal(grants_to(1, NULL), 3);
	for (i = 0; i < 10; i++)
		step();
	gt[ref2].busy = 0; /* released in time */
	for (i = 0; i < BLKFRONT_END_TRIES; i++)
		step();
	assert_int_equal(blkfront_stats(bf)->grants_leaked, 1);
	assert_true(gt[ref].used);
	assert_false(gt[ref2].used);
	/* Every page in use at once: the leaked one was replaced. */
	fill(wbuf, 512 * SECT, 9);
	assert_int_equal(blkfront_write(bf, 0, 512, wbuf, CK(2)), 0);
	assert_int_equal(be_take(&b1), 6);
	assert_int_equal(npages, NPAGES + 1);
	for (i = 0; i < GT_MAX; i++)
		if (gt[i].used && i != ref)
			assert_true(gt[i].mfn != gt[ref].mfn);

	/* The backend dies holding the ring and a data page. */
	ring = (grant_ref_t)rd_uint(VBD "/ring-ref");
	gt[ring].busy = 1;
	ref = seg_ref(&b1.pend[0]);
	gt[ref].busy = 1;
	be_destroy(&b1);
	be_create(&b2, 2);
	settle();
	assert_int_equal(blkfront_state(bf), BLKFRONT_DRAINING);
	assert_int_equal(grants_to(2, NULL), 0);
	gt[ring].busy = 0;
	while (blkfront_state(bf) == BLKFRONT_DRAINING) {
		step();
		assert_true(++polls <= BLKFRONT_END_TRIES);
	}
	settle();
	assert_int_equal(blkfront_stats(bf)->grants_leaked, 2);
	assert_int_equal(blkfront_state(bf), BLKFRONT_CONNECTING);
	assert_int_equal(grants_to(1, NULL), 2); /* the leaked pages */
	be_connect(&b2);
	settle();
	run(&b2);
	assert_int_equal(done_n[2], 1);
	assert_int_equal(done_st[2], 0);
	assert_memory_equal(disk, wbuf, 512 * SECT);
	/* Shutdown frees every page but the leaked ones. */
	blkfront_shutdown(bf);
	assert_int_equal(pages_freed, npages - 2);
	assert_int_equal(grants_to(2, NULL), 0);
}

/* ---- Direct requests: the caller's pages granted as they are ---- */

#define DPAGES BLKFRONT_REQ_UNITS
static uint8_t dw[DPAGES * PAGE] __attribute__((aligned(PAGE)));
static uint8_t dr[DPAGES * PAGE] __attribute__((aligned(PAGE)));
static uint8_t ds[2 * PAGE] __attribute__((aligned(PAGE)));

/* The page the backend reaches through segment i of q. */
static const uint8_t *seg_page(const struct fbe *b, const struct breq *q,
			       unsigned int i)
{
	assert_int_equal(gt[q->seg[i].gref].domid, b->domid);
	return fpage_va(gt[q->seg[i].gref].mfn);
}

/* Each segment of log entries k..end-1 is buf's page for its sectors. */
static void assert_segs_are(const struct fbe *b, unsigned int k,
			    unsigned int end, const uint8_t *buf,
			    uint64_t sector0)
{
	unsigned int i;

	for (; k < end; k++)
		for (i = 0; i < blog[k].nseg; i++) {
			uint64_t s = blog[k].sector + i * 8u - sector0;

			assert_ptr_equal(seg_page(b, &blog[k], i),
					 buf + s * SECT);
			assert_int_equal(blog[k].seg[i].first_sect, 0);
			assert_int_equal(blog[k].seg[i].last_sect, 7);
		}
}

/*
 * A page-aligned buffer of whole pages: the backend reaches the caller's
 * own frames (read-only for a write), nothing is copied, and every grant
 * is back when the request completes.
 */
static void test_direct_aligned(void **state)
{
	unsigned int before;

	fe_direct = true;
	b1.indirect = 32;
	connect_to(&b1, 1);
	before = npages;
	fill(dw, sizeof(dw), 70);
	held_buf = dw;
	held_len = sizeof(dw);
	assert_int_equal(blkfront_write(bf, 64, 512, dw, CK(0)), 0);
	assert_int_equal(be_take(&b1), 2);
	assert_true(blog[0].indirect && blog[1].indirect);
	assert_segs_are(&b1, 0, 2, dw, 64); /* be_parse checked read-only */
	assert_int_equal(npages, before + DPAGES); /* a frame a page */
	run(&b1);
	assert_int_equal(done_n[0], 1);
	assert_int_equal(done_st[0], 0);
	assert_memory_equal(disk + 64 * SECT, dw, sizeof(dw));

	memset(dr, 0xee, sizeof(dr));
	held_buf = dr;
	held_len = sizeof(dr);
	assert_int_equal(blkfront_read(bf, 64, 512, dr, CK(1)), 0);
	/* And a small one: a direct ring request of the caller's pages. */
	assert_int_equal(blkfront_read(bf, 8, 16, ds, CK(2)), 0);
	assert_int_equal(be_take(&b1), 3);
	assert_segs_are(&b1, 2, 4, dr, 64);
	assert_false(blog[4].indirect);
	assert_segs_are(&b1, 4, 5, ds, 8);
	run(&b1);
	assert_int_equal(done_n[1], 1);
	assert_int_equal(done_n[2], 1);
	assert_memory_equal(dr, dw, sizeof(dr));
	assert_memory_equal(ds, disk + 8 * SECT, sizeof(ds));
	assert_int_equal(blkfront_stats(bf)->direct, 3);
	assert_int_equal(blkfront_stats(bf)->failed, 0);
	assert_int_equal(grants_to(1, NULL), 1); /* the ring */
}

/*
 * Without whole aligned pages (or without ops.virt_to_mfn) the data goes
 * through blkfront's own pages, as before.
 */
static void test_direct_unaligned(void **state)
{
	unsigned int i, k = 0;

	fe_direct = true;
	connect_to(&b1, 1);
	fill(wbuf + 3, 16 * SECT, 71);
	assert_int_equal(blkfront_write(bf, 0, 16, wbuf + 3, CK(0)), 0);
	fill(dw, 9 * SECT, 72);
	assert_int_equal(blkfront_write(bf, 100, 9, dw, CK(1)), 0);
	assert_int_equal(blkfront_read(bf, 100, 9, dr, CK(2)), 0);
	assert_int_equal(be_take(&b1), 3);
	for (; k < nlog; k++)
		for (i = 0; i < blog[k].nseg; i++) {
			unsigned long mfn = gt[blog[k].seg[i].gref].mfn;

			assert_false(pages[mfn - MFN0].user);
		}
	run(&b1);
	assert_int_equal(npages, NPAGES); /* no caller page took a frame */
	for (i = 0; i < 3; i++)
		assert_int_equal(done_st[i], 0);
	assert_memory_equal(disk, wbuf + 3, 16 * SECT);
	assert_memory_equal(dr, dw, 9 * SECT);
	assert_int_equal(blkfront_stats(bf)->direct, 0);
}

/*
 * The backend goes with direct requests in flight: the next one is
 * granted the same caller pages and the requests go again; the old
 * backend's grants are taken back first. A read whose page the dead
 * backend still maps waits for that grant, even once answered anew.
 */
static void test_direct_reconnect(void **state)
{
	grant_ref_t held;
	unsigned int i, k;

	fe_direct = true;
	b1.indirect = b2.indirect = 32;
	connect_to(&b1, 1);
	fill(dw, sizeof(dw), 73);
	fill(disk + 2048 * SECT, 16 * PAGE, 74);
	memset(dr, 0xee, sizeof(dr));
	assert_int_equal(blkfront_write(bf, 1024, 512, dw, CK(0)), 0);
	assert_int_equal(blkfront_read(bf, 2048, 128, dr, CK(1)), 0);
	assert_int_equal(be_take(&b1), 3);
	be_answer(&b1, 1, BLKIF_RSP_OKAY); /* the write's second half */
	assert_int_equal(step(), 0);
	/* The write's first half and the read are in flight. */
	assert_int_equal(b1.npend, 2);
	assert_int_equal(b1.pend[1].op, BLKIF_OP_READ);
	held = b1.pend[1].seg[3].gref;
	gt[held].busy = 1; /* b1 dies mapping a page of the read */

	be_destroy(&b1);
	be_create(&b2, 2);
	for (i = 0; blkfront_state(bf) == BLKFRONT_DRAINING || i < 6; i++) {
		step();
		assert_true(i <= BLKFRONT_END_TRIES + 6);
	}
	assert_int_equal(blkfront_state(bf), BLKFRONT_CONNECTING);
	assert_int_equal(grants_to(1, NULL), 1); /* the one still mapped */
	be_connect(&b2);
	settle();
	k = nlog;
	assert_int_equal(be_take(&b2), 2);
	assert_int_equal(blog[k].op, BLKIF_OP_WRITE);
	assert_int_equal(blog[k].nseg, 32);
	assert_segs_are(&b2, k, k + 1, dw, 1024);
	assert_int_equal(blog[k + 1].op, BLKIF_OP_READ);
	assert_segs_are(&b2, k + 1, k + 2, dr, 2048);
	run(&b2);
	held_buf = dr;
	held_len = 16 * PAGE;
	assert_int_equal(done_n[0], 1);
	assert_int_equal(done_st[0], 0);
	assert_memory_equal(disk + 1024 * SECT, dw, sizeof(dw));
	/* Answered, but b1's grant of one of its pages is not back. */
	for (i = 0; i < 2 * BLKFRONT_END_TRIES; i++)
		assert_int_equal(step(), 0);
	assert_int_equal(done_n[1], 0);
	assert_true(gt[held].used);
	gt[held].busy = 0;
	assert_int_equal(step(), 1);
	assert_int_equal(done_n[1], 1);
	assert_int_equal(done_st[1], 0);
	assert_false(gt[held].used);
	assert_memory_equal(dr, disk + 2048 * SECT, 16 * PAGE);
	assert_int_equal(grants_to(1, NULL), 0);
	assert_int_equal(grants_to(2, NULL), 1);
	assert_int_equal(blkfront_stats(bf)->grants_leaked, 0);
	assert_int_equal(blkfront_stats(bf)->reissued, 2);
}

/*
 * A backend that keeps grants: the registered buffer's pages are granted
 * once and named by every request in them, the pool's pages stay granted
 * between requests, nothing is granted or ended per request; a caller's
 * aligned pages outside the buffer go through the pool. A new backend
 * gets every page granted afresh once the old grants are back.
 */
static void test_persistent(void **state)
{
	unsigned int g, ends;

	fe_direct = true;
	b1.indirect = b2.indirect = 32;
	b1.persistent = b2.persistent = true;
	connect_to(&b1, 1);
	assert_int_equal(blkfront_register(bf, dw + 1, PAGE), -XEN_EINVAL);
	assert_int_equal(blkfront_register(bf, dw, 0), -XEN_EINVAL);
	assert_int_equal(
	    blkfront_register(bf, dw, (BLKFRONT_REG_PAGES + 1) * PAGE),
	    -XEN_EINVAL);
	assert_int_equal(blkfront_register(bf, dw, sizeof(dw)), 0);
	assert_int_equal(blkfront_register(bf, dr, PAGE), -XEN_EEXIST);
	fill(dw, sizeof(dw), 80);
	assert_int_equal(blkfront_write(bf, 64, 512, dw, CK(0)), 0);
	run(&b1);
	assert_int_equal(done_st[0], 0);
	assert_memory_equal(disk + 64 * SECT, dw, sizeof(dw));
	/* The ring, the 64 pages, the two lists' pool pages: all kept. */
	g = grants_to(1, NULL);
	assert_int_equal(g, 1 + DPAGES + 2);
	ends = gt_ends;
	assert_segs_are(&b1, 0, 2, dw, 64);
	/* Again, reading into the buffer's second half: nothing new. */
	memset(dw + sizeof(dw) / 2, 0, sizeof(dw) / 2);
	assert_int_equal(blkfront_read(bf, 64, 256, dw + sizeof(dw) / 2, CK(1)),
			 0);
	run(&b1);
	assert_int_equal(done_st[1], 0);
	assert_memory_equal(dw + sizeof(dw) / 2, disk + 64 * SECT,
			    sizeof(dw) / 2);
	assert_int_equal(grants_to(1, NULL), g);
	assert_int_equal(gt_ends, ends);
	assert_int_equal(blkfront_stats(bf)->registered, 3);
	/* Aligned but not registered: the pool's (kept) pages, copied. */
	fill(ds, sizeof(ds), 81);
	assert_int_equal(blkfront_write(bf, 8, 16, ds, CK(2)), 0);
	assert_int_equal(blkfront_read(bf, 8, 16, dr, CK(3)), 0);
	run(&b1);
	assert_int_equal(done_st[2], 0);
	assert_int_equal(done_st[3], 0);
	assert_memory_equal(dr, ds, sizeof(ds));
	for (unsigned int k = 3; k < nlog; k++)
		for (unsigned int i = 0; i < blog[k].nseg; i++)
			assert_false(
			    pages[gt[blog[k].seg[i].gref].mfn - MFN0].user);
	assert_int_equal(gt_ends, ends);
	g = grants_to(1, NULL);
	/* b1 goes with a write in flight: all of its grants come back. */
	fill(dw, PAGE, 82);
	assert_int_equal(blkfront_write(bf, 200, 8, dw, CK(4)), 0);
	assert_int_equal(be_take(&b1), 1);
	be_destroy(&b1);
	be_create(&b2, 2);
	for (unsigned int i = 0; blkfront_state(bf) != BLKFRONT_CONNECTING;
	     i++) {
		step();
		assert_true(i <= 12);
	}
	assert_int_equal(grants_to(1, NULL), 0);
	assert_int_equal(gt_ends, ends + g);
	be_connect(&b2);
	settle();
	run(&b2);
	assert_int_equal(done_n[4], 1);
	assert_int_equal(done_st[4], 0);
	assert_memory_equal(disk + 200 * SECT, dw, PAGE);
	assert_int_equal(grants_to(2, NULL), 2); /* the ring, one page */
	/* Ring requests: the last write went out to each backend. */
	assert_int_equal(blkfront_stats(bf)->registered, 5);
	assert_int_equal(blkfront_stats(bf)->grants_leaked, 0);
}

/*
 * A read completes only once its grants are taken back: a backend that
 * answers and keeps a page mapped holds it, however long (the caller's
 * page is never given up on); closing the device gives up on it.
 */
static void test_direct_read_held(void **state)
{
	grant_ref_t ref;
	unsigned int i;

	fe_direct = true;
	connect_to(&b1, 1);
	held_buf = dr;
	held_len = 8 * PAGE;
	assert_int_equal(blkfront_read(bf, 0, 64, dr, CK(0)), 0);
	assert_int_equal(blkfront_read(bf, 64, 8, dr + 8 * PAGE, CK(1)), 0);
	assert_int_equal(be_take(&b1), 2);
	ref = b1.pend[0].seg[5].gref;
	gt[ref].busy = 1;
	be_answer(&b1, 0, BLKIF_RSP_OKAY);
	assert_int_equal(step(), 0);
	for (i = 0; i < 3 * BLKFRONT_END_TRIES; i++)
		assert_int_equal(step(), 0);
	assert_int_equal(done_n[0], 0);
	assert_true(gt[ref].used);
	assert_int_equal(blkfront_stats(bf)->grants_leaked, 0);
	gt[ref].busy = 0;
	assert_int_equal(step(), 1);
	assert_int_equal(done_n[0], 1);
	assert_int_equal(done_st[0], 0);
	assert_memory_equal(dr, disk, 8 * PAGE);

	/* Still mapped at shutdown: given up on, counted; the data came. */
	ref = b1.pend[0].seg[0].gref;
	gt[ref].busy = 1;
	be_answer(&b1, 0, BLKIF_RSP_OKAY);
	assert_int_equal(step(), 0);
	held_buf = NULL;
	blkfront_shutdown(bf);
	assert_int_equal(done_n[1], 1);
	assert_int_equal(done_st[1], 0);
	assert_int_equal(blkfront_stats(bf)->grants_leaked, 1);
	gt[ref].busy = 0;
}

static int nested_rc = 1;
static bool nested;

static void op_done_nested(void *env, void *cookie, int status)
{
	uint8_t b[SECT];

	op_done(env, cookie, status);
	if (nested) {
		nested = false;
		nested_rc = blkfront_read_sync(bf, 0, 1, b);
	}
}

/* The blocking helpers, for guests without an event loop of their own. */
static void test_sync(void **state)
{
	struct blkfront_ops ops = base_ops;
	uint8_t b[16 * SECT];

	connect_to(&b1, 1);
	wait_be = &b1;
	fill(wbuf, 16 * SECT, 70);
	assert_int_equal(blkfront_write_sync(bf, 30, 16, wbuf), 0);
	assert_memory_equal(disk + 30 * SECT, wbuf, 16 * SECT);
	assert_int_equal(blkfront_read_sync(bf, 30, 16, b), 0);
	assert_memory_equal(b, wbuf, 16 * SECT);
	assert_int_equal(blkfront_flush_sync(bf), -XEN_EOPNOTSUPP);
	assert_int_equal(blkfront_read_sync(bf, 30, 0, b), -XEN_EINVAL);
	assert_int_equal(ndone, 0); /* not through ops.done */
	assert_true(waits > 0);

	/* Not from inside a completion. */
	blkfront_shutdown(bf);
	ops.xb = x5;
	ops.done = op_done_nested;
	nested = true;
	assert_int_equal(blkfront_init(bf, &ops, "device/vbd/51712"), 0);
	be_state(&b1, XenbusStateClosed);
	settle();
	be_state(&b1, XenbusStateInitWait);
	settle();
	be_connect(&b1);
	settle();
	assert_int_equal(blkfront_read(bf, 0, 1, b, CK(0)), 0);
	run(&b1);
	assert_int_equal(nested_rc, -XEN_EBUSY);
	assert_int_equal(done_n[0], 1);

	/* Without ops.wait. */
	blkfront_shutdown(bf);
	ops.done = op_done;
	ops.wait = NULL;
	assert_int_equal(blkfront_init(bf, &ops, "device/vbd/51712"), 0);
	assert_int_equal(blkfront_read_sync(bf, 0, 1, b), -XEN_EINVAL);
}

/*
 * A connection attempt that fails is undone (no grant left) and not
 * retried on every poll, only when the store changes again; a backend
 * that says Connected without describing the disk is not used.
 */
static void test_connect_failure(void **state)
{
	uint64_t errs;

	unbound_fail = true;
	be_create(&b1, 1);
	fe_init();
	settle();
	errs = blkfront_stats(bf)->connect_errors;
	assert_true(errs >= 1 && errs <= 3);
	assert_int_equal(blkfront_state(bf), BLKFRONT_WAIT);
	assert_int_equal(grants_to(1, NULL), 0);
	assert_int_equal(fe_state(), XenbusStateInitialising);
	settle();
	assert_int_equal(blkfront_stats(bf)->connect_errors, errs);
	unbound_fail = false;
	be_state(&b1, XenbusStateInitWait);
	settle();
	assert_int_equal(blkfront_state(bf), BLKFRONT_CONNECTING);

	/* Connected, but no "sectors". */
	be_state(&b1, XenbusStateConnected);
	settle();
	assert_int_equal(blkfront_stats(bf)->connect_errors, errs + 1);
	assert_false(blkfront_connected(bf));
	assert_int_equal(grants_to(1, NULL), 0);
	assert_int_equal(fe_state(), XenbusStateClosed);
	be_restart(&b1);
	assert_int_equal(blkfront_stats(bf)->connects, 1);
}

/*
 * The grant table runs out: what cannot be granted waits, whatever was
 * granted for it is taken back, and it goes out once grants are there.
 */
static void test_grants_run_out(void **state)
{
	uint8_t b[16 * SECT];

	connect_to(&b1, 1);
	fill(b, sizeof(b), 80);
	grants_left = 1;
	assert_int_equal(blkfront_write(bf, 64, 16, b, CK(0)), 0);
	settle();
	assert_int_equal(be_take(&b1), 0);
	assert_int_equal(grants_to(1, NULL), 1); /* the ring alone */
	assert_int_equal(blkfront_pending(bf), 1);
	grants_left = -1;
	step();
	assert_int_equal(be_take(&b1), 1);
	assert_int_equal(blog[0].nseg, 2);
	run(&b1);
	assert_int_equal(done_n[0], 1);
	assert_int_equal(done_st[0], 0);
	assert_memory_equal(disk + 64 * SECT, b, sizeof(b));
}

/*
 * backend-id changes under the same path: a backend in another domain.
 * Its features are read afresh; ones it writes oddly count as absent.
 */
static void test_backend_id_change(void **state)
{
	struct blkfront_info in;
	uint8_t b[SECT];

	b1.flush = true;
	connect_to(&b1, 1);
	assert_int_equal(blkfront_read(bf, 5, 1, b, CK(0)), 0);
	assert_int_equal(be_take(&b1), 1);
	wr(VBD "/backend-id", "3");
	settle();
	assert_int_equal(grants_to(1, NULL), 0);
	assert_false(blkfront_connected(bf));
	assert_int_equal(blkfront_backend_id(bf), 3);
	/* The backend (now domain 3's, same path) says InitWait again. */
	b1.ring = (blkif_back_ring_t){ 0 };
	b1.npend = 0;
	b1.domid = 3;
	b1.flush = false;
	be_state(&b1, XenbusStateInitWait);
	settle();
	assert_int_equal(blkfront_state(bf), BLKFRONT_CONNECTING);
	assert_int_equal(grants_to(3, NULL), 1);
	be_connect(&b1);
	wr("/local/domain/1/backend/vbd/5/51712/feature-discard", "yes");
	settle();
	assert_true(blkfront_connected(bf));
	assert_true(blkfront_info(bf, &in));
	assert_false(in.flush);
	assert_false(in.discard);
	assert_int_equal(be_take(&b1), 1);
	assert_int_equal(blog[1].sector, 5);
	run(&b1);
	assert_int_equal(done_n[0], 1);
	assert_memory_equal(b, disk + 5 * SECT, SECT);
}

static void test_shutdown(void **state)
{
	uint8_t b[2][SECT];

	connect_to(&b1, 1);
	assert_int_equal(blkfront_read(bf, 0, 1, b[0], CK(0)), 0);
	assert_int_equal(be_take(&b1), 1);
	assert_int_equal(blkfront_read(bf, 1, 1, b[1], CK(1)), 0);
	blkfront_shutdown(bf);
	assert_int_equal(fe_state(), XenbusStateClosed);
	assert_int_equal(grants_to(1, NULL), 0);
	assert_int_equal(pages_freed, NPAGES);
	assert_int_equal(blkfront_port(bf), -1);
	assert_int_equal(ndone, 2);
	assert_int_equal(done_st[0], -XEN_ENOTCONN);
	assert_int_equal(done_st[1], -XEN_ENOTCONN);
	assert_int_equal(blkfront_read(bf, 0, 1, b[0], CK(2)), -XEN_ENOTCONN);
	/* Its watches are gone: the store changing does nothing. */
	be_state(&b1, XenbusStateClosed);
	assert_int_equal(step(), 0);
	assert_int_equal(blkfront_state(bf), BLKFRONT_CLOSED);
	/* And it can start again. */
	be_state(&b1, XenbusStateInitWait);
	fe_init();
	settle();
	assert_int_equal(blkfront_state(bf), BLKFRONT_CONNECTING);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_errors),
		T(test_connect),
		T(test_read_write),
		T(test_indirect),
		T(test_indirect_all_pages),
		T(test_indirect_small),
		T(test_split),
		T(test_flush_discard),
		T(test_unsupported),
		T(test_queue),
		T(test_bad_id),
		T(test_bad_op),
		T(test_duplicate_rsp),
		T(test_bad_status),
		T(test_bad_prod),
		T(test_new_backend),
		T(test_reissue_resplit),
		T(test_backend_gone),
		T(test_busy_grant),
		T(test_sync),
		T(test_connect_failure),
		T(test_grants_run_out),
		T(test_backend_id_change),
		T(test_shutdown),
		T(test_direct_aligned),
		T(test_direct_unaligned),
		T(test_direct_reconnect),
		T(test_persistent),
		T(test_direct_read_held),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
