/*
 * Requests on the NVMe I/O queue pair. A request gets a slot, whose
 * index and generation make its command ID; its command is built and
 * checked whole before anything changes, kept in the slot and copied
 * into the submission queue. At most NVME_SLOTS (depth - 1) are in
 * flight, so the submission queue can never be full and the completion
 * queue never overflows: no head pointer from the device is needed.
 */
#include <public/errno.h>
#include <driverdom/nvme.h>
#include <stub/time.h>

static struct nvme_slot *nvme_slot_free(struct nvme_ctrl *c)
{
	uint64_t free = ~c->busy & ((1ull << (c->depth - 1)) - 1);

	return free ? &c->slots[__builtin_ctzll(free)] : NULL;
}

/* Every change of a slot's req goes through here: it keeps c->busy. */
static void nvme_slot_set(struct nvme_ctrl *c, struct nvme_slot *slot,
			  struct blkdrv_req *req)
{
	uint64_t bit = 1ull << (slot - c->slots);

	slot->req = req;
	c->busy = req ? c->busy | bit : c->busy & ~bit;
}

/* The blocks [lba, lba + blocks) inside the namespace, without overflow. */
static bool nvme_range_ok(const struct blkdrv_ns *ns, uint64_t lba,
			  uint32_t blocks)
{
	return blocks && blocks <= ns->blocks && lba <= ns->blocks - blocks;
}

static long nvme_prep_rw(const struct blkdrv_geom *g,
			 const struct blkdrv_req *req, struct nvme_slot *slot,
			 struct nvme_sqe *sqe)
{
	const struct blkdrv_ns *ns = &g->ns[req->ns];
	uint64_t bytes = (uint64_t)req->blocks * ns->block_size;
	long got;

	if (!nvme_range_ok(ns, req->lba, req->blocks) ||
	    req->blocks > NVME_MAX_RW_BLOCKS || bytes > g->max_transfer ||
	    !req->segs)
		return -XEN_EINVAL;
	got = nvme_prp_build(req->segs, req->nr_segs, slot->list.va,
			     NVME_PRPS_PER_PAGE, slot->list.bus, &sqe->prp1,
			     &sqe->prp2);
	if (got < 0 || (uint64_t)got != bytes)
		return -XEN_EINVAL;
	sqe->opcode = req->op == BLKDRV_READ ? NVME_CMD_READ : NVME_CMD_WRITE;
	sqe->cdw10 = (uint32_t)req->lba;
	sqe->cdw11 = (uint32_t)(req->lba >> 32);
	sqe->cdw12 = req->blocks - 1;
	slot->bytes = (uint32_t)bytes;
	return 0;
}

/* Deallocate one range, described in the slot's page. */
static long nvme_prep_discard(const struct blkdrv_geom *g,
			      const struct blkdrv_req *req,
			      struct nvme_slot *slot, struct nvme_sqe *sqe)
{
	struct nvme_dsm_range *r = slot->list.va;

	if (!g->max_discard)
		return -XEN_EOPNOTSUPP;
	if (!nvme_range_ok(&g->ns[req->ns], req->lba, req->blocks) ||
	    req->blocks > g->max_discard)
		return -XEN_EINVAL;
	*r = (struct nvme_dsm_range){ .blocks = req->blocks, .lba = req->lba };
	sqe->opcode = NVME_CMD_DSM;
	sqe->prp1 = slot->list.bus;
	sqe->cdw10 = 0; /* one range, 0's based */
	sqe->cdw11 = NVME_DSM_DEALLOC;
	slot->bytes = 0;
	return 0;
}

static long nvme_prep(const struct blkdrv_geom *g, const struct blkdrv_req *req,
		      struct nvme_slot *slot, struct nvme_sqe *sqe)
{
	if (!req->done || req->ns >= g->nr_ns)
		return -XEN_EINVAL;
	*sqe = (struct nvme_sqe){ .nsid = g->ns[req->ns].id };
	switch (req->op) {
	case BLKDRV_READ:
	case BLKDRV_WRITE:
		return nvme_prep_rw(g, req, slot, sqe);
	case BLKDRV_FLUSH:
		sqe->opcode = NVME_CMD_FLUSH;
		slot->bytes = 0;
		return 0;
	case BLKDRV_DISCARD:
		return nvme_prep_discard(g, req, slot, sqe);
	}
	return -XEN_EINVAL;
}

void nvme_io_ring(struct nvme_ctrl *c)
{
	struct nvme_queue *sq = &c->iosq;

	if (!sq->held)
		return;
	/* The entries, then the bell. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*sq->db = sq->pos;
	sq->held = 0;
}

/*
 * Copy the slot's command into the SQ under a fresh CID; ring unless
 * more follow (at most NVME_SQ_HOLD are held back).
 */
static void nvme_issue(struct nvme_ctrl *c, struct nvme_slot *slot, bool more)
{
	struct nvme_queue *sq = &c->iosq;

	slot->gen++;
	slot->sqe.cid = (uint16_t)(slot->gen << 8 | (slot - c->slots));
	slot->issued = stub_now();
	((struct nvme_sqe *)sq->mem.va)[sq->pos] = slot->sqe;
	sq->pos = (sq->pos + 1) % sq->depth;
	if (++sq->held >= NVME_SQ_HOLD || !more)
		nvme_io_ring(c);
}

long nvme_io_submit(struct blkdrv *bd, struct nvme_ctrl *c,
		    struct blkdrv_req *req, bool more)
{
	struct nvme_slot *slot;
	struct nvme_sqe sqe;
	long rc;

	if (c->state == NVME_FAILED)
		return -XEN_ENODEV;
	if (c->state != NVME_READY)
		return -XEN_EAGAIN;
	slot = nvme_slot_free(c);
	if (!slot) {
		bd->stats.busy++;
		return -XEN_EAGAIN;
	}
	rc = nvme_prep(&bd->geom, req, slot, &sqe);
	if (rc)
		return rc;
	nvme_slot_set(c, slot, req);
	slot->sqe = sqe;
	slot->seq = c->next_seq++;
	slot->tries = 1;
	bd->in_flight++;
	nvme_issue(c, slot, more);
	return 0;
}

static void nvme_account(struct blkdrv_stats *s, const struct blkdrv_req *req,
			 uint32_t bytes, long status)
{
	if (status) {
		s->errors++;
		return;
	}
	switch (req->op) {
	case BLKDRV_READ:
		s->reads++;
		s->read_bytes += bytes;
		break;
	case BLKDRV_WRITE:
		s->writes++;
		s->write_bytes += bytes;
		break;
	case BLKDRV_FLUSH:
		s->flushes++;
		break;
	case BLKDRV_DISCARD:
		s->discards++;
		break;
	}
}

/* Free the slot first: done() may submit into it. */
static void nvme_finish(struct blkdrv *bd, struct nvme_ctrl *c,
			struct nvme_slot *slot, long status)
{
	struct blkdrv_req *req = slot->req;

	nvme_slot_set(c, slot, NULL);
	bd->in_flight--;
	nvme_account(&bd->stats, req, slot->bytes, status);
	req->done(req, status);
}

/* The slot a completion names, if it is in flight under that CID. */
static struct nvme_slot *nvme_slot_of(struct nvme_ctrl *c,
				      const struct nvme_cqe *cqe)
{
	unsigned int i = cqe->cid & 0xff;

	if (i >= c->depth - 1 || cqe->sq_id != NVME_IO_QID ||
	    !c->slots[i].req || c->slots[i].sqe.cid != cqe->cid)
		return NULL;
	return &c->slots[i];
}

unsigned int nvme_io_reap(struct blkdrv *bd, struct nvme_ctrl *c,
			  unsigned int budget)
{
	struct nvme_cqe cqe;
	unsigned int n = 0;
	bool any = false;

	while (n < budget && nvme_cq_take(&c->iocq, &cqe)) {
		struct nvme_slot *slot = nvme_slot_of(c, &cqe);

		any = true;
		if (!slot) {
			bd->stats.bogus++;
			continue;
		}
		nvme_finish(bd, c, slot, nvme_status(cqe.status));
		n++;
	}
	if (any)
		*c->iocq.db = c->iocq.pos;
	return n;
}

/* The in-flight slot with the smallest seq in [from, below), or NULL. */
static struct nvme_slot *nvme_next_in_order(struct nvme_ctrl *c, uint64_t from,
					    uint64_t below)
{
	struct nvme_slot *best = NULL;

	for (unsigned int i = 0; i < c->depth - 1; i++) {
		struct nvme_slot *s = &c->slots[i];

		if (s->req && s->seq >= from && s->seq < below &&
		    (!best || s->seq < best->seq))
			best = s;
	}
	return best;
}

/*
 * Oldest first, so that overlapping writes land in the order they were
 * submitted, as they most likely did the first time. A request issued
 * BLKDRV_TRIES times already fails instead. Only what was in flight
 * before: a done() here may submit anew, and that one is issued once.
 */
unsigned int nvme_io_reissue(struct blkdrv *bd, struct nvme_ctrl *c)
{
	uint64_t below = c->next_seq;
	struct nvme_slot *s = nvme_next_in_order(c, 0, below);
	unsigned int failed = 0;

	while (s) {
		uint64_t seq = s->seq;

		if (s->tries >= BLKDRV_TRIES) {
			nvme_finish(bd, c, s, -XEN_EIO);
			failed++;
		} else {
			s->tries++;
			bd->stats.reissued++;
			nvme_issue(c, s, false);
		}
		s = nvme_next_in_order(c, seq + 1, below);
	}
	return failed;
}

unsigned int nvme_io_fail_all(struct blkdrv *bd, struct nvme_ctrl *c,
			      long status)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < c->depth - 1; i++)
		if (c->slots[i].req) {
			nvme_finish(bd, c, &c->slots[i], status);
			n++;
		}
	return n;
}

bool nvme_io_overdue(const struct nvme_ctrl *c, uint64_t now, uint64_t limit)
{
	for (unsigned int i = 0; i < c->depth - 1; i++)
		if (c->slots[i].req && now - c->slots[i].issued > limit)
			return true;
	return false;
}
