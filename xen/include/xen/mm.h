/*
 * The frame table (one struct page_info per machine frame) and the buddy
 * allocator that hands out naturally aligned blocks of 2^order frames.
 */
#ifndef XEN_MM_H
#define XEN_MM_H

#include <xen/types.h>

typedef uint16_t domid_t;

/* Xen's special domain ids. */
#define DOMID_IO      0x7ff1 /* I/O memory nobody owns */
#define DOMID_XEN     0x7ff2 /* the hypervisor */
#define DOMID_INVALID 0x7ff4 /* no owner: free frames */

/* What a frame is used for. */
enum page_use {
	PGU_RESERVED = 0, /* not RAM, or never given to the allocator */
	PGU_FREE,	  /* in a free block */
	PGU_XEN,	  /* hypervisor heap */
	PGU_DOMAIN,	  /* a domain's memory */
	PGU_PAGETABLE,	  /* a page table */
	PGU_ORPHAN,	  /* its domain is gone; freed at the last reference */
	PGU_DIRTY,	  /* a domain's, given up: zeroed, then free */
};

#define PAGE_ORDER_MAX	18    /* 2^18 frames: 1 GiB */
#define PAGE_ORDER_TAIL 0xff  /* order of a non-head frame of a block */
#define PAGE_LIST_NONE	(~0u) /* end of a free list */

/*
 * One per machine frame. Every frame of a free or allocated block has
 * the block's use (PGU_FREE when free); its head, the lowest frame, has
 * the block's order, every other frame PAGE_ORDER_TAIL. next and prev
 * link free heads by frame number; in an allocated block the owner may
 * use them (a domain lists its frames through them). A zeroed
 * record is a reserved frame.
 */
struct page_info {
	uint32_t count; /* references (grants, mappings); 0 when allocated */
	uint16_t owner; /* domid_t; DOMID_INVALID when free */
	uint8_t use;	/* enum page_use */
	uint8_t order;
	uint32_t next;
	uint32_t prev;
};
_Static_assert(sizeof(struct page_info) == 16, "page_info is 16 bytes");

/* A domain's allocation account: pages charged, limit (0 = none). */
struct mem_account {
	unsigned long pages;
	unsigned long limit;
};

/* Frames given to the allocator, frames free, free blocks per order. */
struct page_alloc_stats {
	unsigned long total;
	unsigned long free;
	unsigned long dirty; /* given up by domains, waiting to be zeroed */
	unsigned long free_blocks[PAGE_ORDER_MAX + 1];
};

/*
 * Take table as the frame table for frames [0, nr_frames): at most
 * 2^32 - 1, so frame numbers fit the free-list links; more are ignored.
 * The caller zeroes it, so every frame starts reserved; the allocator
 * starts empty.
 */
void page_alloc_init(struct page_info *table, unsigned long nr_frames);

/*
 * Hand frames [start, start + nr) to the allocator, clipped to the table,
 * as maximal aligned blocks merged with free neighbours. -EINVAL, with
 * nothing changed, if any of them is already free or in use, or if the
 * range wraps.
 */
int page_alloc_add(mfn_t start, unsigned long nr);

/*
 * Allocate 2^order naturally aligned frames for owner, recording owner
 * and use (PGU_XEN, PGU_DOMAIN or PGU_PAGETABLE) on each, count 0.
 * Charges acct (may be NULL) 2^order pages. NULL if no block is free,
 * order > PAGE_ORDER_MAX, use is not an allocated use, or acct would go
 * over its limit.
 */
struct page_info *page_alloc(unsigned int order, domid_t owner,
			     enum page_use use, struct mem_account *acct);

/*
 * Free the block of 2^order frames headed by pg, merging it with its free
 * buddies, and credit acct (may be NULL). -EINVAL, logged and with nothing
 * changed, if pg is not in the table, not the head of an allocated block
 * of exactly this order (a double free included), any of its frames has
 * references, or acct was charged less than the block.
 */
int page_free(struct page_info *pg, unsigned int order,
	      struct mem_account *acct);

/*
 * References to a domain's frame from elsewhere (grant mappings): a
 * referenced frame is never freed or reused. page_get() takes one if pg
 * is a single frame of owner's memory (false otherwise); page_put()
 * drops one, and the last one frees an orphaned frame.
 */
bool page_get(struct page_info *pg, domid_t owner);
void page_put(struct page_info *pg);

/*
 * A domain gives up the single frame pg (charged to acct, which is
 * credited now): dirty at once if unreferenced, else orphaned until its
 * last page_put() makes it dirty. -EINVAL as page_free() for a bad frame.
 *
 * A dirty frame is not handed out before page_scrub() has zeroed it, so
 * no domain's data outlives it in free memory. CPUs zero them while idle,
 * and an allocation that finds no free block zeroes some itself: a
 * domain's destruction frees its memory without touching it, so a
 * restart does not wait for the old instance's memory to be cleared.
 */
int page_free_or_orphan(struct page_info *pg, struct mem_account *acct);

/* Zero (page_zero()) and free up to max dirty frames; how many. */
unsigned int page_scrub(unsigned int max);
bool page_scrub_pending(void);
/* Zero frame mfn (the arch's: through its direct map). */
void page_zero(mfn_t mfn);

/* The frame pg describes; INVALID_MFN if pg is not in the table. */
mfn_t page_to_mfn(const struct page_info *pg);

/* The record of mfn; NULL beyond the table. */
struct page_info *mfn_to_page(mfn_t mfn);

/* A consistent snapshot of the allocator's counters. */
void page_alloc_get_stats(struct page_alloc_stats *st);

/* The highest frame the allocator knows of (the frame table's last). */
unsigned long page_alloc_max_mfn(void);

/* A zeroed page of the hypervisor's own (mapped), or NULL. */
void *alloc_xen_page(void);
void free_xen_page(void *p);

#endif
