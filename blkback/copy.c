/*
 * How a request's data meets the device: grant copies between its guest
 * segments and its local pages, or grant maps of its segments for the
 * device.
 *
 * Copied, the data is packed in the local pages: segment after segment,
 * every page full but the last, so the device sees one contiguous
 * buffer whatever sectors of which pages the guest named. A segment
 * therefore takes one or two copy ops (when it straddles two local
 * pages). One GNTTABOP_copy carries a request's ops; any failed op fails
 * the request.
 *
 * Mapped, each segment's grant is mapped for the device only (no CPU
 * mapping: blkback never looks at the data), read-only for a write, in
 * one GNTTABOP_map_grant_ref batch; the device gets the frames' bus
 * addresses plus the segments' offsets. Every mapping made is unmapped
 * in one batch once the device is done with it.
 */
#include <xen/string.h>
#include "internal.h"

static void copy_op(struct gnttab_copy *op, bool to_guest, domid_t domid,
		    grant_ref_t ref, uint16_t goff, uint64_t mfn, uint16_t loff,
		    uint16_t len)
{
	struct gnttab_copy_ptr guest = { .domid = domid, .offset = goff };
	struct gnttab_copy_ptr local = { .domid = DOMID_SELF, .offset = loff };

	guest.u.ref = ref;
	local.u.gmfn = mfn;
	memset(op, 0, sizeof(*op));
	op->source = to_guest ? local : guest;
	op->dest = to_guest ? guest : local;
	op->len = len;
	op->flags = to_guest ? GNTCOPY_dest_gref : GNTCOPY_source_gref;
}

static int copy_run(struct bb_vbd *vbd, unsigned int n)
{
	long rc = vbd->env->grant_copy(vbd->env->ctx, vbd->copy, n);

	if (rc < 0)
		return -XEN_EFAULT;
	for (unsigned int i = 0; i < n; i++)
		if (vbd->copy[i].status != GNTST_okay)
			return -XEN_EFAULT;
	return 0;
}

int bb_copy_data(struct bb_vbd *vbd, struct bb_req *req, bool to_guest)
{
	const struct bb_env *env = vbd->env;
	uint32_t at = 0; /* in the packed local buffer */
	unsigned int n = 0;

	for (unsigned int s = 0; s < req->rw.nsegs; s++) {
		const struct blkif_request_segment *seg = &req->rw.seg[s];
		uint32_t goff = seg->first_sect * BB_SECTOR_SIZE;
		uint32_t len =
		    (uint32_t)(seg->last_sect - seg->first_sect + 1) *
		    BB_SECTOR_SIZE;

		while (len) {
			uint32_t loff = at % BB_PAGE_SIZE;
			uint32_t chunk = BB_PAGE_SIZE - loff;
			uint64_t mfn =
			    env->local_page(env->ctx,
					    req->page[at / BB_PAGE_SIZE])
				.mfn;

			chunk = chunk < len ? chunk : len;
			copy_op(&vbd->copy[n++], to_guest, vbd->domid,
				seg->gref, (uint16_t)goff, mfn, (uint16_t)loff,
				(uint16_t)chunk);
			at += chunk;
			goff += chunk;
			len -= chunk;
		}
	}
	return copy_run(vbd, n);
}

/*
 * The segment list of an indirect request (its count checked already):
 * copied into the scratch page, then into rw. BB_MAX_INDIRECT_SEGS
 * segments fit one indirect page, so only indirect_grefs[0] is read; the
 * other refs are ignored, as Linux's blkback does with refs a count
 * does not need.
 */
_Static_assert(BB_INDIRECT_PAGES == 1, "an indirect list fits one page");

int bb_copy_indirect(struct bb_vbd *vbd,
		     const struct blkif_request_indirect *ind, struct bb_rw *rw)
{
	struct bb_page scratch = bb_scratch_page(vbd);
	size_t bytes = ind->nr_segments * sizeof(struct blkif_request_segment);
	int rc;

	copy_op(&vbd->copy[0], false, vbd->domid, ind->indirect_grefs[0], 0,
		scratch.mfn, 0, (uint16_t)bytes);
	rc = copy_run(vbd, 1);
	if (!rc)
		memcpy(rw->seg, scratch.va, bytes);
	return rc;
}

void bb_map_op(struct bb_vbd *vbd, unsigned int i, grant_ref_t ref,
	       uint32_t flags)
{
	struct gnttab_map_grant_ref *op = &vbd->map[i];

	memset(op, 0, sizeof(*op));
	op->flags = flags;
	op->ref = ref;
	op->dom = vbd->domid;
	op->status = GNTST_general_error; /* not reached: not mapped */
}

void bb_unmap_op(struct bb_vbd *vbd, unsigned int i, grant_handle_t handle)
{
	struct gnttab_unmap_grant_ref *op = &vbd->unmap[i];

	memset(op, 0, sizeof(*op));
	op->handle = handle;
	op->status = GNTST_general_error;
}

void bb_unmap_data(struct bb_vbd *vbd, struct bb_req *req)
{
	unsigned int n = req->nmaps;

	if (!n)
		return;
	for (unsigned int i = 0; i < n; i++)
		bb_unmap_op(vbd, i, req->handle[i]);
	req->nmaps = 0;
	bb_unmap_handles(vbd, n);
}

void bb_unmap_handles(struct bb_vbd *vbd, unsigned int n)
{
	const struct bb_env *env = vbd->env;
	long rc = env->grant_unmap(env->ctx, vbd->unmap, n);

	for (unsigned int i = 0; i < n; i++) {
		if (rc >= 0 && vbd->unmap[i].status == GNTST_okay)
			continue;
		/* The guest cannot end that grant now: said, not hidden. */
		vbd->stats.unmap_failed++;
		env->log(env->ctx,
			 "blkback: dom%u: unmapping grant handle %u failed "
			 "(%ld/%d): the mapping stays\n",
			 (unsigned int)vbd->domid,
			 (unsigned int)vbd->unmap[i].handle, rc,
			 vbd->unmap[i].status);
	}
}

int bb_map_data(struct bb_vbd *vbd, struct bb_req *req)
{
	const struct bb_env *env = vbd->env;
	uint32_t flags = GNTMAP_device_map;
	unsigned int n = req->rw.nsegs;
	bool full = false, bad = false;
	long rc;

	if (req->rw.op == BLKIF_OP_WRITE)
		flags |= GNTMAP_readonly; /* the device only reads it */
	for (unsigned int s = 0; s < n; s++)
		bb_map_op(vbd, s, req->rw.seg[s].gref, flags);
	rc = env->grant_map(env->ctx, vbd->map, n);
	if (rc == -XEN_ENOSPC) {
		vbd->stats.map_full++;
		return -XEN_ENOSPC;
	}
	req->nmaps = 0;
	for (unsigned int s = 0; s < n; s++) {
		const struct gnttab_map_grant_ref *op = &vbd->map[s];
		const struct blkif_request_segment *seg = &req->rw.seg[s];

		if (op->status != GNTST_okay) {
			full |= op->status == GNTST_no_space;
			bad |= op->status != GNTST_no_space;
			continue;
		}
		/* Kept in order: the first nmaps are the segments. */
		if (req->nmaps != s) {
			bad = true;
		} else {
			req->bus_seg[s].bus =
			    (op->dev_bus_addr & ~(uint64_t)(BB_PAGE_SIZE - 1)) +
			    seg->first_sect * BB_SECTOR_SIZE;
			req->bus_seg[s].len =
			    (uint32_t)(seg->last_sect - seg->first_sect + 1) *
			    BB_SECTOR_SIZE;
		}
		req->handle[req->nmaps++] = op->handle;
	}
	if (rc >= 0 && !full && !bad && req->nmaps == n) {
		req->nbus = req->nmaps;
		return 0;
	}
	/* Not all of it: nothing of it. */
	bb_unmap_data(vbd, req);
	if (rc >= 0 && full && !bad) {
		vbd->stats.map_full++;
		return -XEN_ENOSPC;
	}
	return -XEN_EFAULT;
}
