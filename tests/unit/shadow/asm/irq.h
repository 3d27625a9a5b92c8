/*
 * asm/irq.h for host tests of code that masks interrupts (timer.c): the
 * real one executes cli, which a host process may not. Masking is a no-op.
 */
#ifndef ASM_IRQ_H
#define ASM_IRQ_H

#include <xen/types.h>

struct cpu_regs;

#define TIMER_VECTOR 0xf0

typedef void (*irq_handler_t)(struct cpu_regs *regs, void *data);

void irq_vector_set(unsigned int vector, irq_handler_t fn, void *data);

static inline void local_irq_enable(void)
{
}

static inline void local_irq_disable(void)
{
}

static inline uint64_t local_irq_save(void)
{
	return 0;
}

static inline void local_irq_restore(uint64_t flags)
{
	(void)flags;
}

#endif
