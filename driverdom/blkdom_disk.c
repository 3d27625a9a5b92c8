/*
 * blkback's disk on a disk controller driver: each bb_io becomes one
 * blkdrv_req whose segments are either the bus addresses of the local
 * pages blkback packed the data into (every page full but the last), or
 * the pieces of the guest's frames blkback mapped for the device (bus
 * address = machine address, in our IOMMU context while mapped).
 */
#include <stddef.h>
#include <public/errno.h>
#include <xen/string.h>
#include <driverdom/blkdom.h>

/* bb_io's segments are copied into the driver's as they are. */
_Static_assert(sizeof(struct bb_seg) == sizeof(struct blkdrv_seg) &&
		   offsetof(struct bb_seg, bus) ==
		       offsetof(struct blkdrv_seg, bus) &&
		   offsetof(struct bb_seg, len) ==
		       offsetof(struct blkdrv_seg, len),
	       "struct bb_seg and struct blkdrv_seg have one layout");

static const enum blkdrv_op bd_ops[] = {
	[BB_IO_READ] = BLKDRV_READ,
	[BB_IO_WRITE] = BLKDRV_WRITE,
	[BB_IO_FLUSH] = BLKDRV_FLUSH,
	[BB_IO_DISCARD] = BLKDRV_DISCARD,
};

static void bd_slot_put(struct bd_disk *d, struct bd_slot *s)
{
	s->io = NULL;
	d->busy &= ~(1ull << (s - d->slots));
}

_Static_assert(offsetof(struct bd_slot, req) == 0, "bd_done finds its slot");

/* ctx is the disk; the request is its slot's first member. */
static void bd_done(struct blkdrv_req *req, long status)
{
	struct bd_slot *s = (struct bd_slot *)req;
	struct bb_io *io = s->io;

	bd_slot_put(req->ctx, s);
	io->done(io, status ? (int)status : 0);
}

int bd_ns_index(const struct blkdrv *bd, uint32_t nsid)
{
	for (unsigned int i = 0; i < bd->geom.nr_ns; i++)
		if (bd->geom.ns[i].id == nsid)
			return (int)i;
	return -1;
}

/* Fill s's segments from io's pages: 0, or -XEN_EINVAL. */
static long bd_segments(struct bd_disk *d, struct bd_slot *s,
			const struct bb_io *io, uint32_t block_size)
{
	uint64_t left = io->nblocks * block_size;

	if (!io->npages) {
		/*
		 * Mapped or persistent: blkback shaped them from segments it
		 * checked, as PRPs want; submit() checks them against the
		 * request's size again (blkdrv.h).
		 */
		if (!io->nsegs || io->nsegs > BB_MAX_SEGS)
			return -XEN_EINVAL;
		memcpy(s->segs, io->seg, io->nsegs * sizeof(s->segs[0]));
		return 0;
	}
	if (io->npages > BB_MAX_SEGS || left > (uint64_t)io->npages * 4096 ||
	    left <= (uint64_t)(io->npages - 1) * 4096)
		return -XEN_EINVAL;
	for (unsigned int i = 0; i < io->npages; i++) {
		struct bb_page p = d->local_page(d->ctx, io->page[i]);

		s->segs[i].bus = p.bus;
		s->segs[i].len = left < 4096 ? (uint32_t)left : 4096;
		left -= s->segs[i].len;
	}
	return 0;
}

long bd_disk_submit(struct bd_disk *d, struct bb_io *io)
{
	struct bd_slot *s;
	int ns = bd_ns_index(d->bd, io->nsid);
	long rc;

	if (ns < 0 ||
	    (unsigned int)io->op >= sizeof(bd_ops) / sizeof(bd_ops[0]))
		return -XEN_EINVAL;
	if (!~d->busy)
		return -XEN_EAGAIN;
	s = &d->slots[__builtin_ctzll(~d->busy)];
	s->req = (struct blkdrv_req){ .op = bd_ops[io->op],
				      .ns = (unsigned int)ns,
				      .lba = io->lba,
				      .blocks = (uint32_t)io->nblocks,
				      .segs = s->segs,
				      .done = bd_done,
				      .ctx = d };
	if (io->op == BB_IO_READ || io->op == BB_IO_WRITE) {
		rc = bd_segments(d, s, io, d->bd->geom.ns[ns].block_size);
		if (rc)
			return rc;
		s->req.nr_segs = io->npages ? io->npages : io->nsegs;
	}
	s->io = io;
	d->busy |= 1ull << (s - d->slots);
	/* The main loop flushes after its round (blkdrv_flush()). */
	rc = blkdrv_submit_more(d->bd, &s->req);
	if (rc)
		bd_slot_put(d, s);
	return rc;
}
