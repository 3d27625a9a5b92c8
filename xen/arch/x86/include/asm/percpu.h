/*
 * Per-CPU data and the stack slot of each CPU. %gs points at the CPU's
 * struct percpu, whose first field points at itself.
 */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

#include <asm/layout.h>

/*
 * A CPU's stack slot, STACKS_SLOT_SIZE bytes at STACKS_VIRT_START +
 * cpu * STACKS_SLOT_SIZE: one page each for the NMI, double fault and
 * machine check stacks, then the STACK_SIZE main stack at the top, with
 * unmapped guard pages below each, so an overflow faults.
 */
#define STACK_PAGE_NMI	1
#define STACK_PAGE_DF	3
#define STACK_PAGE_MC	5
#define STACK_PAGE_MAIN ((STACKS_SLOT_SIZE - STACK_SIZE) / PAGE_SIZE)
#define IST_NMI		1
#define IST_DF		2
#define IST_MC		3

#define GDT_ENTRIES 8
#define GDT_SEL_TSS 0x18

#ifndef __ASSEMBLY__
#include <xen/types.h>

struct __packed tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};
_Static_assert(sizeof(struct tss64) == 104, "tss64");

struct percpu {
	struct percpu *self; /* %gs:0 */
	unsigned int cpu;
	uint32_t apic_id;
	uint64_t stack_slot;
	uint32_t softirq_pending;
	uint64_t gdt[GDT_ENTRIES] __aligned(16);
	struct tss64 tss __aligned(16);
};

extern struct percpu percpu_data[CONFIG_NR_CPUS];

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

static inline unsigned int smp_processor_id(void)
{
	return this_cpu()->cpu;
}

static inline uint64_t stack_slot_va(unsigned int cpu)
{
	return STACKS_VIRT_START + (uint64_t)cpu * STACKS_SLOT_SIZE;
}

/* Make this_cpu() work on the boot CPU, before anything else. */
void percpu_early_init(void);

/*
 * Load this CPU's GDT, TSS (with its IST stacks) and the IDT, and point
 * %gs at its percpu. The stacks must be mapped.
 */
void percpu_cpu_init(unsigned int cpu);

/* Map CPU cpu's stacks (guard pages stay unmapped). */
int percpu_map_stacks(unsigned int cpu);

#endif /* __ASSEMBLY__ */
#endif
