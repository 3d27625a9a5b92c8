/*
 * The core of the guest-visible interface: hypercall numbers, virtual IRQs,
 * the page-table and multicall argument formats, the per-vCPU and
 * per-domain shared pages, and the start-of-day information handed to a PV
 * domain. Numbers and layouts are Xen's (x86-64, Xen 4.17).
 */
#ifndef XEN_PUBLIC_XEN_H
#define XEN_PUBLIC_XEN_H

#include "xen-compat.h"
#include "arch-x86/xen.h"

/* Hypercall numbers, passed in rax. */
#define __HYPERVISOR_set_trap_table		   0
#define __HYPERVISOR_mmu_update			   1
#define __HYPERVISOR_set_gdt			   2
#define __HYPERVISOR_stack_switch		   3
#define __HYPERVISOR_set_callbacks		   4
#define __HYPERVISOR_fpu_taskswitch		   5
#define __HYPERVISOR_sched_op_compat		   6
#define __HYPERVISOR_platform_op		   7
#define __HYPERVISOR_set_debugreg		   8
#define __HYPERVISOR_get_debugreg		   9
#define __HYPERVISOR_update_descriptor		   10
#define __HYPERVISOR_memory_op			   12
#define __HYPERVISOR_multicall			   13
#define __HYPERVISOR_update_va_mapping		   14
#define __HYPERVISOR_set_timer_op		   15
#define __HYPERVISOR_event_channel_op_compat	   16
#define __HYPERVISOR_xen_version		   17
#define __HYPERVISOR_console_io			   18
#define __HYPERVISOR_physdev_op_compat		   19
#define __HYPERVISOR_grant_table_op		   20
#define __HYPERVISOR_vm_assist			   21
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_iret			   23
#define __HYPERVISOR_vcpu_op			   24
#define __HYPERVISOR_set_segment_base		   25
#define __HYPERVISOR_mmuext_op			   26
#define __HYPERVISOR_xsm_op			   27
#define __HYPERVISOR_nmi_op			   28
#define __HYPERVISOR_sched_op			   29
#define __HYPERVISOR_callback_op		   30
#define __HYPERVISOR_xenoprof_op		   31
#define __HYPERVISOR_event_channel_op		   32
#define __HYPERVISOR_physdev_op			   33
#define __HYPERVISOR_hvm_op			   34
#define __HYPERVISOR_sysctl			   35
#define __HYPERVISOR_domctl			   36
#define __HYPERVISOR_kexec_op			   37
#define __HYPERVISOR_tmem_op			   38
#define __HYPERVISOR_argo_op			   39
#define __HYPERVISOR_xenpmu_op			   40
#define __HYPERVISOR_dm_op			   41
#define __HYPERVISOR_hypfs_op			   42

/* Eight numbers are left to each architecture. */
#define __HYPERVISOR_arch_0 48
#define __HYPERVISOR_arch_1 49
#define __HYPERVISOR_arch_2 50
#define __HYPERVISOR_arch_3 51
#define __HYPERVISOR_arch_4 52
#define __HYPERVISOR_arch_5 53
#define __HYPERVISOR_arch_6 54
#define __HYPERVISOR_arch_7 55

/* Older names of the same numbers. */
#define __HYPERVISOR_dom0_op		__HYPERVISOR_platform_op
#define __HYPERVISOR_mca		__HYPERVISOR_arch_0
#define __HYPERVISOR_paging_domctl_cont __HYPERVISOR_arch_1

/*
 * Virtual IRQs, bound to event channels with EVTCHNOP_bind_virq. Per-vCPU
 * ones (TIMER, DEBUG, XENOPROF, XENPMU) are bound once on each vCPU;
 * global ones once per domain, initially on vCPU 0. 5 is unused.
 */
#define VIRQ_TIMER	0  /* per vCPU: the single-shot or periodic timer */
#define VIRQ_DEBUG	1  /* per vCPU: dump debug state */
#define VIRQ_CONSOLE	2  /* input on the hypervisor console */
#define VIRQ_DOM_EXC	3  /* a domain crashed, or needs attention */
#define VIRQ_TBUF	4  /* trace records are available */
#define VIRQ_DEBUGGER	6  /* a domain paused for the debugger */
#define VIRQ_XENOPROF	7  /* per vCPU: profiling sample ready */
#define VIRQ_CON_RING	8  /* hypervisor console ring has data */
#define VIRQ_PCPU_STATE 9  /* a physical CPU came or went */
#define VIRQ_MEM_EVENT	10 /* a memory event is pending */
#define VIRQ_ARGO	11 /* Argo message notification */
#define VIRQ_ENOMEM	12 /* the hypervisor heap runs low */
#define VIRQ_XENPMU	13 /* per vCPU: performance counter interrupt */

#define VIRQ_ARCH_0 16
#define VIRQ_ARCH_1 17
#define VIRQ_ARCH_2 18
#define VIRQ_ARCH_3 19
#define VIRQ_ARCH_4 20
#define VIRQ_ARCH_5 21
#define VIRQ_ARCH_6 22
#define VIRQ_ARCH_7 23

/* Citadel: the IOMMU refused a DMA by a device the domain owns (global). */
#define VIRQ_CITADEL_DMA_FAULT VIRQ_ARCH_0

#define NR_VIRQS 24

/*
 * mmu_update(reqs, count, done, foreigndom): each request names a target by
 * machine address in ptr, with the command in ptr's low two bits.
 */
#define MMU_NORMAL_PT_UPDATE	   0 /* checked write of a page-table entry */
#define MMU_MACHPHYS_UPDATE	   1 /* set the m2p entry of a frame */
#define MMU_PT_UPDATE_PRESERVE_AD  2 /* as 0, keeping accessed/dirty bits */
#define MMU_PT_UPDATE_NO_TRANSLATE 3 /* as 0, val holds a machine frame */

#ifndef __ASSEMBLY__
struct mmu_update {
	uint64_t ptr; /* machine address of the entry, | MMU_* */
	uint64_t val; /* its new contents */
};
typedef struct mmu_update mmu_update_t;
DEFINE_XEN_GUEST_HANDLE(mmu_update_t);
XEN_ABI_SIZE(struct mmu_update, 16);
#endif

/* mmuext_op(ops, count, done, foreigndom) commands. */
#define MMUEXT_PIN_L1_TABLE	  0
#define MMUEXT_PIN_L2_TABLE	  1
#define MMUEXT_PIN_L3_TABLE	  2
#define MMUEXT_PIN_L4_TABLE	  3
#define MMUEXT_UNPIN_TABLE	  4
#define MMUEXT_NEW_BASEPTR	  5
#define MMUEXT_TLB_FLUSH_LOCAL	  6
#define MMUEXT_INVLPG_LOCAL	  7
#define MMUEXT_TLB_FLUSH_MULTI	  8
#define MMUEXT_INVLPG_MULTI	  9
#define MMUEXT_TLB_FLUSH_ALL	  10
#define MMUEXT_INVLPG_ALL	  11
#define MMUEXT_FLUSH_CACHE	  12
#define MMUEXT_SET_LDT		  13
#define MMUEXT_NEW_USER_BASEPTR	  15
#define MMUEXT_CLEAR_PAGE	  16
#define MMUEXT_COPY_PAGE	  17
#define MMUEXT_FLUSH_CACHE_GLOBAL 18
#define MMUEXT_MARK_SUPER	  19
#define MMUEXT_UNMARK_SUPER	  20

#ifndef __ASSEMBLY__
struct mmuext_op {
	unsigned int cmd; /* MMUEXT_* */
	uint32_t _pad0;
	union {
		xen_pfn_t mfn;		 /* pin, unpin, baseptr, page ops */
		xen_ulong_t linear_addr; /* invlpg, set_ldt */
	} arg1;
	union {
		unsigned int nr_ents;		       /* set_ldt */
		XEN_GUEST_HANDLE(const_void) vcpumask; /* *_MULTI */
		xen_pfn_t src_mfn;		       /* copy_page */
	} arg2;
};
typedef struct mmuext_op mmuext_op_t;
DEFINE_XEN_GUEST_HANDLE(mmuext_op_t);
XEN_ABI_SIZE(struct mmuext_op, 24);
XEN_ABI_OFFSET(struct mmuext_op, arg1, 8);
XEN_ABI_OFFSET(struct mmuext_op, arg2, 16);
#endif

/*
 * update_va_mapping flags: which TLB flush follows the update. For
 * UVMF_MULTI, OR in a pointer to a vCPU bitmap; UVMF_LOCAL is UVMF_MULTI
 * with no bitmap.
 */
#define UVMF_NONE	    (xen_mk_ulong(0) << 0)
#define UVMF_TLB_FLUSH	    (xen_mk_ulong(1) << 0)
#define UVMF_INVLPG	    (xen_mk_ulong(2) << 0)
#define UVMF_FLUSHTYPE_MASK (xen_mk_ulong(3) << 0)
#define UVMF_MULTI	    (xen_mk_ulong(0) << 2)
#define UVMF_LOCAL	    (xen_mk_ulong(0) << 2)
#define UVMF_ALL	    (xen_mk_ulong(1) << 2)

/* console_io(cmd, count, buffer) */
#define CONSOLEIO_write 0
#define CONSOLEIO_read	1

/* vm_assist(cmd, type) */
#define VMASST_CMD_enable		 0
#define VMASST_CMD_disable		 1
#define VMASST_TYPE_4gb_segments	 0
#define VMASST_TYPE_4gb_segments_notify	 1
#define VMASST_TYPE_writable_pagetables	 2
#define VMASST_TYPE_pae_extended_cr3	 3
#define VMASST_TYPE_architectural_iopl	 4
#define VMASST_TYPE_runstate_update_flag 5
#define VMASST_TYPE_m2p_strict		 32

/*
 * Domain ids. Ids from DOMID_FIRST_RESERVED up name no ordinary domain;
 * DOMID_SELF in an argument means the caller.
 */
#ifndef __ASSEMBLY__
typedef uint16_t domid_t;
#endif

#define DOMID_FIRST_RESERVED 0x7ff0
#define DOMID_SELF	     0x7ff0
#define DOMID_IO	     0x7ff1 /* owner of I/O memory */
#define DOMID_XEN	     0x7ff2 /* the hypervisor */
#define DOMID_COW	     0x7ff3 /* owner of shared copy-on-write pages */
#define DOMID_INVALID	     0x7ff4 /* no domain */
#define DOMID_IDLE	     0x7fff /* the idle vCPUs */
#define DOMID_MASK	     0x7fff

#ifndef __ASSEMBLY__
/* An event channel port number (also see event_channel.h). */
typedef uint32_t evtchn_port_t;
DEFINE_XEN_GUEST_HANDLE(evtchn_port_t);

/* The multicall hypercall runs an array of these, filling in result. */
struct multicall_entry {
	xen_ulong_t op;
	xen_ulong_t result;
	xen_ulong_t args[6];
};
typedef struct multicall_entry multicall_entry_t;
DEFINE_XEN_GUEST_HANDLE(multicall_entry_t);
XEN_ABI_SIZE(struct multicall_entry, 64);
XEN_ABI_OFFSET(struct multicall_entry, args, 16);
#endif

/* Ports of the 2-level event channel ABI: 64 x 64 on x86-64. */
#define EVTCHN_2L_NR_CHANNELS (sizeof(xen_ulong_t) * sizeof(xen_ulong_t) * 64)

#ifndef __ASSEMBLY__
/*
 * Per-vCPU time (pvclock). The hypervisor makes version odd, updates the
 * other fields, then makes it even again; a reader retries until it reads
 * the same even version before and after. Time now, in ns since boot:
 *   system_time + (((tsc - tsc_timestamp) << tsc_shift) * tsc_to_system_mul
 *                  >> 32)
 * with a negative tsc_shift meaning a right shift.
 */
struct vcpu_time_info {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp; /* TSC at the last update */
	uint64_t system_time;	/* ns since boot at the last update */
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags; /* XEN_PVCLOCK_* */
	uint8_t pad1[2];
};
typedef struct vcpu_time_info vcpu_time_info_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_time_info_t);
XEN_ABI_SIZE(struct vcpu_time_info, 32);
XEN_ABI_OFFSET(struct vcpu_time_info, tsc_timestamp, 8);
XEN_ABI_OFFSET(struct vcpu_time_info, system_time, 16);
XEN_ABI_OFFSET(struct vcpu_time_info, tsc_to_system_mul, 24);
XEN_ABI_OFFSET(struct vcpu_time_info, tsc_shift, 28);
XEN_ABI_OFFSET(struct vcpu_time_info, flags, 29);
#endif

#define XEN_PVCLOCK_TSC_STABLE_BIT (1 << 0) /* TSC is synchronised */
#define XEN_PVCLOCK_GUEST_STOPPED  (1 << 1) /* vCPU was paused by tools */

#ifndef __ASSEMBLY__
/*
 * Per-vCPU event state. The hypervisor sets evtchn_upcall_pending and the
 * bit of the pending word in evtchn_pending_sel, then upcalls unless
 * evtchn_upcall_mask is set. The guest clears pending before it scans, so
 * that no event is lost in between.
 */
struct vcpu_info {
	uint8_t evtchn_upcall_pending;
	uint8_t evtchn_upcall_mask;
	uint8_t _pad0[6];
	xen_ulong_t evtchn_pending_sel;
	struct arch_vcpu_info arch;
	struct vcpu_time_info time;
};
typedef struct vcpu_info vcpu_info_t;
XEN_ABI_SIZE(struct vcpu_info, 64);
XEN_ABI_OFFSET(struct vcpu_info, evtchn_upcall_mask, 1);
XEN_ABI_OFFSET(struct vcpu_info, evtchn_pending_sel, 8);
XEN_ABI_OFFSET(struct vcpu_info, arch, 16);
XEN_ABI_OFFSET(struct vcpu_info, time, 32);

/*
 * The page shared by the hypervisor and a domain (PV: its machine address
 * is in start_info; HVM/PVH: mapped with XENMEM_add_to_physmap). It holds
 * the legacy vcpu_info slots, the 2-level event channel bitmaps (a port is
 * delivered when pending goes 0 -> 1 while its mask bit is clear), and the
 * wall clock at system time 0, versioned like vcpu_time_info.
 */
struct shared_info {
	vcpu_info_t vcpu_info[XEN_LEGACY_MAX_VCPUS];
	xen_ulong_t evtchn_pending[sizeof(xen_ulong_t) * 8];
	xen_ulong_t evtchn_mask[sizeof(xen_ulong_t) * 8];
	uint32_t wc_version;
	uint32_t wc_sec;
	uint32_t wc_nsec;
	uint32_t wc_sec_hi;
	arch_shared_info_t arch;
};
typedef struct shared_info shared_info_t;
XEN_ABI_SIZE(struct shared_info, 3136);
XEN_ABI_OFFSET(struct shared_info, evtchn_pending, 2048);
XEN_ABI_OFFSET(struct shared_info, evtchn_mask, 2560);
XEN_ABI_OFFSET(struct shared_info, wc_version, 3072);
XEN_ABI_OFFSET(struct shared_info, wc_sec, 3076);
XEN_ABI_OFFSET(struct shared_info, wc_nsec, 3080);
XEN_ABI_OFFSET(struct shared_info, wc_sec_hi, 3084);
XEN_ABI_OFFSET(struct shared_info, arch, 3088);
#endif

#define xen_wc_sec_hi wc_sec_hi

/*
 * Start-of-day information for a PV domain, on a page the builder maps for
 * it (rsi points at it on entry). Addresses called virtual are in the
 * domain's initial address space; frames are machine frames.
 */
#define XEN_START_INFO_MAGIC "xen-3.0-x86_64"
#define MAX_GUEST_CMDLINE    1024

#ifndef __ASSEMBLY__
struct start_info {
	char magic[32];		 /* "xen-<version>-<platform>" */
	xen_ulong_t nr_pages;	 /* pages the domain owns */
	xen_ulong_t shared_info; /* machine address of shared_info */
	uint32_t flags;		 /* SIF_* */
	uint32_t _pad0;
	xen_pfn_t store_mfn;   /* xenstore ring */
	uint32_t store_evtchn; /* and its event channel */
	uint32_t _pad1;
	union {
		struct {
			xen_pfn_t mfn;	 /* console ring */
			uint32_t evtchn; /* and its event channel */
			uint32_t _pad;
		} domU;
		struct {
			uint32_t info_off; /* offset of dom0_vga_console_info */
			uint32_t info_size; /* and its size */
		} dom0;
	} console;
	xen_ulong_t pt_base;	  /* virtual address of the top page table */
	xen_ulong_t nr_pt_frames; /* frames of initial page tables */
	xen_ulong_t mfn_list;	  /* virtual address of the p2m list */
	xen_ulong_t mod_start;	  /* initial module: virtual address or pfn */
	xen_ulong_t mod_len;	  /* and its length in bytes */
	int8_t cmd_line[MAX_GUEST_CMDLINE];
	xen_ulong_t first_p2m_pfn; /* first pfn of the initial p2m table */
	xen_ulong_t nr_p2m_frames; /* and its frames */
};
typedef struct start_info start_info_t;
XEN_ABI_SIZE(struct start_info, 1168);
XEN_ABI_OFFSET(struct start_info, nr_pages, 32);
XEN_ABI_OFFSET(struct start_info, shared_info, 40);
XEN_ABI_OFFSET(struct start_info, flags, 48);
XEN_ABI_OFFSET(struct start_info, store_mfn, 56);
XEN_ABI_OFFSET(struct start_info, store_evtchn, 64);
XEN_ABI_OFFSET(struct start_info, console, 72);
XEN_ABI_OFFSET(struct start_info, console.domU.evtchn, 80);
XEN_ABI_OFFSET(struct start_info, console.dom0.info_size, 76);
XEN_ABI_OFFSET(struct start_info, pt_base, 88);
XEN_ABI_OFFSET(struct start_info, mfn_list, 104);
XEN_ABI_OFFSET(struct start_info, mod_start, 112);
XEN_ABI_OFFSET(struct start_info, cmd_line, 128);
XEN_ABI_OFFSET(struct start_info, first_p2m_pfn, 1152);
XEN_ABI_OFFSET(struct start_info, nr_p2m_frames, 1160);
#endif

/* start_info.flags (also hvm_start_info.flags) */
#define SIF_PRIVILEGED	    (1 << 0)	/* may use privileged operations */
#define SIF_INITDOMAIN	    (1 << 1)	/* is the initial control domain */
#define SIF_MULTIBOOT_MOD   (1 << 2)	/* mod_start is a multiboot list */
#define SIF_MOD_START_PFN   (1 << 3)	/* mod_start is a pfn, not an address */
#define SIF_VIRT_P2M_4TOOLS (1 << 4)	/* tools need the virtual p2m list */
#define SIF_PM_MASK	    (0xff << 8) /* power-management bits */

#ifndef __ASSEMBLY__
/*
 * With SIF_MULTIBOOT_MOD, the initial module is a package that starts with
 * an array of these; their addresses are byte offsets from the start of
 * the package, and an entry with mod_start == 0 ends the array.
 */
struct xen_multiboot_mod_list {
	uint32_t mod_start; /* first byte of the module */
	uint32_t mod_end;   /* last byte of the module, inclusive */
	uint32_t cmdline;   /* its NUL-terminated command line */
	uint32_t pad;	    /* zero */
};
XEN_ABI_SIZE(struct xen_multiboot_mod_list, 16);

/* An opaque 16-byte domain handle (a UUID, by the tools' convention). */
typedef uint8_t xen_domain_handle_t[16];

__DEFINE_XEN_GUEST_HANDLE(uint8, uint8_t);
__DEFINE_XEN_GUEST_HANDLE(uint16, uint16_t);
__DEFINE_XEN_GUEST_HANDLE(uint32, uint32_t);
__DEFINE_XEN_GUEST_HANDLE(uint64, uint64_t);
#endif

#endif /* XEN_PUBLIC_XEN_H */
