/*
 * A vbd's life (configure, attach to a frontend's ring, disconnect) and
 * its local pages.
 *
 * Page 0 of the vbd's window is the scratch page indirect segment lists
 * land in; the others carry data and are handed out per request, so the
 * window bounds what is in flight.
 */
#include <xen/string.h>
#include "internal.h"

int bb_vbd_init(struct bb_vbd *vbd, const struct bb_env *env,
		const struct bb_vbd_config *cfg)
{
	const char *why;

	if (!vbd || !env || !cfg || bb_config_check(cfg, &why))
		return -XEN_EINVAL;
	memset(vbd, 0, sizeof(*vbd));
	vbd->env = env;
	vbd->cfg = *cfg;
	vbd->free_pages = cfg->page_count - 1;
	for (unsigned int i = 0; i < BB_RING_SLOTS; i++)
		vbd->req[i].vbd = vbd;
	vbd->in_state[BB_REQ_FREE] = ~0ull >> (64 - BB_RING_SLOTS);
	return 0;
}

bool bb_vbd_busy(const struct bb_vbd *vbd)
{
	return vbd->active != 0;
}

int bb_vbd_attach(struct bb_vbd *vbd, domid_t domid, struct blkif_sring *sring)
{
	if (!sring)
		return -XEN_EINVAL;
	if (vbd->connected)
		return -XEN_EISCONN;
	if (bb_vbd_busy(vbd))
		return -XEN_EBUSY;
	vbd->domid = domid;
	vbd->barrier = false;
	vbd->persistent = false;
	memset(&vbd->stats, 0, sizeof(vbd->stats));
	BACK_RING_INIT(&vbd->ring, sring, XEN_PAGE_SIZE);
	vbd->connected = true;
	return 0;
}

void bb_vbd_disconnect(struct bb_vbd *vbd, const char *reason)
{
	uint64_t idle;

	if (!vbd->connected)
		return;
	vbd->connected = false;
	vbd->stats.disconnect_reason = reason;
	/* Requests not at the device (a barrier waiting, a device that
	 * was busy) never go there now. */
	idle = vbd->in_state[BB_REQ_WAIT] | vbd->in_state[BB_REQ_RETRY];
	while (idle)
		bb_req_free(bb_req_next(vbd, &idle));
	vbd->barrier = false;
	vbd->env->log(vbd->env->ctx, "blkback: vbd of dom%u disconnected: %s\n",
		      (unsigned int)vbd->domid, reason);
	bb_persist_release(vbd); /* else when the last io is done */
}

struct bb_page bb_scratch_page(const struct bb_vbd *vbd)
{
	return vbd->env->local_page(vbd->env->ctx, vbd->cfg.page_base);
}

bool bb_pages_get(struct bb_vbd *vbd, unsigned int n, uint16_t *page)
{
	unsigned int got = 0;

	if (n > vbd->free_pages)
		return false;
	for (unsigned int i = 1; i < vbd->cfg.page_count && got < n; i++) {
		uint64_t bit = 1ull << (i % 64);

		if (vbd->page_used[i / 64] & bit)
			continue;
		vbd->page_used[i / 64] |= bit;
		page[got++] = (uint16_t)(vbd->cfg.page_base + i);
	}
	vbd->free_pages -= n;
	return true;
}

void bb_pages_put(struct bb_vbd *vbd, unsigned int n, const uint16_t *page)
{
	for (unsigned int k = 0; k < n; k++) {
		unsigned int i = page[k] - vbd->cfg.page_base;

		vbd->page_used[i / 64] &= ~(1ull << (i % 64));
	}
	vbd->free_pages += n;
}

unsigned int bb_vbd_poll(struct bb_vbd *vbd, unsigned int budget)
{
	unsigned int taken;
	bool notify;

	bb_retry(vbd); /* once a poll: a busy device is not spun on */
	bb_finish(vbd);
	taken = bb_take(vbd, budget);
	/* What the device finished at once (a fast or failing device). */
	bb_finish(vbd);
	if (!vbd->connected)
		return taken;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&vbd->ring, notify);
	if (notify)
		vbd->env->notify(vbd->env->ctx, vbd);
	return taken;
}
