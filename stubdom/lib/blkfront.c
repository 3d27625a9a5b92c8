/*
 * blkfront: the frontend of one vbd, for small domains.
 *
 * Pages: one ring page and BLKFRONT_PAGES pages that carry data or
 * indirect segment lists, allocated at init. A data page is granted for
 * one ring request (read-only when the backend only reads it) and taken
 * back when that request is answered or its connection ends; a page the
 * backend still maps stays out of use until the grant ends.
 *
 * Requests: a caller's request is cut into units, one page of data each
 * (one unit for a flush or a discard), laid out from the start of the
 * page whatever the caller's buffer looks like. A ring request carries a
 * run of consecutive units; its shadow names the caller's request and
 * the units. acked marks the units answered: a ring request that was not
 * answered when the connection ended leaves its units unmarked, and the
 * caller's request's cursor (next) goes back to its first unmarked unit,
 * so that the next connection issues exactly those again. The queue is
 * served strictly in order, each request's units in order, so re-issued
 * requests go out in the order they first went out, before anything new.
 *
 * The handshake follows Linux's blkfront against Linux's blkback: when
 * the backend is InitWait we publish ring-ref, event-channel and protocol
 * and switch to Initialised in one transaction; when the backend is
 * Connected we read the disk's description and switch to Connected. The
 * connection ends as netfront's does (the backend leaves Connected, its
 * node disappears or another backend is named, or the ring breaks), and
 * our state tells the backend what to do next: one still Connected (or
 * Closing) is asked to close (we write Closed); one that is Closed, gone
 * or new sees us Initialising, which moves Linux's blkback to InitWait.
 */
#include "../include/stub/blkfront.h"
#include <xen/lib.h>
#include <xen/string.h>

#define PAGE XEN_PAGE_SIZE
#define SPP  BLKFRONT_SECTORS_PER_PAGE

#define BF_RING_PG   BLKFRONT_PAGES /* page index of the ring page */
#define BF_ALL_PAGES (BLKFRONT_PAGES + 1)
#define BF_TXN_TRIES 8	   /* connection attempts while the commit conflicts */
#define BF_ID_SLOT   0xffu /* an id's low bits: its shadow */

/* A ring request's segments, for the request or its indirect page. */
struct bf_segs {
	struct blkif_request_segment seg[BLKFRONT_INDIRECT_SEGS];
};

static struct blkfront_page *bf_page(struct blkfront *bf, unsigned int i)
{
	return i == BF_RING_PG ? &bf->ring_pg : &bf->pages[i];
}

/* ---- Pages and grants ---- */

static int page_ensure(struct blkfront *bf, struct blkfront_page *pg)
{
	if (pg->va)
		return 0;
	pg->va = bf->ops.page_alloc(bf->ops.env, &pg->mfn);
	pg->granted = false;
	pg->busy = false;
	pg->end_tries = 0;
	return pg->va ? 0 : -XEN_ENOMEM;
}

static int page_grant(struct blkfront *bf, struct blkfront_page *pg,
		      bool readonly)
{
	long ref =
	    bf->ops.grant_access(bf->ops.env, bf->be_id, pg->mfn, readonly);

	if (ref < 0)
		return (int)ref;
	pg->ref = (grant_ref_t)ref;
	pg->granted = true;
	pg->end_tries = 0;
	return 0;
}

/*
 * Take page i's grant back. True when it is no longer granted: ended, or
 * given up on (the page leaked: never reused, never freed) after
 * BLKFRONT_END_TRIES busy tries, or at once when final or when the grant
 * cannot be ended for another reason.
 */
static bool page_end(struct blkfront *bf, unsigned int i, bool final)
{
	struct blkfront_page *pg = bf_page(bf, i);
	long rc;

	if (!pg->granted)
		return true;
	rc = bf->ops.grant_end(bf->ops.env, pg->ref);
	if (rc == 0) {
		pg->granted = false;
		pg->end_tries = 0;
		return true;
	}
	if (rc == -XEN_EBUSY && !final && ++pg->end_tries < BLKFRONT_END_TRIES)
		return false;
	pg->va = NULL;
	pg->granted = false;
	pg->end_tries = 0;
	bf->stats.grants_leaked++;
	return true;
}

/*
 * Up to want pool pages for a ring request, marked busy, their indices in
 * out; a leaked page is replaced here. Returns how many.
 */
static unsigned int pages_take(struct blkfront *bf, unsigned int want,
			       uint8_t *out)
{
	unsigned int i, got = 0;

	for (i = 0; i < BLKFRONT_PAGES && got < want; i++) {
		struct blkfront_page *pg = &bf->pages[i];

		if (pg->busy || pg->granted || page_ensure(bf, pg))
			continue;
		pg->busy = true;
		out[got++] = (uint8_t)i;
	}
	return got;
}

/* Pages a ring request used (or would have): grants ended, or retried. */
static void pages_release(struct blkfront *bf, const uint8_t *pg,
			  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		bf->pages[pg[i]].busy = false;
		page_end(bf, pg[i], false);
	}
}

/* Grants the backend kept after answering: try them again. */
static void pages_retry(struct blkfront *bf)
{
	unsigned int i;

	for (i = 0; i < BLKFRONT_PAGES; i++)
		if (!bf->pages[i].busy)
			page_end(bf, i, false);
}

/* ---- Store helpers ---- */

static int bf_key(const char *dir, const char *key, char *buf, size_t size)
{
	int n = fmt_snprintf(buf, size, "%s/%s", dir, key);

	return n < 0 || (size_t)n >= size ? -XEN_E2BIG : 0;
}

static int bf_write_key(struct blkfront *bf, uint32_t tx, const char *key,
			const char *val)
{
	char path[BLKFRONT_DIR_MAX + 32];
	int rc = bf_key(bf->dir, key, path, sizeof(path));

	return rc ? rc : xenbus_write(bf->ops.xb, tx, path, val);
}

/*
 * <dir>/<key> as a number. An optional one (def not -1) is def when
 * absent or not a number, as Linux's blkfront reads features.
 */
static int bf_read_num(struct blkfront *bf, const char *dir, const char *key,
		       long def, unsigned long *v)
{
	char path[XENBUS_WATCH_PATH_MAX + 48];
	int rc = bf_key(dir, key, path, sizeof(path));

	if (!rc)
		rc = xenbus_read_uint(bf->ops.xb, XENBUS_NO_TX, path, v);
	if (def >= 0 &&
	    (rc == -XEN_ENOENT || rc == -XEN_EINVAL || rc == -XEN_ERANGE)) {
		*v = (unsigned long)def;
		return 0;
	}
	return rc;
}

/*
 * <dir>/backend and <dir>/backend-id: path "" when either is absent (the
 * toolstack is between backends).
 */
static int bf_read_backend(struct blkfront *bf, char *path, size_t size,
			   domid_t *id)
{
	char key[BLKFRONT_DIR_MAX + 16];
	unsigned long v;
	int n;

	path[0] = '\0';
	n = bf_key(bf->dir, "backend", key, sizeof(key));
	if (!n)
		n = xenbus_read(bf->ops.xb, XENBUS_NO_TX, key, path, size);
	if (n == -XEN_ENOENT)
		return 0;
	if (n < 0 || (size_t)n != strlen(path) || path[0] != '/') {
		path[0] = '\0';
		return n < 0 ? n : -XEN_EINVAL;
	}
	n = bf_read_num(bf, bf->dir, "backend-id", -1, &v);
	if (!n && v >= DOMID_FIRST_RESERVED)
		n = -XEN_EINVAL;
	if (n) {
		path[0] = '\0';
		return n == -XEN_ENOENT ? 0 : n;
	}
	*id = (domid_t)v;
	return 0;
}

/*
 * What the backend says of the disk, once it is Connected: sectors,
 * sector-size and info must be there (as for Linux's blkfront), the
 * features may not.
 */
static int bf_read_info(struct blkfront *bf)
{
	struct blkfront_info in;
	unsigned long sectors, ss, info, flush, discard, ind;
	const char *be = bf->be_path;
	int rc;

	rc = bf_read_num(bf, be, "sectors", -1, &sectors);
	if (!rc)
		rc = bf_read_num(bf, be, "sector-size", -1, &ss);
	if (!rc)
		rc = bf_read_num(bf, be, "info", -1, &info);
	if (!rc)
		rc = bf_read_num(bf, be, "feature-flush-cache", 0, &flush);
	if (!rc)
		rc = bf_read_num(bf, be, "feature-discard", 0, &discard);
	if (!rc)
		rc = bf_read_num(bf, be, "feature-max-indirect-segments", 0,
				 &ind);
	if (rc)
		return rc;
	/* A sector must fit a page for segments to describe it. */
	if (ss < BLKFRONT_SECTOR || ss > PAGE || (ss & (ss - 1)) ||
	    info > UINT32_MAX)
		return -XEN_EINVAL;
	in.sectors = sectors;
	in.sector_size = (uint32_t)ss;
	in.info = (uint32_t)info;
	in.flush = flush != 0;
	in.discard = discard != 0;
	/* Fewer than a direct request carries is no use. */
	in.indirect = ind > BLKIF_MAX_SEGMENTS_PER_REQUEST
			  ? (uint32_t)(ind < BLKFRONT_INDIRECT_SEGS
					   ? ind
					   : BLKFRONT_INDIRECT_SEGS)
			  : 0;
	bf->info = in;
	bf->have_info = true;
	return 0;
}

static void bf_set_fe_state(struct blkfront *bf, int state)
{
	if (bf->fe_state == state)
		return;
	if (xenbus_switch_state(bf->ops.xb, XENBUS_NO_TX, bf->dir, state))
		bf->stats.store_errors++;
	else
		bf->fe_state = state;
}

static void bf_watch_fn(struct xenbus *xb, const char *path, const char *token,
			void *data)
{
	struct blkfront *bf = data;

	bf->recheck = true;
	bf->hold = false;
}

/* Watch <path>/state instead of the old backend's; path "" for none. */
static void bf_rewatch(struct blkfront *bf, const char *path)
{
	if (bf->be_watched)
		xenbus_unwatch(bf->ops.xb, bf->be_state, bf->token);
	bf->be_watched = false;
	memcpy(bf->be_path, path, strlen(path) + 1);
	bf->be_state[0] = '\0';
	if (!path[0])
		return;
	fmt_snprintf(bf->be_state, sizeof(bf->be_state), "%s/state", path);
	if (xenbus_watch(bf->ops.xb, bf->be_state, bf->token, bf_watch_fn, bf))
		bf->stats.store_errors++;
	else
		bf->be_watched = true;
}

/* ---- Caller requests ---- */

static uint64_t units_mask(unsigned int units)
{
	return units >= 64 ? ~0ull : (1ull << units) - 1;
}

static bool unit_acked(const struct blkfront_req *r, unsigned int u)
{
	return (r->acked >> u) & 1;
}

/* Move the cursor past units already answered. */
static void req_skip_acked(struct blkfront_req *r)
{
	while (r->next < r->units && unit_acked(r, r->next))
		r->next++;
}

/* Units first..first+n-1 answered with status (0 or an error). */
static void req_units_done(struct blkfront_req *r, unsigned int first,
			   unsigned int n, int status)
{
	r->acked |= units_mask(n) << first;
	if (status && !r->status)
		r->status = status;
	if (r->acked == units_mask(r->units) && !r->inflight)
		r->finished = true;
}

/*
 * Give up on what of r has not gone out (the backend cannot do it): its
 * units count as answered with err; what is in flight still finishes.
 */
static void req_abandon(struct blkfront_req *r, int err)
{
	unsigned int n = r->units - r->next;

	req_units_done(r, r->next, n, err);
	r->next = r->units;
}

/*
 * Whether this backend can do r at all: 0, or the status r finishes
 * with. Checked before each piece, since a new backend may differ.
 */
static int req_check(const struct blkfront *bf, const struct blkfront_req *r)
{
	const struct blkfront_info *in = &bf->info;
	uint64_t ss = in->sector_size / BLKFRONT_SECTOR;

	if (r->op == BLKIF_OP_FLUSH_DISKCACHE)
		return in->flush ? 0 : -XEN_EOPNOTSUPP;
	if (r->op == BLKIF_OP_DISCARD && !in->discard)
		return -XEN_EOPNOTSUPP;
	if (r->op == BLKIF_OP_WRITE && (in->info & VDISK_READONLY))
		return -XEN_EROFS;
	if (r->sector > in->sectors || r->count > in->sectors - r->sector ||
	    r->sector % ss || r->count % ss)
		return -XEN_EINVAL;
	return 0;
}

/* ---- Ring requests ---- */

static int bf_shadow_get(struct blkfront *bf)
{
	unsigned int i;

	for (i = 0; i < BLKFRONT_RING_SLOTS; i++)
		if (!bf->shadow[i].used)
			return (int)i;
	return -1;
}

/* Sectors of unit u of r (the last one may be short). */
static unsigned int unit_sectors(const struct blkfront_req *r, unsigned int u)
{
	uint64_t left = r->count - (uint64_t)u * SPP;

	return left < SPP ? (unsigned int)left : SPP;
}

/* Consecutive units from r->next not answered yet, up to max. */
static unsigned int req_run(const struct blkfront_req *r, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && r->next + n < r->units && !unit_acked(r, r->next + n))
		n++;
	return n;
}

/*
 * Data pages for a read or write piece of r: as many of its next units as
 * the backend takes in one request and pages allow, one more page for
 * the segment list when that makes it indirect. Sets sh's pages, nseg
 * and ind; false when no page is free.
 */
static bool piece_pages(struct blkfront *bf, const struct blkfront_req *r,
			struct blkfront_shadow *sh)
{
	unsigned int direct = BLKIF_MAX_SEGMENTS_PER_REQUEST;
	unsigned int max = bf->info.indirect ? bf->info.indirect : direct;
	unsigned int run = req_run(r, max);
	uint8_t got[BLKFRONT_INDIRECT_SEGS + 1];
	unsigned int n = pages_take(bf, run > direct ? run + 1 : run, got);

	sh->ind = -1;
	if (n > direct + 1) {
		sh->ind = (int8_t)got[--n];
	} else if (n > direct) {
		pages_release(bf, got + direct, n - direct);
		n = direct;
	}
	memcpy(sh->pg, got, n);
	sh->nseg = (uint8_t)n;
	return n > 0;
}

/*
 * Grant sh's pages to the backend (read-only when it only reads them),
 * the data in for a write, the rest zeroed so that nothing of an earlier
 * request shows. Fills the segments.
 */
static int piece_grant(struct blkfront *bf, const struct blkfront_req *r,
		       const struct blkfront_shadow *sh, struct bf_segs *segs)
{
	bool write = r->op == BLKIF_OP_WRITE;
	unsigned int i;
	int rc = 0;

	for (i = 0; i < sh->nseg && !rc; i++) {
		struct blkfront_page *pg = &bf->pages[sh->pg[i]];
		unsigned int u = sh->first + i, n = unit_sectors(r, u);

		memset(pg->va, 0, PAGE);
		if (write)
			memcpy(pg->va, r->src + (size_t)u * PAGE,
			       (size_t)n * BLKFRONT_SECTOR);
		rc = page_grant(bf, pg, write);
		segs->seg[i] = (struct blkif_request_segment){
			.gref = pg->ref,
			.first_sect = 0,
			.last_sect = (uint8_t)(n - 1),
		};
	}
	if (!rc && sh->ind >= 0) {
		struct blkfront_page *pg = &bf->pages[sh->ind];

		memset(pg->va, 0, PAGE);
		memcpy(pg->va, segs->seg, sh->nseg * sizeof(segs->seg[0]));
		rc = page_grant(bf, pg, true);
	}
	return rc;
}

/* The ring request for sh, as the backend will read it. */
static void piece_write(struct blkfront *bf, const struct blkfront_req *r,
			const struct blkfront_shadow *sh,
			const struct bf_segs *segs)
{
	union {
		struct blkif_request rw;
		struct blkif_request_indirect ind;
		struct blkif_request_discard dis;
	} q;
	uint64_t sector = r->sector + (uint64_t)sh->first * SPP;

	memset(&q, 0, sizeof(q));
	if (sh->op == BLKIF_OP_INDIRECT) {
		q.ind.operation = BLKIF_OP_INDIRECT;
		q.ind.indirect_op = sh->rw_op;
		q.ind.nr_segments = sh->nseg;
		q.ind.id = sh->id;
		q.ind.sector_number = sector;
		q.ind.handle = bf->handle;
		q.ind.indirect_grefs[0] = bf->pages[sh->ind].ref;
	} else if (sh->op == BLKIF_OP_DISCARD) {
		q.dis.operation = BLKIF_OP_DISCARD;
		q.dis.handle = bf->handle;
		q.dis.id = sh->id;
		q.dis.sector_number = r->sector;
		q.dis.nr_sectors = r->count;
	} else {
		q.rw.operation = sh->op;
		q.rw.nr_segments = sh->nseg;
		q.rw.handle = bf->handle;
		q.rw.id = sh->id;
		q.rw.sector_number = sh->nseg ? sector : 0;
		memcpy(q.rw.seg, segs->seg, sh->nseg * sizeof(segs->seg[0]));
	}
	memcpy(RING_GET_REQUEST(&bf->ring, bf->ring.req_prod_pvt), &q.rw,
	       sizeof(q.rw));
	bf->ring.req_prod_pvt++;
}

/* Undo piece_pages() and piece_grant() for a piece that did not go out. */
static void piece_unwind(struct blkfront *bf, struct blkfront_shadow *sh)
{
	uint8_t ind = (uint8_t)sh->ind;

	pages_release(bf, sh->pg, sh->nseg);
	if (sh->ind >= 0)
		pages_release(bf, &ind, 1);
}

/*
 * Put the next piece of request ri on the ring. False when the ring, the
 * shadows, the pages or the grants ran out: then nothing changed.
 */
static bool bf_issue_piece(struct blkfront *bf, unsigned int ri)
{
	struct blkfront_req *r = &bf->q[ri];
	struct blkfront_shadow *sh;
	struct bf_segs segs;
	int s = bf_shadow_get(bf);

	if (s < 0 || RING_FULL(&bf->ring))
		return false;
	sh = &bf->shadow[s];
	memset(sh, 0, sizeof(*sh));
	sh->op = sh->rw_op = r->op;
	sh->ind = -1;
	sh->req = (uint16_t)ri;
	sh->first = r->next;
	if (r->op == BLKIF_OP_READ || r->op == BLKIF_OP_WRITE) {
		if (!piece_pages(bf, r, sh))
			return false;
		if (piece_grant(bf, r, sh, &segs)) {
			piece_unwind(bf, sh);
			return false;
		}
		if (sh->ind >= 0)
			sh->op = BLKIF_OP_INDIRECT;
	}
	sh->id = (uint64_t)bf->next_id++ << 8 | (unsigned int)s;
	piece_write(bf, r, sh, &segs);
	sh->used = true;
	r->next = (uint16_t)(r->next + (sh->nseg ? sh->nseg : 1));
	r->inflight++;
	if (++r->parts == 2)
		bf->stats.split++;
	bf->stats.ring_reqs++;
	if (sh->op == BLKIF_OP_INDIRECT)
		bf->stats.indirect++;
	return true;
}

static void bf_kick(struct blkfront *bf)
{
	if (bf->port_valid)
		bf->ops.notify(bf->ops.env, bf->port);
}

/*
 * Issue what waits, strictly in order: a request's later units, and any
 * later request, wait while one unit cannot go out.
 */
static void bf_issue(struct blkfront *bf)
{
	unsigned int i, n = 0;
	int notify, err;

	if (bf->state != BLKFRONT_CONNECTED)
		return;
	for (i = 0; i < bf->q_len; i++) {
		unsigned int ri = (bf->q_head + i) % BLKFRONT_QUEUE;
		struct blkfront_req *r = &bf->q[ri];

		if (!r->used)
			continue;
		req_skip_acked(r);
		while (r->next < r->units) {
			err = req_check(bf, r);
			if (err) {
				req_abandon(r, err);
				break;
			}
			if (!bf_issue_piece(bf, ri))
				goto push;
			n++;
			req_skip_acked(r);
		}
	}
push:
	if (!n)
		return;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&bf->ring, notify);
	if (notify)
		bf_kick(bf);
}

/* ---- Responses ---- */

/* A piece answered with status: pages back, a read's data out. */
static void piece_done(struct blkfront *bf, struct blkfront_shadow *sh,
		       int status)
{
	struct blkfront_req *r = &bf->q[sh->req];
	void *va[BLKFRONT_INDIRECT_SEGS];
	unsigned int i;

	for (i = 0; i < sh->nseg; i++)
		va[i] = bf->pages[sh->pg[i]].va;
	/* Grants first: what we copy then no longer changes under us. */
	piece_unwind(bf, sh);
	if (!status && r->op == BLKIF_OP_READ)
		for (i = 0; i < sh->nseg; i++) {
			unsigned int u = sh->first + i;

			memcpy(r->dst + (size_t)u * PAGE, va[i],
			       (size_t)unit_sectors(r, u) * BLKFRONT_SECTOR);
		}
	sh->used = false;
	r->inflight--;
	req_units_done(r, sh->first, sh->nseg ? sh->nseg : 1, status);
}

/* One response (a private copy); false when it is not one we can take. */
static bool bf_rsp_one(struct blkfront *bf, const struct blkif_response *rsp)
{
	unsigned int s = (unsigned int)(rsp->id & BF_ID_SLOT);
	struct blkfront_shadow *sh = &bf->shadow[s % BLKFRONT_RING_SLOTS];
	int status;

	if (s >= BLKFRONT_RING_SLOTS || !sh->used || sh->id != rsp->id)
		return false;
	/* Linux's blkback answers an indirect request with its rw op. */
	if (rsp->operation != sh->op && rsp->operation != sh->rw_op)
		return false;
	switch (rsp->status) {
	case BLKIF_RSP_OKAY:
		status = 0;
		break;
	case BLKIF_RSP_ERROR:
		status = -XEN_EIO;
		break;
	case BLKIF_RSP_EOPNOTSUPP:
		status = -XEN_EOPNOTSUPP;
		break;
	default:
		return false;
	}
	if (status)
		bf->stats.rsp_errors++;
	piece_done(bf, sh, status);
	return true;
}

/*
 * Take the responses; false when the ring is broken: a producer index
 * claiming more responses than requests made, or a bad response (those
 * before it are taken).
 */
static bool bf_collect(struct blkfront *bf)
{
	RING_IDX prod, cons;
	int more;

	do {
		prod = __atomic_load_n(&bf->ring.sring->rsp_prod,
				       __ATOMIC_ACQUIRE);
		if ((RING_IDX)(prod - bf->ring.rsp_cons) >
		    (RING_IDX)(bf->ring.req_prod_pvt - bf->ring.rsp_cons))
			return false;
		for (cons = bf->ring.rsp_cons; cons != prod; cons++) {
			struct blkif_response rsp;

			RING_COPY_RESPONSE(&bf->ring, cons, &rsp);
			bf->ring.rsp_cons = cons + 1;
			if (!bf_rsp_one(bf, &rsp)) {
				bf->stats.bad_rsp++;
				return false;
			}
		}
		RING_FINAL_CHECK_FOR_RESPONSES(&bf->ring, more);
	} while (more);
	return true;
}

/* ---- The connection ---- */

/* Retry ending the old connection's grants; then wait for a backend. */
static void bf_drain(struct blkfront *bf)
{
	bool done = true;
	unsigned int i;

	for (i = 0; i < BF_ALL_PAGES; i++)
		done &= page_end(bf, i, false);
	if (!done)
		return;
	bf->state = BLKFRONT_WAIT;
	bf->recheck = true;
}

/*
 * End the connection (made or half made). Ring requests in flight were
 * not answered: their units go back to waiting, to be issued again.
 */
static void bf_disconnect(struct blkfront *bf)
{
	unsigned int i;

	if (bf->state == BLKFRONT_CONNECTED)
		bf->stats.disconnects++;
	if (bf->port_valid && bf->ops.evtchn_close)
		bf->ops.evtchn_close(bf->ops.env, bf->port);
	bf->port_valid = false;
	for (i = 0; i < BLKFRONT_RING_SLOTS; i++) {
		struct blkfront_shadow *sh = &bf->shadow[i];

		if (!sh->used)
			continue;
		piece_unwind(bf, sh);
		sh->used = false;
		bf->q[sh->req].inflight--;
		bf->stats.reissued++;
	}
	for (i = 0; i < BLKFRONT_QUEUE; i++) {
		bf->q[i].next = 0;
		req_skip_acked(&bf->q[i]);
	}
	bf->state = BLKFRONT_DRAINING;
	bf_drain(bf);
}

static int bf_publish(struct xenbus *xb, uint32_t tx, void *data)
{
	struct blkfront *bf = data;
	char v[16];
	int rc;

	fmt_snprintf(v, sizeof(v), "%u", bf->ring_pg.ref);
	rc = bf_write_key(bf, tx, "ring-ref", v);
	fmt_snprintf(v, sizeof(v), "%u", bf->port);
	if (!rc)
		rc = bf_write_key(bf, tx, "event-channel", v);
	if (!rc)
		rc = bf_write_key(bf, tx, "protocol", "x86_64-abi");
	return rc ? rc
		  : xenbus_switch_state(xb, tx, bf->dir,
					XenbusStateInitialised);
}

/* A fresh ring granted to be_id, a port, and the store told. */
static int bf_connect(struct blkfront *bf)
{
	blkif_sring_t *s;
	long port;
	int rc = page_ensure(bf, &bf->ring_pg);

	if (rc)
		goto fail_pages;
	s = bf->ring_pg.va;
	memset(s, 0, PAGE);
	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&bf->ring, s, PAGE);

	bf->state = BLKFRONT_CONNECTING;
	rc = page_grant(bf, &bf->ring_pg, false);
	if (rc)
		goto fail;
	port = bf->ops.evtchn_alloc_unbound(bf->ops.env, bf->be_id);
	if (port < 0) {
		rc = (int)port;
		goto fail;
	}
	bf->port = (evtchn_port_t)port;
	bf->port_valid = true;
	rc = xenbus_transaction(bf->ops.xb, bf_publish, bf, BF_TXN_TRIES);
	if (rc)
		goto fail;
	bf->fe_state = XenbusStateInitialised;
	return 0;

fail:
	bf_disconnect(bf);
fail_pages:
	bf->stats.connect_errors++;
	bf->hold = true; /* until the store changes */
	return rc;
}

/* The backend is Connected: learn the disk, say so, issue what waits. */
static void bf_connected(struct blkfront *bf)
{
	int rc = bf_read_info(bf);

	if (!rc)
		rc = xenbus_switch_state(bf->ops.xb, XENBUS_NO_TX, bf->dir,
					 XenbusStateConnected);
	if (rc) {
		bf_disconnect(bf);
		bf->stats.connect_errors++;
		bf->hold = true;
		return;
	}
	bf->fe_state = XenbusStateConnected;
	bf->state = BLKFRONT_CONNECTED;
	bf->stats.connects++;
	bf_issue(bf);
}

/*
 * While not connected, what our state node should say, given the
 * backend's: ask one that still thinks it is connected (or closing) to
 * close; show Initialising to one that is closed, gone or new.
 */
static int bf_wanted_fe_state(int bstate)
{
	switch (bstate) {
	case XenbusStateInitialised:
	case XenbusStateConnected:
	case XenbusStateClosing:
	case XenbusStateReconfiguring:
	case XenbusStateReconfigured:
		return XenbusStateClosed;
	default:
		return XenbusStateInitialising;
	}
}

/* The backend's state, after following <dir>/backend to where it is. */
static int bf_backend_state(struct blkfront *bf)
{
	char path[sizeof(bf->be_path)];
	domid_t id = 0;
	int bstate = XenbusStateUnknown;

	if (bf_read_backend(bf, path, sizeof(path), &id))
		bf->stats.store_errors++;
	if (strcmp(path, bf->be_path) || (path[0] && id != bf->be_id)) {
		if (bf->state == BLKFRONT_CONNECTING ||
		    bf->state == BLKFRONT_CONNECTED)
			bf_disconnect(bf);
		bf_rewatch(bf, path);
		bf->be_id = id;
	}
	if (bf->be_state[0]) {
		bstate = xenbus_read_state(bf->ops.xb, bf->be_path);
		/*
		 * A backend whose nodes went with its domain may leave
		 * a parent we cannot read: gone all the same.
		 */
		if (bstate < 0 && bstate != -XEN_EACCES)
			bf->stats.store_errors++;
		if (bstate < 0)
			bstate = XenbusStateUnknown;
	}
	return bstate;
}

/* A watch fired: read where the backend is and what it says. */
static void bf_check_store(struct blkfront *bf)
{
	int bstate;

	bf->recheck = false;
	bstate = bf_backend_state(bf);
	if (bf->state == BLKFRONT_CONNECTING && bstate == XenbusStateConnected)
		bf_connected(bf);
	else if ((bf->state == BLKFRONT_CONNECTING &&
		  bstate != XenbusStateInitWait &&
		  bstate != XenbusStateInitialised) ||
		 (bf->state == BLKFRONT_CONNECTED &&
		  bstate != XenbusStateConnected))
		bf_disconnect(bf);

	if (bf->state != BLKFRONT_WAIT && bf->state != BLKFRONT_DRAINING)
		return;
	/* A new backend's grants wait until the old ones are back. */
	if (bf->state == BLKFRONT_WAIT && bstate == XenbusStateInitWait &&
	    !bf->hold) {
		if (!bf_connect(bf))
			return;
	}
	bf_set_fe_state(bf, bf_wanted_fe_state(bstate));
}

/* ---- Completions ---- */

static void q_compact(struct blkfront *bf)
{
	while (bf->q_len && !bf->q[bf->q_head].used) {
		bf->q_head = (bf->q_head + 1) % BLKFRONT_QUEUE;
		bf->q_len--;
	}
}

/* Run request ri's completion; its slot is free before the call. */
static void req_complete(struct blkfront *bf, unsigned int ri, int status)
{
	struct blkfront_req *r = &bf->q[ri];
	bool sync = r->sync;
	void *cookie = r->cookie;

	r->used = false;
	q_compact(bf);
	bf->stats.completed++;
	if (status)
		bf->stats.failed++;
	if (sync) {
		bf->sync_status = status;
		bf->sync_done = true;
	} else {
		bf->ops.done(bf->ops.env, cookie, status);
	}
}

/*
 * Complete the finished requests. The queue is looked at afresh after
 * each completion, which may submit requests or shut bf down.
 */
static int bf_deliver(struct blkfront *bf)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < bf->q_len && bf->state != BLKFRONT_CLOSED;) {
		unsigned int ri = (bf->q_head + i) % BLKFRONT_QUEUE;
		struct blkfront_req *r = &bf->q[ri];

		if (!r->used || !r->finished) {
			i++;
			continue;
		}
		req_complete(bf, ri, r->status);
		n++;
		i = 0;
	}
	return n;
}

/* ---- The interface ---- */

static bool ops_ok(const struct blkfront_ops *ops)
{
	return ops && ops->grant_access && ops->grant_end && ops->page_alloc &&
	       ops->evtchn_alloc_unbound && ops->notify && ops->done && ops->xb;
}

static void pages_free(struct blkfront *bf)
{
	unsigned int i;

	for (i = 0; i < BF_ALL_PAGES; i++) {
		struct blkfront_page *pg = bf_page(bf, i);

		if (pg->va && bf->ops.page_free)
			bf->ops.page_free(bf->ops.env, pg->va);
		pg->va = NULL;
	}
}

/* <dir>/backend and <dir>/backend-id, both or neither. */
static int bf_watch_device(struct blkfront *bf)
{
	char path[BLKFRONT_DIR_MAX + 16];
	int rc = bf_key(bf->dir, "backend", path, sizeof(path));

	if (!rc)
		rc = xenbus_watch(bf->ops.xb, path, bf->token, bf_watch_fn, bf);
	if (rc)
		return rc;
	rc = bf_key(bf->dir, "backend-id", path, sizeof(path));
	if (!rc)
		rc = xenbus_watch(bf->ops.xb, path, bf->token, bf_watch_fn, bf);
	if (rc) {
		bf_key(bf->dir, "backend", path, sizeof(path));
		xenbus_unwatch(bf->ops.xb, path, bf->token);
	}
	return rc;
}

static void bf_unwatch_device(struct blkfront *bf)
{
	char path[BLKFRONT_DIR_MAX + 16];

	bf_rewatch(bf, "");
	bf_key(bf->dir, "backend", path, sizeof(path));
	xenbus_unwatch(bf->ops.xb, path, bf->token);
	bf_key(bf->dir, "backend-id", path, sizeof(path));
	xenbus_unwatch(bf->ops.xb, path, bf->token);
}

int blkfront_init(struct blkfront *bf, const struct blkfront_ops *ops,
		  const char *dir)
{
	unsigned long vdev;
	size_t len;
	unsigned int i;
	int rc;

	if (!ops_ok(ops) || !dir)
		return -XEN_EINVAL;
	len = strlen(dir);
	if (!len || len >= BLKFRONT_DIR_MAX || dir[len - 1] == '/')
		return -XEN_EINVAL;
	memset(bf, 0, sizeof(*bf));
	bf->ops = *ops;
	bf->fe_state = -1;
	memcpy(bf->dir, dir, len + 1);
	fmt_snprintf(bf->token, sizeof(bf->token), "blkfront:%s", dir);

	rc = bf_read_num(bf, bf->dir, "virtual-device", -1, &vdev);
	if (!rc && vdev > UINT32_MAX)
		rc = -XEN_EINVAL;
	/* Requests name the device as Linux's blkfront does: 16 bits. */
	bf->handle = (uint16_t)vdev;
	for (i = 0; i < BF_ALL_PAGES && !rc; i++)
		rc = page_ensure(bf, bf_page(bf, i));
	if (!rc)
		rc = bf_watch_device(bf);
	if (rc) {
		pages_free(bf);
		return rc;
	}
	bf->state = BLKFRONT_WAIT;
	bf->recheck = true;
	return 0;
}

int blkfront_poll(struct blkfront *bf)
{
	int n;

	if (bf->state == BLKFRONT_CLOSED || bf->in_poll)
		return 0;
	bf->in_poll = true;
	xenbus_poll(bf->ops.xb);
	xenbus_dispatch(bf->ops.xb);
	if (bf->state == BLKFRONT_CONNECTED && !bf_collect(bf)) {
		/* Logged by the count; the store says what is next. */
		bf->stats.ring_broken++;
		bf_disconnect(bf);
		bf->recheck = true;
	}
	if (bf->state == BLKFRONT_CONNECTED || bf->state == BLKFRONT_CONNECTING)
		pages_retry(bf);
	if (bf->state == BLKFRONT_DRAINING)
		bf_drain(bf);
	if (bf->recheck)
		bf_check_store(bf);
	bf_issue(bf);
	n = bf_deliver(bf);
	bf->in_poll = false;
	return n;
}

static int bf_submit(struct blkfront *bf, const struct blkfront_req *in)
{
	struct blkfront_req *r;
	unsigned int ri;

	if (bf->state == BLKFRONT_CLOSED)
		return -XEN_ENOTCONN;
	if (bf->have_info && in->op != BLKIF_OP_FLUSH_DISKCACHE &&
	    req_check(bf, in) == -XEN_EINVAL)
		return -XEN_EINVAL;
	q_compact(bf);
	if (bf->q_len == BLKFRONT_QUEUE) {
		bf->stats.rejected++;
		return -XEN_ENOBUFS;
	}
	ri = (bf->q_head + bf->q_len++) % BLKFRONT_QUEUE;
	r = &bf->q[ri];
	*r = *in;
	r->used = true;
	bf->stats.submitted++;
	bf_issue(bf);
	return 0;
}

/* A read or write of count sectors: one unit a page. */
static int bf_rw(struct blkfront *bf, uint8_t op, uint64_t sector,
		 uint32_t count, void *dst, const void *src, void *cookie,
		 bool sync)
{
	struct blkfront_req r = {
		.op = op,
		.sync = sync,
		.sector = sector,
		.count = count,
		.dst = dst,
		.src = src,
		.cookie = cookie,
		.units = (uint16_t)((count + SPP - 1) / SPP),
	};

	if (!count || count > BLKFRONT_MAX_SECTORS || (!dst && !src))
		return -XEN_EINVAL;
	return bf_submit(bf, &r);
}

int blkfront_read(struct blkfront *bf, uint64_t sector, uint32_t count,
		  void *buf, void *cookie)
{
	return bf_rw(bf, BLKIF_OP_READ, sector, count, buf, NULL, cookie,
		     false);
}

int blkfront_write(struct blkfront *bf, uint64_t sector, uint32_t count,
		   const void *buf, void *cookie)
{
	return bf_rw(bf, BLKIF_OP_WRITE, sector, count, NULL, buf, cookie,
		     false);
}

static int bf_flush(struct blkfront *bf, void *cookie, bool sync)
{
	struct blkfront_req r = {
		.op = BLKIF_OP_FLUSH_DISKCACHE,
		.sync = sync,
		.cookie = cookie,
		.units = 1,
	};

	return bf_submit(bf, &r);
}

int blkfront_flush(struct blkfront *bf, void *cookie)
{
	return bf_flush(bf, cookie, false);
}

int blkfront_discard(struct blkfront *bf, uint64_t sector, uint64_t count,
		     void *cookie)
{
	struct blkfront_req r = {
		.op = BLKIF_OP_DISCARD,
		.sector = sector,
		.count = count,
		.cookie = cookie,
		.units = 1,
	};

	if (!count)
		return -XEN_EINVAL;
	return bf_submit(bf, &r);
}

/* Wait for the one blocking request in flight (bf->sync_done). */
static int bf_sync_wait(struct blkfront *bf, int rc)
{
	if (rc)
		return rc;
	while (!bf->sync_done) {
		blkfront_poll(bf);
		if (!bf->sync_done)
			bf->ops.wait(bf->ops.env);
	}
	return bf->sync_status;
}

/* Whether a blocking helper may run now: not inside a completion. */
static int bf_sync_start(struct blkfront *bf)
{
	if (!bf->ops.wait)
		return -XEN_EINVAL;
	if (bf->in_poll)
		return -XEN_EBUSY;
	bf->sync_done = false;
	return 0;
}

int blkfront_read_sync(struct blkfront *bf, uint64_t sector, uint32_t count,
		       void *buf)
{
	int rc = bf_sync_start(bf);

	if (!rc)
		rc = bf_rw(bf, BLKIF_OP_READ, sector, count, buf, NULL, NULL,
			   true);
	return bf_sync_wait(bf, rc);
}

int blkfront_write_sync(struct blkfront *bf, uint64_t sector, uint32_t count,
			const void *buf)
{
	int rc = bf_sync_start(bf);

	if (!rc)
		rc = bf_rw(bf, BLKIF_OP_WRITE, sector, count, NULL, buf, NULL,
			   true);
	return bf_sync_wait(bf, rc);
}

int blkfront_flush_sync(struct blkfront *bf)
{
	int rc = bf_sync_start(bf);

	if (!rc)
		rc = bf_flush(bf, NULL, true);
	return bf_sync_wait(bf, rc);
}

void blkfront_shutdown(struct blkfront *bf)
{
	unsigned int i, head, len;

	if (bf->state == BLKFRONT_CLOSED)
		return;
	if (bf->state == BLKFRONT_CONNECTING || bf->state == BLKFRONT_CONNECTED)
		bf_disconnect(bf);
	bf_set_fe_state(bf, XenbusStateClosing);
	bf_set_fe_state(bf, XenbusStateClosed);
	bf_unwatch_device(bf);
	for (i = 0; i < BF_ALL_PAGES; i++)
		page_end(bf, i, true);
	pages_free(bf);
	bf->state = BLKFRONT_CLOSED;
	/*
	 * Completions last, in order: bf is closed by then, so one that
	 * submits is refused and the queue stays as it is.
	 */
	head = bf->q_head;
	len = bf->q_len;
	for (i = 0; i < len; i++) {
		unsigned int ri = (head + i) % BLKFRONT_QUEUE;
		struct blkfront_req *r = &bf->q[ri];

		if (r->used)
			req_complete(bf, ri,
				     r->finished ? r->status : -XEN_ENOTCONN);
	}
	bf->q_head = bf->q_len = 0;
}

enum blkfront_state blkfront_state(const struct blkfront *bf)
{
	return bf->state;
}

bool blkfront_connected(const struct blkfront *bf)
{
	return bf->state == BLKFRONT_CONNECTED;
}

bool blkfront_info(const struct blkfront *bf, struct blkfront_info *info)
{
	if (bf->have_info && info)
		*info = bf->info;
	return bf->have_info;
}

long blkfront_port(const struct blkfront *bf)
{
	return bf->port_valid ? (long)bf->port : -1;
}

domid_t blkfront_backend_id(const struct blkfront *bf)
{
	return bf->be_id;
}

unsigned int blkfront_pending(const struct blkfront *bf)
{
	unsigned int i, n = 0;

	for (i = 0; i < BLKFRONT_QUEUE; i++)
		n += bf->q[i].used;
	return n;
}

const struct blkfront_stats *blkfront_stats(const struct blkfront *bf)
{
	return &bf->stats;
}
