/*
 * Bringing up the application processors listed in the MADT, one at a
 * time: map its stacks, patch the trampoline, INIT-SIPI-SIPI, and wait
 * for it to say it is online.
 */
#include <xen/acpi.h>
#include <xen/arch.h>
#include <xen/lib.h>
#include <xen/param.h>
#include <xen/smp.h>
#include <xen/string.h>
#include <xen/time.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/irq.h>
#include <asm/mm.h>
#include <asm/msr.h>
#include <asm/page.h>
#include <asm/percpu.h>
#include <asm/x86-defs.h>

#define AP_START_TIMEOUT MILLISECS(1000)

extern const char trampoline_start[], trampoline_end[];
extern const char tramp_gdt_ptr[], tramp_jump32[], tramp_jump64[];
extern const char tramp_cr3[], tramp_efer[], tramp_cr4[], tramp_stack[];

void start_secondary(void) __noreturn;

unsigned int nr_cpus_online = 1;
static unsigned int max_cpus = CONFIG_NR_CPUS;
UINT_PARAM("maxcpus", max_cpus, 1, CONFIG_NR_CPUS);

/* The CPU number the starting AP takes; one AP starts at a time. */
static unsigned int ap_booting;

static void *tramp_field(const char *sym)
{
	return (char *)maddr_to_virt(trampoline_pa) + (sym - trampoline_start);
}

static void tramp_add_base(const char *sym)
{
	*(uint32_t *)tramp_field(sym) += (uint32_t)paddr_x(trampoline_pa);
}

static void smp_install_trampoline(void)
{
	uint64_t cr4;

	memcpy(maddr_to_virt(trampoline_pa), trampoline_start,
	       (size_t)(trampoline_end - trampoline_start));
	tramp_add_base(tramp_gdt_ptr + 2);
	tramp_add_base(tramp_jump32);
	tramp_add_base(tramp_jump64);
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	*(uint32_t *)tramp_field(tramp_cr3) = (uint32_t)paddr_x(idle_pg_table);
	*(uint32_t *)tramp_field(tramp_efer) = (uint32_t)rdmsr(MSR_EFER);
	*(uint32_t *)tramp_field(tramp_cr4) = (uint32_t)cr4;
}

void start_secondary(void)
{
	unsigned int cpu = __atomic_load_n(&ap_booting, __ATOMIC_ACQUIRE);

	cpu_init_features();
	percpu_cpu_init(cpu);
	apic_cpu_init();
	percpu_data[cpu].apic_id = apic_current_id();
	__atomic_store_n(&nr_cpus_online, cpu + 1, __ATOMIC_RELEASE);
	local_irq_enable();
	arch_idle();
}

static bool smp_start_cpu(unsigned int cpu, uint32_t apic_id)
{
	s_time_t deadline;

	if (percpu_map_stacks(cpu) < 0) {
		log_err("SMP: no memory for the stacks of CPU %u\n", cpu);
		return false;
	}
	*(uint64_t *)tramp_field(tramp_stack) = stack_top_va(cpu);
	__atomic_store_n(&ap_booting, cpu, __ATOMIC_RELEASE);
	apic_wake_cpu(apic_id, trampoline_pa);
	deadline = NOW() + AP_START_TIMEOUT;
	while (!cpu_online(cpu))
		if (NOW() > deadline)
			return false;
	log_debug("SMP: CPU %u is APIC ID %u\n", cpu, apic_id);
	return true;
}

void smp_boot_cpus(const struct acpi_info *ai)
{
	uint32_t self = apic_current_id();

	percpu_data[0].apic_id = self;
	smp_install_trampoline();
	for (unsigned int i = 0; i < ai->nr_cpus; i++) {
		const struct acpi_cpu *c = &ai->cpus[i];

		if (!c->enabled || c->apic_id == self)
			continue;
		if (nr_cpus_online >= max_cpus) {
			log_info("SMP: maxcpus=%u reached, APIC ID %u left "
				 "offline\n",
				 max_cpus, c->apic_id);
			continue;
		}
		/* A CPU that did not come up might still: stop here. */
		if (!smp_start_cpu(nr_cpus_online, c->apic_id)) {
			log_err("SMP: CPU with APIC ID %u did not start\n",
				c->apic_id);
			break;
		}
	}
	log_always("%u CPU%s online\n", nr_cpus_online,
		   nr_cpus_online == 1 ? "" : "s");
}
