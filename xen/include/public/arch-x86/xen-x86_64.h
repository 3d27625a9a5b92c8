/*
 * The x86-64 half of the paravirtual interface: the flat segments a PV
 * domain may use, the part of the address space the hypervisor keeps, and
 * the register frames of the upcall and iret paths.
 *
 * Hypercalls take their number in rax and up to six arguments in rdi, rsi,
 * rdx, r10, r8 and r9; the result comes back in rax. A PV domain calls into
 * its hypercall page at offset 32 * number; an HVM or PVH domain may issue
 * VMCALL (Intel) or VMMCALL (AMD) directly.
 */
#ifndef XEN_PUBLIC_ARCH_X86_XEN_X86_64_H
#define XEN_PUBLIC_ARCH_X86_XEN_X86_64_H

#include "../xen-compat.h"

/*
 * Flat selectors from the hypervisor-reserved GDT page (entries 260-262),
 * there for a PV domain that installs no GDT of its own. A 64-bit PV kernel
 * runs in ring 3, so kernel and user share them; 64-bit data segments need
 * no descriptor at all, hence the null DS64.
 */
#define FLAT_RING3_CS32 0xe023
#define FLAT_RING3_CS64 0xe033
#define FLAT_RING3_DS32 0xe02b
#define FLAT_RING3_DS64 0x0000
#define FLAT_RING3_SS32 0xe02b
#define FLAT_RING3_SS64 0xe02b

#define FLAT_KERNEL_DS64 FLAT_RING3_DS64
#define FLAT_KERNEL_DS32 FLAT_RING3_DS32
#define FLAT_KERNEL_DS	 FLAT_KERNEL_DS64
#define FLAT_KERNEL_CS64 FLAT_RING3_CS64
#define FLAT_KERNEL_CS32 FLAT_RING3_CS32
#define FLAT_KERNEL_CS	 FLAT_KERNEL_CS64
#define FLAT_KERNEL_SS64 FLAT_RING3_SS64
#define FLAT_KERNEL_SS32 FLAT_RING3_SS32
#define FLAT_KERNEL_SS	 FLAT_KERNEL_SS64

#define FLAT_USER_DS64 FLAT_RING3_DS64
#define FLAT_USER_DS32 FLAT_RING3_DS32
#define FLAT_USER_DS   FLAT_USER_DS64
#define FLAT_USER_CS64 FLAT_RING3_CS64
#define FLAT_USER_CS32 FLAT_RING3_CS32
#define FLAT_USER_CS   FLAT_USER_CS64
#define FLAT_USER_SS64 FLAT_RING3_SS64
#define FLAT_USER_SS32 FLAT_RING3_SS32
#define FLAT_USER_SS   FLAT_USER_SS64

/*
 * The hypervisor owns [HYPERVISOR_VIRT_START, HYPERVISOR_VIRT_END) of every
 * PV address space. Its first 256 GiB hold the read-only machine-to-phys
 * table a PV guest may read directly (one 8-byte entry per machine frame).
 */
#define __HYPERVISOR_VIRT_START 0xFFFF800000000000
#define __HYPERVISOR_VIRT_END	0xFFFF880000000000
#define __MACH2PHYS_VIRT_START	0xFFFF800000000000
#define __MACH2PHYS_VIRT_END	0xFFFF804000000000

#define HYPERVISOR_VIRT_START xen_mk_ulong(0xFFFF800000000000)
#define HYPERVISOR_VIRT_END   xen_mk_ulong(0xFFFF880000000000)
#define MACH2PHYS_VIRT_START  xen_mk_ulong(0xFFFF800000000000)
#define MACH2PHYS_VIRT_END    xen_mk_ulong(0xFFFF804000000000)
#define MACH2PHYS_NR_ENTRIES  ((MACH2PHYS_VIRT_END - MACH2PHYS_VIRT_START) >> 3)
#ifndef machine_to_phys_mapping
#define machine_to_phys_mapping ((unsigned long *)HYPERVISOR_VIRT_START)
#endif

/* Which base set_segment_base (hypercall 25) writes. */
#define SEGBASE_FS	    0
#define SEGBASE_GS_USER	    1
#define SEGBASE_GS_KERNEL   2
#define SEGBASE_GS_USER_SEL 3 /* load the user %gs selector from base[15:0] */

/*
 * The iret hypercall (23) pops this frame from the guest stack, lowest
 * address first, and returns through it. With VGCF_in_syscall in flags the
 * return path is the SYSRET one and rcx/r11 are not restored.
 */
#define _VGCF_in_syscall 8
#define VGCF_in_syscall	 (1 << _VGCF_in_syscall)
#define VGCF_IN_SYSCALL	 VGCF_in_syscall

#ifndef __ASSEMBLY__
struct iret_context {
	uint64_t rax;
	uint64_t r11;
	uint64_t rcx;
	uint64_t flags; /* VGCF_in_syscall */
	uint64_t rip;
	uint64_t cs;
	uint64_t rflags;
	uint64_t rsp;
	uint64_t ss;
};
XEN_ABI_SIZE(struct iret_context, 72);
XEN_ABI_OFFSET(struct iret_context, flags, 24);
XEN_ABI_OFFSET(struct iret_context, rip, 32);
XEN_ABI_OFFSET(struct iret_context, ss, 64);

/*
 * A vCPU's general registers as the hypervisor saves them, in Xen's order.
 * error_code and entry_vector are the hypervisor's own; selectors sit in
 * 8-byte slots. saved_upcall_mask carries the event mask across a bounce:
 * a guest's rflags.IF reads as its inverse.
 */
struct cpu_user_regs {
	uint64_t r15;
	uint64_t r14;
	uint64_t r13;
	uint64_t r12;
	uint64_t rbp;
	uint64_t rbx;
	uint64_t r11;
	uint64_t r10;
	uint64_t r9;
	uint64_t r8;
	uint64_t rax;
	uint64_t rcx;
	uint64_t rdx;
	uint64_t rsi;
	uint64_t rdi;
	uint32_t error_code;
	uint32_t entry_vector;
	uint64_t rip;
	uint16_t cs, _pad0[1];
	uint8_t saved_upcall_mask;
	uint8_t _pad1[3];
	uint64_t rflags;
	uint64_t rsp;
	uint16_t ss, _pad2[3];
	uint16_t es, _pad3[3];
	uint16_t ds, _pad4[3];
	uint16_t fs, _pad5[3]; /* non-null: takes precedence over fs_base */
	uint16_t gs,
	    _pad6[3]; /* non-null: takes precedence over gs_base_user */
};
typedef struct cpu_user_regs cpu_user_regs_t;
XEN_ABI_SIZE(struct cpu_user_regs, 200);
XEN_ABI_OFFSET(struct cpu_user_regs, rbp, 32);
XEN_ABI_OFFSET(struct cpu_user_regs, rax, 80);
XEN_ABI_OFFSET(struct cpu_user_regs, rdi, 112);
XEN_ABI_OFFSET(struct cpu_user_regs, error_code, 120);
XEN_ABI_OFFSET(struct cpu_user_regs, entry_vector, 124);
XEN_ABI_OFFSET(struct cpu_user_regs, rip, 128);
XEN_ABI_OFFSET(struct cpu_user_regs, cs, 136);
XEN_ABI_OFFSET(struct cpu_user_regs, saved_upcall_mask, 140);
XEN_ABI_OFFSET(struct cpu_user_regs, rflags, 144);
XEN_ABI_OFFSET(struct cpu_user_regs, rsp, 152);
XEN_ABI_OFFSET(struct cpu_user_regs, ss, 160);
XEN_ABI_OFFSET(struct cpu_user_regs, es, 168);
XEN_ABI_OFFSET(struct cpu_user_regs, ds, 176);
XEN_ABI_OFFSET(struct cpu_user_regs, fs, 184);
XEN_ABI_OFFSET(struct cpu_user_regs, gs, 192);

/* The architectural part of struct vcpu_info: the fault address of a #PF. */
struct arch_vcpu_info {
	uint64_t cr2;
	uint64_t pad; /* makes struct vcpu_info 64 bytes */
};
typedef struct arch_vcpu_info arch_vcpu_info_t;
XEN_ABI_SIZE(struct arch_vcpu_info, 16);

/* On x86-64 a callback is just its entry address (code segment implied). */
typedef uint64_t xen_callback_t;
#endif

#endif /* XEN_PUBLIC_ARCH_X86_XEN_X86_64_H */
