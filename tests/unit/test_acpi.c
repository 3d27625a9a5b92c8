/*
 * ACPI tables: the RSDP search, the RSDT/XSDT walk, the MADT, MCFG, HPET
 * and DMAR, and what happens when firmware gets any of them wrong. The
 * tables are built byte by byte at the specification's offsets, not with
 * the parser's structures, so a layout mistake there shows up here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <xen/acpi.h>
#include <xen/console.h>
#include <xen/errno.h>
#include <xen/lib.h>

#include "fake_arch.h"

/* Where the tests put things in fake machine memory. */
#define AREA_PA	 (FAKE_MEM_BASE + 0x0000) /* the RSDP search area */
#define AREA_LEN 0x1000
#define RSDP_PA	 (AREA_PA + 0x240)
#define RSDT_PA	 (FAKE_MEM_BASE + 0x1000)
#define XSDT_PA	 (FAKE_MEM_BASE + 0x1800)
#define FACP_PA	 (FAKE_MEM_BASE + 0x2000)
#define MADT_PA	 (FAKE_MEM_BASE + 0x3000)
#define MCFG_PA	 (FAKE_MEM_BASE + 0x4000)
#define HPET_PA	 (FAKE_MEM_BASE + 0x5000)
#define DMAR_PA	 (FAKE_MEM_BASE + 0x6000)
#define MADT2_PA (FAKE_MEM_BASE + 0x7000)
#define BIG_PA	 (FAKE_MEM_BASE + 0x10000) /* big or random tables */
#define BIG_LEN	 0x8000
#define MEM_END	 (FAKE_MEM_BASE + FAKE_MEM_SIZE)

static struct acpi_info ai;

/* ---- Bytes in fake memory ------------------------------------------ */

static void put8(uint64_t pa, uint8_t v)
{
	*(uint8_t *)fake_mem_at(pa) = v;
}

static void put32(uint64_t pa, uint32_t v)
{
	memcpy(fake_mem_at(pa), &v, sizeof(v));
}

static void put64(uint64_t pa, uint64_t v)
{
	memcpy(fake_mem_at(pa), &v, sizeof(v));
}

/* Set the byte at pa + at so that the len bytes at pa sum to 0. */
static void fix_sum(uint64_t pa, size_t len, size_t at)
{
	const uint8_t *p = fake_mem_at(pa);
	uint8_t sum = 0;

	put8(pa + at, 0);
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	put8(pa + at, (uint8_t)-sum);
}

/* ---- Building tables ---------------------------------------------- */

static uint64_t tbl_pa;
static uint32_t tbl_len;

/* Start a table at pa: a header as QEMU writes it, length set later. */
static void tbl_begin(uint64_t pa, const char *sig)
{
	tbl_pa = pa;
	tbl_len = 36;
	memset(fake_mem_at(pa), 0, 36);
	memcpy(fake_mem_at(pa), sig, 4);
	put8(pa + 8, 1);
	memcpy(fake_mem_at(pa + 10), "BOCHS BXPC    ", 14);
	put32(pa + 24, 1);
	memcpy(fake_mem_at(pa + 28), "BXPC", 4);
	put32(pa + 32, 1);
}

static void tbl_bytes(const void *p, size_t n)
{
	memcpy(fake_mem_at(tbl_pa + tbl_len), p, n);
	tbl_len += n;
}

static void tbl_u8(uint8_t v)
{
	tbl_bytes(&v, 1);
}

static void tbl_u16(uint16_t v)
{
	tbl_bytes(&v, 2);
}

static void tbl_u32(uint32_t v)
{
	tbl_bytes(&v, 4);
}

static void tbl_u64(uint64_t v)
{
	tbl_bytes(&v, 8);
}

/* Finish the table: its length and checksum. */
static void tbl_end(void)
{
	put32(tbl_pa + 4, tbl_len);
	fix_sum(tbl_pa, tbl_len, 9);
}

/* Give the table at pa a new length, and a checksum over that length. */
static void tbl_set_length(uint64_t pa, uint32_t len)
{
	put32(pa + 4, len);
	fix_sum(pa, len, 9);
}

static void put_rsdp(uint64_t pa, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memset(fake_mem_at(pa), 0, 36);
	memcpy(fake_mem_at(pa), "RSD PTR ", 8);
	memcpy(fake_mem_at(pa + 9), "BOCHS ", 6);
	put8(pa + 15, rev);
	put32(pa + 16, rsdt);
	put32(pa + 20, 36);
	put64(pa + 24, xsdt);
	fix_sum(pa, 20, 8);
	if (rev >= 2)
		fix_sum(pa, 36, 32);
}

static void put_rsdt(const uint64_t *tables, unsigned int n)
{
	tbl_begin(RSDT_PA, "RSDT");
	for (unsigned int i = 0; i < n; i++)
		tbl_u32((uint32_t)tables[i]);
	tbl_end();
}

static void put_xsdt(const uint64_t *tables, unsigned int n)
{
	tbl_begin(XSDT_PA, "XSDT");
	for (unsigned int i = 0; i < n; i++)
		tbl_u64(tables[i]);
	tbl_end();
}

static void madt_begin(uint64_t pa)
{
	tbl_begin(pa, "APIC");
	tbl_u32(0xfee00000); /* local APIC address */
	tbl_u32(1);	     /* PCAT_COMPAT */
}

static void madt_lapic(uint8_t uid, uint8_t apic_id, uint32_t flags)
{
	tbl_u8(0);
	tbl_u8(8);
	tbl_u8(uid);
	tbl_u8(apic_id);
	tbl_u32(flags);
}

static void madt_ioapic(uint8_t id, uint32_t addr, uint32_t gsi_base)
{
	tbl_u8(1);
	tbl_u8(12);
	tbl_u8(id);
	tbl_u8(0);
	tbl_u32(addr);
	tbl_u32(gsi_base);
}

static void madt_override(uint8_t source, uint32_t gsi, uint16_t flags)
{
	tbl_u8(2);
	tbl_u8(10);
	tbl_u8(0); /* ISA */
	tbl_u8(source);
	tbl_u32(gsi);
	tbl_u16(flags);
}

static void madt_lapic_nmi(void)
{
	tbl_u8(4);
	tbl_u8(6);
	tbl_u8(0xff); /* all processors */
	tbl_u16(0);
	tbl_u8(1); /* LINT1 */
}

static void madt_lapic_addr(uint64_t addr)
{
	tbl_u8(5);
	tbl_u8(12);
	tbl_u16(0);
	tbl_u64(addr);
}

static void madt_x2apic(uint32_t apic_id, uint32_t flags, uint32_t uid)
{
	tbl_u8(9);
	tbl_u8(16);
	tbl_u16(0);
	tbl_u32(apic_id);
	tbl_u32(flags);
	tbl_u32(uid);
}

/* QEMU's: 4 CPUs of which the last is not present, IO-APIC, overrides. */
static void put_madt(void)
{
	madt_begin(MADT_PA);
	madt_lapic(0, 0, 1);
	madt_lapic(1, 1, 1);
	madt_lapic(2, 2, 1);
	madt_lapic(3, 3, 0);
	madt_ioapic(0, 0xfec00000, 0);
	madt_override(0, 2, 0);
	madt_override(5, 5, 0xd);
	madt_override(9, 9, 0xd);
	madt_override(10, 10, 0xd);
	madt_override(11, 11, 0xd);
	madt_lapic_nmi();
	tbl_end();
}

static void mcfg_entry(uint64_t base, uint16_t seg, uint8_t start, uint8_t end)
{
	tbl_u64(base);
	tbl_u16(seg);
	tbl_u8(start);
	tbl_u8(end);
	tbl_u32(0);
}

static void put_mcfg(void)
{
	tbl_begin(MCFG_PA, "MCFG");
	tbl_u64(0);
	mcfg_entry(0xb0000000, 0, 0, 0xff);
	tbl_end();
}

static void put_hpet(uint8_t space)
{
	tbl_begin(HPET_PA, "HPET");
	tbl_u32(0x8086a201); /* event timer block ID */
	tbl_u8(space);
	tbl_u8(64);
	tbl_u8(0);
	tbl_u8(0);
	tbl_u64(0xfed00000);
	tbl_u8(0);     /* HPET number */
	tbl_u16(0x80); /* minimum tick */
	tbl_u8(0);     /* page protection */
	tbl_end();
}

/* A DMAR with one DRHD covering all devices. */
static void put_dmar(uint8_t haw, uint8_t flags)
{
	tbl_begin(DMAR_PA, "DMAR");
	tbl_u8(haw);
	tbl_u8(flags);
	tbl_bytes("\0\0\0\0\0\0\0\0\0\0", 10);
	tbl_u16(0);  /* DRHD */
	tbl_u16(16); /* its length */
	tbl_u8(1);   /* INCLUDE_PCI_ALL */
	tbl_u8(0);
	tbl_u16(0); /* segment */
	tbl_u64(0xfed90000);
	tbl_end();
}

static void put_facp(void)
{
	tbl_begin(FACP_PA, "FACP");
	tbl_len = 116;
	tbl_end();
}

static const uint64_t qemu_tables[] = { FACP_PA, MADT_PA, HPET_PA, MCFG_PA };

/* A machine like QEMU's q35: a v0 RSDP and its RSDT. */
static int setup(void **state)
{
	(void)state;
	fake_mem_reset();
	fake_serial_reset();
	log_level = LOG_INFO;
	memset(&ai, 0, sizeof(ai));
	put_facp();
	put_madt();
	put_hpet(0);
	put_mcfg();
	put_dmar(38, 1); /* listed only by tests that want it */
	put_rsdt(qemu_tables, 4);
	put_rsdp(RSDP_PA, 0, RSDT_PA, 0);
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	console_init();
	return 0;
}

static int parse(void)
{
	return acpi_parse(&ai, _paddr(RSDP_PA));
}

static bool serial_has(const char *s)
{
	return strstr(fake_serial_out, s) != NULL;
}

static unsigned int serial_lines(void)
{
	unsigned int n = 0;

	for (const char *p = fake_serial_out; (p = strstr(p, "\r\n")); p++)
		n++;
	return n;
}

/* Parse with only warnings shown: the number printed is then checked. */
static int parse_warnings(void)
{
	int rc;

	fake_serial_reset();
	log_level = LOG_WARN;
	rc = parse();
	log_level = LOG_INFO;
	return rc;
}

static void expect_one_warning(const char *what)
{
	if (serial_lines() != 1 || !serial_has(what))
		fail_msg("expected one warning with '%s', got:\n%s", what,
			 fake_serial_out);
}

static void expect_no_warning(void)
{
	if (serial_lines())
		fail_msg("expected no warning, got:\n%s", fake_serial_out);
}

static void print(void)
{
	fake_serial_reset();
	acpi_print(&ai);
}

static void expect_printed(const char *s)
{
	if (!serial_has(s))
		fail_msg("'%s' not printed in:\n%s", s, fake_serial_out);
}

/* ---- The RSDP ------------------------------------------------------ */

static int find(uint64_t start, uint64_t len, uint64_t *found)
{
	paddr_t pa = _paddr(0);
	int rc = acpi_find_rsdp(_paddr(start), len, &pa);

	*found = paddr_x(pa);
	return rc;
}

static void test_find_rsdp(void **state)
{
	uint64_t pa;

	(void)state;
	assert_int_equal(find(AREA_PA, AREA_LEN, &pa), 0);
	assert_int_equal(pa, RSDP_PA);
	/* The boundaries are absolute, whatever the area's start. */
	assert_int_equal(find(AREA_PA + 3, AREA_LEN - 3, &pa), 0);
	assert_int_equal(pa, RSDP_PA);
	assert_int_equal(find(RSDP_PA, 20, &pa), 0);
	assert_int_equal(find(RSDP_PA + 1, AREA_LEN, &pa), -ENOENT);
	put_rsdp(RSDP_PA, 2, RSDT_PA, XSDT_PA);
	assert_int_equal(find(AREA_PA, AREA_LEN, &pa), 0);
	assert_int_equal(pa, RSDP_PA);
}

static void test_find_rsdp_wrong_signature(void **state)
{
	uint64_t pa;

	(void)state;
	put8(RSDP_PA + 7, 'X');
	fix_sum(RSDP_PA, 20, 8);
	assert_int_equal(find(AREA_PA, AREA_LEN, &pa), -ENOENT);
	expect_no_warning();
}

static void test_find_rsdp_bad_checksum(void **state)
{
	uint64_t pa;

	(void)state;
	put8(RSDP_PA + 8, (uint8_t)(*(uint8_t *)fake_mem_at(RSDP_PA + 8) + 1));
	assert_int_equal(find(AREA_PA, AREA_LEN, &pa), -ENOENT);
	expect_one_warning("RSDP at 0x10240: bad checksum");
}

static void test_find_rsdp_bad_ext_checksum(void **state)
{
	uint64_t pa;

	(void)state;
	put_rsdp(RSDP_PA, 2, RSDT_PA, XSDT_PA);
	put8(RSDP_PA + 33, 1); /* reserved, covered by the extended sum */
	assert_int_equal(find(AREA_PA, AREA_LEN, &pa), -ENOENT);
	expect_one_warning("RSDP at 0x10240: bad extended checksum");
	/* Both sums good, but a length too short for revision 2. */
	put_rsdp(RSDP_PA, 2, RSDT_PA, XSDT_PA);
	put32(RSDP_PA + 20, 20);
	fix_sum(RSDP_PA, 36, 32);
	fake_serial_reset();
	assert_int_equal(find(AREA_PA, AREA_LEN, &pa), -ENOENT);
	expect_one_warning("RSDP at 0x10240: bad length");
}

static void test_find_rsdp_misaligned(void **state)
{
	uint64_t pa;

	(void)state;
	memmove(fake_mem_at(RSDP_PA + 8), fake_mem_at(RSDP_PA), 36);
	memset(fake_mem_at(RSDP_PA), 0, 8);
	assert_int_equal(find(AREA_PA, AREA_LEN, &pa), -ENOENT);
	assert_int_equal(find(RSDP_PA + 8, AREA_LEN, &pa), -ENOENT);
	/* acpi_parse() takes one wherever it was handed over. */
	assert_int_equal(acpi_parse(&ai, _paddr(RSDP_PA + 8)), 0);
	assert_true(ai.have_madt);
}

/* Searches stop at the area's and memory's ends. */
static void test_find_rsdp_bounds(void **state)
{
	uint64_t end = AREA_PA + AREA_LEN;
	uint64_t pa;

	(void)state;
	memset(fake_mem_at(RSDP_PA), 0, 36);
	put_rsdp(end - 16, 0, RSDT_PA, 0);
	assert_int_equal(find(AREA_PA, AREA_LEN, &pa), -ENOENT);
	assert_int_equal(find(AREA_PA, AREA_LEN + 4, &pa), 0);
	assert_int_equal(pa, end - 16);
	/* A revision 2 RSDP whose extension is past the end of memory. */
	memset(fake_mem_at(MEM_END - 32), 0, 32);
	memcpy(fake_mem_at(MEM_END - 32), "RSD PTR ", 8);
	put8(MEM_END - 32 + 15, 2);
	fix_sum(MEM_END - 32, 20, 8);
	assert_int_equal(find(MEM_END - 0x100, 0x1000, &pa), -ENOENT);
	expect_one_warning("runs past mapped memory");
	memcpy(fake_mem_at(MEM_END - 16), "RSD PTR ", 8);
	assert_int_equal(find(MEM_END - 0x100, ~0ull, &pa), -ENOENT);
	assert_int_equal(find(0, 0x10000, &pa), -ENOENT);
	/* An area running off the top of the address space stops there. */
	assert_int_equal(find(~0ull - 0xff, 0x20000, &pa), -ENOENT);
	assert_int_equal(find(AREA_PA, 0, &pa), -ENOENT);
}

/* ---- The root table ------------------------------------------------ */

static void test_v1_uses_rsdt(void **state)
{
	static const uint64_t x[] = { FACP_PA };

	(void)state;
	/* Revision 0 has no XSDT, whatever the bytes after the RSDP say. */
	put_xsdt(x, 1);
	put64(RSDP_PA + 24, XSDT_PA);
	assert_int_equal(parse(), 0);
	assert_int_equal(paddr_x(ai.root_addr), RSDT_PA);
	assert_false(ai.root_is_xsdt);
	assert_int_equal(ai.nr_tables, 4);
	assert_int_equal(ai.revision, 0);
	assert_string_equal(ai.oem_id, "BOCHS ");
}

static void test_v2_uses_xsdt(void **state)
{
	static const uint64_t x[] = { FACP_PA, MADT_PA, DMAR_PA };

	(void)state;
	put_xsdt(x, 3);
	put_rsdp(RSDP_PA, 2, RSDT_PA, XSDT_PA);
	assert_int_equal(parse(), 0);
	assert_int_equal(paddr_x(ai.root_addr), XSDT_PA);
	assert_true(ai.root_is_xsdt);
	assert_int_equal(ai.revision, 2);
	assert_int_equal(ai.nr_tables, 3);
	assert_true(ai.have_dmar);
	assert_false(ai.have_mcfg);
	assert_false(ai.have_hpet);
}

static void test_v2_xsdt_zero_uses_rsdt(void **state)
{
	(void)state;
	put_rsdp(RSDP_PA, 2, RSDT_PA, 0);
	assert_int_equal(parse_warnings(), 0);
	expect_no_warning();
	assert_int_equal(paddr_x(ai.root_addr), RSDT_PA);
	assert_false(ai.root_is_xsdt);
	assert_true(ai.have_mcfg);
}

static void test_v2_bad_xsdt_uses_rsdt(void **state)
{
	static const uint64_t x[] = { FACP_PA };

	(void)state;
	put_xsdt(x, 1);
	put8(XSDT_PA + 20, 'x');
	put_rsdp(RSDP_PA, 2, RSDT_PA, XSDT_PA);
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("XSDT at 0x11800: bad checksum");
	assert_int_equal(paddr_x(ai.root_addr), RSDT_PA);
	assert_int_equal(ai.nr_tables, 4);

	put_rsdp(RSDP_PA, 2, RSDT_PA, MEM_END);
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("table at 0x50000 is not in mapped memory");
	assert_int_equal(paddr_x(ai.root_addr), RSDT_PA);

	put_rsdp(RSDP_PA, 2, RSDT_PA, 1ull << 40);
	assert_int_equal(parse_warnings(), 0);
	assert_int_equal(paddr_x(ai.root_addr), RSDT_PA);

	put_rsdp(RSDP_PA, 2, RSDT_PA, RSDT_PA);
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("RSDT at 0x11000: not an XSDT");
	assert_false(ai.root_is_xsdt);
}

static void expect_no_root(void)
{
	assert_int_equal(parse(), -EINVAL);
	assert_int_equal(paddr_x(ai.root_addr), 0);
	assert_int_equal(ai.nr_tables, 0);
	assert_false(ai.have_madt);
}

static void test_root_unusable(void **state)
{
	(void)state;
	put_rsdp(RSDP_PA, 0, 0, 0);
	expect_no_root();
	put_rsdp(RSDP_PA, 0, 0x1000, 0);
	expect_no_root();
	put_rsdp(RSDP_PA, 0, MEM_END - 20, 0);
	expect_no_root();
	put_rsdp(RSDP_PA, 2, 0, MEM_END - 36);
	expect_no_root();
	put_rsdp(RSDP_PA, 2, MADT_PA, 0xffffffffffffffc0ull);
	expect_no_root();
	put_rsdp(RSDP_PA, 0, RSDT_PA, 0);
	put8(RSDT_PA + 36, 0x55);
	expect_no_root();
	/* No RSDP where we were told, or not in memory at all. */
	assert_int_equal(acpi_parse(&ai, _paddr(RSDP_PA + 16)), -EINVAL);
	assert_int_equal(acpi_parse(&ai, _paddr(0x1000)), -EINVAL);
	assert_int_equal(acpi_parse(&ai, _paddr(MEM_END - 10)), -EINVAL);
	print();
	expect_printed("no usable tables");
	expect_printed("no MADT");
}

static void test_root_trailing_bytes(void **state)
{
	(void)state;
	put32(RSDT_PA + 36 + 16, 0xdeadbeef);
	tbl_set_length(RSDT_PA, 36 + 16 + 2);
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("RSDT at 0x11000: 2 trailing bytes ignored");
	assert_int_equal(ai.nr_tables, 4);
	assert_true(ai.have_mcfg);
}

/* Addresses off the end of memory, null ones and 64-bit ones. */
static void test_root_entries_outside_memory(void **state)
{
	static const uint64_t r[] = { FACP_PA,	  0x1000,  MEM_END - 8, 0,
				      0xffffffff, MADT_PA, MEM_END };
	static const uint64_t x[] = { 1ull << 44, HPET_PA, ~0ull };

	(void)state;
	put_rsdt(r, 7);
	assert_int_equal(parse(), 0);
	assert_int_equal(ai.nr_tables, 6);
	assert_string_equal(ai.tables[1].sig, "????");
	assert_int_equal(paddr_x(ai.tables[1].addr), 0x1000);
	assert_false(ai.tables[1].valid);
	assert_false(ai.tables[2].valid);
	assert_int_equal(paddr_x(ai.tables[3].addr), 0xffffffff);
	assert_false(ai.tables[3].valid);
	assert_string_equal(ai.tables[4].sig, "APIC");
	assert_true(ai.tables[4].valid);
	assert_false(ai.tables[5].valid);
	assert_true(ai.have_madt);

	put_xsdt(x, 3);
	put_rsdp(RSDP_PA, 2, RSDT_PA, XSDT_PA);
	assert_int_equal(parse(), 0);
	assert_int_equal(ai.nr_tables, 3);
	assert_false(ai.tables[0].valid);
	assert_true(ai.tables[1].valid);
	assert_false(ai.tables[2].valid);
	assert_true(ai.have_hpet);
}

static void test_too_many_tables(void **state)
{
	uint64_t r[ACPI_TABLES_MAX + 8];

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(r); i++)
		r[i] = FACP_PA;
	r[ARRAY_SIZE(r) - 1] = MADT_PA;
	put_rsdt(r, ARRAY_SIZE(r));
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("8 tables beyond the first 32 not listed");
	assert_int_equal(ai.nr_tables, ACPI_TABLES_MAX);
	assert_int_equal(ai.tables_dropped, 8);
	assert_true(ai.have_madt); /* parsed, only not listed */
	print();
	expect_printed("RSDT at 0x11000 lists 40 tables");
	expect_printed("and 8 more, not listed");
}

/* ---- The QEMU set -------------------------------------------------- */

static void test_qemu_tables(void **state)
{
	(void)state;
	assert_int_equal(parse_warnings(), 0);
	expect_no_warning();
	assert_int_equal(paddr_x(ai.rsdp), RSDP_PA);
	assert_int_equal(ai.nr_tables, 4);
	assert_int_equal(ai.tables_dropped, 0);
	assert_string_equal(ai.tables[0].sig, "FACP");
	assert_int_equal(paddr_x(ai.tables[0].addr), FACP_PA);
	assert_int_equal(ai.tables[0].length, 116);
	assert_string_equal(ai.tables[1].sig, "APIC");
	assert_int_equal(ai.tables[1].length, 44 + 4 * 8 + 12 + 5 * 10 + 6);
	assert_string_equal(ai.tables[2].sig, "HPET");
	assert_int_equal(ai.tables[2].length, 56);
	assert_string_equal(ai.tables[3].sig, "MCFG");
	assert_int_equal(paddr_x(ai.tables[3].addr), MCFG_PA);
	assert_int_equal(ai.tables[3].length, 60);
	for (unsigned int i = 0; i < 4; i++)
		assert_true(ai.tables[i].valid);
}

static void test_qemu_madt(void **state)
{
	static const struct acpi_override o[] = {
		{ 0, 0, 2, 0 },	    { 0, 5, 5, 0xd },	{ 0, 9, 9, 0xd },
		{ 0, 10, 10, 0xd }, { 0, 11, 11, 0xd },
	};

	(void)state;
	assert_int_equal(parse(), 0);
	assert_true(ai.have_madt);
	assert_int_equal(paddr_x(ai.lapic_addr), 0xfee00000);
	assert_true(ai.pcat_compat);
	assert_int_equal(ai.nr_cpus, 4);
	assert_int_equal(ai.cpus_dropped, 0);
	for (unsigned int i = 0; i < 4; i++) {
		assert_int_equal(ai.cpus[i].apic_id, i);
		assert_int_equal(ai.cpus[i].uid, i);
		assert_int_equal(ai.cpus[i].enabled, i != 3);
		assert_false(ai.cpus[i].online_capable);
	}
	assert_int_equal(ai.nr_ioapics, 1);
	assert_int_equal(ai.ioapics[0].id, 0);
	assert_int_equal(paddr_x(ai.ioapics[0].addr), 0xfec00000);
	assert_int_equal(ai.ioapics[0].gsi_base, 0);
	assert_int_equal(ai.nr_overrides, 5);
	for (unsigned int i = 0; i < 5; i++) {
		assert_int_equal(ai.overrides[i].bus, o[i].bus);
		assert_int_equal(ai.overrides[i].source, o[i].source);
		assert_int_equal(ai.overrides[i].gsi, o[i].gsi);
		assert_int_equal(ai.overrides[i].flags, o[i].flags);
	}
}

static void test_qemu_mcfg_hpet(void **state)
{
	(void)state;
	assert_int_equal(parse(), 0);
	assert_true(ai.have_mcfg);
	assert_int_equal(ai.nr_mcfg, 1);
	assert_int_equal(paddr_x(ai.mcfg[0].base), 0xb0000000);
	assert_int_equal(ai.mcfg[0].segment, 0);
	assert_int_equal(ai.mcfg[0].bus_start, 0);
	assert_int_equal(ai.mcfg[0].bus_end, 0xff);
	assert_true(ai.have_hpet);
	assert_int_equal(paddr_x(ai.hpet_addr), 0xfed00000);
	assert_int_equal(ai.hpet_number, 0);
	assert_int_equal(ai.hpet_min_tick, 0x80);
	assert_false(ai.have_dmar);
}

static void test_print_qemu(void **state)
{
	(void)state;
	assert_int_equal(parse(), 0);
	print();
	expect_printed("(XEN) ACPI: RSDP at 0x10240, revision 0, OEM 'BOCHS '");
	expect_printed("ACPI: RSDT at 0x11000 lists 4 tables\r\n");
	expect_printed("ACPI:  FACP at 0x12000, 116 bytes\r\n");
	expect_printed("ACPI:  MCFG at 0x14000, 60 bytes\r\n");
	expect_printed("ACPI: local APIC at 0xfee00000, 8259 PICs present");
	expect_printed("ACPI: 4 CPUs, 3 enabled; APIC IDs:\r\n"
		       "(XEN) ACPI:  0 1 2 3(off)\r\n");
	expect_printed("ACPI: IO-APIC 0 at 0xfec00000, GSI base 0\r\n");
	expect_printed("bus 0 IRQ 0 -> GSI 2, polarity conforming, "
		       "trigger conforming\r\n");
	expect_printed("bus 0 IRQ 9 -> GSI 9, polarity high, trigger level");
	expect_printed("PCI segment 0, buses 00-ff: ECAM base 0xb0000000");
	expect_printed("ACPI: HPET 0 at 0xfed00000, minimum tick 128\r\n");
	expect_printed("ACPI: no DMAR");
	assert_false(serial_has("no MCFG"));
	assert_false(serial_has("no HPET"));
	assert_false(serial_has("no MADT"));
}

static void test_print_absent(void **state)
{
	static const uint64_t r[] = { FACP_PA };

	(void)state;
	put_rsdt(r, 1);
	assert_int_equal(parse_warnings(), 0);
	expect_no_warning();
	assert_false(ai.have_madt);
	assert_false(ai.have_mcfg);
	assert_false(ai.have_hpet);
	assert_false(ai.have_dmar);
	print();
	expect_printed("ACPI: no MADT");
	expect_printed("ACPI: no MCFG: PCI config space through ports "
		       "0xcf8/0xcfc\r\n");
	expect_printed("ACPI: no HPET");
	expect_printed("ACPI: no DMAR");
}

/* A second parse starts afresh. */
static void test_parse_resets(void **state)
{
	static const uint64_t r[] = { FACP_PA };

	(void)state;
	assert_int_equal(parse(), 0);
	put_rsdt(r, 1);
	assert_int_equal(parse(), 0);
	assert_int_equal(ai.nr_tables, 1);
	assert_int_equal(ai.nr_cpus, 0);
	assert_int_equal(ai.nr_mcfg, 0);
	assert_false(ai.have_hpet);
}

/* ---- Broken tables ------------------------------------------------- */

static void test_bad_checksum_skipped(void **state)
{
	(void)state;
	put8(HPET_PA + 52, 7); /* HPET number, checksum not fixed */
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("ACPI: HPET at 0x15000: bad checksum, skipped");
	assert_int_equal(ai.nr_tables, 4);
	assert_string_equal(ai.tables[2].sig, "HPET");
	assert_int_equal(ai.tables[2].length, 56);
	assert_false(ai.tables[2].valid);
	assert_false(ai.have_hpet);
	assert_true(ai.tables[1].valid);
	assert_true(ai.have_madt);
	assert_int_equal(ai.nr_cpus, 4);
	assert_true(ai.have_mcfg);
	print();
	expect_printed("HPET at 0x15000, 56 bytes, bad\r\n");
	expect_printed("ACPI: no HPET");
}

static void test_table_length_short(void **state)
{
	(void)state;
	put32(MCFG_PA + 4, 20);
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("MCFG at 0x14000: length 20 out of range");
	assert_false(ai.tables[3].valid);
	assert_int_equal(ai.tables[3].length, 20);
	assert_false(ai.have_mcfg);
	assert_true(ai.have_hpet);
	put32(MCFG_PA + 4, 0);
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("length 0 out of range");
}

static void test_table_beyond_memory(void **state)
{
	static const uint64_t r[] = { MEM_END - 40, MADT_PA, MEM_END - 20 };

	(void)state;
	memcpy(fake_mem_at(MEM_END - 40), fake_mem_at(HPET_PA), 40);
	memcpy(fake_mem_at(MEM_END - 20), "HPET", 4);
	put_rsdt(r, 3);
	assert_int_equal(parse(), 0);
	assert_int_equal(ai.nr_tables, 3);
	assert_false(ai.tables[0].valid);
	assert_string_equal(ai.tables[0].sig, "HPET");
	assert_int_equal(ai.tables[0].length, 56);
	assert_false(ai.tables[2].valid);
	assert_string_equal(ai.tables[2].sig, "????");
	assert_int_equal(ai.tables[2].length, 0);
	assert_false(ai.have_hpet);
	assert_true(ai.have_madt);
	/* Too long to be sane, though all of it is in memory. */
	put32(MCFG_PA + 4, 0x200000);
	put_rsdt(qemu_tables, 4);
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("MCFG at 0x14000: length 2097152 out of range");
}

/* A signature that is not text is printed as '?'s. */
static void test_table_signature_garbled(void **state)
{
	(void)state;
	memcpy(fake_mem_at(FACP_PA), "F\x01\xff\n", 4);
	fix_sum(FACP_PA, 116, 9);
	assert_int_equal(parse(), 0);
	assert_string_equal(ai.tables[0].sig, "F???");
	assert_true(ai.tables[0].valid);
}

/* ---- The MADT ------------------------------------------------------ */

static void test_madt_entry_past_end(void **state)
{
	(void)state;
	madt_begin(MADT_PA);
	madt_lapic(0, 0, 1);
	madt_lapic(1, 1, 1);
	madt_ioapic(0, 0xfec00000, 0);
	tbl_end();
	tbl_set_length(MADT_PA, tbl_len - 4); /* the IO-APIC cut short */
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("APIC at 0x13000: bad length 12 at offset 60");
	assert_true(ai.have_madt);
	assert_true(ai.tables[1].valid);
	assert_int_equal(ai.nr_cpus, 2);
	assert_int_equal(ai.nr_ioapics, 0);
	/* One byte left: not even a type and a length. */
	tbl_set_length(MADT_PA, 44 + 16 + 1);
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("entry at offset 60 runs past the end");
	assert_int_equal(ai.nr_cpus, 2);
}

static void test_madt_entry_length_zero(void **state)
{
	(void)state;
	madt_begin(MADT_PA);
	madt_lapic(0, 0, 1);
	tbl_u8(0);
	tbl_u8(0); /* would loop forever if believed */
	tbl_u16(0);
	tbl_u32(0);
	madt_lapic(1, 1, 1);
	tbl_end();
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("bad length 0 at offset 52");
	assert_int_equal(ai.nr_cpus, 1);
	put8(MADT_PA + 53, 1);
	fix_sum(MADT_PA, tbl_len, 9);
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("bad length 1 at offset 52");
	assert_int_equal(ai.nr_cpus, 1);
}

/* An entry too short for its type is skipped; the walk goes on. */
static void test_madt_entry_too_short(void **state)
{
	(void)state;
	madt_begin(MADT_PA);
	madt_lapic(0, 0, 1);
	tbl_u8(1); /* IO-APIC */
	tbl_u8(8);
	tbl_u8(0);
	tbl_u8(0);
	tbl_u32(0xfec00000);
	tbl_u8(9); /* x2APIC */
	tbl_u8(12);
	tbl_u16(0);
	tbl_u32(7);
	tbl_u32(1);
	madt_override(0, 2, 0);
	madt_x2apic(8, 1, 8);
	tbl_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(ai.nr_ioapics, 0);
	assert_int_equal(ai.nr_cpus, 2);
	assert_int_equal(ai.cpus[1].apic_id, 8);
	assert_int_equal(ai.nr_overrides, 1);
	assert_true(serial_has("type 1 entry at offset 52 too short"));
	assert_true(serial_has("type 9 entry at offset 60 too short"));
}

static void test_madt_too_short(void **state)
{
	(void)state;
	tbl_set_length(MADT_PA, 40);
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("APIC at 0x13000: length 40 too short");
	assert_false(ai.have_madt);
	assert_false(ai.tables[1].valid);
	assert_int_equal(ai.nr_cpus, 0);
	tbl_set_length(MADT_PA, 44); /* no entries: fine */
	assert_int_equal(parse(), 0);
	assert_true(ai.have_madt);
	assert_int_equal(ai.nr_cpus, 0);
	print();
	expect_printed("the MADT lists no CPUs");
}

static void test_madt_x2apic(void **state)
{
	(void)state;
	madt_begin(MADT_PA);
	madt_lapic(0, 0, 1);
	madt_lapic(1, 1, 1);
	madt_x2apic(0x100, 1, 7);
	madt_x2apic(0x12345678, 2, 8); /* online capable */
	madt_x2apic(1, 1, 9);	       /* listed twice */
	tbl_end();
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("APIC ID 0x1 listed twice");
	assert_int_equal(ai.nr_cpus, 4);
	assert_int_equal(ai.cpus[2].apic_id, 0x100);
	assert_int_equal(ai.cpus[2].uid, 7);
	assert_true(ai.cpus[2].enabled);
	assert_int_equal(ai.cpus[3].apic_id, 0x12345678);
	assert_int_equal(ai.cpus[3].uid, 8);
	assert_false(ai.cpus[3].enabled);
	assert_true(ai.cpus[3].online_capable);
	print();
	expect_printed("ACPI: 4 CPUs, 3 enabled; APIC IDs:\r\n"
		       "(XEN) ACPI:  0 1 256 305419896(hotplug)\r\n");
}

static void test_madt_too_many_cpus(void **state)
{
	static const uint64_t r[] = { BIG_PA };

	(void)state;
	madt_begin(BIG_PA);
	for (uint32_t i = 0; i < ACPI_CPUS_MAX + 44; i++)
		madt_x2apic(i, 1, i);
	for (unsigned int i = 0; i < ACPI_IOAPICS_MAX + 1; i++)
		madt_ioapic(i, 0xfec00000 + i * 0x1000, i * 24);
	for (unsigned int i = 0; i < ACPI_OVERRIDES_MAX + 2; i++)
		madt_override(i, i, 0);
	tbl_end();
	put_rsdt(r, 1);
	assert_int_equal(parse_warnings(), 0);
	assert_int_equal(serial_lines(), 3);
	expect_printed("44 CPUs beyond the first 256 ignored");
	expect_printed("1 IO-APICs beyond the first 8 ignored");
	expect_printed("2 overrides beyond the first 16 ignored");
	assert_int_equal(ai.nr_cpus, ACPI_CPUS_MAX);
	assert_int_equal(ai.cpus_dropped, 44);
	assert_int_equal(ai.cpus[ACPI_CPUS_MAX - 1].apic_id, 255);
	assert_int_equal(ai.nr_ioapics, ACPI_IOAPICS_MAX);
	assert_int_equal(ai.nr_overrides, ACPI_OVERRIDES_MAX);
	print();
	expect_printed("ACPI: 256 CPUs, 256 enabled");
	expect_printed("(XEN) ACPI:  240 241 242 243 244 245 246 247 248 249 "
		       "250 251 252 253 254 255\r\n");
	expect_printed("44 more CPUs ignored (at most 256)");
}

static void test_madt_lapic_override(void **state)
{
	(void)state;
	madt_begin(MADT_PA);
	put32(MADT_PA + 40, 0); /* no 8259s */
	madt_lapic(0, 0, 1);
	madt_lapic_addr(0x1fee00000ull);
	tbl_end();
	assert_int_equal(parse(), 0);
	assert_int_equal(paddr_x(ai.lapic_addr), 0x1fee00000ull);
	assert_false(ai.pcat_compat);
	print();
	expect_printed("ACPI: local APIC at 0x1fee00000\r\n");
}

static void test_madt_duplicate(void **state)
{
	static const uint64_t r[] = { MADT_PA, MADT2_PA };

	(void)state;
	madt_begin(MADT2_PA);
	madt_lapic(0, 9, 1);
	tbl_end();
	put_rsdt(r, 2);
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("APIC at 0x17000: a second MADT, ignored");
	assert_int_equal(ai.nr_cpus, 4);
	assert_true(ai.tables[1].valid);
}

/* ---- MCFG, HPET and DMAR ------------------------------------------- */

/* Trailing bytes: the whole table is rejected, not only the tail. */
static void test_mcfg_partial_entry(void **state)
{
	(void)state;
	tbl_set_length(MCFG_PA, 44 + 16 + 8);
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("MCFG at 0x14000: length 68 is not 44 + 16 * n");
	assert_false(ai.have_mcfg);
	assert_int_equal(ai.nr_mcfg, 0);
	assert_false(ai.tables[3].valid);
	print();
	expect_printed("no MCFG: PCI config space through ports");
	tbl_set_length(MCFG_PA, 40);
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("length 40 is not 44 + 16 * n");
}

static void test_mcfg_entries(void **state)
{
	(void)state;
	tbl_begin(MCFG_PA, "MCFG");
	tbl_u64(0);
	mcfg_entry(0xb0000000, 0, 0, 0x7f);
	mcfg_entry(0xc0000000, 1, 0x10, 0x0f);	    /* buses backwards */
	mcfg_entry(0xc0001000, 1, 0, 0xff);	    /* misaligned */
	mcfg_entry(0xfffffffffff00000ull, 2, 0, 1); /* wraps */
	mcfg_entry(0xd0000000, 1, 0x80, 0xff);
	mcfg_entry(0xe0000000, 2, 0, 0);
	mcfg_entry(0xe1000000, 3, 0, 0);
	mcfg_entry(0xe2000000, 4, 0, 0);
	tbl_end();
	assert_int_equal(parse_warnings(), 0);
	assert_int_equal(serial_lines(), 4);
	expect_printed("bad entry at offset 60 (base 0xc0000000), skipped");
	expect_printed("1 entries beyond the first 4 ignored");
	assert_true(ai.have_mcfg);
	assert_int_equal(ai.nr_mcfg, 4);
	assert_int_equal(paddr_x(ai.mcfg[1].base), 0xd0000000);
	assert_int_equal(ai.mcfg[1].segment, 1);
	assert_int_equal(ai.mcfg[1].bus_start, 0x80);
	assert_int_equal(ai.mcfg[3].segment, 3);
	/* No entries at all. */
	tbl_set_length(MCFG_PA, 44);
	assert_int_equal(parse(), 0);
	assert_true(ai.have_mcfg);
	assert_int_equal(ai.nr_mcfg, 0);
	print();
	expect_printed("MCFG without usable entries: PCI config space");
}

static void test_hpet_bad(void **state)
{
	(void)state;
	put_hpet(1); /* I/O space */
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("HPET at 0x15000: block 0xfed00000 in space 1, "
			   "skipped");
	assert_false(ai.have_hpet);
	assert_false(ai.tables[2].valid);
	put_hpet(0);
	tbl_set_length(HPET_PA, 55);
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("HPET at 0x15000: length 55 too short");
	assert_false(ai.have_hpet);
}

static void test_dmar(void **state)
{
	static const uint64_t r[] = { FACP_PA, DMAR_PA };

	(void)state;
	put_rsdt(r, 2);
	assert_int_equal(parse_warnings(), 0);
	expect_no_warning();
	assert_true(ai.have_dmar);
	assert_int_equal(paddr_x(ai.dmar_addr), DMAR_PA);
	assert_int_equal(ai.dmar_length, 64);
	assert_int_equal(ai.dmar_haw, 39);
	assert_int_equal(ai.dmar_flags, ACPI_DMAR_INTR_REMAP);
	assert_int_equal(ai.nr_drhd, 1);
	assert_int_equal(paddr_x(ai.drhd[0].base), 0xfed90000);
	assert_true(ai.drhd[0].include_all);
	assert_int_equal(ai.drhd[0].nr_scopes, 0);
	print();
	expect_printed("ACPI: DMAR at 0x16000, 64 bytes: host address width "
		       "39, interrupt remapping\r\n");
	put_dmar(47, 3);
	assert_int_equal(parse(), 0);
	assert_int_equal(ai.dmar_haw, 48);
	assert_int_equal(ai.dmar_flags, 3);
}

/* A unit with scopes, a reserved region, then a structure of length 2. */
static void test_dmar_structures(void **state)
{
	static const uint64_t r[] = { FACP_PA, DMAR_PA };

	(void)state;
	put_rsdt(r, 2);
	tbl_begin(DMAR_PA, "DMAR");
	tbl_u8(38);
	tbl_u8(0);
	tbl_bytes("\0\0\0\0\0\0\0\0\0\0", 10);
	tbl_u16(0);	      /* DRHD */
	tbl_u16(16 + 8 + 10); /* two scopes: one hop, then two hops */
	tbl_u8(0);	      /* listed devices only */
	tbl_u8(0);
	tbl_u16(1); /* segment */
	tbl_u64(0xfed91000);
	tbl_bytes("\x01\x08\0\0\0\x00\x03\x00", 8); /* 00:03.0 */
	tbl_bytes("\x02\x0a\0\0\0\x00\x1c\x00\x00\x00", 10);
	tbl_u16(1);  /* RMRR */
	tbl_u16(32); /* one scope */
	tbl_u16(0);
	tbl_u16(1);
	tbl_u64(0x7e000000);
	tbl_u64(0x7e0fffff);
	tbl_bytes("\x01\x08\0\0\0\x00\x04\x01", 8); /* 00:04.1 */
	tbl_u16(7);
	tbl_u16(2); /* impossible length: the walk ends here */
	tbl_end();
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("structure of length 2 at offset");
	assert_true(ai.have_dmar);
	assert_int_equal(ai.nr_drhd, 1);
	assert_false(ai.drhd[0].include_all);
	assert_int_equal(ai.drhd[0].segment, 1);
	assert_int_equal(paddr_x(ai.drhd[0].base), 0xfed91000);
	assert_int_equal(ai.drhd[0].nr_scopes, 1); /* the two-hop one left */
	assert_int_equal(ai.drhd[0].scopes[0].type, 1);
	assert_int_equal(ai.drhd[0].scopes[0].devfn, 3 << 3);
	assert_int_equal(ai.nr_rmrr, 1);
	assert_int_equal(paddr_x(ai.rmrr[0].base), 0x7e000000);
	assert_int_equal(paddr_x(ai.rmrr[0].limit), 0x7e0fffff);
	assert_int_equal(ai.rmrr[0].scopes[0].devfn, 4 << 3 | 1);
}

static void test_dmar_bad(void **state)
{
	static const uint64_t r[] = { DMAR_PA };

	(void)state;
	put_rsdt(r, 1);
	tbl_set_length(DMAR_PA, 47);
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("DMAR at 0x16000: length 47 too short");
	assert_false(ai.have_dmar);
	tbl_set_length(DMAR_PA, 48); /* the header only: fine */
	assert_int_equal(parse(), 0);
	assert_true(ai.have_dmar);
	put_dmar(64, 0);
	assert_int_equal(parse_warnings(), 0);
	expect_one_warning("host address width 65 bits, skipped");
	assert_false(ai.have_dmar);
	assert_false(ai.tables[0].valid);
}

/* ---- Random firmware ----------------------------------------------- */

static uint8_t rand8(void)
{
	return (uint8_t)rand();
}

/* MADT entries: mostly of known types and lengths, some garbage. */
static void random_madt_entries(size_t room)
{
	static const uint8_t types[] = { 0, 1, 2, 4, 5, 9 };
	static const uint8_t lengths[] = { 8, 12, 10, 6, 12, 16 };

	for (;;) {
		unsigned int k = (unsigned int)rand() % ARRAY_SIZE(types);
		uint8_t len = rand() % 8 ? lengths[k] : rand8() % 20;
		size_t size = len < 2 ? 2 : len;

		if (size > room)
			return;
		tbl_u8(rand() % 16 ? types[k] : rand8());
		tbl_u8(len);
		for (size_t i = 2; i < size; i++)
			tbl_u8(rand8());
		room -= size;
	}
}

static void check_counts(void)
{
	assert_true(ai.nr_tables <= ACPI_TABLES_MAX);
	assert_true(ai.nr_cpus <= ACPI_CPUS_MAX);
	assert_true(ai.nr_ioapics <= ACPI_IOAPICS_MAX);
	assert_true(ai.nr_overrides <= ACPI_OVERRIDES_MAX);
	assert_true(ai.nr_mcfg <= ACPI_MCFG_MAX);
}

/*
 * Random bytes in an otherwise good MADT: parsing succeeds and reads
 * nothing outside the table (AddressSanitizer watches).
 */
static void test_random_madt(void **state)
{
	static const uint64_t r[] = { BIG_PA };

	(void)state;
	put_rsdt(r, 1);
	log_level = LOG_ERR;
	srand(4321);
	for (unsigned int round = 0; round < 4000; round++) {
		madt_begin(BIG_PA);
		if (rand() % 4)
			random_madt_entries((size_t)rand() % 1024);
		else
			for (int n = rand() % 600; n > 0; n--)
				tbl_u8(rand8());
		tbl_end();
		if (rand() % 8 == 0)
			tbl_set_length(BIG_PA, 36 + (uint32_t)rand() % 64);
		if (rand() % 16 == 0)
			put8(BIG_PA + 9, rand8());
		assert_int_equal(parse(), 0);
		check_counts();
	}
}

/* A table at pa with one of our signatures and a random body. */
static void random_table(uint64_t pa)
{
	static const char *const sigs[] = { "APIC", "MCFG", "HPET", "DMAR",
					    "FACP" };

	tbl_begin(pa, sigs[(unsigned int)rand() % ARRAY_SIZE(sigs)]);
	tbl_len = 36 + (uint32_t)rand() % 200;
	tbl_end();
}

/* An entry of the root: random, a real table, or into random bytes. */
static uint64_t random_entry(void)
{
	switch (rand() % 5) {
	case 0:
		return (uint64_t)rand() << (rand() % 34);
	case 1:
		return qemu_tables[(unsigned int)rand() % 4];
	case 2:
		return FAKE_MEM_BASE + (uint64_t)rand() % (FAKE_MEM_SIZE + 64);
	default:
		return BIG_PA + ((uint64_t)rand() % 16) * 0x400 +
		       (rand() % 4 ? 0 : (uint64_t)rand() % 64);
	}
}

static void random_root(bool xsdt)
{
	unsigned int n = (unsigned int)rand() % 48;

	tbl_begin(xsdt ? XSDT_PA : RSDT_PA, xsdt ? "XSDT" : "RSDT");
	for (unsigned int i = 0; i < n; i++) {
		if (xsdt)
			tbl_u64(random_entry());
		else
			tbl_u32((uint32_t)random_entry());
	}
	tbl_len += rand() % 8 ? 0 : (uint32_t)rand() % 8;
	tbl_end();
}

/*
 * Random RSDT and XSDT entries pointing at random bytes, real tables and
 * headers with random bodies: parsing always ends cleanly.
 */
static void test_random_root(void **state)
{
	uint32_t *big = fake_mem_at(BIG_PA);

	(void)state;
	log_level = LOG_ERR;
	srand(1234);
	for (unsigned int round = 0; round < 3000; round++) {
		bool xsdt = round & 1;

		for (unsigned int i = 0; i < 0x4000 / 4; i++)
			big[i] = (uint32_t)rand() * 2654435761u;
		for (unsigned int i = 0; i < 16; i++)
			if (rand() % 2)
				random_table(BIG_PA + i * 0x400);
		random_root(xsdt);
		put_rsdp(RSDP_PA, xsdt ? 2 : 0, RSDT_PA, XSDT_PA);
		int rc = parse();
		assert_true(rc == 0 || rc == -EINVAL);
		check_counts();
	}
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_find_rsdp),
		T(test_find_rsdp_wrong_signature),
		T(test_find_rsdp_bad_checksum),
		T(test_find_rsdp_bad_ext_checksum),
		T(test_find_rsdp_misaligned),
		T(test_find_rsdp_bounds),
		T(test_v1_uses_rsdt),
		T(test_v2_uses_xsdt),
		T(test_v2_xsdt_zero_uses_rsdt),
		T(test_v2_bad_xsdt_uses_rsdt),
		T(test_root_unusable),
		T(test_root_trailing_bytes),
		T(test_root_entries_outside_memory),
		T(test_too_many_tables),
		T(test_qemu_tables),
		T(test_qemu_madt),
		T(test_qemu_mcfg_hpet),
		T(test_print_qemu),
		T(test_print_absent),
		T(test_parse_resets),
		T(test_bad_checksum_skipped),
		T(test_table_length_short),
		T(test_table_beyond_memory),
		T(test_table_signature_garbled),
		T(test_madt_entry_past_end),
		T(test_madt_entry_length_zero),
		T(test_madt_entry_too_short),
		T(test_madt_too_short),
		T(test_madt_x2apic),
		T(test_madt_too_many_cpus),
		T(test_madt_lapic_override),
		T(test_madt_duplicate),
		T(test_mcfg_partial_entry),
		T(test_mcfg_entries),
		T(test_hpet_bad),
		T(test_dmar),
		T(test_dmar_structures),
		T(test_dmar_bad),
		T(test_random_madt),
		T(test_random_root),
	};

	return cmocka_run_group_tests_name("acpi", tests, group_setup, NULL);
}
