/* PV kernel images: ELF64 checks, Xen notes, loading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sanitizer/asan_interface.h>

#include <xen/elf.h>
#include <xen/errno.h>
#include <xen/lib.h>

/*
 * The test image: a Linux-like kernel linked at -2 GiB.
 *   0x0000 ELF header, 0x0040 program headers (room for 20),
 *   0x0500 the notes, 0x1000 text (file 0x1000, memory 0x2000, R-X),
 *   0x2000 data (file 0x400, memory 0x3000, RW-).
 */
#define IMG_ROOM     0x3000
#define IMG_SIZE     0x2400
#define PH_MAX	     20
#define NOTES_OFF    0x500
#define NOTES_ROOM   0xb00
#define PH_TEXT	     0
#define PH_DATA	     1
#define PH_NOTE	     2
#define TEXT_OFF     0x1000
#define TEXT_VA	     0xffffffff80000000ull
#define TEXT_FILESZ  0x1000
#define TEXT_MEMSZ   0x2000
#define DATA_OFF     0x2000
#define DATA_VA	     0xffffffff80002000ull
#define DATA_FILESZ  0x400
#define DATA_MEMSZ   0x3000
#define E_ENTRY	     (TEXT_VA + 0x40)
#define NOTE_ENTRY   (TEXT_VA + 0x100)
#define NOTE_HCALL   (TEXT_VA + 0x1000)
#define NOTE_PHYS32  0x1000100u
#define HOLE_START   0xffff800000000000ull
#define HOLE_END     0xffff880000000000ull
#define GOOD_FEATURE "!writable_page_tables|pae_pgdir_above_4gb"

static union {
	uint8_t b[IMG_ROOM];
	uint64_t align_;
} img;
static size_t img_size;
static size_t notes_len;
static struct elf_image im;
static uint8_t *copy_buf; /* what elf_parse() was given, at an odd address */

static struct elf64_ehdr *eh(void)
{
	return (struct elf64_ehdr *)img.b;
}

static struct elf64_phdr *ph(unsigned int i)
{
	return (struct elf64_phdr *)(img.b + ELF_EHDR_SIZE) + i;
}

/* Append a note with any name to the PT_NOTE segment (4-byte padding). */
static void add_raw_note(const char *name, uint32_t namesz, uint32_t type,
			 const void *desc, uint32_t descsz)
{
	struct elf_note n = { namesz, descsz, type };
	uint8_t *p = img.b + NOTES_OFF + notes_len;
	size_t name_room = (namesz + 3) & ~3u;

	assert_true(notes_len + sizeof(n) + name_room + descsz + 3 <=
		    NOTES_ROOM);
	memcpy(p, &n, sizeof(n));
	memset(p + sizeof(n), 0, name_room);
	memcpy(p + sizeof(n), name,
	       strlen(name) < namesz ? strlen(name) : namesz);
	memset(p + sizeof(n) + name_room, 0, (descsz + 3) & ~3u);
	memcpy(p + sizeof(n) + name_room, desc, descsz);
	notes_len += sizeof(n) + name_room + ((descsz + 3) & ~3u);
	ph(PH_NOTE)->p_filesz = notes_len;
}

static void add_note(uint32_t type, const void *desc, uint32_t descsz)
{
	add_raw_note("Xen", 4, type, desc, descsz);
}

static void add_note_str(uint32_t type, const char *s)
{
	add_note(type, s, (uint32_t)strlen(s) + 1);
}

static void add_note_u64(uint32_t type, uint64_t v)
{
	add_note(type, &v, 8);
}

static void add_note_u32(uint32_t type, uint32_t v)
{
	add_note(type, &v, 4);
}

static void set_phdr(unsigned int i, uint32_t type, uint32_t flags,
		     uint64_t off, uint64_t va, uint64_t filesz, uint64_t memsz)
{
	*ph(i) = (struct elf64_phdr){
		.p_type = type,
		.p_flags = flags,
		.p_offset = off,
		.p_vaddr = va,
		.p_paddr = va - TEXT_VA + 0x1000000,
		.p_filesz = filesz,
		.p_memsz = memsz,
		.p_align = type == PT_NOTE ? 4 : 0x1000,
	};
}

/* A good image with every note we read; tests then break it. */
static void build_good(void)
{
	memset(img.b, 0, sizeof(img.b));
	img_size = IMG_SIZE;
	notes_len = 0;
	memcpy(eh()->e_ident, "\177ELF", 4);
	eh()->e_ident[EI_CLASS] = ELFCLASS64;
	eh()->e_ident[EI_DATA] = ELFDATA2LSB;
	eh()->e_ident[EI_VERSION] = EV_CURRENT;
	eh()->e_type = ET_EXEC;
	eh()->e_machine = EM_X86_64;
	eh()->e_version = EV_CURRENT;
	eh()->e_entry = E_ENTRY;
	eh()->e_phoff = ELF_EHDR_SIZE;
	eh()->e_ehsize = ELF_EHDR_SIZE;
	eh()->e_phentsize = ELF_PHDR_SIZE;
	eh()->e_phnum = 3;
	set_phdr(PH_TEXT, PT_LOAD, PF_R | PF_X, TEXT_OFF, TEXT_VA, TEXT_FILESZ,
		 TEXT_MEMSZ);
	set_phdr(PH_DATA, PT_LOAD, PF_R | PF_W, DATA_OFF, DATA_VA, DATA_FILESZ,
		 DATA_MEMSZ);
	set_phdr(PH_NOTE, PT_NOTE, PF_R, NOTES_OFF, 0, 0, 0);
	for (unsigned int i = 0; i < TEXT_FILESZ + DATA_FILESZ; i++)
		img.b[TEXT_OFF + i] = (uint8_t)(i * 7 + 1);

	add_note_str(XEN_ELFNOTE_GUEST_OS, "linux");
	add_note_str(7 /* GUEST_VERSION */, "2.6");
	add_note_str(XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
	add_note_u64(XEN_ELFNOTE_VIRT_BASE, TEXT_VA);
	add_note_u64(XEN_ELFNOTE_PADDR_OFFSET, 0);
	add_note_u64(XEN_ELFNOTE_ENTRY, NOTE_ENTRY);
	add_note_u64(XEN_ELFNOTE_HYPERCALL_PAGE, NOTE_HCALL);
	add_note_str(XEN_ELFNOTE_FEATURES, GOOD_FEATURE);
	add_note_str(XEN_ELFNOTE_LOADER, "generic");
	add_note_u32(XEN_ELFNOTE_PHYS32_ENTRY, NOTE_PHYS32);
}

/* Drop every note: the PT_NOTE header becomes PT_NULL. */
static void no_notes(void)
{
	ph(PH_NOTE)->p_type = 0;
}

static void free_copy(void)
{
	if (copy_buf) {
		ASAN_UNPOISON_MEMORY_REGION(copy_buf, 1);
		free(copy_buf);
		copy_buf = NULL;
	}
}

/*
 * Parse a copy of img.b[0, size) at an odd address, with AddressSanitizer
 * watching both ends.
 */
static int parse_n(size_t size)
{
	free_copy();
	copy_buf = malloc(size + 1);
	assert_non_null(copy_buf);
	memcpy(copy_buf + 1, img.b, size);
	ASAN_POISON_MEMORY_REGION(copy_buf, 1);
	memset(&im, 0xa5, sizeof(im));
	return elf_parse(&im, copy_buf + 1, size);
}

static int parse(void)
{
	return parse_n(img_size);
}

static void expect_error(const char *what)
{
	assert_int_equal(parse(), -EINVAL);
	if (!strstr(im.error, what))
		fail_msg("error '%s' lacks '%s'", im.error, what);
	/* Nothing half-checked is left behind. */
	assert_int_equal(im.nr_segments, 0);
	assert_null(im.data);
	assert_false(im.has_entry);
}

static void expect_ok(void)
{
	if (parse() != 0)
		fail_msg("parse failed: %s", im.error);
}

static int setup(void **state)
{
	(void)state;
	build_good();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free_copy();
	return 0;
}

static void test_valid_with_notes(void **state)
{
	(void)state;
	expect_ok();
	assert_ptr_equal(im.data, copy_buf + 1);
	assert_int_equal(im.size, IMG_SIZE);
	assert_int_equal(im.nr_segments, 2);
	assert_int_equal(im.seg[0].vaddr, TEXT_VA);
	assert_int_equal(im.seg[0].memsz, TEXT_MEMSZ);
	assert_int_equal(im.seg[0].offset, TEXT_OFF);
	assert_int_equal(im.seg[0].filesz, TEXT_FILESZ);
	assert_int_equal(im.seg[0].flags, PF_R | PF_X);
	assert_int_equal(im.seg[1].vaddr, DATA_VA);
	assert_int_equal(im.seg[1].flags, PF_R | PF_W);
	assert_int_equal(im.virt_start, TEXT_VA);
	assert_int_equal(im.virt_end, DATA_VA + DATA_MEMSZ);
	assert_true(im.has_xen_notes);
	assert_int_equal(im.entry, NOTE_ENTRY);
	assert_true(im.has_entry);
	assert_int_equal(im.note_entry, NOTE_ENTRY);
	assert_true(im.has_hypercall_page);
	assert_int_equal(im.note_hypercall_page, NOTE_HCALL);
	assert_true(im.has_virt_base);
	assert_int_equal(im.note_virt_base, TEXT_VA);
	assert_true(im.has_paddr_offset);
	assert_int_equal(im.note_paddr_offset, 0);
	assert_string_equal(im.guest_os, "linux");
	assert_string_equal(im.xen_version, "xen-3.0");
	assert_string_equal(im.loader, "generic");
	assert_string_equal(im.features, GOOD_FEATURE);
	assert_true(im.has_phys32_entry);
	assert_int_equal(im.phys32_entry, NOTE_PHYS32);
	assert_string_equal(im.error, "");
}

static void test_valid_without_notes(void **state)
{
	(void)state;
	no_notes();
	expect_ok();
	assert_int_equal(im.entry, E_ENTRY);
	assert_false(im.has_xen_notes);
	assert_false(im.has_entry);
	assert_false(im.has_hypercall_page);
	assert_false(im.has_virt_base);
	assert_false(im.has_paddr_offset);
	assert_false(im.has_phys32_entry);
	assert_int_equal(im.note_entry, 0);
	assert_int_equal(im.note_virt_base, 0);
	assert_string_equal(im.guest_os, "");
	assert_string_equal(im.features, "");
	assert_int_equal(im.nr_segments, 2);

	/* An empty PT_NOTE segment is no notes either. */
	build_good();
	ph(PH_NOTE)->p_filesz = 0;
	expect_ok();
	assert_false(im.has_xen_notes);
	assert_int_equal(im.entry, E_ENTRY);
}

static void test_entry_note_overrides(void **state)
{
	(void)state;
	/* e_entry is not even mapped: the note is what counts. */
	eh()->e_entry = 0x1234;
	expect_ok();
	assert_int_equal(im.entry, NOTE_ENTRY);

	/* And a bad note is not saved by a good e_entry. */
	build_good();
	no_notes();
	ph(PH_NOTE)->p_type = PT_NOTE;
	notes_len = 0;
	add_note_u64(XEN_ELFNOTE_ENTRY, DATA_VA);
	expect_error("entry 0xffffffff80002000 (ENTRY note) is in a segment "
		     "without PF_X");
}

static void test_empty_image(void **state)
{
	(void)state;
	assert_int_equal(parse_n(0), -EINVAL);
	assert_string_equal(im.error, "image is empty");
	assert_int_equal(elf_parse(&im, NULL, 0), -EINVAL);
}

static void test_truncated_header(void **state)
{
	(void)state;
	for (size_t n = 1; n < ELF_EHDR_SIZE; n++) {
		assert_int_equal(parse_n(n), -EINVAL);
		assert_non_null(strstr(im.error, "too short for an ELF"));
	}
	/* A whole header but the program headers cut off. */
	assert_int_equal(parse_n(ELF_EHDR_SIZE + 2 * ELF_PHDR_SIZE), -EINVAL);
	assert_non_null(strstr(im.error, "program header table at 0x40"));
}

static void test_bad_magic(void **state)
{
	(void)state;
	img.b[1] = 'e';
	expect_error("bad magic");
	build_good();
	img.b[0] = 0;
	expect_error("bad magic");
}

static void test_bad_class(void **state)
{
	(void)state;
	eh()->e_ident[EI_CLASS] = 1; /* ELFCLASS32 */
	expect_error("ELF class 1, not ELFCLASS64");
}

static void test_big_endian(void **state)
{
	(void)state;
	eh()->e_ident[EI_DATA] = 2; /* ELFDATA2MSB */
	expect_error("data encoding 2, not little-endian");
}

static void test_bad_version(void **state)
{
	(void)state;
	eh()->e_ident[EI_VERSION] = 0;
	expect_error("ELF ident version 0");
	build_good();
	eh()->e_version = 2;
	expect_error("ELF version 2, not EV_CURRENT");
}

static void test_not_exec(void **state)
{
	(void)state;
	eh()->e_type = 3; /* ET_DYN */
	expect_error("ELF type 3, not ET_EXEC");
	eh()->e_type = 1; /* ET_REL */
	expect_error("ELF type 1, not ET_EXEC");
}

static void test_bad_machine(void **state)
{
	(void)state;
	eh()->e_machine = 3; /* EM_386 */
	expect_error("machine 3, not x86-64 (62)");
}

static void test_bad_ehsize(void **state)
{
	(void)state;
	eh()->e_ehsize = 52;
	expect_error("ELF header size 52, not 64");
}

static void test_bad_phentsize(void **state)
{
	(void)state;
	eh()->e_phentsize = 32;
	expect_error("program header size 32, not 56");
	eh()->e_phentsize = 64;
	expect_error("program header size 64, not 56");
}

static void test_no_phdrs(void **state)
{
	(void)state;
	eh()->e_phnum = 0;
	expect_error("no program headers");
	eh()->e_phnum = PN_XNUM;
	expect_error("PN_XNUM");
}

static void test_phdrs_past_end(void **state)
{
	(void)state;
	eh()->e_phoff = IMG_SIZE;
	expect_error("program header table at 0x2400 (3 entries) runs past");
	eh()->e_phoff = IMG_SIZE - 2 * ELF_PHDR_SIZE;
	expect_error("runs past the image's end (0x2400)");
	/* phoff + the table's size wraps around. */
	eh()->e_phoff = ~0ull - 0x40;
	expect_error("program header table at 0xffffffffffffffbf");
	eh()->e_phnum = 0xfffe;
	eh()->e_phoff = ELF_EHDR_SIZE;
	expect_error("(65534 entries) runs past");
}

static void test_no_load_segments(void **state)
{
	(void)state;
	ph(PH_TEXT)->p_type = 0;
	ph(PH_DATA)->p_type = 0x6474e551; /* PT_GNU_STACK: ignored */
	expect_error("no loadable segment");
	/* Segments of no memory load nothing and count for nothing. */
	build_good();
	ph(PH_TEXT)->p_memsz = ph(PH_TEXT)->p_filesz = 0;
	ph(PH_DATA)->p_memsz = ph(PH_DATA)->p_filesz = 0;
	expect_error("no loadable segment");
}

static void test_empty_segment_ignored(void **state)
{
	(void)state;
	ph(PH_DATA)->p_memsz = ph(PH_DATA)->p_filesz = 0;
	ph(PH_DATA)->p_vaddr = HOLE_START; /* would be refused if loaded */
	expect_ok();
	assert_int_equal(im.nr_segments, 1);
	assert_int_equal(im.virt_end, TEXT_VA + TEXT_MEMSZ);
}

/* The data segment cut into n small PT_LOAD headers from header 3 on. */
static void add_small_segments(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		set_phdr(3 + i, PT_LOAD, PF_R, DATA_OFF + i * 0x10,
			 DATA_VA + DATA_MEMSZ + i * 0x100, 0x10, 0x20);
	eh()->e_phnum = (uint16_t)(3 + n);
}

static void test_too_many_segments(void **state)
{
	(void)state;
	add_small_segments(ELF_SEGMENTS_MAX - 2);
	expect_ok();
	assert_int_equal(im.nr_segments, ELF_SEGMENTS_MAX);
	assert_int_equal(im.virt_end,
			 DATA_VA + DATA_MEMSZ + 0x1000); /* rounded up */
	add_small_segments(ELF_SEGMENTS_MAX - 1);
	expect_error("more than 16 loadable segments");
}

static void test_filesz_exceeds_memsz(void **state)
{
	(void)state;
	ph(PH_DATA)->p_filesz = DATA_MEMSZ + 1;
	ph(PH_DATA)->p_offset = 0;
	expect_error("program header 1: filesz 0x3001 > memsz 0x3000");
}

static void test_segment_past_end(void **state)
{
	(void)state;
	ph(PH_DATA)->p_filesz = DATA_FILESZ + 1;
	expect_error("program header 1: bytes 0x2000+0x401 run past the "
		     "image's end (0x2400)");
	build_good();
	ph(PH_TEXT)->p_offset = IMG_SIZE + 1;
	ph(PH_TEXT)->p_filesz = 0;
	expect_error("program header 0: bytes 0x2401+0 run past");
	build_good();
	ph(PH_TEXT)->p_offset = ~0ull - 0xf; /* offset + filesz wraps */
	expect_error("program header 0: bytes 0xfffffffffffffff0+0x1000");
	/* The data's bytes end exactly at the image's end. */
	build_good();
	assert_int_equal(DATA_OFF + DATA_FILESZ, IMG_SIZE);
	expect_ok();
	assert_int_equal(parse_n(IMG_SIZE - 1), -EINVAL);
	assert_non_null(strstr(im.error, "program header 1: bytes"));
}

static void test_vaddr_wraps(void **state)
{
	(void)state;
	ph(PH_DATA)->p_vaddr = 0xfffffffffffff800ull;
	expect_error("program header 1: 0xfffffffffffff800+0x3000 wraps");
	/* Ends in the last page: its page-rounded end would wrap. */
	ph(PH_DATA)->p_vaddr = 0xffffffffffffc800ull;
	expect_error("wraps around the address space");
	ph(PH_DATA)->p_memsz = ~0ull;
	ph(PH_DATA)->p_vaddr = 1;
	expect_error("0x1+0xffffffffffffffff wraps");
}

static void test_non_canonical(void **state)
{
	(void)state;
	ph(PH_DATA)->p_vaddr = 0x0000800000000000ull;
	expect_error(
	    "program header 1: 0x800000000000+0x3000 is not canonical");
	/* Starts canonical, ends in the hole. */
	ph(PH_DATA)->p_vaddr = 0x00007ffffffff000ull;
	expect_error("is not canonical");
	/* Both ends canonical, but spanning the whole non-canonical hole. */
	ph(PH_DATA)->p_memsz = HOLE_START - 0x00007ffffffff000ull + 0x1000;
	ph(PH_DATA)->p_filesz = 0;
	expect_error("is not canonical");
	/* The top of the lower half is fine. */
	ph(PH_DATA)->p_memsz = 0x1000;
	expect_ok();
	assert_int_equal(im.seg[0].vaddr, 0x00007ffffffff000ull);
	assert_int_equal(im.virt_start, 0x00007ffffffff000ull);
	assert_int_equal(im.virt_end, TEXT_VA + TEXT_MEMSZ);
}

static void test_hypervisor_hole(void **state)
{
	(void)state;
	ph(PH_DATA)->p_vaddr = HOLE_START;
	expect_error("program header 1: 0xffff800000000000+0x3000 overlaps "
		     "Xen's reserved range");
	ph(PH_DATA)->p_vaddr = HOLE_END - 0x1000;
	expect_error("overlaps Xen's reserved range");
	ph(PH_DATA)->p_vaddr = HOLE_END - 1;
	ph(PH_DATA)->p_memsz = 1;
	ph(PH_DATA)->p_filesz = 1;
	expect_error("overlaps Xen's reserved range");
	ph(PH_DATA)->p_vaddr = HOLE_END;
	expect_ok();
	assert_int_equal(im.seg[0].vaddr, HOLE_END);
	assert_int_equal(im.virt_start, HOLE_END);
}

static void test_segments_overlap(void **state)
{
	(void)state;
	ph(PH_DATA)->p_vaddr = TEXT_VA + TEXT_MEMSZ - 1;
	expect_error("segments 0xffffffff80000000+0x2000 and "
		     "0xffffffff80001fff+0x3000 overlap");
	ph(PH_DATA)->p_vaddr = TEXT_VA;
	expect_error("overlap");
	/* Inside the other one, and listed first. */
	ph(PH_DATA)->p_vaddr = TEXT_VA - 0x1000;
	ph(PH_DATA)->p_memsz = 0x10000;
	expect_error("overlap");
}

static void test_segments_sorted(void **state)
{
	struct elf64_phdr t;

	(void)state;
	/* Unaligned start and end: virt_start rounds down, virt_end up. */
	ph(PH_TEXT)->p_vaddr += 0x10;
	ph(PH_TEXT)->p_memsz -= 0x10;
	ph(PH_DATA)->p_memsz -= 0x20;
	/* The data's header first. */
	t = *ph(PH_TEXT);
	*ph(PH_TEXT) = *ph(PH_DATA);
	*ph(PH_DATA) = t;
	expect_ok();
	assert_int_equal(im.seg[0].vaddr, TEXT_VA + 0x10);
	assert_int_equal(im.seg[0].offset, TEXT_OFF);
	assert_int_equal(im.seg[1].vaddr, DATA_VA);
	assert_int_equal(im.virt_start, TEXT_VA);
	assert_int_equal(im.virt_end, DATA_VA + DATA_MEMSZ);
}

static void test_flags_kept(void **state)
{
	(void)state;
	ph(PH_DATA)->p_flags = PF_R | PF_W | PF_X | 0xf0000000u;
	expect_ok();
	assert_int_equal(im.seg[1].flags, PF_R | PF_W | PF_X);
}

static void test_entry_outside(void **state)
{
	(void)state;
	no_notes();
	eh()->e_entry = TEXT_VA - 1;
	expect_error("entry 0xffffffff7fffffff (e_entry) is not in a loaded "
		     "segment");
	eh()->e_entry = DATA_VA + DATA_MEMSZ;
	expect_error("is not in a loaded segment");
	/* The last byte of the text's memory is still inside. */
	eh()->e_entry = TEXT_VA + TEXT_MEMSZ - 1;
	expect_ok();
}

static void test_entry_not_executable(void **state)
{
	(void)state;
	no_notes();
	eh()->e_entry = DATA_VA + 4;
	expect_error("entry 0xffffffff80002004 (e_entry) is in a segment "
		     "without PF_X");
}

/* Rebuild the notes with a different hypercall page. */
static void set_hypercall_page(uint64_t va)
{
	ph(PH_NOTE)->p_filesz = notes_len = 0;
	add_note_u64(XEN_ELFNOTE_HYPERCALL_PAGE, va);
}

static void test_hypercall_page_unaligned(void **state)
{
	(void)state;
	set_hypercall_page(NOTE_HCALL + 8);
	expect_error("hypercall page 0xffffffff80001008 is not page-aligned");
}

static void test_hypercall_page_outside(void **state)
{
	(void)state;
	set_hypercall_page(0xffffffff90000000ull);
	expect_error("hypercall page 0xffffffff90000000 is not inside a loaded "
		     "segment");
	/* Starts inside the text, ends in a gap after it. */
	ph(PH_TEXT)->p_memsz = 0x1800;
	set_hypercall_page(NOTE_HCALL);
	expect_error("is not inside a loaded segment");
	/* In the data segment (writable, bss) is fine: it is loaded. */
	build_good();
	set_hypercall_page(DATA_VA + 0x2000);
	expect_ok();
	assert_int_equal(im.note_hypercall_page, DATA_VA + 0x2000);
}

static void test_note_namesz_huge(void **state)
{
	(void)state;
	add_raw_note("Xen", 4, XEN_ELFNOTE_LOADER, "x", 2);
	memcpy(img.b + NOTES_OFF + notes_len - 20, &(uint32_t){ 0xffffffff },
	       4);
	expect_error("name of 4294967295 bytes runs past its segment");
	/* A name just one byte too long for the segment. */
	build_good();
	ph(PH_NOTE)->p_filesz = notes_len = 0;
	add_raw_note("Xen", 4, XEN_ELFNOTE_LOADER, "", 0);
	memcpy(img.b + NOTES_OFF, &(uint32_t){ 5 }, 4);
	expect_error("note at 0x500: name of 5 bytes runs past");
}

static void test_note_descsz_past_segment(void **state)
{
	(void)state;
	add_note_str(XEN_ELFNOTE_LOADER, "abc");
	/* descsz of the last note: 4 more than there are. */
	memcpy(img.b + NOTES_OFF + notes_len - 16, &(uint32_t){ 8 }, 4);
	expect_error("descriptor of 8 bytes runs past its segment");
	memcpy(img.b + NOTES_OFF + notes_len - 16, &(uint32_t){ 0xfffffff0 },
	       4);
	expect_error("descriptor of 4294967280 bytes runs past its segment");
}

static void test_note_header_truncated(void **state)
{
	(void)state;
	ph(PH_NOTE)->p_filesz += 11;
	expect_error("header truncated");
	ph(PH_NOTE)->p_filesz = 5;
	expect_error("note at 0x500: header truncated");
}

static void test_note_segment_past_end(void **state)
{
	(void)state;
	ph(PH_NOTE)->p_offset = IMG_SIZE - 8;
	expect_error("program header 2: notes 0x23f8+");
	ph(PH_NOTE)->p_offset = ~0ull - 8;
	expect_error("run past the image's end");
}

static void test_note_unterminated_string(void **state)
{
	(void)state;
	ph(PH_NOTE)->p_filesz = notes_len = 0;
	add_note(XEN_ELFNOTE_GUEST_OS, "linux", 5);
	expect_error("Xen note GUEST_OS is not NUL-terminated");
	ph(PH_NOTE)->p_filesz = notes_len = 0;
	add_note(XEN_ELFNOTE_FEATURES, "", 0);
	expect_error("Xen note FEATURES is not NUL-terminated");
}

static void test_note_string_forms(void **state)
{
	char long_os[100];

	(void)state;
	memset(long_os, 'o', sizeof(long_os) - 1);
	long_os[sizeof(long_os) - 1] = '\0';
	ph(PH_NOTE)->p_filesz = notes_len = 0;
	add_note_str(XEN_ELFNOTE_GUEST_OS, long_os);
	add_note(XEN_ELFNOTE_LOADER, "abc\0def", 8);
	add_note(XEN_ELFNOTE_XEN_VERSION, "", 1);
	expect_ok();
	assert_int_equal(strlen(im.guest_os), sizeof(im.guest_os) - 1);
	assert_memory_equal(im.guest_os, long_os, sizeof(im.guest_os) - 1);
	assert_string_equal(im.loader, "abc");
	assert_string_equal(im.xen_version, "");
}

static void test_note_bad_number(void **state)
{
	uint8_t v[16] = { 0 };

	(void)state;
	ph(PH_NOTE)->p_filesz = notes_len = 0;
	add_note(XEN_ELFNOTE_ENTRY, v, 2);
	expect_error("Xen note ENTRY has 2 bytes, not 4 or 8");
	ph(PH_NOTE)->p_filesz = notes_len = 0;
	add_note(XEN_ELFNOTE_VIRT_BASE, v, 16);
	expect_error("Xen note VIRT_BASE has 16 bytes");
	ph(PH_NOTE)->p_filesz = notes_len = 0;
	add_note(XEN_ELFNOTE_PADDR_OFFSET, v, 0);
	expect_error("Xen note PADDR_OFFSET has 0 bytes");
}

static void test_note_numbers_4_bytes(void **state)
{
	(void)state;
	ph(PH_NOTE)->p_filesz = notes_len = 0;
	add_note_u32(XEN_ELFNOTE_VIRT_BASE, 0x80000000u);
	add_note_u32(XEN_ELFNOTE_PADDR_OFFSET, 0xc0000000u);
	add_note_u64(XEN_ELFNOTE_PHYS32_ENTRY, 0xffffffffull);
	expect_ok();
	assert_int_equal(im.note_virt_base, 0x80000000u);
	assert_int_equal(im.note_paddr_offset, 0xc0000000u);
	assert_int_equal(im.phys32_entry, 0xffffffffu);
	assert_false(im.has_entry);
	assert_false(im.has_hypercall_page);
}

static void test_note_phys32_too_big(void **state)
{
	(void)state;
	ph(PH_NOTE)->p_filesz = notes_len = 0;
	add_note_u64(XEN_ELFNOTE_PHYS32_ENTRY, 0x100000000ull);
	expect_error("Xen note PHYS32_ENTRY 0x100000000 is not a 32-bit");
}

static void test_note_duplicate(void **state)
{
	(void)state;
	add_note_u64(XEN_ELFNOTE_ENTRY, NOTE_ENTRY);
	expect_error("Xen note ENTRY appears twice");
	build_good();
	add_note_str(XEN_ELFNOTE_GUEST_OS, "linux");
	expect_error("Xen note GUEST_OS appears twice");
}

static void test_note_unknown_types_ignored(void **state)
{
	uint8_t junk[7] = { 1, 2, 3, 4, 5, 6, 7 };

	(void)state;
	ph(PH_NOTE)->p_filesz = notes_len = 0;
	add_note(0 /* INFO */, junk, 7);
	add_note(9 /* PAE_MODE */, junk, 3);
	add_note(17 /* SUPPORTED_FEATURES */, junk, 7);
	add_note(32, junk, 7);
	add_note(0xffffffffu, junk, 1);
	add_note(0xffffffffu, junk, 1); /* twice is fine when unused */
	expect_ok();
	assert_true(im.has_xen_notes);
	assert_false(im.has_entry);
	assert_string_equal(im.guest_os, "");
	assert_int_equal(im.entry, E_ENTRY);
}

static void test_note_other_names_ignored(void **state)
{
	uint8_t junk[16] = { 0xff };

	(void)state;
	ph(PH_NOTE)->p_filesz = notes_len = 0;
	add_raw_note("GNU", 4, XEN_ELFNOTE_ENTRY, junk, 16);
	add_raw_note("Linux", 6, XEN_ELFNOTE_GUEST_OS, junk, 3);
	add_raw_note("Xen", 3, XEN_ELFNOTE_ENTRY, junk, 16); /* no NUL */
	add_raw_note("XenX", 5, XEN_ELFNOTE_ENTRY, junk, 16);
	add_raw_note("xen", 4, XEN_ELFNOTE_ENTRY, junk, 16);
	add_raw_note("", 0, XEN_ELFNOTE_ENTRY, junk, 16);
	expect_ok();
	assert_false(im.has_xen_notes);
	assert_false(im.has_entry);
	assert_int_equal(im.entry, E_ENTRY);
	/* The notes after them are still found. */
	add_note_u64(XEN_ELFNOTE_ENTRY, NOTE_ENTRY);
	expect_ok();
	assert_true(im.has_xen_notes);
	assert_int_equal(im.entry, NOTE_ENTRY);
}

static void test_note_final_padding_missing(void **state)
{
	(void)state;
	ph(PH_NOTE)->p_filesz = notes_len = 0;
	add_note_u64(XEN_ELFNOTE_VIRT_BASE, 1);
	add_note_str(XEN_ELFNOTE_LOADER, "gen");     /* 4 bytes: no padding */
	add_note_str(XEN_ELFNOTE_GUEST_OS, "linux"); /* 6 bytes, 2 padding */
	ph(PH_NOTE)->p_filesz -= 2;
	expect_ok();
	assert_string_equal(im.guest_os, "linux");
	/* One byte fewer cuts into the descriptor. */
	ph(PH_NOTE)->p_filesz -= 1;
	expect_error("descriptor of 6 bytes runs past");
}

static void test_note_align8(void **state)
{
	uint8_t *p = img.b + NOTES_OFF;
	uint64_t entry = NOTE_ENTRY;

	(void)state;
	/* GNU property style: "Xen\0" padded to 8, then 8-padded descs. */
	memset(p, 0, 64);
	memcpy(p, &(struct elf_note){ 4, 3, XEN_ELFNOTE_LOADER }, 12);
	memcpy(p + 12, "Xen", 4);
	memcpy(p + 20, "ab", 3);
	memcpy(p + 28, &(struct elf_note){ 4, 8, XEN_ELFNOTE_ENTRY }, 12);
	memcpy(p + 40, "Xen", 4);
	memcpy(p + 48, &entry, 8);
	ph(PH_NOTE)->p_filesz = 56;
	ph(PH_NOTE)->p_align = 8;
	expect_ok();
	assert_string_equal(im.loader, "ab");
	assert_int_equal(im.entry, NOTE_ENTRY);
	/* Read with 4-byte padding, the same bytes are not these notes. */
	ph(PH_NOTE)->p_align = 4;
	assert_int_equal(parse(), -EINVAL);
}

static void test_several_note_segments(void **state)
{
	(void)state;
	/* A second PT_NOTE holding a note that is also in the first. */
	*ph(3) = *ph(PH_NOTE);
	eh()->e_phnum = 4;
	expect_error("appears twice");
	/* Split between the third note and the fourth. */
	ph(PH_NOTE)->p_filesz = 12 + 4 + 8 + 12 + 4 + 4 + 12 + 4 + 8;
	ph(3)->p_offset = NOTES_OFF + ph(PH_NOTE)->p_filesz;
	ph(3)->p_filesz = notes_len - ph(PH_NOTE)->p_filesz;
	expect_ok();
	assert_string_equal(im.guest_os, "linux");
	assert_string_equal(im.loader, "generic");
}

/* elf_load() callbacks record what they were asked to do. */
struct call {
	char what; /* 'c' or 'z' */
	uint64_t va, len;
	const void *src;
};

static struct call calls[64];
static unsigned int nr_calls, fail_at;
static int fail_rc;

static int record(char what, uint64_t va, const void *src, uint64_t len)
{
	assert_true(nr_calls < ARRAY_SIZE(calls));
	calls[nr_calls++] = (struct call){ what, va, len, src };
	return nr_calls == fail_at ? fail_rc : 0;
}

static int cb_copy(void *ctx, uint64_t va, const void *src, uint64_t len)
{
	assert_ptr_equal(ctx, &im);
	return record('c', va, src, len);
}

static int cb_zero(void *ctx, uint64_t va, uint64_t len)
{
	assert_ptr_equal(ctx, &im);
	return record('z', va, NULL, len);
}

static int load(unsigned int fail_call, int rc)
{
	nr_calls = 0;
	fail_at = fail_call;
	fail_rc = rc;
	return elf_load(&im, cb_copy, cb_zero, &im);
}

static void expect_call(unsigned int i, char what, uint64_t va, uint64_t len,
			const void *src)
{
	assert_true(i < nr_calls);
	assert_int_equal(calls[i].what, what);
	assert_int_equal(calls[i].va, va);
	assert_int_equal(calls[i].len, len);
	assert_ptr_equal(calls[i].src, src);
}

static void test_load_callbacks(void **state)
{
	(void)state;
	expect_ok();
	assert_int_equal(load(0, 0), 0);
	assert_int_equal(nr_calls, 4);
	expect_call(0, 'c', TEXT_VA, TEXT_FILESZ, im.data + TEXT_OFF);
	expect_call(1, 'z', TEXT_VA + TEXT_FILESZ, TEXT_MEMSZ - TEXT_FILESZ,
		    NULL);
	expect_call(2, 'c', DATA_VA, DATA_FILESZ, im.data + DATA_OFF);
	expect_call(3, 'z', DATA_VA + DATA_FILESZ, DATA_MEMSZ - DATA_FILESZ,
		    NULL);
	assert_memory_equal(calls[2].src, img.b + DATA_OFF, DATA_FILESZ);
}

static void test_load_skips_empty_ranges(void **state)
{
	(void)state;
	no_notes(); /* the hypercall page was in the text's bss */
	ph(PH_TEXT)->p_memsz = TEXT_FILESZ; /* all file */
	ph(PH_DATA)->p_filesz = 0;	    /* all bss */
	expect_ok();
	assert_int_equal(load(0, 0), 0);
	assert_int_equal(nr_calls, 2);
	expect_call(0, 'c', TEXT_VA, TEXT_FILESZ, im.data + TEXT_OFF);
	expect_call(1, 'z', DATA_VA, DATA_MEMSZ, NULL);
}

static void test_load_stops_on_error(void **state)
{
	(void)state;
	expect_ok();
	assert_int_equal(load(3, -ENOMEM), -ENOMEM); /* the second copy */
	assert_int_equal(nr_calls, 3);
	assert_int_equal(load(2, -EFAULT), -EFAULT); /* the first zero */
	assert_int_equal(nr_calls, 2);
	assert_int_equal(load(1, -EIO), -EIO);
	assert_int_equal(nr_calls, 1);
}

static void test_load_refuses_bad_image(void **state)
{
	(void)state;
	eh()->e_machine = 3;
	assert_int_equal(parse(), -EINVAL);
	assert_int_equal(load(0, 0), -EINVAL);
	assert_int_equal(nr_calls, 0);
	/* A parsed image changed afterwards is refused, not followed. */
	build_good();
	expect_ok();
	im.seg[1].filesz = IMG_SIZE;
	assert_int_equal(load(0, 0), -EINVAL);
	assert_int_equal(nr_calls, 2);
}

static void test_contains(void **state)
{
	(void)state;
	expect_ok();
	assert_true(elf_contains(&im, TEXT_VA, TEXT_MEMSZ));
	assert_true(elf_contains(&im, TEXT_VA, 1));
	assert_true(elf_contains(&im, TEXT_VA + TEXT_MEMSZ - 1, 1));
	assert_true(elf_contains(&im, DATA_VA + 0x1000, 0x2000));
	assert_false(elf_contains(&im, DATA_VA + 0x1000, 0x2001));
	assert_false(elf_contains(&im, TEXT_VA - 1, 2));
	assert_false(elf_contains(&im, TEXT_VA - 1, 1));
	/* The segments touch, but a range across both is in neither. */
	assert_false(elf_contains(&im, DATA_VA - 8, 16));
	assert_false(elf_contains(&im, TEXT_VA, 0));
	assert_false(elf_contains(&im, TEXT_VA + 8, ~0ull));
	assert_false(elf_contains(&im, ~0ull, 2));
	assert_false(elf_contains(&im, 0, 1));
	/* A failed parse contains nothing. */
	eh()->e_type = 0;
	assert_int_equal(parse(), -EINVAL);
	assert_false(elf_contains(&im, TEXT_VA, 1));
}

/* What a successful parse promises, checked against the image. */
static void check_invariants(size_t size)
{
	const struct elf_segment *x = NULL;

	assert_true(im.nr_segments >= 1 && im.nr_segments <= ELF_SEGMENTS_MAX);
	for (unsigned int i = 0; i < im.nr_segments; i++) {
		const struct elf_segment *s = &im.seg[i];
		uint64_t last = s->vaddr + s->memsz - 1;

		assert_true(s->offset <= size && s->filesz <= size - s->offset);
		assert_true(s->filesz <= s->memsz && s->memsz > 0);
		assert_true(last >= s->vaddr);
		assert_true(last < ~0ull - 0xfff);
		/* Canonical, in one half, and clear of Xen's range. */
		assert_true((s->vaddr >> 47) == 0 ||
			    (s->vaddr >> 47) == 0x1ffff);
		assert_true((s->vaddr >> 47) == (last >> 47));
		assert_true(last < HOLE_START || s->vaddr >= HOLE_END);
		assert_true(s->vaddr >= im.virt_start && last < im.virt_end);
		if (i > 0)
			assert_true(s->vaddr >=
				    im.seg[i - 1].vaddr + im.seg[i - 1].memsz);
		assert_true((s->flags & ~(PF_R | PF_W | PF_X)) == 0);
		if (im.entry >= s->vaddr && im.entry <= last)
			x = s;
	}
	assert_non_null(x);
	assert_true(x->flags & PF_X);
	assert_true(elf_contains(&im, im.entry, 1));
	assert_int_equal(im.virt_start & 0xfff, 0);
	assert_int_equal(im.virt_end & 0xfff, 0);
	if (im.has_hypercall_page)
		assert_true(elf_contains(&im, im.note_hypercall_page, 0x1000));
	if (im.has_phys32_entry)
		assert_true(im.phys32_entry <= 0xffffffffu);
	assert_true(strnlen(im.guest_os, sizeof(im.guest_os)) <
		    sizeof(im.guest_os));
	assert_true(strnlen(im.xen_version, sizeof(im.xen_version)) <
		    sizeof(im.xen_version));
	assert_true(strnlen(im.loader, sizeof(im.loader)) < sizeof(im.loader));
	assert_true(strnlen(im.features, sizeof(im.features)) <
		    sizeof(im.features));
}

/* Callbacks that touch every byte they are given, for ASan to check. */
static uint8_t load_sum;

static int touch_copy(void *ctx, uint64_t va, const void *src, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		load_sum += ((const uint8_t *)src)[i];
	return 0;
}

static int touch_zero(void *ctx, uint64_t va, uint64_t len)
{
	return 0;
}

static const uint64_t interesting[] = {
	0,
	1,
	4,
	8,
	0x38,
	0x40,
	0xfff,
	0x1000,
	IMG_SIZE,
	IMG_SIZE - 1,
	0x7fffffff,
	0xffffffff,
	0x100000000ull,
	~0ull,
	~0ull - 0xfff,
	HOLE_START,
	HOLE_END - 1,
	0x0000800000000000ull,
	TEXT_VA,
	DATA_VA,
};

/*
 * Random damage to a good image, mostly in the headers and notes:
 * every result is 0 or -EINVAL, never a read outside the copy (ASan),
 * and a success keeps every promise.
 */
static void test_random_mutations(void **state)
{
	unsigned int ok = 0;

	(void)state;
	srand(20240611);
	for (unsigned int round = 0; round < 30000; round++) {
		unsigned int n = 1 + (unsigned int)rand() % 6;
		size_t size;
		int rc;

		build_good();
		if (rand() % 4 == 0)
			no_notes();
		for (unsigned int k = 0; k < n; k++) {
			size_t at = (size_t)rand() % (NOTES_OFF + notes_len);

			switch (rand() % 3) {
			case 0:
				img.b[at] = (uint8_t)rand();
				break;
			case 1:
				img.b[at] ^= (uint8_t)(1u << (rand() % 8));
				break;
			default: {
				uint64_t v =
				    interesting[(size_t)rand() %
						ARRAY_SIZE(interesting)];

				at &= ~(size_t)3;
				memcpy(img.b + at, &v, rand() % 2 ? 4 : 8);
			}
			}
		}
		size = rand() % 8 ? IMG_SIZE : (size_t)rand() % IMG_SIZE;
		rc = parse_n(size);
		assert_true(rc == 0 || rc == -EINVAL);
		if (rc) {
			assert_true(im.error[0] != '\0');
			assert_true(strnlen(im.error, sizeof(im.error)) <
				    sizeof(im.error));
			assert_int_equal(im.nr_segments, 0);
			continue;
		}
		ok++;
		check_invariants(size);
		assert_int_equal(elf_load(&im, touch_copy, touch_zero, NULL),
				 0);
	}
	/* The damage must leave enough good images to test the promises. */
	assert_true(ok > 3000);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_valid_with_notes),
		T(test_valid_without_notes),
		T(test_entry_note_overrides),
		T(test_empty_image),
		T(test_truncated_header),
		T(test_bad_magic),
		T(test_bad_class),
		T(test_big_endian),
		T(test_bad_version),
		T(test_not_exec),
		T(test_bad_machine),
		T(test_bad_ehsize),
		T(test_bad_phentsize),
		T(test_no_phdrs),
		T(test_phdrs_past_end),
		T(test_no_load_segments),
		T(test_empty_segment_ignored),
		T(test_too_many_segments),
		T(test_filesz_exceeds_memsz),
		T(test_segment_past_end),
		T(test_vaddr_wraps),
		T(test_non_canonical),
		T(test_hypervisor_hole),
		T(test_segments_overlap),
		T(test_segments_sorted),
		T(test_flags_kept),
		T(test_entry_outside),
		T(test_entry_not_executable),
		T(test_hypercall_page_unaligned),
		T(test_hypercall_page_outside),
		T(test_note_namesz_huge),
		T(test_note_descsz_past_segment),
		T(test_note_header_truncated),
		T(test_note_segment_past_end),
		T(test_note_unterminated_string),
		T(test_note_string_forms),
		T(test_note_bad_number),
		T(test_note_numbers_4_bytes),
		T(test_note_phys32_too_big),
		T(test_note_duplicate),
		T(test_note_unknown_types_ignored),
		T(test_note_other_names_ignored),
		T(test_note_final_padding_missing),
		T(test_note_align8),
		T(test_several_note_segments),
		T(test_load_callbacks),
		T(test_load_skips_empty_ranges),
		T(test_load_stops_on_error),
		T(test_load_refuses_bad_image),
		T(test_contains),
		T(test_random_mutations),
	};

	return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
