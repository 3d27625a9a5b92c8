/*
 * NVMe Physical Region Page entries for a list of segments (base
 * specification 4.3). PRP1 may start inside a page; every later entry
 * names a whole page, so segments can only join at page boundaries.
 * Pure: the host unit test links this file.
 */
#include <stdbool.h>
#include <public/errno.h>
#include <driverdom/blkdrv.h>
#include <driverdom/nvme_spec.h>

#define NVME_PAGE_MASK ((uint64_t)NVME_PAGE_SIZE - 1)
/* Above any machine address (x86-64: 52 bits); keeps the walk from wrapping. */
#define NVME_BUS_LIMIT (1ull << 52)

static bool nvme_prp_seg_ok(const struct blkdrv_seg *s, unsigned int i,
			    unsigned int nr_segs)
{
	uint64_t end = s->bus + s->len;

	if (!s->len || ((s->bus | s->len) & 3) || s->bus >= NVME_BUS_LIMIT ||
	    end > NVME_BUS_LIMIT)
		return false;
	if (i > 0 && (s->bus & NVME_PAGE_MASK))
		return false;
	return i + 1 == nr_segs || !(end & NVME_PAGE_MASK);
}

long nvme_prp_build(const struct blkdrv_seg *segs, unsigned int nr_segs,
		    uint64_t *list, unsigned int list_len, uint64_t list_bus,
		    uint64_t *prp1, uint64_t *prp2)
{
	unsigned int pages = 0;
	long total = 0;

	*prp1 = *prp2 = 0;
	if (!nr_segs)
		return -XEN_EINVAL;
	for (unsigned int i = 0; i < nr_segs; i++) {
		const struct blkdrv_seg *s = &segs[i];
		uint64_t end = s->bus + s->len;

		if (!nvme_prp_seg_ok(s, i, nr_segs))
			return -XEN_EINVAL;
		for (uint64_t a = s->bus; a < end;
		     a = (a & ~NVME_PAGE_MASK) + NVME_PAGE_SIZE) {
			if (pages && pages > list_len)
				return -XEN_EINVAL;
			if (pages)
				list[pages - 1] = a;
			else
				*prp1 = a;
			pages++;
		}
		total += s->len;
	}
	if (pages == 2)
		*prp2 = list[0];
	else if (pages > 2)
		*prp2 = list_bus;
	return total;
}
