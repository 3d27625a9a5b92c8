/*
 * Persistent grants (feature-persistent): a frontend that grants the
 * same pages request after request has each mapped for the device once,
 * on the first request that names it, and unmapped when the connection
 * is over. A request whose every segment is in a kept mapping goes to
 * the device with no grant operation at all.
 *
 * The table is keyed by grant ref: while a ref is mapped its owner
 * cannot end that grant, so the ref keeps naming the frame we mapped.
 * It is open-addressed, twice as large as it may fill, and never loses
 * an entry but all at once, so a probe stops at the first free slot.
 * A ref that cannot be kept (a read-only or bad grant, no room in the
 * env or the hypervisor) is kept as refused, so it costs one try per
 * connection, not one per request.
 */
#include <xen/string.h>
#include "internal.h"

_Static_assert((BB_PERSIST_SLOTS & (BB_PERSIST_SLOTS - 1)) == 0,
	       "the table's size is a power of two");
_Static_assert(BB_PERSIST_SLOTS > BB_PERSIST_MAX, "a probe finds a free slot");

static unsigned int slot_of(grant_ref_t ref)
{
	return (unsigned int)((ref * 0x9e3779b1u) >> 16) &
	       (BB_PERSIST_SLOTS - 1);
}

/* ref's entry, or the free slot where it would go. */
static struct bb_persist *persist_slot(struct bb_vbd *vbd, grant_ref_t ref)
{
	unsigned int i = slot_of(ref);

	while (vbd->persist[i].state != BB_PERSIST_FREE &&
	       vbd->persist[i].ref != ref)
		i = (i + 1) & (BB_PERSIST_SLOTS - 1);
	return &vbd->persist[i];
}

bool bb_vbd_persist_offered(const struct bb_vbd *vbd)
{
	return vbd->cfg.persist_max && vbd->env->grant_map &&
	       vbd->env->grant_unmap;
}

void bb_vbd_persist(struct bb_vbd *vbd, bool on)
{
	vbd->persistent = on && bb_vbd_persist_offered(vbd);
}

/* Map the pending entries (n of them, in e[]) for the device. */
static void persist_map(struct bb_vbd *vbd, struct bb_persist **e,
			unsigned int n)
{
	const struct bb_env *env = vbd->env;
	long rc;

	/* Writable: the same grant serves reads and writes. */
	for (unsigned int i = 0; i < n; i++)
		bb_map_op(vbd, i, e[i]->ref, GNTMAP_device_map);
	rc = env->grant_map(env->ctx, vbd->map, n);
	for (unsigned int i = 0; i < n; i++) {
		const struct gnttab_map_grant_ref *op = &vbd->map[i];

		/* -XEN_ENOSPC maps none; other failures keep what mapped. */
		if (rc != -XEN_ENOSPC && op->status == GNTST_okay) {
			e[i]->state = BB_PERSIST_MAPPED;
			e[i]->handle = op->handle;
			e[i]->bus =
			    op->dev_bus_addr & ~(uint64_t)(BB_PAGE_SIZE - 1);
		} else {
			e[i]->state = BB_PERSIST_REFUSED;
			vbd->stats.persist_refused++;
		}
	}
}

/*
 * The entries of req's segments, mapping those seen for the first time:
 * false when one is refused or there is no room for it.
 */
static bool persist_lookup(struct bb_vbd *vbd, const struct bb_req *req,
			   struct bb_persist **seg)
{
	struct bb_persist *fresh[BB_MAX_SEGS];
	unsigned int nfresh = 0;
	bool ok = true;

	for (unsigned int s = 0; s < req->rw.nsegs; s++) {
		struct bb_persist *e = persist_slot(vbd, req->rw.seg[s].gref);

		seg[s] = e;
		if (e->state == BB_PERSIST_REFUSED)
			ok = false;
		if (e->state != BB_PERSIST_FREE)
			continue; /* kept, or a repeat within this request */
		if (vbd->npersist >= vbd->cfg.persist_max) {
			ok = false;
			continue;
		}
		e->ref = req->rw.seg[s].gref;
		e->state = BB_PERSIST_PENDING;
		vbd->npersist++;
		fresh[nfresh++] = e;
	}
	if (nfresh)
		persist_map(vbd, fresh, nfresh);
	for (unsigned int s = 0; s < req->rw.nsegs && ok; s++)
		ok = seg[s]->state == BB_PERSIST_MAPPED;
	return ok;
}

/* Segment s of req, in kept entry e, for the device. */
static void persist_seg(struct bb_req *req, unsigned int s,
			const struct bb_persist *e)
{
	const struct blkif_request_segment *g = &req->rw.seg[s];

	req->bus_seg[s].bus = e->bus + g->first_sect * BB_SECTOR_SIZE;
	req->bus_seg[s].len =
	    (uint32_t)(g->last_sect - g->first_sect + 1) * BB_SECTOR_SIZE;
}

int bb_persist_data(struct bb_vbd *vbd, struct bb_req *req)
{
	struct bb_persist *seg[BB_MAX_SEGS];
	unsigned int s, n = req->rw.nsegs;

	/* Every grant kept already (the usual case): one probe a segment. */
	for (s = 0; s < n; s++) {
		const struct bb_persist *e =
		    persist_slot(vbd, req->rw.seg[s].gref);

		if (e->state != BB_PERSIST_MAPPED)
			break;
		persist_seg(req, s, e);
	}
	if (s < n) {
		if (!persist_lookup(vbd, req, seg))
			return -XEN_ENOSPC;
		for (s = 0; s < n; s++)
			persist_seg(req, s, seg[s]);
	}
	req->nbus = (uint16_t)n;
	vbd->stats.persistent++;
	return 0;
}

void bb_persist_release(struct bb_vbd *vbd)
{
	unsigned int n = 0;

	if (!vbd->npersist || vbd->connected || vbd->active)
		return;
	for (unsigned int i = 0; i < BB_PERSIST_SLOTS; i++) {
		struct bb_persist *e = &vbd->persist[i];

		if (e->state == BB_PERSIST_MAPPED) {
			bb_unmap_op(vbd, n, e->handle);
			if (++n == BB_MAX_SEGS) {
				bb_unmap_handles(vbd, n);
				n = 0;
			}
		}
		e->state = BB_PERSIST_FREE;
	}
	if (n)
		bb_unmap_handles(vbd, n);
	vbd->npersist = 0;
}
