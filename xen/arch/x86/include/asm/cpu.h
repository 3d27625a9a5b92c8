/* Per-CPU start-up and the life of an idle CPU. */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#include <xen/acpi.h>
#include <xen/types.h>

/* Switch on the protection features this CPU offers (CR4, EFER). */
void cpu_init_features(void);
/*
 * 1 when the CPUs have SMAP (CR4.SMAP set): stac/clac exist, and guest
 * copies lift it around themselves (read by assembly: a byte).
 */
extern uint8_t x86_smap;
void cpu_print_features(void);

/* Start every CPU the MADT lists, up to maxcpus= and CONFIG_NR_CPUS. */
void smp_boot_cpus(const struct acpi_info *ai);

/* IPI handlers; the boot CPU calls this once. */
void smp_init_ipis(void);

/* Halt every other online CPU for good (before halting or a panic). */
void smp_stop_others(void);

/* Throw the current stack away: run fn on a fresh one from top. */
void switch_stack(uint64_t top, void (*fn)(void)) __noreturn;

/* Run softirqs; halt until an interrupt when there are none. */
void idle_loop(void) __noreturn;

#endif
