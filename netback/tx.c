/*
 * The transmit path: packets from a frontend's tx ring to the switch.
 *
 * A poll runs in batches. Each batch reads the shared producer index
 * once and checks it, then decodes whole packets: every slot is copied
 * out of the ring before it is looked at, and a packet is judged on the
 * private copies alone (decode: no side effects). Packets that pass the
 * checks and the rate limit are committed: their slots consumed and one
 * grant-copy op made per data slot into a local frame (a packet is at
 * most NB_FRAME_MAX bytes, so one local page holds it). One GNTTABOP_copy
 * carries the batch. Then every slot is answered, in slot order (the
 * packet's status on its data slots, NETIF_RSP_NULL on its extras), the
 * responses are pushed, and the good frames go to the switch.
 *
 * What a frontend can do wrong, and what it gets:
 * - a bad packet (sizes, offsets across the page, a duplicate id in
 *   flight, extra-info slots, which we do not offer): NETIF_RSP_ERROR;
 * - a grant the copy refuses: NETIF_RSP_ERROR;
 * - a frame from a source MAC not the vif's: NETIF_RSP_DROPPED;
 * - NETTXF_csum_blank on a frame whose checksum netback cannot finish
 *   (csum.c: unfragmented IPv4 TCP/UDP only): NETIF_RSP_ERROR;
 * - a producer index beyond the ring, a chain of more than NB_TX_MAX_SLOTS
 *   data slots or NB_TX_MAX_EXTRAS extras: the vif is disconnected.
 */
#include <xen/string.h>
#include "include/netback/netback.h"

/* The most slots one packet may take: first, extras, other data slots. */
#define TX_PKT_SLOTS (1 + NB_TX_MAX_EXTRAS + NB_TX_MAX_SLOTS - 1)
_Static_assert(NB_TX_BATCH_SLOTS >= TX_PKT_SLOTS, "a packet fits a batch");
_Static_assert(NB_FRAME_MAX <= NB_PAGE_SIZE, "a frame fits a local page");

enum tx_stop {
	TX_MORE,       /* the batch is full or the budget used: go on */
	TX_EMPTY,      /* no request left */
	TX_INCOMPLETE, /* the next packet's last slot is not there yet */
	TX_DEFERRED,   /* the rate limit holds the next packet */
	TX_FATAL,      /* the vif was disconnected */
};

struct tx_batch {
	RING_IDX prod; /* the producer index, read once */
	uint64_t now;  /* the clock, read once */
	enum tx_stop stop;
	unsigned int npkts, nslots, ncopies, nids;
	uint64_t idmask;		 /* bit id % 64 of every id in ids[] */
	uint16_t ids[NB_TX_BATCH_SLOTS]; /* of the data slots taken */
};

static enum tx_stop tx_fatal(struct nb_vif *vif, const char *why)
{
	nb_vif_disconnect(vif, why);
	return TX_FATAL;
}

static uint64_t tx_id_bit(uint16_t id)
{
	return 1ull << (id % 64);
}

/*
 * Whether id is in flight in the batch or the packet. The mask spares
 * the batch's list a scan per slot: a frontend numbering its buffers
 * below 64, as ours does, never has two ids on one bit.
 */
static bool tx_id_taken(const struct tx_batch *b, const uint16_t *pkt_ids,
			unsigned int n, uint16_t id)
{
	for (unsigned int i = 0; (b->idmask & tx_id_bit(id)) && i < b->nids;
	     i++)
		if (b->ids[i] == id)
			return true;
	for (unsigned int i = 0; i < n; i++)
		if (pkt_ids[i] == id)
			return true;
	return false;
}

/* Copy out slot cons + n; false when the frontend has not produced it. */
static bool tx_copy_slot(struct nb_vif *vif, const struct tx_batch *b,
			 RING_IDX cons, unsigned int n)
{
	if ((RING_IDX)(cons + n) == b->prod)
		return false;
	RING_COPY_REQUEST(&vif->tx, cons + n, &vif->tx_req[b->nslots + n]);
	return true;
}

/*
 * The extras after the first slot: all copied, counted in pkt->nextras.
 * We offer no extra (no GSO, no multicast control), so any makes the
 * packet bad; they are read only to be skipped and answered.
 */
static enum tx_stop tx_decode_extras(struct nb_vif *vif,
				     const struct tx_batch *b, RING_IDX cons,
				     struct nb_tx_pkt *pkt)
{
	bool more = vif->tx_req[b->nslots].flags & NETTXF_extra_info;
	unsigned int n = 1;

	for (; more; n++) {
		struct netif_extra_info extra;

		if (n > NB_TX_MAX_EXTRAS)
			return tx_fatal(vif, "tx ring: too many extra slots");
		if (!tx_copy_slot(vif, b, cons, n))
			return TX_INCOMPLETE;
		memcpy(&extra, &vif->tx_req[b->nslots + n], sizeof(extra));
		more = extra.flags & XEN_NETIF_EXTRA_FLAG_MORE;
		pkt->status = NETIF_RSP_ERROR;
	}
	pkt->nextras = (uint8_t)(n - 1);
	return TX_MORE;
}

/*
 * The data slots after the first (and its extras): each within its page
 * and within what the first slot's size leaves; ids not in flight. *own
 * is what is left for the first slot itself.
 */
static enum tx_stop tx_decode_data(struct nb_vif *vif, struct tx_batch *b,
				   RING_IDX cons, struct nb_tx_pkt *pkt,
				   uint16_t *own)
{
	const struct netif_tx_request *first = &vif->tx_req[b->nslots];
	bool more = first->flags & NETTXF_more_data;
	unsigned int n = 1 + pkt->nextras, data = 1;
	uint16_t ids[NB_TX_MAX_SLOTS]; /* [0, data) in use */
	uint16_t rem = first->size;

	ids[0] = first->id;

	for (; more; n++, data++) {
		const struct netif_tx_request *req =
		    &vif->tx_req[b->nslots + n];

		if (data == NB_TX_MAX_SLOTS)
			return tx_fatal(vif,
					"tx ring: packet over the slot limit");
		if (!tx_copy_slot(vif, b, cons, n))
			return TX_INCOMPLETE;
		if ((uint32_t)req->offset + req->size > NB_PAGE_SIZE ||
		    req->size > rem || tx_id_taken(b, ids, data, req->id))
			pkt->status = NETIF_RSP_ERROR;
		else
			rem -= req->size;
		ids[data] = req->id;
		more = req->flags & NETTXF_more_data;
	}
	pkt->nslots = (uint8_t)n;
	*own = rem;
	return TX_MORE;
}

/*
 * Decode the packet at cons into the batch's scratch without consuming
 * it: TX_MORE with pkt filled in (pkt->status says whether it is good),
 * or why there is no whole packet.
 */
static enum tx_stop tx_decode(struct nb_vif *vif, struct tx_batch *b,
			      RING_IDX cons, struct nb_tx_pkt *pkt)
{
	const struct netif_tx_request *first = &vif->tx_req[b->nslots];
	enum tx_stop stop;
	uint16_t own;

	if (!tx_copy_slot(vif, b, cons, 0))
		return TX_EMPTY;
	*pkt = (struct nb_tx_pkt){ .slot0 = (uint16_t)b->nslots,
				   .len = first->size,
				   .status = NETIF_RSP_OKAY };
	stop = tx_decode_extras(vif, b, cons, pkt);
	if (stop == TX_MORE)
		stop = tx_decode_data(vif, b, cons, pkt, &own);
	if (stop != TX_MORE)
		return stop;
	if (first->size < NB_ETH_HLEN || first->size > NB_FRAME_MAX ||
	    (uint32_t)first->offset + own > NB_PAGE_SIZE ||
	    tx_id_taken(b, NULL, 0, first->id))
		pkt->status = NETIF_RSP_ERROR;
	return TX_MORE;
}

static void tx_copy_op(struct nb_vif *vif, struct tx_batch *b,
		       const struct netif_tx_request *req, uint16_t len,
		       uint64_t mfn, uint16_t at)
{
	vif->tx_copy[b->ncopies++] = (struct gnttab_copy){
		.source = { .u.ref = req->gref,
			    .domid = vif->domid,
			    .offset = req->offset },
		.dest = { .u.gmfn = mfn, .domid = DOMID_SELF, .offset = at },
		.len = len,
		.flags = GNTCOPY_source_gref,
	};
}

/*
 * Take a decoded packet into the batch: its ids are in flight and, when
 * it is good, its bytes are to be copied to local frame b->npkts, the
 * first slot's own bytes first, then each data slot's.
 */
static void tx_commit(struct nb_vif *vif, struct tx_batch *b,
		      struct nb_tx_pkt *pkt)
{
	const struct netif_tx_request *req = &vif->tx_req[pkt->slot0];
	struct nb_buf buf = vif->env->local_buf(vif->env->ctx, b->npkts);
	uint64_t mfn = buf.mfn;
	uint16_t at = buf.offset, rest = 0;

	pkt->frame = buf.va;

	b->ids[b->nids++] = req[0].id;
	b->idmask |= tx_id_bit(req[0].id);
	for (unsigned int i = 1 + pkt->nextras; i < pkt->nslots; i++) {
		b->ids[b->nids++] = req[i].id;
		b->idmask |= tx_id_bit(req[i].id);
		rest += req[i].size;
	}
	pkt->copy0 = (uint16_t)b->ncopies;
	if (pkt->status == NETIF_RSP_OKAY) {
		for (unsigned int i = 0; i < pkt->nslots; i++) {
			uint16_t len = i ? req[i].size : pkt->len - rest;

			if (i && i <= pkt->nextras)
				continue;
			if (len)
				tx_copy_op(vif, b, &req[i], len, mfn, at);
			at += len;
		}
	}
	pkt->ncopies = (uint8_t)(b->ncopies - pkt->copy0);
	b->nslots += pkt->nslots;
	b->npkts++;
}

/* Run the batch's copies; a packet with a failed copy is an error. */
static void tx_run_copies(struct nb_vif *vif, struct tx_batch *b)
{
	long rc;

	if (!b->ncopies)
		return;
	rc = vif->env->grant_copy(vif->env->ctx, vif->tx_copy, b->ncopies);
	for (unsigned int p = 0; p < b->npkts; p++) {
		struct nb_tx_pkt *pkt = &vif->tx_pkt[p];

		for (unsigned int i = 0; i < pkt->ncopies; i++)
			if (rc < 0 ||
			    vif->tx_copy[pkt->copy0 + i].status != GNTST_okay)
				pkt->status = NETIF_RSP_ERROR;
	}
}

static void tx_respond(struct nb_vif *vif, uint16_t id, int16_t status)
{
	struct netif_tx_response *rsp =
	    RING_GET_RESPONSE(&vif->tx, vif->tx.rsp_prod_pvt);

	rsp->id = id;
	rsp->status = status;
	vif->tx.rsp_prod_pvt++;
}

/* Judge the copied frame, then answer each of the packet's slots. */
static void tx_finish(struct nb_vif *vif, unsigned int p)
{
	struct nb_tx_pkt *pkt = &vif->tx_pkt[p];
	const struct netif_tx_request *req = &vif->tx_req[pkt->slot0];
	uint8_t *frame = pkt->frame;

	if (pkt->status == NETIF_RSP_OKAY &&
	    !nb_mac_eq(frame + NB_ETH_ALEN, vif->mac)) {
		pkt->status = NETIF_RSP_DROPPED;
		vif->stats.spoofed++;
	}
	if (pkt->status == NETIF_RSP_OKAY &&
	    (req[0].flags & NETTXF_csum_blank) &&
	    nb_csum_complete(frame, pkt->len))
		pkt->status = NETIF_RSP_ERROR;
	if (pkt->status == NETIF_RSP_ERROR)
		vif->stats.tx_errors++;
	for (unsigned int i = 0; i < pkt->nslots; i++) {
		bool extra = i && i <= pkt->nextras;

		tx_respond(vif, extra ? 0 : req[i].id,
			   extra ? NETIF_RSP_NULL : pkt->status);
	}
}

static void tx_forward(struct nb_vif *vif, const struct tx_batch *b,
		       unsigned int p)
{
	const struct nb_tx_pkt *pkt = &vif->tx_pkt[p];

	if (pkt->status != NETIF_RSP_OKAY)
		return;
	vif->stats.tx_packets++;
	vif->stats.tx_bytes += pkt->len;
	if (vif->sw)
		nb_switch_input(vif->sw, vif->port, pkt->frame, pkt->len,
				b->now);
}

/* Decode and commit up to budget packets; b->stop says why it ended. */
static void tx_gather(struct nb_vif *vif, struct tx_batch *b,
		      unsigned int budget)
{
	RING_IDX cons = vif->tx.req_cons;

	b->now = vif->env->now_ns(vif->env->ctx);
	b->stop = TX_MORE;
	while (b->npkts < NB_TX_BATCH && b->npkts < budget &&
	       NB_TX_BATCH_SLOTS - b->nslots >= TX_PKT_SLOTS) {
		struct nb_tx_pkt *pkt = &vif->tx_pkt[b->npkts];

		b->stop = tx_decode(vif, b, cons, pkt);
		if (b->stop != TX_MORE)
			break;
		if (pkt->status == NETIF_RSP_OKAY &&
		    !nb_rate_take(&vif->rate, pkt->len, b->now)) {
			b->stop = TX_DEFERRED;
			break;
		}
		tx_commit(vif, b, pkt);
		cons += pkt->nslots;
	}
	vif->tx.req_cons = cons;
}

/* One batch: returns the packets taken, b->stop why it ended. */
static unsigned int tx_batch(struct nb_vif *vif, struct tx_batch *b,
			     unsigned int budget)
{
	bool notify;

	/* Not ids[]: only its first nids entries are ever read. */
	b->npkts = b->nslots = b->ncopies = b->nids = 0;
	b->idmask = 0;
	b->prod = vif->tx.sring->req_prod;
	xen_rmb(); /* the slots after the index */
	if (RING_REQUEST_PROD_OVERFLOW(&vif->tx, b->prod)) {
		b->stop = tx_fatal(vif, "tx ring: producer index out of range");
		return 0;
	}
	tx_gather(vif, b, budget);
	if (b->stop == TX_FATAL)
		return 0;
	if (b->stop == TX_DEFERRED && !vif->tx_deferred)
		vif->stats.rate_limited++;
	vif->tx_deferred = b->stop == TX_DEFERRED;
	if (!b->npkts)
		return 0;
	tx_run_copies(vif, b);
	for (unsigned int p = 0; p < b->npkts; p++)
		tx_finish(vif, p);
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&vif->tx, notify);
	if (notify)
		vif->env->notify(vif->env->ctx, vif, NB_RING_TX);
	for (unsigned int p = 0; p < b->npkts; p++)
		tx_forward(vif, b, p);
	return b->npkts;
}

/*
 * Before stopping on an empty ring or a packet still being written: ask
 * for an event at the next request (or at the next slot after prod),
 * then look again, closing the race with a frontend that pushed just
 * before. True when there is more to do now.
 */
static bool tx_rearm(struct nb_vif *vif, const struct tx_batch *b)
{
	int work;

	if (b->stop == TX_EMPTY) {
		RING_FINAL_CHECK_FOR_REQUESTS(&vif->tx, work);
		return work;
	}
	vif->tx.sring->req_event = b->prod + 1;
	xen_mb();
	return vif->tx.sring->req_prod != b->prod;
}

unsigned int nb_vif_tx_poll(struct nb_vif *vif, unsigned int budget)
{
	unsigned int done = 0, idle = 0;
	struct tx_batch b;

	while (vif->connected && done < budget) {
		unsigned int n = tx_batch(vif, &b, budget - done);

		done += n;
		if (b.stop == TX_MORE)
			continue;
		if (b.stop != TX_EMPTY && b.stop != TX_INCOMPLETE)
			break;
		/* Looking again without progress is done once, not forever. */
		if (!tx_rearm(vif, &b) || (!n && idle++))
			break;
	}
	return done;
}
