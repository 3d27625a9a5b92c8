/* Reporting what the boot loader handed over. */
#include <xen/bootinfo.h>
#include <xen/lib.h>

static const char *boot_mem_type_name(uint32_t type)
{
	switch (type) {
	case BOOT_MEM_RAM:
		return "usable";
	case BOOT_MEM_RESERVED:
		return "reserved";
	case BOOT_MEM_ACPI:
		return "ACPI data";
	case BOOT_MEM_NVS:
		return "ACPI NVS";
	case BOOT_MEM_UNUSABLE:
		return "unusable";
	default:
		return "unknown";
	}
}

uint64_t boot_info_ram(const struct boot_info *bi)
{
	uint64_t total = 0;

	for (unsigned int i = 0; i < bi->nr_ranges; i++)
		if (bi->ranges[i].type == BOOT_MEM_RAM)
			total += bi->ranges[i].size;
	return total;
}

static void boot_info_print_ranges(const struct boot_info *bi)
{
	log_info("Memory map (%s, %u ranges):\n",
		 bi->mmap_from_limits ? "from mem_lower/mem_upper" : "E820",
		 bi->nr_ranges);
	for (unsigned int i = 0; i < bi->nr_ranges; i++) {
		const struct boot_range *r = &bi->ranges[i];

		log_info("  %016llx-%016llx %s (type %u)\n",
			 (unsigned long long)r->start,
			 (unsigned long long)(r->start + r->size - 1),
			 boot_mem_type_name(r->type), r->type);
	}
	log_info("Usable RAM: %llu MiB\n",
		 (unsigned long long)(boot_info_ram(bi) >> 20));
}

static void boot_info_print_modules(const struct boot_info *bi)
{
	log_info("Modules: %u\n", bi->nr_modules);
	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *m = &bi->modules[i];

		log_info("  module %u: at %#llx, %llu bytes: '%s'\n", i,
			 (unsigned long long)paddr_x(m->start),
			 (unsigned long long)m->size, m->cmdline);
	}
}

void boot_info_print(const struct boot_info *bi)
{
	log_info("Boot loader: %s\n", *bi->loader ? bi->loader : "(unnamed)");
	log_info("Command line: %s\n", bi->cmdline);
	boot_info_print_ranges(bi);
	boot_info_print_modules(bi);
}
