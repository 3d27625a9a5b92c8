/*
 * Per-CPU data and the stack slot of each CPU.
 *
 * The hypervisor finds its struct percpu from the stack pointer, never
 * from %gs: PV domains own %gs. The top 16 bytes of each CPU's stack slot
 * hold the pointer; every stack of the CPU (main and IST) is in the slot.
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
/* The main stack starts below the percpu pointer (16-byte aligned). */
#define STACK_TOP_RESERVE 16

/* Offsets into struct percpu used by the syscall entry (checked in C). */
#define PERCPU_GUEST_RSP 8
#define PERCPU_STACK_TOP 16

#ifndef __ASSEMBLY__
#include <xen/types.h>

struct vcpu;

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
	struct percpu *self;
	uint64_t guest_rsp; /* scratch for the syscall entry */
	uint64_t stack_top; /* where the syscall entry puts its frame */
	unsigned int cpu;
	uint32_t apic_id;
	uint64_t stack_slot;
	uint64_t *gdt;	       /* its reserved page, in the GDT mapping */
	struct vcpu *curr;     /* the vCPU running here, NULL when idle */
	struct vcpu *entering; /* handed from pv_vcpu_enter to its stack */
	/*
	 * Whose page tables CR3 holds (NULL: the idle tables). An idle CPU
	 * keeps those of the domain it ran last (pv/tlb.c says why that is
	 * safe), so running it again costs no CR3 load or TLB refill.
	 */
	const struct domain *cr3_dom;
	struct tss64 tss __aligned(16);
};

extern struct percpu percpu_data[CONFIG_NR_CPUS];

static inline uint64_t stack_slot_va(unsigned int cpu)
{
	return STACKS_VIRT_START + (uint64_t)cpu * STACKS_SLOT_SIZE;
}

/* Where a CPU's main stack starts (the first push goes below it). */
static inline uint64_t stack_top_va(unsigned int cpu)
{
	return stack_slot_va(cpu) + STACKS_SLOT_SIZE - STACK_TOP_RESERVE;
}

/* Before the boot CPU switches to its slot, it runs on the boot stack. */
static inline struct percpu *this_cpu(void)
{
	uint64_t rsp, off;

	__asm__("mov %%rsp, %0" : "=r"(rsp));
	off = rsp - STACKS_VIRT_START;

	if (off >= (uint64_t)CONFIG_NR_CPUS * STACKS_SLOT_SIZE)
		return &percpu_data[0];
	return *(struct percpu **)(uintptr_t)((rsp | (STACKS_SLOT_SIZE - 1)) +
					      1 - 8);
}

static inline unsigned int smp_processor_id(void)
{
	return this_cpu()->cpu;
}

/* Fill in the boot CPU's struct percpu, before anything else. */
void percpu_early_init(void);

/*
 * Load this CPU's GDT (with Xen's selectors), TSS (with its IST stacks),
 * the IDT and the syscall MSRs. The stacks and GDT must be mapped.
 */
void percpu_cpu_init(unsigned int cpu);

/* Map CPU cpu's stacks and GDT (guard pages stay unmapped). */
int percpu_map_stacks(unsigned int cpu);

#endif /* __ASSEMBLY__ */
#endif
