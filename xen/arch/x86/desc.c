/*
 * Descriptor tables: a GDT and TSS per CPU (the TSS carries the IST
 * stacks for NMI, double fault and machine check), one IDT for all, and
 * the MSRs of the syscall entry.
 */
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/string.h>
#include <asm/mm.h>
#include <asm/msr.h>
#include <asm/page.h>
#include <asm/percpu.h>
#include <asm/traps.h>
#include <asm/x86-defs.h>

#define IDT_VECTORS	   256
#define IDT_GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define ENTRY_STUB_SIZE	   16
#define GDT_LIMIT	   ((FIRST_RESERVED_GDT_ENTRY + 16) * 8 - 1)
#define X86_EFLAGS_TF	   0x00000100
#define X86_EFLAGS_IF	   0x00000200
#define X86_EFLAGS_DF	   0x00000400
#define X86_EFLAGS_NT	   0x00004000
#define X86_EFLAGS_AC	   0x00040000

_Static_assert(__builtin_offsetof(struct percpu, guest_rsp) == PERCPU_GUEST_RSP,
	       "PERCPU_GUEST_RSP");
_Static_assert(__builtin_offsetof(struct percpu, stack_top) == PERCPU_STACK_TOP,
	       "PERCPU_STACK_TOP");

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

/* entry.S: 256 stubs, ENTRY_STUB_SIZE bytes apart, and the syscall entry. */
extern const char x86_entry_stubs[], x86_syscall_entry[];

static struct idt_gate idt[IDT_VECTORS] __aligned(PAGE_SIZE);
/* The guest part of every GDT: not-present descriptors only. */
static const uint8_t gdt_zero_page[PAGE_SIZE] __aligned(PAGE_SIZE);

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
 * CPU's own GDT and IST stacks exist (final false), vectors use the boot
 * GDT's selector and the current stack.
 */
static void idt_build(bool final)
{
	for (unsigned int v = 0; v < IDT_VECTORS; v++) {
		uint64_t a =
		    (uint64_t)(uintptr_t)x86_entry_stubs + v * ENTRY_STUB_SIZE;

		idt[v] = (struct idt_gate){
			.offset0 = (uint16_t)a,
			.selector = final ? __HYPERVISOR_CS : GDT_SEL_CODE64,
			.ist = final ? idt_ist(v) : 0,
			.type = IDT_GATE_INTERRUPT,
			.offset1 = (uint16_t)(a >> 16),
			.offset2 = (uint32_t)(a >> 32),
		};
	}
}

static void gdt_set(struct percpu *p, unsigned int sel, uint64_t desc)
{
	p->gdt[sel / 8 - FIRST_RESERVED_GDT_ENTRY] = desc;
}

/* Accessed bits preset: the CPU then never writes these descriptors. */
static void gdt_build(struct percpu *p)
{
	uint64_t tss = (uint64_t)(uintptr_t)&p->tss;
	uint64_t limit = sizeof(p->tss) - 1;

	memset(p->gdt, 0, PAGE_SIZE);
	gdt_set(p, __HYPERVISOR_CS, 0x00af9b000000ffff);
	gdt_set(p, __HYPERVISOR_DS, 0x00cf93000000ffff);
	gdt_set(p, FLAT_RING3_CS32, 0x00cffb000000ffff);
	gdt_set(p, FLAT_RING3_DS, 0x00cff3000000ffff);
	gdt_set(p, FLAT_RING3_CS64, 0x00affb000000ffff);
	/* A 16-byte available 64-bit TSS descriptor. */
	gdt_set(p, HYPERVISOR_TSS_SEL,
		limit | ((tss & 0xffffff) << 16) | (0x89ull << 40) |
		    ((tss >> 24 & 0xff) << 56));
	gdt_set(p, HYPERVISOR_TSS_SEL + 8, tss >> 32);
}

static void tss_build(struct percpu *p)
{
	uint64_t slot = p->stack_slot;

	memset(&p->tss, 0, sizeof(p->tss));
	p->tss.ist[IST_NMI - 1] = slot + (STACK_PAGE_NMI + 1) * PAGE_SIZE;
	p->tss.ist[IST_DF - 1] = slot + (STACK_PAGE_DF + 1) * PAGE_SIZE;
	p->tss.ist[IST_MC - 1] = slot + (STACK_PAGE_MC + 1) * PAGE_SIZE;
	p->tss.rsp[0] = p->stack_top;
	p->tss.iomap_base = sizeof(p->tss); /* no I/O bitmap */
}

/* Load the GDT, then reload every segment register from it. */
static void desc_load(unsigned int cpu)
{
	struct desc_ptr gdt = { GDT_LIMIT,
				GDT_VIRT_START + cpu * GDT_SLOT_SIZE };
	struct desc_ptr idtr = { sizeof(idt) - 1, (uintptr_t)idt };

	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\tmov %2, %%ss\n\t"
			 "mov %2, %%ds\n\t"
			 "mov %2, %%es\n\t"
			 "mov %3, %%fs\n\t"
			 "mov %3, %%gs"
			 :
			 : "m"(gdt), "i"(__HYPERVISOR_CS), "r"(__HYPERVISOR_DS),
			   "r"(0)
			 : "rax", "memory");
	__asm__ volatile("lidt %0" : : "m"(idtr));
	__asm__ volatile("ltr %w0" : : "r"(HYPERVISOR_TSS_SEL));
}

/*
 * syscall from ring 3 enters x86_syscall_entry with interrupts off; the
 * entry finds this CPU's stack through KERNEL_GS_BASE, with swapgs.
 */
static void syscall_init(struct percpu *p)
{
	wrmsr(MSR_STAR, ((uint64_t)FLAT_RING3_CS32 << 48) |
			    ((uint64_t)__HYPERVISOR_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)x86_syscall_entry);
	wrmsr(MSR_SYSCALL_MASK, X86_EFLAGS_TF | X86_EFLAGS_IF | X86_EFLAGS_DF |
				    X86_EFLAGS_NT | X86_EFLAGS_AC);
	wrmsr(MSR_GS_BASE, 0);
	wrmsr(MSR_KERNEL_GS_BASE, (uint64_t)(uintptr_t)p);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

void traps_init_early(void)
{
	struct desc_ptr idtr = { sizeof(idt) - 1, (uintptr_t)idt };

	idt_build(false);
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void percpu_early_init(void)
{
	percpu_data[0].self = &percpu_data[0];
}

void percpu_cpu_init(unsigned int cpu)
{
	struct percpu *p = &percpu_data[cpu];

	if (cpu == 0)
		idt_build(true);
	p->self = p;
	p->cpu = cpu;
	p->stack_slot = stack_slot_va(cpu);
	p->stack_top = stack_top_va(cpu);
	*(struct percpu **)(uintptr_t)(p->stack_slot + STACKS_SLOT_SIZE - 8) =
	    p;
	p->gdt = (uint64_t *)(uintptr_t)(GDT_VIRT_START + cpu * GDT_SLOT_SIZE +
					 FIRST_RESERVED_GDT_PAGE * PAGE_SIZE);
	gdt_build(p);
	tss_build(p);
	desc_load(cpu);
	syscall_init(p);
}

static int percpu_map_gdt(unsigned int cpu)
{
	uint64_t va = GDT_VIRT_START + cpu * GDT_SLOT_SIZE;
	int rc = 0;

	for (unsigned int i = 0; !rc && i < FIRST_RESERVED_GDT_PAGE; i++)
		rc = map_page(va + i * PAGE_SIZE, virt_to_maddr(gdt_zero_page),
			      PAGE_HV_RO);
	if (!rc)
		rc = map_fresh_pages(va + FIRST_RESERVED_GDT_PAGE * PAGE_SIZE,
				     1);
	return rc;
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
	if (!rc)
		rc = percpu_map_gdt(cpu);
	return rc;
}
