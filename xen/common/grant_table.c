/*
 * Grant tables, v1. The granter writes entries in its shared frames; the
 * hypervisor reads an entry when a grantee first pins it, marks it in use
 * (GTF_reading, GTF_writing) with a compare-and-swap so that a granter
 * revoking it at the same moment either wins or sees it busy, and then
 * works from its active copy (frame, grantee) until the last pin goes.
 * Every pin holds a reference on the frame (page_get), so the frame
 * outlives its owner if it must.
 *
 * Locks: a table's lock guards its frames, active entries and pins; its
 * map_lock guards the table's own mappings of other domains' grants.
 * Neither is held while the other is taken, so two domains mapping each
 * other's grants cannot deadlock. The page allocator's lock nests inside
 * both. A domain's table is freed only with its struct (the last
 * domain_put), so a domain reference is enough to lock it.
 */
#include <xen/errno.h>
#include <xen/grant_table.h>
#include <xen/iommu.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/sched.h>
#include <xen/spinlock.h>
#include <xen/string.h>
#include <asm/page.h>

struct grant_active {
	uint32_t mfn;
	domid_t domid;	  /* the grantee, fixed while pinned */
	uint16_t rd_pins; /* read-only mappings, copies from it */
	uint16_t wr_pins; /* writable mappings, copies to it */
	uint16_t _pad[3];
};

enum { MAP_FREE, MAP_BUSY, MAP_USED };

#define ACTIVE_PER_PAGE (PAGE_SIZE / sizeof(struct grant_active))
#define MAPS_PER_PAGE	(PAGE_SIZE / sizeof(struct grant_mapping))
#define ACTIVE_PAGES	(GNTTAB_ENTRIES_PER_FRAME / ACTIVE_PER_PAGE)
#define MAP_NONE	(~0u)
#define PIN_MAX		0xffff
#define CAS_TRIES	4 /* a granter rewriting the entry all along: refused */

struct grant_table {
	spinlock_t lock;
	bool dying;
	unsigned int nr_frames, max_frames;
	struct grant_entry_v1 *shared[GNTTAB_MAX_FRAMES];
	struct grant_active *active[GNTTAB_MAX_FRAMES * ACTIVE_PAGES];
	spinlock_t map_lock;
	unsigned int map_frames, map_max, map_free;
	struct grant_mapping *maps[GNTTAB_MAX_MAPTRACK];
};

_Static_assert(sizeof(struct grant_active) == 16, "active entry size");
_Static_assert(sizeof(struct grant_mapping) == 32, "mapping size");
_Static_assert(sizeof(struct grant_table) <= PAGE_SIZE, "table in a page");

static struct grant_entry_v1 *gnttab_entry(struct grant_table *gt,
					   grant_ref_t ref)
{
	return &gt->shared[ref / GNTTAB_ENTRIES_PER_FRAME]
			  [ref % GNTTAB_ENTRIES_PER_FRAME];
}

static struct grant_active *gnttab_active(struct grant_table *gt,
					  grant_ref_t ref)
{
	return &gt->active[ref / ACTIVE_PER_PAGE][ref % ACTIVE_PER_PAGE];
}

static bool gnttab_ref_ok(const struct grant_table *gt, grant_ref_t ref)
{
	return ref < gt->nr_frames * GNTTAB_ENTRIES_PER_FRAME;
}

int gnttab_domain_init(struct domain *d, unsigned int max_frames,
		       unsigned int max_maptrack)
{
	struct grant_table *gt;

	if (max_frames > GNTTAB_MAX_FRAMES ||
	    max_maptrack > GNTTAB_MAX_MAPTRACK)
		return -EINVAL;
	if (d->gnttab)
		return -EEXIST;
	gt = alloc_xen_page();
	if (!gt)
		return -ENOMEM;
	gt->lock = SPIN_LOCK_UNLOCKED;
	gt->map_lock = SPIN_LOCK_UNLOCKED;
	gt->max_frames = max_frames ? max_frames : GNTTAB_DEFAULT_FRAMES;
	gt->map_max = max_maptrack ? max_maptrack : GNTTAB_DEFAULT_MAPTRACK;
	gt->map_free = MAP_NONE;
	d->gnttab = gt;
	return 0;
}

void gnttab_domain_free(struct domain *d)
{
	struct grant_table *gt = d->gnttab;

	if (!gt)
		return;
	for (unsigned int i = 0; i < gt->nr_frames; i++) {
		free_xen_page(gt->shared[i]);
		for (unsigned int j = 0; j < ACTIVE_PAGES; j++)
			free_xen_page(gt->active[i * ACTIVE_PAGES + j]);
	}
	for (unsigned int i = 0; i < gt->map_frames; i++)
		free_xen_page(gt->maps[i]);
	free_xen_page(gt);
	d->gnttab = NULL;
}

/* One more grant frame and its active entries (lock held). */
static int gnttab_grow(struct grant_table *gt)
{
	unsigned int i = gt->nr_frames;
	void *pages[1 + ACTIVE_PAGES];

	for (unsigned int j = 0; j < 1 + ACTIVE_PAGES; j++) {
		pages[j] = alloc_xen_page();
		if (!pages[j]) {
			while (j--)
				free_xen_page(pages[j]);
			return -ENOMEM;
		}
	}
	gt->shared[i] = pages[0];
	for (unsigned int j = 0; j < ACTIVE_PAGES; j++)
		gt->active[i * ACTIVE_PAGES + j] = pages[1 + j];
	__atomic_store_n(&gt->nr_frames, i + 1, __ATOMIC_RELEASE);
	return 0;
}

int16_t gnttab_setup(struct domain *d, unsigned int nr, xen_pfn_t *out)
{
	struct grant_table *gt = d->gnttab;
	int16_t rc = GNTST_okay;

	if (!gt || nr > gt->max_frames)
		return GNTST_general_error;
	spin_lock(&gt->lock);
	while (gt->nr_frames < nr && rc == GNTST_okay)
		if (gnttab_grow(gt) < 0)
			rc = GNTST_general_error;
	for (unsigned int i = 0; i < nr && rc == GNTST_okay; i++)
		out[i] = mfn_x(paddr_to_mfn(virt_to_maddr(gt->shared[i])));
	spin_unlock(&gt->lock);
	return rc;
}

void gnttab_query(const struct domain *d, uint32_t *nr, uint32_t *max)
{
	const struct grant_table *gt = d->gnttab;

	*nr = gt ? __atomic_load_n(&gt->nr_frames, __ATOMIC_ACQUIRE) : 0;
	*max = gt ? gt->max_frames : 0;
}

bool gnttab_is_frame(const struct domain *d, mfn_t mfn)
{
	const struct grant_table *gt = d->gnttab;
	unsigned int nr;

	if (!gt)
		return false;
	nr = __atomic_load_n(&gt->nr_frames, __ATOMIC_ACQUIRE);
	for (unsigned int i = 0; i < nr; i++)
		if (mfn_x(paddr_to_mfn(virt_to_maddr(gt->shared[i]))) ==
		    mfn_x(mfn))
			return true;
	return false;
}

/* Make the in-use flags agree with the pins (lock held). */
static void gnttab_settle_flags(struct grant_entry_v1 *e,
				const struct grant_active *a)
{
	uint16_t clear = 0;

	if (!a->wr_pins)
		clear |= GTF_writing;
	if (!a->wr_pins && !a->rd_pins)
		clear |= GTF_reading;
	if (clear)
		__atomic_fetch_and(&e->flags, (uint16_t)~clear,
				   __ATOMIC_RELEASE);
}

/* Mark the shared entry in use for ld, if it grants what is asked. */
static int16_t gnttab_mark(struct grant_entry_v1 *e, domid_t ld, bool write)
{
	uint32_t *word = (uint32_t *)e; /* flags, then domid */
	uint32_t want = GTF_reading | (write ? GTF_writing : 0);

	for (unsigned int i = 0; i < CAS_TRIES; i++) {
		uint32_t old = __atomic_load_n(word, __ATOMIC_ACQUIRE);
		uint16_t flags = (uint16_t)old;

		if ((flags & GTF_type_mask) != GTF_permit_access ||
		    (domid_t)(old >> 16) != ld)
			return GNTST_permission_denied;
		if (write && (flags & GTF_readonly))
			return GNTST_permission_denied;
		if ((old | want) == old ||
		    __atomic_compare_exchange_n(word, &old, old | want, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return GNTST_okay;
	}
	return GNTST_general_error;
}

/*
 * Pin ref of rd's table for ld (lock held): the first pin takes the frame
 * from the entry, later ones must be the same grantee. Takes a frame
 * reference; *mfn is the frame.
 */
static int16_t gnttab_pin(struct grant_table *gt, domid_t rd, grant_ref_t ref,
			  domid_t ld, bool write, uint32_t *mfn)
{
	struct grant_entry_v1 *e;
	struct grant_active *a;
	bool first;
	int16_t rc;

	if (gt->dying)
		return GNTST_bad_domain;
	if (!gnttab_ref_ok(gt, ref))
		return GNTST_bad_gntref;
	e = gnttab_entry(gt, ref);
	a = gnttab_active(gt, ref);
	first = !a->rd_pins && !a->wr_pins;
	if (!first && a->domid != ld)
		return GNTST_permission_denied;
	if ((write ? a->wr_pins : a->rd_pins) == PIN_MAX)
		return GNTST_no_space;
	rc = gnttab_mark(e, ld, write);
	if (rc != GNTST_okay)
		return rc;
	if (first)
		a->mfn = __atomic_load_n(&e->frame, __ATOMIC_ACQUIRE);
	if (!page_get(mfn_to_page(_mfn(a->mfn)), rd)) {
		gnttab_settle_flags(e, a);
		return GNTST_bad_page;
	}
	a->domid = ld;
	if (write)
		a->wr_pins++;
	else
		a->rd_pins++;
	*mfn = a->mfn;
	return GNTST_okay;
}

static void gnttab_unpin(struct grant_table *gt, grant_ref_t ref, bool write)
{
	struct grant_active *a = gnttab_active(gt, ref);

	if (write)
		a->wr_pins--;
	else
		a->rd_pins--;
	gnttab_settle_flags(gnttab_entry(gt, ref), a);
	page_put(mfn_to_page(_mfn(a->mfn)));
}

/*
 * Release one pin that ld took on m's grant of rd: through rd's table if
 * it is still the one pinned, else (rd is gone: NULL) only the frame
 * reference.
 */
static void gnttab_release_in(struct domain *rd, domid_t ld,
			      const struct grant_mapping *m)
{
	bool write = !(m->flags & GNTMAP_readonly);
	struct grant_table *gt = rd ? rd->gnttab : NULL;
	bool done = false;

	if (gt) {
		spin_lock(&gt->lock);
		if (gnttab_ref_ok(gt, m->ref)) {
			struct grant_active *a = gnttab_active(gt, m->ref);

			done = a->mfn == m->mfn && a->domid == ld &&
			       (write ? a->wr_pins : a->rd_pins);
			if (done)
				gnttab_unpin(gt, m->ref, write);
		}
		spin_unlock(&gt->lock);
	}
	if (!done)
		page_put(mfn_to_page(_mfn(m->mfn)));
}

static void gnttab_release(domid_t ld, const struct grant_mapping *m)
{
	struct domain *rd = domain_get(m->rd);

	gnttab_release_in(rd, ld, m);
	if (rd)
		domain_put(rd);
}

static struct grant_mapping *gnttab_mapping(struct grant_table *gt,
					    unsigned int h)
{
	return &gt->maps[h / MAPS_PER_PAGE][h % MAPS_PER_PAGE];
}

/* A free handle of gt, marked busy; -ENOSPC over the limit. */
static int gnttab_handle_get(struct grant_table *gt, unsigned int *out)
{
	struct grant_mapping *m;
	int rc = 0;

	spin_lock(&gt->map_lock);
	if (gt->map_free == MAP_NONE) {
		struct grant_mapping *page = NULL;
		unsigned int base = gt->map_frames * MAPS_PER_PAGE;

		if (gt->map_frames < gt->map_max)
			page = alloc_xen_page();
		if (page) {
			for (unsigned int i = 0; i < MAPS_PER_PAGE; i++)
				page[i].ref = i + 1 < MAPS_PER_PAGE
						  ? base + i + 1
						  : MAP_NONE;
			gt->maps[gt->map_frames++] = page;
			gt->map_free = base;
		}
	}
	if (gt->map_free == MAP_NONE) {
		rc = -ENOSPC;
	} else {
		*out = gt->map_free;
		m = gnttab_mapping(gt, *out);
		gt->map_free = m->ref;
		m->state = MAP_BUSY;
	}
	spin_unlock(&gt->map_lock);
	return rc;
}

static void gnttab_handle_put(struct grant_table *gt, unsigned int h)
{
	struct grant_mapping *m = gnttab_mapping(gt, h);

	spin_lock(&gt->map_lock);
	m->state = MAP_FREE;
	m->ref = gt->map_free;
	gt->map_free = h;
	spin_unlock(&gt->map_lock);
}

static int16_t gnttab_check_map_flags(uint32_t flags, uint64_t va)
{
	const uint32_t known = GNTMAP_device_map | GNTMAP_host_map |
			       GNTMAP_readonly | GNTMAP_application_map |
			       GNTMAP_guest_avail_mask;

	if ((flags & ~known) || (flags & GNTMAP_contains_pte) ||
	    !(flags & (GNTMAP_host_map | GNTMAP_device_map)))
		return GNTST_general_error;
	if ((flags & GNTMAP_host_map) && !va)
		return GNTST_bad_virt_addr;
	return GNTST_okay;
}

/* Pin rd's ref for ld. */
static int16_t gnttab_pin_in(struct domain *rd, const struct domain *ld,
			     grant_ref_t ref, bool write, uint32_t *mfn)
{
	int16_t rc = GNTST_bad_domain;

	if (rd->gnttab) {
		spin_lock(&rd->gnttab->lock);
		rc = gnttab_pin(rd->gnttab, rd->domain_id, ref, ld->domain_id,
				write, mfn);
		spin_unlock(&rd->gnttab->lock);
	}
	return rc;
}

/* The same, given rd's id (DOMID_SELF: ld). */
static int16_t gnttab_pin_remote(struct domain *ld, domid_t rdid,
				 grant_ref_t ref, bool write, uint32_t *mfn)
{
	struct domain *rd =
	    domain_get(rdid == DOMID_SELF ? ld->domain_id : rdid);
	int16_t rc;

	if (!rd)
		return GNTST_bad_domain;
	rc = gnttab_pin_in(rd, ld, ref, write, mfn);
	domain_put(rd);
	return rc;
}

/*
 * Keep ld's IOMMU table in step with its grant mappings of frame mfn
 * (map_lock held): its devices may write the frame while one of them is
 * writable, read it while any is, and nothing once none is, which
 * happens before the last one's pin goes. ld's own frames are in its
 * table already. A table made after a grant was mapped lacks it. A flush
 * the change needs is left to the caller (*flush set): it must come
 * before a pin goes.
 */
static int gnttab_iommu_sync(struct domain *ld, struct grant_table *gt,
			     uint32_t mfn, const struct grant_mapping *only,
			     bool *flush)
{
	const struct page_info *pg = mfn_to_page(_mfn(mfn));
	unsigned int perm = 0;

	if (!iommu_has_table(ld) || pg->owner == ld->domain_id)
		return 0;
	/*
	 * The frame's one reference is this mapping's pin (only: the one
	 * being made; NULL: the one going): no other mapping to look for.
	 * A pin taken meanwhile syncs again after us, under map_lock.
	 */
	if (__atomic_load_n(&pg->count, __ATOMIC_ACQUIRE) == 1) {
		if (only)
			perm = (only->flags & GNTMAP_readonly)
				   ? IOMMU_READ
				   : IOMMU_READ | IOMMU_WRITE;
		return iommu_grant_frame_deferred(ld, mfn, perm, flush);
	}
	for (unsigned int h = 0; h < gt->map_frames * MAPS_PER_PAGE; h++) {
		const struct grant_mapping *m = gnttab_mapping(gt, h);

		if (m->state == MAP_USED && m->mfn == mfn)
			perm |= (m->flags & GNTMAP_readonly)
				    ? IOMMU_READ
				    : IOMMU_READ | IOMMU_WRITE;
	}
	return iommu_grant_frame_deferred(ld, mfn, perm, flush);
}

/* Undo a mapping no device reaches any more: PTE, pin, handle. */
static void gnttab_drop(struct domain *ld, struct grant_table *lgt,
			unsigned int h, struct grant_mapping *rec)
{
	if (rec->va)
		arch_gnttab_unmap(ld, rec->va, _mfn(rec->mfn));
	gnttab_release(ld->domain_id, rec);
	gnttab_handle_put(lgt, h);
}

int16_t gnttab_map(struct domain *ld, domid_t rdid, grant_ref_t ref,
		   uint32_t flags, uint64_t va, grant_handle_t *handle,
		   uint64_t *bus_addr)
{
	struct grant_table *lgt = ld->gnttab;
	struct grant_mapping *m, rec = { 0 };
	bool write = !(flags & GNTMAP_readonly), pinned, flush = false;
	unsigned int h;
	int16_t rc = gnttab_check_map_flags(flags, va);

	if (rc != GNTST_okay)
		return rc;
	if (!lgt || gnttab_handle_get(lgt, &h) < 0)
		return GNTST_no_space;
	rec.rd = rdid == DOMID_SELF ? ld->domain_id : rdid;
	rec.ref = ref;
	rec.flags = (uint16_t)flags;
	rec.va = (flags & GNTMAP_host_map) ? va : 0;
	rc = gnttab_pin_remote(ld, rec.rd, ref, write, &rec.mfn);
	pinned = rc == GNTST_okay;
	if (rc == GNTST_okay && rec.va)
		rc = arch_gnttab_map(ld, rec.va, _mfn(rec.mfn), !write);
	if (rc != GNTST_okay) {
		if (pinned)
			gnttab_release(ld->domain_id, &rec);
		gnttab_handle_put(lgt, h);
		return rc;
	}
	spin_lock(&lgt->map_lock);
	m = gnttab_mapping(lgt, h);
	*m = rec;
	m->state = MAP_USED;
	if (gnttab_iommu_sync(ld, lgt, rec.mfn, m, &flush) < 0) {
		m->state = MAP_BUSY;
		/* As it was. */
		gnttab_iommu_sync(ld, lgt, rec.mfn, NULL, &flush);
		spin_unlock(&lgt->map_lock);
		if (flush)
			iommu_flush(ld);
		gnttab_drop(ld, lgt, h, &rec);
		return GNTST_no_space;
	}
	spin_unlock(&lgt->map_lock);
	if (flush)
		iommu_flush(ld);
	*handle = h;
	*bus_addr = (uint64_t)rec.mfn << PAGE_SHIFT;
	return GNTST_okay;
}

/*
 * Unmaps in a batch share one IOTLB flush: each mapping leaves the
 * IOMMU table at once, its pin stays (so its frame can neither be freed
 * nor reused) until the flush, and only then does it go.
 */
void gnttab_unmap_batch_start(struct gnttab_unmap_batch *b, struct domain *ld)
{
	b->ld = ld;
	b->n = 0;
	b->flush = false;
}

void gnttab_unmap_batch_end(struct gnttab_unmap_batch *b)
{
	if (b->flush)
		iommu_flush(b->ld);
	b->flush = false;
	for (unsigned int i = 0; i < b->n; i++)
		gnttab_drop(b->ld, b->ld->gnttab, b->handles[i], &b->recs[i]);
	b->n = 0;
}

int16_t gnttab_unmap_batched(struct gnttab_unmap_batch *b,
			     grant_handle_t handle, uint64_t va)
{
	struct grant_table *lgt = b->ld->gnttab;
	struct grant_mapping *m;

	if (!lgt)
		return GNTST_bad_handle;
	spin_lock(&lgt->map_lock);
	if (handle >= lgt->map_frames * MAPS_PER_PAGE ||
	    gnttab_mapping(lgt, handle)->state != MAP_USED) {
		spin_unlock(&lgt->map_lock);
		return GNTST_bad_handle;
	}
	m = gnttab_mapping(lgt, handle);
	if (va && m->va != va) {
		spin_unlock(&lgt->map_lock);
		return GNTST_bad_virt_addr;
	}
	b->recs[b->n] = *m;
	b->handles[b->n] = handle;
	m->state = MAP_BUSY; /* nobody else can unmap it meanwhile */
	/* Devices first: it may go. */
	gnttab_iommu_sync(b->ld, lgt, m->mfn, NULL, &b->flush);
	spin_unlock(&lgt->map_lock);
	if (++b->n == GNTTAB_UNMAP_BATCH)
		gnttab_unmap_batch_end(b);
	return GNTST_okay;
}

int16_t gnttab_unmap(struct domain *ld, grant_handle_t handle, uint64_t va)
{
	struct gnttab_unmap_batch b;
	int16_t rc;

	gnttab_unmap_batch_start(&b, ld);
	rc = gnttab_unmap_batched(&b, handle, va);
	gnttab_unmap_batch_end(&b);
	return rc;
}

/*
 * A batch's copies keep each side's remote domain referenced from one op
 * to the next, so a batch naming one domain (a request's segments) looks
 * it up once. One that dies meanwhile is refused by its table (dying).
 */
void gnttab_copy_batch_start(struct gnttab_copy_batch *b, struct domain *ld)
{
	b->ld = ld;
	b->rd[0] = b->rd[1] = NULL;
}

void gnttab_copy_batch_end(struct gnttab_copy_batch *b)
{
	for (unsigned int i = 0; i < 2; i++)
		if (b->rd[i])
			domain_put(b->rd[i]);
	b->rd[0] = b->rd[1] = NULL;
}

static struct domain *gnttab_batch_domain(struct domain **slot, domid_t id)
{
	if (*slot && (*slot)->domain_id == id)
		return *slot;
	if (*slot)
		domain_put(*slot);
	*slot = domain_get(id);
	return *slot;
}

enum { GNTTAB_SRC, GNTTAB_DST }; /* a copy's sides, b->rd's index */

/* One side of a copy: a pinned grant, or a frame of the caller's. */
struct gnttab_side {
	struct grant_mapping pin; /* what to release */
	bool pinned, own;
};

static int16_t gnttab_side_get(struct gnttab_copy_batch *b, unsigned int side,
			       const struct gnttab_copy_ptr *p, bool gref,
			       struct gnttab_side *s)
{
	struct domain *ld = b->ld, *rd;
	bool write = side == GNTTAB_DST;
	int16_t rc;

	if (!gref) {
		/* A PV domain names its own frames by machine frame. */
		if (p->domid != DOMID_SELF && p->domid != ld->domain_id)
			return GNTST_permission_denied;
		if (p->u.gmfn > UINT32_MAX ||
		    !page_get(mfn_to_page(_mfn(p->u.gmfn)), ld->domain_id))
			return GNTST_bad_page;
		s->pin.mfn = (uint32_t)p->u.gmfn;
		s->own = true;
		return GNTST_okay;
	}
	s->pin.rd = p->domid == DOMID_SELF ? ld->domain_id : p->domid;
	s->pin.ref = p->u.ref;
	s->pin.flags = write ? 0 : GNTMAP_readonly;
	rd = gnttab_batch_domain(&b->rd[side], s->pin.rd);
	if (!rd)
		return GNTST_bad_domain;
	rc = gnttab_pin_in(rd, ld, p->u.ref, write, &s->pin.mfn);
	s->pinned = rc == GNTST_okay;
	return rc;
}

static void gnttab_side_put(struct gnttab_copy_batch *b, unsigned int side,
			    struct gnttab_side *s)
{
	if (s->pinned)
		gnttab_release_in(b->rd[side], b->ld->domain_id, &s->pin);
	else if (s->own)
		page_put(mfn_to_page(_mfn(s->pin.mfn)));
}

int16_t gnttab_copy_batched(struct gnttab_copy_batch *b,
			    const struct gnttab_copy *op)
{
	struct gnttab_side src = { 0 }, dst = { 0 };
	int16_t rc;

	if ((op->flags & ~(GNTCOPY_source_gref | GNTCOPY_dest_gref)) ||
	    op->source.offset + op->len > PAGE_SIZE ||
	    op->dest.offset + op->len > PAGE_SIZE)
		return GNTST_bad_copy_arg;
	rc = gnttab_side_get(b, GNTTAB_SRC, &op->source,
			     op->flags & GNTCOPY_source_gref, &src);
	if (rc == GNTST_okay)
		rc = gnttab_side_get(b, GNTTAB_DST, &op->dest,
				     op->flags & GNTCOPY_dest_gref, &dst);
	if (rc == GNTST_okay)
		memmove((char *)maddr_to_virt(mfn_to_paddr(_mfn(dst.pin.mfn))) +
			    op->dest.offset,
			(const char *)maddr_to_virt(
			    mfn_to_paddr(_mfn(src.pin.mfn))) +
			    op->source.offset,
			op->len);
	gnttab_side_put(b, GNTTAB_DST, &dst);
	gnttab_side_put(b, GNTTAB_SRC, &src);
	return rc;
}

void gnttab_domain_destroy(struct domain *d)
{
	struct grant_table *gt = d->gnttab;

	if (!gt)
		return;
	spin_lock(&gt->lock);
	gt->dying = true;
	spin_unlock(&gt->lock);
	/* Its page tables go with it: only the pins need releasing. */
	for (unsigned int h = 0; h < gt->map_frames * MAPS_PER_PAGE; h++) {
		struct grant_mapping *m = gnttab_mapping(gt, h), rec;

		spin_lock(&gt->map_lock);
		rec = *m;
		if (m->state == MAP_USED)
			m->state = MAP_BUSY;
		spin_unlock(&gt->map_lock);
		if (rec.state != MAP_USED)
			continue;
		gnttab_release(d->domain_id, &rec);
		gnttab_handle_put(gt, h);
	}
}

int gnttab_seed(struct domain *d, grant_ref_t ref, domid_t to, xen_pfn_t frame,
		bool readonly)
{
	struct grant_table *gt = d->gnttab;
	struct page_info *pg =
	    frame <= UINT32_MAX ? mfn_to_page(_mfn(frame)) : NULL;
	struct grant_entry_v1 *e;
	struct grant_active *a;
	int rc = 0;

	if (!gt || !pg || pg->owner != d->domain_id || pg->use != PGU_DOMAIN)
		return -EINVAL;
	spin_lock(&gt->lock);
	if (!gt->nr_frames && gt->max_frames)
		rc = gnttab_grow(gt);
	if (!rc && !gnttab_ref_ok(gt, ref))
		rc = -EINVAL;
	if (!rc) {
		e = gnttab_entry(gt, ref);
		a = gnttab_active(gt, ref);
		if (a->rd_pins || a->wr_pins) {
			rc = -EBUSY;
		} else {
			e->frame = (uint32_t)frame;
			e->domid = to;
			__atomic_store_n(
			    &e->flags,
			    (uint16_t)(GTF_permit_access |
				       (readonly ? GTF_readonly : 0)),
			    __ATOMIC_RELEASE);
		}
	}
	spin_unlock(&gt->lock);
	return rc;
}
