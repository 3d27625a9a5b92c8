/*
 * The x86 part of the interface shared by every domain type: guest
 * handles, the basic integer types, the PV trap table and vCPU context, and
 * the architectural tail of shared_info.
 */
#ifndef XEN_PUBLIC_ARCH_X86_XEN_H
#define XEN_PUBLIC_ARCH_X86_XEN_H

#include "../xen-compat.h"
#include "xen-x86_64.h"

/*
 * A guest handle is a guest virtual address wrapped in a one-member struct,
 * so that a handle to one type does not convert silently to a handle to
 * another. On x86-64 the member is a plain pointer: 8 bytes, 8-aligned.
 *
 * DEFINE_XEN_GUEST_HANDLE(foo_t) makes XEN_GUEST_HANDLE(foo_t) and
 * XEN_GUEST_HANDLE(const_foo_t); set_xen_guest_handle() fills one in.
 */
#define ___DEFINE_XEN_GUEST_HANDLE(name, type) \
	typedef struct {                       \
		type *p;                       \
	} __guest_handle_##name
#define __DEFINE_XEN_GUEST_HANDLE(name, type)   \
	___DEFINE_XEN_GUEST_HANDLE(name, type); \
	___DEFINE_XEN_GUEST_HANDLE(const_##name, const type)
#define DEFINE_XEN_GUEST_HANDLE(name) __DEFINE_XEN_GUEST_HANDLE(name, name)
#define __XEN_GUEST_HANDLE(name)      __guest_handle_##name
#define XEN_GUEST_HANDLE(name)	      __XEN_GUEST_HANDLE(name)
#define XEN_GUEST_HANDLE_PARAM(name)  XEN_GUEST_HANDLE(name)
#define XEN_GUEST_HANDLE_64(name)     XEN_GUEST_HANDLE(name)
#define set_xen_guest_handle_raw(hnd, val) \
	do {                               \
		(hnd).p = (val);           \
	} while (0)
#define set_xen_guest_handle(hnd, val) set_xen_guest_handle_raw(hnd, val)

/* Frame numbers and register-sized values: 64 bits on x86-64. */
#define PRI_xen_pfn   "lx"
#define PRI_xen_ulong "lx"
#ifndef __ASSEMBLY__
typedef uint64_t xen_pfn_t;
typedef uint64_t xen_ulong_t;

__DEFINE_XEN_GUEST_HANDLE(uchar, unsigned char);
__DEFINE_XEN_GUEST_HANDLE(uint, unsigned int);
DEFINE_XEN_GUEST_HANDLE(char);
DEFINE_XEN_GUEST_HANDLE(int);
DEFINE_XEN_GUEST_HANDLE(void);
DEFINE_XEN_GUEST_HANDLE(uint64_t);
DEFINE_XEN_GUEST_HANDLE(xen_pfn_t);
DEFINE_XEN_GUEST_HANDLE(xen_ulong_t);
XEN_ABI_SIZE(XEN_GUEST_HANDLE(void), 8);
XEN_ABI_SIZE(XEN_GUEST_HANDLE(xen_pfn_t), 8);
#endif

/* A CR3 value holds the frame number of the top-level page table. */
#define xen_pfn_to_cr3(pfn) ((uint64_t)(pfn) << 12)
#define xen_cr3_to_pfn(cr3) ((uint64_t)(cr3) >> 12)

/* shared_info carries a vcpu_info for the first 32 vCPUs only. */
#define XEN_LEGACY_MAX_VCPUS 32

/* This architecture has the PV entry and the per-vCPU upcall mask. */
#define XEN_HAVE_PV_GUEST_ENTRY 1
#define XEN_HAVE_PV_UPCALL_MASK 1

#ifndef __ASSEMBLY__
/*
 * One entry of a PV trap table (set_trap_table, or trap_ctxt below); a
 * table handed to set_trap_table ends with an entry whose address is 0.
 * flags[1:0] is the gate's DPL, the least privileged ring that may raise
 * the vector with INT n (0: none, 1 or 2: the guest kernel, 3: anyone);
 * flags bit 2 set masks events on entry, like an interrupt gate.
 */
struct trap_info {
	uint8_t vector;
	uint8_t flags;
	uint16_t cs;
	uint32_t _pad0;
	uint64_t address;
};
typedef struct trap_info trap_info_t;
DEFINE_XEN_GUEST_HANDLE(trap_info_t);
XEN_ABI_SIZE(struct trap_info, 16);
XEN_ABI_OFFSET(struct trap_info, cs, 2);
XEN_ABI_OFFSET(struct trap_info, address, 8);
#endif

#define TI_GET_DPL(_ti)	      ((_ti)->flags & 3)
#define TI_GET_IF(_ti)	      ((_ti)->flags & 4)
#define TI_SET_DPL(_ti, _dpl) ((_ti)->flags |= (_dpl))
#define TI_SET_IF(_ti, _if)   ((_ti)->flags |= ((!!(_if)) << 2))

/* vcpu_guest_context.flags */
#define VGCF_I387_VALID		       (1 << 0)
#define VGCF_IN_KERNEL		       (1 << 2)
#define _VGCF_i387_valid	       0
#define VGCF_i387_valid		       (1 << _VGCF_i387_valid)
#define _VGCF_in_kernel		       2
#define VGCF_in_kernel		       (1 << _VGCF_in_kernel)
#define _VGCF_failsafe_disables_events 3
#define VGCF_failsafe_disables_events  (1 << _VGCF_failsafe_disables_events)
#define _VGCF_syscall_disables_events  4
#define VGCF_syscall_disables_events   (1 << _VGCF_syscall_disables_events)
#define _VGCF_online		       5
#define VGCF_online		       (1 << _VGCF_online)

#ifndef __ASSEMBLY__
/*
 * The whole state of a PV vCPU, as VCPUOP_initialise and the control
 * domain's setvcpucontext load it. The FPU area comes first so it can be
 * 16-byte aligned for FXSAVE/FXRSTOR. The user page table of a 64-bit PV
 * domain goes in ctrlreg[1], the kernel one in ctrlreg[3].
 */
struct vcpu_guest_context {
	struct {
		char x[512];
	} fpu_ctxt;
	uint64_t flags; /* VGCF_* */
	struct cpu_user_regs user_regs;
	struct trap_info trap_ctxt[256];   /* the virtual IDT */
	uint64_t ldt_base, ldt_ents;	   /* linear address, entries */
	uint64_t gdt_frames[16], gdt_ents; /* machine frames, entries */
	uint64_t kernel_ss, kernel_sp;	   /* stack on entry from user mode */
	uint64_t ctrlreg[8];
	uint64_t debugreg[8];
	uint64_t event_callback_eip;
	uint64_t failsafe_callback_eip;
	uint64_t syscall_callback_eip;
	uint64_t vm_assist; /* bitmap of VMASST_TYPE_* */
	uint64_t fs_base;
	uint64_t gs_base_kernel;
	uint64_t gs_base_user;
};
typedef struct vcpu_guest_context vcpu_guest_context_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_guest_context_t);
XEN_ABI_SIZE(struct vcpu_guest_context, 5168);
XEN_ABI_OFFSET(struct vcpu_guest_context, flags, 512);
XEN_ABI_OFFSET(struct vcpu_guest_context, user_regs, 520);
XEN_ABI_OFFSET(struct vcpu_guest_context, trap_ctxt, 720);
XEN_ABI_OFFSET(struct vcpu_guest_context, ldt_base, 4816);
XEN_ABI_OFFSET(struct vcpu_guest_context, gdt_frames, 4832);
XEN_ABI_OFFSET(struct vcpu_guest_context, gdt_ents, 4960);
XEN_ABI_OFFSET(struct vcpu_guest_context, kernel_ss, 4968);
XEN_ABI_OFFSET(struct vcpu_guest_context, ctrlreg, 4984);
XEN_ABI_OFFSET(struct vcpu_guest_context, debugreg, 5048);
XEN_ABI_OFFSET(struct vcpu_guest_context, event_callback_eip, 5112);
XEN_ABI_OFFSET(struct vcpu_guest_context, syscall_callback_eip, 5128);
XEN_ABI_OFFSET(struct vcpu_guest_context, vm_assist, 5136);
XEN_ABI_OFFSET(struct vcpu_guest_context, fs_base, 5144);
XEN_ABI_OFFSET(struct vcpu_guest_context, gs_base_user, 5160);

/*
 * The architectural tail of shared_info: where a PV domain publishes its
 * physical-to-machine table for tools (as a 3-level frame list, or as a
 * linear list at p2m_vaddr in the address space rooted at p2m_cr3, whose
 * p2m_generation is odd while it changes), and the NMI reason byte.
 */
struct arch_shared_info {
	uint64_t max_pfn;
	xen_pfn_t pfn_to_mfn_frame_list_list;
	uint64_t nmi_reason;
	uint64_t p2m_cr3;
	uint64_t p2m_vaddr;
	uint64_t p2m_generation;
};
typedef struct arch_shared_info arch_shared_info_t;
XEN_ABI_SIZE(struct arch_shared_info, 48);
XEN_ABI_OFFSET(struct arch_shared_info, nmi_reason, 16);
XEN_ABI_OFFSET(struct arch_shared_info, p2m_generation, 40);
#endif

#endif /* XEN_PUBLIC_ARCH_X86_XEN_H */
