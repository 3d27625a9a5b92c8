/*
 * Copies between the hypervisor and the running PV domain's half of the
 * address space, through the MMU: the domain's own page tables translate
 * and check each access as they would its own (present, user, writable).
 * A page fault inside the copy is not the hypervisor's: traps.c resumes
 * it at the fixup, which reports the failure (guest-access.c turns that
 * into -EFAULT). SMAP is lifted for the copy alone where the CPU has it.
 *
 * size_t x86_copy_guest(void *dst, const void *src, size_t len)
 *	0 when all of it was copied, non-zero when a fault stopped it.
 */

	.text

	.globl x86_copy_guest
x86_copy_guest:
	mov	%rdx, %rcx
	shr	$3, %rcx
	and	$7, %edx
	testb	$1, x86_smap(%rip)
	jz	1f
	stac
1:
	.globl x86_copy_guest_start
x86_copy_guest_start:
	rep movsq
	mov	%rdx, %rcx
	rep movsb
	.globl x86_copy_guest_end
x86_copy_guest_end:
	xor	%eax, %eax
	jmp	2f

	.globl x86_copy_guest_fixup
x86_copy_guest_fixup:
	mov	$1, %eax
2:
	testb	$1, x86_smap(%rip)
	jz	3f
	clac
3:
	ret
