/*
 * PCI: configuration space checks, enumeration, BAR sizing and the
 * capability walk, against a fake configuration space built here
 * register by register at the specification's offsets. The fake keeps
 * IDs read-only and BARs' low bits hardwired as real devices do, and
 * records what the code under test did to it.
 */
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
#include <xen/pci.h>

#include "fake_arch.h"

#define FAKE_FNS_MAX 320

/* One function of the fake machine. */
struct fake_fn {
	pci_sbdf_t sbdf;
	uint8_t cfg[PCI_CONF_SIZE_EXT];
	uint32_t bar_wmask[PCI_BARS_MAX]; /* BAR bits that take a write */
	unsigned int probes_decoding;	  /* all-ones BAR writes, decode on */
	unsigned int cmd_writes;
	unsigned int
	    stray_writes; /* to registers the code has no business in */
};

static struct fake_fn *fns;
static unsigned int nr_fns;
static unsigned int backend_calls;
static unsigned int fake_size = PCI_CONF_SIZE_EXT;

/* ---- The fake configuration space ------------------------------------ */

static struct fake_fn *fake_find(pci_sbdf_t s)
{
	for (unsigned int i = 0; i < nr_fns; i++)
		if (pci_sbdf_eq(fns[i].sbdf, s))
			return &fns[i];
	return NULL;
}

static uint32_t fake_read(pci_sbdf_t s, unsigned int reg, unsigned int len)
{
	struct fake_fn *f = fake_find(s);
	uint32_t v = 0;

	backend_calls++;
	assert_true(reg % len == 0 && reg + len <= fake_size);
	if (!f)
		return ~0u;
	memcpy(&v, f->cfg + reg, len);
	return v;
}

static void fake_write_bar(struct fake_fn *f, unsigned int i, uint32_t v)
{
	uint32_t old, m = f->bar_wmask[i];
	uint16_t cmd;

	memcpy(&cmd, f->cfg + PCI_COMMAND, 2);
	if (v == ~0u && (cmd & (PCI_CMD_IO | PCI_CMD_MEMORY)))
		f->probes_decoding++;
	memcpy(&old, f->cfg + PCI_BAR0 + 4 * i, 4);
	v = (v & m) | (old & ~m);
	memcpy(f->cfg + PCI_BAR0 + 4 * i, &v, 4);
}

static void fake_write(pci_sbdf_t s, unsigned int reg, unsigned int len,
		       uint32_t v)
{
	struct fake_fn *f = fake_find(s);

	backend_calls++;
	assert_true(reg % len == 0 && reg + len <= fake_size);
	if (!f)
		return;
	if (reg == PCI_COMMAND && len == 2) {
		f->cmd_writes++;
		memcpy(f->cfg + reg, &v, 2);
	} else if (reg >= PCI_BAR0 && reg < PCI_BAR0 + 24 && len == 4) {
		fake_write_bar(f, (reg - PCI_BAR0) / 4, v);
	} else {
		f->stray_writes++;
	}
}

static const struct pci_conf_ops fake_ops = {
	.name = "fake",
	.size = PCI_CONF_SIZE_EXT,
	.read = fake_read,
	.write = fake_write,
};

static const struct pci_conf_ops fake_ops_256 = {
	.name = "fake-256",
	.size = PCI_CONF_SIZE,
	.read = fake_read,
	.write = fake_write,
};

/* ---- Building functions ---------------------------------------------- */

static void put8(struct fake_fn *f, unsigned int reg, uint8_t v)
{
	f->cfg[reg] = v;
}

static void put16(struct fake_fn *f, unsigned int reg, uint16_t v)
{
	memcpy(f->cfg + reg, &v, 2);
}

static void put32(struct fake_fn *f, unsigned int reg, uint32_t v)
{
	memcpy(f->cfg + reg, &v, 4);
}

static uint32_t get32(const struct fake_fn *f, unsigned int reg)
{
	uint32_t v;

	memcpy(&v, f->cfg + reg, 4);
	return v;
}

static uint16_t get16(const struct fake_fn *f, unsigned int reg)
{
	uint16_t v;

	memcpy(&v, f->cfg + reg, 2);
	return v;
}

static struct fake_fn *add_fn(unsigned int seg, unsigned int bus,
			      unsigned int dev, unsigned int fn,
			      uint16_t vendor, uint16_t device, uint32_t class,
			      uint8_t hdr)
{
	struct fake_fn *f;

	assert_true(nr_fns < FAKE_FNS_MAX);
	f = &fns[nr_fns++];
	memset(f, 0, sizeof(*f));
	f->sbdf = pci_sbdf(seg, bus, dev, fn);
	put16(f, PCI_VENDOR_ID, vendor);
	put16(f, PCI_DEVICE_ID, device);
	put32(f, PCI_CLASS_REV, class << 8 | 0x01);
	put8(f, PCI_HEADER_TYPE, hdr);
	return f;
}

/* A BAR of size bytes at addr; flags are its low bits (io, type, pf). */
static void add_bar(struct fake_fn *f, unsigned int i, uint32_t addr,
		    uint32_t size, uint32_t flags)
{
	put32(f, PCI_BAR0 + 4 * i, addr | flags);
	f->bar_wmask[i] = ~(size - 1) & ((flags & 1) ? ~3u : ~0xfu);
}

static void add_bar64(struct fake_fn *f, unsigned int i, uint64_t addr,
		      uint64_t size, uint32_t flags)
{
	uint64_t wmask = ~(size - 1) & ~0xfull;

	put32(f, PCI_BAR0 + 4 * i, (uint32_t)addr | flags | 0x4);
	put32(f, PCI_BAR0 + 4 * (i + 1), addr >> 32);
	f->bar_wmask[i] = (uint32_t)wmask;
	f->bar_wmask[i + 1] = wmask >> 32;
}

/* Capability id at at, linked to next; status says there is a list. */
static void add_cap(struct fake_fn *f, unsigned int at, uint8_t id,
		    uint8_t next)
{
	put8(f, at, id);
	put8(f, at + 1, next);
	put16(f, PCI_STATUS, get16(f, PCI_STATUS) | PCI_STATUS_CAPS);
}

static struct fake_fn *add_bridge(unsigned int bus, unsigned int dev,
				  uint8_t sec, uint8_t sub)
{
	struct fake_fn *f =
	    add_fn(0, bus, dev, 0, 0x8086, 0x244e, 0x060400, PCI_HEADER_BRIDGE);

	put8(f, PCI_PRIMARY_BUS, bus);
	put8(f, PCI_SECONDARY_BUS, sec);
	put8(f, PCI_SUBORD_BUS, sub);
	return f;
}

/* ---- The machine most tests use --------------------------------------- */

static struct fake_fn *host, *nic, *br, *behind, *mf0, *mf2, *mf3;

/* A NIC like QEMU's e1000e, with every capability we read. */
static struct fake_fn *add_nic(void)
{
	struct fake_fn *f = add_fn(0, 0, 2, 0, 0x8086, 0x10d3, 0x020000, 0);

	put16(f, PCI_COMMAND, PCI_CMD_IO | PCI_CMD_MEMORY | 0x4);
	add_bar(f, 0, 0xfebc0000, 128 << 10, 0);
	add_bar(f, 2, 0xc040, 32, 1);
	add_bar64(f, 3, 0x800000000ull, 16 << 10, 0x8);
	put8(f, PCI_CAP_PTR, 0xc8);
	add_cap(f, 0xc8, 0x01, 0xd0);	       /* PM */
	put16(f, 0xc8 + 4, 1u << 3);	       /* PMCSR: No_Soft_Reset */
	add_cap(f, 0xd0, 0x05, 0xe0);	       /* MSI */
	put16(f, 0xd0 + 2, 1u << 7 | 1u << 8); /* 64-bit, maskable */
	add_cap(f, 0xe0, 0x10, 0xa0);	       /* PCIe */
	put32(f, 0xe0 + 4, 1u << 28);	       /* DevCap: FLR */
	add_cap(f, 0xa0, 0x11, 0x00);	       /* MSI-X */
	put16(f, 0xa0 + 2, 4);		       /* 5 entries */
	put32(f, 0xa0 + 4, 0x0000 | 3);	       /* table: BAR3 + 0 */
	put32(f, 0xa0 + 8, 0x2000 | 3);	       /* PBA: BAR3 + 0x2000 */
	return f;
}

static void build_machine(void)
{
	host = add_fn(0, 0, 0, 0, 0x8086, 0x29c0, 0x060000, 0);
	put16(host, PCI_COMMAND, PCI_CMD_MEMORY);
	nic = add_nic();
	br = add_bridge(0, 0x1c, 1, 1);
	behind = add_fn(0, 1, 0, 0, 0x1b36, 0x0010, 0x010802, 0);
	add_bar64(behind, 0, 0xfe000000, 16 << 10, 0);
	mf0 = add_fn(0, 0, 0x1f, 0, 0x8086, 0x2918, 0x060100, PCI_HEADER_MF);
	mf2 = add_fn(0, 0, 0x1f, 2, 0x8086, 0x2922, 0x010601, 0);
	mf3 = add_fn(0, 0, 0x1f, 3, 0x8086, 0x2930, 0x0c0500, 0);
}

static const struct pci_root root0 = { 0, 0 };

static int setup(void **state)
{
	(void)state;
	fake_serial_reset();
	log_level = LOG_INFO;
	nr_fns = 0;
	backend_calls = 0;
	fake_size = PCI_CONF_SIZE_EXT;
	pci_conf_set_ops(&fake_ops);
	host = nic = br = behind = mf0 = mf2 = mf3 = NULL;
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	console_init();
	fns = calloc(FAKE_FNS_MAX, sizeof(*fns));
	return fns ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	free(fns);
	return 0;
}

static const struct pci_dev *dev_at(unsigned int seg, unsigned int bus,
				    unsigned int dev, unsigned int fn)
{
	return pci_dev_find(pci_sbdf(seg, bus, dev, fn));
}

/* ---- Configuration space access --------------------------------------- */

static void test_conf_checks(void **state)
{
	pci_sbdf_t s = pci_sbdf(0, 0, 2, 0);
	uint32_t v;

	(void)state;
	nic = add_nic();
	assert_int_equal(pci_conf_read16(s, PCI_DEVICE_ID), 0x10d3);
	assert_int_equal(pci_conf_read8(s, PCI_CLASS_REV + 3), 0x02);
	backend_calls = 0;
	assert_int_equal(pci_conf_read(s, 1, 2, &v), -EINVAL);
	assert_int_equal(v, 0xffff);
	assert_int_equal(pci_conf_read(s, 2, 4, &v), -EINVAL);
	assert_int_equal(v, 0xffffffff);
	assert_int_equal(pci_conf_read(s, 0, 3, &v), -EINVAL);
	assert_int_equal(v, 0xffffffff);
	assert_int_equal(pci_conf_read(s, 0, 0, &v), -EINVAL);
	assert_int_equal(pci_conf_read(s, 0, 8, &v), -EINVAL);
	assert_int_equal(pci_conf_read(s, 4096, 1, &v), -EINVAL);
	assert_int_equal(pci_conf_read(s, ~0u, 1, &v), -EINVAL);
	assert_int_equal(pci_conf_read(s, ~3u, 4, &v), -EINVAL);
	assert_int_equal(pci_conf_write32(s, 4094, 0), -EINVAL);
	assert_int_equal(pci_conf_write16(s, 3, 0), -EINVAL);
	assert_int_equal(backend_calls, 0);
	assert_int_equal(pci_conf_read(s, 4092, 4, &v), 0);
	assert_int_equal(pci_conf_read32(s, 4096), 0xffffffff);
}

static void test_conf_legacy_size(void **state)
{
	pci_sbdf_t s = pci_sbdf(0, 0, 2, 0);
	uint32_t v;

	(void)state;
	nic = add_nic();
	fake_size = PCI_CONF_SIZE;
	pci_conf_set_ops(&fake_ops_256);
	assert_int_equal(pci_conf_size(), 256);
	assert_int_equal(pci_conf_read(s, 252, 4, &v), 0);
	assert_int_equal(pci_conf_read(s, 256, 4, &v), -EINVAL);
	assert_int_equal(pci_conf_read(s, 255, 1, &v), 0);
	assert_int_equal(pci_conf_write8(s, 256, 0), -EINVAL);
}

static void test_conf_no_backend(void **state)
{
	uint32_t v = 0;

	(void)state;
	pci_conf_set_ops(NULL);
	assert_int_equal(pci_conf_size(), 0);
	assert_int_equal(pci_conf_read(pci_sbdf(0, 0, 0, 0), 0, 4, &v),
			 -ENOENT);
	assert_int_equal(v, 0xffffffff);
	assert_int_equal(pci_conf_write8(pci_sbdf(0, 0, 0, 0), 0, 0), -ENOENT);
	assert_int_equal(pci_scan(&root0, 1), 0);
}

static void test_missing_reads_ones(void **state)
{
	(void)state;
	assert_int_equal(pci_conf_read16(pci_sbdf(0, 3, 4, 5), 0), 0xffff);
	assert_int_equal(pci_conf_read32(pci_sbdf(2, 0, 0, 0), 0x10),
			 0xffffffff);
	assert_int_equal(pci_conf_write32(pci_sbdf(0, 3, 4, 5), 0x10, 0), 0);
}

/* ---- Enumeration --------------------------------------------------------- */

static void test_scan_order(void **state)
{
	static const pci_sbdf_t want[] = {
		{ 0x0000 }, { 0x0010 }, { 0x00e0 }, { 0x0100 },
		{ 0x00f8 }, { 0x00fa }, { 0x00fb },
	};

	(void)state;
	build_machine();
	assert_int_equal(pci_scan(&root0, 1), ARRAY_SIZE(want));
	for (unsigned int i = 0; i < ARRAY_SIZE(want); i++)
		assert_int_equal(pci_sbdf_x(pci_dev_at(i)->sbdf),
				 pci_sbdf_x(want[i]));
	assert_null(pci_dev_at(ARRAY_SIZE(want)));
	assert_int_equal(pci_devs_dropped(), 0);
}

static void test_scan_identity(void **state)
{
	const struct pci_dev *d;

	(void)state;
	build_machine();
	pci_scan(&root0, 1);
	d = dev_at(0, 0, 0, 0);
	assert_true(d->host_bridge && !d->bridge);
	assert_int_equal(d->owner, PCI_OWNER_HYPERVISOR);
	d = dev_at(0, 0, 2, 0);
	assert_int_equal(d->vendor, 0x8086);
	assert_int_equal(d->device, 0x10d3);
	assert_int_equal(d->class, 0x020000);
	assert_int_equal(d->hdr_type, 0);
	assert_false(d->host_bridge || d->bridge);
	assert_int_equal(d->owner, PCI_OWNER_NONE);
	d = dev_at(0, 0, 0x1c, 0);
	assert_true(d->bridge);
	assert_int_equal(d->hdr_type, PCI_HEADER_BRIDGE);
	assert_int_equal(d->sec_bus, 1);
	assert_int_equal(d->sub_bus, 1);
	assert_int_equal(d->nr_bars, 2);
	assert_int_equal(d->owner, PCI_OWNER_HYPERVISOR);
	d = dev_at(0, 0, 0x1f, 0);
	assert_int_equal(d->hdr_type, 0); /* the multi-function bit is not */
	assert_int_equal(d->owner, PCI_OWNER_HYPERVISOR); /* ISA bridge */
	assert_null(dev_at(0, 0, 0x1f, 1));
	assert_int_equal(dev_at(0, 1, 0, 0)->class, 0x010802);
}

/* Function 0 decides: no fn 0, no device; no MF bit, no other fns. */
static void test_scan_functions(void **state)
{
	(void)state;
	add_fn(0, 0, 4, 1, 0x1af4, 0x1000, 0x020000, 0);
	add_fn(0, 0, 5, 0, 0x1af4, 0x1001, 0x010000, 0);
	add_fn(0, 0, 5, 1, 0x1af4, 0x1001, 0x010000, 0); /* aliases */
	add_fn(0, 0, 6, 0, 0x0000, 0x0000, 0x000000, 0); /* vendor 0 */
	add_fn(0, 0, 7, 0, 0x1af4, 0x1002, 0x010000, PCI_HEADER_MF);
	add_fn(0, 0, 7, 7, 0x1af4, 0x1003, 0x010000, 0);
	assert_int_equal(pci_scan(&root0, 1), 3);
	assert_null(dev_at(0, 0, 4, 1));
	assert_non_null(dev_at(0, 0, 5, 0));
	assert_null(dev_at(0, 0, 5, 1));
	assert_null(dev_at(0, 0, 6, 0));
	assert_non_null(dev_at(0, 0, 7, 7));
}

static void test_scan_no_writes_outside_bars(void **state)
{
	(void)state;
	build_machine();
	pci_scan(&root0, 1);
	for (unsigned int i = 0; i < nr_fns; i++)
		assert_int_equal(fns[i].stray_writes, 0);
}

/* Bridges are followed only forwards, and each bus once. */
static void test_scan_bad_bridges(void **state)
{
	(void)state;
	add_bridge(0, 1, 0, 0);	   /* unnumbered */
	add_bridge(0, 2, 2, 2);	   /* to bus 2 */
	add_bridge(0, 3, 2, 2);	   /* to bus 2 again */
	add_bridge(2, 0, 2, 2);	   /* to itself */
	add_bridge(2, 1, 0, 0xff); /* back to bus 0 */
	add_bridge(2, 2, 1, 1);	   /* backwards, to a bus not yet seen */
	add_fn(0, 2, 5, 0, 0x1af4, 0x1000, 0x020000, 0);
	add_fn(0, 1, 0, 0, 0x1af4, 0x1000, 0x020000, 0);
	assert_int_equal(pci_scan(&root0, 1), 7);
	assert_non_null(dev_at(0, 2, 5, 0));
	assert_null(dev_at(0, 1, 0, 0));
	assert_true(strstr(fake_serial_out, "bridge to bus 00 skipped"));
	assert_true(strstr(fake_serial_out, "bridge to bus 02 skipped"));
}

/* A chain of bridges deeper than the walk goes stops, and says so. */
static void test_scan_deep_chain(void **state)
{
	(void)state;
	for (unsigned int bus = 0; bus < 60; bus++)
		add_bridge(bus, 0, bus + 1, bus + 1);
	assert_int_equal(pci_scan(&root0, 1), 32);
	assert_true(strstr(fake_serial_out, "nest deeper than 32"));
}

static void test_scan_table_full(void **state)
{
	(void)state;
	add_bridge(0, 0, 1, 1);
	for (unsigned int bus = 0; bus < 2; bus++)
		for (unsigned int dev = 1; dev < 32; dev++)
			for (unsigned int fn = 0; fn < 5; fn++)
				add_fn(0, bus, dev, fn, 0x1af4, 0x1000,
				       0x020000, PCI_HEADER_MF);
	assert_int_equal(pci_scan(&root0, 1), PCI_DEVS_MAX);
	assert_int_equal(pci_devs_dropped(), 1 + 2 * 31 * 5 - PCI_DEVS_MAX);
	log_level = LOG_WARN; /* 256 lines would overflow the fake serial */
	pci_print();
	assert_true(strstr(fake_serial_out,
			   "PCI: 55 functions beyond the first 256 ignored"));
	/* A rescan starts afresh. */
	nr_fns = 1;
	assert_int_equal(pci_scan(&root0, 1), 1);
	assert_int_equal(pci_devs_dropped(), 0);
}

static void test_scan_segments(void **state)
{
	static const struct pci_root roots[] = { { 0, 0 }, { 1, 0x80 } };

	(void)state;
	add_fn(0, 0, 1, 0, 0x1af4, 0x1000, 0x020000, 0);
	add_fn(1, 0x80, 1, 0, 0x1af4, 0x1001, 0x020000, 0);
	add_fn(1, 0, 1, 0, 0x1af4, 0x1002, 0x020000, 0); /* not a root */
	assert_int_equal(pci_scan(roots, 2), 2);
	assert_int_equal(dev_at(1, 0x80, 1, 0)->device, 0x1001);
}

/* ---- BARs ---------------------------------------------------------------- */

static void test_bars_sized(void **state)
{
	const struct pci_dev *d;

	(void)state;
	build_machine();
	pci_scan(&root0, 1);
	d = dev_at(0, 0, 2, 0);
	assert_int_equal(d->nr_bars, 6);
	assert_int_equal(d->bars[0].addr, 0xfebc0000);
	assert_int_equal(d->bars[0].size, 128 << 10);
	assert_false(d->bars[0].io || d->bars[0].mem64 || d->bars[0].prefetch);
	assert_int_equal(d->bars[1].size, 0);
	assert_true(d->bars[2].io);
	assert_int_equal(d->bars[2].addr, 0xc040);
	assert_int_equal(d->bars[2].size, 32);
	assert_true(d->bars[3].mem64 && d->bars[3].prefetch);
	assert_int_equal(d->bars[3].addr, 0x800000000ull);
	assert_int_equal(d->bars[3].size, 16 << 10);
	assert_int_equal(d->bars[4].size, 0); /* the high half */
	assert_int_equal(d->bars[5].size, 0);
}

/* Big BARs: a 4 GiB 64-bit one, a 16-bit I/O decoder, a 2 GiB 32-bit. */
static void test_bars_big(void **state)
{
	struct fake_fn *f = add_fn(0, 0, 1, 0, 0x10de, 0x1234, 0x030000, 0);
	const struct pci_dev *d;

	(void)state;
	add_bar64(f, 0, 0x4000000000ull, 1ull << 32, 0x8);
	add_bar(f, 2, 0x80000000, 1u << 31, 0);
	add_bar(f, 3, 0x1000, 256, 1);
	f->bar_wmask[3] &= 0xffff; /* upper 16 bits hardwired to 0 */
	pci_scan(&root0, 1);
	d = dev_at(0, 0, 1, 0);
	assert_int_equal(d->bars[0].size, 1ull << 32);
	assert_int_equal(d->bars[0].addr, 0x4000000000ull);
	assert_int_equal(d->bars[2].size, 1u << 31);
	assert_int_equal(d->bars[3].size, 256);
}

/* Decoding is off while a BAR holds all ones; everything is restored. */
static void test_bars_restore(void **state)
{
	uint32_t bars[6];
	uint16_t cmd;

	(void)state;
	build_machine();
	memcpy(bars, nic->cfg + PCI_BAR0, sizeof(bars));
	cmd = get16(nic, PCI_COMMAND);
	pci_scan(&root0, 1);
	assert_int_equal(nic->probes_decoding, 0);
	assert_int_equal(nic->cmd_writes, 2);
	assert_int_equal(get16(nic, PCI_COMMAND), cmd);
	for (unsigned int i = 0; i < 6; i++)
		assert_int_equal(get32(nic, PCI_BAR0 + 4 * i), bars[i]);
	assert_int_equal(get32(behind, PCI_BAR0 + 4), 0);
}

/* No decoding on: the command register is left alone. */
static void test_bars_decode_off(void **state)
{
	(void)state;
	build_machine();
	put16(nic, PCI_COMMAND, 0);
	pci_scan(&root0, 1);
	assert_int_equal(nic->cmd_writes, 0);
	assert_int_equal(get16(nic, PCI_COMMAND), 0);
}

/* The host bridge keeps decoding: some chipsets lose RAM otherwise. */
static void test_bars_host_bridge(void **state)
{
	const struct pci_dev *d;

	(void)state;
	build_machine();
	add_bar(host, 0, 0xfed1c000, 16 << 10, 0);
	pci_scan(&root0, 1);
	d = dev_at(0, 0, 0, 0);
	assert_int_equal(d->bars[0].size, 16 << 10);
	assert_int_equal(host->cmd_writes, 0);
	assert_int_equal(get16(host, PCI_COMMAND), PCI_CMD_MEMORY);
	assert_int_equal(get32(host, PCI_BAR0), 0xfed1c000);
}

static void test_bars_64bit_last_slot(void **state)
{
	struct fake_fn *f = add_fn(0, 0, 1, 0, 0x1af4, 0x1000, 0x020000, 0);
	const struct pci_dev *d;

	(void)state;
	put32(f, PCI_BAR0 + 20, 0xfe000004);
	f->bar_wmask[5] = 0xfffff000;
	pci_scan(&root0, 1);
	d = dev_at(0, 0, 1, 0);
	assert_int_equal(d->bars[5].size, 0);
	assert_false(d->bars[5].mem64);
	assert_int_equal(get32(f, PCI_BAR0 + 20), 0xfe000004);
	assert_int_equal(f->stray_writes, 0);
}

/* A bridge has two BAR slots: what follows them is not sized. */
static void test_bars_bridge_slots(void **state)
{
	struct fake_fn *b;

	(void)state;
	b = add_bridge(0, 1, 0, 0);
	add_bar(b, 0, 0xfe800000, 4096, 0);
	put32(b, PCI_BAR0 + 8, 0x00020100); /* bus numbers, not a BAR */
	pci_scan(&root0, 1);
	assert_int_equal(dev_at(0, 0, 1, 0)->bars[0].size, 4096);
	assert_int_equal(get32(b, PCI_BAR0 + 8), 0x00020100);
	assert_int_equal(b->stray_writes, 0);
}

/* ---- Capabilities -------------------------------------------------------- */

static void test_caps(void **state)
{
	const struct pci_dev *d;

	(void)state;
	build_machine();
	pci_scan(&root0, 1);
	d = dev_at(0, 0, 2, 0);
	assert_int_equal(d->pm_cap, 0xc8);
	assert_int_equal(d->pm_pmcsr, 0xcc);
	assert_true(d->pm_no_soft_reset);
	assert_int_equal(d->msi_cap, 0xd0);
	assert_true(d->msi_64bit && d->msi_maskable);
	assert_int_equal(d->pcie_cap, 0xe0);
	assert_true(d->pcie_flr);
	assert_int_equal(d->msix_cap, 0xa0);
	assert_int_equal(d->msix_size, 5);
	assert_int_equal(d->msix_table_bir, 3);
	assert_int_equal(d->msix_table_off, 0);
	assert_int_equal(d->msix_pba_bir, 3);
	assert_int_equal(d->msix_pba_off, 0x2000);
	assert_false(d->caps_bad);
	d = dev_at(0, 1, 0, 0);
	assert_int_equal(d->pm_cap | d->msi_cap | d->pcie_cap | d->msix_cap, 0);
}

static const struct pci_dev *scan_one_caps(struct fake_fn *f)
{
	pci_scan(&root0, 1);
	return pci_dev_find(f->sbdf);
}

/* Without the status bit there is no list, whatever 0x34 holds. */
static void test_caps_status_bit(void **state)
{
	struct fake_fn *f = add_nic();

	(void)state;
	put16(f, PCI_STATUS, 0);
	assert_int_equal(scan_one_caps(f)->msi_cap, 0);
}

static void test_caps_loop(void **state)
{
	struct fake_fn *f = add_nic();
	const struct pci_dev *d;

	(void)state;
	put8(f, 0xa1, 0xd0); /* MSI-X back to MSI */
	backend_calls = 0;
	d = scan_one_caps(f);
	assert_true(d->caps_bad);
	assert_int_equal(d->msix_cap, 0xa0);
	assert_true(backend_calls < 1000);
}

static void test_caps_self_loop(void **state)
{
	struct fake_fn *f = add_fn(0, 0, 1, 0, 0x1af4, 0x1000, 0x020000, 0);
	const struct pci_dev *d;

	(void)state;
	put8(f, PCI_CAP_PTR, 0x40);
	add_cap(f, 0x40, 0x05, 0x43); /* low bits ignored: itself */
	d = scan_one_caps(f);
	assert_true(d->caps_bad);
	assert_int_equal(d->msi_cap, 0x40);
}

static void test_caps_into_header(void **state)
{
	struct fake_fn *f = add_fn(0, 0, 1, 0, 0x1af4, 0x1000, 0x020000, 0);

	(void)state;
	put8(f, PCI_CAP_PTR, 0x40);
	add_cap(f, 0x40, 0x01, 0x10);
	assert_true(scan_one_caps(f)->caps_bad);
	assert_int_equal(f->stray_writes, 0);
}

/* An MSI-X capability whose registers would run past 0xff. */
static void test_caps_past_end(void **state)
{
	struct fake_fn *f = add_fn(0, 0, 1, 0, 0x1af4, 0x1000, 0x020000, 0);
	const struct pci_dev *d;

	(void)state;
	put8(f, PCI_CAP_PTR, 0xf8);
	add_cap(f, 0xf8, 0x11, 0x00);
	d = scan_one_caps(f);
	assert_true(d->caps_bad);
	assert_int_equal(d->msix_cap, 0);
}

/* Random lists end, and never reach outside the space. */
static void test_caps_random(void **state)
{
	struct fake_fn *f = add_fn(0, 0, 1, 0, 0x1af4, 0x1000, 0x020000, 0);

	(void)state;
	srand(7);
	for (unsigned int round = 0; round < 500; round++) {
		for (unsigned int i = 0x34; i < PCI_CONF_SIZE; i++)
			f->cfg[i] = rand();
		put16(f, PCI_STATUS, PCI_STATUS_CAPS);
		scan_one_caps(f);
	}
}

/* ---- Owners -------------------------------------------------------------- */

static void test_owner(void **state)
{
	pci_sbdf_t s = pci_sbdf(0, 0, 2, 0);
	domid_t o;

	(void)state;
	build_machine();
	pci_scan(&root0, 1);
	assert_int_equal(pci_get_owner(s, &o), 0);
	assert_int_equal(o, PCI_OWNER_NONE);
	assert_int_equal(pci_set_owner(s, 5), 0);
	assert_int_equal(pci_get_owner(s, &o), 0);
	assert_int_equal(o, 5);
	assert_int_equal(pci_set_owner(s, PCI_OWNER_NONE), 0);
	assert_int_equal(pci_get_owner(s, &o), 0);
	assert_int_equal(o, PCI_OWNER_NONE);
	assert_int_equal(pci_set_owner(s, PCI_OWNER_HYPERVISOR), -EINVAL);
	assert_int_equal(pci_set_owner(s, 0x7ff0), -EINVAL);
	assert_int_equal(pci_set_owner(s, 0xffff), -EINVAL);
	assert_int_equal(pci_set_owner(pci_sbdf(0, 0, 0, 0), 1), -EPERM);
	assert_int_equal(pci_get_owner(pci_sbdf(0, 0, 0, 0), &o), 0);
	assert_int_equal(o, PCI_OWNER_HYPERVISOR);
	assert_int_equal(pci_set_owner(pci_sbdf(0, 9, 0, 0), 1), -ENOENT);
	assert_int_equal(pci_get_owner(pci_sbdf(0, 9, 0, 0), &o), -ENOENT);
}

/* Claimed by owner with handle h, and back: whether it needed a reset. */
static bool claim_and_free(pci_sbdf_t s, domid_t owner,
			   const xen_domain_handle_t h)
{
	bool reset = false;

	assert_int_equal(pci_claim(s, owner, h, &reset), 0);
	assert_int_equal(pci_set_owner(s, PCI_OWNER_NONE), 0);
	return reset;
}

/*
 * A function goes without a reset only to a domain with the handle of
 * its last owner; an all-zero handle never matches, and an undone claim
 * leaves it needing a reset.
 */
static void test_claim_handles(void **state)
{
	static const xen_domain_handle_t a = { 1, 2, 3 }, b = { 1, 2, 4 },
					 zero = { 0 };
	pci_sbdf_t s = pci_sbdf(0, 0, 2, 0);
	bool reset = false;

	(void)state;
	build_machine();
	pci_scan(&root0, 1);
	/* Whatever firmware left: reset; owned, it is not claimed twice. */
	assert_int_equal(pci_claim(s, 3, a, &reset), 0);
	assert_true(reset);
	assert_int_equal(pci_claim(s, 4, a, &reset), -EBUSY);
	assert_int_equal(pci_set_owner(s, PCI_OWNER_NONE), 0);
	/* Back to the same handle (a restart): no reset. */
	assert_false(claim_and_free(s, 5, a));
	/* Another handle: reset; and then the first is another again. */
	assert_true(claim_and_free(s, 6, b));
	assert_true(claim_and_free(s, 7, a));
	/* An undone claim: anyone's state. */
	assert_int_equal(pci_claim(s, 8, a, &reset), 0);
	pci_unclaim(s);
	assert_true(claim_and_free(s, 9, a));
	/* All zero: always reset, also after an all-zero owner. */
	assert_true(claim_and_free(s, 10, zero));
	assert_true(claim_and_free(s, 11, zero));
	/* The hypervisor's: never claimed. */
	assert_int_equal(pci_claim(pci_sbdf(0, 0, 0, 0), 3, a, &reset), -EPERM);
	assert_true(reset);
}

/* ---- Requester-ID aliases ------------------------------------------------ */

/* A PCIe capability of port type type, alone in the list. */
static void add_pcie_type(struct fake_fn *f, uint8_t type)
{
	put8(f, PCI_CAP_PTR, 0x40);
	add_cap(f, 0x40, 0x10, 0x00);
	put16(f, 0x40 + 2, (uint16_t)(type << 4 | 2));
}

/*
 * Bus 0: a NIC, a root port (0:1c) to bus 1 holding an NVMe and a
 * PCIe-to-PCI bridge (1:01.0) to bus 2 with one function (2:01.0) and, behind a
 * plain PCI bridge (2:03.0) on that bus, bus 3 with one function; a PCI bridge
 * without a PCIe capability (0:1e) to bus 4 with two functions.
 */
static void build_alias_machine(void)
{
	struct fake_fn *f;

	build_machine();
	br->cfg[PCI_SUBORD_BUS] = 3;
	add_pcie_type(br, PCI_EXP_TYPE_ROOT_PORT);
	f = add_bridge(1, 1, 2, 3);
	add_pcie_type(f, PCI_EXP_TYPE_PCI_BRIDGE);
	add_fn(0, 2, 1, 0, 0x10ec, 0x8139, 0x020000, 0);
	add_bridge(2, 3, 3, 3);
	add_fn(0, 3, 0, 0, 0x10ec, 0x8139, 0x020000, 0);
	add_bridge(0, 0x1e, 4, 4);
	add_fn(0, 4, 1, 0, 0x10ec, 0x8139, 0x020000, 0);
	add_fn(0, 4, 2, 0, 0x10ec, 0x8139, 0x020000, 0);
	pci_scan(&root0, 1);
}

static void test_alias(void **state)
{
	(void)state;
	build_alias_machine();
	/* On a PCIe bus, and below a root port: its own ID. */
	assert_int_equal(pci_requester_id(dev_at(0, 0, 2, 0)), 0x0010);
	assert_null(pci_alias_sharer(dev_at(0, 0, 2, 0)));
	assert_int_equal(pci_requester_id(dev_at(0, 1, 0, 0)), 0x0100);
	assert_null(pci_alias_sharer(dev_at(0, 1, 0, 0)));
	/* Below a PCIe-to-PCI bridge: the secondary bus, devfn 00.0. */
	assert_int_equal(pci_requester_id(dev_at(0, 2, 1, 0)), 0x0200);
	/* Below a PCI bridge below it: still the PCIe-to-PCI bridge's. */
	assert_int_equal(pci_requester_id(dev_at(0, 3, 0, 0)), 0x0200);
	assert_ptr_equal(pci_alias_sharer(dev_at(0, 2, 1, 0)),
			 dev_at(0, 3, 0, 0));
	/* Below a bridge without a PCIe capability: that bridge's own. */
	assert_int_equal(pci_requester_id(dev_at(0, 4, 1, 0)), 0x00f0);
	assert_int_equal(pci_requester_id(dev_at(0, 4, 2, 0)), 0x00f0);
	assert_ptr_equal(pci_alias_sharer(dev_at(0, 4, 1, 0)),
			 dev_at(0, 4, 2, 0));
}

/* Alone behind its bridge: aliased, but nobody shares the ID. */
static void test_alias_alone(void **state)
{
	struct fake_fn *f;

	(void)state;
	build_machine();
	add_pcie_type(br, PCI_EXP_TYPE_ROOT_PORT);
	br->cfg[PCI_SUBORD_BUS] = 2;
	f = add_bridge(1, 1, 2, 2);
	add_pcie_type(f, PCI_EXP_TYPE_PCI_BRIDGE);
	add_fn(0, 2, 1, 0, 0x1b36, 0x0010, 0x010802, 0);
	pci_scan(&root0, 1);
	assert_int_equal(pci_requester_id(dev_at(0, 2, 1, 0)), 0x0200);
	assert_null(pci_alias_sharer(dev_at(0, 2, 1, 0)));
}

/* ---- The boot lines ------------------------------------------------------ */

static void test_format(void **state)
{
	char line[400];

	(void)state;
	build_machine();
	pci_scan(&root0, 1);
	pci_format(dev_at(0, 0, 2, 0), line, sizeof(line));
	assert_string_equal(line,
			    "PCI 0000:00:02.0 8086:10d3 class 020000 BAR0 mem "
			    "0xfebc0000 128K BAR2 io 0xc040 32B BAR3 mem64-pf "
			    "0x800000000 16K caps PM(NSR) MSI(64,mask) "
			    "PCIe(FLR) MSI-X(5)");
	pci_format(dev_at(0, 0, 0, 0), line, sizeof(line));
	assert_string_equal(line, "PCI 0000:00:00.0 8086:29c0 class 060000 "
				  "host-bridge owner xen");
	pci_format(dev_at(0, 0, 0x1c, 0), line, sizeof(line));
	assert_string_equal(line, "PCI 0000:00:1c.0 8086:244e class 060400 "
				  "bridge 01-01 owner xen");
	pci_format(dev_at(0, 1, 0, 0), line, sizeof(line));
	assert_string_equal(line, "PCI 0000:01:00.0 1b36:0010 class 010802 "
				  "BAR0 mem64 0xfe000000 16K");
}

static void test_format_short_buffer(void **state)
{
	char full[400], line[20];
	int n;

	(void)state;
	build_machine();
	pci_scan(&root0, 1);
	n = pci_format(dev_at(0, 0, 2, 0), full, sizeof(full));
	memset(line, 'x', sizeof(line));
	assert_int_equal(pci_format(dev_at(0, 0, 2, 0), line, sizeof(line)), n);
	assert_int_equal(n, strlen(full));
	assert_string_equal(line, "PCI 0000:00:02.0 80");
	assert_int_equal(pci_format(dev_at(0, 0, 2, 0), NULL, 0), n);
}

static void test_print(void **state)
{
	(void)state;
	build_machine();
	pci_scan(&root0, 1);
	pci_print();
	assert_true(strstr(fake_serial_out,
			   "(XEN) PCI 0000:01:00.0 1b36:0010 class 010802 "
			   "BAR0 mem64 0xfe000000 16K\r\n"));
	assert_true(
	    strstr(fake_serial_out,
		   "(XEN) PCI 0000:00:1f.3 8086:2930 class 0c0500\r\n"));
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_conf_checks),
		T(test_conf_legacy_size),
		T(test_conf_no_backend),
		T(test_missing_reads_ones),
		T(test_scan_order),
		T(test_scan_identity),
		T(test_scan_functions),
		T(test_scan_no_writes_outside_bars),
		T(test_scan_bad_bridges),
		T(test_scan_deep_chain),
		T(test_scan_table_full),
		T(test_scan_segments),
		T(test_bars_sized),
		T(test_bars_big),
		T(test_bars_restore),
		T(test_bars_decode_off),
		T(test_bars_host_bridge),
		T(test_bars_64bit_last_slot),
		T(test_bars_bridge_slots),
		T(test_caps),
		T(test_caps_status_bit),
		T(test_caps_loop),
		T(test_caps_self_loop),
		T(test_caps_into_header),
		T(test_caps_past_end),
		T(test_caps_random),
		T(test_owner),
		T(test_claim_handles),
		T(test_alias),
		T(test_alias_alone),
		T(test_format),
		T(test_format_short_buffer),
		T(test_print),
	};

	return cmocka_run_group_tests_name("pci", tests, group_setup,
					   group_teardown);
}
