/*
 * Multiboot v1 information, read from the loader's memory. Everything is
 * copied into struct boot_info and checked there; a malformed structure
 * fails with a message rather than being half believed.
 */
#include <xen/arch.h>
#include <xen/bootinfo.h>
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/multiboot.h>
#include <xen/param.h>
#include <xen/string.h>

#define LOADER_NAME_MAX	   128
#define MODULE_CMDLINE_MAX 1024
#define MMAP_LENGTH_MAX	   (BOOT_RANGES_MAX * 64)

static int mb_fail(struct boot_info *bi, const char *fmt, ...) __printf(2, 3);

static int mb_fail(struct boot_info *bi, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(bi->error, sizeof(bi->error), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * Copy the string at pa (at most max bytes with its terminator) into the
 * string pool. Address 0 means "none" and gives "".
 */
static int mb_copy_string(struct boot_info *bi, uint32_t pa, size_t max,
			  const char *what, const char **out)
{
	char *dst = &bi->strings[bi->strings_used];
	size_t room = sizeof(bi->strings) - bi->strings_used;

	if (pa == 0) {
		*out = "";
		return 0;
	}
	for (size_t i = 0; i < max; i++) {
		const char *c = arch_phys_map(_paddr((uint64_t)pa + i), 1);

		if (!c)
			return mb_fail(bi, "%s at %#x is not in mapped memory",
				       what, pa);
		if (i >= room)
			return mb_fail(bi, "strings exceed %zu bytes in all",
				       sizeof(bi->strings));
		dst[i] = *c;
		if (*c == '\0') {
			bi->strings_used += i + 1;
			*out = dst;
			return 0;
		}
	}
	return mb_fail(bi, "%s at %#x is longer than %zu bytes", what, pa,
		       max - 1);
}

static int mb_add_range(struct boot_info *bi, uint64_t start, uint64_t size,
			uint32_t type)
{
	if (size == 0)
		return 0;
	if (start + size < start)
		return mb_fail(bi, "memory range %#llx+%#llx wraps around",
			       (unsigned long long)start,
			       (unsigned long long)size);
	if (bi->nr_ranges == BOOT_RANGES_MAX)
		return mb_fail(bi, "more than %u memory ranges",
			       BOOT_RANGES_MAX);
	bi->ranges[bi->nr_ranges++] =
	    (struct boot_range){ .start = start, .size = size, .type = type };
	return 0;
}

/* Walk the loader's map: entries of 4 + size bytes, size >= 20. */
static int mb_parse_mmap(struct boot_info *bi, uint32_t addr, uint32_t length)
{
	const uint8_t *map;
	uint32_t off = 0;

	if (length == 0 || length > MMAP_LENGTH_MAX)
		return mb_fail(bi, "memory map length %u out of range", length);
	map = arch_phys_map(_paddr(addr), length);
	if (!map)
		return mb_fail(bi, "memory map at %#x is not in mapped memory",
			       addr);
	while (off < length) {
		struct multiboot_mmap_entry e;
		int rc;

		if (length - off < sizeof(e.size))
			return mb_fail(bi, "memory map ends mid-entry");
		memcpy(&e.size, map + off, sizeof(e.size));
		if (e.size < sizeof(e) - sizeof(e.size) ||
		    e.size > length - off - sizeof(e.size))
			return mb_fail(bi,
				       "memory map entry at offset %u has "
				       "bad size %u",
				       off, e.size);
		memcpy(&e, map + off, sizeof(e));
		rc = mb_add_range(bi, e.addr, e.len, e.type);
		if (rc)
			return rc;
		off += sizeof(e.size) + e.size;
	}
	return 0;
}

/* Without a map, mem_lower and mem_upper give the two classic ranges. */
static int mb_parse_limits(struct boot_info *bi,
			   const struct multiboot_info *mbi)
{
	bi->mmap_from_limits = true;
	if (mb_add_range(bi, 0, (uint64_t)mbi->mem_lower << 10, BOOT_MEM_RAM))
		return -EINVAL;
	return mb_add_range(bi, 1 << 20, (uint64_t)mbi->mem_upper << 10,
			    BOOT_MEM_RAM);
}

static bool ranges_overlap(uint64_t a, uint64_t a_end, uint64_t b,
			   uint64_t b_end)
{
	return a < b_end && b < a_end;
}

static int mb_check_module(struct boot_info *bi, unsigned int i,
			   paddr_t image_start, paddr_t image_end)
{
	const struct boot_module *m = &bi->modules[i];
	uint64_t start = paddr_x(m->start), end = start + m->size;

	if (m->size && !arch_phys_map(m->start, m->size))
		return mb_fail(bi, "module %u is not in mapped memory", i);
	if (ranges_overlap(start, end, paddr_x(image_start),
			   paddr_x(image_end)))
		return mb_fail(bi, "module %u overlaps the hypervisor", i);
	for (unsigned int j = 0; j < i; j++) {
		const struct boot_module *o = &bi->modules[j];
		uint64_t o_start = paddr_x(o->start);

		if (ranges_overlap(start, end, o_start, o_start + o->size))
			return mb_fail(bi, "modules %u and %u overlap", j, i);
	}
	return 0;
}

static int mb_parse_modules(struct boot_info *bi, uint32_t addr, uint32_t count,
			    paddr_t image_start, paddr_t image_end)
{
	const struct multiboot_module *mods;

	if (count > BOOT_MODULES_MAX)
		return mb_fail(bi, "%u modules, at most %u are supported",
			       count, BOOT_MODULES_MAX);
	mods = arch_phys_map(_paddr(addr), (size_t)count * sizeof(*mods));
	if (count && !mods)
		return mb_fail(bi, "module list at %#x is not in mapped memory",
			       addr);
	for (unsigned int i = 0; i < count; i++) {
		struct multiboot_module m;
		struct boot_module *bm = &bi->modules[i];

		memcpy(&m, &mods[i], sizeof(m));
		if (m.mod_end < m.mod_start)
			return mb_fail(bi,
				       "module %u ends (%#x) before it "
				       "starts (%#x)",
				       i, m.mod_end, m.mod_start);
		bm->start = _paddr(m.mod_start);
		bm->size = m.mod_end - m.mod_start;
		if (mb_copy_string(bi, m.string, MODULE_CMDLINE_MAX,
				   "module command line", &bm->cmdline) ||
		    mb_check_module(bi, i, image_start, image_end))
			return -EINVAL;
		bi->nr_modules = i + 1;
	}
	return 0;
}

static int mb_parse_strings(struct boot_info *bi,
			    const struct multiboot_info *mbi)
{
	const char *cmdline = "";

	bi->loader = "";
	if ((mbi->flags & MBI_LOADERNAME) &&
	    mb_copy_string(bi, mbi->boot_loader_name, LOADER_NAME_MAX,
			   "boot loader name", &bi->loader))
		return -EINVAL;
	if ((mbi->flags & MBI_CMDLINE) &&
	    mb_copy_string(bi, mbi->cmdline, BOOT_CMDLINE_MAX, "command line",
			   &cmdline))
		return -EINVAL;
	bi->cmdline = cmdline_skip_image(cmdline, bi->loader);
	return 0;
}

int multiboot_parse(struct boot_info *bi, paddr_t mbi_pa, paddr_t image_start,
		    paddr_t image_end)
{
	const struct multiboot_info *src;
	struct multiboot_info mbi;
	int rc;

	memset(bi, 0, sizeof(*bi));
	bi->loader = bi->cmdline = "";
	src = paddr_x(mbi_pa) ? arch_phys_map(mbi_pa, sizeof(mbi)) : NULL;
	if (!src)
		return mb_fail(bi,
			       "information structure at %#llx is not in "
			       "mapped memory",
			       (unsigned long long)paddr_x(mbi_pa));
	memcpy(&mbi, src, sizeof(mbi));

	rc = mb_parse_strings(bi, &mbi);
	if (!rc && (mbi.flags & MBI_MEMMAP))
		rc = mb_parse_mmap(bi, mbi.mmap_addr, mbi.mmap_length);
	else if (!rc && (mbi.flags & MBI_MEMLIMITS))
		rc = mb_parse_limits(bi, &mbi);
	else if (!rc)
		rc = mb_fail(bi, "no memory map (flags %#x)", mbi.flags);
	if (!rc && (mbi.flags & MBI_MODULES))
		rc = mb_parse_modules(bi, mbi.mods_addr, mbi.mods_count,
				      image_start, image_end);
	if (!rc && boot_info_ram(bi) == 0)
		rc = mb_fail(bi, "memory map has no usable RAM");
	return rc;
}
