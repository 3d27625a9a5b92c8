/*
 * Taking requests off a vbd's ring.
 *
 * A batch reads the shared producer index once and checks it. Each
 * request is copied out of its slot and decoded from the copy: its
 * operation, counts, segments and range checked (check.c) before
 * anything is done. A bad one is answered at once and touches no
 * sector. A good one needs a request slot and its grants mapped for
 * the device or local pages; when neither can be had the request is
 * left on the ring (not consumed, never dropped) until completions free
 * them. Then a copied write's data is copied in and its first device op
 * submitted.
 */
#include <xen/string.h>
#include "internal.h"

enum take { TAKE_OK, TAKE_STALL };

static unsigned int pages_for(uint32_t nsect)
{
	return (nsect + BB_SECTORS_PER_PAGE - 1) / BB_SECTORS_PER_PAGE;
}

/* The steps of a data request; op is the blkif op it answers as. */
static void set_steps(struct bb_req *req, uint8_t op, uint8_t rw_op)
{
	req->op = op;
	if (op == BLKIF_OP_FLUSH_DISKCACHE || op == BLKIF_OP_WRITE_BARRIER) {
		/*
		 * Linux's blkfront sends its flush and FUA writes this way:
		 * the cache is flushed before the data (earlier writes are
		 * stable first) and after it (the data itself is stable).
		 */
		req->steps[req->nsteps++] = BB_STEP_FLUSH;
		if (!req->rw.nsegs)
			return;
		req->steps[req->nsteps++] = BB_STEP_WRITE;
		req->steps[req->nsteps++] = BB_STEP_FLUSH;
		return;
	}
	req->steps[req->nsteps++] =
	    rw_op == BLKIF_OP_READ ? BB_STEP_READ : BB_STEP_WRITE;
}

/*
 * Whether rw's data may go through persistent grants (tried first), by
 * grant map; else it is copied. Only segments the device can take as
 * they are (rw->shaped) go either way.
 */
static void want_ways(const struct bb_vbd *vbd, const struct bb_rw *rw,
		      bool *persist, bool *map)
{
	bool shaped = rw->nsegs && rw->shaped;

	*persist = shaped && vbd->persistent;
	*map = shaped && vbd->env->grant_map && vbd->env->grant_unmap &&
	       rw->nsect >= vbd->cfg.map_min_sectors;
}

/*
 * A checked data request (a read, a write, a flush or barrier with or
 * without data): slot, its grants persistent or mapped (or pages, the
 * data copied in), started. Grants that cannot be persistent, or a map
 * refused for room, leave it to the next way; a map that fails answers
 * it, nothing written. A barrier waits for every earlier request and
 * holds the ring until answered.
 */
static enum take take_data(struct bb_vbd *vbd, uint64_t id, uint8_t op,
			   const struct bb_rw *rw)
{
	unsigned int npages = pages_for(rw->nsect);
	struct bb_req *req;
	int map_rc = -XEN_ENOSPC;
	bool persist, map;

	want_ways(vbd, rw, &persist, &map);
	if (!persist && !map && npages > vbd->free_pages)
		return TAKE_STALL;
	req = bb_req_alloc(vbd);
	if (!req)
		return TAKE_STALL;
	req->id = id;
	bb_rw_copy(&req->rw, rw);
	if (persist)
		map_rc = bb_persist_data(vbd, req);
	if (map_rc == -XEN_ENOSPC && map)
		map_rc = bb_map_data(vbd, req);
	if (map_rc == -XEN_ENOSPC && npages > vbd->free_pages) {
		bb_req_free(req);
		return TAKE_STALL;
	}
	vbd->ring.req_cons++;
	if (map_rc && map_rc != -XEN_ENOSPC) {
		bb_respond(vbd, id, op, BLKIF_RSP_ERROR);
		bb_req_free(req);
		return TAKE_OK;
	}
	if (!map_rc) {
		vbd->stats.mapped += req->nmaps != 0;
	} else {
		bb_pages_get(vbd, npages, req->page);
		req->npages = (uint16_t)npages;
	}
	set_steps(req, op, rw->op);
	if (map_rc && rw->op == BLKIF_OP_WRITE && rw->nsegs &&
	    bb_copy_data(vbd, req, false)) {
		bb_respond(vbd, id, op, BLKIF_RSP_ERROR);
		bb_req_free(req);
		return TAKE_OK;
	}
	if (op == BLKIF_OP_WRITE_BARRIER)
		vbd->barrier = true; /* started by bb_finish() */
	else
		bb_req_start(req);
	return TAKE_OK;
}

static enum take answer(struct bb_vbd *vbd, uint64_t id, uint8_t op, int status)
{
	vbd->ring.req_cons++;
	bb_respond(vbd, id, op, status);
	return TAKE_OK;
}

/* READ, WRITE, FLUSH_DISKCACHE, WRITE_BARRIER: segments in the slot. */
static enum take take_direct(struct bb_vbd *vbd, const struct blkif_request *r)
{
	bool flush = r->operation == BLKIF_OP_FLUSH_DISKCACHE ||
		     r->operation == BLKIF_OP_WRITE_BARRIER;
	struct bb_rw rw;

	bb_rw_reset(&rw);
	rw.op = r->operation == BLKIF_OP_READ ? BLKIF_OP_READ : BLKIF_OP_WRITE;
	rw.nsegs = r->nr_segments;
	rw.sector = r->sector_number;
	if (r->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
		return answer(vbd, r->id, r->operation, BLKIF_RSP_ERROR);
	/* A flush may carry no data; its sector number is then unused. */
	if (!(flush && !rw.nsegs)) {
		memcpy(rw.seg, r->seg, rw.nsegs * sizeof(rw.seg[0]));
		if (bb_check_rw(&vbd->cfg, &rw) != BLKIF_RSP_OKAY)
			return answer(vbd, r->id, r->operation,
				      BLKIF_RSP_ERROR);
	}
	return take_data(vbd, r->id, r->operation, &rw);
}

static enum take take_indirect(struct bb_vbd *vbd,
			       const struct blkif_request *r)
{
	struct blkif_request_indirect ind;
	struct bb_rw rw;

	memcpy(&ind, r, sizeof(ind));
	if (ind.indirect_op != BLKIF_OP_READ &&
	    ind.indirect_op != BLKIF_OP_WRITE)
		return answer(vbd, ind.id, ind.indirect_op, BLKIF_RSP_ERROR);
	if (ind.nr_segments < 1 ||
	    ind.nr_segments > bb_indirect_segs(&vbd->cfg))
		return answer(vbd, ind.id, ind.indirect_op, BLKIF_RSP_ERROR);
	/* Its real page count is known only after the copy: the bound. */
	if (ind.nr_segments > vbd->free_pages)
		return TAKE_STALL;
	bb_rw_reset(&rw);
	rw.op = ind.indirect_op;
	rw.nsegs = ind.nr_segments;
	rw.sector = ind.sector_number;
	if (bb_copy_indirect(vbd, &ind, &rw) ||
	    bb_check_rw(&vbd->cfg, &rw) != BLKIF_RSP_OKAY)
		return answer(vbd, ind.id, ind.indirect_op, BLKIF_RSP_ERROR);
	return take_data(vbd, ind.id, ind.indirect_op, &rw);
}

static enum take take_discard(struct bb_vbd *vbd, const struct blkif_request *r)
{
	struct blkif_request_discard d;
	struct bb_req *req;

	memcpy(&d, r, sizeof(d));
	if (!vbd->cfg.discard || (d.flag & BLKIF_DISCARD_SECURE))
		return answer(vbd, d.id, d.operation, BLKIF_RSP_EOPNOTSUPP);
	if (bb_check_discard(&vbd->cfg, d.sector_number, d.nr_sectors))
		return answer(vbd, d.id, d.operation, BLKIF_RSP_ERROR);
	req = bb_req_alloc(vbd);
	if (!req)
		return TAKE_STALL;
	vbd->ring.req_cons++;
	req->id = d.id;
	req->op = BLKIF_OP_DISCARD;
	req->rw.sector = d.sector_number;
	req->discard_nr = d.nr_sectors;
	req->steps[req->nsteps++] = BB_STEP_DISCARD;
	bb_req_start(req);
	return TAKE_OK;
}

static enum take take_one(struct bb_vbd *vbd, RING_IDX cons)
{
	struct blkif_request r;

	RING_COPY_REQUEST(&vbd->ring, cons, &r);
	switch (r.operation) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
	case BLKIF_OP_FLUSH_DISKCACHE:
	case BLKIF_OP_WRITE_BARRIER:
		return take_direct(vbd, &r);
	case BLKIF_OP_INDIRECT:
		return take_indirect(vbd, &r);
	case BLKIF_OP_DISCARD:
		return take_discard(vbd, &r);
	default:
		return answer(vbd, r.id, r.operation, BLKIF_RSP_EOPNOTSUPP);
	}
}

/* One batch up to prod: the requests taken; *stop when it must end. */
static unsigned int take_batch(struct bb_vbd *vbd, RING_IDX prod,
			       unsigned int budget, bool *stop)
{
	unsigned int n = 0;

	while (vbd->ring.req_cons != prod && n < budget) {
		if (vbd->barrier || take_one(vbd, vbd->ring.req_cons)) {
			vbd->stats.stalls += !vbd->barrier;
			*stop = true;
			break;
		}
		n++;
	}
	return n;
}

/*
 * More requests than the ring holds past our answers, or fewer than we
 * already took (the index moved back): no frontend writes that.
 */
static bool prod_bad(const struct blkif_back_ring *ring, RING_IDX prod)
{
	RING_IDX taken = ring->req_cons - ring->rsp_prod_pvt;

	return RING_REQUEST_PROD_OVERFLOW(ring, prod) ||
	       (RING_IDX)(prod - ring->rsp_prod_pvt) < taken;
}

unsigned int bb_take(struct bb_vbd *vbd, unsigned int budget)
{
	unsigned int taken = 0;
	bool stop = false;
	int more = 1;

	while (vbd->connected && taken < budget && more && !stop) {
		RING_IDX prod = vbd->ring.sring->req_prod;

		xen_rmb(); /* the slots after the index */
		if (prod_bad(&vbd->ring, prod)) {
			/*
			 * What was answered before stands (this poll's
			 * finished ios): published, not left in our copy.
			 */
			RING_PUSH_RESPONSES(&vbd->ring);
			bb_vbd_disconnect(vbd, "producer index out of range");
			break;
		}
		taken += take_batch(vbd, prod, budget - taken, &stop);
		if (!stop && taken < budget)
			RING_FINAL_CHECK_FOR_REQUESTS(&vbd->ring, more);
	}
	return taken;
}
