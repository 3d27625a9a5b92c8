/* asm/percpu.h for host tests: the test says which CPU runs (fake_cpu). */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

extern unsigned int fake_cpu;

static inline unsigned int smp_processor_id(void)
{
	return fake_cpu;
}

#endif
