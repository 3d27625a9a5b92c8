/*
 * From the loader's memory map to a running page allocator: free RAM is
 * RAM minus the first MiB, the image and the modules; the final page
 * tables map the image W^X and all RAM in the direct map.
 */
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/memrange.h>
#include <xen/mm.h>
#include <xen/string.h>
#include <asm/mm.h>
#include <asm/page.h>

#define FREE_RANGES_MAX 256
#define LOW_MEM_END	0x100000
#define GIB		(1ull << 30)

extern char __image_start[], __rodata_start[], __rodata_end[], __image_end[];

paddr_t idle_pg_table;
paddr_t trampoline_pa;

static struct memrange free_storage[FREE_RANGES_MAX];
static struct memrange_set free_mem;
static uint64_t ram_top;
static unsigned long frametable_bytes;

/* Until the allocator runs, page tables come from free RAM below 4 GiB. */
static paddr_t mm_boot_pt_alloc(void *ctx)
{
	uint64_t pa = memrange_alloc(&free_mem, PAGE_SIZE, PAGE_SIZE,
				     DIRECTMAP_BOOT_SIZE);

	if (pa)
		memset(maddr_to_virt(_paddr(pa)), 0, PAGE_SIZE);
	return _paddr(pa);
}

static const struct pt_alloc mm_boot_alloc = { mm_boot_pt_alloc, NULL };

static uint64_t round_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) & ~(align - 1);
}

static void mm_reserve(uint64_t start, uint64_t end, const char *what)
{
	if (memrange_remove(&free_mem, start & ~(PAGE_SIZE - 1ull),
			    round_up(end, PAGE_SIZE)) < 0)
		panic("memory map too fragmented to reserve %s", what);
}

static void mm_collect_free(const struct boot_info *bi)
{
	memrange_init(&free_mem, free_storage, FREE_RANGES_MAX);
	for (unsigned int i = 0; i < bi->nr_ranges; i++) {
		const struct boot_range *r = &bi->ranges[i];

		if (r->type != BOOT_MEM_RAM)
			continue;
		if (memrange_add(&free_mem, r->start, r->start + r->size) < 0)
			panic("more than %u RAM ranges", FREE_RANGES_MAX);
		if (r->start + r->size > ram_top)
			ram_top = r->start + r->size;
	}
	memrange_align_inward(&free_mem, PAGE_SIZE);
	mm_reserve(paddr_x(virt_to_maddr(__image_start)),
		   paddr_x(virt_to_maddr(__image_end)), "the hypervisor");
	for (unsigned int i = 0; i < bi->nr_modules; i++)
		mm_reserve(paddr_x(bi->modules[i].start),
			   paddr_x(bi->modules[i].start) + bi->modules[i].size,
			   "a module");
	/*
	 * Only now, with the modules out of the set: a loader may put one
	 * below 1 MiB, and the AP start-up code is copied over this page.
	 */
	trampoline_pa = _paddr(
	    memrange_alloc(&free_mem, PAGE_SIZE, PAGE_SIZE, LOW_MEM_END));
	if (!paddr_x(trampoline_pa))
		panic("no free page below 1 MiB for starting CPUs");
	mm_reserve(0, LOW_MEM_END, "the first MiB");
}

static void mm_map(uint64_t va, paddr_t pa, uint64_t size, uint64_t flags,
		   bool large)
{
	int rc =
	    pt_map(idle_pg_table, va, pa, size, flags, large, &mm_boot_alloc);

	if (rc)
		panic("cannot build the page tables (%d) at %#llx", rc,
		      (unsigned long long)va);
}

/* Text executable and read-only, read-only data, data not executable. */
static void mm_map_image(void)
{
	uint64_t text = (uintptr_t)__image_start,
		 ro = (uintptr_t)__rodata_start;
	uint64_t rw = (uintptr_t)__rodata_end, end = (uintptr_t)__image_end;

	mm_map(text, virt_to_maddr(__image_start), ro - text, PAGE_HV_RX,
	       false);
	mm_map(ro, virt_to_maddr(__rodata_start), rw - ro, PAGE_HV_RO, false);
	mm_map(rw, virt_to_maddr(__rodata_end), end - rw, PAGE_HV_RW, false);
}

static void mm_map_frametable(void)
{
	unsigned long nr = ram_top >> PAGE_SHIFT;
	uint64_t pa, align;

	frametable_bytes = round_up(nr * sizeof(struct page_info), PAGE_SIZE);
	align = frametable_bytes >= (2ull << 20) ? (2ull << 20) : PAGE_SIZE;
	pa = memrange_alloc(&free_mem, frametable_bytes, align,
			    DIRECTMAP_BOOT_SIZE);
	if (!pa || frametable_bytes > FRAMETABLE_VIRT_SIZE)
		panic("no room for the frame table (%lu KiB)",
		      frametable_bytes >> 10);
	memset(maddr_to_virt(_paddr(pa)), 0, frametable_bytes);
	mm_map(FRAMETABLE_VIRT_START, _paddr(pa), frametable_bytes, PAGE_HV_RW,
	       true);
}

static void mm_build_tables(void)
{
	uint64_t dm_size = round_up(
	    ram_top > DIRECTMAP_BOOT_SIZE ? ram_top : DIRECTMAP_BOOT_SIZE, GIB);

	if (dm_size > DIRECTMAP_VIRT_SIZE)
		panic("RAM up to %#llx exceeds the direct map",
		      (unsigned long long)ram_top);
	idle_pg_table = mm_boot_pt_alloc(NULL);
	if (!paddr_x(idle_pg_table))
		panic("no memory for page tables");
	mm_map_image();
	mm_map(DIRECTMAP_VIRT_START, _paddr(0), dm_size, PAGE_HV_RW, true);
	/*
	 * The AP start-up code runs from here with paging just enabled:
	 * read-only here, written only through the direct map.
	 */
	mm_map(paddr_x(trampoline_pa), trampoline_pa, PAGE_SIZE, PAGE_HV_RX,
	       false);
	mm_map_frametable();
}

static void mm_start_allocator(void)
{
	page_alloc_init((struct page_info *)FRAMETABLE_VIRT_START,
			ram_top >> PAGE_SHIFT);
	for (unsigned int i = 0; i < free_mem.nr; i++) {
		const struct memrange *r = &free_mem.r[i];

		if (page_alloc_add(_mfn(r->start >> PAGE_SHIFT),
				   (r->end - r->start) >> PAGE_SHIFT) < 0)
			panic("page allocator refused %#llx-%#llx",
			      (unsigned long long)r->start,
			      (unsigned long long)r->end);
	}
}

void mm_init(const struct boot_info *bi)
{
	mm_collect_free(bi);
	mm_build_tables();
	write_cr3(idle_pg_table);
	mm_start_allocator();
	log_info("Memory: RAM up to %#llx, frame table %lu KiB, trampoline "
		 "at %#llx\n",
		 (unsigned long long)ram_top, frametable_bytes >> 10,
		 (unsigned long long)paddr_x(trampoline_pa));
	mm_print_usage();
}

void mm_print_usage(void)
{
	struct page_alloc_stats st;

	page_alloc_get_stats(&st);
	log_always("Memory: %lu MiB managed, %lu MiB free (%lu KiB)\n",
		   st.total >> (20 - PAGE_SHIFT), st.free >> (20 - PAGE_SHIFT),
		   st.free << (PAGE_SHIFT - 10));
}
