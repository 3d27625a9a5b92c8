/* Interrupt vectors: who handles which, and the fixed ones. */
#ifndef ASM_IRQ_H
#define ASM_IRQ_H

#include <xen/types.h>

struct cpu_regs;

#define LEGACY_VECTOR_BASE   0x20 /* the masked 8259s, remapped here */
#define DYNAMIC_VECTOR_BASE  0x30
#define DYNAMIC_VECTOR_END   0xe0
#define TIMER_VECTOR	     0xf0
#define CALL_FUNCTION_VECTOR 0xf1
#define EVENT_CHECK_VECTOR   0xf2
#define ERROR_VECTOR	     0xfe
#define SPURIOUS_VECTOR	     0xff

typedef void (*irq_handler_t)(struct cpu_regs *regs, void *data);

/* A free vector for fn, or -ENOSPC. */
int irq_vector_alloc(irq_handler_t fn, void *data);
void irq_vector_free(unsigned int vector);
/* Install the handler of a fixed vector. */
void irq_vector_set(unsigned int vector, irq_handler_t fn, void *data);

/* Run the handler of regs->vector, then signal end of interrupt. */
void irq_dispatch(struct cpu_regs *regs);

/* Route the console UART's receive interrupt (serial-input.c). */
void serial_input_init(void);

/* Interrupts taken per vector, all CPUs together (for the debug keys). */
void irq_print_counts(void);

static inline void local_irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void local_irq_disable(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline uint64_t local_irq_save(void)
{
	uint64_t flags;

	__asm__ volatile("pushf; pop %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void local_irq_restore(uint64_t flags)
{
	__asm__ volatile("push %0; popf" : : "r"(flags) : "memory", "cc");
}

#endif
