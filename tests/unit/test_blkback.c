/*
 * blkback (blkback/): the data path, GPT and target parsing, against a
 * fake environment and a frontend written here from blkif.h.
 *
 * The fake disk is one namespace in memory; ios wait in a queue until a
 * test completes them (in any order, with any status) or, in auto mode,
 * complete inside disk_submit(). Every io's blocks are checked to lie
 * inside the vbd's range, and every test can compare the whole
 * namespace with what it expects, so a request that should touch
 * nothing is seen to touch nothing. The fake grant table maps (domid,
 * ref) to guest pages, page-sized heap blocks, some read-only; the fake
 * grant copy fails an op as the hypervisor would (unknown ref, write to
 * a read-only grant, a range off the page). The fake grant map does the
 * same (and refuses a writable map of a read-only grant); its mappings
 * are device-only, at a bus address naming the grant's page, which the
 * fake disk finds its page by (live mappings only, writable ones for a
 * read), so a mapped request's data goes straight to or from the
 * guest's pages as it would by DMA.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <public/io/xs_wire.h>
#include "../../blkback/include/blkback/blkback.h"
#include "../../blkback/include/blkback/xenbus.h"
#include "../../stubdom/xenstore/xenstore.h"
#include "../../stubdom/xenstore/xs_env.h"
#include "fake_xs_env.h"

#define GUEST	   7
#define NS_SECT	   8192 /* the namespace: 4 MiB */
#define VBD_START  1024 /* the vbd: sectors [1024, 1024 + 4096) */
#define VBD_SECT   4096
#define NLOCAL	   300
#define LOCAL_MFN  0x1000
#define MAX_GRANTS 128
#define MAX_IOS	   256
#define BUDGET	   64
#define MAP_BUS	   0x40000000ull /* + grant index * page: a mapped grant */
#define MAX_MAPS   512

/* ---- The fake environment ------------------------------------------- */

struct grant {
	grant_ref_t ref;
	bool ro;
	uint8_t *page;
};

static struct {
	uint8_t *disk, *expect; /* the namespace; what it should hold */
	uint32_t bs;
	struct grant grants[MAX_GRANTS];
	unsigned int ngrants;
	uint8_t *local[NLOCAL];
	struct bb_io *ios[MAX_IOS]; /* submitted, not completed */
	unsigned int nios;
	struct bb_io log_io[MAX_IOS]; /* the first ios submitted */
	unsigned int nlog;	      /* all ios submitted */
	bool auto_complete;
	long submit_fail;
	long copy_fail;
	unsigned int copy_calls, notifies, logs, flushes;
	char last_log[256];
	char log[16384]; /* every line */
	size_t log_len;
	/* Grant maps: handle = index. */
	struct {
		bool used, ro;
		unsigned int grant; /* index in grants[] */
	} maps[MAX_MAPS];
	unsigned int nmapped; /* live mappings */
	unsigned int map_calls, unmap_calls, map_ops, unmap_ops;
	unsigned int map_room;	 /* env's room: more is -XEN_ENOSPC */
	unsigned int table_left; /* the hypervisor's: then GNTST_no_space */
	long map_fail;		 /* after map_fail_after ops, the batch fails */
	unsigned int map_fail_after;
	grant_handle_t unmap_bad; /* this handle's unmap fails (0: none) */
	RING_IDX rsp_at_unmap;	  /* answers made when the last unmap ran */
} W;

static struct bb_vbd VBD;
static struct blkif_sring *SRING;
static struct blkif_front_ring FR;

static uint8_t *grant_page(grant_ref_t ref, bool write)
{
	for (unsigned int i = 0; i < W.ngrants; i++)
		if (W.grants[i].ref == ref)
			return write && W.grants[i].ro ? NULL
						       : W.grants[i].page;
	return NULL;
}

static uint8_t *grant_new(grant_ref_t ref, bool ro)
{
	struct grant *g = &W.grants[W.ngrants++];

	assert_true(W.ngrants <= MAX_GRANTS);
	g->ref = ref;
	g->ro = ro;
	g->page = malloc(BB_PAGE_SIZE);
	assert_non_null(g->page);
	memset(g->page, 0xee, BB_PAGE_SIZE);
	return g->page;
}

static int copy_side(const struct gnttab_copy_ptr *p, bool gref, bool write,
		     uint16_t len, uint8_t **at)
{
	uint8_t *page = NULL;

	if (gref && p->domid == GUEST)
		page = grant_page(p->u.ref, write);
	else if (!gref && p->domid == DOMID_SELF && p->u.gmfn >= LOCAL_MFN &&
		 p->u.gmfn < LOCAL_MFN + NLOCAL)
		page = W.local[p->u.gmfn - LOCAL_MFN];
	if (!page)
		return gref ? GNTST_bad_gntref : GNTST_bad_page;
	if ((uint32_t)p->offset + len > BB_PAGE_SIZE)
		return GNTST_bad_copy_arg;
	*at = page + p->offset;
	return GNTST_okay;
}

static long env_grant_copy(void *ctx, struct gnttab_copy *ops, unsigned int n)
{
	W.copy_calls++;
	assert_true(n >= 1 && n <= BB_COPY_OPS);
	if (W.copy_fail)
		return W.copy_fail;
	for (unsigned int i = 0; i < n; i++) {
		struct gnttab_copy *op = &ops[i];
		uint8_t *src = NULL, *dst = NULL;

		op->status = (int16_t)copy_side(&op->source,
						op->flags & GNTCOPY_source_gref,
						false, op->len, &src);
		if (op->status == GNTST_okay)
			op->status = (int16_t)copy_side(
			    &op->dest, op->flags & GNTCOPY_dest_gref, true,
			    op->len, &dst);
		if (op->status == GNTST_okay)
			memcpy(dst, src, op->len);
	}
	return 0;
}

static int grant_index(grant_ref_t ref)
{
	for (unsigned int i = 0; i < W.ngrants; i++)
		if (W.grants[i].ref == ref)
			return (int)i;
	return -1;
}

static int16_t map_one(struct gnttab_map_grant_ref *op)
{
	bool ro = op->flags & GNTMAP_readonly;
	int g = op->dom == GUEST ? grant_index(op->ref) : -1;

	/* blkback maps for the device only. */
	assert_int_equal(op->flags & ~GNTMAP_readonly, GNTMAP_device_map);
	assert_int_equal(op->host_addr, 0);
	if (op->dom != GUEST)
		return GNTST_bad_domain;
	if (g < 0)
		return GNTST_bad_gntref;
	if (!ro && W.grants[g].ro)
		return GNTST_permission_denied;
	if (!W.table_left)
		return GNTST_no_space;
	for (unsigned int h = 1; h < MAX_MAPS; h++) {
		if (W.maps[h].used)
			continue;
		W.maps[h].used = true;
		W.maps[h].ro = ro;
		W.maps[h].grant = (unsigned int)g;
		W.nmapped++;
		W.table_left--;
		op->handle = h;
		op->dev_bus_addr = MAP_BUS + (uint64_t)g * BB_PAGE_SIZE;
		return GNTST_okay;
	}
	return GNTST_no_space;
}

static long env_grant_map(void *ctx, struct gnttab_map_grant_ref *ops,
			  unsigned int n)
{
	W.map_calls++;
	assert_true(n >= 1 && n <= BB_MAX_SEGS);
	if (W.nmapped + n > W.map_room)
		return -XEN_ENOSPC;
	for (unsigned int i = 0; i < n; i++) {
		if (W.map_fail && i == W.map_fail_after)
			return W.map_fail; /* the rest untouched */
		W.map_ops++;
		ops[i].status = map_one(&ops[i]);
	}
	return 0;
}

static long env_grant_unmap(void *ctx, struct gnttab_unmap_grant_ref *ops,
			    unsigned int n)
{
	W.unmap_calls++;
	W.rsp_at_unmap = VBD.ring.rsp_prod_pvt;
	assert_true(n >= 1 && n <= BB_MAX_SEGS);
	for (unsigned int i = 0; i < n; i++) {
		grant_handle_t h = ops[i].handle;

		W.unmap_ops++;
		assert_int_equal(ops[i].host_addr, 0);
		if (h >= MAX_MAPS || !W.maps[h].used || h == W.unmap_bad) {
			ops[i].status = GNTST_bad_handle;
			continue;
		}
		W.maps[h].used = false;
		W.nmapped--;
		W.table_left++;
		ops[i].status = GNTST_okay;
	}
	return 0;
}

/* The page a device address names: a live mapping, writable if write. */
static uint8_t *bus_page(uint64_t bus, bool write)
{
	unsigned int g = (unsigned int)((bus - MAP_BUS) / BB_PAGE_SIZE);

	assert_true(bus >= MAP_BUS && g < W.ngrants);
	for (unsigned int h = 1; h < MAX_MAPS; h++)
		if (W.maps[h].used && W.maps[h].grant == g &&
		    (!write || !W.maps[h].ro))
			return W.grants[g].page + bus % BB_PAGE_SIZE;
	fail_msg("bus address %llx is not mapped%s", (unsigned long long)bus,
		 write ? " writable" : "");
	return NULL;
}

static struct bb_page env_local_page(void *ctx, unsigned int i)
{
	assert_true(i < NLOCAL);
	return (struct bb_page){ W.local[i], LOCAL_MFN + i,
				 0x80000000ull + i * BB_PAGE_SIZE };
}

/* Carry out an io on the disk, as the device would. */
static void io_run(const struct bb_io *io)
{
	size_t at = io->lba * W.bs, bytes = io->nblocks * W.bs;

	switch (io->op) {
	case BB_IO_READ:
	case BB_IO_WRITE:
		if (!io->npages) {
			/* Mapped: as the device would take PRPs. */
			for (unsigned int i = 0; i < io->nsegs; i++) {
				const struct bb_seg *sg = &io->seg[i];
				uint8_t *p =
				    bus_page(sg->bus, io->op == BB_IO_READ);

				if (i > 0)
					assert_int_equal(sg->bus % 4096, 0);
				if (i + 1 < io->nsegs)
					assert_int_equal(
					    (sg->bus + sg->len) % 4096, 0);
				assert_true(sg->len <= bytes);
				if (io->op == BB_IO_READ)
					memcpy(p, W.disk + at, sg->len);
				else
					memcpy(W.disk + at, p, sg->len);
				at += sg->len;
				bytes -= sg->len;
			}
			assert_int_equal(bytes, 0);
			break;
		}
		assert_int_equal(io->npages,
				 (bytes + BB_PAGE_SIZE - 1) / BB_PAGE_SIZE);
		for (size_t off = 0; off < bytes; off += BB_PAGE_SIZE) {
			size_t n = bytes - off < BB_PAGE_SIZE ? bytes - off
							      : BB_PAGE_SIZE;
			uint8_t *p = W.local[io->page[off / BB_PAGE_SIZE]];

			if (io->op == BB_IO_READ)
				memcpy(p, W.disk + at + off, n);
			else
				memcpy(W.disk + at + off, p, n);
		}
		break;
	case BB_IO_DISCARD:
		memset(W.disk + at, 0, bytes);
		break;
	case BB_IO_FLUSH:
		W.flushes++;
		break;
	}
}

static long env_disk_submit(void *ctx, struct bb_io *io)
{
	uint64_t f = W.bs / BB_SECTOR_SIZE;

	if (io->op != BB_IO_FLUSH) {
		/* Never outside the vbd. */
		assert_true(io->nblocks > 0);
		assert_true(io->lba >= VBD_START / f);
		assert_true(io->lba + io->nblocks <=
			    (VBD_START + VBD_SECT) / f);
	}
	assert_int_equal(io->nsid, 1);
	if (W.nlog < MAX_IOS)
		W.log_io[W.nlog] = *io;
	W.nlog++;
	if (W.submit_fail)
		return W.submit_fail;
	if (W.auto_complete) {
		io_run(io);
		io->done(io, 0);
		return 0;
	}
	assert_true(W.nios < MAX_IOS);
	W.ios[W.nios++] = io;
	return 0;
}

/* Complete the i-th waiting io with status (run it when 0). */
static void io_complete(unsigned int i, int status)
{
	struct bb_io *io;

	assert_true(i < W.nios);
	io = W.ios[i];
	memmove(&W.ios[i], &W.ios[i + 1], (W.nios - i - 1) * sizeof(io));
	W.nios--;
	if (!status)
		io_run(io);
	io->done(io, status);
}

static void io_complete_all(void)
{
	while (W.nios)
		io_complete(0, 0);
}

static void env_notify(void *ctx, struct bb_vbd *vbd)
{
	assert_true(vbd->connected); /* never for a ring let go */
	W.notifies++;
}

static uint64_t env_now(void *ctx)
{
	return 0;
}

static void env_log(void *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(W.last_log, sizeof(W.last_log), fmt, ap);
	va_end(ap);
	W.logs++;
	if (getenv("BLKBACK_VERBOSE"))
		printf("blkback: %s", W.last_log);
	snprintf(W.log + W.log_len, sizeof(W.log) - W.log_len, "%s",
		 W.last_log);
	W.log_len += strlen(W.log + W.log_len);
}

static const struct bb_env ENV = {
	.grant_copy = env_grant_copy,
	.local_page = env_local_page,
	.disk_submit = env_disk_submit,
	.notify = env_notify,
	.now_ns = env_now,
	.log = env_log,
};

/* The same, mapping requests' grants. */
static const struct bb_env ENV_MAP = {
	.grant_copy = env_grant_copy,
	.grant_map = env_grant_map,
	.grant_unmap = env_grant_unmap,
	.local_page = env_local_page,
	.disk_submit = env_disk_submit,
	.notify = env_notify,
	.now_ns = env_now,
	.log = env_log,
};

static struct bb_vbd_config config(uint32_t bs, bool ro)
{
	return (struct bb_vbd_config){
		.nsid = 1,
		.start = VBD_START,
		.sectors = VBD_SECT,
		.ns_sectors = NS_SECT,
		.block_size = bs,
		.readonly = ro,
		.discard = true,
		.page_base = 10,
		.page_count = 128,
	};
}

/* A disk of recognisable bytes: each byte names its sector and offset. */
static void disk_fill(void)
{
	for (size_t i = 0; i < (size_t)NS_SECT * BB_SECTOR_SIZE; i++)
		W.disk[i] = (uint8_t)(i / BB_SECTOR_SIZE * 7 + i % 251);
	memcpy(W.expect, W.disk, (size_t)NS_SECT * BB_SECTOR_SIZE);
}

static void disk_unchanged(void)
{
	assert_memory_equal(W.disk, W.expect, (size_t)NS_SECT * BB_SECTOR_SIZE);
}

/* A vbd on cfg in env, attached to a fresh ring. */
static void vbd_start_in(const struct bb_vbd_config *cfg,
			 const struct bb_env *env)
{
	memset(SRING, 0, BB_PAGE_SIZE);
	SHARED_RING_INIT(SRING);
	FRONT_RING_INIT(&FR, SRING, BB_PAGE_SIZE);
	W.bs = cfg->block_size;
	assert_int_equal(bb_vbd_init(&VBD, env, cfg), 0);
	assert_int_equal(bb_vbd_attach(&VBD, GUEST, SRING), 0);
}

static void vbd_start(const struct bb_vbd_config *cfg)
{
	vbd_start_in(cfg, &ENV);
}

static int setup(void **state)
{
	struct bb_vbd_config cfg = config(512, false);

	memset(&W, 0, sizeof(W));
	W.map_room = MAX_MAPS;
	W.table_left = MAX_MAPS;
	W.disk = malloc((size_t)NS_SECT * BB_SECTOR_SIZE);
	W.expect = malloc((size_t)NS_SECT * BB_SECTOR_SIZE);
	SRING = aligned_alloc(BB_PAGE_SIZE, BB_PAGE_SIZE);
	assert_non_null(W.disk);
	assert_non_null(W.expect);
	assert_non_null(SRING);
	for (unsigned int i = 0; i < NLOCAL; i++) {
		W.local[i] = malloc(BB_PAGE_SIZE);
		assert_non_null(W.local[i]);
		memset(W.local[i], 0x5a, BB_PAGE_SIZE);
	}
	disk_fill();
	vbd_start(&cfg);
	return 0;
}

/* The same with the env that maps: every data request mapped. */
static int setup_map(void **state)
{
	struct bb_vbd_config cfg = config(512, false);

	setup(state);
	cfg.map_min_sectors = 0;
	assert_int_equal(bb_vbd_init(&VBD, &ENV_MAP, &cfg), 0);
	assert_int_equal(bb_vbd_attach(&VBD, GUEST, SRING), 0);
	return 0;
}

/*
 * Every slot is in exactly one of the vbd's state masks, the one its
 * state names (a transition that bypassed bb_req_set would leave a poll
 * blind to it, or send it there twice).
 */
static void check_state_masks(const struct bb_vbd *vbd)
{
	for (unsigned int i = 0; i < BB_RING_SLOTS; i++) {
		unsigned int in = 0;

		for (unsigned int s = 0; s < BB_REQ_STATES; s++)
			in += (vbd->in_state[s] >> i) & 1;
		assert_int_equal(in, 1);
		assert_true((vbd->in_state[vbd->req[i].state] >> i) & 1);
	}
	for (unsigned int s = 0; s < BB_REQ_STATES; s++)
		assert_int_equal(vbd->in_state[s] >> BB_RING_SLOTS, 0);
}

static int teardown(void **state)
{
	check_state_masks(&VBD);
	/* Whatever a test did, no mapping outlives it. */
	assert_int_equal(W.nmapped, 0);
	for (unsigned int i = 0; i < W.ngrants; i++)
		free(W.grants[i].page);
	for (unsigned int i = 0; i < NLOCAL; i++)
		free(W.local[i]);
	free(W.disk);
	free(W.expect);
	free(SRING);
	return 0;
}

/* ---- The frontend ----------------------------------------------------- */

static struct blkif_request *fe_next(void)
{
	struct blkif_request *r = RING_GET_REQUEST(&FR, FR.req_prod_pvt++);

	memset(r, 0, sizeof(*r));
	return r;
}

static void fe_push(void)
{
	RING_PUSH_REQUESTS(&FR);
}

static struct blkif_request_segment seg(grant_ref_t ref, uint8_t first,
					uint8_t last)
{
	return (struct blkif_request_segment){ .gref = ref,
					       .first_sect = first,
					       .last_sect = last };
}

/* A direct request with n segments. */
static void fe_rw(uint8_t op, uint64_t id, uint64_t sector, unsigned int n,
		  const struct blkif_request_segment *s)
{
	struct blkif_request *r = fe_next();

	r->operation = op;
	r->nr_segments = (uint8_t)n;
	r->id = id;
	r->sector_number = sector;
	if (n)
		memcpy(r->seg, s, n * sizeof(*s));
}

static void fe_discard(uint64_t id, uint64_t sector, uint64_t nr, uint8_t flag)
{
	struct blkif_request_discard *d = (void *)fe_next();

	d->operation = BLKIF_OP_DISCARD;
	d->flag = flag;
	d->id = id;
	d->sector_number = sector;
	d->nr_sectors = nr;
}

static void fe_indirect(uint8_t op, uint64_t id, uint64_t sector,
			uint16_t nsegs, grant_ref_t list)
{
	struct blkif_request_indirect *r = (void *)fe_next();

	r->operation = BLKIF_OP_INDIRECT;
	r->indirect_op = op;
	r->nr_segments = nsegs;
	r->id = id;
	r->sector_number = sector;
	r->indirect_grefs[0] = list;
}

struct rsp {
	uint64_t id;
	uint8_t op;
	int16_t status;
};

/* The responses so far, at most max; returns how many. */
static unsigned int fe_responses(struct rsp *out, unsigned int max)
{
	unsigned int n = 0;

	while (FR.rsp_cons != SRING->rsp_prod) {
		struct blkif_response *r = RING_GET_RESPONSE(&FR, FR.rsp_cons);

		assert_true(n < max);
		out[n++] = (struct rsp){ r->id, r->operation, r->status };
		FR.rsp_cons++;
	}
	return n;
}

/* Exactly one response: its status, checking id and op. */
static int16_t fe_one(uint64_t id, uint8_t op)
{
	struct rsp r[BB_RING_SLOTS];

	assert_int_equal(fe_responses(r, BB_RING_SLOTS), 1);
	assert_int_equal(r[0].id, id);
	assert_int_equal(r[0].op, op);
	return r[0].status;
}

/* Exactly two responses, in order: their statuses. */
static void fe_two(int16_t first, int16_t second)
{
	struct rsp r[4];

	assert_int_equal(fe_responses(r, 4), 2);
	assert_int_equal(r[0].status, first);
	assert_int_equal(r[1].status, second);
}

static uint8_t *sector_at(uint64_t vbd_sector)
{
	return W.disk + (VBD_START + vbd_sector) * BB_SECTOR_SIZE;
}

/* ---- Configuration and range mapping ---------------------------------- */

static void test_config_check(void **state)
{
	struct bb_vbd_config c;
	const char *why;

	c = config(512, false);
	assert_int_equal(bb_config_check(&c, &why), 0);
	c = config(1024, false);
	assert_int_equal(bb_config_check(&c, &why), 0);
	c.block_size = 768;
	assert_int_equal(bb_config_check(&c, &why), -XEN_EINVAL);
	c.block_size = 8192;
	assert_int_equal(bb_config_check(&c, &why), -XEN_EINVAL);
	c = config(4096, false);
	c.start = VBD_START + 1; /* not on a 4 KiB block */
	assert_int_equal(bb_config_check(&c, &why), -XEN_EINVAL);
	c = config(4096, false);
	c.sectors = 12;
	assert_int_equal(bb_config_check(&c, &why), -XEN_EINVAL);
	c = config(512, false);
	c.sectors = NS_SECT - VBD_START + 1; /* past the namespace */
	assert_int_equal(bb_config_check(&c, &why), -XEN_EINVAL);
	c.start = UINT64_MAX - 8;
	c.sectors = 16; /* wraps */
	assert_int_equal(bb_config_check(&c, &why), -XEN_EINVAL);
	c = config(512, false);
	c.sectors = 0;
	assert_int_equal(bb_config_check(&c, &why), -XEN_EINVAL);
	c = config(512, false);
	c.page_count = BB_VBD_PAGES_MIN - 1;
	assert_int_equal(bb_config_check(&c, &why), -XEN_EINVAL);
	c.page_count = BB_VBD_PAGES_MAX + 1;
	assert_int_equal(bb_config_check(&c, &why), -XEN_EINVAL);
	c = config(512, false);
	c.page_base = 65536 - 100; /* indices must fit 16 bits */
	assert_int_equal(bb_config_check(&c, &why), -XEN_EINVAL);
	assert_int_equal(bb_vbd_init(&VBD, &ENV, &c), -XEN_EINVAL);
}

static void test_map_range(void **state)
{
	struct bb_vbd_config c = config(512, false);
	uint64_t lba, n;

	bb_map_range(&c, 0, 8, &lba, &n);
	assert_int_equal(lba, VBD_START);
	assert_int_equal(n, 8);
	bb_map_range(&c, 100, 3, &lba, &n);
	assert_int_equal(lba, VBD_START + 100);
	assert_int_equal(n, 3);
	c = config(4096, false);
	bb_map_range(&c, 16, 24, &lba, &n);
	assert_int_equal(lba, (VBD_START + 16) / 8);
	assert_int_equal(n, 3);
}

/* ---- Reads and writes ------------------------------------------------- */

static void test_read(void **state)
{
	struct blkif_request_segment s[3] = { seg(100, 0, 7), seg(101, 2, 4),
					      seg(102, 7, 7) };
	uint8_t *p0 = grant_new(100, false), *p1 = grant_new(101, false),
		*p2 = grant_new(102, false);

	fe_rw(BLKIF_OP_READ, 0x1234567890ull, 40, 3, s);
	fe_push();
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 1);
	/* Not answered before the device is done. */
	assert_int_equal(SRING->rsp_prod, 0);
	assert_int_equal(W.nios, 1);
	assert_int_equal(W.ios[0]->op, BB_IO_READ);
	assert_int_equal(W.ios[0]->lba, VBD_START + 40);
	assert_int_equal(W.ios[0]->nblocks, 12);
	assert_int_equal(W.ios[0]->npages, 2); /* packed: 6 KiB */
	io_complete(0, 0);
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 0);
	assert_int_equal(fe_one(0x1234567890ull, BLKIF_OP_READ),
			 BLKIF_RSP_OKAY);
	assert_memory_equal(p0, sector_at(40), 8 * 512);
	assert_memory_equal(p1 + 2 * 512, sector_at(48), 3 * 512);
	assert_memory_equal(p2 + 7 * 512, sector_at(51), 512);
	/* Sectors of the page not named are the guest's, untouched. */
	assert_int_equal(p1[0], 0xee);
	assert_int_equal(p1[5 * 512], 0xee);
	assert_int_equal(p2[0], 0xee);
	assert_true(W.notifies > 0);
	assert_int_equal(VBD.stats.reads, 1);
	assert_int_equal(VBD.stats.read_sectors, 12);
	disk_unchanged();
}

static void test_write(void **state)
{
	struct blkif_request_segment s[2] = { seg(200, 1, 3), seg(201, 0, 7) };
	uint8_t *p0 = grant_new(200, true), *p1 = grant_new(201, true);

	for (unsigned int i = 0; i < BB_PAGE_SIZE; i++) {
		p0[i] = (uint8_t)(i * 3);
		p1[i] = (uint8_t)(i * 5 + 1);
	}
	fe_rw(BLKIF_OP_WRITE, 9, VBD_SECT - 11, 2, s);
	fe_push();
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 1);
	assert_int_equal(W.nios, 1);
	assert_int_equal(W.ios[0]->op, BB_IO_WRITE);
	/* Not written yet: not answered yet. */
	disk_unchanged();
	assert_int_equal(SRING->rsp_prod, 0);
	io_complete(0, 0);
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(9, BLKIF_OP_WRITE), BLKIF_RSP_OKAY);
	memcpy(W.expect + (VBD_START + VBD_SECT - 11) * 512, p0 + 512, 3 * 512);
	memcpy(W.expect + (VBD_START + VBD_SECT - 8) * 512, p1, 8 * 512);
	disk_unchanged();
	assert_int_equal(VBD.stats.written_sectors, 11);
}

/* A failing device: the request is answered an error, never dropped. */
static void test_device_error(void **state)
{
	struct blkif_request_segment s = seg(300, 0, 0);

	grant_new(300, false);
	fe_rw(BLKIF_OP_READ, 1, 0, 1, &s);
	fe_rw(BLKIF_OP_WRITE, 2, 0, 1, &s);
	fe_push();
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 2);
	io_complete(1, -XEN_EIO);
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(2, BLKIF_OP_WRITE), BLKIF_RSP_ERROR);
	io_complete(0, -XEN_EIO);
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(1, BLKIF_OP_READ), BLKIF_RSP_ERROR);
	disk_unchanged();
	/* A submit the env refuses outright. */
	W.submit_fail = -XEN_ENOMEM;
	fe_rw(BLKIF_OP_READ, 3, 0, 1, &s);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(3, BLKIF_OP_READ), BLKIF_RSP_ERROR);
	assert_false(bb_vbd_busy(&VBD));
	assert_int_equal(VBD.free_pages, 127);
}

/* Completions in another order than submissions: each its own answer. */
static void test_out_of_order(void **state)
{
	uint8_t *p[4];
	struct rsp r[8];

	for (unsigned int i = 0; i < 4; i++) {
		struct blkif_request_segment s = seg(400 + i, 0, 7);

		p[i] = grant_new(400 + i, false);
		fe_rw(BLKIF_OP_READ, 1000 + i, 8 * (i * 5), 1, &s);
	}
	fe_push();
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 4);
	assert_int_equal(W.nios, 4);
	io_complete(3, 0);
	io_complete(1, 0);
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_responses(r, 8), 2);
	assert_int_equal(r[0].id, 1001);
	assert_int_equal(r[1].id, 1003);
	io_complete(1, 0);
	io_complete(0, 0);
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_responses(r, 8), 2);
	assert_int_equal(r[0].id, 1000);
	assert_int_equal(r[1].id, 1002);
	for (unsigned int i = 0; i < 4; i++)
		assert_memory_equal(p[i], sector_at(8 * (i * 5)), 4096);
	assert_false(bb_vbd_busy(&VBD));
}

/* ---- Requests that must be refused ------------------------------------ */

struct bad_case {
	const char *what;
	uint8_t op, nsegs;
	uint64_t sector;
	uint8_t first, last;
	int16_t status;
};

/* Each answered status, with no io at all and the disk as it was. */
static void test_bad_requests(void **state)
{
	static const struct bad_case cases[] = {
		{ "no segments", BLKIF_OP_READ, 0, 0, 0, 7, BLKIF_RSP_ERROR },
		{ "12 segments", BLKIF_OP_READ, 12, 0, 0, 0, BLKIF_RSP_ERROR },
		{ "255 segments", BLKIF_OP_WRITE, 255, 0, 0, 0,
		  BLKIF_RSP_ERROR },
		{ "first > last", BLKIF_OP_READ, 1, 0, 5, 4, BLKIF_RSP_ERROR },
		{ "last 8", BLKIF_OP_WRITE, 1, 0, 0, 8, BLKIF_RSP_ERROR },
		{ "first 8", BLKIF_OP_READ, 1, 0, 8, 8, BLKIF_RSP_ERROR },
		{ "past the end", BLKIF_OP_WRITE, 1, VBD_SECT - 7, 0, 7,
		  BLKIF_RSP_ERROR },
		{ "at the end", BLKIF_OP_READ, 1, VBD_SECT, 0, 0,
		  BLKIF_RSP_ERROR },
		{ "wraps", BLKIF_OP_WRITE, 2, UINT64_MAX - 3, 0, 7,
		  BLKIF_RSP_ERROR },
		{ "huge sector", BLKIF_OP_READ, 1, UINT64_MAX, 0, 0,
		  BLKIF_RSP_ERROR },
		{ "flush past the end", BLKIF_OP_FLUSH_DISKCACHE, 1,
		  VBD_SECT - 1, 0, 1, BLKIF_RSP_ERROR },
		{ "reserved op", BLKIF_OP_RESERVED_1, 1, 0, 0, 0,
		  BLKIF_RSP_EOPNOTSUPP },
		{ "op 7", 7, 1, 0, 0, 0, BLKIF_RSP_EOPNOTSUPP },
		{ "op 255", 255, 1, 0, 0, 0, BLKIF_RSP_EOPNOTSUPP },
	};
	struct blkif_request_segment s[BLKIF_MAX_SEGMENTS_PER_REQUEST];

	grant_new(500, false);
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		struct blkif_request *r = fe_next();

		for (unsigned int k = 0; k < BLKIF_MAX_SEGMENTS_PER_REQUEST;
		     k++)
			s[k] = seg(500, c->first, c->last);
		r->operation = c->op;
		r->nr_segments = c->nsegs;
		r->id = 77 + i;
		r->sector_number = c->sector;
		memcpy(r->seg, s, sizeof(s));
		fe_push();
		assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 1);
		print_message("%s\n", c->what);
		assert_int_equal(fe_one(77 + i, c->op), c->status);
		assert_int_equal(W.nlog, 0);
		assert_int_equal(W.copy_calls, 0);
	}
	disk_unchanged();
	assert_true(VBD.connected);
	assert_false(bb_vbd_busy(&VBD));
}

static void test_readonly(void **state)
{
	struct bb_vbd_config cfg = config(512, true);
	struct blkif_request_segment s = seg(600, 0, 7);
	uint8_t *p = grant_new(600, false);

	vbd_start(&cfg);
	fe_rw(BLKIF_OP_WRITE, 1, 0, 1, &s);
	fe_rw(BLKIF_OP_FLUSH_DISKCACHE, 2, 0, 1, &s); /* a write too */
	fe_discard(3, 0, 8, 0);
	fe_rw(BLKIF_OP_READ, 4, 0, 1, &s);
	fe_push();
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 4);
	{
		struct rsp r[4];

		assert_int_equal(fe_responses(r, 4), 3);
		assert_int_equal(r[0].status, BLKIF_RSP_ERROR);
		assert_int_equal(r[1].status, BLKIF_RSP_ERROR);
		assert_int_equal(r[2].status, BLKIF_RSP_ERROR);
	}
	/* Only the read went to the device. */
	assert_int_equal(W.nlog, 1);
	assert_int_equal(W.log_io[0].op, BB_IO_READ);
	io_complete(0, 0);
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(4, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	assert_memory_equal(p, sector_at(0), 4096);
	disk_unchanged();
}

/* A 4 KiB-block device: requests must fall on whole blocks. */
static void test_block_alignment(void **state)
{
	struct bb_vbd_config cfg = config(4096, false);
	struct blkif_request_segment half[2] = { seg(700, 4, 7),
						 seg(701, 0, 3) };
	struct blkif_request_segment s = seg(700, 0, 3);

	vbd_start(&cfg);
	grant_new(700, false);
	grant_new(701, false);
	fe_rw(BLKIF_OP_READ, 1, 4, 1, &s);   /* 4 sectors at 4: no */
	fe_rw(BLKIF_OP_READ, 2, 8, 1, &s);   /* 4 sectors at 8: no */
	fe_discard(3, 8, 4, 0);		     /* no */
	fe_rw(BLKIF_OP_READ, 4, 8, 2, half); /* 8 from two halves: yes */
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	{
		struct rsp r[4];

		assert_int_equal(fe_responses(r, 4), 3);
		for (unsigned int i = 0; i < 3; i++)
			assert_int_equal(r[i].status, BLKIF_RSP_ERROR);
	}
	assert_int_equal(W.nios, 1);
	assert_int_equal(W.ios[0]->lba, (VBD_START + 8) / 8);
	assert_int_equal(W.ios[0]->nblocks, 1);
	io_complete(0, 0);
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(4, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	assert_memory_equal(grant_page(700, false) + 2048, sector_at(8), 2048);
	assert_memory_equal(grant_page(701, false), sector_at(12), 2048);
}

/* ---- Grant copies that fail ------------------------------------------- */

static void test_grant_failures(void **state)
{
	struct blkif_request_segment bad = seg(999, 0, 7); /* no such grant */
	struct blkif_request_segment ro = seg(801, 0, 7);
	struct blkif_request_segment good[2] = { seg(800, 0, 7),
						 seg(999, 0, 0) };

	grant_new(800, false);
	grant_new(801, true);
	/* A write whose data cannot be copied in: never submitted. */
	fe_rw(BLKIF_OP_WRITE, 1, 0, 1, &bad);
	fe_rw(BLKIF_OP_WRITE, 2, 0, 2, good);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	fe_two(BLKIF_RSP_ERROR, BLKIF_RSP_ERROR);
	assert_int_equal(W.nlog, 0);
	/* A read into a read-only grant: read, then the copy out fails. */
	fe_rw(BLKIF_OP_READ, 3, 0, 1, &ro);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	io_complete_all();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(3, BLKIF_OP_READ), BLKIF_RSP_ERROR);
	/* The whole batch refused. */
	W.copy_fail = -XEN_EFAULT;
	fe_rw(BLKIF_OP_WRITE, 4, 0, 1, good);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(4, BLKIF_OP_WRITE), BLKIF_RSP_ERROR);
	W.copy_fail = 0;
	assert_true(VBD.connected);
	assert_false(bb_vbd_busy(&VBD));
	assert_int_equal(VBD.free_pages, 127);
	disk_unchanged();
}

/* ---- Flushes, barriers, discards -------------------------------------- */

static void test_flush(void **state)
{
	struct blkif_request_segment s = seg(900, 0, 7);
	uint8_t *p = grant_new(900, true);

	memset(p, 0x42, BB_PAGE_SIZE);
	fe_rw(BLKIF_OP_FLUSH_DISKCACHE, 1, 0, 0, NULL);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.nios, 1);
	assert_int_equal(W.ios[0]->op, BB_IO_FLUSH);
	assert_int_equal(SRING->rsp_prod, 0); /* only once flushed */
	io_complete(0, 0);
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(1, BLKIF_OP_FLUSH_DISKCACHE), BLKIF_RSP_OKAY);
	assert_int_equal(W.flushes, 1);

	/* With data (a FUA write): flush, write, flush, then the answer. */
	fe_rw(BLKIF_OP_FLUSH_DISKCACHE, 2, 16, 1, &s);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	for (unsigned int i = 0; i < 3; i++) {
		static const enum bb_io_op order[] = { BB_IO_FLUSH, BB_IO_WRITE,
						       BB_IO_FLUSH };

		assert_int_equal(W.nios, 1);
		assert_int_equal(W.ios[0]->op, order[i]);
		assert_int_equal(SRING->rsp_prod, 1);
		io_complete(0, 0);
		bb_vbd_poll(&VBD, BUDGET);
	}
	assert_int_equal(fe_one(2, BLKIF_OP_FLUSH_DISKCACHE), BLKIF_RSP_OKAY);
	memset(W.expect + (VBD_START + 16) * 512, 0x42, 4096);
	disk_unchanged();

	/* A failed flush is an error, and stops the steps after it. */
	fe_rw(BLKIF_OP_FLUSH_DISKCACHE, 3, 16, 1, &s);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	io_complete(0, -XEN_EIO);
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.nios, 0);
	assert_int_equal(fe_one(3, BLKIF_OP_FLUSH_DISKCACHE), BLKIF_RSP_ERROR);
}

/* A barrier starts after every earlier request and holds later ones. */
static void test_barrier(void **state)
{
	struct blkif_request_segment s = seg(910, 0, 7);
	struct rsp r[8];

	grant_new(910, false);
	fe_rw(BLKIF_OP_WRITE, 1, 0, 1, &s);
	fe_rw(BLKIF_OP_WRITE, 2, 8, 1, &s);
	fe_rw(BLKIF_OP_WRITE_BARRIER, 3, 0, 0, NULL);
	fe_rw(BLKIF_OP_READ, 4, 0, 1, &s);
	fe_push();
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 3);
	assert_int_equal(W.nios, 2); /* the barrier waits */
	io_complete(1, 0);
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.nios, 1);
	assert_int_equal(W.ios[0]->op, BB_IO_WRITE);
	io_complete(0, 0);
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 0);
	assert_int_equal(W.nios, 1);
	assert_int_equal(W.ios[0]->op, BB_IO_FLUSH);
	assert_int_equal(fe_responses(r, 8), 2);
	io_complete(0, 0);
	/* Answered; then the read behind it is taken. */
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 1);
	assert_int_equal(fe_one(3, BLKIF_OP_WRITE_BARRIER), BLKIF_RSP_OKAY);
	assert_int_equal(W.nios, 1);
	assert_int_equal(W.ios[0]->op, BB_IO_READ);
	io_complete(0, 0);
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(4, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	assert_int_equal(VBD.stats.barriers, 1);
}

static void test_discard(void **state)
{
	struct bb_vbd_config cfg = config(512, false);

	fe_discard(1, 100, 50, 0);
	fe_discard(2, VBD_SECT - 10, 11, 0);	   /* past the end */
	fe_discard(3, 5, UINT64_MAX - 2, 0);	   /* wraps */
	fe_discard(4, 0, 0, 0);			   /* nothing */
	fe_discard(5, 0, 8, BLKIF_DISCARD_SECURE); /* not offered */
	fe_push();
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 5);
	{
		static const int16_t want[] = { BLKIF_RSP_ERROR,
						BLKIF_RSP_ERROR,
						BLKIF_RSP_ERROR,
						BLKIF_RSP_EOPNOTSUPP };
		struct rsp r[8];

		assert_int_equal(fe_responses(r, 8), 4);
		for (unsigned int i = 0; i < 4; i++) {
			assert_int_equal(r[i].id, 2 + i);
			assert_int_equal(r[i].op, BLKIF_OP_DISCARD);
			assert_int_equal(r[i].status, want[i]);
		}
	}
	assert_int_equal(W.nios, 1);
	assert_int_equal(W.ios[0]->op, BB_IO_DISCARD);
	assert_int_equal(W.ios[0]->lba, VBD_START + 100);
	assert_int_equal(W.ios[0]->nblocks, 50);
	io_complete(0, 0);
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(1, BLKIF_OP_DISCARD), BLKIF_RSP_OKAY);
	memset(W.expect + (VBD_START + 100) * 512, 0, 50 * 512);
	disk_unchanged();

	/* A device that does not discard: not supported. */
	cfg.discard = false;
	vbd_start(&cfg);
	fe_discard(6, 0, 8, 0);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(6, BLKIF_OP_DISCARD), BLKIF_RSP_EOPNOTSUPP);
	assert_int_equal(W.nlog, 1);
}

/* ---- Indirect requests ------------------------------------------------ */

/* An indirect list at ref list: n segments, each sectors 0..7 of ref
 * 1100 + i, except bad_at (first 3, last 9) when below n. */
static void indirect_list(grant_ref_t list, unsigned int n, unsigned int bad_at)
{
	struct blkif_request_segment *l = (void *)grant_new(list, false);

	for (unsigned int i = 0; i < n; i++) {
		l[i] = seg(1100 + i, 0, 7);
		if (i == bad_at)
			l[i] = seg(1100 + i, 3, 9);
	}
}

static void test_indirect(void **state)
{
	uint8_t *p[BB_MAX_INDIRECT_SEGS];

	for (unsigned int i = 0; i < BB_MAX_INDIRECT_SEGS; i++) {
		p[i] = grant_new(1100 + i, false);
		memset(p[i], (int)i + 1, BB_PAGE_SIZE);
	}
	indirect_list(1000, BB_MAX_INDIRECT_SEGS, ~0u);
	/* The whole list written, then read back into the same pages. */
	fe_indirect(BLKIF_OP_WRITE, 1, 256, BB_MAX_INDIRECT_SEGS, 1000);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.nios, 1);
	assert_int_equal(W.ios[0]->nblocks, 8 * BB_MAX_INDIRECT_SEGS);
	assert_int_equal(W.ios[0]->npages, BB_MAX_INDIRECT_SEGS);
	io_complete(0, 0);
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(1, BLKIF_OP_WRITE), BLKIF_RSP_OKAY);
	for (unsigned int i = 0; i < BB_MAX_INDIRECT_SEGS; i++) {
		memset(W.expect + (VBD_START + 256 + 8 * i) * 512, (int)i + 1,
		       4096);
		memset(p[i], 0, BB_PAGE_SIZE);
	}
	disk_unchanged();
	fe_indirect(BLKIF_OP_READ, 2, 256, 20, 1000);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	io_complete_all();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(2, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	for (unsigned int i = 0; i < 20; i++)
		assert_memory_equal(p[i], sector_at(256 + 8 * i), 4096);
	assert_int_equal(p[20][0], 0); /* not in the request */
}

static void test_indirect_bad(void **state)
{
	struct rsp r[8];

	indirect_list(1000, 8, 5); /* segment 5 is bad */
	indirect_list(1001, 8, ~0u);
	for (unsigned int i = 0; i < 8; i++)
		grant_new(1100 + i, false);
	fe_indirect(BLKIF_OP_READ, 1, 0, 8, 1000);
	fe_indirect(BLKIF_OP_READ, 2, 0, BB_MAX_INDIRECT_SEGS + 1, 1001);
	fe_indirect(BLKIF_OP_READ, 3, 0, 0, 1001);
	fe_indirect(BLKIF_OP_FLUSH_DISKCACHE, 4, 0, 8, 1001);
	fe_indirect(BLKIF_OP_READ, 5, 0, 8, 1999); /* no such list */
	fe_indirect(BLKIF_OP_WRITE, 6, VBD_SECT - 56, 8, 1001); /* past end */
	fe_push();
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 6);
	assert_int_equal(fe_responses(r, 8), 6);
	for (unsigned int i = 0; i < 6; i++) {
		assert_int_equal(r[i].id, i + 1);
		assert_int_equal(r[i].status, BLKIF_RSP_ERROR);
	}
	assert_int_equal(W.nlog, 0);
	disk_unchanged();
}

/*
 * A vbd whose device moves fewer pages at once offers and takes that
 * many: one more is refused, that many is one io; up to 11 offers none.
 */
static void test_indirect_limit(void **state)
{
	struct bb_vbd_config cfg = config(512, false);
	const char *why;

	cfg.indirect_segs = 16;
	vbd_start(&cfg);
	indirect_list(1000, 17, ~0u);
	for (unsigned int i = 0; i < 17; i++)
		grant_new(1100 + i, false);
	fe_indirect(BLKIF_OP_READ, 1, 0, 17, 1000);
	fe_indirect(BLKIF_OP_READ, 2, 0, 16, 1000);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.nlog, 1);
	assert_int_equal(W.ios[0]->npages, 16);
	io_complete_all();
	bb_vbd_poll(&VBD, BUDGET);
	fe_two(BLKIF_RSP_ERROR, BLKIF_RSP_OKAY);
	assert_int_equal(bb_indirect_segs(&cfg), 16);
	cfg.indirect_segs = BLKIF_MAX_SEGMENTS_PER_REQUEST;
	assert_int_equal(bb_indirect_segs(&cfg), 0);
	cfg.indirect_segs = 0;
	assert_int_equal(bb_indirect_segs(&cfg), BB_MAX_INDIRECT_SEGS);
	cfg.indirect_segs = BB_MAX_INDIRECT_SEGS + 1;
	assert_int_equal(bb_indirect_segs(&cfg), BB_MAX_INDIRECT_SEGS);
	assert_int_equal(bb_config_check(&cfg, &why), 0);
}

/* ---- Backpressure, hostile indices, floods, disconnects --------------- */

/* 11-page requests on 64 data pages: five fit, the rest wait, none lost. */
static void test_backpressure(void **state)
{
	struct bb_vbd_config cfg = config(512, false);
	struct blkif_request_segment s[BLKIF_MAX_SEGMENTS_PER_REQUEST];
	struct rsp r[8];
	unsigned int answered = 0;

	cfg.page_count = BB_VBD_PAGES_MIN;
	vbd_start(&cfg);
	for (unsigned int k = 0; k < BLKIF_MAX_SEGMENTS_PER_REQUEST; k++) {
		s[k] = seg(1200 + k, 0, 7);
		grant_new(1200 + k, false);
	}
	for (unsigned int i = 0; i < 8; i++)
		fe_rw(BLKIF_OP_READ, i, 88 * i, BLKIF_MAX_SEGMENTS_PER_REQUEST,
		      s);
	fe_push();
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 5);
	assert_int_equal(VBD.ring.req_cons, 5);
	assert_int_equal(VBD.stats.stalls, 1);
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 0); /* still no pages */
	assert_int_equal(W.nios, 5);
	io_complete(1, 0);
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 1);
	answered += fe_responses(r, 8);
	while (W.nios) {
		io_complete(0, 0);
		bb_vbd_poll(&VBD, BUDGET);
		answered += fe_responses(r, 8);
	}
	assert_int_equal(answered, 8);
	assert_int_equal(VBD.free_pages, BB_VBD_PAGES_MIN - 1);
}

static void test_hostile_prod(void **state)
{
	struct blkif_request_segment s = seg(1300, 0, 7);

	grant_new(1300, false);
	fe_rw(BLKIF_OP_READ, 1, 0, 1, &s);
	SRING->req_prod = BB_RING_SLOTS + 1; /* more than the ring holds */
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 0);
	assert_false(VBD.connected);
	assert_int_equal(W.logs, 1);
	assert_non_null(strstr(W.last_log, "producer index"));
	assert_int_equal(W.nlog, 0);
	assert_int_equal(SRING->rsp_prod, 0);
	/* Disconnected for good: nothing more, no second line. */
	SRING->req_prod = 1;
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 0);
	assert_int_equal(W.logs, 1);
	assert_int_equal(W.nlog, 0);
}

/* An index moved back below what was taken. */
static void test_hostile_prod_back(void **state)
{
	struct blkif_request_segment s = seg(1300, 0, 7);

	grant_new(1300, false);
	for (unsigned int i = 0; i < 4; i++)
		fe_rw(BLKIF_OP_READ, i, 0, 1, &s);
	fe_push();
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 4);
	SRING->req_prod = 2;
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 0);
	assert_false(VBD.connected);
	/* The ios at the device finish unanswered, their pages freed. */
	assert_true(bb_vbd_busy(&VBD));
	io_complete_all();
	bb_vbd_poll(&VBD, BUDGET);
	assert_false(bb_vbd_busy(&VBD));
	assert_int_equal(SRING->rsp_prod, 0);
	assert_int_equal(VBD.free_pages, 127);
}

/*
 * An answer made before the frontend broke its index stands: a read
 * whose io finished is answered by the poll that finds the index bad,
 * published with the disconnect, not left in our copy of the index.
 */
static void test_hostile_prod_after_answer(void **state)
{
	struct blkif_request_segment s = seg(1300, 0, 7);
	struct rsp r[4];

	grant_new(1300, false);
	fe_rw(BLKIF_OP_READ, 1, 0, 1, &s);
	fe_push();
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 1);
	io_complete_all(); /* finished: answered at the next poll */
	SRING->req_prod = FR.req_prod_pvt + 1000;
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 0);
	assert_false(VBD.connected);
	assert_int_equal(VBD.stats.reads, 1);
	assert_int_equal(fe_responses(r, 4), 1);
	assert_int_equal(r[0].id, 1);
	assert_int_equal(r[0].status, BLKIF_RSP_OKAY);
}

/* A frontend that keeps the ring full: each poll keeps to its budget. */
static void test_flood(void **state)
{
	struct blkif_request_segment s = seg(1400, 0, 0);
	unsigned int sent = 0, answered = 0;
	struct rsp r[BB_RING_SLOTS];

	grant_new(1400, false);
	W.auto_complete = true;
	for (unsigned int round = 0; round < 200; round++) {
		unsigned int n;

		while (!RING_FULL(&FR)) {
			fe_rw(sent % 3 ? BLKIF_OP_READ : 9, sent, sent % 64, 1,
			      &s);
			sent++;
		}
		fe_push();
		n = bb_vbd_poll(&VBD, 5);
		assert_true(n <= 5);
		answered += fe_responses(r, BB_RING_SLOTS);
	}
	while (bb_vbd_poll(&VBD, 5))
		answered += fe_responses(r, BB_RING_SLOTS);
	answered += fe_responses(r, BB_RING_SLOTS);
	assert_int_equal(answered, sent);
	assert_true(VBD.connected);
	assert_int_equal(VBD.stats.unsupported, sent / 3 + (sent % 3 != 0));
}

/* The frontend goes with ios at the device; a new one attaches after. */
static void test_disconnect_reattach(void **state)
{
	struct blkif_request_segment s = seg(1500, 0, 7);

	grant_new(1500, false);
	fe_rw(BLKIF_OP_WRITE, 1, 0, 1, &s);
	fe_rw(BLKIF_OP_WRITE_BARRIER, 2, 8, 1, &s);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	bb_vbd_disconnect(&VBD, "frontend closed");
	bb_vbd_disconnect(&VBD, "again");
	assert_int_equal(W.logs, 1);
	assert_string_equal(VBD.stats.disconnect_reason, "frontend closed");
	assert_int_equal(bb_vbd_attach(&VBD, GUEST, SRING), -XEN_EBUSY);
	io_complete_all();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(SRING->rsp_prod, 0);
	assert_false(bb_vbd_busy(&VBD));
	assert_int_equal(VBD.free_pages, 127);
	/* The barrier never started: one write only. */
	assert_int_equal(W.nlog, 1);

	memset(SRING, 0, BB_PAGE_SIZE);
	SHARED_RING_INIT(SRING);
	FRONT_RING_INIT(&FR, SRING, BB_PAGE_SIZE);
	assert_int_equal(bb_vbd_attach(&VBD, GUEST, SRING), 0);
	assert_int_equal(bb_vbd_attach(&VBD, GUEST, SRING), -XEN_EISCONN);
	fe_rw(BLKIF_OP_READ, 3, 0, 1, &s);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	io_complete_all();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(3, BLKIF_OP_READ), BLKIF_RSP_OKAY);
}

/*
 * A request of several steps (flush, write, flush) whose first was at the
 * device when the frontend left: the rest never go there.
 */
static void test_disconnect_mid_steps(void **state)
{
	struct blkif_request_segment s = seg(1510, 0, 7);

	grant_new(1510, false);
	fe_rw(BLKIF_OP_FLUSH_DISKCACHE, 1, 16, 1, &s);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.nios, 1);
	assert_int_equal(W.ios[0]->op, BB_IO_FLUSH);
	bb_vbd_disconnect(&VBD, "frontend closed");
	io_complete(0, 0);
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.nlog, 1); /* the first flush only */
	assert_int_equal(W.nios, 0);
	assert_false(bb_vbd_busy(&VBD));
	assert_int_equal(VBD.free_pages, 127);
	assert_int_equal(SRING->rsp_prod, 0);
	disk_unchanged();
}

/* A device with a full queue: the io waits for the next poll. */
static void test_device_busy(void **state)
{
	struct blkif_request_segment s = seg(1700, 0, 7);

	grant_new(1700, false);
	W.submit_fail = -XEN_EBUSY;
	fe_rw(BLKIF_OP_READ, 1, 0, 1, &s);
	fe_rw(BLKIF_OP_FLUSH_DISKCACHE, 2, 8, 1, &s);
	fe_push();
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 2);
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 0);
	assert_int_equal(SRING->rsp_prod, 0); /* not failed, not lost */
	assert_int_equal(VBD.stats.busy, 4);
	W.submit_fail = 0;
	W.auto_complete = true;
	bb_vbd_poll(&VBD, BUDGET);
	fe_two(BLKIF_RSP_OKAY, BLKIF_RSP_OKAY);
	/* Busy again, then the frontend goes: nothing stays taken. */
	W.submit_fail = -XEN_EAGAIN;
	fe_rw(BLKIF_OP_WRITE, 3, 8, 1, &s);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_true(bb_vbd_busy(&VBD));
	bb_vbd_disconnect(&VBD, "gone");
	assert_false(bb_vbd_busy(&VBD));
	assert_int_equal(VBD.free_pages, 127);
}

/* An io that finishes inside disk_submit(): answered in the same poll. */
static void test_sync_completion(void **state)
{
	struct blkif_request_segment s = seg(1600, 0, 7);

	grant_new(1600, false);
	W.auto_complete = true;
	fe_rw(BLKIF_OP_FLUSH_DISKCACHE, 1, 0, 1, &s);
	fe_rw(BLKIF_OP_READ, 2, 0, 1, &s);
	fe_push();
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 2);
	fe_two(BLKIF_RSP_OKAY, BLKIF_RSP_OKAY);
	assert_int_equal(W.nlog, 4);
	assert_false(bb_vbd_busy(&VBD));
}

/* ---- GPT -------------------------------------------------------------- */

static uint8_t GPT[BB_GPT_BYTES];

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static const char *GUID2 = "0fc63daf-8483-4772-8e79-3d69d8477de4";

static void gpt_entry(uint8_t *e, unsigned int i, uint64_t first, uint64_t last,
		      const char *name)
{
	memset(e, 0, 128);
	e[0] = 0xaf; /* a type */
	e[1] = 0x3d;
	memset(e + 16, (int)(0x10 + i), 16); /* a unique GUID */
	put64(e + 32, first);
	put64(e + 40, last);
	for (unsigned int k = 0; name[k]; k++)
		e[56 + 2 * k] = (uint8_t)name[k];
}

/* The CRCs, after a test changed a field. */
static void gpt_seal(uint32_t bs)
{
	uint8_t *h = GPT + bs;

	put32(h + 88, bb_crc32(0, GPT + 2 * bs, 128 * 128));
	put32(h + 16, 0);
	put32(h + 16, bb_crc32(0, h, 92));
}

/* A disk of ns blocks of bs bytes with partitions 1, 2 and 4. */
static void gpt_build(uint32_t bs, uint64_t ns)
{
	uint8_t *h = GPT + bs, *e = GPT + 2 * bs;
	uint64_t first = 2 + 128 * 128 / bs;

	memset(GPT, 0, sizeof(GPT));
	GPT[446 + 4] = 0xee;
	GPT[510] = 0x55;
	GPT[511] = 0xaa;
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x10000);
	put32(h + 12, 92);
	put64(h + 24, 1);
	put64(h + 32, ns - 1);
	put64(h + 40, first);
	put64(h + 48, ns - first);
	put64(h + 72, 2);
	put32(h + 80, 128);
	put32(h + 84, 128);
	gpt_entry(e, 0, first, first + 99, "boot");
	gpt_entry(e + 128, 1, first + 100, ns - first, "data");
	assert_int_equal(bb_gpt_guid_parse(GUID2, e + 128 + 16), 0);
	gpt_entry(e + 3 * 128, 3, first + 50, first + 60, "boot2");
	gpt_seal(bs);
}

static int gpt_find_n(uint32_t bs, uint64_t ns, unsigned int n,
		      struct bb_gpt_part *p, const char **why)
{
	struct bb_gpt_key key = { .by = BB_GPT_BY_NUMBER, .number = n };

	return bb_gpt_find(GPT, sizeof(GPT), bs, ns, &key, p, why);
}

/* ---- Mapped requests ---------------------------------------------------- */

/* A mapped vbd on cfg (the ring as setup_map left it, fresh). */
static void vbd_start_map(struct bb_vbd_config *cfg)
{
	vbd_start_in(cfg, &ENV_MAP);
}

/*
 * A read: its grants mapped writable in one batch, the device given the
 * guest's frames (offset in the first), the data straight in the
 * guest's pages, unmapped in one batch before the answer; no copy.
 */
static void test_map_read(void **state)
{
	struct blkif_request_segment s[3] = { seg(100, 2, 7), seg(101, 0, 7),
					      seg(102, 0, 3) };
	uint8_t *p0 = grant_new(100, false), *p1 = grant_new(101, false),
		*p2 = grant_new(102, false);
	const struct bb_io *io;

	fe_rw(BLKIF_OP_READ, 5, 40, 3, s);
	fe_push();
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 1);
	assert_int_equal(W.map_calls, 1);
	assert_int_equal(W.map_ops, 3);
	assert_int_equal(W.nmapped, 3);
	for (unsigned int h = 1; h <= 3; h++)
		assert_false(W.maps[h].ro);
	assert_int_equal(W.nios, 1);
	io = W.ios[0];
	assert_int_equal(io->op, BB_IO_READ);
	assert_int_equal(io->npages, 0);
	assert_int_equal(io->nsegs, 3);
	assert_int_equal(io->seg[0].bus, MAP_BUS + 2 * 512);
	assert_int_equal(io->seg[0].len, 6 * 512);
	assert_int_equal(io->seg[1].bus, MAP_BUS + 4096);
	assert_int_equal(io->seg[1].len, 4096);
	assert_int_equal(io->seg[2].bus, MAP_BUS + 2 * 4096);
	assert_int_equal(io->seg[2].len, 4 * 512);
	assert_int_equal(io->nblocks, 18);
	/* Held while the device has them. */
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.unmap_calls, 0);
	assert_int_equal(SRING->rsp_prod, 0);
	io_complete(0, 0);
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(5, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	assert_int_equal(W.unmap_calls, 1);
	assert_int_equal(W.unmap_ops, 3);
	assert_int_equal(W.rsp_at_unmap, 0); /* unmapped, then answered */
	assert_int_equal(W.nmapped, 0);
	assert_int_equal(W.copy_calls, 0);
	assert_memory_equal(p0 + 2 * 512, sector_at(40), 6 * 512);
	assert_memory_equal(p1, sector_at(46), 8 * 512);
	assert_memory_equal(p2, sector_at(54), 4 * 512);
	assert_int_equal(p0[0], 0xee); /* sectors not named: untouched */
	assert_int_equal(p2[4 * 512], 0xee);
	assert_int_equal(VBD.stats.mapped, 1);
	assert_int_equal(VBD.stats.read_sectors, 18);
	assert_int_equal(VBD.free_pages, 127); /* no local page taken */
	disk_unchanged();
}

/* A write maps read-only (read-only grants do), indirect ones too. */
static void test_map_write(void **state)
{
	struct blkif_request_segment *list;
	uint8_t *p[4];

	for (unsigned int i = 0; i < 4; i++) {
		p[i] = grant_new(200 + i, true);
		for (unsigned int b = 0; b < BB_PAGE_SIZE; b++)
			p[i][b] = (uint8_t)(b * 3 + i);
	}
	list = (void *)grant_new(250, true);
	for (unsigned int i = 0; i < 4; i++)
		list[i] = seg(200 + i, 0, 7);
	fe_rw(
	    BLKIF_OP_WRITE, 1, 0, 2,
	    (struct blkif_request_segment[]){ seg(200, 0, 7), seg(201, 0, 7) });
	fe_indirect(BLKIF_OP_WRITE, 2, 64, 4, 250);
	fe_push();
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 2);
	assert_int_equal(W.nmapped, 6);
	for (unsigned int h = 1; h <= 6; h++)
		assert_true(W.maps[h].ro);
	/* Only the indirect list was copied. */
	assert_int_equal(W.copy_calls, 1);
	disk_unchanged(); /* not before the device */
	io_complete_all();
	bb_vbd_poll(&VBD, BUDGET);
	fe_two(BLKIF_RSP_OKAY, BLKIF_RSP_OKAY);
	assert_int_equal(W.unmap_calls, 2);
	assert_int_equal(W.nmapped, 0);
	memcpy(W.expect + VBD_START * 512, p[0], 4096);
	memcpy(W.expect + VBD_START * 512 + 4096, p[1], 4096);
	for (unsigned int i = 0; i < 4; i++)
		memcpy(W.expect + (VBD_START + 64) * 512 + i * 4096, p[i],
		       4096);
	disk_unchanged();
	assert_int_equal(VBD.stats.mapped, 2);
}

/*
 * A map that fails: an error answer, no io, nothing written, whatever of
 * the batch was mapped unmapped again.
 */
static void test_map_failures(void **state)
{
	struct blkif_request_segment two[2] = { seg(300, 0, 7),
						seg(999, 0, 7) };
	struct blkif_request_segment ro = seg(301, 0, 7);
	struct blkif_request_segment ok[2] = { seg(300, 0, 7), seg(302, 0, 7) };
	struct rsp r[8];

	grant_new(300, false);
	grant_new(301, true);
	grant_new(302, false);
	/* The second grant does not exist. */
	fe_rw(BLKIF_OP_WRITE, 1, 0, 2, two);
	/* A read into a read-only grant: the device would write it. */
	fe_rw(BLKIF_OP_READ, 2, 0, 1, &ro);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_responses(r, 8), 2);
	assert_int_equal(r[0].status, BLKIF_RSP_ERROR);
	assert_int_equal(r[1].status, BLKIF_RSP_ERROR);
	assert_int_equal(W.unmap_ops, 1); /* grant 300 of the first */
	/* The batch as a whole fails after one op. */
	W.map_fail = -XEN_EFAULT;
	W.map_fail_after = 1;
	fe_rw(BLKIF_OP_WRITE, 3, 0, 2, ok);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(3, BLKIF_OP_WRITE), BLKIF_RSP_ERROR);
	W.map_fail = 0;
	assert_int_equal(W.nmapped, 0);
	assert_int_equal(W.nlog, 0);
	assert_int_equal(W.copy_calls, 0); /* not copied instead */
	assert_int_equal(VBD.stats.errors, 3);
	assert_true(VBD.connected);
	assert_false(bb_vbd_busy(&VBD));
	disk_unchanged();
}

/*
 * No room for the mappings (the env's budget, the hypervisor's table):
 * copied instead, correctly; a request the device cannot take as PRPs,
 * and one below map_min_sectors, copied too.
 */
static void test_map_fallback(void **state)
{
	struct blkif_request_segment s[3] = { seg(400, 0, 7), seg(401, 0, 7),
					      seg(402, 0, 7) };
	struct blkif_request_segment hole[2] = { seg(400, 0, 3),
						 seg(401, 0, 7) };
	struct bb_vbd_config cfg = config(512, false);
	uint8_t *p[3];

	for (unsigned int i = 0; i < 3; i++)
		p[i] = grant_new(400 + i, false);
	W.map_room = 2;
	fe_rw(BLKIF_OP_READ, 1, 0, 3, s);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.nmapped, 0);
	assert_int_equal(W.ios[0]->npages, 3); /* local pages */
	io_complete_all();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(1, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	for (unsigned int i = 0; i < 3; i++)
		assert_memory_equal(p[i], sector_at(8 * i), 4096);
	assert_int_equal(VBD.stats.map_full, 1);
	/* The hypervisor's table fills after two: those two unmapped. */
	W.map_room = MAX_MAPS;
	W.table_left = 2;
	fe_rw(BLKIF_OP_READ, 2, 24, 3, s);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.unmap_ops, 2);
	assert_int_equal(W.nmapped, 0);
	assert_int_equal(W.ios[0]->npages, 3);
	io_complete_all();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(2, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	for (unsigned int i = 0; i < 3; i++)
		assert_memory_equal(p[i], sector_at(24 + 8 * i), 4096);
	assert_int_equal(VBD.stats.map_full, 2);
	assert_int_equal(VBD.stats.mapped, 0);
	W.table_left = MAX_MAPS;
	/* A first segment not ending its page: not PRP-shaped. */
	W.map_calls = 0;
	fe_rw(BLKIF_OP_READ, 3, 0, 2, hole);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.map_calls, 0);
	assert_int_equal(W.ios[0]->npages, 2);
	io_complete_all();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(3, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	assert_memory_equal(p[0], sector_at(0), 4 * 512);
	assert_memory_equal(p[1], sector_at(4), 4096);
	/* A threshold: 16 sectors and more mapped, fewer copied. */
	cfg.map_min_sectors = 16;
	vbd_start_map(&cfg);
	fe_rw(BLKIF_OP_READ, 4, 0, 1, s);
	fe_rw(BLKIF_OP_READ, 5, 0, 2, s);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.map_calls, 1);
	assert_int_equal(W.map_ops, 3 + 2); /* with the earlier try */
	assert_int_equal(W.ios[0]->npages, 1);
	assert_int_equal(W.ios[1]->npages, 0);
	io_complete_all();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.nmapped, 0);
	assert_int_equal(VBD.stats.mapped, 1);
	disk_unchanged();
}

/* No room for mappings nor pages: left on the ring, never answered wrong. */
static void test_map_stall(void **state)
{
	struct bb_vbd_config cfg = config(512, false);
	struct blkif_request_segment s[BLKIF_MAX_SEGMENTS_PER_REQUEST];
	struct rsp r[8];

	cfg.page_count = BB_VBD_PAGES_MIN;
	cfg.map_min_sectors = 0;
	vbd_start_map(&cfg);
	for (unsigned int k = 0; k < BLKIF_MAX_SEGMENTS_PER_REQUEST; k++) {
		s[k] = seg(1200 + k, 0, 7);
		grant_new(1200 + k, false);
	}
	W.map_room = BLKIF_MAX_SEGMENTS_PER_REQUEST; /* one request */
	for (unsigned int i = 0; i < 7; i++)
		fe_rw(BLKIF_OP_READ, i, 88 * i, BLKIF_MAX_SEGMENTS_PER_REQUEST,
		      s);
	fe_push();
	/* Mapped, then copied (5 x 11 pages of 64), then stalled. */
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 6);
	assert_int_equal(VBD.stats.mapped, 1);
	assert_int_equal(VBD.stats.stalls, 1);
	W.map_room = MAX_MAPS;
	assert_int_equal(bb_vbd_poll(&VBD, BUDGET), 1);
	assert_int_equal(VBD.stats.mapped, 2);
	io_complete_all();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_responses(r, 8), 7);
	for (unsigned int i = 0; i < 7; i++)
		assert_int_equal(r[i].status, BLKIF_RSP_OKAY);
	assert_int_equal(W.nmapped, 0);
	assert_int_equal(VBD.free_pages, BB_VBD_PAGES_MIN - 1);
}

/*
 * The frontend goes with mapped requests in flight: those at the device
 * keep their mappings until it is done (then unmapped, unanswered);
 * those not at the device (a barrier waiting, a busy device) are
 * unmapped at once. The vbd is busy until the last one is gone.
 */
static void test_map_disconnect(void **state)
{
	struct blkif_request_segment s[2] = { seg(1500, 0, 7),
					      seg(1501, 0, 7) };

	grant_new(1500, false);
	grant_new(1501, false);
	fe_rw(BLKIF_OP_WRITE, 1, 0, 2, s);
	fe_rw(BLKIF_OP_READ, 2, 16, 2, s);
	fe_rw(BLKIF_OP_WRITE_BARRIER, 3, 32, 2, s);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.nios, 2);
	assert_int_equal(W.nmapped, 6);
	bb_vbd_disconnect(&VBD, "frontend closed");
	assert_int_equal(W.nmapped, 4); /* the barrier's */
	assert_true(bb_vbd_busy(&VBD));
	assert_int_equal(bb_vbd_attach(&VBD, GUEST, SRING), -XEN_EBUSY);
	io_complete(0, 0);
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.nmapped, 2);
	io_complete(0, -XEN_EIO);
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.nmapped, 0);
	assert_false(bb_vbd_busy(&VBD));
	assert_int_equal(SRING->rsp_prod, 0);
	assert_int_equal(W.nlog, 2); /* the barrier never started */

	/* A busy device: the io waits mapped; a disconnect unmaps it. */
	memset(SRING, 0, BB_PAGE_SIZE);
	SHARED_RING_INIT(SRING);
	FRONT_RING_INIT(&FR, SRING, BB_PAGE_SIZE);
	assert_int_equal(bb_vbd_attach(&VBD, GUEST, SRING), 0);
	W.submit_fail = -XEN_EAGAIN;
	fe_rw(BLKIF_OP_READ, 4, 0, 2, s);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.nmapped, 2);
	bb_vbd_disconnect(&VBD, "gone");
	assert_int_equal(W.nmapped, 0);
	assert_false(bb_vbd_busy(&VBD));
	W.submit_fail = 0;
}

/* ---- Persistent grants ------------------------------------------------ */

/* A vbd whose frontend keeps its grants: up to max, none mapped per request. */
static void vbd_start_persist(unsigned int max)
{
	struct bb_vbd_config cfg = config(512, false);

	cfg.map_min_sectors = UINT32_MAX;
	cfg.persist_max = max;
	vbd_start_map(&cfg);
	bb_vbd_persist(&VBD, true);
	assert_true(VBD.persistent);
}

/*
 * A grant is mapped (writable, for the device) the first time a request
 * names it and never again: a later read and write in the same grants
 * go to the device with no grant operation, the data in the guest's
 * pages. Everything is unmapped at the disconnect, once.
 */
static void test_persist_reuse(void **state)
{
	struct blkif_request_segment s[3] = { seg(700, 0, 7), seg(701, 0, 7),
					      seg(702, 0, 3) };
	struct blkif_request_segment w[2] = { seg(701, 0, 7), seg(703, 0, 7) };
	uint8_t *p[4];

	for (unsigned int i = 0; i < 4; i++)
		p[i] = grant_new(700 + i, false);
	vbd_start_persist(8);
	fe_rw(BLKIF_OP_READ, 1, 40, 3, s);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.map_calls, 1);
	assert_int_equal(W.map_ops, 3);
	for (unsigned int h = 1; h <= 3; h++)
		assert_false(W.maps[h].ro);
	assert_int_equal(W.ios[0]->npages, 0);
	assert_int_equal(W.ios[0]->nsegs, 3);
	assert_int_equal(W.ios[0]->seg[2].len, 4 * 512);
	io_complete_all();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(1, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	assert_int_equal(W.unmap_calls, 0); /* kept */
	assert_int_equal(W.nmapped, 3);
	assert_memory_equal(p[0], sector_at(40), 4096);
	assert_memory_equal(p[2], sector_at(56), 4 * 512);
	/* Again, and a write: only grant 703 is new. */
	fe_rw(BLKIF_OP_READ, 2, 0, 3, s);
	fe_rw(BLKIF_OP_WRITE, 3, 80, 2, w);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.map_calls, 2);
	assert_int_equal(W.map_ops, 4);
	io_complete_all();
	bb_vbd_poll(&VBD, BUDGET);
	fe_two(BLKIF_RSP_OKAY, BLKIF_RSP_OKAY);
	assert_int_equal(W.copy_calls, 0);
	assert_int_equal(VBD.stats.persistent, 3);
	assert_int_equal(VBD.stats.mapped, 0);
	assert_memory_equal(p[1], sector_at(8), 4096);
	memcpy(W.expect + (VBD_START + 80) * 512, p[1], 4096);
	memcpy(W.expect + (VBD_START + 88) * 512, p[3], 4096);
	assert_int_equal(W.unmap_calls, 0);
	bb_vbd_disconnect(&VBD, "frontend closed");
	assert_int_equal(W.unmap_ops, 4);
	assert_int_equal(W.nmapped, 0);
	assert_int_equal(VBD.npersist, 0);
	disk_unchanged();
}

/*
 * What cannot be kept is served as before, correctly: a read-only grant
 * (tried once, then known), a grant past persist_max, a grant that does
 * not exist (an error, as copied), a request the device cannot take.
 */
static void test_persist_refused(void **state)
{
	struct blkif_request_segment ro = seg(710, 0, 7);
	struct blkif_request_segment three[3] = { seg(711, 0, 7),
						  seg(712, 0, 7),
						  seg(713, 0, 7) };
	struct blkif_request_segment bad = seg(799, 0, 7);
	uint8_t *p[4];
	struct rsp r[4];

	for (unsigned int i = 0; i < 4; i++)
		p[i] = grant_new(710 + i, i == 0);
	vbd_start_persist(3);
	/* A write from a read-only grant, twice: one map try, copies. */
	fe_rw(BLKIF_OP_WRITE, 1, 0, 1, &ro);
	fe_rw(BLKIF_OP_WRITE, 2, 8, 1, &ro);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.map_ops, 1);
	assert_int_equal(VBD.stats.persist_refused, 1);
	assert_int_equal(W.ios[0]->npages, 1);
	assert_int_equal(W.ios[1]->npages, 1);
	io_complete_all();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_responses(r, 4), 2);
	memcpy(W.expect + VBD_START * 512, p[0], 4096);
	memcpy(W.expect + (VBD_START + 8) * 512, p[0], 4096);
	disk_unchanged();
	/* Room for two more: the third segment's request is copied. */
	fe_rw(BLKIF_OP_READ, 3, 16, 3, three);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.map_ops, 3);
	assert_int_equal(W.nmapped, 2);
	assert_int_equal(W.ios[0]->npages, 3);
	io_complete_all();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(3, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	for (unsigned int i = 0; i < 3; i++)
		assert_memory_equal(p[1 + i], sector_at(16 + 8 * i), 4096);
	/* Full: a grant that does not exist is an error, not a map. */
	fe_rw(BLKIF_OP_WRITE, 4, 0, 1, &bad);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.map_ops, 3);
	assert_int_equal(W.nios, 0);
	assert_int_equal(fe_one(4, BLKIF_OP_WRITE), BLKIF_RSP_ERROR);
	assert_int_equal(VBD.stats.persistent, 0);
	bb_vbd_disconnect(&VBD, "frontend closed");
	assert_int_equal(W.nmapped, 0);
	disk_unchanged();
}

/*
 * A disconnect with a request at the device keeps the persistent
 * mappings until it is done; the next connection starts with none, and
 * keeps none unless its frontend asks again.
 */
static void test_persist_disconnect(void **state)
{
	struct blkif_request_segment s[2] = { seg(720, 0, 7), seg(721, 0, 7) };
	struct bb_vbd_config cfg;

	grant_new(720, false);
	grant_new(721, false);
	vbd_start_persist(8);
	fe_rw(BLKIF_OP_READ, 1, 0, 2, s);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.nmapped, 2);
	bb_vbd_disconnect(&VBD, "gone");
	assert_int_equal(W.nmapped, 2); /* the device may write them */
	io_complete_all();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.nmapped, 0);
	assert_false(bb_vbd_busy(&VBD));
	memset(SRING, 0, BB_PAGE_SIZE);
	SHARED_RING_INIT(SRING);
	FRONT_RING_INIT(&FR, SRING, BB_PAGE_SIZE);
	assert_int_equal(bb_vbd_attach(&VBD, GUEST, SRING), 0);
	assert_false(VBD.persistent);
	fe_rw(BLKIF_OP_READ, 2, 0, 2, s);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(W.ios[0]->npages, 2); /* copied */
	io_complete_all();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(2, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	/* Not without persist_max, nor without an env that maps. */
	bb_vbd_disconnect(&VBD, "gone");
	cfg = VBD.cfg;
	cfg.persist_max = 0;
	vbd_start_map(&cfg);
	bb_vbd_persist(&VBD, true);
	assert_false(VBD.persistent);
	cfg.persist_max = 4;
	vbd_start(&cfg);
	bb_vbd_persist(&VBD, true);
	assert_false(VBD.persistent);
	bb_vbd_disconnect(&VBD, "gone");
}

/* A failed device op, a failed unmap: answered all the same, logged. */
static void test_map_errors(void **state)
{
	struct blkif_request_segment s[2] = { seg(1600, 0, 7),
					      seg(1601, 0, 7) };

	grant_new(1600, false);
	grant_new(1601, false);
	fe_rw(BLKIF_OP_WRITE, 1, 0, 2, s);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	io_complete(0, -XEN_EIO);
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(1, BLKIF_OP_WRITE), BLKIF_RSP_ERROR);
	assert_int_equal(W.nmapped, 0);
	/* The env refuses the submit outright: unmapped, an error. */
	W.submit_fail = -XEN_ENOMEM;
	fe_rw(BLKIF_OP_READ, 2, 0, 2, s);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(2, BLKIF_OP_READ), BLKIF_RSP_ERROR);
	assert_int_equal(W.nmapped, 0);
	W.submit_fail = 0;
	/* An unmap that fails: logged and counted, the answer still sent. */
	fe_rw(BLKIF_OP_READ, 3, 0, 2, s);
	fe_push();
	bb_vbd_poll(&VBD, BUDGET);
	W.unmap_bad = W.maps[1].used ? 1 : 2;
	io_complete_all();
	bb_vbd_poll(&VBD, BUDGET);
	assert_int_equal(fe_one(3, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	assert_int_equal(VBD.stats.unmap_failed, 1);
	assert_non_null(strstr(W.last_log, "the mapping stays"));
	assert_int_equal(W.nmapped, 1);
	/* (What the hypervisor would take back with the domain.) */
	W.maps[W.unmap_bad].used = false;
	W.nmapped = 0;
	disk_unchanged();
}

static void test_crc32(void **state)
{
	assert_int_equal(bb_crc32(0, "123456789", 9), 0xcbf43926u);
	assert_int_equal(bb_crc32(bb_crc32(0, "1234", 4), "56789", 5),
			 0xcbf43926u);
	assert_int_equal(bb_crc32(0, "", 0), 0);
}

static void test_gpt_good(void **state)
{
	static const uint32_t sizes[] = { 512, 4096 };

	for (unsigned int s = 0; s < 2; s++) {
		uint32_t bs = sizes[s];
		uint64_t ns = 65536, first = 2 + 128 * 128 / bs;
		struct bb_gpt_key key = { .by = BB_GPT_BY_NAME,
					  .name = "data" };
		struct bb_gpt_part p;
		const char *why;

		gpt_build(bs, ns);
		assert_int_equal(gpt_find_n(bs, ns, 1, &p, &why), 0);
		assert_int_equal(p.number, 1);
		assert_int_equal(p.first_lba, first);
		assert_int_equal(p.last_lba, first + 99);
		assert_int_equal(p.start, first * (bs / 512));
		assert_int_equal(p.sectors, 100 * (bs / 512));
		assert_int_equal(
		    bb_gpt_find(GPT, sizeof(GPT), bs, ns, &key, &p, &why), 0);
		assert_int_equal(p.number, 2);
		assert_int_equal(p.last_lba, ns - first);
		key.by = BB_GPT_BY_GUID;
		assert_int_equal(bb_gpt_guid_parse(GUID2, key.guid), 0);
		memset(&p, 0, sizeof(p));
		assert_int_equal(
		    bb_gpt_find(GPT, sizeof(GPT), bs, ns, &key, &p, &why), 0);
		assert_int_equal(p.number, 2);
		/* On disk, the first three fields are little-endian. */
		assert_int_equal(p.guid[0], 0xaf);
		assert_int_equal(p.guid[3], 0x0f);
		assert_int_equal(p.guid[8], 0x8e);
		key.by = BB_GPT_BY_NAME;
		key.name = "boot2";
		assert_int_equal(
		    bb_gpt_find(GPT, sizeof(GPT), bs, ns, &key, &p, &why), 0);
		assert_int_equal(p.number, 4);
		key.name = "boo"; /* a prefix is not a name */
		assert_int_equal(
		    bb_gpt_find(GPT, sizeof(GPT), bs, ns, &key, &p, &why),
		    -XEN_ENOENT);
		/* Unused, past the array, zero. */
		assert_int_equal(gpt_find_n(bs, ns, 3, &p, &why), -XEN_ENOENT);
		assert_int_equal(gpt_find_n(bs, ns, 129, &p, &why),
				 -XEN_ENOENT);
		assert_int_equal(gpt_find_n(bs, ns, 0, &p, &why), -XEN_ENOENT);
	}
}

/* Each corruption refused, with a reason, whatever partition is asked. */
static void test_gpt_corrupt(void **state)
{
	const uint32_t bs = 512;
	const uint64_t ns = 65536;
	uint8_t *h = GPT + bs, *e = GPT + 2 * bs;
	struct bb_gpt_key key = { .by = BB_GPT_BY_NAME, .name = "boot" };
	struct bb_gpt_part p;
	const char *why;

#define REFUSED(change, seal, rc)                                      \
	do {                                                           \
		gpt_build(bs, ns);                                     \
		change;                                                \
		if (seal)                                              \
			gpt_seal(bs);                                  \
		why = NULL;                                            \
		assert_int_equal(gpt_find_n(bs, ns, 1, &p, &why), rc); \
		assert_non_null(why);                                  \
	} while (0)

	REFUSED(GPT[510] = 0, false, -XEN_EINVAL);
	REFUSED(GPT[446 + 4] = 0x83, false, -XEN_EINVAL);
	REFUSED(h[0] = 'X', true, -XEN_EINVAL);
	REFUSED(put32(h + 8, 0x20000), true, -XEN_EINVAL);
	REFUSED(put32(h + 12, 91), true, -XEN_EINVAL);
	REFUSED(put32(h + 12, bs + 1), true, -XEN_EINVAL);
	REFUSED(h[60] ^= 1, false, -XEN_EINVAL);       /* header CRC */
	REFUSED(e[33] ^= 1, false, -XEN_EINVAL);       /* entries CRC */
	REFUSED(e[128 * 100] = 1, false, -XEN_EINVAL); /* an unused entry */
	REFUSED(put64(h + 24, 2), true, -XEN_EINVAL);
	REFUSED(put64(h + 48, ns), true, -XEN_EINVAL); /* past the disk */
	REFUSED(put64(h + 40, 1), true, -XEN_EINVAL);
	REFUSED(put64(h + 40, ns - 10), true, -XEN_EINVAL); /* first > last */
	REFUSED(put32(h + 84, 100), true, -XEN_EINVAL);
	REFUSED(put32(h + 80, 0), true, -XEN_EINVAL);
	REFUSED(put32(h + 80, 100000), true, -XEN_EINVAL);
	REFUSED(put64(h + 72, 1), true, -XEN_EINVAL);  /* over the header */
	REFUSED(put64(h + 72, 30), true, -XEN_EINVAL); /* into usable */
	/* An array the bytes read do not hold. */
	REFUSED((put64(h + 72, 40), put64(h + 40, 80)), true, -XEN_ERANGE);
	REFUSED(put64(h + 72, UINT64_MAX / 2), true, -XEN_EINVAL);
	/* A partition outside the usable range. */
	REFUSED(put64(e + 32, 2), true, -XEN_EINVAL);
	REFUSED(put64(e + 40, ns), true, -XEN_EINVAL);
	REFUSED((put64(e + 32, 200), put64(e + 40, 100)), true, -XEN_EINVAL);
	/* Too few bytes; a bad block size. */
	gpt_build(bs, ns);
	assert_int_equal(bb_gpt_find(GPT, 1000, bs, ns, &key, &p, &why),
			 -XEN_ERANGE);
	assert_int_equal(
	    bb_gpt_find(GPT, sizeof(GPT), 1000, ns, &key, &p, &why),
	    -XEN_EINVAL);
	/* Two partitions of one name: ambiguous. */
	gpt_build(bs, ns);
	memcpy(e + 3 * 128 + 56, e + 56, 72);
	gpt_seal(bs);
	assert_int_equal(bb_gpt_find(GPT, sizeof(GPT), bs, ns, &key, &p, &why),
			 -XEN_EINVAL);
	assert_string_equal(why, "more than one partition matches");
#undef REFUSED
}

static void test_guid_parse(void **state)
{
	uint8_t g[16];

	assert_int_equal(bb_gpt_guid_parse(GUID2, g), 0);
	assert_int_equal(g[0], 0xaf);
	assert_int_equal(
	    bb_gpt_guid_parse("0FC63DAF-8483-4772-8E79-3D69D8477DE4", g), 0);
	assert_int_equal(
	    bb_gpt_guid_parse("0fc63daf-8483-4772-8e79-3d69d8477de", g),
	    -XEN_EINVAL);
	assert_int_equal(
	    bb_gpt_guid_parse("0fc63daf-8483-4772-8e79-3d69d8477de4x", g),
	    -XEN_EINVAL);
	assert_int_equal(
	    bb_gpt_guid_parse("0fc63daf+8483-4772-8e79-3d69d8477de4", g),
	    -XEN_EINVAL);
	assert_int_equal(
	    bb_gpt_guid_parse("0fc63dag-8483-4772-8e79-3d69d8477de4", g),
	    -XEN_EINVAL);
}

/* ---- Target strings --------------------------------------------------- */

static void test_target(void **state)
{
	static const char *const bad[] = {
		"",
		"1",
		"1:",
		":0+8",
		"0:0+8",
		"1:0+0",
		"1:0+",
		"1:+8",
		"1:0-8",
		"1:0+8 ",
		" 1:0+8",
		"1:-1+8",
		"1:08+8",
		"01:0+8",
		"1:0+8x",
		"1:gpt:",
		"1:gpt:0",
		"1:gpt:1x",
		"1:gpt:-1",
		"1:gpt:01",
		"1:gpt:1025",
		"1:GPT:1",
		"4294967296:0+8",
		"1:18446744073709551615+1",
		"1:0+18446744073709551616",
	};
	struct bb_target t;

	assert_int_equal(bb_target_parse("1:2048+1048576", &t), 0);
	assert_int_equal(t.nsid, 1);
	assert_false(t.gpt);
	assert_int_equal(t.start, 2048);
	assert_int_equal(t.sectors, 1048576);
	assert_int_equal(bb_target_parse("4294967295:0+8", &t), 0);
	assert_int_equal(t.nsid, 4294967295u);
	assert_int_equal(bb_target_parse("2:gpt:3", &t), 0);
	assert_int_equal(t.nsid, 2);
	assert_true(t.gpt);
	assert_int_equal(t.part, 3);
	assert_int_equal(bb_target_parse("1:18446744073709551614+1", &t), 0);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&t, 0x33, sizeof(t));
		print_message("%s\n", bad[i]);
		assert_int_equal(bb_target_parse(bad[i], &t), -XEN_EINVAL);
		assert_int_equal(t.nsid, 0x33333333u); /* untouched */
	}
	assert_int_equal(bb_target_parse(NULL, &t), -XEN_EINVAL);
}

/* ---- The xenbus side, over the real client and the real store -------- */

#define BLKDOM	  1
#define DEVID	  51712
#define MAX_WAITS 100000

struct xsenv {
	struct xenstore_domain_interface *ring;
	struct xs_conn *conn;
	unsigned long waits;
};

static struct xs_store *store;
static struct xsenv e0, e1, eg;
static struct xenbus *x0, *x1, *xg;

static void xs_notify(void *p)
{
}

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* Move bytes between a domain's store ring and the store. */
static void serve(struct xsenv *e)
{
	struct xenstore_domain_interface *r = e->ring;
	bool progress = true;

	while (progress) {
		uint32_t used = r->req_prod - r->req_cons;

		progress = false;
		while (used) {
			size_t off = MASK_XENSTORE_IDX(r->req_cons);
			size_t n = min_sz(used, XENSTORE_RING_SIZE - off);
			size_t c = xs_conn_feed(e->conn, r->req + off, n);

			r->req_cons += (uint32_t)c;
			used -= (uint32_t)c;
			progress |= c > 0;
			if (c < n)
				break;
		}
		for (;;) {
			uint32_t fill = r->rsp_prod - r->rsp_cons;
			size_t off = MASK_XENSTORE_IDX(r->rsp_prod);
			size_t n = min_sz(XENSTORE_RING_SIZE - fill,
					  XENSTORE_RING_SIZE - off),
			       got;

			if (!n)
				break;
			got = xs_conn_pull(e->conn, r->rsp + off, n);
			r->rsp_prod += (uint32_t)got;
			progress |= got > 0;
			if (got < n)
				break;
		}
	}
	assert_false(xs_conn_broken(e->conn));
}

static void xs_wait(void *p)
{
	struct xsenv *e = p;

	if (++e->waits > MAX_WAITS)
		fail_msg("xenbus wait() called too often: a hang");
	serve(e);
}

static void xsenv_init(struct xsenv *e, struct xenbus **x, unsigned int domid)
{
	struct xenbus_ops ops = { xs_notify, xs_wait, e };

	e->ring = calloc(1, sizeof(*e->ring));
	e->conn = xs_conn_new(store, domid);
	e->waits = 0;
	assert_non_null(e->ring);
	assert_non_null(e->conn);
	*x = malloc(sizeof(**x));
	assert_non_null(*x);
	xenbus_init(*x, e->ring, &ops);
}

static void xsenv_free(struct xsenv *e, struct xenbus *x)
{
	free(e->ring);
	free(x);
}

/* The driver domain: its ports, its ring mapping, the vbd. */
static struct {
	struct bb_xb xb;
	bool mapped;
	grant_ref_t map_ref;
	unsigned int maps, binds;
	bool port_open[64];
	unsigned int nports;
	bool be_event; /* its watch on backend/vbd fired */
	bool unmap_fail;
	uint32_t persist_max; /* what d_resolve() gives the vbds */
} D;

static long d_map(void *env, domid_t domid, grant_ref_t ref, void **va,
		  uint32_t *handle)
{
	uint8_t *page = domid == GUEST ? grant_page(ref, true) : NULL;

	assert_false(D.mapped); /* one ring at a time */
	if (!page)
		return GNTST_bad_gntref;
	D.mapped = true;
	D.map_ref = ref;
	D.maps++;
	*va = page;
	*handle = 77;
	return GNTST_okay;
}

static long d_unmap(void *env, void *va, uint32_t handle)
{
	assert_true(D.mapped);
	assert_int_equal(handle, 77);
	assert_ptr_equal(va, grant_page(D.map_ref, false));
	D.mapped = false;
	return D.unmap_fail ? GNTST_general_error : 0;
}

static long d_bind(void *env, domid_t domid, evtchn_port_t remote)
{
	if (domid != GUEST || remote == 0 || remote > 1000)
		return -XEN_EINVAL;
	assert_true(D.nports < 64);
	D.port_open[D.nports] = true;
	D.binds++;
	return D.nports++;
}

static void d_close(void *env, evtchn_port_t port)
{
	assert_true(port < D.nports && D.port_open[port]);
	D.port_open[port] = false;
}

static unsigned int ports_open(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < D.nports; i++)
		n += D.port_open[i];
	return n;
}

/* The namespace: 512-byte blocks, a GPT at its start. */
static int d_resolve(void *env, const struct bb_target *t,
		     struct bb_vbd_config *cfg, const char **why)
{
	*why = "no such namespace";
	if (t->nsid != 1)
		return -XEN_ENODEV;
	cfg->nsid = 1;
	cfg->ns_sectors = NS_SECT;
	cfg->block_size = 512;
	cfg->discard = true;
	cfg->persist_max = D.persist_max;
	if (t->gpt) {
		struct bb_gpt_key key = { .by = BB_GPT_BY_NUMBER,
					  .number = t->part };
		struct bb_gpt_part p;
		int rc = bb_gpt_find(W.disk, BB_GPT_BYTES, 512, NS_SECT, &key,
				     &p, why);

		if (rc)
			return rc;
		cfg->start = p.start;
		cfg->sectors = p.sectors;
		return 0;
	}
	cfg->start = t->start;
	cfg->sectors = t->sectors;
	return 0;
}

static void be_watch_fn(struct xenbus *xb, const char *path, const char *token,
			void *data)
{
	D.be_event = true;
}

/* The world goes round: the store, events, the driver domain's loop. */
static void run(void)
{
	for (unsigned int i = 0; i < 16; i++) {
		serve(&eg);
		serve(&e1);
		if (xenbus_poll(x1) > 0)
			xenbus_dispatch(x1);
		if (D.be_event) {
			D.be_event = false;
			bb_xb_update(&D.xb);
		}
		bb_xb_poll(&D.xb, BUDGET);
	}
}

static char *be_path(const char *key)
{
	static char buf[4][128];
	static unsigned int i;
	char *p = buf[i++ % 4];

	snprintf(p, 128, "/local/domain/%u/backend/vbd/%u/%u%s%s", BLKDOM,
		 GUEST, DEVID, key ? "/" : "", key ? key : "");
	return p;
}

static char *fe_path(const char *key)
{
	static char buf[4][128];
	static unsigned int i;
	char *p = buf[i++ % 4];

	snprintf(p, 128, "/local/domain/%u/device/vbd/%u%s%s", GUEST, DEVID,
		 key ? "/" : "", key ? key : "");
	return p;
}

static void wr(struct xenbus *x, const char *path, const char *val)
{
	int rc = xenbus_write(x, XENBUS_NO_TX, path, val);

	if (rc)
		fail_msg("write %s: %d", path, rc);
}

static int be_state(void)
{
	return xenbus_read_state(x0, be_path(NULL));
}

static unsigned long be_uint(const char *key)
{
	unsigned long v = ~0ul;

	assert_int_equal(xenbus_read_uint(x0, XENBUS_NO_TX, be_path(key), &v),
			 0);
	return v;
}

static void dir_with_perms(const char *path, unsigned int owner,
			   unsigned int reader)
{
	char perms[16];
	int n = snprintf(perms, sizeof(perms), "n%u%cr%u", owner, 0, reader);

	assert_int_equal(xenbus_mkdir(x0, XENBUS_NO_TX, path), 0);
	assert_int_equal(
	    xenbus_set_perms(x0, XENBUS_NO_TX, path, perms, (size_t)n + 1), 0);
}

/* What the control domain writes for the guest's xvda. */
static void announce(const char *target, const char *mode)
{
	char v[16];

	dir_with_perms(be_path(NULL), BLKDOM, GUEST);
	dir_with_perms(fe_path(NULL), GUEST, BLKDOM);
	wr(x0, be_path("target"), target);
	wr(x0, be_path("mode"), mode);
	wr(x0, fe_path("virtual-device"), "51712");
	wr(x0, fe_path("device-type"), "disk");
	wr(x0, be_path("state"), "1");
	wr(x0, fe_path("state"), "1");
	wr(x0, be_path("frontend"), fe_path(NULL));
	snprintf(v, sizeof(v), "%u", GUEST);
	wr(x0, be_path("frontend-id"), v);
	wr(x0, fe_path("backend-id"), "1");
	wr(x0, fe_path("backend"), be_path(NULL));
}

/* The frontend offers a fresh ring at ref, as blkfront does. */
static void fe_offer(grant_ref_t ref, const char *protocol)
{
	char v[16];

	if (!grant_page(ref, false))
		grant_new(ref, false);
	SRING = (struct blkif_sring *)grant_page(ref, false);
	memset(SRING, 0, BB_PAGE_SIZE);
	SHARED_RING_INIT(SRING);
	FRONT_RING_INIT(&FR, SRING, BB_PAGE_SIZE);
	snprintf(v, sizeof(v), "%u", ref);
	wr(xg, fe_path("ring-ref"), v);
	wr(xg, fe_path("event-channel"), "9");
	if (protocol)
		wr(xg, fe_path("protocol"), protocol);
	wr(xg, fe_path("state"), "3");
}

static int xb_setup(void **state)
{
	const struct bb_xb_ops ops = {
		.map = d_map,
		.unmap = d_unmap,
		.bind = d_bind,
		.close = d_close,
		.resolve = d_resolve,
		.bb = &ENV,
	};
	struct bb_xb_ops o = ops;
	char home[32];

	setup(state);
	free(SRING); /* the frontends' rings are granted pages here */
	SRING = NULL;
	memset(&D, 0, sizeof(D));
	W.auto_complete = true;
	live_blocks = 0;
	store = xs_store_create(NULL);
	assert_non_null(store);
	xsenv_init(&e0, &x0, 0);
	xsenv_init(&e1, &x1, BLKDOM);
	xsenv_init(&eg, &xg, GUEST);
	for (unsigned int d = 0; d < 2; d++) {
		unsigned int dom = d ? GUEST : BLKDOM;
		char perms[8];
		int n = snprintf(perms, sizeof(perms), "n%u", dom);

		snprintf(home, sizeof(home), "/local/domain/%u", dom);
		assert_int_equal(xenbus_mkdir(x0, XENBUS_NO_TX, home), 0);
		assert_int_equal(xenbus_set_perms(x0, XENBUS_NO_TX, home, perms,
						  (size_t)n + 1),
				 0);
	}
	assert_int_equal(
	    xenbus_watch(x1, BB_XB_ROOT, "owner", be_watch_fn, NULL), 0);
	o.xb = x1;
	assert_int_equal(bb_xb_start(&D.xb, &o, GUEST, DEVID, 10, 128), 0);
	return 0;
}

static int xb_teardown(void **state)
{
	SRING = NULL; /* a granted page: teardown() frees it */
	bb_xb_stop(&D.xb);
	assert_false(D.mapped);
	assert_int_equal(ports_open(), 0);
	xs_store_destroy(store);
	assert_int_equal(live_blocks, 0);
	xsenv_free(&e0, x0);
	xsenv_free(&e1, x1);
	xsenv_free(&eg, xg);
	return teardown(state);
}

static void test_xb_decide(void **state)
{
	enum {
		U = XenbusStateUnknown,
		I = XenbusStateInitialising,
		W_ = XenbusStateInitWait,
		ID = XenbusStateInitialised,
		C = XenbusStateConnected,
		CG = XenbusStateClosing,
		CD = XenbusStateClosed,
	};
	static const struct {
		int be;
		bool up, busy;
		int fe;
		bool gave_up;
		enum bb_xb_action a;
	} t[] = {
		{ U, true, false, C, false, BB_XB_FORGET },
		{ I, false, false, U, false, BB_XB_ADVERTISE },
		{ I, true, false, C, true, BB_XB_ADVERTISE },
		{ W_, false, false, I, false, BB_XB_NOTHING },
		{ W_, false, false, U, false, BB_XB_NOTHING },
		{ W_, false, false, ID, false, BB_XB_CONNECT },
		{ W_, false, false, C, false, BB_XB_CONNECT },
		{ W_, false, true, ID, false, BB_XB_NOTHING }, /* draining */
		{ W_, false, false, CG, false, BB_XB_CLOSING },
		{ W_, true, false, C, false, BB_XB_RESET },
		{ C, true, false, C, false, BB_XB_NOTHING },
		{ C, true, false, CG, false, BB_XB_CLOSING },
		{ C, true, false, CD, false, BB_XB_RESET },
		{ C, true, false, U, false, BB_XB_RESET }, /* gone */
		{ C, true, false, I, false, BB_XB_RESET }, /* starts over */
		{ C, false, false, C, false, BB_XB_CLOSING },
		{ CG, false, false, C, false, BB_XB_NOTHING },
		{ CG, false, false, CG, false, BB_XB_NOTHING },
		{ CG, false, false, CD, false, BB_XB_RESET },
		{ CG, false, false, I, false, BB_XB_RESET },
		{ CD, false, false, CD, false, BB_XB_RESET },
		{ CD, false, false, I, false, BB_XB_RESET },
		{ CD, false, false, C, false, BB_XB_CLOSING },
		{ CD, false, false, CG, false, BB_XB_NOTHING },
		{ CD, false, false, I, true, BB_XB_NOTHING },
		{ -XEN_EINVAL, false, false, C, false, BB_XB_RESET },
		{ XenbusStateReconfiguring, false, false, C, false,
		  BB_XB_RESET },
	};

	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("case %u\n", i);
		assert_int_equal(bb_xb_decide(t[i].be, t[i].up, t[i].busy,
					      t[i].fe, t[i].gave_up),
				 t[i].a);
	}
}

/* Offered, connected, used, closed, connected again. */
static void test_xb_lifecycle(void **state)
{
	struct blkif_request_segment s = seg(300, 0, 7);
	uint8_t *p = grant_new(300, false);

	run();
	assert_int_equal(be_state(), XenbusStateUnknown); /* not announced */
	announce("1:1024+4096", "w");
	run();
	assert_int_equal(be_state(), XenbusStateInitWait);
	assert_int_equal(be_uint("sectors"), VBD_SECT);
	assert_int_equal(be_uint("sector-size"), 512);
	assert_int_equal(be_uint("info"), 0);
	assert_int_equal(be_uint("feature-flush-cache"), 1);
	assert_int_equal(be_uint("feature-discard"), 1);
	assert_int_equal(be_uint("discard-granularity"), 512);
	assert_int_equal(be_uint("feature-max-indirect-segments"),
			 BB_MAX_INDIRECT_SEGS);
	assert_int_equal(be_uint("feature-persistent"), 0); /* no maps */
	fe_offer(20, BB_XB_PROTOCOL);
	run();
	assert_int_equal(be_state(), XenbusStateConnected);
	assert_true(D.mapped);
	assert_int_equal(ports_open(), 1);

	memset(p, 0x61, BB_PAGE_SIZE);
	fe_rw(BLKIF_OP_WRITE, 5, 16, 1, &s);
	fe_push();
	run();
	assert_int_equal(fe_one(5, BLKIF_OP_WRITE), BLKIF_RSP_OKAY);
	memset(W.expect + (VBD_START + 16) * 512, 0x61, 4096);
	disk_unchanged();

	wr(xg, fe_path("state"), "5"); /* Closing */
	run();
	assert_int_equal(be_state(), XenbusStateClosing);
	assert_false(D.mapped);
	assert_int_equal(ports_open(), 0);
	wr(xg, fe_path("state"), "6"); /* Closed */
	run();
	assert_int_equal(be_state(), XenbusStateInitWait);

	/* A new frontend (a reboot, a reloaded driver) on a new ring. */
	wr(xg, fe_path("state"), "1");
	run();
	assert_int_equal(be_state(), XenbusStateInitWait);
	fe_offer(21, NULL); /* no protocol node: native */
	run();
	assert_int_equal(be_state(), XenbusStateConnected);
	assert_int_equal(D.map_ref, 21);
	fe_rw(BLKIF_OP_READ, 6, 16, 1, &s);
	fe_push();
	run();
	assert_int_equal(fe_one(6, BLKIF_OP_READ), BLKIF_RSP_OKAY);

	/* The toolstack takes the vbd away with an io at the device:
	 * everything let go, the io finished unanswered. */
	W.auto_complete = false;
	fe_rw(BLKIF_OP_READ, 7, 16, 1, &s);
	fe_push();
	run();
	assert_int_equal(W.nios, 1);
	assert_int_equal(xenbus_rm(x0, XENBUS_NO_TX, be_path(NULL)), 0);
	run();
	assert_false(D.mapped);
	assert_int_equal(ports_open(), 0);
	assert_true(D.xb.gone);
	assert_true(bb_vbd_busy(&D.xb.vbd));
	io_complete_all();
	run();
	assert_false(bb_vbd_busy(&D.xb.vbd));
	assert_int_equal(D.xb.vbd.free_pages, 127);
}

/*
 * feature-persistent: offered by a vbd that keeps grants, and taken up
 * for a frontend that writes it: a request's grant is mapped once and
 * kept past the answer, until the connection ends. A frontend that does
 * not write it gets its grants mapped for each request.
 */
static void test_xb_persistent(void **state)
{
	struct blkif_request_segment s = seg(300, 0, 7);
	struct bb_xb_ops o = D.xb.ops;

	grant_new(300, false);
	bb_xb_stop(&D.xb);
	o.bb = &ENV_MAP;
	D.persist_max = 8;
	assert_int_equal(bb_xb_start(&D.xb, &o, GUEST, DEVID, 10, 128), 0);
	announce("1:1024+4096", "w");
	run();
	assert_int_equal(be_uint("feature-persistent"), 1);
	wr(xg, fe_path("feature-persistent"), "1");
	fe_offer(20, BB_XB_PROTOCOL);
	run();
	assert_int_equal(be_state(), XenbusStateConnected);
	for (unsigned int id = 1; id <= 2; id++) {
		fe_rw(BLKIF_OP_READ, id, 16, 1, &s);
		fe_push();
		run();
		assert_int_equal(fe_one(id, BLKIF_OP_READ), BLKIF_RSP_OKAY);
		assert_int_equal(W.map_ops, 1);
		assert_int_equal(W.nmapped, 1);
	}
	assert_int_equal(D.xb.vbd.stats.persistent, 2);
	wr(xg, fe_path("state"), "5"); /* Closing */
	run();
	assert_int_equal(W.nmapped, 0);
	/* A frontend that does not say it reuses its grants. */
	wr(xg, fe_path("state"), "6");
	run();
	wr(xg, fe_path("state"), "1");
	run();
	assert_int_equal(
	    xenbus_rm(xg, XENBUS_NO_TX, fe_path("feature-persistent")), 0);
	fe_offer(21, NULL);
	run();
	assert_int_equal(be_state(), XenbusStateConnected);
	fe_rw(BLKIF_OP_READ, 3, 16, 1, &s);
	fe_push();
	run();
	assert_int_equal(fe_one(3, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	assert_int_equal(W.map_ops, 2);
	assert_int_equal(W.nmapped, 0);
	assert_int_equal(D.xb.vbd.stats.persistent, 0);
}

/* Offers that are refused, each with a line saying why. */
static void test_xb_refusals(void **state)
{
	static const struct {
		const char *key, *val, *why;
	} bad[] = {
		{ "protocol", "x86_32-abi", "protocol" },
		{ "ring-page-order", "1", "ring-page-order" },
		{ "ring-ref", "4000", "mapping ring-ref" },
		{ "event-channel", "0", "binding" },
		{ "ring-ref", "x", "ring-ref" },
	};

	announce("1:1024+4096", "w");
	run();
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fe_offer(20, BB_XB_PROTOCOL);
		wr(xg, fe_path(bad[i].key), bad[i].val);
		W.log_len = 0;
		W.log[0] = '\0';
		run();
		print_message("%s\n", bad[i].why);
		assert_int_equal(be_state(), XenbusStateClosing);
		assert_non_null(strstr(W.log, "cannot connect"));
		assert_non_null(strstr(W.log, bad[i].why));
		assert_false(D.mapped);
		assert_int_equal(ports_open(), 0);
		/* The frontend gives up; the next one may try. */
		xenbus_rm(xg, XENBUS_NO_TX, fe_path("ring-page-order"));
		xenbus_rm(xg, XENBUS_NO_TX, fe_path("protocol"));
		wr(xg, fe_path("state"), "6");
		run();
		assert_int_equal(be_state(), XenbusStateInitWait);
	}
}

/* The frontend's domain dies with an io at the device. */
static void test_xb_frontend_gone(void **state)
{
	struct blkif_request_segment s = seg(300, 0, 7);

	grant_new(300, false);
	announce("1:1024+4096", "w");
	run();
	fe_offer(20, BB_XB_PROTOCOL);
	run();
	assert_int_equal(be_state(), XenbusStateConnected);
	W.auto_complete = false;
	fe_rw(BLKIF_OP_READ, 1, 0, 1, &s);
	fe_push();
	run();
	assert_int_equal(W.nios, 1);
	assert_int_equal(xenbus_rm(x0, XENBUS_NO_TX, fe_path(NULL)), 0);
	run();
	assert_int_equal(be_state(), XenbusStateInitWait);
	assert_false(D.mapped);
	assert_int_equal(ports_open(), 0);
	assert_true(bb_vbd_busy(&D.xb.vbd));

	/* A new frontend waits until the device let go of the pages. */
	dir_with_perms(fe_path(NULL), GUEST, BLKDOM);
	fe_offer(22, BB_XB_PROTOCOL);
	run();
	assert_int_equal(be_state(), XenbusStateInitWait);
	assert_false(D.mapped);
	io_complete_all();
	run();
	assert_int_equal(be_state(), XenbusStateConnected);
	assert_int_equal(SRING->rsp_prod, 0); /* the old answer went nowhere */
	assert_int_equal(D.map_ref, 22);
}

/* A frontend that breaks the ring protocol loses the connection. */
static void test_xb_protocol_violation(void **state)
{
	announce("1:1024+4096", "w");
	run();
	fe_offer(20, BB_XB_PROTOCOL);
	run();
	SRING->req_prod = 1000;
	run();
	assert_int_equal(be_state(), XenbusStateClosing);
	assert_non_null(strstr(W.log, "protocol violation"));
	assert_false(D.mapped);
	wr(xg, fe_path("state"), "6");
	run();
	assert_int_equal(be_state(), XenbusStateInitWait);
	/* Again and again: left Closed until the toolstack resets it. */
	for (unsigned int i = 1; i < BB_XB_MAX_FAILS; i++) {
		fe_offer(20, BB_XB_PROTOCOL);
		run();
		SRING->req_prod = 1000;
		run();
		wr(xg, fe_path("state"), "6");
		run();
	}
	assert_int_equal(be_state(), XenbusStateClosed);
	assert_non_null(strstr(W.log, "failures in a row"));
	fe_offer(20, BB_XB_PROTOCOL);
	run();
	assert_int_equal(be_state(), XenbusStateClosed);
	wr(x0, be_path("state"), "1");
	run();
	assert_int_equal(be_state(), XenbusStateConnected);
}

/* A read-only GPT partition; then targets that are no disk. */
static void test_xb_targets(void **state)
{
	static const char *const bad[][3] = {
		{ "1:gpt:9", "w", "no such partition" },
		{ "1:1024+4096", "rw", "mode" },
		{ "1:1024+", "w", "target" },
		{ "2:0+8", "w", "no such namespace" },
		{ "1:8000+1000", "w", "not inside the namespace" },
	};
	struct blkif_request_segment s = seg(300, 0, 7);

	grant_new(300, false);
	/* A GPT on the namespace with partition 2 inside [1024, 5120). */
	gpt_build(512, NS_SECT);
	{
		uint8_t *e = GPT + 2 * 512 + 128;

		put64(e + 32, 2048);
		put64(e + 40, 2048 + 999);
		gpt_seal(512);
	}
	memcpy(W.disk, GPT, sizeof(GPT));
	memcpy(W.expect, GPT, sizeof(GPT));
	announce("1:gpt:2", "r");
	run();
	assert_int_equal(be_state(), XenbusStateInitWait);
	assert_int_equal(be_uint("sectors"), 1000);
	assert_int_equal(be_uint("info"), VDISK_READONLY);
	fe_offer(20, BB_XB_PROTOCOL);
	run();
	fe_rw(BLKIF_OP_WRITE, 1, 0, 1, &s);
	fe_rw(BLKIF_OP_READ, 2, 0, 1, &s);
	fe_push();
	run();
	fe_two(BLKIF_RSP_ERROR, BLKIF_RSP_OKAY);
	assert_memory_equal(grant_page(300, false), W.disk + 2048 * 512, 4096);
	disk_unchanged();

	/* No such partition, a bad mode, a bad string: Closed, logged. */
	for (unsigned int i = 0; i < 5; i++) {
		W.log_len = 0;
		W.log[0] = '\0';
		wr(x0, be_path("target"), bad[i][0]);
		wr(x0, be_path("mode"), bad[i][1]);
		wr(x0, be_path("state"), "1");
		run();
		print_message("%s %s\n", bad[i][0], bad[i][1]);
		assert_int_equal(be_state(), XenbusStateClosed);
		assert_non_null(strstr(W.log, "no disk"));
		assert_non_null(strstr(W.log, bad[i][2]));
		assert_false(D.mapped);
	}
}

/* A frontend node the toolstack got wrong: not used, said once. */
static void test_xb_bad_frontend(void **state)
{
	static const char *const bad[][2] = {
		{ "frontend-id", "8" },
		{ "frontend", "/local/domain/8/device/vbd/51712" },
		{ "frontend", "/local/domain/7/" },
		{ "frontend", "/local/domain/77/device/vbd/51712" },
	};

	const char *first;

	for (unsigned int i = 0; i < 4; i++) {
		announce("1:1024+4096", "w");
		wr(x0, be_path(bad[i][0]), bad[i][1]);
		wr(x0, be_path("state"), "1");
		run();
		print_message("%s %s\n", bad[i][0], bad[i][1]);
		assert_int_equal(be_state(), XenbusStateInitialising);
		assert_false(D.xb.fe_watched);
	}
	first = strstr(W.log, "no usable frontend");
	assert_non_null(first);
	assert_null(strstr(first + 1, "no usable frontend"));
	announce("1:1024+4096", "w");
	run();
	assert_int_equal(be_state(), XenbusStateInitWait);
}

#define T(f)  cmocka_unit_test_setup_teardown(f, setup, teardown)
#define XB(f) cmocka_unit_test_setup_teardown(f, xb_setup, xb_teardown)
#define M(f)  cmocka_unit_test_setup_teardown(f, setup_map, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_config_check),
		T(test_map_range),
		T(test_read),
		T(test_write),
		T(test_device_error),
		T(test_out_of_order),
		T(test_bad_requests),
		T(test_readonly),
		T(test_block_alignment),
		T(test_grant_failures),
		T(test_flush),
		T(test_barrier),
		T(test_discard),
		T(test_indirect),
		T(test_indirect_bad),
		T(test_indirect_limit),
		T(test_backpressure),
		T(test_hostile_prod),
		T(test_hostile_prod_back),
		T(test_hostile_prod_after_answer),
		T(test_flood),
		T(test_disconnect_mid_steps),
		T(test_disconnect_reattach),
		T(test_sync_completion),
		T(test_device_busy),
		M(test_map_read),
		M(test_map_write),
		M(test_map_failures),
		M(test_map_fallback),
		M(test_map_stall),
		M(test_map_disconnect),
		M(test_map_errors),
		T(test_persist_reuse),
		T(test_persist_refused),
		T(test_persist_disconnect),
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_gpt_good),
		cmocka_unit_test(test_gpt_corrupt),
		cmocka_unit_test(test_guid_parse),
		cmocka_unit_test(test_target),
		cmocka_unit_test(test_xb_decide),
		XB(test_xb_lifecycle),
		XB(test_xb_persistent),
		XB(test_xb_refusals),
		XB(test_xb_frontend_gone),
		XB(test_xb_protocol_violation),
		XB(test_xb_targets),
		XB(test_xb_bad_frontend),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
