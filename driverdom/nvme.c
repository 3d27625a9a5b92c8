/*
 * NVM Express controllers (class 01:08:02) as a blkdrv: bring-up in
 * nvme_ctrl.c, requests in nvme_io.c; here the ops, the health check
 * and recovery.
 *
 * Recovery: poll() looks at the controller every NVME_CHECK_NS. When it
 * was reset under us (CSTS all-ones, RDY clear, a fatal status, CC not
 * what we wrote) or a request is overdue, the controller is brought up
 * again from scratch and every request in flight is issued again,
 * oldest first (blkdrv.h says why that is safe). A bring-up that fails
 * is retried at every check; after NVME_FAILURES_MAX in a row the
 * requests in flight fail with -XEN_EIO and new ones are refused until
 * a retry succeeds.
 *
 * One controller per domain: the state is static.
 */
#include <public/errno.h>
#include <driverdom/nvme.h>
#include <stub/stub.h>
#include <stub/time.h>

#define NVME_CHECK_NS	  (20 * NVME_MS)
#define NVME_IO_TIMEOUT	  (10000 * NVME_MS)
#define NVME_FAILURES_MAX 3
#define NVME_PCI_CLASS	  0x010802

static struct nvme_ctrl nvme_dev;

static long nvme_init(struct blkdrv *bd)
{
	struct nvme_ctrl *c = &nvme_dev;
	long rc;

	bd->priv = c;
	c->irq_ready = false;
	if (!c->allocated) {
		rc = nvme_ctrl_alloc(bd, c);
		if (rc)
			return rc;
	}
	c->state = NVME_DOWN;
	rc = nvme_ctrl_start(bd, c);
	if (rc)
		return rc;
	c->state = NVME_READY;
	c->next_check = stub_now() + NVME_CHECK_NS;
	c->irq_ready = true;
	return 0;
}

/* Why the controller no longer holds our setup, or NULL if it does. */
static const char *nvme_unhealthy(struct nvme_ctrl *c, uint64_t now,
				  struct blkdrv_stats *stats)
{
	uint32_t csts = nvme_r32(c, NVME_REG_CSTS);

	if (csts == ~0u)
		return "its registers read all-ones";
	if (csts & NVME_CSTS_CFS)
		return "it reports a fatal status";
	if (!(csts & NVME_CSTS_RDY) || nvme_r32(c, NVME_REG_CC) != c->cc)
		return "it was reset under us";
	if (nvme_io_overdue(c, now, NVME_IO_TIMEOUT)) {
		stats->timeouts++;
		return "a request is overdue";
	}
	return NULL;
}

/* Bring it up again and re-issue; count failures towards giving up. */
static unsigned int nvme_recover(struct blkdrv *bd, struct nvme_ctrl *c)
{
	c->state = NVME_DOWN;
	if (nvme_ctrl_start(bd, c) == 0) {
		if (c->failures >= NVME_FAILURES_MAX)
			printf("nvme: controller back after %u failed "
			       "re-initialisations\n",
			       c->failures);
		c->failures = 0;
		c->state = NVME_READY;
		bd->stats.resets++;
		return nvme_io_reissue(bd, c);
	}
	if (++c->failures < NVME_FAILURES_MAX)
		return 0;
	if (c->failures == NVME_FAILURES_MAX)
		printf("nvme: the controller does not come back: failing "
		       "%u requests\n",
		       bd->in_flight);
	c->state = NVME_FAILED;
	return nvme_io_fail_all(bd, c, -XEN_EIO);
}

static unsigned int nvme_check(struct blkdrv *bd, struct nvme_ctrl *c)
{
	uint64_t now = stub_now();
	const char *why;

	/* Also paces retries while a re-initialisation keeps failing. */
	if (now < c->next_check)
		return 0;
	c->next_check = now + NVME_CHECK_NS;
	if (c->state == NVME_READY) {
		why = nvme_unhealthy(c, now, &bd->stats);
		if (!why)
			return 0;
		printf("nvme: %s: re-initialising, %u requests in flight\n",
		       why, bd->in_flight);
	}
	return nvme_recover(bd, c);
}

/*
 * Completions first: what the controller finished before a reset is
 * delivered rather than issued again.
 */
static unsigned int nvme_poll(struct blkdrv *bd, unsigned int budget)
{
	struct nvme_ctrl *c = bd->priv;
	unsigned int n = 0;

	if (c->state == NVME_READY)
		n = nvme_io_reap(bd, c, budget);
	n += nvme_check(bd, c);
	dd_irq_ack(&bd->irq);
	return n;
}

static long nvme_submit(struct blkdrv *bd, struct blkdrv_req *req, bool more)
{
	return nvme_io_submit(bd, bd->priv, req, more);
}

static void nvme_flush(struct blkdrv *bd)
{
	struct nvme_ctrl *c = bd->priv;

	if (c && c->state == NVME_READY)
		nvme_io_ring(c);
}

/* Event context: MSI-X needs no acknowledging at the controller. */
static void nvme_irq(struct blkdrv *bd)
{
	struct nvme_ctrl *c = bd->priv;

	if (c && c->irq_ready)
		bd->stats.irqs++;
}

const struct blkdrv_ops nvme_blkdrv_ops = {
	.name = "nvme",
	.vendor = 0xffff,
	.class_code = NVME_PCI_CLASS,
	.init = nvme_init,
	.submit = nvme_submit,
	.flush = nvme_flush,
	.poll = nvme_poll,
	.irq = nvme_irq,
};
