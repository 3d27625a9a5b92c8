/*
 * BAR sizing, the standard way: write all ones, read back which address
 * bits stick, put the value back. Decoding is off meanwhile, so the
 * device never answers at the all-ones address it passes through.
 */
#include <xen/lib.h>

#include "pci-private.h"

#define PCI_BAR_IO	 (1u << 0)
#define PCI_BAR_MEM_TYPE (3u << 1)
#define PCI_BAR_MEM_64	 (2u << 1)
#define PCI_BAR_PREFETCH (1u << 3)
#define PCI_BAR_IO_ADDR	 (~3u)
#define PCI_BAR_MEM_ADDR (~0xfu)

/* The bits of reg that stick when all ones are written; reg restored. */
static uint32_t pci_bar_probe(pci_sbdf_t s, unsigned int reg, uint32_t orig)
{
	uint32_t ones;

	pci_conf_write32(s, reg, ~0u);
	ones = pci_conf_read32(s, reg);
	pci_conf_write32(s, reg, orig);
	return ones;
}

/* A BAR decodes 2^n bytes: n is the lowest address bit that sticks. */
static uint64_t pci_bar_span(uint64_t sticky)
{
	return sticky & -sticky;
}

static void pci_bar_io(struct pci_bar *b, pci_sbdf_t s, unsigned int reg,
		       uint32_t lo)
{
	b->io = true;
	b->addr = lo & PCI_BAR_IO_ADDR;
	b->size = pci_bar_span(pci_bar_probe(s, reg, lo) & PCI_BAR_IO_ADDR);
}

/* A 32-bit memory BAR: high address bits are implied zero, not sized. */
static void pci_bar_mem32(struct pci_bar *b, pci_sbdf_t s, unsigned int reg,
			  uint32_t lo)
{
	b->addr = lo & PCI_BAR_MEM_ADDR;
	b->size = pci_bar_span(pci_bar_probe(s, reg, lo) & PCI_BAR_MEM_ADDR);
}

static void pci_bar_mem64(struct pci_bar *b, pci_sbdf_t s, unsigned int reg,
			  uint32_t lo)
{
	uint32_t hi = pci_conf_read32(s, reg + 4);
	uint64_t sticky = pci_bar_probe(s, reg, lo) & PCI_BAR_MEM_ADDR;

	sticky |= (uint64_t)pci_bar_probe(s, reg + 4, hi) << 32;
	b->mem64 = true;
	b->addr = (uint64_t)hi << 32 | (lo & PCI_BAR_MEM_ADDR);
	b->size = pci_bar_span(sticky);
}

/* Size slot i of d; returns how many slots the BAR takes. */
static unsigned int pci_bar_size(struct pci_dev *d, unsigned int i)
{
	unsigned int reg = PCI_BAR0 + 4 * i;
	uint32_t lo = pci_conf_read32(d->sbdf, reg);
	struct pci_bar *b = &d->bars[i];

	if (lo & PCI_BAR_IO) {
		pci_bar_io(b, d->sbdf, reg, lo);
		return 1;
	}
	b->prefetch = lo & PCI_BAR_PREFETCH;
	if ((lo & PCI_BAR_MEM_TYPE) != PCI_BAR_MEM_64) {
		pci_bar_mem32(b, d->sbdf, reg, lo);
		return 1;
	}
	if (i + 1 >= d->nr_bars) {
		/* Its high half would be the next register: not a BAR. */
		log_warn("PCI %04x:%02x:%02x.%u: 64-bit BAR%u in the last "
			 "slot, ignored\n",
			 pci_sbdf_seg(d->sbdf), pci_sbdf_bus(d->sbdf),
			 pci_sbdf_dev(d->sbdf), pci_sbdf_fn(d->sbdf), i);
		b->prefetch = false;
		return 1;
	}
	pci_bar_mem64(b, d->sbdf, reg, lo);
	return 2;
}

/*
 * Decoding stays on for a host bridge, as Linux does: on some chipsets
 * turning its memory decoding off cuts the CPU off from RAM.
 */
void pci_bars_size(struct pci_dev *d)
{
	uint16_t cmd = pci_conf_read16(d->sbdf, PCI_COMMAND);
	uint16_t decode = cmd & (PCI_CMD_IO | PCI_CMD_MEMORY);

	if (!d->nr_bars)
		return;
	if (d->host_bridge)
		decode = 0;
	if (decode)
		pci_conf_write16(d->sbdf, PCI_COMMAND, cmd & ~decode);
	for (unsigned int i = 0; i < d->nr_bars;)
		i += pci_bar_size(d, i);
	if (decode)
		pci_conf_write16(d->sbdf, PCI_COMMAND, cmd);
}
