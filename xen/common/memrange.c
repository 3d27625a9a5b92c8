/*
 * Sets of physical address ranges (see xen/memrange.h). Sets are small
 * (a memory map's worth), so lookups are linear.
 */
#include <xen/errno.h>
#include <xen/memrange.h>
#include <xen/string.h>

static bool memrange_align_ok(uint64_t align)
{
	return align && !(align & (align - 1));
}

static uint64_t memrange_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t memrange_max(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

void memrange_init(struct memrange_set *s, struct memrange *storage,
		   unsigned int max)
{
	s->nr = 0;
	s->max = storage ? max : 0;
	s->r = storage;
}

/*
 * Replace the n ranges at index i by the p ranges of repl, or return
 * -ENOSPC with nothing changed when they do not fit.
 */
static int memrange_splice(struct memrange_set *s, unsigned int i,
			   unsigned int n, const struct memrange *repl,
			   unsigned int p)
{
	unsigned int tail = s->nr - i - n;

	if (p > n && p - n > s->max - s->nr)
		return -ENOSPC;
	if (tail && p != n)
		memmove(&s->r[i + p], &s->r[i + n], tail * sizeof(*s->r));
	if (p)
		memcpy(&s->r[i], repl, p * sizeof(*repl));
	s->nr = s->nr - n + p;
	return 0;
}

int memrange_add(struct memrange_set *s, uint64_t start, uint64_t end)
{
	struct memrange m = { start, end };
	unsigned int i = 0, j;

	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	/* r[i..j) overlap or touch [start, end). */
	while (i < s->nr && s->r[i].end < start)
		i++;
	for (j = i; j < s->nr && s->r[j].start <= end; j++)
		;
	if (j > i) {
		m.start = memrange_min(start, s->r[i].start);
		m.end = memrange_max(end, s->r[j - 1].end);
	}
	return memrange_splice(s, i, j - i, &m, 1);
}

int memrange_remove(struct memrange_set *s, uint64_t start, uint64_t end)
{
	struct memrange keep[2];
	unsigned int i = 0, j, p = 0;

	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	/* r[i..j) overlap [start, end); what sticks out of it stays. */
	while (i < s->nr && s->r[i].end <= start)
		i++;
	for (j = i; j < s->nr && s->r[j].start < end; j++)
		;
	if (j == i)
		return 0;
	if (s->r[i].start < start)
		keep[p++] = (struct memrange){ s->r[i].start, start };
	if (s->r[j - 1].end > end)
		keep[p++] = (struct memrange){ end, s->r[j - 1].end };
	return memrange_splice(s, i, j - i, keep, p);
}

uint64_t memrange_total(const struct memrange_set *s)
{
	uint64_t total = 0;

	for (unsigned int i = 0; i < s->nr; i++)
		total += s->r[i].end - s->r[i].start;
	return total;
}

/* The highest aligned place for size bytes in r below limit, or 0. */
static uint64_t memrange_fit_high(const struct memrange *r, uint64_t size,
				  uint64_t align, uint64_t limit)
{
	uint64_t top = memrange_min(r->end, limit);
	uint64_t base;

	if (top < size)
		return 0;
	base = (top - size) & ~(align - 1);
	return base >= r->start ? base : 0;
}

/* The lowest aligned non-zero place for size bytes in r below limit, or 0. */
static uint64_t memrange_fit_low(const struct memrange *r, uint64_t size,
				 uint64_t align, uint64_t limit)
{
	uint64_t top = memrange_min(r->end, limit);
	uint64_t from = memrange_max(r->start, 1);
	uint64_t base;

	if (from > UINT64_MAX - (align - 1))
		return 0;
	base = (from + align - 1) & ~(align - 1);
	return base < top && top - base >= size ? base : 0;
}

/* Carve from range i, high end first; 0 if it cannot give the bytes. */
static uint64_t memrange_carve(struct memrange_set *s, unsigned int i,
			       uint64_t size, uint64_t align, uint64_t limit)
{
	struct memrange r = s->r[i];
	uint64_t base = memrange_fit_high(&r, size, align, limit);

	if (base && !memrange_remove(s, base, base + size))
		return base;
	base = memrange_fit_low(&r, size, align, limit);
	if (base && !memrange_remove(s, base, base + size))
		return base;
	return 0;
}

uint64_t memrange_alloc(struct memrange_set *s, uint64_t size, uint64_t align,
			uint64_t limit)
{
	uint64_t base = 0;

	if (!size || !memrange_align_ok(align))
		return 0;
	for (unsigned int i = s->nr; i-- > 0 && !base;)
		base = memrange_carve(s, i, size, align, limit);
	return base;
}

void memrange_align_inward(struct memrange_set *s, uint64_t align)
{
	unsigned int n = 0;

	if (!memrange_align_ok(align))
		return;
	for (unsigned int i = 0; i < s->nr; i++) {
		uint64_t end = s->r[i].end & ~(align - 1);
		uint64_t start;

		/* start <= end <= 2^64 - align: rounding up cannot wrap. */
		if (s->r[i].start >= end)
			continue;
		start = (s->r[i].start + align - 1) & ~(align - 1);
		if (start < end)
			s->r[n++] = (struct memrange){ start, end };
	}
	s->nr = n;
}
