/* IO-APICs and the legacy 8259 PICs. */
#ifndef ASM_IOAPIC_H
#define ASM_IOAPIC_H

#include <xen/acpi.h>

/* Map every IO-APIC the MADT lists and mask all its inputs. */
void ioapic_init(const struct acpi_info *ai);

/*
 * Deliver ISA IRQ irq (after the MADT's overrides) as vector to the CPU
 * with APIC ID dest. Returns 0, or -ENOENT when no IO-APIC serves it.
 */
int ioapic_route_isa(unsigned int irq, unsigned int vector, uint32_t dest);

/* Remap the 8259s away from the exception vectors and mask them. */
void pic_disable(void);

#endif
