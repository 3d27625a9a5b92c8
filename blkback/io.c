/*
 * Requests at the device: each runs its steps (device ops) one after the
 * other and is answered when the last finished or one failed.
 *
 * A step's io finishes through io_done(), which may run at any time
 * (from the env's main loop, or from inside disk_submit()): it only
 * records the status. bb_finish(), called from bb_vbd_poll(), does the
 * rest: the next step, or the copy out of a read, the response and
 * freeing the pages. So blkback is never re-entered from an env op.
 * A device whose queue is full has the io submitted again at the next
 * poll.
 */
#include <stddef.h>
#include <xen/string.h>
#include "internal.h"

_Static_assert(offsetof(struct bb_req, io) == 0, "io_done finds its req");
_Static_assert(BB_REQ_FREE == 0, "a zeroed request is a free one");

void bb_req_set(struct bb_req *req, enum bb_req_state state)
{
	uint64_t bit = 1ull << (req - req->vbd->req);

	req->vbd->in_state[req->state] &= ~bit;
	req->vbd->in_state[state] |= bit;
	req->state = state;
}

struct bb_req *bb_req_alloc(struct bb_vbd *vbd)
{
	uint64_t free = vbd->in_state[BB_REQ_FREE];
	struct bb_req *req;

	if (!free)
		return NULL;
	req = bb_req_next(vbd, &free);
	/*
	 * The counts only: the arrays are read up to them, and io is
	 * filled whole before each step's submit (io_fill). state stays
	 * BB_REQ_FREE, which it was: bb_req_set() moves it on.
	 */
	req->vbd = vbd;
	req->op = req->nsteps = req->step = 0;
	req->io_status = 0;
	req->id = 0;
	bb_rw_reset(&req->rw);
	req->discard_nr = 0;
	req->npages = req->nmaps = req->nbus = 0;
	bb_req_set(req, BB_REQ_WAIT);
	vbd->active++;
	return req;
}

void bb_req_free(struct bb_req *req)
{
	struct bb_vbd *vbd = req->vbd;

	bb_unmap_data(vbd, req); /* never at the device here */
	bb_pages_put(vbd, req->npages, req->page);
	req->npages = 0;
	bb_req_set(req, BB_REQ_FREE);
	vbd->active--;
	bb_persist_release(vbd); /* the last one after a disconnect */
}

static void io_done(struct bb_io *io, int status)
{
	struct bb_req *req = (struct bb_req *)io;

	/* A second call for the same io is the env's bug: ignore it. */
	if (req->state != BB_REQ_DEVICE)
		return;
	req->io_status = status;
	bb_req_set(req, BB_REQ_DONE);
}

static void io_fill(struct bb_req *req, uint8_t step)
{
	const struct bb_vbd_config *cfg = &req->vbd->cfg;
	struct bb_io *io = &req->io;

	*io = (struct bb_io){ .op = (enum bb_io_op)step,
			      .nsid = cfg->nsid,
			      .done = io_done };
	if (step == BB_STEP_READ || step == BB_STEP_WRITE) {
		bb_map_range(cfg, req->rw.sector, req->rw.nsect, &io->lba,
			     &io->nblocks);
		if (req->nbus) {
			io->nsegs = req->nbus;
			io->seg = req->bus_seg;
		} else {
			io->npages = req->npages;
			io->page = req->page;
		}
	} else if (step == BB_STEP_DISCARD) {
		bb_map_range(cfg, req->rw.sector, req->discard_nr, &io->lba,
			     &io->nblocks);
	}
}

void bb_req_start(struct bb_req *req)
{
	const struct bb_env *env = req->vbd->env;
	long rc;

	io_fill(req, req->steps[req->step]);
	bb_req_set(req, BB_REQ_DEVICE);
	rc = env->disk_submit(env->ctx, &req->io);
	if (rc == -XEN_EBUSY || rc == -XEN_EAGAIN) {
		req->vbd->stats.busy++;
		bb_req_set(req, BB_REQ_RETRY);
	} else if (rc) {
		req->io_status = (int)rc;
		bb_req_set(req, BB_REQ_DONE);
	}
}

void bb_respond(struct bb_vbd *vbd, uint64_t id, uint8_t op, int status)
{
	struct blkif_response *rsp;

	if (!vbd->connected)
		return;
	rsp = RING_GET_RESPONSE(&vbd->ring, vbd->ring.rsp_prod_pvt);
	*rsp = (struct blkif_response){ .id = id,
					.operation = op,
					.status = (int16_t)status };
	vbd->ring.rsp_prod_pvt++;
	if (status == BLKIF_RSP_ERROR)
		vbd->stats.errors++;
	else if (status == BLKIF_RSP_EOPNOTSUPP)
		vbd->stats.unsupported++;
}

static void finish_stats(struct bb_vbd_stats *s, const struct bb_req *req)
{
	if (req->steps[0] == BB_STEP_READ) {
		s->reads++;
		s->read_sectors += req->rw.nsect;
	} else if (req->op == BLKIF_OP_WRITE) {
		s->writes++;
		s->written_sectors += req->rw.nsect;
	} else if (req->op == BLKIF_OP_DISCARD) {
		s->discards++;
	} else {
		if (req->op == BLKIF_OP_WRITE_BARRIER)
			s->barriers++;
		else
			s->flushes++;
		if (req->rw.nsegs)
			s->written_sectors += req->rw.nsect;
	}
}

/*
 * The last step finished (or one failed): copy out or unmap (before the
 * answer: the frontend ends its grants when it sees it), answer, free.
 * Persistent grants stay as they are.
 */
static void finish_one(struct bb_vbd *vbd, struct bb_req *req)
{
	int status = req->io_status ? BLKIF_RSP_ERROR : BLKIF_RSP_OKAY;

	if (req->op == BLKIF_OP_WRITE_BARRIER)
		vbd->barrier = false;
	if (!vbd->connected) {
		bb_req_free(req);
		return;
	}
	if (req->nmaps)
		bb_unmap_data(vbd, req);
	else if (!req->nbus && status == BLKIF_RSP_OKAY &&
		 req->steps[0] == BB_STEP_READ && bb_copy_data(vbd, req, true))
		status = BLKIF_RSP_ERROR;
	if (status == BLKIF_RSP_OKAY)
		finish_stats(&vbd->stats, req);
	bb_respond(vbd, req->id, req->op, status);
	bb_req_free(req);
}

/* A barrier starts once every request taken before it was answered. */
static bool start_barrier(struct bb_vbd *vbd)
{
	uint64_t wait = vbd->in_state[BB_REQ_WAIT];

	if (!vbd->barrier || vbd->active != 1 || !wait)
		return false;
	bb_req_start(bb_req_next(vbd, &wait));
	return true;
}

void bb_retry(struct bb_vbd *vbd)
{
	/* Those busy now only: one that is busy again waits for a poll. */
	uint64_t retry = vbd->in_state[BB_REQ_RETRY];

	while (retry)
		bb_req_start(bb_req_next(vbd, &retry));
}

void bb_finish(struct bb_vbd *vbd)
{
	/*
	 * Bounded: each round ends a step of some request (a request has
	 * at most three), or starts a barrier, or stops.
	 */
	for (;;) {
		uint64_t done = vbd->in_state[BB_REQ_DONE];
		struct bb_req *req;

		if (!done) {
			if (start_barrier(vbd))
				continue;
			return;
		}
		req = bb_req_next(vbd, &done);
		/* Disconnected: no step goes to the device after the one
		 * that was there (bb_vbd_disconnect()). */
		if (vbd->connected && !req->io_status &&
		    req->step + 1 < req->nsteps) {
			req->step++;
			bb_req_start(req);
		} else {
			finish_one(vbd, req);
		}
	}
}
