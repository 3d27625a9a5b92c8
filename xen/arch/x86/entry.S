/*
 * Interrupt and exception entry. Each of the 256 vectors has a 16-byte
 * stub that pushes an error code (a zero where the CPU pushes none) and
 * its vector, then joins the common path, which saves the general
 * registers as a struct cpu_regs (asm/regs.h), calls x86_dispatch() and
 * returns with iretq.
 */
#include <xen/const.h>
#include <asm/percpu.h>
#include <asm/x86-defs.h>




	.text

/* Vectors 8, 10-14, 17, 21, 29 and 30 have a CPU-pushed error code. */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || \
			   (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.balign 16
	.globl x86_entry_stubs
x86_entry_stubs:
	vector = 0
	.rept 256
	.balign 16
	.if !HAS_ERROR_CODE(vector)
	push	$0
	.endif
	push	$vector
	jmp	x86_entry_common
	vector = vector + 1
	.endr

/*
 * syscall from ring 3 (a hypercall): interrupts are off (SYSCALL_MASK)
 * and rsp is the guest's. Find this CPU's stack through KERNEL_GS_BASE,
 * build the frame an interrupt from ring 3 would have, and join the
 * common path; the guest's %gs is back before anything can interrupt.
 */
	.balign 16
	.globl x86_syscall_entry
x86_syscall_entry:
	swapgs
	mov	%rsp, %gs:PERCPU_GUEST_RSP
	mov	%gs:PERCPU_STACK_TOP, %rsp
	pushq	$FLAT_RING3_DS			/* ss */
	pushq	%gs:PERCPU_GUEST_RSP		/* rsp */
	swapgs
	push	%r11				/* rflags */
	pushq	$FLAT_RING3_CS64		/* cs */
	push	%rcx				/* rip */
	pushq	$0				/* error code */
	pushq	$SYSCALL_VECTOR
	jmp	x86_entry_common

/* void switch_stack(uint64_t top, void (*fn)(void)): never returns. */
	.globl switch_stack
switch_stack:
	mov	%rdi, %rsp
	xor	%ebp, %ebp
	call	*%rsi
	ud2

/* Return to the frame at rsp (a struct cpu_regs): for entering a vCPU. */
	.globl x86_return_to_frame
x86_return_to_frame:
	mov	%rdi, %rsp
	jmp	x86_restore_frame

x86_entry_common:
	/*
	 * The CPU keeps EFLAGS.AC across an interrupt or exception, and a
	 * domain may set it in ring 3: the hypervisor must not run with
	 * SMAP lifted for it. (SYSCALL clears it through SYSCALL_MASK; iretq
	 * gives the interrupted code its own back.)
	 */
	testb	$1, x86_smap(%rip)
	jz	1f
	clac
1:
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
	cld
	mov	%rsp, %rdi
	call	x86_dispatch
x86_restore_frame:
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
	iretq

/* void x86_capture_regs(struct cpu_regs *regs): the caller's registers. */
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
