/*
 * The assigned PCI function from the driver domain's side: every access
 * goes through a hypervisor that checks ownership, so these are thin
 * wrappers that add the bookkeeping a driver would otherwise repeat.
 */
#include <public/errno.h>
#include <public/physdev.h>
#include <driverdom/pci.h>
#include <stub/check.h>
#include <stub/events.h>
#include <stub/hypercall.h>
#include <stub/mm.h>
#include <stub/stub.h>

#define PAGE_SIZE 4096ul
#define PTE_P	  0x1ul
#define PTE_RW	  0x2ul

/*
 * BAR mappings go to consecutive pages from 1 GiB: far above the image
 * and the domain's memory (from 4 MiB), and never reused, so a stale
 * pointer into an old mapping cannot reach a new one.
 */
#define DD_MMIO_BASE 0x40000000ul
#define DD_MMIO_END  0x80000000ul

static unsigned long dd_mmio_next = DD_MMIO_BASE;

static long dd_physdev(unsigned int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_physdev_op, cmd, (long)arg);
}

long dd_pci_read(const struct dd_pci *pci, unsigned int reg, unsigned int len,
		 uint32_t *val)
{
	struct physdev_citadel_pci_conf c = { .sbdf = pci->sbdf,
					      .reg = (uint16_t)reg,
					      .len = (uint8_t)len };
	long rc = dd_physdev(PHYSDEVOP_citadel_pci_conf_read, &c);

	*val = rc ? ~0u : c.value;
	return rc;
}

long dd_pci_write(const struct dd_pci *pci, unsigned int reg, unsigned int len,
		  uint32_t val)
{
	struct physdev_citadel_pci_conf c = { .sbdf = pci->sbdf,
					      .reg = (uint16_t)reg,
					      .len = (uint8_t)len,
					      .value = val };

	return dd_physdev(PHYSDEVOP_citadel_pci_conf_write, &c);
}

long dd_pci_open(struct dd_pci *pci, const char *cmdline)
{
	uint32_t id;
	long rc;

	if (!stub_arg_has(cmdline, "sbdf="))
		return -XEN_ENODEV;
	pci->sbdf = stub_arg_uint(cmdline, "sbdf=");
	rc = dd_pci_read(pci, DD_PCI_VENDOR, 4, &id);
	if (rc)
		return rc;
	if ((id & 0xffff) == 0xffff)
		return -XEN_ENODEV;
	pci->vendor = (uint16_t)id;
	pci->device = (uint16_t)(id >> 16);
	return 0;
}

long dd_pci_enable(const struct dd_pci *pci, uint16_t bits)
{
	uint32_t cmd;
	long rc = dd_pci_read(pci, DD_PCI_COMMAND, 2, &cmd);

	if (rc)
		return rc;
	if ((cmd & bits) == bits)
		return 0;
	return dd_pci_write(pci, DD_PCI_COMMAND, 2, (cmd | bits) & 0xffff);
}

/* A list in config space the device wrote: at most 48 steps, no loops. */
long dd_pci_find_cap(const struct dd_pci *pci, uint8_t id)
{
	uint32_t status, ptr, hdr;

	if (dd_pci_read(pci, DD_PCI_STATUS, 2, &status) || !(status & 0x10))
		return -XEN_ENOENT;
	if (dd_pci_read(pci, DD_PCI_CAP_PTR, 1, &ptr))
		return -XEN_ENOENT;
	for (unsigned int i = 0; i < 48; i++) {
		ptr &= 0xfc;
		if (ptr < 0x40)
			break;
		if (dd_pci_read(pci, ptr, 2, &hdr))
			break;
		if ((hdr & 0xff) == id)
			return (long)ptr;
		ptr = hdr >> 8;
	}
	return -XEN_ENOENT;
}

static bool dd_bar_is_mem64(uint32_t v)
{
	return !(v & 1) && ((v >> 1) & 3) == 2;
}

long dd_pci_bar(const struct dd_pci *pci, unsigned int index,
		struct dd_bar *bar)
{
	uint32_t lo, hi = 0, prev;

	if (index >= DD_PCI_BARS)
		return -XEN_EINVAL;
	if (index &&
	    !dd_pci_read(pci, DD_PCI_BAR0 + 4 * (index - 1), 4, &prev) &&
	    dd_bar_is_mem64(prev))
		return -XEN_EINVAL; /* the upper half of the one before */
	if (dd_pci_read(pci, DD_PCI_BAR0 + 4 * index, 4, &lo))
		return -XEN_EIO;
	*bar = (struct dd_bar){ .io = lo & 1, .is64 = dd_bar_is_mem64(lo) };
	if (bar->is64 &&
	    (index == DD_PCI_BARS - 1 ||
	     dd_pci_read(pci, DD_PCI_BAR0 + 4 * index + 4, 4, &hi)))
		return -XEN_EIO;
	bar->addr = bar->io ? lo & ~3u : ((uint64_t)hi << 32 | (lo & ~0xfu));
	return 0;
}

long dd_pci_map(const struct dd_pci *pci, unsigned int index, uint64_t off,
		size_t len, volatile void **va)
{
	struct dd_bar bar;
	unsigned long base = dd_mmio_next;
	long rc = dd_pci_bar(pci, index, &bar);

	if (rc)
		return rc;
	if (bar.io || !bar.addr || (off | len) & (PAGE_SIZE - 1) || !len ||
	    len > DD_MMIO_END - base)
		return -XEN_EINVAL;
	dd_mmio_next += len;
	for (size_t done = 0; done < len; done += PAGE_SIZE) {
		unsigned long pte = (bar.addr + off + done) | PTE_P | PTE_RW;

		rc = hypercall3(__HYPERVISOR_update_va_mapping,
				(long)(base + done), (long)pte, UVMF_INVLPG);
		if (rc)
			return rc;
	}
	*va = (volatile void *)base;
	return 0;
}

static void dd_irq_event(evtchn_port_t port, void *data)
{
	struct dd_irq *irq = data;

	irq->count++;
	if (irq->fn)
		irq->fn(irq->data);
}

/*
 * The hypervisor programs MSI-X only when asked for the table (else it
 * may pick plain MSI): give it the table's bus address from the
 * capability, as Linux does.
 */
static long dd_msix_table(const struct dd_pci *pci, uint64_t *table)
{
	long cap = dd_pci_find_cap(pci, DD_PCI_CAP_MSIX);
	struct dd_bar bar;
	uint32_t v;

	if (cap < 0)
		return cap;
	if (dd_pci_read(pci, (unsigned int)cap + 4, 4, &v))
		return -XEN_EIO;
	if (dd_pci_bar(pci, v & 7, &bar) || bar.io || !bar.addr)
		return -XEN_EIO;
	*table = bar.addr + (v & ~7u);
	return 0;
}

static long dd_map_pirq(const struct dd_pci *pci, unsigned int entry, int *pirq)
{
	struct physdev_map_pirq m = {
		.domid = DOMID_SELF,
		.type = MAP_PIRQ_TYPE_MSI_SEG,
		.bus =
		    (int)((pci->sbdf >> 16) << 16 | ((pci->sbdf >> 8) & 0xff)),
		.devfn = (int)(pci->sbdf & 0xff),
		.entry_nr = (int)entry,
	};
	long rc = dd_msix_table(pci, &m.table_base);

	if (!rc)
		rc = dd_physdev(PHYSDEVOP_map_pirq, &m);
	*pirq = rc ? -1 : m.pirq;
	return rc;
}

long dd_irq_bind_msix(const struct dd_pci *pci, unsigned int entry,
		      struct dd_irq *irq, dd_irq_fn fn, void *data)
{
	struct evtchn_bind_pirq bp = { 0 };
	long rc;

	*irq = (struct dd_irq){ .pirq = -1, .fn = fn, .data = data };
	rc = dd_map_pirq(pci, entry, &irq->pirq);
	if (rc)
		return rc;
	bp.pirq = (uint32_t)irq->pirq;
	rc = stub_evtchn_op(EVTCHNOP_bind_pirq, &bp);
	if (rc)
		return rc;
	irq->port = bp.port;
	stub_event_bind(bp.port, dd_irq_event, irq);
	return 0;
}

void dd_irq_ack(struct dd_irq *irq)
{
	struct physdev_eoi eoi = { .irq = (uint32_t)irq->pirq };
	unsigned long seen = irq->count;

	if (irq->pirq < 0 || seen == irq->acked)
		return;
	irq->acked = seen;
	dd_physdev(PHYSDEVOP_eoi, &eoi);
}

long dd_dma_alloc(struct dd_dma *dma)
{
	dma->va = stub_alloc_page();
	if (!dma->va)
		return -XEN_ENOMEM;
	dma->bus = (uint64_t)stub_virt_to_mfn(dma->va) << 12;
	return 0;
}

void dd_dma_free(struct dd_dma *dma)
{
	if (dma->va)
		stub_free_page(dma->va);
	dma->va = NULL;
	dma->bus = 0;
}
