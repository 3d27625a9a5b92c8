/* Sets of physical ranges: merging, carving, the boot bump allocator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <xen/errno.h>
#include <xen/memrange.h>

#define STORE_MAX 4096

static struct memrange store[STORE_MAX];
static struct memrange_set set;

static int setup(void **state)
{
	(void)state;
	memset(store, 0xa5, sizeof(store));
	memrange_init(&set, store, 16);
	return 0;
}

/* Sorted, disjoint, not adjacent, none empty, within capacity. */
static void check_invariants(const struct memrange_set *s)
{
	assert_true(s->nr <= s->max);
	for (unsigned int i = 0; i < s->nr; i++) {
		assert_true(s->r[i].start < s->r[i].end);
		if (i)
			assert_true(s->r[i - 1].end < s->r[i].start);
	}
}

static void expect_ranges(const struct memrange *want, unsigned int n)
{
	check_invariants(&set);
	assert_int_equal(set.nr, n);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(set.r[i].start, want[i].start);
		assert_int_equal(set.r[i].end, want[i].end);
	}
}

#define EXPECT(...)                                                    \
	do {                                                           \
		const struct memrange want_[] = { __VA_ARGS__ };       \
		expect_ranges(want_, (unsigned int)ARRAY_SIZE(want_)); \
	} while (0)

static void add(uint64_t start, uint64_t end)
{
	assert_int_equal(memrange_add(&set, start, end), 0);
}

static void test_add_sorts(void **state)
{
	(void)state;
	add(0x3000, 0x4000);
	add(0x1000, 0x2000);
	add(0x5000, 0x6000);
	EXPECT({ 0x1000, 0x2000 }, { 0x3000, 0x4000 }, { 0x5000, 0x6000 });
}

static void test_add_adjacent_merges(void **state)
{
	(void)state;
	add(0x1000, 0x2000);
	add(0x2000, 0x3000);
	EXPECT({ 0x1000, 0x3000 });
	add(0, 0x1000);
	EXPECT({ 0, 0x3000 });
}

static void test_add_overlap_merges(void **state)
{
	(void)state;
	add(0x1000, 0x3000);
	add(0x2000, 0x4000);
	EXPECT({ 0x1000, 0x4000 });
	add(0x800, 0x1800);
	EXPECT({ 0x800, 0x4000 });
}

static void test_add_contained(void **state)
{
	(void)state;
	add(0x1000, 0x4000);
	add(0x2000, 0x3000);
	add(0x1000, 0x4000);
	EXPECT({ 0x1000, 0x4000 });
	add(0x800, 0x5000);
	EXPECT({ 0x800, 0x5000 });
}

static void test_add_bridges(void **state)
{
	(void)state;
	add(0, 1);
	add(2, 3);
	add(4, 5);
	add(8, 9);
	add(1, 4);
	EXPECT({ 0, 5 }, { 8, 9 });
	add(5, 8);
	EXPECT({ 0, 9 });
}

static void test_add_extremes(void **state)
{
	(void)state;
	add(UINT64_MAX - 10, UINT64_MAX);
	add(0, 1);
	add(UINT64_MAX - 20, UINT64_MAX - 10);
	EXPECT({ 0, 1 }, { UINT64_MAX - 20, UINT64_MAX });
	assert_int_equal(memrange_total(&set), 21);
}

static void test_add_empty_and_invalid(void **state)
{
	(void)state;
	add(0x1000, 0x2000);
	assert_int_equal(memrange_add(&set, 0x5000, 0x5000), 0);
	assert_int_equal(memrange_add(&set, 0x6000, 0x5fff), -EINVAL);
	EXPECT({ 0x1000, 0x2000 });
}

static void test_add_full(void **state)
{
	struct memrange before[3];

	(void)state;
	memrange_init(&set, store, 3);
	add(0x1000, 0x2000);
	add(0x3000, 0x4000);
	add(0x5000, 0x6000);
	memcpy(before, store, sizeof(before));
	assert_int_equal(memrange_add(&set, 0x7000, 0x8000), -ENOSPC);
	assert_int_equal(memrange_add(&set, 0, 0x800), -ENOSPC);
	assert_int_equal(set.nr, 3);
	assert_memory_equal(store, before, sizeof(before));
	/* Merging needs no slot, and bridging frees some. */
	add(0x6000, 0x6800);
	add(0x1800, 0x3000);
	EXPECT({ 0x1000, 0x4000 }, { 0x5000, 0x6800 });
	add(0x7000, 0x8000);
	assert_int_equal(set.nr, 3);
}

static void test_no_storage(void **state)
{
	(void)state;
	memrange_init(&set, NULL, 5);
	assert_int_equal(set.max, 0);
	assert_int_equal(memrange_add(&set, 1, 2), -ENOSPC);
	assert_int_equal(memrange_remove(&set, 0, 10), 0);
	assert_int_equal(memrange_total(&set), 0);
	assert_int_equal(memrange_alloc(&set, 1, 1, UINT64_MAX), 0);
	memrange_align_inward(&set, 4096);
	assert_int_equal(set.nr, 0);
}

static void test_remove_splits(void **state)
{
	(void)state;
	add(0x1000, 0x5000);
	assert_int_equal(memrange_remove(&set, 0x2000, 0x3000), 0);
	EXPECT({ 0x1000, 0x2000 }, { 0x3000, 0x5000 });
}

static void test_remove_trims(void **state)
{
	(void)state;
	add(0x1000, 0x5000);
	add(0x6000, 0x9000);
	assert_int_equal(memrange_remove(&set, 0x800, 0x1800), 0);
	EXPECT({ 0x1800, 0x5000 }, { 0x6000, 0x9000 });
	assert_int_equal(memrange_remove(&set, 0x8000, 0xa000), 0);
	EXPECT({ 0x1800, 0x5000 }, { 0x6000, 0x8000 });
	/* One cut trims the end of one range and the start of the next. */
	assert_int_equal(memrange_remove(&set, 0x4000, 0x7000), 0);
	EXPECT({ 0x1800, 0x4000 }, { 0x7000, 0x8000 });
}

static void test_remove_spanning(void **state)
{
	(void)state;
	add(0x1000, 0x2000);
	add(0x3000, 0x4000);
	add(0x5000, 0x6000);
	add(0x7000, 0x8000);
	assert_int_equal(memrange_remove(&set, 0x1800, 0x7800), 0);
	EXPECT({ 0x1000, 0x1800 }, { 0x7800, 0x8000 });
	assert_int_equal(memrange_remove(&set, 0x1000, 0x1800), 0);
	EXPECT({ 0x7800, 0x8000 });
}

static void test_remove_everything(void **state)
{
	(void)state;
	add(0, 0x1000);
	add(0x3000, 0x4000);
	add(UINT64_MAX - 1, UINT64_MAX);
	assert_int_equal(memrange_remove(&set, 0, UINT64_MAX), 0);
	assert_int_equal(set.nr, 0);
	assert_int_equal(memrange_remove(&set, 0, UINT64_MAX), 0);
	assert_int_equal(memrange_total(&set), 0);
}

static void test_remove_gaps_and_invalid(void **state)
{
	(void)state;
	add(0x1000, 0x2000);
	add(0x3000, 0x4000);
	assert_int_equal(memrange_remove(&set, 0x2000, 0x3000), 0);
	assert_int_equal(memrange_remove(&set, 0, 0x1000), 0);
	assert_int_equal(memrange_remove(&set, 0x4000, 0x9000), 0);
	assert_int_equal(memrange_remove(&set, 0x1800, 0x1800), 0);
	assert_int_equal(memrange_remove(&set, 0x1800, 0x17ff), -EINVAL);
	EXPECT({ 0x1000, 0x2000 }, { 0x3000, 0x4000 });
}

static void test_remove_split_when_full(void **state)
{
	struct memrange before[2];

	(void)state;
	memrange_init(&set, store, 2);
	add(0x1000, 0x5000);
	add(0x6000, 0x9000);
	memcpy(before, store, sizeof(before));
	assert_int_equal(memrange_remove(&set, 0x2000, 0x3000), -ENOSPC);
	assert_int_equal(set.nr, 2);
	assert_memory_equal(store, before, sizeof(before));
	/* Trimming and removing whole ranges need no slot. */
	assert_int_equal(memrange_remove(&set, 0x4000, 0x7000), 0);
	EXPECT({ 0x1000, 0x4000 }, { 0x7000, 0x9000 });
	assert_int_equal(memrange_remove(&set, 0x7000, 0x9000), 0);
	assert_int_equal(memrange_remove(&set, 0x2000, 0x3000), 0);
	EXPECT({ 0x1000, 0x2000 }, { 0x3000, 0x4000 });
}

static void test_total(void **state)
{
	(void)state;
	assert_int_equal(memrange_total(&set), 0);
	add(0x1000, 0x2000);
	add(0x10000, 0x10010);
	assert_int_equal(memrange_total(&set), 0x1010);
}

static void test_alloc_highest_aligned(void **state)
{
	(void)state;
	add(0x1000, 0x9000);
	add(0x10000, 0x12345);
	assert_int_equal(memrange_alloc(&set, 0x1000, 0x1000, UINT64_MAX),
			 0x11000);
	EXPECT({ 0x1000, 0x9000 }, { 0x10000, 0x11000 }, { 0x12000, 0x12345 });
	assert_int_equal(memrange_alloc(&set, 0x100, 0x10, UINT64_MAX),
			 0x12240);
	assert_int_equal(memrange_alloc(&set, 0x4000, 0x4000, UINT64_MAX),
			 0x4000);
	EXPECT({ 0x1000, 0x4000 }, { 0x8000, 0x9000 }, { 0x10000, 0x11000 },
	       { 0x12000, 0x12240 }, { 0x12340, 0x12345 });
}

static void test_alloc_limit(void **state)
{
	(void)state;
	add(0x1000, 0x9000);
	add(0x10000, 0x20000);
	/* Only part of the high range is below the limit. */
	assert_int_equal(memrange_alloc(&set, 0x1000, 0x1000, 0x12800),
			 0x11000);
	/* The limit is exclusive: the bytes may end exactly at it. */
	assert_int_equal(memrange_alloc(&set, 0x1000, 0x1000, 0x11000),
			 0x10000);
	/* Nothing of the high range is below it: the lower range gives. */
	assert_int_equal(memrange_alloc(&set, 0x1000, 0x1000, 0x10000), 0x8000);
	assert_int_equal(memrange_alloc(&set, 0x1000, 0x1000, 0x1fff), 0);
	EXPECT({ 0x1000, 0x8000 }, { 0x12000, 0x20000 });
}

static void test_alloc_skips_small_ranges(void **state)
{
	(void)state;
	add(0x100000, 0x200000);
	add(0x300000, 0x300800);
	add(0x401000, 0x402800); /* big enough, but not aligned enough */
	assert_int_equal(memrange_alloc(&set, 0x1000, 0x2000, UINT64_MAX),
			 0x1fe000);
	EXPECT({ 0x100000, 0x1fe000 }, { 0x1ff000, 0x200000 },
	       { 0x300000, 0x300800 }, { 0x401000, 0x402800 });
}

static void test_alloc_failures(void **state)
{
	const struct memrange want[] = { { 0x1000, 0x3000 } };

	(void)state;
	assert_int_equal(memrange_alloc(&set, 0x10, 1, UINT64_MAX), 0);
	add(0x1000, 0x3000);
	assert_int_equal(memrange_alloc(&set, 0, 1, UINT64_MAX), 0);
	assert_int_equal(memrange_alloc(&set, 0x10, 0, UINT64_MAX), 0);
	assert_int_equal(memrange_alloc(&set, 0x10, 3, UINT64_MAX), 0);
	assert_int_equal(memrange_alloc(&set, 0x2001, 1, UINT64_MAX), 0);
	assert_int_equal(memrange_alloc(&set, 0x1800, 0x2000, UINT64_MAX), 0);
	assert_int_equal(memrange_alloc(&set, 0x10, 1, 0x1000), 0);
	assert_int_equal(memrange_alloc(&set, 0x10, 1, 0), 0);
	assert_int_equal(memrange_alloc(&set, UINT64_MAX, 1, UINT64_MAX), 0);
	expect_ranges(want, 1);
}

/* 0 reports failure, so address 0 itself is never handed out. */
static void test_alloc_never_zero(void **state)
{
	(void)state;
	add(0, 0x2000);
	assert_int_equal(memrange_alloc(&set, 0x1000, 0x1000, UINT64_MAX),
			 0x1000);
	assert_int_equal(memrange_alloc(&set, 0x1000, 0x1000, UINT64_MAX), 0);
	assert_int_equal(memrange_alloc(&set, 0x800, 1, UINT64_MAX), 0x800);
	EXPECT({ 0, 0x800 });
}

static void test_alloc_top_of_space(void **state)
{
	(void)state;
	add(UINT64_MAX - 0x3000, UINT64_MAX);
	assert_int_equal(memrange_alloc(&set, 0x1000, 0x1000, UINT64_MAX),
			 UINT64_MAX - 0x1fff);
	EXPECT({ UINT64_MAX - 0x3000, UINT64_MAX - 0x1fff },
	       { UINT64_MAX - 0xfff, UINT64_MAX });
}

/* A full set cannot split a range: its low end is tried, then others. */
static void test_alloc_full_set(void **state)
{
	(void)state;
	memrange_init(&set, store, 2);
	add(0x1000, 0x9000);
	add(0x14000, 0x20000);
	assert_int_equal(memrange_alloc(&set, 0x1000, 0x4000, 0x19800),
			 0x14000);
	EXPECT({ 0x1000, 0x9000 }, { 0x15000, 0x20000 });
	/* Neither end of the high range is aligned: the low one gives. */
	assert_int_equal(memrange_alloc(&set, 0x1000, 0x4000, 0x19800), 0x8000);
	EXPECT({ 0x1000, 0x8000 }, { 0x15000, 0x20000 });
	assert_int_equal(memrange_alloc(&set, 0x1000, 0x4000, 0x19800), 0);
	EXPECT({ 0x1000, 0x8000 }, { 0x15000, 0x20000 });
	/* With room for the split, the highest place is taken. */
	set.max = 3;
	assert_int_equal(memrange_alloc(&set, 0x1000, 0x4000, 0x19800),
			 0x18000);
	EXPECT({ 0x1000, 0x8000 }, { 0x15000, 0x18000 }, { 0x19000, 0x20000 });
}

static void test_align_inward(void **state)
{
	(void)state;
	add(0x1001, 0x3fff);
	add(0x4800, 0x6000);
	add(0x6800, 0x6900);
	add(0x7fff, 0xa001);
	add(UINT64_MAX - 0x2800, UINT64_MAX);
	memrange_align_inward(&set, 0x1000);
	EXPECT({ 0x2000, 0x3000 }, { 0x5000, 0x6000 }, { 0x8000, 0xa000 },
	       { UINT64_MAX - 0x1fff, UINT64_MAX - 0xfff });
	memrange_align_inward(&set, 0x2000);
	EXPECT({ 0x8000, 0xa000 });
	memrange_align_inward(&set, 0);
	memrange_align_inward(&set, 0x3000);
	EXPECT({ 0x8000, 0xa000 });
	memrange_align_inward(&set, 0x10000);
	assert_int_equal(set.nr, 0);
}

/* ---- Randomized, against a bitmap of UNITS bytes ------------------------ */

#define UNITS 4096

static bool model[UNITS];

static void model_set(uint64_t start, uint64_t end, bool v)
{
	for (uint64_t i = start; i < end; i++)
		model[i] = v;
}

static void model_compare(void)
{
	bool seen[UNITS] = { false };
	uint64_t total = 0;

	check_invariants(&set);
	for (unsigned int i = 0; i < set.nr; i++) {
		assert_true(set.r[i].end <= UNITS);
		for (uint64_t u = set.r[i].start; u < set.r[i].end; u++)
			seen[u] = true;
		total += set.r[i].end - set.r[i].start;
	}
	assert_memory_equal(seen, model, sizeof(seen));
	assert_int_equal(memrange_total(&set), total);
}

static void random_range(uint64_t *start, uint64_t *end)
{
	uint64_t len =
	    rand() % 8 ? (uint64_t)(rand() % 64) : (uint64_t)(rand() % 1024);

	*start = (uint64_t)(rand() % UNITS);
	*end = *start + len < UNITS ? *start + len : UNITS;
}

/* One random add or remove; -ENOSPC must leave set and model alone. */
static int random_add_remove(void)
{
	struct memrange before[16];
	unsigned int nr = set.nr;
	uint64_t start, end;
	bool adding = rand() % 5 < 3;
	int rc;

	random_range(&start, &end);
	memcpy(before, set.r, (nr < 16 ? nr : 16) * sizeof(*before));
	rc = adding ? memrange_add(&set, start, end)
		    : memrange_remove(&set, start, end);
	if (rc == -ENOSPC) {
		assert_true(nr == set.max && nr <= 16);
		assert_int_equal(set.nr, nr);
		assert_memory_equal(set.r, before, nr * sizeof(*before));
		return rc;
	}
	assert_int_equal(rc, 0);
	model_set(start, end, adding);
	return 0;
}

static void test_random_add_remove(void **state)
{
	(void)state;
	srand(42);
	memset(model, 0, sizeof(model));
	memrange_init(&set, store, STORE_MAX);
	for (unsigned int op = 0; op < 20000; op++) {
		assert_int_equal(random_add_remove(), 0);
		model_compare();
	}
}

/* A set of 8 ranges fills up: refused operations change nothing. */
static void test_random_small_capacity(void **state)
{
	unsigned int refused = 0;

	(void)state;
	srand(7);
	memset(model, 0, sizeof(model));
	memrange_init(&set, store, 8);
	for (unsigned int op = 0; op < 20000; op++) {
		refused += random_add_remove() == -ENOSPC;
		model_compare();
	}
	assert_true(refused > 100);
}

/* Where the model says memrange_alloc must put size bytes, or 0. */
static uint64_t model_alloc(uint64_t size, uint64_t align, uint64_t limit)
{
	for (uint64_t end = UNITS; end > 0; end--) {
		uint64_t start = end, top, base;

		if (!model[end - 1])
			continue;
		while (start > 0 && model[start - 1])
			start--;
		top = end < limit ? end : limit;
		base = top >= size ? (top - size) & ~(align - 1) : 0;
		if (base && base >= start)
			return base;
		end = start + 1;
	}
	return 0;
}

static void test_random_alloc(void **state)
{
	unsigned int hits = 0;

	(void)state;
	srand(99);
	memset(model, 0, sizeof(model));
	memrange_init(&set, store, STORE_MAX);
	for (unsigned int op = 0; op < 10000; op++) {
		uint64_t size = 1 + (uint64_t)(rand() % 48);
		uint64_t align = 1ull << (rand() % 7);
		uint64_t limit = (uint64_t)(rand() % (UNITS + 100));
		uint64_t want = model_alloc(size, align, limit);

		assert_int_equal(memrange_alloc(&set, size, align, limit),
				 want);
		if (want) {
			model_set(want, want + size, false);
			hits++;
		}
		random_add_remove();
		model_compare();
	}
	assert_true(hits > 1000);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_add_sorts),
		T(test_add_adjacent_merges),
		T(test_add_overlap_merges),
		T(test_add_contained),
		T(test_add_bridges),
		T(test_add_extremes),
		T(test_add_empty_and_invalid),
		T(test_add_full),
		T(test_no_storage),
		T(test_remove_splits),
		T(test_remove_trims),
		T(test_remove_spanning),
		T(test_remove_everything),
		T(test_remove_gaps_and_invalid),
		T(test_remove_split_when_full),
		T(test_total),
		T(test_alloc_highest_aligned),
		T(test_alloc_limit),
		T(test_alloc_skips_small_ranges),
		T(test_alloc_failures),
		T(test_alloc_never_zero),
		T(test_alloc_top_of_space),
		T(test_alloc_full_set),
		T(test_align_inward),
		T(test_random_add_remove),
		T(test_random_small_capacity),
		T(test_random_alloc),
	};

	return cmocka_run_group_tests_name("memrange", tests, NULL, NULL);
}
