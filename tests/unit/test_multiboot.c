/* Multiboot information: copied out, checked, and reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <xen/bootinfo.h>
#include <xen/console.h>
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/multiboot.h>

#include "fake_arch.h"

/* Where the tests put things in fake machine memory. */
#define MBI_PA	   (FAKE_MEM_BASE + 0x0000)
#define MMAP_PA	   (FAKE_MEM_BASE + 0x1000)
#define MODS_PA	   (FAKE_MEM_BASE + 0x2000)
#define STR_PA	   (FAKE_MEM_BASE + 0x4000)
#define MODDATA_PA (FAKE_MEM_BASE + 0x10000)
#define IMAGE_PA   0x200000ull /* outside fake memory */
#define IMAGE_END  0x300000ull

static struct boot_info bi;
static uint64_t str_next;

static struct multiboot_info *mbi(void)
{
	return fake_mem_at(MBI_PA);
}

static uint32_t put_string(const char *s)
{
	uint64_t pa = str_next;

	memcpy(fake_mem_at(pa), s, strlen(s) + 1);
	str_next += strlen(s) + 1;
	return (uint32_t)pa;
}

static void put_mmap(const struct multiboot_mmap_entry *e, unsigned int n)
{
	memcpy(fake_mem_at(MMAP_PA), e, n * sizeof(*e));
	mbi()->flags |= MBI_MEMMAP;
	mbi()->mmap_addr = (uint32_t)MMAP_PA;
	mbi()->mmap_length = n * sizeof(*e);
}

static void put_modules(unsigned int n, uint32_t size)
{
	struct multiboot_module *m = fake_mem_at(MODS_PA);

	for (unsigned int i = 0; i < n; i++) {
		m[i].mod_start = (uint32_t)(MODDATA_PA + i * size);
		m[i].mod_end = m[i].mod_start + size;
		m[i].string = 0;
	}
	mbi()->flags |= MBI_MODULES;
	mbi()->mods_addr = (uint32_t)MODS_PA;
	mbi()->mods_count = n;
}

static const struct multiboot_mmap_entry qemu_map[] = {
	{ 20, 0x0, 0x9fc00, BOOT_MEM_RAM },
	{ 20, 0x9fc00, 0x400, BOOT_MEM_RESERVED },
	{ 20, 0x100000, 0x1ff00000, BOOT_MEM_RAM },
	{ 20, 0xfffc0000, 0x40000, BOOT_MEM_RESERVED },
};

/* A well-formed structure, as QEMU passes it; tests then break it. */
static int setup(void **state)
{
	struct multiboot_module *m;

	(void)state;
	fake_mem_reset();
	fake_serial_reset();
	str_next = STR_PA;
	mbi()->flags = MBI_CMDLINE | MBI_LOADERNAME;
	mbi()->cmdline = put_string("/tmp/citadel.elf loglevel=debug x");
	mbi()->boot_loader_name = put_string("qemu");
	put_mmap(qemu_map, ARRAY_SIZE(qemu_map));
	put_modules(2, 0x1000);
	m = fake_mem_at(MODS_PA);
	m[0].string = put_string("dom0.elf console=hvc0");
	return 0;
}

static int parse(void)
{
	return multiboot_parse(&bi, _paddr(MBI_PA), _paddr(IMAGE_PA),
			       _paddr(IMAGE_END));
}

static void expect_error(const char *what)
{
	assert_int_equal(parse(), -EINVAL);
	if (!strstr(bi.error, what))
		fail_msg("error '%s' lacks '%s'", bi.error, what);
}

static void test_valid(void **state)
{
	(void)state;
	assert_int_equal(parse(), 0);
	assert_string_equal(bi.loader, "qemu");
	assert_string_equal(bi.cmdline, "loglevel=debug x");
	assert_int_equal(bi.nr_ranges, 4);
	assert_int_equal(bi.ranges[2].start, 0x100000);
	assert_int_equal(bi.ranges[2].size, 0x1ff00000);
	assert_int_equal(bi.ranges[3].type, BOOT_MEM_RESERVED);
	assert_false(bi.mmap_from_limits);
	assert_int_equal(boot_info_ram(&bi), 0x9fc00 + 0x1ff00000);
	assert_int_equal(bi.nr_modules, 2);
	assert_int_equal(paddr_x(bi.modules[0].start), MODDATA_PA);
	assert_int_equal(bi.modules[0].size, 0x1000);
	assert_string_equal(bi.modules[0].cmdline, "dom0.elf console=hvc0");
	assert_string_equal(bi.modules[1].cmdline, "");
}

/* The loader's memory may change later: nothing may point into it. */
static void test_strings_are_copied(void **state)
{
	(void)state;
	assert_int_equal(parse(), 0);
	memset(fake_mem_at(STR_PA), 'Z', 0x100);
	assert_string_equal(bi.loader, "qemu");
	assert_string_equal(bi.modules[0].cmdline, "dom0.elf console=hvc0");
}

static void test_no_info(void **state)
{
	(void)state;
	assert_int_equal(multiboot_parse(&bi, _paddr(0), _paddr(IMAGE_PA),
					 _paddr(IMAGE_END)),
			 -EINVAL);
	assert_int_equal(multiboot_parse(&bi, _paddr(0x5000), _paddr(IMAGE_PA),
					 _paddr(IMAGE_END)),
			 -EINVAL);
	assert_non_null(strstr(bi.error, "not in mapped memory"));
	/* The structure's last byte past the end of memory. */
	assert_int_equal(
	    multiboot_parse(&bi, _paddr(FAKE_MEM_BASE + FAKE_MEM_SIZE - 60),
			    _paddr(IMAGE_PA), _paddr(IMAGE_END)),
	    -EINVAL);
}

static void test_optional_strings_absent(void **state)
{
	(void)state;
	mbi()->flags &= ~(MBI_CMDLINE | MBI_LOADERNAME);
	assert_int_equal(parse(), 0);
	assert_string_equal(bi.loader, "");
	assert_string_equal(bi.cmdline, "");
}

static void test_grub2_keeps_first_word(void **state)
{
	(void)state;
	mbi()->boot_loader_name = put_string("GRUB 2.06");
	mbi()->cmdline = put_string("loglevel=debug");
	assert_int_equal(parse(), 0);
	assert_string_equal(bi.cmdline, "loglevel=debug");
}

static void test_unterminated_cmdline(void **state)
{
	(void)state;
	memset(fake_mem_at(STR_PA + 0x2000), 'a', 2 * BOOT_CMDLINE_MAX);
	mbi()->cmdline = (uint32_t)(STR_PA + 0x2000);
	expect_error("command line at");
	expect_error("longer than 1023 bytes");
}

static void test_string_runs_off_memory(void **state)
{
	uint64_t end = FAKE_MEM_BASE + FAKE_MEM_SIZE;

	(void)state;
	memset(fake_mem_at(end - 8), 'a', 8);
	mbi()->boot_loader_name = (uint32_t)(end - 8);
	expect_error("boot loader name at");
	mbi()->boot_loader_name = 0x1000;
	expect_error("not in mapped memory");
}

static void test_mmap_entry_too_small(void **state)
{
	struct multiboot_mmap_entry e[2] = { qemu_map[2], qemu_map[0] };

	(void)state;
	e[1].size = 12;
	put_mmap(e, 2);
	expect_error("entry at offset 24 has bad size 12");
}

static void test_mmap_entry_past_length(void **state)
{
	struct multiboot_mmap_entry e[2] = { qemu_map[2], qemu_map[0] };

	(void)state;
	e[1].size = 40;
	put_mmap(e, 2);
	expect_error("bad size 40");
}

static void test_mmap_trailing_bytes(void **state)
{
	(void)state;
	put_mmap(qemu_map, 2);
	mbi()->mmap_length += 3;
	expect_error("ends mid-entry");
}

static void test_mmap_larger_entries(void **state)
{
	uint8_t *p = fake_mem_at(MMAP_PA);
	struct multiboot_mmap_entry e = qemu_map[2];

	(void)state;
	/* Entries may be larger than 24 bytes; size says by how much. */
	e.size = 28;
	memcpy(p, &e, sizeof(e));
	memcpy(p + 32, &e, sizeof(e));
	mbi()->mmap_length = 64;
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nr_ranges, 2);
}

static void test_mmap_length_bad(void **state)
{
	(void)state;
	mbi()->mmap_length = 0;
	expect_error("length 0 out of range");
	mbi()->mmap_length = 0x7fffffff;
	expect_error("out of range");
	mbi()->mmap_length = 48;
	mbi()->mmap_addr = (uint32_t)(FAKE_MEM_BASE + FAKE_MEM_SIZE - 24);
	expect_error("memory map at");
}

static void test_mmap_too_many(void **state)
{
	static struct multiboot_mmap_entry e[BOOT_RANGES_MAX + 1];

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(e); i++)
		e[i] = (struct multiboot_mmap_entry){ 20, i << 20, 4096, 1 };
	put_mmap(e, BOOT_RANGES_MAX);
	assert_int_equal(parse(), 0);
	put_mmap(e, BOOT_RANGES_MAX + 1);
	expect_error("more than 128 memory ranges");
}

static void test_mmap_wraps(void **state)
{
	struct multiboot_mmap_entry e[2] = { qemu_map[2],
					     { 20, ~0ull - 10, 100, 2 } };

	(void)state;
	put_mmap(e, 2);
	expect_error("wraps around");
}

static void test_mmap_zero_length_skipped(void **state)
{
	struct multiboot_mmap_entry e[2] = { qemu_map[2], { 20, 0, 0, 1 } };

	(void)state;
	put_mmap(e, 2);
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nr_ranges, 1);
}

static void test_mem_limits_fallback(void **state)
{
	(void)state;
	mbi()->flags = (mbi()->flags & ~MBI_MEMMAP) | MBI_MEMLIMITS;
	mbi()->mem_lower = 639;
	mbi()->mem_upper = 523264;
	assert_int_equal(parse(), 0);
	assert_true(bi.mmap_from_limits);
	assert_int_equal(bi.nr_ranges, 2);
	assert_int_equal(bi.ranges[1].start, 0x100000);
	assert_int_equal(bi.ranges[1].size, 523264ull << 10);
}

static void test_no_memory_info(void **state)
{
	(void)state;
	mbi()->flags &= ~(MBI_MEMMAP | MBI_MEMLIMITS);
	expect_error("no memory map");
}

static void test_no_usable_ram(void **state)
{
	(void)state;
	put_mmap(&qemu_map[1], 1);
	expect_error("no usable RAM");
}

static void test_no_modules_flag(void **state)
{
	(void)state;
	mbi()->flags &= ~MBI_MODULES;
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nr_modules, 0);
}

static void test_too_many_modules(void **state)
{
	(void)state;
	put_modules(BOOT_MODULES_MAX, 0x100);
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.nr_modules, BOOT_MODULES_MAX);
	put_modules(BOOT_MODULES_MAX + 1, 0x100);
	expect_error("33 modules, at most 32");
}

static void test_module_list_unmapped(void **state)
{
	(void)state;
	mbi()->mods_addr = (uint32_t)(FAKE_MEM_BASE + FAKE_MEM_SIZE - 16);
	expect_error("module list at");
	mbi()->mods_count = 0x10000000; /* count * 16 overflows 32 bits */
	expect_error("modules, at most");
}

static void test_module_end_before_start(void **state)
{
	struct multiboot_module *m = fake_mem_at(MODS_PA);

	(void)state;
	m[1].mod_end = m[1].mod_start - 1;
	expect_error("module 1 ends");
}

static void test_modules_overlap(void **state)
{
	struct multiboot_module *m = fake_mem_at(MODS_PA);

	(void)state;
	m[1].mod_start = m[0].mod_end - 1;
	m[1].mod_end = m[1].mod_start + 0x10;
	expect_error("modules 0 and 1 overlap");
}

static void test_module_overlaps_image(void **state)
{
	(void)state;
	assert_int_equal(multiboot_parse(&bi, _paddr(MBI_PA),
					 _paddr(MODDATA_PA + 0x1800),
					 _paddr(MODDATA_PA + 0x1900)),
			 -EINVAL);
	assert_non_null(strstr(bi.error, "module 1 overlaps the hypervisor"));
}

static void test_module_outside_memory(void **state)
{
	struct multiboot_module *m = fake_mem_at(MODS_PA);

	(void)state;
	m[1].mod_start = (uint32_t)(FAKE_MEM_BASE + FAKE_MEM_SIZE - 0x100);
	m[1].mod_end = m[1].mod_start + 0x200;
	expect_error("module 1 is not in mapped memory");
}

static void test_empty_module(void **state)
{
	struct multiboot_module *m = fake_mem_at(MODS_PA);

	(void)state;
	m[1].mod_end = m[1].mod_start;
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.modules[1].size, 0);
}

static void test_string_pool_exhausted(void **state)
{
	char s[1000];
	struct multiboot_module *m = fake_mem_at(MODS_PA);

	(void)state;
	memset(s, 'm', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	put_modules(10, 0x100);
	for (unsigned int i = 0; i < 10; i++)
		m[i].string = put_string(s);
	expect_error("strings exceed 8192 bytes");
}

static void test_print(void **state)
{
	(void)state;
	assert_int_equal(parse(), 0);
	console_init();
	log_level = LOG_INFO;
	boot_info_print(&bi);
	assert_non_null(strstr(fake_serial_out, "Boot loader: qemu\r\n"));
	assert_non_null(strstr(fake_serial_out, "Memory map (E820, 4 ranges)"));
	assert_non_null(strstr(fake_serial_out,
			       "0000000000100000-000000001fffffff usable"));
	assert_non_null(strstr(fake_serial_out, "Usable RAM: 511 MiB"));
	assert_non_null(strstr(fake_serial_out, "Modules: 2\r\n"));
	assert_non_null(strstr(fake_serial_out,
			       "module 0: at 0x20000, 4096 bytes: "
			       "'dom0.elf console=hvc0'"));
}

/*
 * Whatever the loader wrote, parsing ends with 0 or -EINVAL and reads
 * only what arch_phys_map() allowed (AddressSanitizer watches).
 */
static void test_random_structures(void **state)
{
	uint32_t *w = fake_mem_at(MBI_PA);

	(void)state;
	srand(1234);
	for (unsigned int round = 0; round < 20000; round++) {
		for (unsigned int i = 0; i < 0x4000 / 4; i++)
			w[i] = (uint32_t)rand() & 0xff00ffff;
		for (unsigned int i = 0; i < 17; i++)
			if (rand() & 1)
				w[i] = (uint32_t)(FAKE_MEM_BASE +
						  (rand() % 0x4100));
		w[6] = (uint32_t)(rand() % 40);	  /* mods_count */
		w[11] = (uint32_t)(rand() % 200); /* mmap_length */
		int rc = parse();
		assert_true(rc == 0 || rc == -EINVAL);
	}
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_valid),
		T(test_strings_are_copied),
		T(test_no_info),
		T(test_optional_strings_absent),
		T(test_grub2_keeps_first_word),
		T(test_unterminated_cmdline),
		T(test_string_runs_off_memory),
		T(test_mmap_entry_too_small),
		T(test_mmap_entry_past_length),
		T(test_mmap_trailing_bytes),
		T(test_mmap_larger_entries),
		T(test_mmap_length_bad),
		T(test_mmap_too_many),
		T(test_mmap_wraps),
		T(test_mmap_zero_length_skipped),
		T(test_mem_limits_fallback),
		T(test_no_memory_info),
		T(test_no_usable_ram),
		T(test_no_modules_flag),
		T(test_too_many_modules),
		T(test_module_list_unmapped),
		T(test_module_end_before_start),
		T(test_modules_overlap),
		T(test_module_overlaps_image),
		T(test_module_outside_memory),
		T(test_empty_module),
		T(test_string_pool_exhausted),
		T(test_print),
		T(test_random_structures),
	};

	return cmocka_run_group_tests_name("multiboot", tests, NULL, NULL);
}
