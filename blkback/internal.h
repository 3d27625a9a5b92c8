/*
 * What blkback's files share and nobody else sees.
 */
#ifndef BLKBACK_INTERNAL_H
#define BLKBACK_INTERNAL_H

#include <xen/string.h>
#include "include/blkback/blkback.h"

/* Device ops of a request's steps. */
#define BB_STEP_READ	BB_IO_READ
#define BB_STEP_WRITE	BB_IO_WRITE
#define BB_STEP_FLUSH	BB_IO_FLUSH
#define BB_STEP_DISCARD BB_IO_DISCARD

/* vbd.c: the vbd's data pages (all but its scratch page). */
bool bb_pages_get(struct bb_vbd *vbd, unsigned int n, uint16_t *page);
void bb_pages_put(struct bb_vbd *vbd, unsigned int n, const uint16_t *page);
struct bb_page bb_scratch_page(const struct bb_vbd *vbd);

/* io.c: requests at the device and their answers. */
_Static_assert(BB_RING_SLOTS <= 64, "a slot mask is a uint64_t");
/* Every state change goes through here: it keeps vbd->in_state. */
void bb_req_set(struct bb_req *req, enum bb_req_state state);
/* The lowest slot in mask, whose bit is then cleared. */
static inline struct bb_req *bb_req_next(struct bb_vbd *vbd, uint64_t *mask)
{
	unsigned int i = (unsigned int)__builtin_ctzll(*mask);

	*mask &= *mask - 1;
	return &vbd->req[i];
}
struct bb_req *bb_req_alloc(struct bb_vbd *vbd);
void bb_req_free(struct bb_req *req);
void bb_req_start(struct bb_req *req);
void bb_respond(struct bb_vbd *vbd, uint64_t id, uint8_t op, int status);
/* Submit again what the device was too busy to take. */
void bb_retry(struct bb_vbd *vbd);
/* Answer or go on with every request whose io finished. */
void bb_finish(struct bb_vbd *vbd);

/* copy.c: grant copies between the guest's segments and local pages. */
int bb_copy_data(struct bb_vbd *vbd, struct bb_req *req, bool to_guest);
int bb_copy_indirect(struct bb_vbd *vbd,
		     const struct blkif_request_indirect *ind,
		     struct bb_rw *rw);

/*
 * Segments the device can take as they are (rw.shaped): map them for
 * the device: 0 (req->nmaps, handle[], bus_seg[] set),
 * -XEN_ENOSPC (no room: nothing mapped, copy instead) or -XEN_EFAULT (a
 * grant the guest may not give: nothing mapped, answer an error).
 * Unmap what req holds (nmaps 0 after, whatever failed: logged).
 */
/* Op i of vbd->map (for the frontend's ref) or vbd->unmap, made ready. */
void bb_map_op(struct bb_vbd *vbd, unsigned int i, grant_ref_t ref,
	       uint32_t flags);
void bb_unmap_op(struct bb_vbd *vbd, unsigned int i, grant_handle_t handle);
int bb_map_data(struct bb_vbd *vbd, struct bb_req *req);
void bb_unmap_data(struct bb_vbd *vbd, struct bb_req *req);
/* Unmap vbd->unmap[0..n): a failure is counted and logged, the rest go on. */
void bb_unmap_handles(struct bb_vbd *vbd, unsigned int n);

/*
 * persist.c: req's segments from persistent grants, mapping those named
 * for the first time: 0 (req->nbus, bus_seg[] set; nothing to unmap
 * per request), or -XEN_ENOSPC (some segment cannot be: serve it
 * otherwise). Unmap every one once the vbd is disconnected and idle
 * (does nothing before).
 */
int bb_persist_data(struct bb_vbd *vbd, struct bb_req *req);
void bb_persist_release(struct bb_vbd *vbd);

/*
 * A bb_rw's segments past nsegs are never read: only its head is reset,
 * and a copy takes the segments in use (a whole one is over half a KiB).
 */
static inline void bb_rw_reset(struct bb_rw *rw)
{
	rw->op = 0;
	rw->nsegs = 0;
	rw->sector = 0;
	rw->nsect = 0;
	rw->shaped = false;
}

static inline void bb_rw_copy(struct bb_rw *dst, const struct bb_rw *src)
{
	dst->op = src->op;
	dst->nsegs = src->nsegs;
	dst->sector = src->sector;
	dst->nsect = src->nsect;
	dst->shaped = src->shaped;
	memcpy(dst->seg, src->seg, src->nsegs * sizeof(src->seg[0]));
}

/* take.c */
unsigned int bb_take(struct bb_vbd *vbd, unsigned int budget);

#endif
