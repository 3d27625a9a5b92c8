/*
 * Grant tables, v1 (xen/common/grant_table.c): a domain lists in its
 * shared grant frames which of its frames another domain may map or copy;
 * the hypervisor pins an entry while it is in use (GTF_reading and
 * GTF_writing in the shared entry tell the granter) and holds a frame
 * reference per mapping, so a granted frame is never freed or reused
 * while mapped, even after its owner is gone.
 *
 * The map, unmap and copy calls return a GNTST_* status, as the ABI
 * reports them per operation.
 */
#ifndef XEN_GRANT_TABLE_H
#define XEN_GRANT_TABLE_H

#include <xen/mm.h>
#include <xen/types.h>
#include <public/grant_table.h>

struct domain;

#define GNTTAB_ENTRIES_PER_FRAME (PAGE_SIZE / sizeof(struct grant_entry_v1))
#define GNTTAB_DEFAULT_FRAMES	 4
#define GNTTAB_MAX_FRAMES	 64
#define GNTTAB_DEFAULT_MAPTRACK	 8 /* frames of mappings, 128 each */
#define GNTTAB_MAX_MAPTRACK	 64

/*
 * d's table (no frames yet: setup_table makes them), with room for
 * max_frames grant frames and max_maptrack frames of its own mappings;
 * 0 means the default. -EINVAL above the maxima, -ENOMEM.
 */
int gnttab_domain_init(struct domain *d, unsigned int max_frames,
		       unsigned int max_maptrack);
/*
 * d is dying: its table takes no new mappings, and every mapping d holds
 * of other domains' grants is released. Its own granted frames stay
 * referenced by their mappers (page_free_or_orphan).
 */
void gnttab_domain_destroy(struct domain *d);
/* The table's memory, when the last reference to d goes. */
void gnttab_domain_free(struct domain *d);

/* GNTTABOP_setup_table: grow to nr frames, their frame numbers to out. */
int16_t gnttab_setup(struct domain *d, unsigned int nr, xen_pfn_t *out);
void gnttab_query(const struct domain *d, uint32_t *nr, uint32_t *max);
/* Is mfn one of d's grant frames (which d may map)? */
bool gnttab_is_frame(const struct domain *d, mfn_t mfn);

/* ld maps rd's ref (GNTMAP_* flags) at va; a handle for the unmap. */
int16_t gnttab_map(struct domain *ld, domid_t rd, grant_ref_t ref,
		   uint32_t flags, uint64_t va, grant_handle_t *handle,
		   uint64_t *bus_addr);
/* Undo ld's mapping handle; va (if not 0) must be where it is. */
int16_t gnttab_unmap(struct domain *ld, grant_handle_t handle, uint64_t va);
/* One of a domain's grant mappings, by handle (grant_table.c's). */
struct grant_mapping {
	uint64_t va; /* 0: not mapped in the page tables */
	uint32_t mfn;
	grant_ref_t ref; /* when free: the next free handle */
	domid_t rd;
	uint16_t flags; /* GNTMAP_* */
	uint8_t state;
	uint8_t _pad[11];
};

/*
 * The same for many handles of one domain, with one IOTLB flush for up
 * to GNTTAB_UNMAP_BATCH of them: start, unmap each, end (which finishes
 * them all: nothing is unmapped for good before it).
 */
#define GNTTAB_UNMAP_BATCH 16
struct gnttab_unmap_batch {
	struct domain *ld;
	bool flush;
	unsigned int n;
	grant_handle_t handles[GNTTAB_UNMAP_BATCH];
	struct grant_mapping recs[GNTTAB_UNMAP_BATCH];
};
void gnttab_unmap_batch_start(struct gnttab_unmap_batch *b, struct domain *ld);
int16_t gnttab_unmap_batched(struct gnttab_unmap_batch *b,
			     grant_handle_t handle, uint64_t va);
void gnttab_unmap_batch_end(struct gnttab_unmap_batch *b);
/*
 * GNTTABOP_copy for ld, a batch at a time: start, copy each, end. The
 * batch holds the remote domains its ops name (one per side) until the
 * next op names another or the batch ends.
 */
struct gnttab_copy_batch {
	struct domain *ld;
	struct domain *rd[2]; /* the source's, the destination's */
};
void gnttab_copy_batch_start(struct gnttab_copy_batch *b, struct domain *ld);
int16_t gnttab_copy_batched(struct gnttab_copy_batch *b,
			    const struct gnttab_copy *op);
void gnttab_copy_batch_end(struct gnttab_copy_batch *b);

/*
 * The builder's entries (the reserved refs for the console and
 * xenstore): ref of d grants frame to domain to. Not while in use.
 */
int gnttab_seed(struct domain *d, grant_ref_t ref, domid_t to, xen_pfn_t frame,
		bool readonly);

/*
 * Provided by the arch: put a mapping of mfn at va in ld (GNTST_okay, or
 * GNTST_bad_virt_addr when va cannot take one), and take it away again
 * from every CPU (only if va still maps mfn).
 */
int16_t arch_gnttab_map(struct domain *ld, uint64_t va, mfn_t mfn,
			bool readonly);
void arch_gnttab_unmap(struct domain *ld, uint64_t va, mfn_t mfn);

#endif
