/*
 * Sets of physical address ranges. Boot code uses them to work out free
 * RAM (RAM minus reserved areas, the image and the modules) and, until
 * the buddy allocator exists, as a bump allocator.
 */
#ifndef XEN_MEMRANGE_H
#define XEN_MEMRANGE_H

#include <xen/types.h>

/* The bytes [start, end). */
struct memrange {
	uint64_t start;
	uint64_t end;
};

/*
 * nr ranges in r[0..nr), room for max: always sorted, disjoint, not
 * adjacent (touching ranges are merged) and none empty.
 */
struct memrange_set {
	unsigned int nr;
	unsigned int max;
	struct memrange *r;
};

/* An empty set that keeps its ranges in storage[0..max). */
void memrange_init(struct memrange_set *s, struct memrange *storage,
		   unsigned int max);

/*
 * Add [start, end), merging with the ranges it overlaps or touches.
 * 0 on success (an empty range is a no-op), -EINVAL if end < start,
 * -ENOSPC if a new range is needed and the set is full (set unchanged).
 */
int memrange_add(struct memrange_set *s, uint64_t start, uint64_t end);

/*
 * Remove [start, end) from the set; a range may be split in two. 0 on
 * success, -EINVAL if end < start, -ENOSPC if the split needs a slot the
 * set does not have (set unchanged).
 */
int memrange_remove(struct memrange_set *s, uint64_t start, uint64_t end);

/* The number of bytes in the set. */
uint64_t memrange_total(const struct memrange_set *s);

/*
 * Carve size bytes aligned to align (a power of two) out of the set, as
 * high as possible in the highest range that holds them entirely below
 * limit, and return their start. 0 means failure (nothing fits, size 0,
 * bad align), so address 0 is never handed out. A range whose carving
 * would need a slot the full set lacks is tried at its low end, then
 * skipped.
 */
uint64_t memrange_alloc(struct memrange_set *s, uint64_t size, uint64_t align,
			uint64_t limit);

/*
 * Shrink every range inward to multiples of align (a power of two;
 * anything else leaves the set alone), dropping ranges that vanish.
 */
void memrange_align_inward(struct memrange_set *s, uint64_t align);

#endif
