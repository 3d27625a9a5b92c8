/*
 * Entry of a small PV domain (Xen's x86-64 PV ABI): ring 3, interrupts
 * on, rsp on the boot stack the builder made, rsi = start_info.
 * The hypervisor writes the hypercall page; the notes say where it is.
 */
#include <public/elfnote.h>

	.section .text.head, "ax", @progbits
	.globl _start
_start:
	cld
	xor	%ebp, %ebp
	mov	%rsi, %rdi
	and	$~15, %rsp
	call	stub_start
	ud2

	.section .text.hypercall_page, "ax", @progbits
	.balign 4096
	.globl hypercall_page
hypercall_page:
	.skip	4096

.macro XEN_NOTE type, desc_start, desc_end
	.balign 4
	.long	4
	.long	\desc_end - \desc_start
	.long	\type
	.asciz	"Xen"
	.balign 4
.endm

	.section .note.Xen, "a", @note
	XEN_NOTE XEN_ELFNOTE_GUEST_OS, 1f, 2f
1:	.asciz	"Citadel-stubdom"
2:	XEN_NOTE XEN_ELFNOTE_XEN_VERSION, 1f, 2f
1:	.asciz	"xen-3.0"
2:	XEN_NOTE XEN_ELFNOTE_LOADER, 1f, 2f
1:	.asciz	"generic"
2:	XEN_NOTE XEN_ELFNOTE_HYPERCALL_PAGE, 1f, 2f
1:	.quad	hypercall_page
2:	XEN_NOTE XEN_ELFNOTE_ENTRY, 1f, 2f
1:	.quad	_start
2:	.balign 4
