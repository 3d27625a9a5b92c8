/*
 * The receive path: a frame from the switch into the next buffer the
 * frontend posted on its rx ring.
 *
 * The frame is staged in a local frame of ours (NB_RX_BUF) and copied
 * into the granted page with one GNTTABOP_copy, at offset 0, in one slot
 * (frames are at most NB_PAGE_SIZE bytes; we offer no GSO, so none is
 * larger). The response carries the length, no flags (no checksum
 * offload offered); a copy the hypervisor refuses (a bad grant) is
 * answered NETIF_RSP_ERROR. With no buffer posted the frame is dropped:
 * netback never queues for a guest.
 */
#include <xen/string.h>
#include "include/netback/netback.h"

static void rx_copy_op(const struct nb_vif *vif, struct gnttab_copy *op,
		       const struct netif_rx_request *req, uint64_t mfn,
		       size_t len)
{
	memset(op, 0, sizeof(*op));
	op->source.u.gmfn = mfn;
	op->source.domid = DOMID_SELF;
	op->dest.u.ref = req->gref;
	op->dest.domid = vif->domid;
	op->len = (uint16_t)len;
	op->flags = GNTCOPY_dest_gref;
}

static void rx_respond(struct nb_vif *vif, uint16_t id, int16_t status)
{
	struct netif_rx_response *rsp =
	    RING_GET_RESPONSE(&vif->rx, vif->rx.rsp_prod_pvt);
	bool notify;

	rsp->id = id;
	rsp->offset = 0;
	rsp->flags = 0;
	rsp->status = status;
	vif->rx.rsp_prod_pvt++;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&vif->rx, notify);
	if (notify)
		vif->env->notify(vif->env->ctx, vif, NB_RING_RX);
}

/*
 * Take the next posted request, copied out of the ring: 0, -XEN_ENOBUFS
 * when none is posted, -XEN_ENOTCONN when the index is impossible.
 * Every request taken is answered before the next is looked at, so
 * rsp_prod_pvt == req_cons here.
 */
static int rx_take(struct nb_vif *vif, struct netif_rx_request *req)
{
	RING_IDX prod = vif->rx.sring->req_prod;

	xen_rmb(); /* the slot after the index */
	if (RING_REQUEST_PROD_OVERFLOW(&vif->rx, prod)) {
		nb_vif_disconnect(vif, "rx ring: producer index out of range");
		return -XEN_ENOTCONN;
	}
	if (prod == vif->rx.req_cons)
		return -XEN_ENOBUFS;
	RING_COPY_REQUEST(&vif->rx, vif->rx.req_cons, req);
	vif->rx.req_cons++;
	return 0;
}

int nb_vif_rx_deliver(struct nb_vif *vif, const void *frame, size_t len)
{
	const struct nb_env *env = vif->env;
	struct netif_rx_request req;
	struct gnttab_copy op;
	struct nb_buf buf;
	int rc;

	if (!vif->connected || len < NB_ETH_HLEN || len > NB_PAGE_SIZE) {
		vif->stats.rx_dropped++;
		return vif->connected ? -XEN_EINVAL : -XEN_ENOTCONN;
	}
	rc = rx_take(vif, &req);
	if (rc) {
		if (rc == -XEN_ENOBUFS)
			vif->stats.rx_no_buffer++;
		else
			vif->stats.rx_dropped++;
		return rc;
	}
	buf = env->local_buf(env->ctx, NB_RX_BUF);
	memmove(buf.va, frame, len);
	rx_copy_op(vif, &op, &req, buf.mfn, len);
	if (env->grant_copy(env->ctx, &op, 1) < 0 || op.status != GNTST_okay) {
		vif->stats.rx_errors++;
		rx_respond(vif, req.id, NETIF_RSP_ERROR);
		return -XEN_EFAULT;
	}
	vif->stats.rx_packets++;
	vif->stats.rx_bytes += len;
	rx_respond(vif, req.id, (int16_t)len);
	return 0;
}
