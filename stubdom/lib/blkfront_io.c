/*
 * blkfront's requests and ring: pages and their grants, caller requests
 * cut into ring requests, responses, completions. The connection and
 * the store are blkfront.c's.
 *
 * Pages: one ring page and BLKFRONT_PAGES pages that carry data or
 * indirect segment lists, allocated at init. A data page is granted for
 * one ring request (read-only when the backend only reads it) and taken
 * back when that request is answered or its connection ends; a page the
 * backend still maps stays out of use until the grant ends.
 *
 * Persistent connections (the backend keeps grants): a pool page is
 * granted on its first use, writable, and stays granted until the
 * connection ends; every read and write goes through the pool, or
 * through the registered buffer's pages (granted once each, then named
 * by every request in them), never through grants made per request.
 *
 * Direct requests: a read or write whose buffer is whole pages of the
 * caller's (see bf_rw()) has no pool pages: each ring request grants the
 * caller's pages that it carries, through slots in direct[] that name
 * the request, and takes the grants back when it is answered or its
 * connection ends. Each grant not taken back holds its request (held):
 * it completes only when every one is, retried on each poll however long
 * that takes, so the backend neither writes into a buffer its caller
 * got back nor reads one its caller may change.
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
 */
#include "../include/stub/blkfront.h"
#include <xen/lib.h>
#include <xen/string.h>

#define PAGE XEN_PAGE_SIZE
#define SPP  BLKFRONT_SECTORS_PER_PAGE

#define BF_ID_SLOT 0xffu /* an id's low bits: its shadow */

/* A ring request's segments, for the request or its indirect page. */
struct bf_segs {
	struct blkif_request_segment seg[BLKFRONT_INDIRECT_SEGS];
};

struct blkfront_page *bf_page(struct blkfront *bf, unsigned int i)
{
	return i == BF_RING_PG ? &bf->ring_pg : &bf->pages[i];
}

/* ---- Pages and grants ---- */

int bf_page_ensure(struct blkfront *bf, struct blkfront_page *pg)
{
	if (pg->va)
		return 0;
	pg->va = bf->ops.page_alloc(bf->ops.env, &pg->mfn);
	pg->granted = false;
	pg->busy = false;
	pg->end_tries = 0;
	return pg->va ? 0 : -XEN_ENOMEM;
}

int bf_page_grant(struct blkfront *bf, struct blkfront_page *pg, bool readonly)
{
	long ref =
	    bf->ops.grant_access(bf->ops.env, bf->xf.be_id, pg->mfn, readonly);

	if (ref < 0)
		return (int)ref;
	pg->ref = (grant_ref_t)ref;
	pg->granted = true;
	pg->end_tries = 0;
	return 0;
}

/*
 * Take pg's grant back. True when it is no longer granted: ended, or
 * given up on (counted as leaked; *gave_up set) after BLKFRONT_END_TRIES
 * busy tries, or at once when final or when the grant cannot be ended
 * for another reason.
 */
static bool grant_back(struct blkfront *bf, struct blkfront_page *pg,
		       bool final, bool *gave_up)
{
	long rc;

	*gave_up = false;
	if (!pg->granted)
		return true;
	rc = bf->ops.grant_end(bf->ops.env, pg->ref);
	if (rc == -XEN_EBUSY && !final && ++pg->end_tries < BLKFRONT_END_TRIES)
		return false;
	*gave_up = rc != 0;
	bf->stats.grants_leaked += *gave_up;
	pg->granted = false;
	pg->end_tries = 0;
	return true;
}

/* Page i's grant, as grant_back(); a page given up is never used again. */
bool bf_page_end(struct blkfront *bf, unsigned int i, bool final)
{
	struct blkfront_page *pg = bf_page(bf, i);
	bool gave_up;

	if (!grant_back(bf, pg, final, &gave_up))
		return false;
	if (gave_up)
		pg->va = NULL;
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

		if (pg->busy || (pg->granted && !bf->persistent) ||
		    bf_page_ensure(bf, pg))
			continue;
		pg->busy = true;
		out[got++] = (uint8_t)i;
	}
	return got;
}

/*
 * Pages a ring request used (or would have): grants ended, or retried;
 * kept on a persistent connection.
 */
static void pages_release(struct blkfront *bf, const uint8_t *pg,
			  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		bf->pages[pg[i]].busy = false;
		if (!bf->persistent && !bf_page_end(bf, pg[i], false))
			bf->pages_pending = true;
	}
}

/*
 * Grants the backend kept after answering: try them again. Only when
 * there are any: every poll looking through every page cost more than
 * the I/O it polled for. Never on a persistent connection, whose pool
 * grants are meant to stay (the drain before it ended the old ones).
 */
void bf_pages_retry(struct blkfront *bf)
{
	unsigned int i;

	if (!bf->pages_pending || bf->persistent)
		return;
	bf->pages_pending = false;
	for (i = 0; i < BLKFRONT_PAGES; i++)
		if (!bf->pages[i].busy && !bf_page_end(bf, i, false))
			bf->pages_pending = true;
}

/* ---- The registered buffer ---- */

int blkfront_register(struct blkfront *bf, void *va, size_t len)
{
	uintptr_t a = (uintptr_t)va;

	if (bf->reg_va)
		return -XEN_EEXIST;
	if (!bf->ops.virt_to_mfn || !va || a % PAGE || !len || len % PAGE ||
	    len / PAGE > BLKFRONT_REG_PAGES)
		return -XEN_EINVAL;
	for (unsigned int i = 0; i < len / PAGE; i++) {
		struct blkfront_page *pg = &bf->reg[i];

		memset(pg, 0, sizeof(*pg));
		pg->va = (uint8_t *)va + (size_t)i * PAGE;
		pg->mfn = bf->ops.virt_to_mfn(bf->ops.env, pg->va);
	}
	bf->reg_pages = (unsigned int)(len / PAGE);
	bf->reg_va = va;
	return 0;
}

/* The buffer of a direct request r, or NULL. */
static uintptr_t req_buf(const struct blkfront_req *r)
{
	return (uintptr_t)(r->op == BLKIF_OP_READ ? r->dst : r->src);
}

/* Whether r's buffer is inside the registered one (so whole pages). */
static bool req_in_reg(const struct blkfront *bf, const struct blkfront_req *r)
{
	uintptr_t start = (uintptr_t)bf->reg_va, b = req_buf(r);

	return r->direct && bf->reg_va && b >= start &&
	       (b - start) / PAGE + r->units <= bf->reg_pages;
}

/* A registered page given up on is the caller's still: granted afresh. */
bool bf_reg_end(struct blkfront *bf, bool final)
{
	bool done = true, gave_up;

	for (unsigned int i = 0; i < bf->reg_pages; i++)
		done &= grant_back(bf, &bf->reg[i], final, &gave_up);
	return done;
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

/* Every unit answered, nothing in flight, no grant of its pages left. */
static void req_settle(struct blkfront_req *r)
{
	if (r->acked == units_mask(r->units) && !r->inflight && !r->held)
		r->finished = true;
}

/* Units first..first+n-1 answered with status (0 or an error). */
static void req_units_done(struct blkfront_req *r, unsigned int first,
			   unsigned int n, int status)
{
	r->acked |= units_mask(n) << first;
	if (status && !r->status)
		r->status = status;
	req_settle(r);
}

/* ---- Grants of the caller's pages (direct requests) ---- */

/*
 * Take direct slot i's grant back: true when it is no longer granted.
 * Never given up on unless final (then counted as leaked).
 */
static bool direct_end_one(struct blkfront *bf, unsigned int i, bool final)
{
	struct blkfront_page *d = &bf->direct[i];
	struct blkfront_req *r;

	if (!d->granted)
		return true;
	if (bf->ops.grant_end(bf->ops.env, d->ref)) {
		if (!final) {
			if (d->end_tries < UINT8_MAX)
				d->end_tries++;
			return false;
		}
		bf->stats.grants_leaked++;
	}
	d->granted = false;
	d->end_tries = 0;
	d->va = NULL;
	r = &bf->q[d->req];
	r->held--;
	req_settle(r);
	return true;
}

bool bf_direct_end(struct blkfront *bf, bool final)
{
	bool done = true;
	unsigned int i;

	/* Released slots are ended at once; only a refused one waits here. */
	if (!final && !bf->direct_pending)
		return true;
	bf->direct_pending = false;
	for (i = 0; i < BLKFRONT_PAGES; i++) {
		struct blkfront_page *d = &bf->direct[i];

		if ((d->busy && !final) || direct_end_one(bf, i, final))
			continue;
		bf->direct_pending = true;
		if (d->end_tries < BLKFRONT_END_TRIES)
			done = false;
	}
	return done;
}

/* Up to want free slots for request ri's pages, marked busy. */
static unsigned int direct_take(struct blkfront *bf, unsigned int ri,
				unsigned int want, uint8_t *out)
{
	unsigned int n, got = 0;

	for (n = 0; n < BLKFRONT_PAGES && got < want; n++) {
		unsigned int i = (bf->direct_next + n) % BLKFRONT_PAGES;
		struct blkfront_page *d = &bf->direct[i];

		if (d->busy || d->granted)
			continue;
		d->busy = true;
		d->req = (uint8_t)ri;
		d->end_tries = 0;
		out[got++] = (uint8_t)i;
		bf->direct_next = (i + 1) % BLKFRONT_PAGES;
	}
	return got;
}

static void direct_release(struct blkfront *bf, const uint8_t *pg,
			   unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		bf->direct[pg[i]].busy = false;
		if (!direct_end_one(bf, pg[i], false))
			bf->direct_pending = true;
	}
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
	for (unsigned int n = 0; n < BLKFRONT_RING_SLOTS; n++) {
		unsigned int i = (bf->shadow_next + n) % BLKFRONT_RING_SLOTS;

		if (!bf->shadow[i].used) {
			bf->shadow_next = (i + 1) % BLKFRONT_RING_SLOTS;
			return (int)i;
		}
	}
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
	_Static_assert(BLKFRONT_REQ_UNITS <= 64, "acked has a bit a unit");
	unsigned int next = r->next, units = r->units;
	uint64_t acked = next < 64 ? r->acked >> next : 0;
	unsigned int n = acked ? (unsigned int)__builtin_ctzll(acked) : 64;
	unsigned int left = next < units ? units - next : 0;

	n = n < max ? n : max;
	return n < left ? n : left;
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
	uint8_t got[BLKFRONT_INDIRECT_SEGS + 1], ind;
	unsigned int n;

	sh->ind = -1;
	if (sh->reg) {
		/* Granted already; a pool page for the list if need be. */
		n = run;
		if (n > direct && pages_take(bf, 1, &ind) == 1)
			sh->ind = ind;
		else if (n > direct)
			n = direct;
	} else if (sh->direct) {
		/* The caller's pages; a pool page for the list if need be. */
		n = direct_take(bf, sh->req, run, got);
		if (n > direct && pages_take(bf, 1, &ind) == 1) {
			sh->ind = ind;
		} else if (n > direct) {
			direct_release(bf, got + direct, n - direct);
			n = direct;
		}
	} else if ((n = pages_take(bf, run > direct ? run + 1 : run, got)) >
		   direct + 1) {
		sh->ind = got[--n];
	} else if (n > direct) {
		pages_release(bf, got + direct, n - direct);
		n = direct;
	}
	if (!sh->reg) /* a registered piece has no pg[] */
		memcpy(sh->pg, got, n);
	sh->nseg = (uint8_t)n;
	return n > 0;
}

/*
 * The segment list of an indirect piece into its page: only the list (a
 * backend reads nr_segments entries; the rest of the page holds what
 * this vbd's backend saw already: earlier lists, or data it read or was
 * sent).
 */
static int piece_list(struct blkfront *bf, const struct blkfront_shadow *sh,
		      const struct bf_segs *segs)
{
	struct blkfront_page *pg = &bf->pages[sh->ind];

	memcpy(pg->va, segs->seg, sh->nseg * sizeof(segs->seg[0]));
	return pg->granted ? 0 : bf_page_grant(bf, pg, !bf->persistent);
}

/*
 * A registered piece: its pages are consecutive in the registered
 * buffer, granted once (writable: the backend may keep them), every
 * unit a whole page (a registered request is a direct one: whole pages,
 * bf_rw()).
 */
static int piece_grant_reg(struct blkfront *bf, const struct blkfront_req *r,
			   const struct blkfront_shadow *sh,
			   struct bf_segs *segs)
{
	struct blkfront_page *pg =
	    &bf->reg[(req_buf(r) - (uintptr_t)bf->reg_va) / PAGE + sh->first];
	unsigned int i;
	int rc = 0;

	for (i = 0; i < sh->nseg && !rc; i++, pg++) {
		if (!pg->granted)
			rc = bf_page_grant(bf, pg, false);
		segs->seg[i] = (struct blkif_request_segment){
			.gref = pg->ref,
			.last_sect = BLKFRONT_SECTORS_PER_PAGE - 1,
		};
	}
	if (rc)
		return rc;
	return sh->ind >= 0 ? piece_list(bf, sh, segs) : 0;
}

/*
 * Grant sh's pages to the backend (read-only when it only reads them,
 * unless it keeps them): a direct piece's are the caller's own, each
 * held by its request until its grant ends; a registered piece's are
 * granted once; a pool page gets the data in for a write, the rest
 * zeroed so that nothing of an earlier request shows. Fills the segments.
 */
static int piece_grant(struct blkfront *bf, struct blkfront_req *r,
		       const struct blkfront_shadow *sh, struct bf_segs *segs)
{
	bool write = r->op == BLKIF_OP_WRITE;
	unsigned int i;
	int rc = 0;

	if (sh->reg)
		return piece_grant_reg(bf, r, sh, segs);
	for (i = 0; i < sh->nseg && !rc; i++) {
		unsigned int u = sh->first + i, n = unit_sectors(r, u);
		struct blkfront_page *pg;

		if (sh->direct) {
			pg = &bf->direct[sh->pg[i]];
			pg->va =
			    (write ? (uint8_t *)(uintptr_t)r->src : r->dst) +
			    (size_t)u * PAGE;
			pg->mfn = bf->ops.virt_to_mfn(bf->ops.env, pg->va);
			rc = bf_page_grant(bf, pg, write);
			r->held += !rc;
		} else {
			size_t in = write ? (size_t)n * BLKFRONT_SECTOR : 0;

			pg = &bf->pages[sh->pg[i]];
			if (in)
				memcpy(pg->va, r->src + (size_t)u * PAGE, in);
			memset((uint8_t *)pg->va + in, 0, PAGE - in);
			if (!pg->granted)
				rc = bf_page_grant(bf, pg,
						   write && !bf->persistent);
		}
		segs->seg[i] = (struct blkif_request_segment){
			.gref = pg->ref,
			.first_sect = 0,
			.last_sect = (uint8_t)(n - 1),
		};
	}
	if (!rc && sh->ind >= 0)
		rc = piece_list(bf, sh, segs);
	return rc;
}

/*
 * The ring request for sh, written in its slot: ours until the push
 * publishes it. Fields a backend does not read for the operation keep
 * what the slot held (an earlier request or response of this ring).
 */
static void piece_write(struct blkfront *bf, const struct blkfront_req *r,
			const struct blkfront_shadow *sh,
			const struct bf_segs *segs)
{
	void *slot = RING_GET_REQUEST(&bf->ring, bf->ring.req_prod_pvt);
	uint64_t sector = r->sector + (uint64_t)sh->first * SPP;

	if (sh->op == BLKIF_OP_INDIRECT) {
		struct blkif_request_indirect *q = slot;

		q->operation = BLKIF_OP_INDIRECT;
		q->indirect_op = sh->rw_op;
		q->nr_segments = sh->nseg;
		q->id = sh->id;
		q->sector_number = sector;
		q->handle = bf->handle;
		q->indirect_grefs[0] = bf->pages[sh->ind].ref;
	} else if (sh->op == BLKIF_OP_DISCARD) {
		struct blkif_request_discard *q = slot;

		q->operation = BLKIF_OP_DISCARD;
		q->flag = 0;
		q->handle = bf->handle;
		q->id = sh->id;
		q->sector_number = r->sector;
		q->nr_sectors = r->count;
	} else {
		struct blkif_request *q = slot;

		q->operation = sh->op;
		q->nr_segments = sh->nseg;
		q->handle = bf->handle;
		q->id = sh->id;
		q->sector_number = sh->nseg ? sector : 0;
		memcpy(q->seg, segs->seg, sh->nseg * sizeof(segs->seg[0]));
	}
	bf->ring.req_prod_pvt++;
}

/* Undo piece_pages() and piece_grant() for a piece that did not go out. */
static void piece_unwind(struct blkfront *bf, struct blkfront_shadow *sh)
{
	uint8_t ind = (uint8_t)sh->ind;

	if (sh->direct)
		direct_release(bf, sh->pg, sh->nseg);
	else if (!sh->reg)
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
	/* The head: pg[] is read up to nseg. */
	sh->used = false;
	sh->nseg = 0;
	sh->op = sh->rw_op = r->op;
	sh->ind = -1;
	sh->req = (uint16_t)ri;
	/* A persistent connection has no grant made for one request. */
	sh->reg = bf->persistent && req_in_reg(bf, r);
	sh->direct = r->direct && !bf->persistent;
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
	bf->stats.registered += sh->reg;
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
void bf_issue(struct blkfront *bf)
{
	unsigned int i, n = 0;
	int notify, err;

	if (bf->state != BLKFRONT_CONNECTED)
		return;
	for (i = bf->q_issued; i < bf->q_len; i++) {
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
	/* In order: everything before the one that stopped us went out. */
	bf->q_issued = i;
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
	bool pool = !sh->direct && !sh->reg;
	unsigned int i;

	for (i = 0; i < sh->nseg && pool; i++)
		va[i] = bf->pages[sh->pg[i]].va;
	/*
	 * Grants first: what we copy then no longer changes under us. A
	 * direct read's data is in place, its request held by any grant
	 * not taken back yet.
	 */
	piece_unwind(bf, sh);
	if (!status && r->op == BLKIF_OP_READ && pool)
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
bool bf_collect(struct blkfront *bf)
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

/*
 * The connection ended: ring requests in flight were not answered, so
 * their units go back to waiting, each request's cursor to its first
 * unit not answered. Their pages' grants are taken back (or retried).
 */
void bf_requeue(struct blkfront *bf)
{
	unsigned int i;

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
	bf->q_issued = 0;
}

/* ---- Completions ---- */

static void q_compact(struct blkfront *bf)
{
	while (bf->q_len && !bf->q[bf->q_head].used) {
		bf->q_head = (bf->q_head + 1) % BLKFRONT_QUEUE;
		bf->q_len--;
		if (bf->q_issued)
			bf->q_issued--;
	}
}

/* Run request ri's completion; its slot is free before the call. */
void bf_complete(struct blkfront *bf, unsigned int ri, int status)
{
	struct blkfront_req *r = &bf->q[ri];
	bool sync = r->sync;
	void *cookie = r->cookie;

	r->used = false;
	bf->q_used--;
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
int bf_deliver(struct blkfront *bf)
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
		bf_complete(bf, ri, r->status);
		n++;
		i = 0;
	}
	return n;
}

/* Every page that is ours (not a leaked one) back to ops.page_free. */
void bf_pages_free(struct blkfront *bf)
{
	unsigned int i;

	for (i = 0; i < BF_ALL_PAGES; i++) {
		struct blkfront_page *pg = bf_page(bf, i);

		if (pg->va && bf->ops.page_free)
			bf->ops.page_free(bf->ops.env, pg->va);
		pg->va = NULL;
	}
}

/* ---- Submission ---- */

int bf_submit(struct blkfront *bf, const struct blkfront_req *in)
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
	bf->q_used++;
	bf->stats.submitted++;
	bf->stats.direct += r->direct;
	bf_issue(bf);
	return 0;
}
