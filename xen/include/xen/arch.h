/*
 * What common code asks of the architecture. Each arch (and the fake arch
 * of the host unit tests) implements these.
 */
#ifndef XEN_ARCH_H
#define XEN_ARCH_H

#include <xen/types.h>

struct cpu_regs;

/*
 * A pointer through which len bytes of machine memory at pa can be read,
 * or NULL when [pa, pa + len) is not (entirely) mapped.
 */
const void *arch_phys_map(paddr_t pa, size_t len);

/*
 * Print the registers of a crash report: regs as saved by an exception,
 * or, when regs is NULL, the current ones with caller as the instruction
 * pointer (panic() passes its return address).
 */
void arch_show_crash_regs(const struct cpu_regs *regs, const void *caller);

/* Disable interrupts on this CPU, returning what to restore. */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);

/* Stop every other CPU (for a halt or a panic); returns when they have. */
void arch_stop_others(void);

/* Run softirqs and wait for interrupts, for good. */
void arch_idle(void) __noreturn;

/* Stop this CPU for good, interrupts off. */
void arch_halt(void) __noreturn;
/* Reset the machine. */
void arch_reboot(void) __noreturn;

#endif
