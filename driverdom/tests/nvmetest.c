/*
 * The NVMe driver against QEMU's NVMe disk (toolstack "sbdf=N", a 16
 * MiB image): open it through blkdrv, refuse bad requests, write
 * patterns (one sector, two pages, PRP lists starting mid-page, the
 * largest transfer), flush, read back and compare; discard a range and
 * check its neighbours; reset the controller under the driver with 32
 * writes outstanding (CC.EN cleared through our own mapping of its
 * registers) and with 32 reads outstanding (memory decoding and bus
 * mastering taken away, as a function reset leaves them): every
 * request must complete exactly once, successfully, with the right
 * data. Of each 32, the first 16 were done by the device but not yet
 * reaped by the driver when the reset came, the other 16 submitted
 * after it, before the driver could know. Then figures: 4 KiB random
 * IOPS at queue depth 32 and 1, 1 MiB sequential MB/s.
 * Prints "nvmetest: N passed, M failed".
 *
 * Disk layout: [0, 1 MiB) pattern tests, [1, 2 MiB) discard, [2, 4 MiB)
 * resets, [4, 16 MiB) benchmarks. Every sector's pattern names its
 * block and a generation, so misplaced or stale data shows.
 */
#include <public/errno.h>
#include <public/sched.h>
#include <xen/string.h>
#include <driverdom/blkdrv.h>
#include <driverdom/nvme_spec.h>
#include <driverdom/pci.h>
#include <stub/check.h>
#include <stub/events.h>
#include <stub/mm.h>
#include <stub/stub.h>
#include <stub/time.h>

#define MS	   1000000ull
#define PAGE	   4096u
#define POOL_PAGES 256 /* 1 MiB of DMA-able buffers */
#define MIB	   (1u << 20)
#define IOS	   32
#define IO_SEGS	   (POOL_PAGES + 1)
#define DISK_BYTES (16u << 20)
#define DISCARD_AT (1u * MIB)
#define RESET_AT   (2u * MIB)
#define BENCH_AT   (4u * MIB)
#define BENCH_NS   (1000 * MS)
#define IO_WAIT_NS (20000 * MS)

struct io {
	struct blkdrv_req req;
	struct blkdrv_seg segs[IO_SEGS];
	unsigned int done; /* done() calls */
	long status;
	bool busy;
};

static struct dd_pci pci;
static struct blkdrv bd;
static struct dd_dma pool[POOL_PAGES];
static struct io ios[IOS];
static uint32_t bs;			/* namespace 0's block size */
static unsigned int pending;		/* submitted, not done */
static unsigned long completed, errors; /* done() calls, non-zero ones */

static void on_done(struct blkdrv_req *req, long status)
{
	struct io *io = req->ctx;

	completed++;
	errors += status != 0;
	io->done++;
	io->status = status;
	io->busy = false;
	pending--;
}

/*
 * One round of the main loop: poll, and when that found nothing, block
 * until the device's next event or 2 ms (the driver's health checks
 * need polls even when no event comes).
 */
static void wait_some(void)
{
	unsigned long seen = bd.irq.count;

	if (blkdrv_poll(&bd, IOS) || !pending)
		return;
	stub_timer_arm(stub_now() + 2 * MS);
	stub_wait_until(bd.irq.count != seen || stub_timer_fired());
}

/* Until every request submitted is done, at most timeout. */
static void wait_all(uint64_t timeout)
{
	uint64_t until = stub_now() + timeout;

	while (pending && stub_now() < until)
		wait_some();
}

/* Submit, polling while the queue is full or the device recovers. */
static long submit(struct io *io)
{
	uint64_t until = stub_now() + IO_WAIT_NS;
	long rc;

	io->done = 0;
	io->status = 1;
	while ((rc = blkdrv_submit(&bd, &io->req)) == -XEN_EAGAIN &&
	       stub_now() < until)
		blkdrv_poll(&bd, IOS);
	if (!rc) {
		io->busy = true;
		pending++;
	}
	return rc;
}

/* The caller's buffer from pool page p, byte off, len bytes. */
static void io_setup(struct io *io, enum blkdrv_op op, uint64_t lba,
		     unsigned int p, uint32_t off, uint32_t len)
{
	unsigned int n = 0;

	io->req = (struct blkdrv_req){ .op = op,
				       .lba = lba,
				       .blocks = len / bs,
				       .segs = io->segs,
				       .done = on_done,
				       .ctx = io };
	while (len && n < IO_SEGS && p < POOL_PAGES) {
		uint32_t chunk = PAGE - off < len ? PAGE - off : len;

		io->segs[n++] = (struct blkdrv_seg){ pool[p].bus + off, chunk };
		len -= chunk;
		off = 0;
		p++;
	}
	io->req.nr_segs = n;
}

/* Word i of block lba as generation gen writes it. */
static uint64_t pattern(uint64_t lba, uint32_t gen, unsigned int i)
{
	return lba << 32 | (uint64_t)(gen & 0xffff) << 16 | i;
}

/* Block k of the buffer at (p, off): off and bs divide the page. */
static uint64_t *block_va(unsigned int p, uint32_t off, unsigned int k)
{
	uint32_t at = off + k * bs;

	return (uint64_t *)((uint8_t *)pool[p + at / PAGE].va + at % PAGE);
}

static void fill(unsigned int p, uint32_t off, uint32_t len, uint64_t lba,
		 uint32_t gen)
{
	for (unsigned int k = 0; k < len / bs; k++) {
		uint64_t *w = block_va(p, off, k);

		for (unsigned int i = 0; i < bs / 8; i++)
			w[i] = pattern(lba + k, gen, i);
	}
}

static void wipe(unsigned int p, uint32_t off, uint32_t len)
{
	for (unsigned int k = 0; k < len / bs; k++)
		memset(block_va(p, off, k), 0, bs);
}

/* How many blocks of the buffer differ from generation gen's pattern. */
static unsigned int verify(unsigned int p, uint32_t off, uint32_t len,
			   uint64_t lba, uint32_t gen)
{
	unsigned int bad = 0;

	for (unsigned int k = 0; k < len / bs; k++) {
		const uint64_t *w = block_va(p, off, k);

		for (unsigned int i = 0; i < bs / 8; i++)
			if (w[i] != pattern(lba + k, gen, i)) {
				bad++;
				break;
			}
	}
	return bad;
}

/* One request to its end: its status, -XEN_ETIMEDOUT if it never came. */
static long run(struct io *io)
{
	long rc = submit(io);

	if (rc)
		return rc;
	wait_all(IO_WAIT_NS);
	return io->done == 1 ? io->status : -XEN_ETIMEDOUT;
}

/* Write gen's pattern at lba from (p, off), read it back, compare. */
static void roundtrip(const char *what, uint64_t lba, unsigned int p,
		      uint32_t off, uint32_t len, uint32_t gen)
{
	struct io *io = &ios[0];
	long wr, rd;
	unsigned int bad;

	fill(p, off, len, lba, gen);
	io_setup(io, BLKDRV_WRITE, lba, p, off, len);
	wr = run(io);
	wipe(p, off, len);
	io_setup(io, BLKDRV_READ, lba, p, off, len);
	rd = run(io);
	bad = verify(p, off, len, lba, gen);
	if (wr || rd || bad)
		printf("nvmetest: %s: %u bytes at block %llu: write %ld, "
		       "read %ld, %u blocks differ\n",
		       what, len, (unsigned long long)lba, wr, rd, bad);
	stub_check(what, wr || rd || bad, 0);
}

static bool test_open(const char *cmdline)
{
	const struct blkdrv_geom *g = blkdrv_geom(&bd);

	stub_check("open the function", dd_pci_open(&pci, cmdline), 0);
	stub_check("bring the controller up", blkdrv_open(&bd, &pci), 0);
	if (stub_checks_failed())
		return false;
	stub_check("a namespace", g->nr_ns >= 1, 1);
	if (!g->nr_ns)
		return false;
	bs = g->ns[0].block_size;
	printf("nvmetest: '%s': %u namespace%s, the first %llu blocks of %u "
	       "bytes; transfers up to %u KiB, %u in flight, discard %s, "
	       "volatile cache %s\n",
	       g->model, g->nr_ns, g->nr_ns == 1 ? "" : "s",
	       (unsigned long long)g->ns[0].blocks, bs, g->max_transfer / 1024,
	       g->queue_depth, g->max_discard ? "yes" : "no",
	       g->volatile_cache ? "yes" : "no");
	stub_check("the whole disk", (long)(g->ns[0].blocks * bs), DISK_BYTES);
	stub_check("32 requests in flight", g->queue_depth >= IOS, 1);
	stub_check("transfers that need a PRP list",
		   g->max_transfer >= 3 * PAGE, 1);
	return !stub_checks_failed();
}

/* A request the driver must refuse with want, and never complete. */
static void refuse(const char *what, struct io *io, long want)
{
	unsigned long before = completed;

	stub_check(what, blkdrv_submit(&bd, &io->req), want);
	blkdrv_poll(&bd, IOS);
	stub_check("a refused request never completes", completed, before);
}

static void test_refusals(void)
{
	const struct blkdrv_geom *g = blkdrv_geom(&bd);
	uint64_t end = g->ns[0].blocks;
	struct io *io = &ios[0];

	io_setup(io, BLKDRV_READ, end, 0, 0, bs);
	refuse("refused: past the end", io, -XEN_EINVAL);
	io_setup(io, BLKDRV_READ, end - 1, 0, 0, 2 * bs);
	refuse("refused: across the end", io, -XEN_EINVAL);
	io_setup(io, BLKDRV_READ, 0, 0, 0, bs);
	io->req.ns = g->nr_ns;
	refuse("refused: no such namespace", io, -XEN_EINVAL);
	io_setup(io, BLKDRV_READ, 0, 0, 0, bs);
	io->req.blocks = 2;
	refuse("refused: segments too short", io, -XEN_EINVAL);
	io_setup(io, BLKDRV_READ, 0, 0, 0, 2 * PAGE);
	io->segs[1].bus += 512;
	refuse("refused: a segment starting mid-page", io, -XEN_EINVAL);
	io_setup(io, BLKDRV_READ, 0, 0, 2, bs);
	refuse("refused: an unaligned address", io, -XEN_EINVAL);
	io_setup(io, BLKDRV_READ, 0, 0, 0, g->max_transfer + PAGE);
	refuse("refused: over the largest transfer", io, -XEN_EINVAL);
	io_setup(io, BLKDRV_READ, 0, 0, 0, bs);
	io->req.op = (enum blkdrv_op)7;
	refuse("refused: no such operation", io, -XEN_EINVAL);
	io_setup(io, BLKDRV_DISCARD, 0, 0, 0, 0);
	refuse("refused: an empty discard", io,
	       g->max_discard ? -XEN_EINVAL : -XEN_EOPNOTSUPP);
	stub_check("nothing in flight", bd.in_flight, 0);
}

/* PRP1 alone, PRP2 as a page, PRP lists, from page starts and not. */
static void test_patterns(void)
{
	uint32_t max = blkdrv_geom(&bd)->max_transfer;
	uint32_t mid = bs < PAGE ? PAGE - bs : 0;

	if (max > (POOL_PAGES - 1) * PAGE)
		max = (POOL_PAGES - 1) * PAGE;
	roundtrip("one block", 0, 0, 0, bs, 1);
	roundtrip("one block mid-page", 4096 / bs, 0, 1024 % PAGE, bs, 2);
	roundtrip("one block at the disk's end",
		  blkdrv_geom(&bd)->ns[0].blocks - 1, 3, 0, bs, 3);
	roundtrip("two pages (PRP2)", 8192 / bs, 0, 0, 2 * PAGE, 4);
	roundtrip("three pages (a PRP list)", 16384 / bs, 0, 0, 3 * PAGE, 5);
	roundtrip("16 pages from mid-page", 32768 / bs, 1, mid, 16 * PAGE, 6);
	roundtrip("the largest transfer", 131072 / bs, 0, 0, max, 7);
	roundtrip("the largest transfer from mid-page", 262144 / bs, 0, mid,
		  max, 8);
}

/* Written, flushed, read back. */
static void test_flush(void)
{
	struct io *io = &ios[0];

	fill(0, 0, 16 * PAGE, 0, 9);
	io_setup(io, BLKDRV_WRITE, 0, 0, 0, 16 * PAGE);
	stub_check("write before the flush", run(io), 0);
	io_setup(io, BLKDRV_FLUSH, 0, 0, 0, 0);
	stub_check("flush", run(io), 0);
	wipe(0, 0, 16 * PAGE);
	io_setup(io, BLKDRV_READ, 0, 0, 0, 16 * PAGE);
	stub_check("read after the flush", run(io), 0);
	stub_check("data after the flush", verify(0, 0, 16 * PAGE, 0, 9), 0);
}

/*
 * Requests [first, last) of IOS, each of len bytes at base + i * len
 * from pool pages from i * len / PAGE, all submitted before any is
 * waited for.
 */
static void submit_many(enum blkdrv_op op, uint32_t base, uint32_t len,
			unsigned int first, unsigned int last)
{
	for (unsigned int i = first; i < last; i++) {
		io_setup(&ios[i], op, (base + i * len) / bs, i * len / PAGE, 0,
			 len);
		stub_check("submit", submit(&ios[i]), 0);
	}
}

/* How many of the IOS requests completed exactly once with status 0. */
static unsigned int count_good(void)
{
	unsigned int good = 0;

	for (unsigned int i = 0; i < IOS; i++)
		good += ios[i].done == 1 && ios[i].status == 0;
	return good;
}

static unsigned int verify_many(uint32_t base, uint32_t len, uint32_t gen)
{
	unsigned int bad = 0;

	for (unsigned int i = 0; i < IOS; i++)
		bad +=
		    verify(i * len / PAGE, 0, len, (base + i * len) / bs, gen);
	return bad;
}

/* 32 writes, then 32 reads, each batch in flight together. */
static void test_queue(void)
{
	for (unsigned int i = 0; i < IOS; i++)
		fill(i, 0, PAGE, (i * 5 * PAGE) / bs, 10);
	for (unsigned int i = 0; i < IOS; i++) {
		io_setup(&ios[i], BLKDRV_WRITE, (i * 5 * PAGE) / bs, i, 0,
			 PAGE);
		stub_check("submit a write", submit(&ios[i]), 0);
	}
	stub_check("32 writes in flight", bd.in_flight, IOS);
	wait_all(IO_WAIT_NS);
	stub_check("32 writes done once", count_good(), IOS);
	wipe(0, 0, IOS * PAGE);
	for (unsigned int i = 0; i < IOS; i++) {
		io_setup(&ios[i], BLKDRV_READ, (i * 5 * PAGE) / bs, i, 0, PAGE);
		stub_check("submit a read", submit(&ios[i]), 0);
	}
	wait_all(IO_WAIT_NS);
	stub_check("32 reads done once", count_good(), IOS);
	for (unsigned int i = 0; i < IOS; i++)
		stub_check("32 reads' data",
			   verify(i, 0, PAGE, (i * 5 * PAGE) / bs, 10), 0);
}

/* Blocks of the buffer at (p, 0) that read as zeroes. */
static unsigned int zero_blocks(unsigned int p, uint32_t len)
{
	unsigned int n = 0;

	for (unsigned int k = 0; k < len / bs; k++) {
		const uint64_t *w = block_va(p, 0, k);
		unsigned int i = 0;

		while (i < bs / 8 && !w[i])
			i++;
		n += i == bs / 8;
	}
	return n;
}

/*
 * 64 KiB written, its middle 32 KiB deallocated: the quarters either
 * side must keep their data. What the middle reads back as is the
 * device's choice (deallocation is advisory): reported, not checked.
 */
static void test_discard(void)
{
	const uint32_t len = 16 * PAGE, hole = len / 2, at = DISCARD_AT;
	struct io *io = &ios[0];
	unsigned int zeroes;

	if (!blkdrv_geom(&bd)->max_discard)
		return; /* refused with -XEN_EOPNOTSUPP in test_refusals() */
	roundtrip("write before the discard", at / bs, 0, 0, len, 11);
	io_setup(io, BLKDRV_DISCARD, (at + len / 4) / bs, 0, 0, hole);
	stub_check("discard", run(io), 0);
	wipe(0, 0, len);
	io_setup(io, BLKDRV_READ, at / bs, 0, 0, len);
	stub_check("read after the discard", run(io), 0);
	stub_check("the blocks before the hole",
		   verify(0, 0, len / 4, at / bs, 11), 0);
	stub_check("the blocks after the hole",
		   verify(12, 0, len / 4, (at + 3 * len / 4) / bs, 11), 0);
	zeroes = zero_blocks(4, hole);
	printf("nvmetest: discarded %u blocks: %u read back as zeroes, %u "
	       "kept their data\n",
	       hole / bs, zeroes,
	       hole / bs - verify(4, 0, hole, (at + len / 4) / bs, 11));
	roundtrip("write over the hole", (at + len / 4) / bs, 0, 0, hole, 12);
}

/*
 * Every one of the IOS requests in flight when the controller was
 * reset must complete once, successfully, with no second completion
 * turning up later; the driver re-initialises exactly once.
 */
static void check_after_reset(const char *how, unsigned long resets,
			      unsigned long reissued)
{
	wait_all(IO_WAIT_NS);
	stub_check("every request completed once after the reset", count_good(),
		   IOS);
	stub_check("re-initialised once", bd.stats.resets - resets, 1);
	for (uint64_t until = stub_now() + 100 * MS; stub_now() < until;)
		wait_some();
	stub_check("no completion twice", count_good(), IOS);
	/* Half were submitted after the reset, before the driver knew. */
	stub_check("what the device never saw was issued again",
		   bd.stats.reissued - reissued >= IOS / 2, 1);
	printf("nvmetest: reset %s: %u of %u completed once, %lu issued "
	       "again\n",
	       how, count_good(), IOS, bd.stats.reissued - reissued);
}

static volatile uint8_t *test_regs;

/*
 * Let the device finish what it was given, without polling: the driver
 * has not seen those completions when the reset comes. QEMU 7.2 frees a
 * queue under the requests it is still doing when the controller is
 * disabled, and crashes when they end, so the reset must find none.
 */
static void settle(void)
{
	stub_sleep(100 * MS);
}

/* 32 writes of 16 KiB, CC.EN cleared under the driver after 16. */
static void test_reset_writes(void)
{
	const uint32_t len = 4 * PAGE;
	unsigned long resets = bd.stats.resets, reissued = bd.stats.reissued;
	volatile void *va;
	uint32_t cc;

	stub_check("map the registers ourselves",
		   dd_pci_map(&pci, 0, 0, PAGE, &va), 0);
	test_regs = va;
	for (unsigned int i = 0; i < IOS; i++)
		fill(i * len / PAGE, 0, len, (RESET_AT + i * len) / bs, 13);
	submit_many(BLKDRV_WRITE, RESET_AT, len, 0, IOS / 2);
	settle();
	cc = *(volatile uint32_t *)(test_regs + NVME_REG_CC);
	*(volatile uint32_t *)(test_regs + NVME_REG_CC) = cc & ~NVME_CC_EN;
	submit_many(BLKDRV_WRITE, RESET_AT, len, IOS / 2, IOS);
	check_after_reset("by CC.EN during 32 writes", resets, reissued);
	wipe(0, 0, IOS * len);
	submit_many(BLKDRV_READ, RESET_AT, len, 0, IOS);
	wait_all(IO_WAIT_NS);
	stub_check("read back after the reset", count_good(), IOS);
	stub_check("data written across the reset",
		   verify_many(RESET_AT, len, 13), 0);
}

/* 32 reads, memory decoding and bus mastering taken away after 16. */
static void test_reset_reads(void)
{
	const uint32_t len = 4 * PAGE;
	unsigned long resets = bd.stats.resets, reissued = bd.stats.reissued;
	uint32_t cmd;

	wipe(0, 0, IOS * len);
	stub_check("read command", dd_pci_read(&pci, DD_PCI_COMMAND, 2, &cmd),
		   0);
	submit_many(BLKDRV_READ, RESET_AT, len, 0, IOS / 2);
	settle();
	stub_check("decoding off",
		   dd_pci_write(&pci, DD_PCI_COMMAND, 2,
				cmd & ~(DD_PCI_CMD_MEM | DD_PCI_CMD_MASTER)),
		   0);
	submit_many(BLKDRV_READ, RESET_AT, len, IOS / 2, IOS);
	check_after_reset("by the command register during 32 reads", resets,
			  reissued);
	stub_check("data read across the reset", verify_many(RESET_AT, len, 13),
		   0);
}

static uint64_t bench_rand_state = 0x9e3779b97f4a7c15ull;

static uint64_t bench_rand(void)
{
	uint64_t x = bench_rand_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return bench_rand_state = x;
}

/*
 * For BENCH_NS, keep qd requests of size bytes in flight over the
 * benchmark area (random or in order), each split into transfers the
 * device takes; then drain. The figures count what completed in the
 * time from the first submit to the drain.
 */
static void bench(const char *what, enum blkdrv_op op, uint32_t size,
		  unsigned int qd, bool random)
{
	uint32_t max = blkdrv_geom(&bd)->max_transfer;
	uint32_t chunk = size < max ? size : max;
	unsigned int n = qd * (size / chunk), pages = chunk / PAGE;
	uint64_t places = (DISK_BYTES - BENCH_AT) / chunk, next = 0;
	unsigned long done0 = completed, errors0 = errors;
	uint64_t start = stub_now(), ns, bytes;

	if (n > IOS || n * pages > POOL_PAGES)
		return;
	for (unsigned int i = 0; i < n; i++)
		ios[i].busy = false;
	while (stub_now() - start < BENCH_NS) {
		for (unsigned int i = 0; i < n; i++) {
			uint64_t at =
			    random ? bench_rand() % places : next++ % places;

			if (ios[i].busy)
				continue;
			io_setup(&ios[i], op, (BENCH_AT + at * chunk) / bs,
				 i * pages, 0, chunk);
			submit(&ios[i]);
		}
		wait_some();
	}
	wait_all(IO_WAIT_NS);
	ns = stub_now() - start;
	bytes = (uint64_t)(completed - done0) * chunk;
	printf("nvmetest: %s: %llu IOPS, %llu MB/s (%lu requests of %u KiB "
	       "in %llu ms)\n",
	       what,
	       (unsigned long long)((completed - done0) * 1000000000ull / ns),
	       (unsigned long long)(bytes * 1000 / ns), completed - done0,
	       chunk / 1024, (unsigned long long)(ns / MS));
	stub_check("no errors under load", errors - errors0, 0);
}

static void benchmarks(void)
{
	bench("4 KiB random reads, queue depth 32", BLKDRV_READ, PAGE, IOS,
	      true);
	bench("4 KiB random reads, queue depth 1", BLKDRV_READ, PAGE, 1, true);
	bench("4 KiB random writes, queue depth 32", BLKDRV_WRITE, PAGE, IOS,
	      true);
	bench("4 KiB random writes, queue depth 1", BLKDRV_WRITE, PAGE, 1,
	      true);
	bench("1 MiB sequential reads", BLKDRV_READ, MIB, 1, false);
	bench("1 MiB sequential writes", BLKDRV_WRITE, MIB, 1, false);
}

static void print_stats(void)
{
	const struct blkdrv_stats *s = &bd.stats;

	printf("nvmetest: %lu reads (%lu KiB), %lu writes (%lu KiB), %lu "
	       "flushes, %lu discards, %lu errors, %lu busy, %lu interrupts, "
	       "%lu resets, %lu reissued, %lu timeouts, %lu stray "
	       "completions\n",
	       s->reads, s->read_bytes / 1024, s->writes, s->write_bytes / 1024,
	       s->flushes, s->discards, s->errors, s->busy, s->irqs, s->resets,
	       s->reissued, s->timeouts, s->bogus);
}

static bool alloc_pool(void)
{
	for (unsigned int i = 0; i < POOL_PAGES; i++)
		if (dd_dma_alloc(&pool[i]))
			return false;
	return true;
}

int app_main(const char *cmdline)
{
	stub_events_init();
	stub_check("buffers", alloc_pool(), 1);
	if (!stub_checks_failed() && test_open(cmdline)) {
		test_refusals();
		test_patterns();
		test_flush();
		test_queue();
		test_discard();
		test_reset_writes();
		test_reset_reads();
		stub_check("nothing left in flight", bd.in_flight, 0);
		benchmarks();
		print_stats();
		printf("nvmetest: %lu pages free\n", stub_free_pages());
	}
	stub_check_report("nvmetest");
	return SHUTDOWN_poweroff;
}
