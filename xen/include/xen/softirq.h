/*
 * Softirqs: work raised (often from interrupt context) and run later on
 * the same CPU with interrupts enabled, from the idle loop.
 */
#ifndef XEN_SOFTIRQ_H
#define XEN_SOFTIRQ_H

#include <xen/types.h>

enum softirq {
	TIMER_SOFTIRQ,
	DEBUGKEY_SOFTIRQ,
	CONSOLE_SOFTIRQ,
	CONSOLE_TX_SOFTIRQ,
	IOMMU_SOFTIRQ,
	/* Last: it may switch to a vCPU and never return to the loop. */
	SCHEDULE_SOFTIRQ,
	NR_SOFTIRQS,
};

void open_softirq(enum softirq nr, void (*fn)(void));
/* Mark nr pending on this CPU. */
void raise_softirq(enum softirq nr);
/* Mark nr pending on cpu and wake it. */
void cpu_raise_softirq(unsigned int cpu, enum softirq nr);
bool softirq_pending(unsigned int cpu);
/* Run this CPU's pending softirqs until none is left. */
void do_softirq(void);

/* Wake cpu from its idle halt (arch: an IPI). */
void arch_cpu_kick(unsigned int cpu);

#endif
