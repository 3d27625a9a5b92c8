/* CPUs: which exist, which are online, and running work on them. */
#ifndef XEN_SMP_H
#define XEN_SMP_H

#include <xen/types.h>
#include <asm/percpu.h>

/* How many CPUs are online; they are numbered 0 .. nr_cpus_online - 1. */
extern unsigned int nr_cpus_online;

static inline bool cpu_online(unsigned int cpu)
{
	return cpu < __atomic_load_n(&nr_cpus_online, __ATOMIC_ACQUIRE);
}

#define for_each_online_cpu(c) for (unsigned int c = 0; cpu_online(c); c++)

/*
 * Run fn(data) on cpu (which may be this one), with interrupts disabled
 * there, and return once it has run. Returns -EINVAL for a CPU that is
 * not online. Call with interrupts enabled.
 */
int on_cpu(unsigned int cpu, void (*fn)(void *), void *data);
/* The same on every online CPU, this one included. */
void on_each_cpu(void (*fn)(void *), void *data);

#endif
