/*
 * Descriptor tables: a GDT and TSS per CPU (the TSS carries the IST
 * stacks for NMI, double fault and machine check), and one IDT for all.
 */
#include <xen/lib.h>
#include <xen/string.h>
#include <asm/mm.h>
#include <asm/msr.h>
#include <asm/percpu.h>
#include <asm/traps.h>
#include <asm/x86-defs.h>

#define IDT_VECTORS	   256
#define IDT_GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define ENTRY_STUB_SIZE	   16

struct idt_gate {
	uint16_t offset0;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset1;
	uint32_t offset2;
	uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "idt_gate");

struct __packed desc_ptr {
	uint16_t limit;
	uint64_t base;
};

struct percpu percpu_data[CONFIG_NR_CPUS];

/* entry.S: 256 stubs, ENTRY_STUB_SIZE bytes apart. */
extern const char x86_entry_stubs[];

static struct idt_gate idt[IDT_VECTORS] __aligned(PAGE_SIZE);

static uint8_t idt_ist(unsigned int v)
{
	switch (v) {
	case 2:
		return IST_NMI;
	case 8:
		return IST_DF;
	case 18:
		return IST_MC;
	default:
		return 0;
	}
}

/*
 * Built by the boot CPU; every CPU loads the same table. Until the boot
 * CPU's IST stacks exist (ist false), every vector uses the current stack.
 */
static void idt_build(bool ist)
{
	for (unsigned int v = 0; v < IDT_VECTORS; v++) {
		uint64_t a =
		    (uint64_t)(uintptr_t)x86_entry_stubs + v * ENTRY_STUB_SIZE;

		idt[v] = (struct idt_gate){
			.offset0 = (uint16_t)a,
			.selector = GDT_SEL_CODE64,
			.ist = ist ? idt_ist(v) : 0,
			.type = IDT_GATE_INTERRUPT,
			.offset1 = (uint16_t)(a >> 16),
			.offset2 = (uint32_t)(a >> 32),
		};
	}
}

static void gdt_build(struct percpu *p)
{
	uint64_t tss = (uint64_t)(uintptr_t)&p->tss;
	uint64_t limit = sizeof(p->tss) - 1;

	memset(p->gdt, 0, sizeof(p->gdt));
	p->gdt[GDT_SEL_CODE64 / 8] = 0x00af9a000000ffff;
	p->gdt[GDT_SEL_DATA / 8] = 0x00cf92000000ffff;
	/* A 16-byte available 64-bit TSS descriptor. */
	p->gdt[GDT_SEL_TSS / 8] = limit | ((tss & 0xffffff) << 16) |
				  (0x89ull << 40) | ((tss >> 24 & 0xff) << 56);
	p->gdt[GDT_SEL_TSS / 8 + 1] = tss >> 32;
}

static void tss_build(struct percpu *p)
{
	uint64_t slot = p->stack_slot;

	memset(&p->tss, 0, sizeof(p->tss));
	p->tss.ist[IST_NMI - 1] = slot + (STACK_PAGE_NMI + 1) * PAGE_SIZE;
	p->tss.ist[IST_DF - 1] = slot + (STACK_PAGE_DF + 1) * PAGE_SIZE;
	p->tss.ist[IST_MC - 1] = slot + (STACK_PAGE_MC + 1) * PAGE_SIZE;
	p->tss.rsp[0] = slot + STACKS_SLOT_SIZE;
	p->tss.iomap_base = sizeof(p->tss); /* no I/O bitmap */
}

static void percpu_set_gs(struct percpu *p)
{
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)p);
}

static void desc_load(struct percpu *p)
{
	struct desc_ptr gdt = { sizeof(p->gdt) - 1, (uintptr_t)p->gdt };
	struct desc_ptr idtr = { sizeof(idt) - 1, (uintptr_t)idt };

	__asm__ volatile("lgdt %0" : : "m"(gdt));
	__asm__ volatile("lidt %0" : : "m"(idtr));
	__asm__ volatile("ltr %w0" : : "r"(GDT_SEL_TSS));
	percpu_set_gs(p);
}

void percpu_early_init(void)
{
	percpu_data[0].self = &percpu_data[0];
	percpu_set_gs(&percpu_data[0]);
}

void traps_init_early(void)
{
	struct desc_ptr idtr = { sizeof(idt) - 1, (uintptr_t)idt };

	idt_build(false);
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void percpu_cpu_init(unsigned int cpu)
{
	struct percpu *p = &percpu_data[cpu];

	if (cpu == 0)
		idt_build(true);
	p->self = p;
	p->cpu = cpu;
	p->stack_slot = stack_slot_va(cpu);
	gdt_build(p);
	tss_build(p);
	desc_load(p);
}

int percpu_map_stacks(unsigned int cpu)
{
	uint64_t slot = stack_slot_va(cpu);
	int rc;

	rc = map_fresh_pages(slot + STACK_PAGE_NMI * PAGE_SIZE, 1);
	if (!rc)
		rc = map_fresh_pages(slot + STACK_PAGE_DF * PAGE_SIZE, 1);
	if (!rc)
		rc = map_fresh_pages(slot + STACK_PAGE_MC * PAGE_SIZE, 1);
	if (!rc)
		rc = map_fresh_pages(slot + STACK_PAGE_MAIN * PAGE_SIZE,
				     STACK_SIZE / PAGE_SIZE);
	return rc;
}
