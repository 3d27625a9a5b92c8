/*
 * Multiboot v1 as a loader hands it over (the Multiboot Specification
 * 0.6.96): the magic in EAX and the information structure at EBX.
 */
#ifndef XEN_MULTIBOOT_H
#define XEN_MULTIBOOT_H

#define MULTIBOOT_HEADER_MAGIC	   0x1BADB002
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002

/* Header flags. */
#define MULTIBOOT_PAGE_ALIGN  (1u << 0)
#define MULTIBOOT_MEMORY_INFO (1u << 1)
#define MULTIBOOT_AOUT_KLUDGE (1u << 16)

/* Information flags. */
#define MBI_MEMLIMITS  (1u << 0)
#define MBI_CMDLINE    (1u << 2)
#define MBI_MODULES    (1u << 3)
#define MBI_MEMMAP     (1u << 6)
#define MBI_LOADERNAME (1u << 9)

#ifndef __ASSEMBLY__
#include <xen/types.h>

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower; /* KiB from 0 */
	uint32_t mem_upper; /* KiB from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
};
_Static_assert(sizeof(struct multiboot_info) == 68, "multiboot_info");

struct multiboot_module {
	uint32_t mod_start;
	uint32_t mod_end; /* first byte past the module */
	uint32_t string;
	uint32_t reserved;
};
_Static_assert(sizeof(struct multiboot_module) == 16, "multiboot_module");

/*
 * A memory map entry. "size" counts the bytes after itself, so entries
 * can grow; the fields below are at least 20 bytes.
 */
struct multiboot_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __packed;
_Static_assert(sizeof(struct multiboot_mmap_entry) == 24, "mmap_entry");

#endif /* __ASSEMBLY__ */
#endif
