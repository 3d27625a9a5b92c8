/*
 * A driver domain's first steps with its NVMe controller (the toolstack
 * assigns "sbdf=N" to it): config space through the hypervisor (with
 * the writes it must refuse), its registers mapped (not the MSI-X table),
 * Identify Controller by DMA into its own memory, then a DMA aimed
 * outside its memory, which the IOMMU must stop; and the completion
 * interrupt (MSI-X entry 0) arriving as an event on its pirq's port.
 * Prints "nvmedom: N passed, M failed".
 */
#include <public/errno.h>
#include <public/physdev.h>
#include <public/sched.h>
#include <xen/string.h>
#include <stub/events.h>
#include <stub/gnttab.h>
#include <stub/hypercall.h>
#include <stub/mm.h>
#include <stub/check.h>
#include <stub/stub.h>
#include <stub/time.h>

#define REGS_VA	     0x40000000ul
#define PTE_P	     0x1l
#define PTE_RW	     0x2l
#define MS	     1000000ull
#define NVME_CC	     0x14
#define NVME_CSTS    0x1c
#define NVME_AQA     0x24
#define NVME_ASQ     0x28
#define NVME_ACQ     0x30
#define NVME_SQ0TDBL 0x1000

static uint32_t sbdf;
static volatile uint8_t *regs = (volatile uint8_t *)REGS_VA;
static uint32_t *sq, *cq;
static char *data;

static long conf(unsigned int cmd, unsigned int reg, unsigned int len,
		 uint32_t *val)
{
	struct physdev_citadel_pci_conf c = { .sbdf = sbdf,
					      .reg = (uint16_t)reg,
					      .len = (uint8_t)len,
					      .value = *val };
	long rc = hypercall2(__HYPERVISOR_physdev_op, cmd, (long)&c);

	*val = c.value;
	return rc;
}

static uint32_t r32(unsigned int reg)
{
	return *(volatile uint32_t *)(regs + reg);
}

static void w32(unsigned int reg, uint32_t v)
{
	*(volatile uint32_t *)(regs + reg) = v;
}

static void w64(unsigned int reg, uint64_t v)
{
	*(volatile uint64_t *)(regs + reg) = v;
}

static bool ready(uint32_t want)
{
	uint64_t until = stub_now() + 500 * MS;

	while ((r32(NVME_CSTS) & 1) != want)
		if (stub_now() > until)
			return false;
	return true;
}

/* Identify Controller into the frame prp; the completion status. */
static long identify(unsigned long prp)
{
	uint64_t until;

	w32(NVME_CC, 0);
	if (!ready(0))
		return -1;
	memset(sq, 0, 4096);
	memset(cq, 0, 4096);
	w32(NVME_AQA, 1u << 16 | 1u);
	w64(NVME_ASQ, stub_virt_to_mfn(sq) << 12);
	w64(NVME_ACQ, stub_virt_to_mfn(cq) << 12);
	w32(NVME_CC, 6u << 16 | 4u << 20 | 1u);
	if (!ready(1))
		return -1;
	sq[0] = 0x06 | 1u << 16;
	*(uint64_t *)&sq[6] = (uint64_t)prp << 12;
	sq[10] = 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	w32(NVME_SQ0TDBL, 1);
	until = stub_now() + 500 * MS;
	while (!(*(volatile uint32_t *)&cq[3] & 1u << 16))
		if (stub_now() > until)
			return -2;
	return (long)(cq[3] >> 17);
}

static void test_config(uint64_t *bar)
{
	uint32_t v = 0, lo = 0, hi = 0;

	stub_check("read ids", conf(PHYSDEVOP_citadel_pci_conf_read, 0, 4, &v),
		   0);
	stub_check("an NVMe controller", v, 0x00101b36);
	v = 0xffffffff;
	stub_check("move BAR0",
		   conf(PHYSDEVOP_citadel_pci_conf_write, 0x10, 4, &v),
		   -XEN_EPERM);
	stub_check("write the header",
		   conf(PHYSDEVOP_citadel_pci_conf_write, 0x3c, 1, &v),
		   -XEN_EPERM);
	v = 0x6; /* memory decoding and bus mastering */
	stub_check("enable", conf(PHYSDEVOP_citadel_pci_conf_write, 4, 2, &v),
		   0);
	stub_check("misaligned",
		   conf(PHYSDEVOP_citadel_pci_conf_read, 3, 2, &v),
		   -XEN_EINVAL);
	conf(PHYSDEVOP_citadel_pci_conf_read, 0x10, 4, &lo);
	conf(PHYSDEVOP_citadel_pci_conf_read, 0x14, 4, &hi);
	*bar = ((uint64_t)hi << 32 | lo) & ~0xfull;
	stub_check(
	    "another function's space",
	    hypercall2(__HYPERVISOR_physdev_op, PHYSDEVOP_citadel_pci_conf_read,
		       (long)&(struct physdev_citadel_pci_conf){ .sbdf = 0x10,
								 .len = 4 }),
	    -XEN_EPERM);
}

static volatile unsigned int irqs, faults;

static void on_fault(evtchn_port_t port, void *data)
{
	faults++;
}

static void on_irq(evtchn_port_t port, void *data)
{
	irqs++;
}

/* The function bdf (bus << 8 | devfn) names, MSI-X entry entry. */
static long map_pirq(int bdf, int entry, int *pirq)
{
	struct physdev_map_pirq m = { .domid = DOMID_SELF,
				      .type = MAP_PIRQ_TYPE_MSI,
				      .bus = (bdf >> 8) & 0xff,
				      .devfn = bdf & 0xff,
				      .entry_nr = entry };
	long rc =
	    hypercall2(__HYPERVISOR_physdev_op, PHYSDEVOP_map_pirq, (long)&m);

	*pirq = m.pirq;
	return rc;
}

/* The admin queue's completion, as an interrupt. */
static void test_interrupt(void)
{
	struct evtchn_bind_pirq bp = { .pirq = 999 };
	struct evtchn_bind_virq fv = { .virq = VIRQ_CITADEL_DMA_FAULT };
	int pirq = -1, other;
	uint64_t until;

	stub_events_init();
	stub_check("map a pirq of another device", map_pirq(0x10, 0, &other),
		   -XEN_EINVAL);
	stub_check("map an entry beyond the table",
		   map_pirq((int)sbdf, 4096, &other), -XEN_EINVAL);
	stub_check("map MSI-X entry 0", map_pirq((int)sbdf, 0, &pirq), 0);
	stub_check("map it twice", map_pirq((int)sbdf, 0, &other), -XEN_EEXIST);
	stub_check("bind no such pirq", stub_evtchn_op(EVTCHNOP_bind_pirq, &bp),
		   -XEN_EINVAL);
	bp.pirq = (uint32_t)pirq;
	stub_check("bind the pirq", stub_evtchn_op(EVTCHNOP_bind_pirq, &bp), 0);
	stub_check("bind VIRQ_CITADEL_DMA_FAULT",
		   stub_evtchn_op(EVTCHNOP_bind_virq, &fv), 0);
	stub_event_bind(fv.port, on_fault, NULL);
	stub_event_bind(bp.port, on_irq, NULL);
	stub_check("identify again", identify(stub_virt_to_mfn(data)), 0);
	until = stub_now() + 500 * MS;
	while (!irqs && stub_now() < until)
		stub_sleep(MS);
	stub_check("completion interrupt", irqs > 0, 1);
	printf("nvmedom: %u completion interrupt%s as events\n", irqs,
	       irqs == 1 ? "" : "s");
}

static long map_reg_page(uint64_t bar, unsigned int page)
{
	return hypercall3(
	    __HYPERVISOR_update_va_mapping, (long)(REGS_VA + page * 4096ul),
	    (long)((bar + page * 4096ul) | PTE_P | PTE_RW), UVMF_INVLPG);
}

#define GRANT_VA 0x41000000ul

/* Wait (bounded) for the fault the last DMA should have caused. */
static bool fault_seen(void)
{
	for (uint64_t until = stub_now() + 500 * MS;
	     !faults && stub_now() < until;)
		stub_sleep(MS);
	return faults > 0;
}

/*
 * "granted=D": domain D grants us a writable page (ref 8) and a
 * read-only one (ref 9). The device may write the first while we map
 * it, and neither the first once unmapped nor the read-only one ever.
 */
static void test_granted(domid_t granter)
{
	volatile char *page = (volatile char *)GRANT_VA;
	grant_handle_t h;
	uint64_t bus = 0, until = stub_now() + 3000 * MS;
	long rc;

	while ((rc = stub_grant_map_bus(granter, 8, GRANT_VA, false, &h,
					&bus)) != GNTST_okay &&
	       stub_now() < until)
		stub_sleep(10 * MS);
	stub_check("map the granted page", rc, GNTST_okay);
	if (rc != GNTST_okay)
		return;
	stub_check("identify into it", identify(bus >> 12), 0);
	stub_check("the model landed",
		   !memcmp((const char *)page + 24, "QEMU NVM", 8), 1);
	printf("nvmedom: DMA into a granted page: %s\n",
	       page[24] == 'Q' ? "landed" : "LOST");
	memset((void *)page, 0, 4096);
	memcpy((void *)page, "DONE", 4); /* for the granter */
	stub_check("unmap it", stub_grant_unmap(h, GRANT_VA), GNTST_okay);
	faults = 0;
	identify(bus >> 12);
	stub_check("DMA after unmapping: fault", fault_seen(), 1);
	rc = stub_grant_map_bus(granter, 9, GRANT_VA, true, &h, &bus);
	stub_check("map the read-only page", rc, GNTST_okay);
	faults = 0;
	identify(bus >> 12);
	stub_check("DMA into a read-only grant: fault", fault_seen(), 1);
	stub_check("it stayed empty", page[24], 0);
	printf("nvmedom: DMA after unmapping and into a read-only grant: "
	       "stopped\n");
	stub_grant_unmap(h, GRANT_VA);
}

int app_main(const char *cmdline)
{
	uint64_t bar;
	bool landed;

	sbdf = stub_arg_uint(cmdline, "sbdf=");
	test_config(&bar);
	stub_check("map registers", map_reg_page(bar, 0), 0);
	stub_check("map doorbells", map_reg_page(bar, 1), 0);
	stub_check("map the MSI-X table", map_reg_page(bar, 2), -XEN_EPERM);
	/*
	 * Firmware left the controller enabled (SeaBIOS boots from NVMe
	 * with CC 0x460001): only the reset on assignment disables it.
	 */
	printf("nvmedom: on arrival CC %#x\n", r32(NVME_CC));
	stub_check("reset on arrival: disabled", r32(NVME_CC), 0);
	sq = stub_alloc_page();
	cq = stub_alloc_page();
	data = stub_alloc_page();
	stub_check("identify by DMA", identify(stub_virt_to_mfn(data)), 0);
	data[64] = '\0';
	for (int i = 63; i >= 24 && data[i] == ' '; i--)
		data[i] = '\0';
	printf("nvmedom: identify by DMA: model '%s'\n", data + 24);
	test_interrupt();
	/*
	 * The controller reports success whatever its DMA did: what counts
	 * is that the page it was pointed at did not get the data.
	 */
	faults = 0;
	identify(start_info->shared_info >> 12);
	/* Polled: a block without a timer would wait for good. */
	for (uint64_t until = stub_now() + 500 * MS;
	     !faults && stub_now() < until;)
		stub_sleep(MS);
	stub_check("told of the DMA fault", faults > 0, 1);
	landed = !memcmp((const char *)shared_info + 24, "QEMU NVM", 8);
	printf("nvmedom: DMA outside its memory: %s\n",
	       landed ? "LANDED" : "stopped");
	stub_check("DMA outside its memory stopped", landed, 0);
	if (stub_arg_has(cmdline, "granted="))
		test_granted((domid_t)stub_arg_uint(cmdline, "granted="));
	w32(NVME_CC, 0);
	stub_check_report("nvmedom");
	return SHUTDOWN_poweroff;
}
