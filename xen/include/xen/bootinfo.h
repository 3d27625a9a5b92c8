/*
 * What the boot loader told us, copied out of its memory and checked:
 * the memory map, the modules and the command line.
 */
#ifndef XEN_BOOTINFO_H
#define XEN_BOOTINFO_H

#include <xen/types.h>

#define BOOT_RANGES_MAX	 128
#define BOOT_MODULES_MAX 32
#define BOOT_CMDLINE_MAX 1024 /* bytes, terminator included */
#define BOOT_STRINGS_MAX 8192 /* all strings together */

/* Memory types of the BIOS E820 map, which Multiboot passes on. */
enum boot_mem_type {
	BOOT_MEM_RAM = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI = 3,
	BOOT_MEM_NVS = 4,
	BOOT_MEM_UNUSABLE = 5,
};

struct boot_range {
	uint64_t start;
	uint64_t size;
	uint32_t type;
};

struct boot_module {
	paddr_t start;
	uint64_t size;
	const char *cmdline; /* the loader's, usually "file args" */
};

struct boot_info {
	const char *loader;    /* boot loader's name, "" if not given */
	const char *cmdline;   /* our options, the image name removed */
	bool mmap_from_limits; /* no map: built from mem_lower/upper */
	unsigned int nr_ranges;
	struct boot_range ranges[BOOT_RANGES_MAX];
	unsigned int nr_modules;
	struct boot_module modules[BOOT_MODULES_MAX];
	size_t strings_used;
	char strings[BOOT_STRINGS_MAX];
	char error[160]; /* why parsing failed */
};

/*
 * Copy and check the Multiboot information at mbi_pa. The hypervisor image
 * occupies [image_start, image_end); no module may overlap it. Returns 0,
 * or -EINVAL with bi->error saying what was wrong.
 */
int multiboot_parse(struct boot_info *bi, paddr_t mbi_pa, paddr_t image_start,
		    paddr_t image_end);

/* Print the loader, the memory map and the modules. */
void boot_info_print(const struct boot_info *bi);

/* Total bytes of usable RAM in the map. */
uint64_t boot_info_ram(const struct boot_info *bi);

#endif
