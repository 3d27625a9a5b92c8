/*
 * Entries from the hypervisor's bounce frames (see xen/arch/x86/pv/
 * callback.c): pop rcx and r11, save the rest as a struct stub_regs, call
 * C, and return through the iret hypercall, never IRETQ in ring 3.
 */
#include <public/xen.h>

.macro SAVE_REGS
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

.macro RESTORE_REGS_AND_IRET
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	add	$16, %rsp		/* vector and error code */
	pushq	$0			/* iret_context.flags */
	jmp	hypercall_page + __HYPERVISOR_iret * 32
.endm

.macro TRAP_ENTRY name, vector, has_error
	.globl \name
\name:
	pop	%rcx
	pop	%r11
	.if !\has_error
	pushq	$0
	.endif
	pushq	$\vector
	SAVE_REGS
	mov	%rsp, %rdi
	call	stub_trap
	RESTORE_REGS_AND_IRET
.endm

	.text
	TRAP_ENTRY stub_entry_divide, 0, 0
	TRAP_ENTRY stub_entry_invalid_op, 6, 0
	TRAP_ENTRY stub_entry_gp, 13, 1
	TRAP_ENTRY stub_entry_page_fault, 14, 1
	TRAP_ENTRY stub_entry_event, 256, 0
