/*
 * Where the hypervisor lives. It is linked in the hypervisor-reserved part
 * of the x86-64 PV address space (0xffff800000000000 - 0xffff87ffffffffff),
 * at Xen's addresses, so PV guests may use everything else.
 */
#ifndef ASM_LAYOUT_H
#define ASM_LAYOUT_H

#include <xen/const.h>

/* The image: linked here, loaded at XEN_LOAD_PHYS (2 MiB aligned). */
#define XEN_VIRT_START 0xffff82d040000000
#define XEN_LOAD_PHYS  0x200000
/* The boot page tables map this much of the image, in 2 MiB pages. */
#define XEN_IMAGE_MAX (16 << 20)

/* All of machine memory below DIRECTMAP_BOOT_SIZE is mapped here. */
#define DIRECTMAP_VIRT_START 0xffff830000000000
#define DIRECTMAP_BOOT_SIZE  0x100000000 /* 4 GiB at boot */

/* Page table slots of those addresses, used by the 32-bit boot code. */
#define XEN_L4_SLOT	  0x105
#define XEN_L3_SLOT	  0x141
#define XEN_L2_SLOT	  0x0
#define DIRECTMAP_L4_SLOT 0x106

#define STACK_SIZE (4 * PAGE_SIZE)

#endif
