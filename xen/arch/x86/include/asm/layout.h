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

/*
 * Per-CPU stacks, each in a STACKS_SLOT_SIZE slot with unmapped guard
 * pages between them (asm/percpu.h lays a slot out).
 */
#define STACKS_VIRT_START 0xffff82d080000000
#define STACKS_SLOT_SIZE  0x10000

/*
 * Per-CPU GDTs, GDT_SLOT_SIZE apart. Like Xen, the hypervisor's
 * descriptors sit in page FIRST_RESERVED_GDT_PAGE, where PV guests expect
 * them (FLAT_RING3_CS64 is 0xe033); the pages below map one zero page.
 */
#define GDT_VIRT_START		 0xffff82d0a0000000
#define GDT_SLOT_SIZE		 0x10000
#define FIRST_RESERVED_GDT_PAGE	 14
#define FIRST_RESERVED_GDT_ENTRY (FIRST_RESERVED_GDT_PAGE * 512)

/* Device registers, mapped uncached by ioremap(). */
#define IOREMAP_VIRT_START 0xffff82d0c0000000
#define IOREMAP_VIRT_SIZE  0x40000000

/* The frame table: one struct page_info per machine frame. */
#define FRAMETABLE_VIRT_START 0xffff82e000000000
#define FRAMETABLE_VIRT_SIZE  0x2000000000

/*
 * All of machine memory is mapped here: at boot the first 4 GiB (by
 * head.S), then everything up to the top of RAM (by mm_init()).
 */
#define DIRECTMAP_VIRT_START 0xffff830000000000
#define DIRECTMAP_VIRT_SIZE  0x50000000000 /* 5 TiB, up to the guest area */
#define DIRECTMAP_BOOT_SIZE  0x100000000

/* Page table slots of those addresses, used by the 32-bit boot code. */
#define XEN_L4_SLOT	  0x105
#define XEN_L3_SLOT	  0x141
#define XEN_L2_SLOT	  0x0
#define DIRECTMAP_L4_SLOT 0x106

#define STACK_SIZE (4 * PAGE_SIZE)

#endif
