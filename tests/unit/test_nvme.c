/*
 * NVMe PRP entries from a request's segments (driverdom/nvme_prp.c), and
 * the I/O queue's doorbell (driverdom/nvme_io.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <public/errno.h>
#include <driverdom/blkdrv.h>
#include <driverdom/nvme.h>
#include <driverdom/nvme_spec.h>

#define PG	 4096ull
#define LIST_BUS 0x7000000ull

static uint64_t list[NVME_PRPS_PER_PAGE + 1];

static long build(const struct blkdrv_seg *s, unsigned int n, uint64_t *prp1,
		  uint64_t *prp2)
{
	return nvme_prp_build(s, n, list, NVME_PRPS_PER_PAGE, LIST_BUS, prp1,
			      prp2);
}

static void test_one_page(void **state)
{
	struct blkdrv_seg s = { 0x10000 + 1024, 512 };
	uint64_t p1, p2;

	(void)state;
	assert_int_equal(build(&s, 1, &p1, &p2), 512);
	assert_int_equal(p1, 0x10000 + 1024);
	assert_int_equal(p2, 0);
}

/* One segment over a page boundary: two pages, PRP2 the second. */
static void test_two_pages_in_one_segment(void **state)
{
	struct blkdrv_seg s = { 0x10000 + 3584, 1024 };
	uint64_t p1, p2;

	(void)state;
	assert_int_equal(build(&s, 1, &p1, &p2), 1024);
	assert_int_equal(p1, 0x10000 + 3584);
	assert_int_equal(p2, 0x11000);
}

/* Scattered pages, the first entered mid-page: a list of the rest. */
static void test_list(void **state)
{
	struct blkdrv_seg s[] = { { 0x20000 + 512, 3584 },
				  { 0x50000, 4096 },
				  { 0x30000, 8192 },
				  { 0x90000, 512 } };
	uint64_t p1, p2;

	(void)state;
	assert_int_equal(build(s, 4, &p1, &p2), 3584 + 4096 + 8192 + 512);
	assert_int_equal(p1, 0x20000 + 512);
	assert_int_equal(p2, LIST_BUS);
	assert_int_equal(list[0], 0x50000);
	assert_int_equal(list[1], 0x30000);
	assert_int_equal(list[2], 0x31000);
	assert_int_equal(list[3], 0x90000);
}

/*
 * A full list page after PRP1 fits (513 pages when the first is
 * entered mid-page); one page more does not.
 */
static void test_list_limit(void **state)
{
	struct blkdrv_seg s = { 0x100000 + 512,
				(uint32_t)(NVME_PRPS_PER_PAGE * PG) };
	uint64_t p1, p2;

	(void)state;
	assert_int_equal(build(&s, 1, &p1, &p2), (long)s.len);
	assert_int_equal(list[NVME_PRPS_PER_PAGE - 1],
			 0x100000 + NVME_PRPS_PER_PAGE * PG);
	s.len += (uint32_t)PG;
	assert_int_equal(build(&s, 1, &p1, &p2), -XEN_EINVAL);
}

static void test_refused(void **state)
{
	struct blkdrv_seg gap[] = { { 0x20000, 2048 }, { 0x30000, 4096 } };
	struct blkdrv_seg mid[] = { { 0x20000, 4096 }, { 0x30000 + 8, 4088 } };
	struct blkdrv_seg odd = { 0x20002, 512 };
	struct blkdrv_seg empty = { 0x20000, 0 };
	struct blkdrv_seg wrap = { UINT64_MAX - 4095, 4096 };
	struct blkdrv_seg high = { 1ull << 52, 4096 };
	uint64_t p1, p2;

	(void)state;
	assert_int_equal(build(gap, 2, &p1, &p2), -XEN_EINVAL);
	assert_int_equal(build(mid, 2, &p1, &p2), -XEN_EINVAL);
	assert_int_equal(build(&odd, 1, &p1, &p2), -XEN_EINVAL);
	assert_int_equal(build(&empty, 1, &p1, &p2), -XEN_EINVAL);
	assert_int_equal(build(&wrap, 1, &p1, &p2), -XEN_EINVAL);
	assert_int_equal(build(&high, 1, &p1, &p2), -XEN_EINVAL);
	assert_int_equal(build(gap, 0, &p1, &p2), -XEN_EINVAL);
}

/* ---- The I/O submission queue's doorbell ---- */

uint64_t stub_now(void)
{
	return 0;
}

bool nvme_cq_take(struct nvme_queue *q, struct nvme_cqe *cqe)
{
	return false;
}

long nvme_status(uint16_t status)
{
	return status ? -XEN_EIO : 0;
}

static struct nvme_ctrl C;
static struct blkdrv BD;
static uint8_t sq_page[4096] __attribute__((aligned(4096)));
static volatile uint32_t bell;
static struct blkdrv_seg seg = { 0x40000, 4096 };
static struct blkdrv_req reqs[NVME_SLOTS];

static void req_done(struct blkdrv_req *req, long status)
{
}

static void ctrl_ready(void)
{
	memset(&C, 0, sizeof(C));
	memset(&BD, 0, sizeof(BD));
	C.depth = NVME_IO_DEPTH;
	C.state = NVME_READY;
	C.iosq = (struct nvme_queue){ .mem = { sq_page, 0x9000 },
				      .depth = NVME_IO_DEPTH,
				      .db = &bell };
	bell = 0;
	BD.geom.nr_ns = 1;
	BD.geom.ns[0] = (struct blkdrv_ns){ 1, 512, 1 << 20 };
	BD.geom.max_transfer = 1 << 20;
	for (unsigned int i = 0; i < NVME_SLOTS; i++)
		reqs[i] = (struct blkdrv_req){ .op = BLKDRV_READ,
					       .lba = 8 * i,
					       .blocks = 8,
					       .segs = &seg,
					       .nr_segs = 1,
					       .done = req_done };
}

/*
 * A burst's entries are written at once and the tail doorbell rung once,
 * at the flush; a submit without more rings at once; a burst longer
 * than NVME_SQ_HOLD rings every NVME_SQ_HOLD entries; a refused
 * request writes nothing.
 */
static void test_doorbell_per_burst(void **state)
{
	struct blkdrv_req bad;
	unsigned int n = 0;

	(void)state;
	ctrl_ready();
	for (; n < 3; n++)
		assert_int_equal(nvme_io_submit(&BD, &C, &reqs[n], true), 0);
	assert_int_equal(bell, 0);
	assert_int_equal(C.iosq.pos, 3);
	assert_int_equal(((struct nvme_sqe *)sq_page)[2].opcode, NVME_CMD_READ);
	nvme_io_ring(&C);
	assert_int_equal(bell, 3);
	nvme_io_ring(&C); /* nothing held: no write */
	assert_int_equal(bell, 3);

	assert_int_equal(nvme_io_submit(&BD, &C, &reqs[n++], false), 0);
	assert_int_equal(bell, 4);

	bad = reqs[n];
	bad.lba = 1 << 20; /* past the namespace */
	assert_int_equal(nvme_io_submit(&BD, &C, &bad, true), -XEN_EINVAL);
	assert_int_equal(C.iosq.pos, 4);
	assert_int_equal(C.iosq.held, 0);

	for (unsigned int i = 0; i < NVME_SQ_HOLD - 1; i++, n++)
		assert_int_equal(nvme_io_submit(&BD, &C, &reqs[n], true), 0);
	assert_int_equal(bell, 4);
	assert_int_equal(nvme_io_submit(&BD, &C, &reqs[n++], true), 0);
	assert_int_equal(bell, 4 + NVME_SQ_HOLD);
	assert_int_equal(BD.in_flight, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_page),
		cmocka_unit_test(test_two_pages_in_one_segment),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_list_limit),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_doorbell_per_burst),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
