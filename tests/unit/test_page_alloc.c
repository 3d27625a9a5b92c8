/* The frame table and the buddy allocator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <xen/console.h>
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/mm.h>

#include "fake_arch.h"

#define SMALL_FRAMES 4096ul
#define BIG_FRAMES   (2ul << PAGE_ORDER_MAX) /* two blocks of the top order */

static struct page_info *table;
static unsigned long table_nr;

/* page_zero(): the frames zeroed, in order; a frame must be dirty then. */
#define ZEROED_MAX 64
static unsigned long zeroed[ZEROED_MAX], nr_zeroed;

void page_zero(mfn_t mfn)
{
	assert_true(mfn_x(mfn) < table_nr);
	assert_int_equal(table[mfn_x(mfn)].use, PGU_DIRTY);
	if (nr_zeroed < ZEROED_MAX)
		zeroed[nr_zeroed] = mfn_x(mfn);
	nr_zeroed++;
}

/* For checking that a refused call changed nothing. */
static struct page_info *saved_table;
static struct page_alloc_stats saved_stats;

static void table_init(unsigned long nr)
{
	free(table);
	table = calloc(nr, sizeof(*table));
	assert_non_null(table);
	table_nr = nr;
	page_alloc_init(table, nr);
}

static int group_setup(void **state)
{
	(void)state;
	fake_serial_reset();
	console_init();
	return 0;
}

static int setup(void **state)
{
	(void)state;
	fake_serial_reset();
	nr_zeroed = 0;
	table_init(SMALL_FRAMES);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(table);
	free(saved_table);
	table = saved_table = NULL;
	return 0;
}

static struct page_alloc_stats stats(void)
{
	struct page_alloc_stats st;

	page_alloc_get_stats(&st);
	return st;
}

static void add(unsigned long start, unsigned long nr)
{
	assert_int_equal(page_alloc_add(_mfn(start), nr), 0);
}

static unsigned long idx_of(const struct page_info *pg)
{
	return (unsigned long)mfn_x(page_to_mfn(pg));
}

static void save(void)
{
	struct page_alloc_stats st = stats();

	free(saved_table);
	saved_table = malloc(table_nr * sizeof(*table));
	assert_non_null(saved_table);
	memcpy(saved_table, table, table_nr * sizeof(*table));
	saved_stats = st;
}

static void expect_unchanged(void)
{
	struct page_alloc_stats st = stats();

	assert_memory_equal(&st, &saved_stats, sizeof(st));
	assert_memory_equal(table, saved_table, table_nr * sizeof(*table));
}

static void expect_logged(const char *what)
{
	if (!strstr(fake_serial_out, what))
		fail_msg("log lacks '%s': '%s'", what, fake_serial_out);
}

/* ---- A walk over the whole table, checking every block ------------------ */

struct walk {
	unsigned long free, used;
	unsigned long free_blocks[PAGE_ORDER_MAX + 1];
};

/* The block headed at i: aligned, stamped alike, tails marked. */
static unsigned int check_block(unsigned long i)
{
	const struct page_info *h = &table[i];
	unsigned long n;

	assert_true(h->order <= PAGE_ORDER_MAX);
	n = 1ul << h->order;
	assert_int_equal(i & (n - 1), 0);
	assert_true(i + n <= table_nr);
	for (unsigned long j = 1; j < n; j++) {
		assert_int_equal(table[i + j].use, h->use);
		assert_int_equal(table[i + j].owner, h->owner);
		assert_int_equal(table[i + j].order, PAGE_ORDER_TAIL);
	}
	return h->order;
}

/* A free block's buddy is never a free block of the same order. */
static void check_maximal(unsigned long i, unsigned int order)
{
	unsigned long b = i ^ (1ul << order);

	assert_int_equal(table[i].owner, DOMID_INVALID);
	assert_int_equal(table[i].count, 0);
	if (order < PAGE_ORDER_MAX && b < table_nr)
		assert_false(table[b].use == PGU_FREE &&
			     table[b].order == order);
}

/* Walk the table block by block; the counters must agree with it. */
static struct walk check_table(void)
{
	struct page_alloc_stats st = stats();
	struct walk w = { 0 };
	unsigned long i = 0;

	while (i < table_nr) {
		unsigned int order;

		if (table[i].use == PGU_RESERVED) {
			i++;
			continue;
		}
		order = check_block(i);
		if (table[i].use == PGU_FREE) {
			check_maximal(i, order);
			w.free += 1ul << order;
			w.free_blocks[order]++;
		} else {
			w.used += 1ul << order;
		}
		i += 1ul << order;
	}
	assert_int_equal(st.free, w.free);
	assert_int_equal(st.total, w.free + w.used);
	assert_memory_equal(st.free_blocks, w.free_blocks,
			    sizeof(w.free_blocks));
	return w;
}

static struct page_info *alloc(unsigned int order)
{
	return page_alloc(order, 1, PGU_DOMAIN, NULL);
}

/* ---- Tests -------------------------------------------------------------- */

static void test_empty(void **state)
{
	struct page_info local = { 0 };
	struct page_alloc_stats st = stats(), zero = { 0 };

	(void)state;
	assert_memory_equal(&st, &zero, sizeof(st));
	assert_null(alloc(0));
	assert_ptr_equal(mfn_to_page(_mfn(0)), &table[0]);
	assert_ptr_equal(mfn_to_page(_mfn(SMALL_FRAMES - 1)),
			 &table[SMALL_FRAMES - 1]);
	assert_null(mfn_to_page(_mfn(SMALL_FRAMES)));
	assert_null(mfn_to_page(INVALID_MFN));
	assert_int_equal(mfn_x(page_to_mfn(&table[5])), 5);
	assert_true(mfn_eq(page_to_mfn(&local), INVALID_MFN));
	assert_true(mfn_eq(page_to_mfn(&table[SMALL_FRAMES]), INVALID_MFN));
	assert_true(
	    mfn_eq(page_to_mfn((void *)((char *)table + 8)), INVALID_MFN));
}

static void test_add_with_holes(void **state)
{
	struct page_alloc_stats st;

	(void)state;
	/* 3 (order 0), 4-7 and 8-11 (order 2, not buddies), 12 (order 0). */
	add(3, 10);
	st = stats();
	assert_int_equal(st.total, 10);
	assert_int_equal(st.free, 10);
	assert_int_equal(st.free_blocks[0], 2);
	assert_int_equal(st.free_blocks[1], 0);
	assert_int_equal(st.free_blocks[2], 2);
	assert_int_equal(table[4].order, 2);
	assert_int_equal(table[5].order, PAGE_ORDER_TAIL);
	assert_int_equal(table[2].use, PGU_RESERVED);
	assert_int_equal(table[13].use, PGU_RESERVED);
	/* 1030..4095: 1030 o1, 1032 o3, 1040 o4, 1056 o5, ... 2048 o11. */
	add(100, 900);
	add(1030, SMALL_FRAMES + 50);
	st = stats();
	assert_int_equal(st.total, 10 + 900 + SMALL_FRAMES - 1030);
	assert_int_equal(st.free, st.total);
	assert_int_equal(st.free_blocks[11], 1);
	assert_int_equal(table[2048].order, 11);
	assert_int_equal(table[1030].order, 1);
	check_table();
}

/* A small free block is used before a big one is split. */
static void test_alloc_prefers_smallest(void **state)
{
	(void)state;
	add(64, 64);
	add(5, 1);
	add(10, 2);
	assert_int_equal(idx_of(alloc(0)), 5);
	assert_int_equal(idx_of(alloc(0)), 10);
	assert_int_equal(idx_of(alloc(0)), 11);
	assert_int_equal(idx_of(alloc(1)), 64);
	assert_int_equal(stats().free, 62);
	check_table();
}

static void test_add_clipped_and_wrapping(void **state)
{
	struct page_alloc_stats st, zero = { 0 };

	(void)state;
	add(SMALL_FRAMES, 10);
	add(SMALL_FRAMES + 100, 10);
	add(7, 0);
	st = stats();
	assert_memory_equal(&st, &zero, sizeof(st));
	assert_int_equal(page_alloc_add(_mfn(UINT64_MAX - 5), 10), -EINVAL);
	expect_logged("wrap around");
	add(SMALL_FRAMES - 6, 100);
	st = stats();
	assert_int_equal(st.total, 6);
	assert_int_equal(st.free_blocks[1], 1);
	assert_int_equal(st.free_blocks[2], 1);
	check_table();
}

static void test_add_refuses_taken_frames(void **state)
{
	struct page_info *pg;

	(void)state;
	add(0, 64);
	pg = alloc(3);
	assert_non_null(pg);
	save();
	assert_int_equal(page_alloc_add(_mfn(60), 10), -EINVAL);
	expect_logged("frame 0x3c is already free or in use");
	assert_int_equal(page_alloc_add(page_to_mfn(pg), 1), -EINVAL);
	assert_int_equal(page_alloc_add(_mfn(0), 64), -EINVAL);
	expect_unchanged();
}

static void test_add_merges_neighbours(void **state)
{
	struct page_alloc_stats st;
	unsigned long order[256];

	(void)state;
	add(64, 64);
	add(0, 64);
	st = stats();
	assert_int_equal(st.free_blocks[7], 1);
	assert_int_equal(st.free_blocks[6], 0);
	/* Frame by frame, in random order, ends as one block too. */
	for (unsigned long i = 0; i < 256; i++)
		order[i] = 256 + i;
	srand(5);
	for (unsigned long i = 255; i > 0; i--) {
		unsigned long j = (unsigned long)rand() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (unsigned long i = 0; i < 256; i++)
		add(order[i], 1);
	add(128, 128);
	st = stats();
	assert_int_equal(st.total, 512);
	assert_int_equal(st.free_blocks[9], 1);
	check_table();
}

/* Every frame of pg's block is stamped with the allocation. */
static void expect_block(struct page_info *pg, unsigned int order,
			 domid_t owner, enum page_use use)
{
	assert_non_null(pg);
	assert_int_equal(idx_of(pg) & ((1ul << order) - 1), 0);
	assert_int_equal(pg->order, order);
	for (unsigned long i = 0; i < (1ul << order); i++) {
		assert_int_equal(pg[i].owner, owner);
		assert_int_equal(pg[i].use, use);
		assert_int_equal(pg[i].count, 0);
		if (i)
			assert_int_equal(pg[i].order, PAGE_ORDER_TAIL);
	}
}

static void test_alloc_every_order(void **state)
{
	struct page_info *pg[PAGE_ORDER_MAX + 1];
	struct page_alloc_stats before, after;

	(void)state;
	table_init(BIG_FRAMES);
	add(0, BIG_FRAMES);
	before = stats();
	assert_int_equal(before.free_blocks[PAGE_ORDER_MAX], 2);
	for (unsigned int o = 0; o <= PAGE_ORDER_MAX; o++) {
		pg[o] = page_alloc(o, (domid_t)o, PGU_DOMAIN, NULL);
		expect_block(pg[o], o, (domid_t)o, PGU_DOMAIN);
	}
	/* One top block is gone, the other was split all the way down. */
	after = stats();
	assert_int_equal(after.free, BIG_FRAMES - (2ul << PAGE_ORDER_MAX) + 1);
	check_table();
	for (unsigned int o = 0; o <= PAGE_ORDER_MAX; o++)
		assert_int_equal(page_free(pg[o], o, NULL), 0);
	after = stats();
	assert_memory_equal(&after, &before, sizeof(after));
	check_table();
}

static void test_alloc_bad_arguments(void **state)
{
	(void)state;
	add(0, SMALL_FRAMES);
	save();
	assert_null(page_alloc(PAGE_ORDER_MAX + 1, 1, PGU_DOMAIN, NULL));
	assert_null(page_alloc(~0u, 1, PGU_DOMAIN, NULL));
	assert_null(page_alloc(0, 1, PGU_FREE, NULL));
	assert_null(page_alloc(0, 1, PGU_RESERVED, NULL));
	assert_null(page_alloc(0, 1, (enum page_use)99, NULL));
	/* Bigger than anything free. */
	assert_null(alloc(13));
	expect_unchanged();
}

static void test_owner_and_use_recorded(void **state)
{
	struct page_info *a, *b, *c;

	(void)state;
	add(0, 256);
	a = page_alloc(4, 7, PGU_DOMAIN, NULL);
	b = page_alloc(0, DOMID_XEN, PGU_XEN, NULL);
	c = page_alloc(1, DOMID_XEN, PGU_PAGETABLE, NULL);
	expect_block(a, 4, 7, PGU_DOMAIN);
	expect_block(b, 0, DOMID_XEN, PGU_XEN);
	expect_block(c, 1, DOMID_XEN, PGU_PAGETABLE);
	assert_ptr_equal(mfn_to_page(page_to_mfn(a)), a);
	check_table();
	assert_int_equal(page_free(a, 4, NULL), 0);
	for (unsigned int i = 0; i < 16; i++) {
		assert_int_equal(a[i].use, PGU_FREE);
		assert_int_equal(a[i].owner, DOMID_INVALID);
	}
	check_table();
}

/* Allocate blocks of random orders until not even a frame is left. */
static unsigned int exhaust(struct page_info **pg, unsigned int *order,
			    unsigned int max)
{
	unsigned int n = 0;

	for (;;) {
		unsigned int o = (unsigned int)rand() % 6;

		while (!(pg[n] = alloc(o)) && o)
			o--;
		if (!pg[n])
			return n;
		order[n++] = o;
		assert_true(n < max);
	}
}

static void test_exhaustion(void **state)
{
	static struct page_info *pg[SMALL_FRAMES];
	static unsigned int order[SMALL_FRAMES];
	struct page_alloc_stats before, st;
	unsigned long frames = 0;
	unsigned int n;

	(void)state;
	add(1, 1000);
	add(1500, 77);
	add(2049, 2000);
	before = stats();
	srand(3);
	n = exhaust(pg, order, SMALL_FRAMES);
	for (unsigned int i = 0; i < n; i++)
		frames += 1ul << order[i];
	st = stats();
	assert_int_equal(st.free, 0);
	assert_int_equal(frames, before.total);
	assert_int_equal(check_table().used, before.total);
	for (unsigned long i = 0; i < SMALL_FRAMES; i++)
		assert_int_not_equal(table[i].use, PGU_FREE);
	/* Give everything back, in a scrambled order. */
	for (unsigned int i = 0; i < n; i++) {
		unsigned int j = (i * 7919u) % n;

		if (pg[j])
			assert_int_equal(page_free(pg[j], order[j], NULL), 0);
		pg[j] = NULL;
	}
	for (unsigned int i = 0; i < n; i++)
		if (pg[i])
			assert_int_equal(page_free(pg[i], order[i], NULL), 0);
	st = stats();
	assert_memory_equal(&st, &before, sizeof(st));
	check_table();
}

static void test_fragmentation(void **state)
{
	static struct page_info *pg[1024];
	struct page_alloc_stats st;

	(void)state;
	add(0, 1024);
	for (unsigned int i = 0; i < 1024; i++) {
		struct page_info *p = alloc(0);

		assert_non_null(p);
		pg[idx_of(p)] = p;
	}
	assert_null(alloc(0));
	for (unsigned int i = 0; i < 1024; i += 2)
		assert_int_equal(page_free(pg[i], 0, NULL), 0);
	st = stats();
	assert_int_equal(st.free, 512);
	assert_int_equal(st.free_blocks[0], 512);
	save();
	for (unsigned int o = 1; o <= PAGE_ORDER_MAX; o++)
		assert_null(alloc(o));
	expect_unchanged();
	for (unsigned int i = 1; i < 1024; i += 2)
		assert_int_equal(page_free(pg[i], 0, NULL), 0);
	st = stats();
	assert_int_equal(st.free, 1024);
	assert_int_equal(st.free_blocks[0], 0);
	assert_int_equal(st.free_blocks[10], 1);
	check_table();
}

static void test_double_free(void **state)
{
	struct page_info *pg;

	(void)state;
	add(0, 64);
	pg = alloc(2);
	assert_int_equal(page_free(pg, 2, NULL), 0);
	save();
	assert_int_equal(page_free(pg, 2, NULL), -EINVAL);
	expect_logged("double free");
	/* A frame inside a free block, and one merged into a bigger one. */
	assert_int_equal(page_free(pg + 1, 0, NULL), -EINVAL);
	assert_int_equal(page_free(&table[0], 6, NULL), -EINVAL);
	expect_unchanged();
}

static void test_free_bad_block(void **state)
{
	struct page_info local = { 0 }, *pg;

	(void)state;
	add(0, 64);
	pg = alloc(3);
	assert_non_null(pg);
	save();
	assert_int_equal(page_free(pg + 1, 0, NULL), -EINVAL);
	expect_logged("not the head of a block");
	assert_int_equal(page_free(pg + 1, 3, NULL), -EINVAL);
	assert_int_equal(page_free(pg, 2, NULL), -EINVAL);
	expect_logged("the block has another order");
	assert_int_equal(page_free(pg, 4, NULL), -EINVAL);
	assert_int_equal(page_free(pg, 1000, NULL), -EINVAL);
	assert_int_equal(page_free(&table[100], 0, NULL), -EINVAL);
	expect_logged("never given to the allocator");
	assert_int_equal(page_free(&local, 0, NULL), -EINVAL);
	expect_logged("not in the frame table");
	assert_int_equal(page_free(NULL, 0, NULL), -EINVAL);
	assert_int_equal(page_free(&table[SMALL_FRAMES], 0, NULL), -EINVAL);
	assert_int_equal(page_free((void *)((char *)pg + 4), 3, NULL), -EINVAL);
	expect_unchanged();
	assert_int_equal(page_free(pg, 3, NULL), 0);
}

static void test_free_referenced(void **state)
{
	struct page_info *pg;

	(void)state;
	add(0, 64);
	pg = alloc(2);
	pg[3].count = 1;
	save();
	assert_int_equal(page_free(pg, 2, NULL), -EINVAL);
	expect_logged("a frame is still referenced");
	expect_unchanged();
	pg[3].count = 0;
	pg[0].count = 2;
	assert_int_equal(page_free(pg, 2, NULL), -EINVAL);
	pg[0].count = 0;
	assert_int_equal(page_free(pg, 2, NULL), 0);
	assert_int_equal(stats().free_blocks[6], 1);
}

/* References hold a frame: its owner's free orphans it until the last. */
static void test_references_and_orphans(void **state)
{
	struct mem_account acct = { .pages = 0, .limit = 0 };
	struct page_info *a, *b, *big;
	unsigned long free_before;

	(void)state;
	add(0, 64);
	free_before = stats().free;
	a = page_alloc(0, 3, PGU_DOMAIN, &acct);
	b = page_alloc(0, 3, PGU_DOMAIN, &acct);
	big = page_alloc(1, 3, PGU_DOMAIN, NULL);
	assert_true(a && b && big);
	assert_false(page_get(a, 4));	/* not the owner */
	assert_false(page_get(big, 3)); /* not a single frame */
	assert_true(page_get(a, 3));
	assert_true(page_get(a, 3));
	assert_int_equal(a->count, 2);
	/* b is not referenced: freed at once; a waits, credited now. */
	assert_int_equal(page_free_or_orphan(b, &acct), 0);
	assert_int_equal(page_free_or_orphan(a, &acct), 0);
	assert_int_equal(acct.pages, 0);
	assert_int_equal(a->use, PGU_ORPHAN);
	assert_false(page_get(a, 3)); /* an orphan gains no references */
	page_put(a);
	assert_int_equal(a->use, PGU_ORPHAN);
	page_put(a);
	assert_int_equal(a->use, PGU_DIRTY);
	assert_int_equal(b->use, PGU_DIRTY);
	assert_int_equal(page_free(big, 1, NULL), 0);
	assert_int_equal(stats().dirty, 2);
	assert_int_equal(page_scrub(8), 2);
	assert_int_equal(nr_zeroed, 2);
	assert_int_equal(a->use, PGU_FREE);
	assert_int_equal(stats().free, free_before);
	check_table();
}

/*
 * A domain's frames, given up, are dirty: not handed out before they are
 * zeroed, counted apart, freed and merged once zeroed.
 */
static void test_dirty_frames_zeroed_before_reuse(void **state)
{
	struct mem_account acct = { .pages = 0, .limit = 0 };
	struct page_info *pg[16];
	struct page_alloc_stats st;

	(void)state;
	add(0, 16);
	for (unsigned int i = 0; i < 16; i++) {
		pg[i] = page_alloc(0, 3, PGU_DOMAIN, &acct);
		assert_non_null(pg[i]);
	}
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(page_free_or_orphan(pg[i], &acct), 0);
	st = stats();
	assert_int_equal(acct.pages, 12); /* credited at once */
	assert_int_equal(st.dirty, 4);
	assert_int_equal(st.free, 0);
	assert_true(page_scrub_pending());
	check_table();
	assert_int_equal(nr_zeroed, 0);
	/* Given up again, or freed as a block: refused, nothing changed. */
	save();
	assert_int_equal(page_free_or_orphan(pg[0], &acct), -EINVAL);
	expect_logged("double free");
	assert_int_equal(page_free(pg[1], 0, NULL), -EINVAL);
	expect_unchanged();
	/* Zeroed two at a time: then free, and merged with each other. */
	assert_int_equal(page_scrub(2), 2);
	assert_int_equal(stats().dirty, 2);
	assert_int_equal(page_scrub(5), 2);
	assert_false(page_scrub_pending());
	assert_int_equal(page_scrub(5), 0);
	assert_int_equal(nr_zeroed, 4);
	st = stats();
	assert_int_equal(st.free, 4);
	assert_int_equal(st.free_blocks[2], 1);
	check_table();
}

/* With no free block, an allocation zeroes dirty frames itself. */
static void test_alloc_zeroes_when_nothing_free(void **state)
{
	struct mem_account acct = { .pages = 0, .limit = 0 };
	struct page_info *pg[8], *again;

	(void)state;
	add(0, 8);
	for (unsigned int i = 0; i < 8; i++)
		pg[i] = page_alloc(0, 3, PGU_DOMAIN, &acct);
	assert_null(page_alloc(0, 3, PGU_DOMAIN, &acct));
	assert_int_equal(nr_zeroed, 0);
	assert_int_equal(page_free_or_orphan(pg[7], &acct), 0);
	assert_int_equal(page_free_or_orphan(pg[6], &acct), 0);
	again = page_alloc(1, 4, PGU_DOMAIN, NULL);
	assert_ptr_equal(again, pg[6]); /* frames 6 and 7 merged */
	assert_int_equal(nr_zeroed, 2);
	assert_int_equal(again->owner, 4);
	assert_false(page_scrub_pending());
	/* Over the account's limit: no frame is zeroed for it. */
	assert_int_equal(page_free_or_orphan(pg[0], &acct), 0);
	acct.limit = acct.pages;
	assert_null(page_alloc(0, 3, PGU_DOMAIN, &acct));
	assert_int_equal(nr_zeroed, 2);
	assert_int_equal(stats().dirty, 1);
	check_table();
}

static void test_accounting(void **state)
{
	struct mem_account acct = { .pages = 0, .limit = 4 };
	struct mem_account none = { .pages = 0, .limit = 0 };
	struct page_info *a, *b, *c;

	(void)state;
	add(0, 256);
	a = page_alloc(1, 3, PGU_DOMAIN, &acct);
	assert_non_null(a);
	assert_int_equal(acct.pages, 2);
	save();
	assert_null(page_alloc(2, 3, PGU_DOMAIN, &acct));
	expect_unchanged();
	assert_int_equal(acct.pages, 2);
	b = page_alloc(1, 3, PGU_DOMAIN, &acct);
	assert_non_null(b);
	assert_int_equal(acct.pages, 4);
	assert_null(page_alloc(0, 3, PGU_DOMAIN, &acct));
	assert_int_equal(page_free(a, 1, &acct), 0);
	assert_int_equal(acct.pages, 2);
	/* An account charged less than the block is a bug: refused. */
	acct.pages = 1;
	save();
	assert_int_equal(page_free(b, 1, &acct), -EINVAL);
	expect_logged("the account was charged less");
	expect_unchanged();
	acct.pages = 2;
	assert_int_equal(page_free(b, 1, &acct), 0);
	assert_int_equal(acct.pages, 0);
	/* No limit. */
	c = page_alloc(7, 3, PGU_DOMAIN, &none);
	assert_non_null(c);
	assert_int_equal(none.pages, 128);
	assert_int_equal(page_free(c, 7, &none), 0);
	assert_int_equal(none.pages, 0);
}

/* ---- Randomized, against a shadow of which block owns each frame -------- */

#define STRESS_FRAMES 8192ul
#define STRESS_HOLE   3000ul /* [3000, 3100) is not RAM */
#define STRESS_END    (STRESS_FRAMES - 7)
#define STRESS_LIVE   512

struct live {
	struct page_info *pg;
	unsigned int order;
	unsigned int id;
};

static unsigned int shadow[STRESS_FRAMES]; /* live block's id, or 0 */
static struct live live[STRESS_LIVE];
static unsigned int nr_live, next_id;
static unsigned long live_frames;

/* Claim the block's frames for id (none may be owned), or release them. */
static void shadow_mark(const struct live *l, bool claim)
{
	unsigned long idx = idx_of(l->pg);

	for (unsigned long i = idx; i < idx + (1ul << l->order); i++) {
		assert_int_equal(shadow[i], claim ? 0 : l->id);
		shadow[i] = claim ? l->id : 0;
	}
}

/* Allocate a block of random order; false if none was free. */
static bool stress_alloc(void)
{
	unsigned int o = (unsigned int)rand() % 8;
	struct page_info *pg = alloc(o);
	struct page_alloc_stats st = stats();
	unsigned long idx;

	if (!pg) {
		for (unsigned int k = o; k <= PAGE_ORDER_MAX; k++)
			assert_int_equal(st.free_blocks[k], 0);
		return false;
	}
	idx = idx_of(pg);
	assert_int_equal(idx & ((1ul << o) - 1), 0);
	assert_true(idx >= 1 && idx + (1ul << o) <= STRESS_END);
	assert_true(idx + (1ul << o) <= STRESS_HOLE ||
		    idx >= STRESS_HOLE + 100);
	expect_block(pg, o, 1, PGU_DOMAIN);
	live[nr_live] = (struct live){ pg, o, ++next_id };
	shadow_mark(&live[nr_live++], true);
	live_frames += 1ul << o;
	return true;
}

static void stress_free(void)
{
	unsigned int k = (unsigned int)rand() % nr_live;

	assert_int_equal(page_free(live[k].pg, live[k].order, NULL), 0);
	shadow_mark(&live[k], false);
	live_frames -= 1ul << live[k].order;
	live[k] = live[--nr_live];
}

static void test_random_stress(void **state)
{
	struct page_alloc_stats before, st;
	unsigned int done = 0, failed = 0;

	(void)state;
	table_init(STRESS_FRAMES);
	memset(shadow, 0, sizeof(shadow));
	nr_live = next_id = 0;
	live_frames = 0;
	add(1, STRESS_HOLE - 1);
	add(STRESS_HOLE + 100, STRESS_END - STRESS_HOLE - 100);
	before = stats();
	srand(2024);
	for (unsigned int op = 0; op < 30000; op++) {
		if (nr_live == STRESS_LIVE || (nr_live && rand() % 16 >= 9))
			stress_free();
		else if (stress_alloc())
			done++;
		else
			failed++;
		st = stats();
		assert_int_equal(st.free, before.total - live_frames);
		if (op % 1000 == 0)
			assert_int_equal(check_table().used, live_frames);
	}
	/* Both outcomes were exercised, many times. */
	assert_true(done > 5000 && failed > 1000);
	while (nr_live)
		stress_free();
	st = stats();
	assert_memory_equal(&st, &before, sizeof(st));
	check_table();
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_empty),
		T(test_add_with_holes),
		T(test_alloc_prefers_smallest),
		T(test_add_clipped_and_wrapping),
		T(test_add_refuses_taken_frames),
		T(test_add_merges_neighbours),
		T(test_alloc_every_order),
		T(test_alloc_bad_arguments),
		T(test_owner_and_use_recorded),
		T(test_exhaustion),
		T(test_fragmentation),
		T(test_double_free),
		T(test_free_bad_block),
		T(test_free_referenced),
		T(test_references_and_orphans),
		T(test_dirty_frames_zeroed_before_reuse),
		T(test_alloc_zeroes_when_nothing_free),
		T(test_accounting),
		T(test_random_stress),
	};

	return cmocka_run_group_tests_name("page_alloc", tests, group_setup,
					   NULL);
}
