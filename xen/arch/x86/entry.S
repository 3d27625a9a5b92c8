/*
 * Exception entry: every vector pushes an error code (a zero where the CPU
 * pushes none) and its number, then the general registers, to build a
 * struct cpu_regs (asm/regs.h) on the stack for C.
 */

	.text

.macro SAVE_GPRS
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
.endm

/* Vectors 8, 10-14, 17, 21, 29 and 30 push an error code. */
.macro EXCEPTION_STUB vec
	.balign 16
exception_stub_\vec:
	.if !((\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || \
	      (\vec == 21) || (\vec == 29) || (\vec == 30))
	push	$0
	.endif
	push	$\vec
	jmp	exception_common
.endm

	.altmacro
.macro EXCEPTION_STUBS from=0, to=31
	EXCEPTION_STUB %(\from)
	.if \to - \from
	EXCEPTION_STUBS %(\from + 1), \to
	.endif
.endm
	EXCEPTION_STUBS

exception_common:
	SAVE_GPRS
	mov	%rsp, %rdi
	call	do_early_exception
	ud2

.macro STUB_ADDR vec
	.quad	exception_stub_\vec
.endm
.macro STUB_ADDRS from=0, to=31
	STUB_ADDR %(\from)
	.if \to - \from
	STUB_ADDRS %(\from + 1), \to
	.endif
.endm
	.noaltmacro

	.section .rodata, "a", @progbits
	.balign 8
	.globl exception_stubs
exception_stubs:
	.altmacro
	STUB_ADDRS
	.noaltmacro

/* void x86_capture_regs(struct cpu_regs *regs): the caller's registers. */
	.text
	.globl x86_capture_regs
x86_capture_regs:
	mov	%r15, 0x00(%rdi)
	mov	%r14, 0x08(%rdi)
	mov	%r13, 0x10(%rdi)
	mov	%r12, 0x18(%rdi)
	mov	%r11, 0x20(%rdi)
	mov	%r10, 0x28(%rdi)
	mov	%r9, 0x30(%rdi)
	mov	%r8, 0x38(%rdi)
	mov	%rbp, 0x40(%rdi)
	mov	%rdi, 0x48(%rdi)
	mov	%rsi, 0x50(%rdi)
	mov	%rdx, 0x58(%rdi)
	mov	%rcx, 0x60(%rdi)
	mov	%rbx, 0x68(%rdi)
	mov	%rax, 0x70(%rdi)
	movq	$-1, 0x78(%rdi)		/* vector: none */
	movq	$0, 0x80(%rdi)
	mov	(%rsp), %rax
	mov	%rax, 0x88(%rdi)	/* rip: our return address */
	mov	%cs, %eax
	mov	%rax, 0x90(%rdi)
	pushf
	pop	%rax
	mov	%rax, 0x98(%rdi)
	lea	8(%rsp), %rax
	mov	%rax, 0xa0(%rdi)	/* rsp as the caller sees it */
	mov	%ss, %eax
	mov	%rax, 0xa8(%rdi)
	mov	0x70(%rdi), %rax
	ret
