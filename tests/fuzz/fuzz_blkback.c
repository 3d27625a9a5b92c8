/*
 * blkback's request path against a frontend that writes anything: the
 * fuzzer's input is a script of what the frontend writes into its ring
 * and its granted pages, when it moves its producer index (sanely or
 * not), when the driver domain polls, and how the device completes its
 * ios (any order, any status, or busy). What must hold whatever the
 * script does:
 *
 * - every io lies inside the vbd's range on its namespace, and none
 *   writes or discards a read-only vbd, or discards where the vbd does
 *   not;
 * - an io's data is in the vbd's own data pages, none in use by another
 *   io, or in frontend grants mapped for the device (writable for a
 *   read) that stay mapped until it is done; its size is its blocks';
 * - grant operations name the frontend's grants and the vbd's pages
 *   only, within a page;
 * - blkback never answers more requests than it took, and each io
 *   completes once;
 * - once the ios are done and the vbd disconnected, nothing of it
 *   stays mapped and it is idle.
 *
 * AddressSanitizer and UndefinedBehaviorSanitizer watch the rest.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../blkback/include/blkback/blkback.h"
#include "fuzz.h"
#include "fuzz_grant.h"

#define GUEST	   9
#define NS_SECT	   (1u << 16)
#define NGRANTS	   16
#define GREF_BASE  8 /* the frontend's refs: GREF_BASE .. + NGRANTS - 1 */
#define NLOCAL	   72
#define LOCAL_MFN  0x5000
#define LOCAL_BUS  0x80000000ull
#define MAP_BUS	   0x40000000ull /* + grant index * page */
#define MAX_MAPS   512
#define MAX_IOS	   64
#define PAGE_BASE  3 /* the vbd's window of local pages */
#define PAGE_COUNT (1 + BB_MAX_SEGS + 4)

_Static_assert(PAGE_BASE + PAGE_COUNT <= NLOCAL, "the window fits");

static uint8_t grant_pages[NGRANTS][BB_PAGE_SIZE];
static uint8_t local_pages[NLOCAL][BB_PAGE_SIZE];
static uint8_t ring_page[XEN_PAGE_SIZE] __attribute__((aligned(4096)));

static struct {
	struct bb_vbd_config cfg;
	bool ro_grant[NGRANTS];
	struct {
		bool used, ro;
		unsigned int grant;
	} maps[MAX_MAPS];
	unsigned int nmapped;
	struct bb_io *ios[MAX_IOS]; /* at the device */
	unsigned int nios;
	int page_owner[NLOCAL]; /* ios[] using a data page + 1, or 0 */
	unsigned int busy_left, fail_left;
	RING_IDX prod; /* the frontend's own producer */
} W;

static struct bb_vbd VBD;
static struct blkif_front_ring FR;

static int grant_of(domid_t dom, grant_ref_t ref)
{
	if (dom != GUEST || ref < GREF_BASE || ref >= GREF_BASE + NGRANTS)
		return -1;
	return (int)(ref - GREF_BASE);
}

/* The frontend's grants (read-only ones not as a destination), or the
 * vbd's own pages: nothing else. */
static uint8_t *page_of(const struct gnttab_copy_ptr *p, bool gref, bool write,
			int16_t *status)
{
	if (gref) {
		int g = grant_of(p->domid, p->u.ref);

		FUZZ_CHECK(p->domid == GUEST);
		*status = GNTST_bad_gntref;
		return g >= 0 && !(write && W.ro_grant[g]) ? grant_pages[g]
							   : NULL;
	}
	FUZZ_CHECK(p->domid == DOMID_SELF);
	FUZZ_CHECK(p->u.gmfn >= LOCAL_MFN + PAGE_BASE &&
		   p->u.gmfn < LOCAL_MFN + PAGE_BASE + PAGE_COUNT);
	return local_pages[p->u.gmfn - LOCAL_MFN];
}

static long env_grant_copy(void *ctx, struct gnttab_copy *ops, unsigned int n)
{
	FUZZ_CHECK(n >= 1 && n <= BB_COPY_OPS);
	fuzz_grant_copy(page_of, ops, n);
	return 0;
}

static int16_t map_one(struct gnttab_map_grant_ref *op)
{
	bool ro = op->flags & GNTMAP_readonly;
	int g = grant_of(op->dom, op->ref);

	/* For the device only, and only the frontend's grants. */
	FUZZ_CHECK((op->flags & ~GNTMAP_readonly) == GNTMAP_device_map);
	FUZZ_CHECK(op->host_addr == 0 && op->dom == GUEST);
	if (g < 0)
		return GNTST_bad_gntref;
	if (!ro && W.ro_grant[g])
		return GNTST_permission_denied;
	for (unsigned int h = 1; h < MAX_MAPS; h++) {
		if (W.maps[h].used)
			continue;
		W.maps[h].used = true;
		W.maps[h].ro = ro;
		W.maps[h].grant = (unsigned int)g;
		W.nmapped++;
		op->handle = (grant_handle_t)h;
		op->dev_bus_addr = MAP_BUS + (uint64_t)g * BB_PAGE_SIZE;
		return GNTST_okay;
	}
	return GNTST_no_space;
}

static long env_grant_map(void *ctx, struct gnttab_map_grant_ref *ops,
			  unsigned int n)
{
	FUZZ_CHECK(n >= 1 && n <= BB_MAX_SEGS);
	for (unsigned int i = 0; i < n; i++)
		ops[i].status = map_one(&ops[i]);
	return 0;
}

static long env_grant_unmap(void *ctx, struct gnttab_unmap_grant_ref *ops,
			    unsigned int n)
{
	FUZZ_CHECK(n >= 1 && n <= BB_PERSIST_MAX);
	for (unsigned int i = 0; i < n; i++) {
		grant_handle_t h = ops[i].handle;

		/* Only what blkback mapped, once. */
		FUZZ_CHECK(h < MAX_MAPS && W.maps[h].used);
		W.maps[h].used = false;
		W.nmapped--;
		ops[i].status = GNTST_okay;
	}
	return 0;
}

static struct bb_page env_local_page(void *ctx, unsigned int i)
{
	FUZZ_CHECK(i < NLOCAL);
	return (struct bb_page){ local_pages[i], LOCAL_MFN + i,
				 LOCAL_BUS + (uint64_t)i * BB_PAGE_SIZE };
}

/* A mapped piece: a live mapping of a frontend grant, writable if write. */
static void check_bus(const struct bb_seg *sg, bool write)
{
	uint64_t g = (sg->bus - MAP_BUS) / BB_PAGE_SIZE;
	bool found = false;

	FUZZ_CHECK(sg->bus >= MAP_BUS && g < NGRANTS);
	FUZZ_CHECK(sg->len > 0 &&
		   sg->bus % BB_PAGE_SIZE + sg->len <= BB_PAGE_SIZE);
	for (unsigned int h = 1; h < MAX_MAPS && !found; h++)
		found = W.maps[h].used && W.maps[h].grant == g &&
			(!write || !W.maps[h].ro);
	FUZZ_CHECK(found);
}

static void check_data(const struct bb_io *io, uint64_t bytes, bool claim,
		       int owner)
{
	if (io->npages) {
		FUZZ_CHECK(io->npages ==
			   (bytes + BB_PAGE_SIZE - 1) / BB_PAGE_SIZE);
		for (unsigned int i = 0; i < io->npages; i++) {
			unsigned int p = io->page[i];

			/* A data page of the vbd's (not its scratch page). */
			FUZZ_CHECK(p > PAGE_BASE && p < PAGE_BASE + PAGE_COUNT);
			FUZZ_CHECK(W.page_owner[p] == (claim ? 0 : owner));
			W.page_owner[p] = claim ? owner : 0;
		}
		return;
	}
	FUZZ_CHECK(io->nsegs >= 1 && io->nsegs <= BB_MAX_SEGS);
	for (unsigned int i = 0; i < io->nsegs; i++) {
		const struct bb_seg *sg = &io->seg[i];

		check_bus(sg, io->op == BB_IO_READ);
		/* PRP-shaped, and the pieces add up to the blocks. */
		FUZZ_CHECK(i == 0 || sg->bus % BB_PAGE_SIZE == 0);
		FUZZ_CHECK(i + 1 == io->nsegs ||
			   (sg->bus + sg->len) % BB_PAGE_SIZE == 0);
		FUZZ_CHECK(sg->len <= bytes);
		bytes -= sg->len;
	}
	FUZZ_CHECK(bytes == 0);
}

/* What the device is asked to do, before it does it. */
static void check_io(const struct bb_io *io, bool claim, int owner)
{
	uint64_t f = W.cfg.block_size / BB_SECTOR_SIZE;
	uint64_t first = W.cfg.start / f, end = first + W.cfg.sectors / f;

	FUZZ_CHECK(io->nsid == W.cfg.nsid);
	if (io->op == BB_IO_FLUSH)
		return;
	FUZZ_CHECK(io->op == BB_IO_READ || io->op == BB_IO_WRITE ||
		   io->op == BB_IO_DISCARD);
	FUZZ_CHECK(io->nblocks > 0 && io->lba >= first && io->lba < end &&
		   io->nblocks <= end - io->lba);
	if (io->op != BB_IO_READ)
		FUZZ_CHECK(!W.cfg.readonly);
	if (io->op == BB_IO_DISCARD) {
		FUZZ_CHECK(W.cfg.discard);
		return;
	}
	check_data(io, io->nblocks * W.cfg.block_size, claim, owner);
}

static long env_disk_submit(void *ctx, struct bb_io *io)
{
	for (unsigned int i = 0; i < W.nios; i++)
		FUZZ_CHECK(W.ios[i] != io); /* not twice at the device */
	if (W.busy_left) {
		W.busy_left--;
		return -XEN_EBUSY;
	}
	if (W.fail_left) {
		W.fail_left--;
		return -XEN_EIO;
	}
	FUZZ_CHECK(W.nios < MAX_IOS);
	check_io(io, true, (int)W.nios + 1);
	W.ios[W.nios++] = io;
	return 0;
}

/* The device finishes ios[i]: its data was still where it said. */
static void complete(unsigned int i, int status)
{
	struct bb_io *io = W.ios[i];

	check_io(io, false, (int)i + 1);
	W.ios[i] = W.ios[--W.nios];
	/* The io that moved keeps its pages: they are its, under a new index.
	 */
	if (i < W.nios) {
		for (unsigned int p = 0; p < NLOCAL; p++)
			if (W.page_owner[p] == (int)W.nios + 1)
				W.page_owner[p] = (int)i + 1;
	}
	io->done(io, status);
}

static void env_notify(void *ctx, struct bb_vbd *vbd)
{
}

static uint64_t env_now(void *ctx)
{
	return 0;
}

static void env_log(void *ctx, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
}

static struct bb_env ENV = {
	.grant_copy = env_grant_copy,
	.grant_unmap = env_grant_unmap,
	.local_page = env_local_page,
	.disk_submit = env_disk_submit,
	.notify = env_notify,
	.now_ns = env_now,
	.log = env_log,
};

/* Responses never run ahead of the requests taken. */
static void check_ring(void)
{
	FUZZ_CHECK((int32_t)(VBD.ring.req_cons - VBD.ring.rsp_prod_pvt) >= 0);
	FUZZ_CHECK(VBD.ring.req_cons - VBD.ring.rsp_prod_pvt <= BB_RING_SLOTS);
}

static void attach(void)
{
	struct blkif_sring *sring = (struct blkif_sring *)ring_page;

	memset(ring_page, 0, sizeof(ring_page));
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&FR, sring, XEN_PAGE_SIZE);
	W.prod = 0;
	FUZZ_CHECK(bb_vbd_attach(&VBD, GUEST, sring) == 0);
}

/* The vbd, as the script's first bytes say. */
static bool setup(struct fuzz_in *in)
{
	uint8_t f = fuzz_u8(in), m = fuzz_u8(in), s = fuzz_u8(in);
	uint32_t bs = f & 2 ? 4096 : 512;
	uint64_t unit = bs / BB_SECTOR_SIZE;

	/* Nothing carried over from the last input: it replays alone. */
	memset(&W, 0, sizeof(W));
	memset(grant_pages, 0, sizeof(grant_pages));
	W.cfg = (struct bb_vbd_config){
		.nsid = 1,
		.start = (uint64_t)(s & 0x3f) * 64 * unit,
		.sectors = ((uint64_t)fuzz_u8(in) + 1) * 8 * unit,
		.ns_sectors = NS_SECT,
		.block_size = bs,
		.readonly = f & 1,
		.discard = f & 4,
		.page_base = PAGE_BASE,
		.page_count = PAGE_COUNT,
		.map_min_sectors = m & 0x7f,
		.persist_max = f & 8 ? 1u + (s >> 6) * 4 : 0,
		/* Up to 11 segments: indirect requests are not offered. */
		.indirect_segs = (m >> 7) ? 11 : 0,
	};
	ENV.grant_map = f & 16 ? env_grant_map : NULL;
	for (unsigned int g = 0; g < NGRANTS; g++)
		W.ro_grant[g] = (f & 32) && g % 5 == 4;
	if (bb_vbd_init(&VBD, &ENV, &W.cfg))
		return false; /* a config it refused: nothing more to try */
	attach();
	bb_vbd_persist(&VBD, f & 64);
	return true;
}

/* One step of the script. */
static void step(struct fuzz_in *in)
{
	uint8_t op = fuzz_u8(in);

	switch (op % 10) {
	case 0: { /* the frontend writes a request into its next slot */
		struct blkif_request r;

		fuzz_bytes(in, &r, sizeof(r));
		*RING_GET_REQUEST(&FR, W.prod) = r;
		W.prod++;
		break;
	}
	case 1: /* and publishes it */
		FR.sring->req_prod = W.prod;
		break;
	case 2: /* or any producer index */
		FR.sring->req_prod = fuzz_u32(in);
		break;
	case 3: /* or rewrites any ring byte, taken or not */
		ring_page[fuzz_u16(in) % sizeof(ring_page)] = fuzz_u8(in);
		break;
	case 4: { /* or any bytes of a granted page (indirect lists) */
		unsigned int g = fuzz_u8(in) % NGRANTS;
		unsigned int at = fuzz_u16(in) % (BB_PAGE_SIZE - 8);

		fuzz_bytes(in, &grant_pages[g][at], 8);
		break;
	}
	case 5:
		bb_vbd_poll(&VBD, fuzz_u8(in) % 40);
		break;
	case 6: /* the device finishes one io */
		if (W.nios) {
			unsigned int i = fuzz_u8(in) % W.nios;

			complete(i, fuzz_u8(in) & 1 ? 0 : -XEN_EIO);
		}
		break;
	case 7: /* the device is busy, or fails submits, for a while */
		W.busy_left = fuzz_u8(in) % 4;
		W.fail_left = fuzz_u8(in) % 3;
		break;
	case 8: /* the frontend goes away and comes back */
		bb_vbd_disconnect(&VBD, "fuzz: reconnect");
		if (!bb_vbd_busy(&VBD)) {
			FUZZ_CHECK(W.nmapped == 0);
			attach();
		}
		break;
	default: /* a well-formed one-segment request, to get further */
	{
		struct blkif_request *r = RING_GET_REQUEST(&FR, W.prod);
		uint8_t b = fuzz_u8(in);

		memset(r, 0, sizeof(*r));
		r->operation = b & 1 ? BLKIF_OP_WRITE : BLKIF_OP_READ;
		r->nr_segments = 1;
		r->id = W.prod;
		r->sector_number = fuzz_u16(in) % (W.cfg.sectors + 16);
		r->seg[0].gref = GREF_BASE + (b >> 1) % (NGRANTS + 1);
		r->seg[0].first_sect = 0;
		r->seg[0].last_sect = (uint8_t)(b >> 5);
		W.prod++;
		FR.sring->req_prod = W.prod;
		break;
	}
	}
	check_ring();
}

/* Everything finishes; the frontend leaves; nothing of it stays. */
static void drain(void)
{
	for (unsigned int round = 0; round < 64 && W.nios; round++) {
		while (W.nios)
			complete(W.nios - 1, 0);
		W.busy_left = W.fail_left = 0;
		bb_vbd_poll(&VBD, 64);
		check_ring();
	}
	bb_vbd_disconnect(&VBD, "fuzz: done");
	while (W.nios)
		complete(W.nios - 1, 0);
	bb_vbd_poll(&VBD, 64);
	FUZZ_CHECK(!bb_vbd_busy(&VBD));
	FUZZ_CHECK(W.nmapped == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	if (!setup(&in))
		return 0;
	while (in.len)
		step(&in);
	drain();
	return 0;
}
