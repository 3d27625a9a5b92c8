/*
 * Judging a vbd's configuration and a request's decoded copy: pure
 * functions, no side effects, so every check runs before anything is
 * taken, copied or submitted.
 */
#include "include/blkback/blkback.h"

int bb_config_check(const struct bb_vbd_config *cfg, const char **why)
{
	uint64_t f = cfg->block_size / BB_SECTOR_SIZE;

	*why = "block size is not a power of two in 512..4096";
	if (cfg->block_size < BB_SECTOR_SIZE ||
	    cfg->block_size > BB_PAGE_SIZE ||
	    (cfg->block_size & (cfg->block_size - 1)))
		return -XEN_EINVAL;
	*why = "range is empty or not aligned to the device's blocks";
	if (!cfg->sectors || cfg->start % f || cfg->sectors % f)
		return -XEN_EINVAL;
	*why = "range is not inside the namespace";
	if (cfg->start > cfg->ns_sectors ||
	    cfg->sectors > cfg->ns_sectors - cfg->start)
		return -XEN_EINVAL;
	*why = "local pages: too few, too many or past the last index";
	if (cfg->page_count < BB_VBD_PAGES_MIN ||
	    cfg->page_count > BB_VBD_PAGES_MAX ||
	    cfg->page_base > 65536u - cfg->page_count)
		return -XEN_EINVAL;
	*why = "persistent grants: more than BB_PERSIST_MAX";
	if (cfg->persist_max > BB_PERSIST_MAX)
		return -XEN_EINVAL;
	*why = NULL;
	return 0;
}

unsigned int bb_indirect_segs(const struct bb_vbd_config *cfg)
{
	uint32_t n = cfg->indirect_segs;

	if (!n || n > BB_MAX_INDIRECT_SEGS)
		n = BB_MAX_INDIRECT_SEGS;
	return n > BLKIF_MAX_SEGMENTS_PER_REQUEST ? n : 0;
}

/*
 * Sectors per block less one: a mask, as bb_config_check() let only
 * powers of two through (a mask of all ones, which no range passes,
 * for a block size below a sector).
 */
static uint64_t block_mask(const struct bb_vbd_config *cfg)
{
	return (uint64_t)(cfg->block_size / BB_SECTOR_SIZE) - 1;
}

/* Sectors [sector, sector + n) inside the vbd and on whole blocks. */
static bool range_ok(const struct bb_vbd_config *cfg, uint64_t sector,
		     uint64_t n)
{
	if (sector > cfg->sectors || n > cfg->sectors - sector)
		return false;
	return !((sector | n) & block_mask(cfg));
}

int bb_check_rw(const struct bb_vbd_config *cfg, struct bb_rw *rw)
{
	unsigned int gaps = 0, end = BB_SECTORS_PER_PAGE - 1;
	uint32_t n = 0;

	if (rw->op == BLKIF_OP_WRITE && cfg->readonly)
		return BLKIF_RSP_ERROR;
	if (rw->nsegs < 1 || rw->nsegs > BB_MAX_SEGS)
		return BLKIF_RSP_ERROR;
	for (unsigned int i = 0; i < rw->nsegs; i++) {
		unsigned int f = rw->seg[i].first_sect,
			     l = rw->seg[i].last_sect;

		/* first <= last < a page's sectors (l - f wraps if f > l). */
		if ((l | (l - f)) >= BB_SECTORS_PER_PAGE)
			return BLKIF_RSP_ERROR;
		n += l - f + 1;
		/* Where two meet: one ends its page, the next starts one. */
		if (i)
			gaps |= (end ^ (BB_SECTORS_PER_PAGE - 1)) | f;
		end = l;
	}
	if (!range_ok(cfg, rw->sector, n))
		return BLKIF_RSP_ERROR;
	rw->nsect = n;
	rw->shaped = !gaps;
	return BLKIF_RSP_OKAY;
}

int bb_check_discard(const struct bb_vbd_config *cfg, uint64_t sector,
		     uint64_t nr)
{
	if (cfg->readonly || !nr || !range_ok(cfg, sector, nr))
		return BLKIF_RSP_ERROR;
	return BLKIF_RSP_OKAY;
}

void bb_map_range(const struct bb_vbd_config *cfg, uint64_t sector,
		  uint64_t nsect, uint64_t *lba, uint64_t *nblocks)
{
	uint64_t f = block_mask(cfg) + 1;
	unsigned int shift = f ? (unsigned int)__builtin_ctzll(f) : 0;

	*lba = (cfg->start + sector) >> shift;
	*nblocks = nsect >> shift;
}
