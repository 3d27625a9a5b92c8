/*
 * Start-of-day information for a PVH domain. The kernel is entered at its
 * XEN_ELFNOTE_PHYS32_ENTRY address in 32-bit protected mode with paging
 * off, flat 4 GiB CS and DS/ES/SS, CR4 = 0, and ebx holding the physical
 * address of a struct hvm_start_info. All addresses here are physical.
 */
#ifndef XEN_PUBLIC_HVM_START_INFO_H
#define XEN_PUBLIC_HVM_START_INFO_H

#include <stdint.h>
#include "../xen-compat.h"

#define XEN_HVM_START_MAGIC_VALUE 0x336ec578

/* Version 0 ends at memmap_paddr; version 1 adds the memory map. */
struct hvm_start_info {
	uint32_t magic;		 /* XEN_HVM_START_MAGIC_VALUE */
	uint32_t version;	 /* 1 */
	uint32_t flags;		 /* SIF_* */
	uint32_t nr_modules;	 /* entries at modlist_paddr */
	uint64_t modlist_paddr;	 /* struct hvm_modlist_entry[] */
	uint64_t cmdline_paddr;	 /* NUL-terminated command line */
	uint64_t rsdp_paddr;	 /* ACPI RSDP, or 0 */
	uint64_t memmap_paddr;	 /* struct hvm_memmap_table_entry[] */
	uint32_t memmap_entries; /* 0: ask XENMEM_memory_map */
	uint32_t reserved;	 /* zero */
};
XEN_ABI_SIZE(struct hvm_start_info, 56);
XEN_ABI_OFFSET(struct hvm_start_info, nr_modules, 12);
XEN_ABI_OFFSET(struct hvm_start_info, modlist_paddr, 16);
XEN_ABI_OFFSET(struct hvm_start_info, cmdline_paddr, 24);
XEN_ABI_OFFSET(struct hvm_start_info, rsdp_paddr, 32);
XEN_ABI_OFFSET(struct hvm_start_info, memmap_paddr, 40);
XEN_ABI_OFFSET(struct hvm_start_info, memmap_entries, 48);

/* A boot module; by convention the first is the initrd. */
struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr; /* or 0 */
	uint64_t reserved;
};
XEN_ABI_SIZE(struct hvm_modlist_entry, 32);
XEN_ABI_OFFSET(struct hvm_modlist_entry, cmdline_paddr, 16);

/* A memory map entry; types follow the E820 numbering. */
struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* XEN_HVM_MEMMAP_TYPE_* */
	uint32_t reserved;
};
XEN_ABI_SIZE(struct hvm_memmap_table_entry, 24);
XEN_ABI_OFFSET(struct hvm_memmap_table_entry, type, 16);

#define XEN_HVM_MEMMAP_TYPE_RAM	     1
#define XEN_HVM_MEMMAP_TYPE_RESERVED 2
#define XEN_HVM_MEMMAP_TYPE_ACPI     3
#define XEN_HVM_MEMMAP_TYPE_NVS	     4
#define XEN_HVM_MEMMAP_TYPE_UNUSABLE 5
#define XEN_HVM_MEMMAP_TYPE_DISABLED 6
#define XEN_HVM_MEMMAP_TYPE_PMEM     7

#endif /* XEN_PUBLIC_HVM_START_INFO_H */
