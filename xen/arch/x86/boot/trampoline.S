/*
 * Application processors start here, in real mode at trampoline_pa (a
 * page below 1 MiB that smpboot.c copies this to and patches). They go
 * through protected mode to long mode on the idle page tables, which map
 * this page 1:1, then jump to ap_start64 in the image.
 *
 * Fields marked "patched" are filled in by smpboot.c at copy time.
 */
#include <asm/percpu.h>
#include <asm/x86-defs.h>

#define OFF(x) ((x) - trampoline_start)

	.section .rodata.trampoline, "a", @progbits
	.balign 16
	.globl trampoline_start, trampoline_end
	.globl tramp_gdt_ptr, tramp_jump32, tramp_jump64
	.globl tramp_cr3, tramp_efer, tramp_cr4, tramp_stack

	.code16
trampoline_start:
	cli
	cld
	mov	%cs, %ax
	mov	%ax, %ds
	movzwl	%ax, %ebx
	shl	$4, %ebx		/* our physical address, for later */
	lgdtl	OFF(tramp_gdt_ptr)
	mov	%cr0, %eax
	or	$X86_CR0_PE, %eax
	mov	%eax, %cr0
	ljmpl	*OFF(tramp_jump32)

	.code32
tramp_32:
	mov	$GDT_SEL_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	OFF(tramp_cr4)(%ebx), %eax
	mov	%eax, %cr4
	mov	OFF(tramp_cr3)(%ebx), %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	mov	OFF(tramp_efer)(%ebx), %eax
	xor	%edx, %edx
	wrmsr
	mov	%cr0, %eax
	or	$(X86_CR0_PG | X86_CR0_WP), %eax
	mov	%eax, %cr0
	ljmp	*OFF(tramp_jump64)(%ebx)

	.code64
tramp_64:
	mov	OFF(tramp_stack)(%rbx), %rsp
	movabs	$ap_start64, %rax
	jmp	*%rax

	.balign 8
tramp_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code, as in every GDT */
	.quad	0x00cf92000000ffff	/* 0x10: data */
	.quad	0x00cf9a000000ffff	/* 0x18: 32-bit code, for tramp_32 */
tramp_gdt_end:
	.word	0
tramp_gdt_ptr:
	.word	tramp_gdt_end - tramp_gdt - 1
	.long	OFF(tramp_gdt)		/* patched: + base */
tramp_jump32:
	.long	OFF(tramp_32)		/* patched: + base */
	.word	0x18
	.word	0
tramp_jump64:
	.long	OFF(tramp_64)		/* patched: + base */
	.word	GDT_SEL_CODE64
	.word	0
tramp_cr3:
	.long	0			/* patched */
tramp_efer:
	.long	0			/* patched */
tramp_cr4:
	.long	0			/* patched */
	.balign 8
tramp_stack:
	.quad	0			/* patched, for each CPU */
trampoline_end:

	.text
	.globl ap_start64
ap_start64:
	mov	$GDT_SEL_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
	xor	%ebp, %ebp
	call	start_secondary
	ud2
