/*
 * Entry from a Multiboot v1 loader: 32-bit protected mode, paging off,
 * EAX = magic, EBX = physical address of the information structure.
 *
 * The image is linked at XEN_VIRT_START but runs here at its load address,
 * so every absolute reference goes through PHYS(). We build page tables
 * that map the image high and the first 4 GiB both 1:1 (for this code)
 * and at DIRECTMAP_VIRT_START, enter long mode and jump high.
 */
#include <xen/multiboot.h>
#include <asm/layout.h>
#include <asm/x86-defs.h>

#define PHYS(x) ((x) - XEN_VIRT_START + XEN_LOAD_PHYS)

#define MB_FLAGS (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | \
		  MULTIBOOT_AOUT_KLUDGE)

	.section .text.head, "ax", @progbits
	.code32

/*
 * The a.out kludge fields tell the loader where the image goes, so QEMU
 * and mboot.c32 load this ELF64 file without reading its headers.
 */
	.balign 4
	.globl multiboot_header
multiboot_header:
	.long MULTIBOOT_HEADER_MAGIC
	.long MB_FLAGS
	.long -(MULTIBOOT_HEADER_MAGIC + MB_FLAGS)
	.long PHYS(multiboot_header)
	.long PHYS(__image_start)
	.long PHYS(__load_end)
	.long PHYS(__bss_end)
	.long PHYS(start32)

	.globl start32
start32:
	cli
	cld
	mov	%eax, %ebp		/* magic, kept for C */
	mov	%ebx, %esi		/* information structure */

	/* Zero BSS (stack and page tables live there). */
	mov	$PHYS(__bss_start), %edi
	mov	$PHYS(__bss_end), %ecx
	sub	%edi, %ecx
	xor	%eax, %eax
	rep stosb
	mov	$PHYS(boot_stack + STACK_SIZE), %esp

	/* Long mode is required; say so on COM1 if it is missing. */
	mov	$0x80000000, %eax
	cpuid
	cmp	$0x80000001, %eax
	jb	no_long_mode
	mov	$0x80000001, %eax
	cpuid
	bt	$CPUID_EXT_LM_BIT, %edx
	jnc	no_long_mode
	mov	%edx, %ebx		/* NX support is checked below */

	call	build_page_tables

	mov	%cr4, %eax
	or	$X86_CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$PHYS(boot_l4), %eax
	mov	%eax, %cr3

	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	bt	$CPUID_EXT_NX_BIT, %ebx
	jnc	1f
	or	$EFER_NXE, %eax
1:	wrmsr

	lgdt	PHYS(boot_gdt_ptr32)
	mov	%cr0, %eax
	or	$(X86_CR0_PG | X86_CR0_WP | X86_CR0_PE), %eax
	mov	%eax, %cr0
	ljmp	$GDT_SEL_CODE64, $PHYS(start64_low)

/*
 * boot_l4[0] and boot_l4[DIRECTMAP] -> boot_l3_low -> 4 x boot_l2_low
 * (2 MiB pages over 4 GiB); boot_l4[XEN] -> boot_l3_xen -> boot_l2_xen
 * (the image). Clobbers eax, ecx, edx, edi.
 */
build_page_tables:
	mov	$PHYS(boot_l3_low) + (_PAGE_PRESENT | _PAGE_RW), %eax
	mov	%eax, PHYS(boot_l4)
	mov	%eax, PHYS(boot_l4) + DIRECTMAP_L4_SLOT * 8
	mov	$PHYS(boot_l3_xen) + (_PAGE_PRESENT | _PAGE_RW), %eax
	mov	%eax, PHYS(boot_l4) + XEN_L4_SLOT * 8
	mov	$PHYS(boot_l2_xen) + (_PAGE_PRESENT | _PAGE_RW), %eax
	mov	%eax, PHYS(boot_l3_xen) + XEN_L3_SLOT * 8

	/* Four L3 entries, one per GiB. */
	mov	$PHYS(boot_l2_low) + (_PAGE_PRESENT | _PAGE_RW), %eax
	mov	$PHYS(boot_l3_low), %edi
	mov	$4, %ecx
1:	mov	%eax, (%edi)
	add	$PAGE_SIZE, %eax
	add	$8, %edi
	loop	1b

	/* 2048 large pages for 0 - 4 GiB; the high half of each is 0. */
	mov	$(_PAGE_PRESENT | _PAGE_RW | _PAGE_PSE), %eax
	xor	%edx, %edx
	mov	$PHYS(boot_l2_low), %edi
	mov	$2048, %ecx
1:	mov	%eax, (%edi)
	mov	%edx, 4(%edi)
	add	$(2 << 20), %eax
	adc	$0, %edx
	add	$8, %edi
	loop	1b

	/* The image, XEN_IMAGE_MAX from XEN_LOAD_PHYS. */
	mov	$XEN_LOAD_PHYS + (_PAGE_PRESENT | _PAGE_RW | _PAGE_PSE), %eax
	mov	$PHYS(boot_l2_xen) + XEN_L2_SLOT * 8, %edi
	mov	$(XEN_IMAGE_MAX >> 21), %ecx
1:	mov	%eax, (%edi)
	add	$(2 << 20), %eax
	add	$8, %edi
	loop	1b
	ret

no_long_mode:
	mov	$PHYS(msg_no_long_mode), %ebx
1:	movzbl	(%ebx), %eax
	test	%eax, %eax
	jz	2f
	mov	$CONFIG_SERIAL_PORT, %dx
	out	%al, %dx
	inc	%ebx
	jmp	1b
2:	hlt
	jmp	2b

	.code64
start64_low:
	/* Still at the load address: move to the linked one. */
	movabs	$start64, %rax
	jmp	*%rax

	.text
start64:
	lgdt	boot_gdt_ptr64(%rip)
	mov	$GDT_SEL_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
	lea	boot_stack + STACK_SIZE(%rip), %rsp
	mov	%ebp, %edi		/* magic */
	mov	%esi, %esi		/* information structure, zero-extended */
	xor	%ebp, %ebp		/* end of the frame chain */
	call	__start_xen
	ud2

	.section .rodata, "a", @progbits
msg_no_long_mode:
	.asciz	"Citadel: this CPU has no 64-bit long mode; halting.\r\n"

	.balign 8
boot_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code, ring 0 */
	.quad	0x00cf92000000ffff	/* 0x10: data, ring 0 */
boot_gdt_end:

	.balign 8
	.word	0
boot_gdt_ptr32:
	.word	boot_gdt_end - boot_gdt - 1
	.long	PHYS(boot_gdt)

	.balign 8
	.word	0, 0, 0
boot_gdt_ptr64:
	.word	boot_gdt_end - boot_gdt - 1
	.quad	boot_gdt

	/* Aligned to its size by the linker script, as every stack is. */
	.section .bss.stack, "aw", @nobits
	.balign PAGE_SIZE
	.globl boot_stack
boot_stack:
	.skip	STACK_SIZE

	.section .bss.page_aligned, "aw", @nobits
	.balign PAGE_SIZE
boot_l4:
	.skip	PAGE_SIZE
boot_l3_low:
	.skip	PAGE_SIZE
boot_l3_xen:
	.skip	PAGE_SIZE
boot_l2_xen:
	.skip	PAGE_SIZE
boot_l2_low:
	.skip	4 * PAGE_SIZE
