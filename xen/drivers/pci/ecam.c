/*
 * ECAM: each function's 4 KiB of configuration space is memory, at
 * base + (bus << 20 | dev << 15 | fn << 12) in its segment's MCFG
 * window. A window spans up to 256 MiB, mostly for buses that do not
 * exist, so it is mapped a bus (1 MiB) at a time, when first used: that
 * keeps the page tables and the ioremap area small. Mappings are never
 * taken down. A bus outside every window reads as all ones.
 */
#include <xen/acpi.h>
#include <xen/lib.h>
#include <xen/spinlock.h>
#include <asm/mm.h>

#include "pci-private.h"

#define PCI_ECAM_BUS_SHIFT 20
#define PCI_ECAM_BUS_SIZE  (1u << PCI_ECAM_BUS_SHIFT)
#define PCI_ECAM_FN_SHIFT  12 /* dev << 15 | fn << 12 is devfn << 12 */

struct pci_ecam {
	paddr_t base; /* of bus 0, even when the window starts higher */
	uint16_t seg;
	uint8_t bus_start, bus_end;
	uint8_t *bus_va[PCI_BUSES]; /* NULL until mapped */
};

static struct pci_ecam pci_ecams[ACPI_MCFG_MAX];
static unsigned int pci_nr_ecams;
/* Serialises mapping; readers see a bus pointer set once, or NULL. */
static DEFINE_SPINLOCK(pci_ecam_lock);

static struct pci_ecam *pci_ecam_find(unsigned int seg, unsigned int bus)
{
	for (unsigned int i = 0; i < pci_nr_ecams; i++) {
		struct pci_ecam *e = &pci_ecams[i];

		if (e->seg == seg && bus >= e->bus_start && bus <= e->bus_end)
			return e;
	}
	return NULL;
}

static uint8_t *pci_ecam_map(struct pci_ecam *e, unsigned int bus)
{
	static bool warned;
	uint8_t *va;

	spin_lock(&pci_ecam_lock);
	va = e->bus_va[bus];
	if (!va) {
		va = ioremap(
		    paddr_add(e->base, (uint64_t)bus << PCI_ECAM_BUS_SHIFT),
		    PCI_ECAM_BUS_SIZE);
		__atomic_store_n(&e->bus_va[bus], va, __ATOMIC_RELEASE);
	}
	spin_unlock(&pci_ecam_lock);
	if (!va && !warned) {
		warned = true;
		log_warn("PCI: no room to map ECAM of %04x:%02x\n", e->seg,
			 bus);
	}
	return va;
}

/* The function's 4 KiB, mapping its bus first; NULL when unreachable. */
static volatile uint8_t *pci_ecam_fn(pci_sbdf_t s)
{
	unsigned int bus = pci_sbdf_bus(s);
	struct pci_ecam *e = pci_ecam_find(pci_sbdf_seg(s), bus);
	uint8_t *va;

	if (!e)
		return NULL;
	va = __atomic_load_n(&e->bus_va[bus], __ATOMIC_ACQUIRE);
	if (!va)
		va = pci_ecam_map(e, bus);
	if (!va)
		return NULL;
	return va + ((pci_sbdf_x(s) & 0xff) << PCI_ECAM_FN_SHIFT);
}

static uint32_t pci_ecam_read(pci_sbdf_t s, unsigned int reg, unsigned int len)
{
	volatile uint8_t *p = pci_ecam_fn(s);

	if (!p)
		return ~0u;
	if (len == 1)
		return p[reg];
	if (len == 2)
		return *(volatile uint16_t *)(p + reg);
	return *(volatile uint32_t *)(p + reg);
}

static void pci_ecam_write(pci_sbdf_t s, unsigned int reg, unsigned int len,
			   uint32_t v)
{
	volatile uint8_t *p = pci_ecam_fn(s);

	if (!p)
		return;
	if (len == 1)
		p[reg] = v;
	else if (len == 2)
		*(volatile uint16_t *)(p + reg) = v;
	else
		*(volatile uint32_t *)(p + reg) = v;
}

const struct pci_conf_ops pci_ecam_ops = {
	.name = "ECAM",
	.size = PCI_CONF_SIZE_EXT,
	.read = pci_ecam_read,
	.write = pci_ecam_write,
};

/* acpi_parse() checked each window: aligned, in order, not wrapping. */
unsigned int pci_ecam_setup(const struct acpi_info *ai, struct pci_root *roots,
			    unsigned int max)
{
	pci_nr_ecams = 0;
	for (unsigned int i = 0; i < ai->nr_mcfg && i < max; i++) {
		const struct acpi_mcfg *m = &ai->mcfg[i];

		pci_ecams[i] = (struct pci_ecam){
			.base = m->base,
			.seg = m->segment,
			.bus_start = m->bus_start,
			.bus_end = m->bus_end,
		};
		roots[i] = (struct pci_root){ m->segment, m->bus_start };
		log_info("PCI: ECAM for %04x:%02x-%02x at %#llx\n", m->segment,
			 m->bus_start, m->bus_end,
			 (unsigned long long)paddr_x(m->base) +
			     ((uint64_t)m->bus_start << PCI_ECAM_BUS_SHIFT));
		pci_nr_ecams++;
	}
	return pci_nr_ecams;
}
