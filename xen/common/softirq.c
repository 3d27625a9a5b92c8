/* Softirqs: a pending bitmask per CPU, each on its own cache line. */
#include <xen/lib.h>
#include <xen/smp.h>
#include <xen/softirq.h>

struct softirq_cpu {
	uint32_t pending;
} __aligned(64);

static struct softirq_cpu softirq_cpus[CONFIG_NR_CPUS];
static void (*softirq_handlers[NR_SOFTIRQS])(void);

void open_softirq(enum softirq nr, void (*fn)(void))
{
	softirq_handlers[nr] = fn;
}

void raise_softirq(enum softirq nr)
{
	__atomic_fetch_or(&softirq_cpus[smp_processor_id()].pending, 1u << nr,
			  __ATOMIC_RELEASE);
}

void cpu_raise_softirq(unsigned int cpu, enum softirq nr)
{
	__atomic_fetch_or(&softirq_cpus[cpu].pending, 1u << nr,
			  __ATOMIC_RELEASE);
	if (cpu != smp_processor_id())
		arch_cpu_kick(cpu);
}

bool softirq_pending(unsigned int cpu)
{
	return __atomic_load_n(&softirq_cpus[cpu].pending, __ATOMIC_ACQUIRE);
}

void do_softirq(void)
{
	uint32_t *pending = &softirq_cpus[smp_processor_id()].pending;
	uint32_t todo;

	while ((todo = __atomic_exchange_n(pending, 0, __ATOMIC_ACQUIRE))) {
		for (unsigned int nr = 0; nr < NR_SOFTIRQS; nr++)
			if ((todo & (1u << nr)) && softirq_handlers[nr])
				softirq_handlers[nr]();
	}
}
