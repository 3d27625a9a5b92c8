/*
 * The small domain's memory: free pages on a list (the first word of a
 * free page links the next), and malloc carving blocks with a 16-byte
 * header out of pages taken from that list. No locking: the runtime's
 * code runs on vCPU 0, handlers included.
 */
#include <xen/string.h>
#include <stub/mm.h>
#include <stub/stub.h>

#define PAGE	 4096ul
#define HDR	 16ul
#define IMAGE_VA 0x400000ul

struct block {
	size_t size;	    /* bytes after the header */
	struct block *next; /* on the free list */
};

static void *free_pages;
static unsigned long nr_free;
static struct block *free_blocks;

void stub_free_page(void *p)
{
	*(void **)p = free_pages;
	free_pages = p;
	nr_free++;
}

void *stub_alloc_page(void)
{
	void *p = free_pages;

	if (!p)
		return NULL;
	free_pages = *(void **)p;
	nr_free--;
	memset(p, 0, PAGE);
	return p;
}

unsigned long stub_free_pages(void)
{
	return nr_free;
}

void stub_mm_init(void)
{
	unsigned long first =
	    (start_info->pt_base - IMAGE_VA) / PAGE + start_info->nr_pt_frames;

	for (unsigned long pfn = start_info->nr_pages; pfn-- > first;)
		stub_free_page((void *)(IMAGE_VA + pfn * PAGE));
}

static struct block *malloc_fit(size_t size)
{
	for (struct block **pp = &free_blocks; *pp; pp = &(*pp)->next) {
		struct block *b = *pp;

		if (b->size < size)
			continue;
		if (b->size >= size + HDR + 16) { /* split off the tail */
			struct block *rest = (void *)((char *)b + HDR + size);

			rest->size = b->size - size - HDR;
			rest->next = b->next;
			b->size = size;
			*pp = rest;
		} else {
			*pp = b->next;
		}
		return b;
	}
	return NULL;
}

void *malloc(size_t size)
{
	struct block *b;

	size = (size + 15) & ~15ul;
	if (size == 0 || size > PAGE - HDR)
		return NULL; /* one page at most: use stub_alloc_page */
	b = malloc_fit(size);
	if (!b) {
		b = stub_alloc_page();
		if (!b)
			return NULL;
		b->size = PAGE - HDR;
		b->next = free_blocks;
		free_blocks = b;
		b = malloc_fit(size);
	}
	return (char *)b + HDR;
}

void free(void *p)
{
	struct block *b = (void *)((char *)p - HDR);

	if (!p)
		return;
	b->next = free_blocks;
	free_blocks = b;
}

unsigned long stub_virt_to_mfn(const void *p)
{
	const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;

	return p2m[((unsigned long)p - IMAGE_VA) / PAGE];
}

void *stub_mfn_to_virt(unsigned long mfn)
{
	const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;

	for (unsigned long pfn = 0; pfn < start_info->nr_pages; pfn++)
		if (p2m[pfn] == mfn)
			return (void *)(IMAGE_VA + pfn * PAGE);
	return NULL;
}
