/* The local APIC, in x2APIC mode when the CPU has it, xAPIC otherwise. */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <xen/types.h>

#define APIC_ID	       0x020
#define APIC_VERSION   0x030
#define APIC_TPR       0x080
#define APIC_EOI       0x0b0
#define APIC_SVR       0x0f0
#define APIC_ESR       0x280
#define APIC_ICR       0x300
#define APIC_ICR2      0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TMICT     0x380
#define APIC_TMCCT     0x390
#define APIC_TDCR      0x3e0

#define APIC_LVT_MASKED	    (1u << 16)
#define APIC_TIMER_DEADLINE (2u << 17)
#define APIC_ICR_INIT	    0x00000500
#define APIC_ICR_STARTUP    0x00000600
#define APIC_ICR_ASSERT	    0x00004000
#define APIC_ICR_LEVEL	    0x00008000
#define APIC_ICR_BUSY	    0x00001000
#define APIC_DEST_ALLBUT    0x000c0000

/* Choose the mode and map the registers (boot CPU, before any IPI). */
void apic_init_bsp(paddr_t lapic_addr);
/* Enable and set up this CPU's local APIC. */
void apic_cpu_init(void);
bool apic_x2apic_mode(void);

uint32_t apic_read(unsigned int reg);
void apic_write(unsigned int reg, uint32_t v);
uint32_t apic_current_id(void);
void apic_eoi(void);

void apic_send_ipi(uint32_t apic_id, unsigned int vector);
void apic_send_ipi_allbutself(unsigned int vector);
/* The INIT - STARTUP - STARTUP sequence that starts a CPU at trampoline. */
void apic_wake_cpu(uint32_t apic_id, paddr_t trampoline);

/*
 * Fire TIMER_VECTOR on this CPU at TSC value deadline (0: never), with
 * the TSC deadline timer or the APIC timer's one-shot mode.
 */
void apic_timer_set(uint64_t deadline);

#endif
