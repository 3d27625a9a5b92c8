/*
 * One loadable segment, laid out in the file exactly as in memory, so the
 * Multiboot a.out kludge can load it: the file bytes from the Multiboot
 * header to __load_end are copied to XEN_LOAD_PHYS, BSS is zeroed up to
 * __bss_end.
 */
#include <asm/layout.h>

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(start32)

PHDRS
{
	image PT_LOAD FLAGS(7);
}

SECTIONS
{
	. = XEN_VIRT_START;
	__image_start = .;

	.text : AT(XEN_LOAD_PHYS) {
		*(.text.head)
		*(.text .text.*)
	} :image
	__text_end = .;

	/* The image is mapped W^X: text RX, then read-only, then data. */
	. = ALIGN(PAGE_SIZE);
	__rodata_start = .;
	.rodata : {
		*(.rodata .rodata.*)
		. = ALIGN(8);
		__start_cmdline_params = .;
		KEEP(*(cmdline_params))
		__stop_cmdline_params = .;
	} :image

	/* After all code, so that linking the table in moves no function. */
	. = ALIGN(8);
	.xen_symbols : {
		*(.xen_symbols)
	} :image
	. = ALIGN(PAGE_SIZE);
	__rodata_end = .;

	.data : {
		*(.data .data.*)
	} :image
	__load_end = .;

	. = ALIGN(PAGE_SIZE);
	.bss : {
		__bss_start = .;
		/* ALIGN here, not in the input: the file layout must not move. */
		. = ALIGN(STACK_SIZE);
		*(.bss.stack)
		*(.bss.page_aligned)
		*(.bss .bss.* COMMON)
		. = ALIGN(PAGE_SIZE);
		__bss_end = .;
	} :image
	__image_end = .;

	/DISCARD/ : {
		*(.comment) *(.note.*) *(.eh_frame) *(.interp) *(.dynamic)
		*(.dynsym) *(.dynstr) *(.hash) *(.gnu.hash)
	}
}

ASSERT(__image_end - __image_start <= XEN_IMAGE_MAX, "image too large")
/* The header's address doubles as the load address of the file's bytes. */
ASSERT(multiboot_header == __image_start, "Multiboot header must come first")
