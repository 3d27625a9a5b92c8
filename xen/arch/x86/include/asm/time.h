#ifndef ASM_TIME_H
#define ASM_TIME_H

#include <xen/acpi.h>
#include <xen/time.h>

extern uint64_t tsc_khz;

/* Calibrate the TSC against the HPET (or the PIT) and start NOW(). */
void time_init(const struct acpi_info *ai);

void time_delay_us(uint64_t us);
/* The pvclock's multiplier and shift for this TSC. */
void time_pvclock_scale(uint32_t *mul, int8_t *shift);
/* APIC timer ticks from now until TSC value deadline (at least 1). */
uint32_t time_tsc_to_apic_ticks(uint64_t deadline);

#endif
