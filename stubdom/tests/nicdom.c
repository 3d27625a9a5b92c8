/*
 * A driver domain with the e1000e (toolstack "sbdf=N"): its device
 * status register read through the memory BAR and through the I/O BAR's
 * IOADDR/IODATA window (port I/O by hypercall, only within that BAR)
 * must agree. Prints "nicdom: N passed, M failed".
 */
#include <public/errno.h>
#include <public/physdev.h>
#include <public/sched.h>
#include <xen/string.h>
#include <stub/events.h>
#include <stub/hypercall.h>
#include <stub/check.h>
#include <stub/stub.h>
#include <stub/time.h>

#define REGS_VA	     0x40000000ul
#define E1000_STATUS 0x8
#define MS	     1000000ull

static uint32_t sbdf;

static uint32_t conf_read(unsigned int reg)
{
	struct physdev_citadel_pci_conf c = { .sbdf = sbdf,
					      .reg = (uint16_t)reg,
					      .len = 4 };

	hypercall2(__HYPERVISOR_physdev_op, PHYSDEVOP_citadel_pci_conf_read,
		   (long)&c);
	return c.value;
}

/* The offset of capability id in our function's list, or 0. */
static unsigned int find_cap(unsigned int id)
{
	unsigned int at = conf_read(0x34) & 0xfc;

	for (int n = 0; at && n < 48; n++) {
		uint32_t hdr = conf_read(at);

		if ((hdr & 0xff) == id)
			return at;
		at = (hdr >> 8) & 0xfc;
	}
	return 0;
}

/* Plain MSI: programmed by the hypervisor, through interrupt remapping. */
static void test_msi(void)
{
	struct physdev_map_pirq m = { .domid = DOMID_SELF,
				      .type = MAP_PIRQ_TYPE_MSI,
				      .devfn = (int)(sbdf & 0xff) };
	unsigned int msi = find_cap(0x05);
	uint32_t ctrl, addr;

	stub_check("MSI capability", msi != 0, 1);
	stub_check(
	    "map MSI",
	    hypercall2(__HYPERVISOR_physdev_op, PHYSDEVOP_map_pirq, (long)&m),
	    0);
	m.entry_nr = 1;
	stub_check(
	    "MSI has one message",
	    hypercall2(__HYPERVISOR_physdev_op, PHYSDEVOP_map_pirq, (long)&m),
	    -XEN_EINVAL);
	ctrl = conf_read(msi) >> 16;
	addr = conf_read(msi + 4);
	stub_check("MSI enabled", ctrl & 1, 1);
	stub_check("MSI address in the interrupt window",
		   (addr & 0xfff00000) == 0xfee00000, 1);
	printf("nicdom: MSI enabled, address %#x (%s format)\n", addr,
	       addr & 0x10 ? "remappable" : "compatibility");
}

static long pio(unsigned int cmd, unsigned int port, unsigned int len,
		uint32_t *v)
{
	struct physdev_citadel_pio p = { .port = (uint16_t)port,
					 .len = (uint8_t)len,
					 .value = *v };
	long rc = hypercall2(__HYPERVISOR_physdev_op, cmd, (long)&p);

	*v = p.value;
	return rc;
}

/*
 * Read the registers until the toolstack takes the function back: the
 * read after that must fault (this domain has no trap handler: it dies).
 */
static void keep_reading(void)
{
	uint64_t until = stub_now() + 5000 * MS;

	stub_events_init(); /* for stub_sleep() */
	stub_check_report("nicdom");
	printf("nicdom: reading registers until they are taken away\n");
	while (stub_now() < until) {
		(void)*(volatile uint32_t *)(REGS_VA + E1000_STATUS);
		stub_sleep(MS);
	}
	stub_check("registers taken away", 0, 1);
}

int app_main(const char *cmdline)
{
	struct physdev_citadel_pci_conf cmd = { .reg = 4,
						.len = 2,
						.value = 0x7 };
	uint32_t mem, io, v = E1000_STATUS, status_io = 0, status_mem;

	sbdf = stub_arg_uint(cmdline, "sbdf=");
	cmd.sbdf = sbdf;
	stub_check("decoding on",
		   hypercall2(__HYPERVISOR_physdev_op,
			      PHYSDEVOP_citadel_pci_conf_write, (long)&cmd),
		   0);
	mem = conf_read(0x10) & ~0xfu;
	io = conf_read(0x18) & ~0x3u;
	stub_check("map the registers",
		   hypercall3(__HYPERVISOR_update_va_mapping, (long)REGS_VA,
			      (long)(mem | 0x3), UVMF_INVLPG),
		   0);
	status_mem = *(volatile uint32_t *)(REGS_VA + E1000_STATUS);
	stub_check("IOADDR", pio(PHYSDEVOP_citadel_pio_write, io, 4, &v), 0);
	stub_check("IODATA",
		   pio(PHYSDEVOP_citadel_pio_read, io + 4, 4, &status_io), 0);
	stub_check("the same status both ways", status_io, status_mem);
	stub_check("a port past its BAR",
		   pio(PHYSDEVOP_citadel_pio_read, io + 32, 4, &v), -XEN_EPERM);
	stub_check("the serial port",
		   pio(PHYSDEVOP_citadel_pio_write, 0x3f8, 1, &v), -XEN_EPERM);
	stub_check("misaligned", pio(PHYSDEVOP_citadel_pio_read, io + 2, 4, &v),
		   -XEN_EPERM);
	printf("nicdom: status %#x through memory and I/O ports\n", status_mem);
	test_msi();
	if (stub_arg_has(cmdline, "revoke"))
		keep_reading();
	stub_check_report("nicdom");
	return SHUTDOWN_poweroff;
}
