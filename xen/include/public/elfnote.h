/*
 * ELF notes a kernel image carries for the domain builder, each of type
 * XEN_ELFNOTE_* with the owner name "Xen". Values are a string or a
 * little-endian number of the note's size, as listed. Kernels include
 * this from assembly too (with __ASSEMBLY__ defined) to emit their notes.
 */
#ifndef XEN_PUBLIC_ELFNOTE_H
#define XEN_PUBLIC_ELFNOTE_H

/* Numbers only: usable from assembly, which writes the notes. */
#ifndef __ASSEMBLY__
#include "xen-compat.h"
#endif

#define XEN_ELFNOTE_INFO	       0  /* (unused) */
#define XEN_ELFNOTE_ENTRY	       1  /* number: PV entry address */
#define XEN_ELFNOTE_HYPERCALL_PAGE     2  /* number: where to put it */
#define XEN_ELFNOTE_VIRT_BASE	       3  /* number: virtual load base */
#define XEN_ELFNOTE_PADDR_OFFSET       4  /* number: virt - phys offset */
#define XEN_ELFNOTE_XEN_VERSION	       5  /* string: "xen-3.0" */
#define XEN_ELFNOTE_GUEST_OS	       6  /* string: "linux", "Mini-OS" */
#define XEN_ELFNOTE_GUEST_VERSION      7  /* string */
#define XEN_ELFNOTE_LOADER	       8  /* string: "generic" */
#define XEN_ELFNOTE_PAE_MODE	       9  /* string: "yes", "no", "bimodal" */
#define XEN_ELFNOTE_FEATURES	       10 /* string: '|'-separated XENFEATs */
#define XEN_ELFNOTE_BSD_SYMTAB	       11 /* string: "yes" to load symbols */
#define XEN_ELFNOTE_HV_START_LOW       12 /* number: x86-32 PAE only */
#define XEN_ELFNOTE_L1_MFN_VALID       13 /* numbers: PTE mask and value */
#define XEN_ELFNOTE_SUSPEND_CANCEL     14 /* number: supports cancel */
#define XEN_ELFNOTE_INIT_P2M	       15 /* number: where to map the p2m */
#define XEN_ELFNOTE_MOD_START_PFN      16 /* number: takes mod_start as pfn */
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17 /* number: XENFEAT_* bitmap */
#define XEN_ELFNOTE_PHYS32_ENTRY       18 /* number: 32-bit PVH entry */
#define XEN_ELFNOTE_PHYS32_RELOC       19 /* numbers: PVH relocation (4.20) */

#define XEN_ELFNOTE_MAX XEN_ELFNOTE_PHYS32_RELOC

/* Notes in crash dumps and core files rather than kernel images. */
#define XEN_ELFNOTE_CRASH_INFO		    0x1000001
#define XEN_ELFNOTE_CRASH_REGS		    0x1000002
#define XEN_ELFNOTE_DUMPCORE_NONE	    0x2000000
#define XEN_ELFNOTE_DUMPCORE_HEADER	    0x2000001
#define XEN_ELFNOTE_DUMPCORE_XEN_VERSION    0x2000002
#define XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION 0x2000003

#endif /* XEN_PUBLIC_ELFNOTE_H */
