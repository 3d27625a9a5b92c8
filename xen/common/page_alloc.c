/*
 * The frame table and the buddy allocator (see xen/mm.h).
 *
 * Free blocks are naturally aligned: a block of order o starts at a frame
 * number that is a multiple of 2^o, and its buddy is the block at
 * idx ^ 2^o. One doubly linked list per order holds the free heads, so
 * finding, splitting and merging a block touch O(PAGE_ORDER_MAX) records;
 * stamping owner and use on each frame of the block costs 2^order more.
 * Dirty frames (a domain's, given up) wait on a list linked through next
 * until page_scrub() zeroes and frees them. Everything below runs under
 * page_lock, but the zeroing.
 */
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/spinlock.h>

static DEFINE_SPINLOCK(page_lock);
static struct page_info *page_table;
static unsigned long page_table_nr;
static uint32_t page_free_head[PAGE_ORDER_MAX + 1];
static uint32_t page_dirty_head = PAGE_LIST_NONE;
static struct page_alloc_stats page_stats;

void page_alloc_init(struct page_info *table, unsigned long nr_frames)
{
	spin_lock(&page_lock);
	page_table = table;
	page_table_nr = table ? nr_frames : 0;
	if (page_table_nr > PAGE_LIST_NONE)
		page_table_nr = PAGE_LIST_NONE;
	for (unsigned int o = 0; o <= PAGE_ORDER_MAX; o++)
		page_free_head[o] = PAGE_LIST_NONE;
	page_dirty_head = PAGE_LIST_NONE;
	page_stats = (struct page_alloc_stats){ 0 };
	spin_unlock(&page_lock);
}

/* The frame number of pg, if pg is a record of the table. */
static bool page_index_of(const struct page_info *pg, unsigned long *idx)
{
	uintptr_t base = (uintptr_t)page_table, p = (uintptr_t)pg;

	if (!page_table || p < base || (p - base) % sizeof(*pg))
		return false;
	*idx = (p - base) / sizeof(*pg);
	return *idx < page_table_nr;
}

mfn_t page_to_mfn(const struct page_info *pg)
{
	unsigned long idx;

	return page_index_of(pg, &idx) ? _mfn(idx) : INVALID_MFN;
}

struct page_info *mfn_to_page(mfn_t mfn)
{
	return mfn_x(mfn) < page_table_nr ? &page_table[mfn_x(mfn)] : NULL;
}

static void page_list_add(unsigned int order, unsigned long idx)
{
	struct page_info *pg = &page_table[idx];
	uint32_t head = page_free_head[order];

	pg->prev = PAGE_LIST_NONE;
	pg->next = head;
	if (head != PAGE_LIST_NONE)
		page_table[head].prev = (uint32_t)idx;
	page_free_head[order] = (uint32_t)idx;
	page_stats.free_blocks[order]++;
}

static void page_list_del(unsigned int order, unsigned long idx)
{
	struct page_info *pg = &page_table[idx];

	if (pg->prev != PAGE_LIST_NONE)
		page_table[pg->prev].next = pg->next;
	else
		page_free_head[order] = pg->next;
	if (pg->next != PAGE_LIST_NONE)
		page_table[pg->next].prev = pg->prev;
	pg->next = pg->prev = PAGE_LIST_NONE;
	page_stats.free_blocks[order]--;
}

/* Stamp every frame of the block at idx; only the head keeps the order. */
static void page_block_set(unsigned long idx, unsigned int order, domid_t owner,
			   enum page_use use)
{
	for (unsigned long i = 0; i < (1ul << order); i++) {
		struct page_info *pg = &page_table[idx + i];

		pg->count = 0;
		pg->owner = owner;
		pg->use = (uint8_t)use;
		pg->order = i ? PAGE_ORDER_TAIL : (uint8_t)order;
		pg->next = pg->prev = PAGE_LIST_NONE;
	}
}

static bool page_is_free_head(unsigned long idx, unsigned int order)
{
	return idx < page_table_nr && page_table[idx].use == PGU_FREE &&
	       page_table[idx].order == order;
}

/*
 * List the block at idx, whose frames are already stamped free, after
 * merging it with its buddy for as long as the buddy is a free block of
 * the same order.
 */
static void page_merge_insert(unsigned long idx, unsigned int order)
{
	while (order < PAGE_ORDER_MAX) {
		unsigned long bit = 1ul << order;

		if (!page_is_free_head(idx ^ bit, order))
			break;
		page_list_del(order, idx ^ bit);
		page_table[idx | bit].order = PAGE_ORDER_TAIL;
		idx &= ~bit;
		order++;
	}
	page_table[idx].order = (uint8_t)order;
	page_list_add(order, idx);
}

/* The largest aligned block that starts at s and ends by e. */
static unsigned int page_fit_order(unsigned long s, unsigned long e)
{
	unsigned int order = 0;

	while (order < PAGE_ORDER_MAX && !(s & (1ul << order)) &&
	       e - s >= (2ul << order))
		order++;
	return order;
}

/* The first frame of [s, e) that is not reserved, or e. */
static unsigned long page_first_taken(unsigned long s, unsigned long e)
{
	while (s < e && page_table[s].use == PGU_RESERVED)
		s++;
	return s;
}

static void page_add_blocks(unsigned long s, unsigned long e)
{
	while (s < e) {
		unsigned int order = page_fit_order(s, e);

		page_block_set(s, order, DOMID_INVALID, PGU_FREE);
		page_stats.total += 1ul << order;
		page_stats.free += 1ul << order;
		page_merge_insert(s, order);
		s += 1ul << order;
	}
}

int page_alloc_add(mfn_t start, unsigned long nr)
{
	uint64_t s = mfn_x(start), e, bad;

	if (nr > UINT64_MAX - s) {
		log_err("page_alloc_add: %#llx frames at %#llx wrap around\n",
			(unsigned long long)nr, (unsigned long long)s);
		return -EINVAL;
	}
	spin_lock(&page_lock);
	e = s + nr < page_table_nr ? s + nr : page_table_nr;
	bad = s < e ? page_first_taken(s, e) : e;
	if (bad == e)
		page_add_blocks(s, e);
	spin_unlock(&page_lock);
	if (bad == e)
		return 0;
	log_err("page_alloc_add: frame %#llx is already free or in use\n",
		(unsigned long long)bad);
	return -EINVAL;
}

static bool page_use_allocated(enum page_use use)
{
	return use == PGU_XEN || use == PGU_DOMAIN || use == PGU_PAGETABLE;
}

static bool page_acct_fits(const struct mem_account *acct, unsigned long n)
{
	return !acct || !acct->limit ||
	       (acct->pages <= acct->limit && n <= acct->limit - acct->pages);
}

/*
 * Take a free block of exactly order off the lists, splitting the
 * smallest larger one if need be; PAGE_LIST_NONE if there is none.
 */
static unsigned long page_take(unsigned int order)
{
	unsigned int o = order;
	unsigned long idx;

	while (o <= PAGE_ORDER_MAX && page_free_head[o] == PAGE_LIST_NONE)
		o++;
	if (o > PAGE_ORDER_MAX)
		return PAGE_LIST_NONE;
	idx = page_free_head[o];
	page_list_del(o, idx);
	while (o-- > order) {
		page_table[idx + (1ul << o)].order = (uint8_t)o;
		page_list_add(o, idx + (1ul << o));
	}
	return idx;
}

/* How many dirty frames an allocation zeroes at a time when it must. */
#define PAGE_SCRUB_SYNC 64

struct page_info *page_alloc(unsigned int order, domid_t owner,
			     enum page_use use, struct mem_account *acct)
{
	unsigned long idx = PAGE_LIST_NONE;
	bool fits = true;

	if (order > PAGE_ORDER_MAX || !page_use_allocated(use))
		return NULL;
	/* No block free: dirty frames, once zeroed, may make one. */
	do {
		spin_lock(&page_lock);
		fits = page_acct_fits(acct, 1ul << order);
		if (fits)
			idx = page_take(order);
		if (idx != PAGE_LIST_NONE) {
			page_block_set(idx, order, owner, use);
			page_stats.free -= 1ul << order;
			if (acct)
				acct->pages += 1ul << order;
		}
		spin_unlock(&page_lock);
	} while (idx == PAGE_LIST_NONE && fits && page_scrub(PAGE_SCRUB_SYNC));
	return idx != PAGE_LIST_NONE ? &page_table[idx] : NULL;
}

/* With page_lock held: the unreferenced frame idx onto the dirty list. */
static void page_make_dirty(unsigned long idx)
{
	page_block_set(idx, 0, DOMID_INVALID, PGU_DIRTY);
	page_table[idx].next = page_dirty_head;
	page_dirty_head = (uint32_t)idx;
	page_stats.dirty++;
}

bool page_scrub_pending(void)
{
	return __atomic_load_n(&page_dirty_head, __ATOMIC_RELAXED) !=
	       PAGE_LIST_NONE;
}

unsigned int page_scrub(unsigned int max)
{
	unsigned int done = 0;

	while (done < max) {
		unsigned long idx;

		spin_lock(&page_lock);
		idx = page_dirty_head;
		if (idx != PAGE_LIST_NONE)
			page_dirty_head = page_table[idx].next;
		spin_unlock(&page_lock);
		if (idx == PAGE_LIST_NONE)
			break;
		/* Off the list, still dirty: nobody else touches it. */
		page_zero(_mfn(idx));
		spin_lock(&page_lock);
		page_block_set(idx, 0, DOMID_INVALID, PGU_FREE);
		page_stats.dirty--;
		page_stats.free++;
		page_merge_insert(idx, 0);
		spin_unlock(&page_lock);
		done++;
	}
	return done;
}

static bool page_block_referenced(unsigned long idx, unsigned int order)
{
	for (unsigned long i = 0; i < (1ul << order); i++)
		if (page_table[idx + i].count)
			return true;
	return false;
}

/*
 * Why the block at pg may not be freed, or NULL if it may. An orphan to
 * be: a domain's single frame that others still reference.
 */
static const char *page_free_check(const struct page_info *pg,
				   unsigned int order,
				   const struct mem_account *acct,
				   unsigned long *idx, bool orphan_ok)
{
	if (!page_index_of(pg, idx))
		return "not in the frame table";
	if (pg->use == PGU_FREE || pg->use == PGU_DIRTY ||
	    pg->use == PGU_ORPHAN)
		return "already free (double free)";
	if (pg->use == PGU_RESERVED)
		return "never given to the allocator";
	if (pg->order == PAGE_ORDER_TAIL)
		return "not the head of a block";
	if (pg->order != order)
		return "the block has another order";
	if (page_block_referenced(*idx, order) &&
	    !(orphan_ok && order == 0 && pg->use == PGU_DOMAIN))
		return "a frame is still referenced";
	if (acct && acct->pages < (1ul << order))
		return "the account was charged less than the block";
	return NULL;
}

int page_free(struct page_info *pg, unsigned int order,
	      struct mem_account *acct)
{
	unsigned long idx = 0;
	const char *why;

	spin_lock(&page_lock);
	why = page_free_check(pg, order, acct, &idx, false);
	if (!why) {
		page_block_set(idx, order, DOMID_INVALID, PGU_FREE);
		page_stats.free += 1ul << order;
		if (acct)
			acct->pages -= 1ul << order;
		page_merge_insert(idx, order);
	}
	spin_unlock(&page_lock);
	if (!why)
		return 0;
	log_err("page_free: frame %#llx, order %u: %s\n",
		(unsigned long long)mfn_x(page_to_mfn(pg)), order, why);
	return -EINVAL;
}

bool page_get(struct page_info *pg, domid_t owner)
{
	unsigned long idx;
	bool ok;

	spin_lock(&page_lock);
	ok = page_index_of(pg, &idx) && pg->use == PGU_DOMAIN &&
	     pg->owner == owner && pg->order == 0 && pg->count != (uint32_t)~0u;
	if (ok)
		pg->count++;
	spin_unlock(&page_lock);
	return ok;
}

void page_put(struct page_info *pg)
{
	unsigned long idx = 0;

	spin_lock(&page_lock);
	if (page_index_of(pg, &idx) && pg->count && !--pg->count &&
	    pg->use == PGU_ORPHAN)
		page_make_dirty(idx);
	spin_unlock(&page_lock);
}

int page_free_or_orphan(struct page_info *pg, struct mem_account *acct)
{
	unsigned long idx = 0;
	const char *why;

	spin_lock(&page_lock);
	why = page_free_check(pg, 0, acct, &idx, true);
	if (!why) {
		if (acct)
			acct->pages--;
		if (pg->count)
			pg->use = PGU_ORPHAN;
		else
			page_make_dirty(idx);
	}
	spin_unlock(&page_lock);
	if (!why)
		return 0;
	log_err("page_free: frame %#llx, order 0: %s\n",
		(unsigned long long)mfn_x(page_to_mfn(pg)), why);
	return -EINVAL;
}

void page_alloc_get_stats(struct page_alloc_stats *st)
{
	spin_lock(&page_lock);
	*st = page_stats;
	spin_unlock(&page_lock);
}

unsigned long page_alloc_max_mfn(void)
{
	return page_table_nr ? page_table_nr - 1 : 0;
}
