/*
 * Bringing an NVMe controller up (base specification 7.6.1): disable it
 * and wait for CSTS.RDY to clear, program the admin queue, enable it
 * and wait for RDY, then Identify the controller and its active
 * namespaces and create one I/O queue pair. Admin commands are issued
 * one at a time and polled. Everything the controller wrote (identify
 * data, completions) is read once and checked.
 */
#include <public/errno.h>
#include <xen/string.h>
#include <driverdom/nvme.h>
#include <stub/stub.h>
#include <stub/time.h>

#define NVME_BAR 0
/* One transfer's pages must fit one PRP list page after PRP1. */
#define NVME_XFER_LIMIT (NVME_PRPS_PER_PAGE * NVME_PAGE_SIZE)

static long nvme_queue_alloc(struct nvme_queue *q)
{
	return dd_dma_alloc(&q->mem) ? -XEN_ENOMEM : 0;
}

/* The doorbells up to the I/O queue pair's, after CAP told the stride. */
static long nvme_map_doorbells(struct blkdrv *bd, struct nvme_ctrl *c)
{
	size_t len = (4 * c->db_stride + NVME_PAGE_SIZE - 1) &
		     ~(size_t)(NVME_PAGE_SIZE - 1);
	volatile void *va;
	long rc = dd_pci_map(bd->pci, NVME_BAR, NVME_REG_DBS, len, &va);

	if (rc)
		return rc;
	c->dbs = va;
	return 0;
}

long nvme_ctrl_alloc(struct blkdrv *bd, struct nvme_ctrl *c)
{
	volatile void *va;
	long rc = dd_pci_enable(bd->pci, DD_PCI_CMD_MEM);

	if (!rc)
		rc = dd_pci_map(bd->pci, NVME_BAR, 0, NVME_PAGE_SIZE, &va);
	if (rc)
		return rc;
	c->regs = va;
	c->cap = nvme_r32(c, NVME_REG_CAP) |
		 (uint64_t)nvme_r32(c, NVME_REG_CAP + 4) << 32;
	if (c->cap == ~0ull || NVME_CAP_MPSMIN(c->cap) != 0 ||
	    !(c->cap & NVME_CAP_CSS_NVM) || NVME_CAP_MQES(c->cap) < 1)
		return -XEN_ENODEV; /* no 4 KiB pages or no NVM command set */
	c->db_stride = 4u << NVME_CAP_DSTRD(c->cap);
	c->depth = NVME_CAP_MQES(c->cap) + 1 < NVME_IO_DEPTH
		       ? NVME_CAP_MQES(c->cap) + 1
		       : NVME_IO_DEPTH;
	/* CAP.TO of 0 is no promise: allow 500 ms as for 1. */
	c->ready_wait =
	    (uint64_t)(NVME_CAP_TO(c->cap) ? NVME_CAP_TO(c->cap) : 1) *
	    NVME_TO_UNIT_MS * NVME_MS;
	rc = nvme_map_doorbells(bd, c);
	if (!rc && (nvme_queue_alloc(&c->asq) || nvme_queue_alloc(&c->acq) ||
		    nvme_queue_alloc(&c->iosq) || nvme_queue_alloc(&c->iocq) ||
		    dd_dma_alloc(&c->ident)))
		rc = -XEN_ENOMEM;
	for (unsigned int i = 0; !rc && i < NVME_SLOTS; i++)
		if (dd_dma_alloc(&c->slots[i].list))
			rc = -XEN_ENOMEM;
	c->allocated = !rc;
	return rc;
}

/* Sleep in 1 ms steps until CSTS.RDY is want, at most CAP.TO. */
static long nvme_wait_ready(struct nvme_ctrl *c, uint32_t want)
{
	uint64_t until = stub_now() + c->ready_wait;

	for (;;) {
		uint32_t csts = nvme_r32(c, NVME_REG_CSTS);

		if (csts != ~0u && (csts & NVME_CSTS_RDY) == want)
			return 0;
		if (csts != ~0u && want && (csts & NVME_CSTS_CFS))
			return -XEN_EIO;
		if (stub_now() > until)
			return -XEN_ETIMEDOUT;
		stub_sleep(NVME_MS);
	}
}

static long nvme_disable(struct nvme_ctrl *c)
{
	uint32_t cc = nvme_r32(c, NVME_REG_CC);

	if (cc == ~0u)
		return -XEN_EIO;
	if (cc & NVME_CC_EN)
		nvme_w32(c, NVME_REG_CC, cc & ~NVME_CC_EN);
	return nvme_wait_ready(c, 0);
}

static void nvme_queue_reset(struct nvme_ctrl *c, struct nvme_queue *q,
			     unsigned int depth, unsigned int db)
{
	memset(q->mem.va, 0, NVME_PAGE_SIZE);
	q->depth = depth;
	q->pos = 0;
	q->held = 0;
	q->phase = 1;
	q->db = (volatile uint32_t *)(c->dbs + db * c->db_stride);
}

/* Admin queue in, then CC.EN with our page and entry sizes. */
static long nvme_enable(struct nvme_ctrl *c)
{
	nvme_queue_reset(c, &c->asq, NVME_ADMIN_DEPTH, 0);
	nvme_queue_reset(c, &c->acq, NVME_ADMIN_DEPTH, 1);
	nvme_w32(c, NVME_REG_AQA, NVME_AQA(NVME_ADMIN_DEPTH, NVME_ADMIN_DEPTH));
	nvme_w32(c, NVME_REG_ASQ, (uint32_t)c->asq.mem.bus);
	nvme_w32(c, NVME_REG_ASQ + 4, (uint32_t)(c->asq.mem.bus >> 32));
	nvme_w32(c, NVME_REG_ACQ, (uint32_t)c->acq.mem.bus);
	nvme_w32(c, NVME_REG_ACQ + 4, (uint32_t)(c->acq.mem.bus >> 32));
	c->cc = NVME_CC_CSS_NVM | NVME_CC_MPS_4K | NVME_CC_AMS_RR |
		NVME_CC_IOSQES(NVME_SQES) | NVME_CC_IOCQES(NVME_CQES) |
		NVME_CC_EN;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* queues zeroed, then EN */
	nvme_w32(c, NVME_REG_CC, c->cc);
	return nvme_wait_ready(c, 1);
}

/*
 * The completion entry at q->pos, read once: the second quadword (CID,
 * status with the phase bit) first, the result after it.
 */
bool nvme_cq_take(struct nvme_queue *q, struct nvme_cqe *cqe)
{
	volatile uint64_t *e = (volatile uint64_t *)q->mem.va + 2 * q->pos;
	uint64_t hi = e[1];

	if (((hi >> 48) & NVME_CQE_PHASE) != q->phase)
		return false;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	cqe->result = (uint32_t)e[0];
	cqe->rsvd = 0;
	cqe->sq_head = (uint16_t)hi;
	cqe->sq_id = (uint16_t)(hi >> 16);
	cqe->cid = (uint16_t)(hi >> 32);
	cqe->status = (uint16_t)(hi >> 48);
	if (++q->pos == q->depth) {
		q->pos = 0;
		q->phase ^= 1;
	}
	return true;
}

long nvme_status(uint16_t status)
{
	uint32_t sc = NVME_CQE_SC(status), sct = NVME_CQE_SCT(status);

	if (!sc && !sct)
		return 0;
	if (!sct && (sc == NVME_SC_INVALID_FLD || sc == NVME_SC_LBA_RANGE))
		return -XEN_EINVAL;
	return -XEN_EIO;
}

/*
 * One admin command, polled to its completion: spin for the first
 * millisecond (most finish in microseconds), then sleep in steps.
 * Completions for other CIDs (left over from before a reset) are dropped.
 */
static long nvme_admin(struct nvme_ctrl *c, struct nvme_sqe *sqe,
		       uint32_t *result)
{
	struct nvme_queue *sq = &c->asq, *cq = &c->acq;
	uint64_t start = stub_now();
	struct nvme_cqe cqe;

	sqe->cid = c->admin_cid++;
	((struct nvme_sqe *)sq->mem.va)[sq->pos] = *sqe;
	sq->pos = (sq->pos + 1) % sq->depth;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*sq->db = sq->pos;
	for (;;) {
		while (nvme_cq_take(cq, &cqe)) {
			*cq->db = cq->pos;
			if (cqe.cid != sqe->cid)
				continue;
			if (result)
				*result = cqe.result;
			return nvme_status(cqe.status);
		}
		if (stub_now() - start > NVME_ADMIN_TIMEOUT)
			return -XEN_ETIMEDOUT;
		if (stub_now() - start > NVME_MS)
			stub_sleep(NVME_MS);
	}
}

static long nvme_identify(struct nvme_ctrl *c, uint32_t cns, uint32_t nsid)
{
	struct nvme_sqe sqe = { .opcode = NVME_ADMIN_IDENTIFY,
				.nsid = nsid,
				.prp1 = c->ident.bus,
				.cdw10 = cns };

	memset(c->ident.va, 0, NVME_PAGE_SIZE);
	return nvme_admin(c, &sqe, NULL);
}

static uint32_t nvme_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t nvme_get64(const uint8_t *p)
{
	return nvme_get32(p) | (uint64_t)nvme_get32(p + 4) << 32;
}

/* The model string, printable ASCII only, trailing blanks dropped. */
static void nvme_model(char *out, const uint8_t *in)
{
	int i;

	for (i = 0; i < 40; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7f ? (char)in[i] : '?';
	for (out[40] = '\0'; i > 0 && out[i - 1] == ' '; i--)
		out[i - 1] = '\0';
}

/* Transfer size, cache and discard from Identify Controller. */
static long nvme_identify_ctrl(struct nvme_ctrl *c, struct blkdrv_geom *g,
			       uint32_t *nn)
{
	const uint8_t *id = c->ident.va;
	uint8_t sqes, cqes, mdts;
	long rc = nvme_identify(c, NVME_ID_CTRL, 0);

	if (rc)
		return rc;
	sqes = id[NVME_IDC_SQES];
	cqes = id[NVME_IDC_CQES];
	mdts = id[NVME_IDC_MDTS];
	if ((sqes & 0xf) > NVME_SQES || (sqes >> 4) < NVME_SQES ||
	    (cqes & 0xf) > NVME_CQES || (cqes >> 4) < NVME_CQES)
		return -XEN_ENODEV;
	g->max_transfer = NVME_XFER_LIMIT;
	if (mdts && mdts < 10 && (NVME_PAGE_SIZE << mdts) < NVME_XFER_LIMIT)
		g->max_transfer = NVME_PAGE_SIZE << mdts;
	g->volatile_cache = id[NVME_IDC_VWC] & NVME_VWC_PRESENT;
	/* ONCS is 16 bits, DSM its bit 2; a range counts blocks in 32. */
	g->max_discard = id[NVME_IDC_ONCS] & NVME_ONCS_DSM ? UINT32_MAX : 0;
	*nn = nvme_get32(id + NVME_IDC_NN);
	nvme_model(g->model, id + NVME_IDC_MN);
	return 0;
}

/*
 * Namespace nsid from Identify Namespace: usable when it has blocks and
 * its LBA format has no metadata and 512 to 4096-byte blocks.
 */
static long nvme_identify_ns(struct nvme_ctrl *c, uint32_t nsid,
			     struct blkdrv_ns *ns)
{
	const uint8_t *id = c->ident.va;
	uint32_t fmt, lbaf;
	long rc = nvme_identify(c, NVME_ID_NS, nsid);

	if (rc)
		return rc;
	fmt = id[NVME_IDN_FLBAS] & 0xf;
	if (fmt > id[NVME_IDN_NLBAF])
		return -XEN_ENODEV;
	lbaf = nvme_get32(id + NVME_IDN_LBAF + 4 * fmt);
	if ((lbaf & 0xffff) || ((lbaf >> 16) & 0xff) < 9 ||
	    ((lbaf >> 16) & 0xff) > 12)
		return -XEN_ENODEV;
	*ns = (struct blkdrv_ns){
		.id = nsid,
		.block_size = 1u << ((lbaf >> 16) & 0xff),
		.blocks = nvme_get64(id + NVME_IDN_NSZE),
	};
	return ns->blocks ? 0 : -XEN_ENODEV;
}

/*
 * The active namespace IDs (Identify CNS 02h, ascending), at most
 * BLKDRV_MAX_NS; a controller older than 1.1 has no such list and gets
 * 1..NN probed instead (inactive ones identify with no blocks).
 */
static unsigned int nvme_ns_ids(struct nvme_ctrl *c, uint32_t nn,
				uint32_t ids[BLKDRV_MAX_NS])
{
	unsigned int n = 0;

	if (nvme_identify(c, NVME_ID_ACTIVE_NS, 0)) {
		for (uint32_t id = 1; id <= nn && n < BLKDRV_MAX_NS; id++)
			ids[n++] = id;
		return n;
	}
	for (unsigned int i = 0; i < 1024 && n < BLKDRV_MAX_NS; i++) {
		uint32_t id = nvme_get32((const uint8_t *)c->ident.va + 4 * i);

		if (!id || (n && id <= ids[n - 1]) || (nn && id > nn))
			break;
		ids[n++] = id;
	}
	return n;
}

static long nvme_identify_all(struct nvme_ctrl *c, struct blkdrv_geom *g)
{
	uint32_t nn, ids[BLKDRV_MAX_NS];
	unsigned int n;
	long rc = nvme_identify_ctrl(c, g, &nn);

	if (rc)
		return rc;
	n = nvme_ns_ids(c, nn, ids);
	g->nr_ns = 0;
	for (unsigned int i = 0; i < n; i++)
		if (!nvme_identify_ns(c, ids[i], &g->ns[g->nr_ns]))
			g->nr_ns++;
	g->queue_depth = c->depth - 1;
	return 0;
}

/* One I/O queue pair: the count first (Set Features), then CQ, SQ. */
static long nvme_create_io_queues(struct nvme_ctrl *c)
{
	struct nvme_sqe nq = { .opcode = NVME_ADMIN_SET_FEAT,
			       .cdw10 = NVME_FEAT_NR_QUEUES,
			       .cdw11 = 0 }; /* one each, 0's based */
	struct nvme_sqe cq = {
		.opcode = NVME_ADMIN_CREATE_CQ,
		.prp1 = c->iocq.mem.bus,
		.cdw10 = (c->depth - 1) << 16 | NVME_IO_QID,
		.cdw11 = NVME_CQ_IEN | NVME_QUEUE_PHYS, /* vector 0 */
	};
	struct nvme_sqe sq = {
		.opcode = NVME_ADMIN_CREATE_SQ,
		.prp1 = c->iosq.mem.bus,
		.cdw10 = (c->depth - 1) << 16 | NVME_IO_QID,
		.cdw11 = NVME_IO_QID << 16 | NVME_QUEUE_PHYS,
	};
	long rc;

	nvme_queue_reset(c, &c->iosq, c->depth, 2 * NVME_IO_QID);
	nvme_queue_reset(c, &c->iocq, c->depth, 2 * NVME_IO_QID + 1);
	rc = nvme_admin(c, &nq, NULL);
	if (!rc)
		rc = nvme_admin(c, &cq, NULL);
	if (!rc)
		rc = nvme_admin(c, &sq, NULL);
	return rc;
}

/* The geometry changes only when the whole bring-up succeeded. */
long nvme_ctrl_start(struct blkdrv *bd, struct nvme_ctrl *c)
{
	struct blkdrv_geom g = { 0 };
	/*
	 * Bus mastering only once it is disabled: a crashed instance of
	 * this domain may have left it running, with queues in memory now
	 * ours.
	 */
	long rc = dd_pci_enable(bd->pci, DD_PCI_CMD_MEM);

	if (!rc)
		rc = nvme_disable(c);
	if (!rc)
		rc = dd_pci_enable(bd->pci, DD_PCI_CMD_MASTER);
	if (!rc)
		rc = nvme_enable(c);
	if (!rc)
		rc = nvme_identify_all(c, &g);
	if (!rc)
		rc = nvme_create_io_queues(c);
	if (!rc)
		bd->geom = g;
	return rc;
}
