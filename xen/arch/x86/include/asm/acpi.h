#ifndef ASM_ACPI_H
#define ASM_ACPI_H

#include <xen/acpi.h>

/* What the firmware's tables said (all zero when there are none). */
extern struct acpi_info acpi_info;

/* Find and parse the tables; a machine without them still boots. */
void acpi_boot_init(void);

#endif
