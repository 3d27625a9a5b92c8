/*
 * The block driver domain: owns the disk controller its command line
 * names ("sbdf=N"), drives it through blkdrv, and serves with blkback
 * the vbds the control domain announces below our backend/vbd, each a
 * range (or GPT partition) of one namespace (blkdom_vbds.c finds them).
 *
 * The data path: blkback grant-copies a write into our own DMA pages and
 * hands the device op to blkdom_disk.c, which gives the controller
 * those pages' bus addresses; a read goes the other way. With
 * "mapmin=N" (sectors), requests of N sectors or more are mapped
 * instead: blkback maps their grants for the device (GNTMAP_device_map
 * only: the hypervisor puts the frames in our IOMMU context, not in our
 * page tables), the controller gets the frames' bus addresses and reads
 * or writes the guest's pages, and the mappings go when the op is done.
 * At most BD_MAX_MAPS grants are mapped at once; past that, requests
 * are copied. Should we die, the hypervisor takes every mapping back.
 *
 * A frontend that keeps its grants (feature-persistent, offered unless
 * "persist=0") has each mapped for the device once, on first use, up
 * to BD_PERSIST a vbd: its requests in those grants reach the device
 * with no grant operation and no copy. Block benchmark, -icount, per
 * request through blkback, copied against a registered buffer's kept
 * grants (32-segment requests then): 4 KiB random QD32 5.3k -> 3.0k
 * instructions, sequential 256 KiB 124.5k -> 28.5k.
 *
 * Why copying is the default (make bench, block, QEMU TCG, -icount
 * instruction counts per 4 KiB page): a grant copy op costs 1.1
 * thousand in a request's batch, half of it the copy itself; a
 * device-only map and its unmap 1.9 thousand together, nearly all of it
 * fixed per op (each op's read and status write, its handle, the IOMMU
 * entry, the pin). So mapping saves the copy and pays more than it
 * back; the sequential benchmark is no faster mapped (mapmin=16) than
 * copied. Once a map and an unmap cost less than a copy, "mapmin=" is
 * the switch.
 *
 * The main loop: each round reaps the controller's completions, polls
 * every vbd (answers and new requests) and the xenstore ring, then blocks
 * until an event (a vbd's port, the controller's MSI-X, xenstore) or a
 * timer (IDLE_NS; the controller's health check wants a look now and
 * then). Events only count (kicks); the work is done in the loop.
 */
#include <stdarg.h>
#include <public/errno.h>
#include <public/event_channel.h>
#include <xen/lib.h>
#include <xen/string.h>
#include <driverdom/fault.h>
#include <driverdom/blkdom.h>
#include <driverdom/pci.h>
#include <driverdom/standby.h>
#include <stub/check.h>
#include <stub/events.h>
#include <stub/gnttab.h>
#include <stub/hypercall.h>
#include <stub/stub.h>
#include <stub/time.h>
#include <stub/xenbus_glue.h>

#define MS	    1000000ull
#define IDLE_NS	    (20 * MS)
#define DISK_BUDGET 64 /* completions per round */
#define VBD_BUDGET  32 /* requests per vbd per round */
#define LOG_LINE    256
#define GPT_PAGES   ((BB_GPT_BYTES + 4095) / 4096)

static struct xenbus xb;
static struct dd_pci pci;
static struct blkdrv bd;
static struct bd_disk disk;
static struct bd_vbds vbds;
static struct bb_env env;
static struct dd_dma pages[BD_PAGES], gpt_pages[GPT_PAGES];
static volatile unsigned long kicks;
static uint32_t map_min_sectors = BD_MAP_MIN_SECTORS;
static uint32_t persist_max = BD_PERSIST;

static void on_kick(evtchn_port_t port, void *data)
{
	kicks++;
}

static void on_store(evtchn_port_t port, void *data)
{
	kicks++;
	stub_xenbus_event();
}

/* ---- blkback's environment ---- */

static long env_grant_copy(void *ctx, struct gnttab_copy *ops, unsigned int n)
{
	return stub_grant_copy(ops, n);
}

static unsigned int maps_held; /* data grants mapped, all vbds */

static long env_grant_map(void *ctx, struct gnttab_map_grant_ref *ops,
			  unsigned int n)
{
	long rc;

	if (n > BD_MAX_MAPS - maps_held)
		return -XEN_ENOSPC;
	rc = stub_gnttab_op(GNTTABOP_map_grant_ref, ops, n);
	for (unsigned int i = 0; i < n; i++)
		maps_held += ops[i].status == GNTST_okay;
	return rc;
}

static long env_grant_unmap(void *ctx, struct gnttab_unmap_grant_ref *ops,
			    unsigned int n)
{
	long rc = stub_gnttab_op(GNTTABOP_unmap_grant_ref, ops, n);

	for (unsigned int i = 0; i < n; i++)
		maps_held -= ops[i].status == GNTST_okay;
	return rc;
}

static struct bb_page env_local_page(void *ctx, unsigned int i)
{
	struct dd_dma *p = &pages[i < BD_PAGES ? i : 0];

	return (
	    struct bb_page){ .va = p->va, .mfn = p->bus >> 12, .bus = p->bus };
}

static long env_disk_submit(void *ctx, struct bb_io *io)
{
	return bd_disk_submit(&disk, io);
}

static void env_notify(void *ctx, struct bb_vbd *vbd)
{
	struct evtchn_send send = { .port = bd_vbd_port(&vbds, vbd) };

	stub_evtchn_op(EVTCHNOP_send, &send);
}

static uint64_t env_now(void *ctx)
{
	return stub_now();
}

static void env_log(void *ctx, const char *fmt, ...)
{
	char line[LOG_LINE];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printf("blkdom: %s", line);
}

/* ---- The ring and port of a vbd ---- */

static long op_map(void *ctx, domid_t domid, grant_ref_t ref, void **va,
		   uint32_t *handle)
{
	unsigned long a = BD_MAP_VA + (uintptr_t)ctx * 4096ul;
	grant_handle_t h;
	long rc = stub_grant_map(domid, ref, a, false, &h);

	if (rc == GNTST_okay) {
		*va = (void *)a;
		*handle = h;
	}
	return rc;
}

static long op_unmap(void *ctx, void *va, uint32_t handle)
{
	return stub_grant_unmap(handle, (unsigned long)va);
}

static long op_bind(void *ctx, domid_t domid, evtchn_port_t remote)
{
	struct evtchn_bind_interdomain b = { .remote_dom = domid,
					     .remote_port = remote };
	long rc = stub_evtchn_op(EVTCHNOP_bind_interdomain, &b);

	if (rc < 0)
		return rc;
	stub_event_bind(b.local_port, on_kick, NULL);
	return b.local_port;
}

static void op_close(void *ctx, evtchn_port_t port)
{
	struct evtchn_close c = { .port = port };

	stub_evtchn_op(EVTCHNOP_close, &c);
}

/* ---- Where a target lies ---- */

static void gpt_done(struct blkdrv_req *req, long status)
{
	*(long *)req->ctx = status;
}

/* The first BB_GPT_BYTES of namespace ns into buf: 0 or -XEN_E*. */
static long gpt_read(unsigned int ns, uint8_t *buf)
{
	const struct blkdrv_ns *n = &bd.geom.ns[ns];
	struct blkdrv_seg segs[GPT_PAGES];
	long status = 1, rc;
	struct blkdrv_req req = { .op = BLKDRV_READ,
				  .ns = ns,
				  .blocks = GPT_PAGES * 4096 / n->block_size,
				  .segs = segs,
				  .nr_segs = GPT_PAGES,
				  .done = gpt_done,
				  .ctx = &status };

	if (n->blocks < req.blocks)
		return -XEN_ENOSPC;
	for (unsigned int i = 0; i < GPT_PAGES; i++)
		segs[i] = (struct blkdrv_seg){ gpt_pages[i].bus, 4096 };
	for (uint64_t until = stub_now() + 2000 * MS;
	     (rc = blkdrv_submit(&bd, &req)) == -XEN_EAGAIN &&
	     stub_now() < until;)
		blkdrv_poll(&bd, DISK_BUDGET);
	if (rc)
		return rc;
	while (status == 1)
		blkdrv_poll(&bd, DISK_BUDGET);
	for (unsigned int i = 0; i < GPT_PAGES; i++)
		memcpy(buf + i * 4096, gpt_pages[i].va, 4096);
	return status;
}

static int op_resolve(void *ctx, const struct bb_target *t,
		      struct bb_vbd_config *cfg, const char **why)
{
	static uint8_t gpt[GPT_PAGES * 4096];
	struct bb_gpt_key key = { .by = BB_GPT_BY_NUMBER, .number = t->part };
	struct bb_gpt_part part;
	int ns = bd_ns_index(&bd, t->nsid);
	uint32_t bs;
	int rc;

	if (ns < 0) {
		*why = "no such namespace";
		return -XEN_ENOENT;
	}
	bs = bd.geom.ns[ns].block_size;
	cfg->nsid = t->nsid;
	cfg->block_size = bs;
	cfg->ns_sectors = bd.geom.ns[ns].blocks * (bs / BB_SECTOR_SIZE);
	cfg->discard = bd.geom.max_discard > 0;
	cfg->start = t->start;
	cfg->sectors = t->sectors;
	cfg->map_min_sectors = map_min_sectors;
	/* A request is one device op: no more pages than it moves. */
	cfg->indirect_segs = bd.geom.max_transfer / 4096;
	cfg->persist_max = persist_max;
	if (!t->gpt)
		return 0;
	if (gpt_read((unsigned int)ns, gpt)) {
		*why = "cannot read the partition table";
		return -XEN_EIO;
	}
	rc = bb_gpt_find(gpt, sizeof(gpt), bs, bd.geom.ns[ns].blocks, &key,
			 &part, why);
	if (rc)
		return rc;
	cfg->start = part.start;
	cfg->sectors = part.sectors;
	return 0;
}

/* ---- Setting up, and the main loop ---- */

static void alloc_pages(struct dd_dma *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (dd_dma_alloc(&p[i]))
			stub_panic("blkdom: out of DMA pages");
}

static void open_disk(const char *cmdline)
{
	long rc = dd_pci_open(&pci, cmdline);

	if (!rc)
		rc = blkdrv_open(&bd, &pci);
	if (rc)
		stub_panic("blkdom: no disk controller (%ld)", rc);
	printf("blkdom: %s at %u:%02x:%02x.%u, %u namespace(s), model '%s'\n",
	       bd.ops->name, pci.sbdf >> 16, (pci.sbdf >> 8) & 0xff,
	       (pci.sbdf >> 3) & 0x1f, pci.sbdf & 7, bd.geom.nr_ns,
	       bd.geom.model);
	for (unsigned int i = 0; i < bd.geom.nr_ns; i++)
		printf("blkdom: namespace %u: %llu blocks of %u bytes\n",
		       bd.geom.ns[i].id,
		       (unsigned long long)bd.geom.ns[i].blocks,
		       bd.geom.ns[i].block_size);
}

static void setup(const char *cmdline)
{
	const struct bb_xb_ops ops = {
		.map = op_map,
		.unmap = op_unmap,
		.bind = op_bind,
		.close = op_close,
		.resolve = op_resolve,
		.xb = &xb,
		.bb = &env,
	};
	long rc;

	stub_events_init();
	stub_check("grant table", stub_gnttab_init(1), 0);
	alloc_pages(pages, BD_PAGES);
	alloc_pages(gpt_pages, GPT_PAGES);
	env = (struct bb_env){
		.grant_copy = env_grant_copy,
		.grant_map = env_grant_map,
		.grant_unmap = env_grant_unmap,
		.local_page = env_local_page,
		.disk_submit = env_disk_submit,
		.notify = env_notify,
		.now_ns = env_now,
		.log = env_log,
	};
	if (stub_arg_has(cmdline, "mapmin="))
		map_min_sectors = stub_arg_uint(cmdline, "mapmin=");
	if (stub_arg_has(cmdline, "persist="))
		persist_max = stub_arg_uint(cmdline, "persist=");
	dd_store_start(&xb, "blkdom", on_store, cmdline);
	open_disk(cmdline);
	disk = (struct bd_disk){ .bd = &bd, .local_page = env_local_page };
	/* Before serving: no vbd uses the pages yet. */
	if (stub_arg_has(cmdline, "bench="))
		bd_bench(&bd, pages, BD_PAGES,
			 stub_arg_uint(cmdline, "bench="));
	dd_watchdog_start(cmdline);
	rc = bd_vbds_start(&vbds, &ops);
	if (rc)
		stub_panic("blkdom: cannot watch " BB_XB_ROOT " (%ld)", rc);
	printf("blkdom: serving " BB_XB_ROOT " (at most %u vbds)\n",
	       BD_MAX_VBDS);
}

int app_main(const char *cmdline)
{
	setup(cmdline);
	for (;;) {
		unsigned long k = kicks, irqs = bd.stats.irqs;
		bool more = blkdrv_poll(&bd, DISK_BUDGET) >= DISK_BUDGET;

		dd_watchdog_kick(stub_now());
		more |= bd_vbds_poll(&vbds, VBD_BUDGET);
		blkdrv_flush(&bd); /* what this round submitted */
		if (xenbus_poll(&xb) > 0)
			xenbus_dispatch(&xb);
		bd_vbds_update(&vbds);
		/* Until an event, unless one came this round. */
		if (!more)
			stub_block_until(stub_now() + IDLE_NS,
					 kicks != k || bd.stats.irqs != irqs);
	}
}
