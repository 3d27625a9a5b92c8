/* Finding the ACPI tables on a PC: the RSDP is in the EBDA or the BIOS ROM. */
#include <xen/acpi.h>
#include <xen/arch.h>
#include <xen/lib.h>
#include <asm/acpi.h>

#define BDA_EBDA_SEGMENT 0x40e
#define EBDA_SEARCH_LEN	 1024
#define BIOS_ROM_START	 0xe0000
#define BIOS_ROM_LEN	 0x20000

struct acpi_info acpi_info;

static int acpi_find_pc_rsdp(paddr_t *rsdp)
{
	const uint16_t *seg = arch_phys_map(_paddr(BDA_EBDA_SEGMENT), 2);
	uint64_t ebda = seg ? (uint64_t)*seg << 4 : 0;

	if (ebda >= 0x400 && ebda < 0xa0000 &&
	    !acpi_find_rsdp(_paddr(ebda), EBDA_SEARCH_LEN, rsdp))
		return 0;
	return acpi_find_rsdp(_paddr(BIOS_ROM_START), BIOS_ROM_LEN, rsdp);
}

void acpi_boot_init(void)
{
	paddr_t rsdp;

	if (acpi_find_pc_rsdp(&rsdp) < 0) {
		log_warn("ACPI: no RSDP found: one CPU, no IOMMU, no HPET\n");
		return;
	}
	if (acpi_parse(&acpi_info, rsdp) < 0)
		log_warn("ACPI: unusable root table: running without ACPI\n");
	acpi_print(&acpi_info);
}
