/*
 * Copies out of the guests' transmit pages without a hypercall each.
 * netfront grants each of its transmit pages once per connection, so
 * the page a request names has almost always been named before: the
 * first time, it is mapped here read-only (GNTTABOP_map_grant_ref) and
 * kept; afterwards netback's copy from it is a memcpy into our own page.
 * netback's rule is unchanged: it copies the frame out, then checks it.
 *
 * The cache is direct-mapped on (domain, ref): a ref that lands on a
 * taken slot unmaps what was there. Anything the cache cannot do (a
 * destination that is not one of our pages, a grant that will not map,
 * bad offsets) goes to GNTTABOP_copy as before, which gives the op its
 * status. A domain's entries are unmapped when its vif goes down, so a
 * guest's page is never held after its connection ends.
 */
#include <public/errno.h>
#include <xen/string.h>
#include <driverdom/netdom.h>
#include <stub/gnttab.h>
#include <stub/stub.h>

#define GC_SLOTS 256 /* a power of two */
#define GC_VA	 0x34000000ul
#define GC_BATCH 64 /* ops passed on to GNTTABOP_copy per call */

struct gc_slot {
	bool live;
	domid_t domid;
	grant_ref_t ref;
	grant_handle_t handle;
};

static struct gc_slot gc_slots[GC_SLOTS];
static struct nd_gcache_stats gc_stats;

static unsigned int gc_index(domid_t domid, grant_ref_t ref)
{
	return (ref ^ (unsigned int)domid * 0x9e5u) & (GC_SLOTS - 1);
}

static unsigned long gc_va(unsigned int i)
{
	return GC_VA + (unsigned long)i * XEN_PAGE_SIZE;
}

static void gc_drop(unsigned int i)
{
	struct gc_slot *s = &gc_slots[i];

	if (!s->live)
		return;
	/* Our own read-only mapping: failing would be the hypervisor's bug. */
	if (stub_grant_unmap(s->handle, gc_va(i)) != GNTST_okay)
		gc_stats.unmap_errors++;
	s->live = false;
}

/* The mapping of domid's ref, made if need be; NULL if it will not map. */
static const uint8_t *gc_lookup(domid_t domid, grant_ref_t ref)
{
	unsigned int i = gc_index(domid, ref);
	struct gc_slot *s = &gc_slots[i];
	grant_handle_t h;

	if (s->live && s->domid == domid && s->ref == ref) {
		gc_stats.hits++;
		return (const uint8_t *)gc_va(i);
	}
	gc_drop(i);
	if (stub_grant_map(domid, ref, gc_va(i), true, &h) != GNTST_okay) {
		gc_stats.refused++;
		return NULL;
	}
	*s = (struct gc_slot){
		.live = true, .domid = domid, .ref = ref, .handle = h
	};
	gc_stats.maps++;
	return (const uint8_t *)gc_va(i);
}

/* One op the cache can do: from a guest's grant into our page dst. */
static bool gc_try(struct gnttab_copy *op, uint8_t *(*own)(unsigned long))
{
	const uint8_t *src;
	uint8_t *dst;

	if (op->flags != GNTCOPY_source_gref || op->dest.domid != DOMID_SELF ||
	    op->source.domid == DOMID_SELF ||
	    op->source.offset + op->len > XEN_PAGE_SIZE ||
	    op->dest.offset + op->len > XEN_PAGE_SIZE)
		return false;
	dst = own(op->dest.u.gmfn);
	if (!dst)
		return false;
	src = gc_lookup(op->source.domid, op->source.u.ref);
	if (!src)
		return false;
	memcpy(dst + op->dest.offset, src + op->source.offset, op->len);
	op->status = GNTST_okay;
	return true;
}

/* Pass the ops the cache could not do to GNTTABOP_copy; their statuses back. */
static long gc_flush(struct gnttab_copy *ops, struct gnttab_copy *rest,
		     const unsigned int *at, unsigned int nr)
{
	long rc = nr ? stub_grant_copy(rest, nr) : 0;

	for (unsigned int j = 0; j < nr; j++)
		ops[at[j]].status = rest[j].status;
	return rc;
}

long nd_gcache_copy(struct gnttab_copy *ops, unsigned int n,
		    uint8_t *(*own)(unsigned long mfn))
{
	struct gnttab_copy rest[GC_BATCH];
	unsigned int at[GC_BATCH], nr = 0;
	long rc = 0, r;

	for (unsigned int i = 0; i < n; i++) {
		if (gc_try(&ops[i], own))
			continue;
		rest[nr] = ops[i];
		at[nr++] = i;
		if (nr == GC_BATCH) {
			r = gc_flush(ops, rest, at, nr);
			rc = rc ? rc : r;
			nr = 0;
		}
	}
	r = gc_flush(ops, rest, at, nr);
	return rc ? rc : r;
}

void nd_gcache_forget(domid_t domid)
{
	for (unsigned int i = 0; i < GC_SLOTS; i++)
		if (gc_slots[i].live && gc_slots[i].domid == domid)
			gc_drop(i);
}

const struct nd_gcache_stats *nd_gcache_stats(void)
{
	return &gc_stats;
}
