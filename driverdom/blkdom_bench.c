/*
 * The baseline of the block benchmark ("bench=N"): before serving, the
 * driver domain runs through its own driver the workloads a guest's
 * benchmark runs through blkfront and blkback (stubdom/tests/blkguest.c):
 * the same sectors (the guest's vbd in tests/bench.py is sectors
 * [16384, 32768) of namespace 1), in the same order (the same generator
 * and seed), with the same request sizes and queue depths. Guest /
 * driver-domain rates are then the cost of the path through blkfront,
 * blkback and the hypervisor, measured in one run on one device.
 *
 * Sequential transfers are 256 KiB requests, two in flight: the largest
 * request blkfront takes (BLKFRONT_MAX_SECTORS), so that the guest's
 * workload is this one and not a split version of it.
 *
 * Waiting is what serving does: poll the controller, and when nothing
 * completed block until its interrupt (or a millisecond, as a guard).
 */
#include <public/errno.h>
#include <driverdom/blkdom.h>
#include <stub/events.h>
#include <stub/stub.h>
#include <stub/time.h>

#define MS	       1000000ull
#define SECTOR	       512
#define PAGE	       4096
#define REGION_AT      16384 /* sectors: where the guest's vbd starts */
#define REGION_SECTORS 16384
#define SEQ_BYTES      (256 * 1024)
#define SEQ_PAGES      (SEQ_BYTES / PAGE)
#define MAX_QD	       32
#define STALL_NS       (2000 * MS) /* nothing completes: give up */
#define SEED	       0x9e3779b97f4a7c15ull

struct workload {
	const char *name;
	enum blkdrv_op op;
	uint32_t bytes; /* per request */
	unsigned int qd;
	bool random;
};

/* The guest's list (blkguest.c), name for name: bench.py pairs them. */
static const struct workload loads[] = {
	{ "4 KiB random read QD32", BLKDRV_READ, PAGE, 32, true },
	{ "4 KiB random read QD1", BLKDRV_READ, PAGE, 1, true },
	{ "4 KiB random write QD32", BLKDRV_WRITE, PAGE, 32, true },
	{ "4 KiB random write QD1", BLKDRV_WRITE, PAGE, 1, true },
	{ "sequential read 256 KiB QD2", BLKDRV_READ, SEQ_BYTES, 2, false },
	{ "sequential write 256 KiB QD2", BLKDRV_WRITE, SEQ_BYTES, 2, false },
};

struct bench_io {
	struct blkdrv_req req;
	struct blkdrv_seg segs[SEQ_PAGES];
	bool busy;
};

static struct bench_io ios[MAX_QD];
static unsigned long completed, failed;

static uint64_t next_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

static void io_done(struct blkdrv_req *req, long status)
{
	struct bench_io *io = req->ctx;

	io->busy = false;
	completed++;
	failed += status != 0;
}

/* Completions, or block until the controller's interrupt. */
static void bench_wait(struct blkdrv *bd)
{
	unsigned long seen = bd->irq.count;

	if (blkdrv_poll(bd, MAX_QD) || !bd->in_flight)
		return;
	stub_timer_arm(stub_now() + MS);
	stub_wait_until(bd->irq.count != seen || stub_timer_fired());
}

/* io's request at sector (of the region), on the pages given. */
static void io_setup(struct bench_io *io, const struct workload *w,
		     unsigned int ns, uint32_t bs, uint64_t sector,
		     const struct dd_dma *pages)
{
	unsigned int n = w->bytes / PAGE;

	for (unsigned int p = 0; p < n; p++)
		io->segs[p] = (struct blkdrv_seg){ pages[p].bus, PAGE };
	io->req =
	    (struct blkdrv_req){ .op = w->op,
				 .ns = ns,
				 .lba = (REGION_AT + sector) * SECTOR / bs,
				 .blocks = w->bytes / bs,
				 .segs = io->segs,
				 .nr_segs = n,
				 .done = io_done,
				 .ctx = io };
}

/* Fill the free slots: false when the driver refuses a request. */
static bool fill(struct blkdrv *bd, const struct workload *w, unsigned int ns,
		 const struct dd_dma *pages, unsigned long ops,
		 unsigned long *issued, uint64_t *rnd)
{
	uint64_t places = REGION_SECTORS * (uint64_t)SECTOR / w->bytes;
	uint32_t bs = bd->geom.ns[ns].block_size;

	for (unsigned int i = 0; i < w->qd && *issued < ops; i++) {
		uint64_t before = *rnd, at;
		long rc;

		if (ios[i].busy)
			continue;
		at = w->random ? next_rand(rnd) % places : *issued % places;
		io_setup(&ios[i], w, ns, bs, at * (w->bytes / SECTOR),
			 pages + i * (w->bytes / PAGE));
		/* Batched as blkback's requests are: one doorbell a fill. */
		rc = blkdrv_submit_more(bd, &ios[i].req);
		if (rc == -XEN_EAGAIN) {
			*rnd = before; /* the same place again, later */
			break;
		}
		if (rc) {
			blkdrv_flush(bd);
			return false;
		}
		ios[i].busy = true;
		(*issued)++;
	}
	blkdrv_flush(bd);
	return true;
}

/* ops requests of workload w, qd of them in flight: prints the figures. */
static void run(struct blkdrv *bd, unsigned int ns, const struct dd_dma *pages,
		const struct workload *w, unsigned long ops)
{
	unsigned long issued = 0, done0 = completed, failed0 = failed, seen;
	long halted0 = stub_all_halted_ns();
	uint64_t rnd = SEED, t0 = stub_now(), last = t0, ns_taken, busy;
	bool ok = ops > 0;

	while (completed - done0 < ops && ok) {
		seen = completed;
		ok = fill(bd, w, ns, pages, ops, &issued, &rnd);
		bench_wait(bd);
		if (completed != seen)
			last = stub_now();
		ok &= stub_now() - last < STALL_NS;
	}
	while (bd->in_flight && stub_now() - last < STALL_NS)
		bench_wait(bd);
	ns_taken = stub_now() - t0;
	if (!ok || failed != failed0) {
		printf("blkbench: driver domain %s: stopped after %lu ops, %lu "
		       "failed\n",
		       w->name, completed - done0, failed - failed0);
		return;
	}
	printf("blkbench: driver domain %s: %lu ops in %llu us: %llu ns per "
	       "op",
	       w->name, ops, (unsigned long long)(ns_taken / 1000),
	       (unsigned long long)(ns_taken / ops));
	if (!w->random)
		printf(", %llu MB/s",
		       (unsigned long long)(ops * w->bytes * 1000 / ns_taken));
	if (stub_busy_since(halted0, ns_taken, &busy))
		printf(", %llu ns busy per op",
		       (unsigned long long)(busy / ops));
	printf("\n");
}

void bd_bench(struct blkdrv *bd, const struct dd_dma *pages,
	      unsigned int npages, unsigned int n)
{
	int ns = bd_ns_index(bd, 1);

	if (!n)
		return;
	if (ns < 0 || bd->geom.ns[ns].blocks * bd->geom.ns[ns].block_size <
			  (REGION_AT + REGION_SECTORS) * (uint64_t)SECTOR) {
		printf("blkbench: namespace 1 is too small: no benchmark\n");
		return;
	}
	for (unsigned int i = 0; i < sizeof(loads) / sizeof(loads[0]); i++) {
		const struct workload *w = &loads[i];

		if (w->qd * (w->bytes / PAGE) > npages ||
		    w->bytes > bd->geom.max_transfer) {
			printf("blkbench: driver domain %s: does not fit\n",
			       w->name);
			continue;
		}
		/* Sequential: 1/8 as many requests (n * 32 KiB). */
		run(bd, (unsigned int)ns, pages, w, w->random ? n : n / 8);
	}
}
