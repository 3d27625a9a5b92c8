/*
 * IO-APICs: all inputs masked at boot; ISA interrupts routed on request
 * (the serial line for the debug keys). The 8259s are masked for good.
 */
#include <xen/errno.h>
#include <xen/iommu.h>
#include <xen/lib.h>
#include <asm/io.h>
#include <asm/ioapic.h>
#include <asm/irq.h>
#include <asm/mm.h>

#define IOAPIC_REGSEL	   0x00
#define IOAPIC_WINDOW	   0x10
#define IOAPIC_VER	   0x01
#define IOAPIC_REDIR(n)	   (0x10 + 2 * (n))
#define REDIR_MASKED	   (1u << 16)
#define IOAPIC_REDIR_REMAP (1u << 16) /* high word: remappable format */
#define REDIR_LEVEL	   (1u << 15)
#define REDIR_ACTIVE_LOW   (1u << 13)
/* MADT override flags: polarity bits 0-1, trigger bits 2-3 (3 = low/level) */
#define MPS_POLARITY_LOW  3
#define MPS_TRIGGER_LEVEL 3

struct ioapic {
	volatile uint32_t *regs;
	uint32_t gsi_base;
	unsigned int nr_pins;
};

static struct ioapic ioapics[ACPI_IOAPICS_MAX];
static unsigned int nr_ioapics;
static const struct acpi_info *ioapic_acpi;

static uint32_t ioapic_read(struct ioapic *io, unsigned int reg)
{
	io->regs[IOAPIC_REGSEL / 4] = reg;
	return io->regs[IOAPIC_WINDOW / 4];
}

static void ioapic_write(struct ioapic *io, unsigned int reg, uint32_t v)
{
	io->regs[IOAPIC_REGSEL / 4] = reg;
	io->regs[IOAPIC_WINDOW / 4] = v;
}

void ioapic_init(const struct acpi_info *ai)
{
	ioapic_acpi = ai;
	for (unsigned int i = 0; i < ai->nr_ioapics; i++) {
		struct ioapic *io = &ioapics[nr_ioapics];

		io->regs = ioremap(ai->ioapics[i].addr, 0x20);
		if (!io->regs)
			continue;
		io->gsi_base = ai->ioapics[i].gsi_base;
		io->nr_pins = ((ioapic_read(io, IOAPIC_VER) >> 16) & 0xff) + 1;
		for (unsigned int pin = 0; pin < io->nr_pins; pin++)
			ioapic_write(io, IOAPIC_REDIR(pin), REDIR_MASKED);
		log_info("IO-APIC %u: GSI %u-%u\n", ai->ioapics[i].id,
			 io->gsi_base, io->gsi_base + io->nr_pins - 1);
		nr_ioapics++;
	}
}

static uint32_t ioapic_isa_flags(unsigned int irq, uint32_t *gsi)
{
	uint32_t redir = 0;

	*gsi = irq;
	for (unsigned int i = 0; i < ioapic_acpi->nr_overrides; i++) {
		const struct acpi_override *o = &ioapic_acpi->overrides[i];

		if (o->bus != 0 || o->source != irq)
			continue;
		*gsi = o->gsi;
		if ((o->flags & 3) == MPS_POLARITY_LOW)
			redir |= REDIR_ACTIVE_LOW;
		if (((o->flags >> 2) & 3) == MPS_TRIGGER_LEVEL)
			redir |= REDIR_LEVEL;
	}
	return redir;
}

/*
 * With interrupt remapping on, a pin's interrupt goes through an entry
 * of the remapping table (the compatibility format is blocked): the
 * entry's index goes in the redirection entry.
 */
static int ioapic_remap(uint32_t *redir, uint32_t *high, uint32_t dest)
{
	unsigned int index;
	int rc;

	if (!iommu_intremap_enabled())
		return 0;
	rc = iommu_irte_alloc(0, false, *redir & 0xff, dest, &index);
	if (rc)
		return rc;
	*high = IOAPIC_REDIR_REMAP | (index & 0x7fff) << 17;
	*redir |= ((index >> 15) & 1) << 11;
	return 0;
}

int ioapic_route_isa(unsigned int irq, unsigned int vector, uint32_t dest)
{
	uint32_t gsi, redir = ioapic_isa_flags(irq, &gsi) | vector;
	uint32_t high = dest << 24;
	int rc = ioapic_remap(&redir, &high, dest);

	if (rc)
		return rc;

	for (unsigned int i = 0; i < nr_ioapics; i++) {
		struct ioapic *io = &ioapics[i];
		unsigned int pin = gsi - io->gsi_base;

		if (gsi < io->gsi_base || pin >= io->nr_pins)
			continue;
		ioapic_write(io, IOAPIC_REDIR(pin) + 1, high);
		ioapic_write(io, IOAPIC_REDIR(pin), redir);
		return 0;
	}
	return -ENOENT;
}

void pic_disable(void)
{
	static const uint8_t init[2][4] = {
		{ 0x11, LEGACY_VECTOR_BASE, 0x04, 0x01 },
		{ 0x11, LEGACY_VECTOR_BASE + 8, 0x02, 0x01 },
	};

	for (unsigned int p = 0; p < 2; p++) {
		uint16_t base = p ? 0xa0 : 0x20;

		outb(base, init[p][0]);
		for (unsigned int i = 1; i < 4; i++)
			outb(base + 1, init[p][i]);
		outb(base + 1, 0xff);
	}
}
