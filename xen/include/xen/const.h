/* Constants shared by C, assembly and the linker script. */
#ifndef XEN_CONST_H
#define XEN_CONST_H

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1 << PAGE_SHIFT)

#endif
