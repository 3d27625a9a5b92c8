/*
 * vCPU operations: vcpu_op(cmd, vcpuid, arg) (hypercall 24).
 */
#ifndef XEN_PUBLIC_VCPU_H
#define XEN_PUBLIC_VCPU_H

#include <stdint.h>
#include "xen-compat.h"
#include "xen.h"

#define VCPUOP_initialise		      0 /* vcpu_guest_context_t (PV) */
#define VCPUOP_up			      1
#define VCPUOP_down			      2
#define VCPUOP_is_up			      3
#define VCPUOP_get_runstate_info	      4 /* struct vcpu_runstate_info */
#define VCPUOP_register_runstate_memory_area  5
#define VCPUOP_set_periodic_timer	      6
#define VCPUOP_stop_periodic_timer	      7
#define VCPUOP_set_singleshot_timer	      8
#define VCPUOP_stop_singleshot_timer	      9
#define VCPUOP_register_vcpu_info	      10
#define VCPUOP_send_nmi			      11
#define VCPUOP_get_physid		      12
#define VCPUOP_register_vcpu_time_memory_area 13

/* What a vCPU is doing, and how long it spent in each state (ns). */
#define RUNSTATE_running  0 /* on a physical CPU */
#define RUNSTATE_runnable 1 /* ready, waiting for a CPU */
#define RUNSTATE_blocked  2 /* waiting for an event */
#define RUNSTATE_offline  3 /* down, or paused */

struct vcpu_runstate_info {
	int state; /* RUNSTATE_* */
	uint32_t _pad0;
	uint64_t state_entry_time; /* system time of entering state */
	uint64_t time[4];	   /* time spent in each state */
};
typedef struct vcpu_runstate_info vcpu_runstate_info_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_runstate_info_t);
XEN_ABI_SIZE(struct vcpu_runstate_info, 48);
XEN_ABI_OFFSET(struct vcpu_runstate_info, state_entry_time, 8);
XEN_ABI_OFFSET(struct vcpu_runstate_info, time, 16);

/*
 * With VMASST_TYPE_runstate_update_flag, this bit of state_entry_time is
 * set while the hypervisor updates a registered runstate area.
 */
#define XEN_RUNSTATE_UPDATE (xen_mk_ullong(1) << 63)

/*
 * register_runstate_memory_area: the hypervisor keeps a copy of the vCPU's
 * runstate at this guest virtual address (PV) or address (HVM/PVH).
 */
struct vcpu_register_runstate_memory_area {
	union {
		XEN_GUEST_HANDLE(vcpu_runstate_info_t) h;
		struct vcpu_runstate_info *v;
		uint64_t p;
	} addr;
};
typedef struct vcpu_register_runstate_memory_area
    vcpu_register_runstate_memory_area_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_runstate_memory_area_t);
XEN_ABI_SIZE(struct vcpu_register_runstate_memory_area, 8);

/* set_periodic_timer: VIRQ_TIMER every period_ns. */
struct vcpu_set_periodic_timer {
	uint64_t period_ns;
};
typedef struct vcpu_set_periodic_timer vcpu_set_periodic_timer_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_set_periodic_timer_t);
XEN_ABI_SIZE(struct vcpu_set_periodic_timer, 8);

/* set_singleshot_timer: one VIRQ_TIMER at system time timeout_abs_ns. */
struct vcpu_set_singleshot_timer {
	uint64_t timeout_abs_ns;
	uint32_t flags; /* VCPU_SSHOTTMR_* */
	uint32_t _pad0;
};
typedef struct vcpu_set_singleshot_timer vcpu_set_singleshot_timer_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_set_singleshot_timer_t);
XEN_ABI_SIZE(struct vcpu_set_singleshot_timer, 16);
XEN_ABI_OFFSET(struct vcpu_set_singleshot_timer, flags, 8);

/* Fail with -ETIME if the deadline has already passed. */
#define _VCPU_SSHOTTMR_future 0
#define VCPU_SSHOTTMR_future  (1U << _VCPU_SSHOTTMR_future)

/*
 * register_vcpu_info: move the vCPU's vcpu_info out of shared_info to
 * offset in guest frame mfn (it must not cross a page boundary).
 */
struct vcpu_register_vcpu_info {
	uint64_t mfn;
	uint32_t offset;
	uint32_t rsvd; /* zero */
};
typedef struct vcpu_register_vcpu_info vcpu_register_vcpu_info_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_vcpu_info_t);
XEN_ABI_SIZE(struct vcpu_register_vcpu_info, 16);
XEN_ABI_OFFSET(struct vcpu_register_vcpu_info, offset, 8);

/* get_physid: APIC and ACPI ids of the physical CPU (privileged). */
struct vcpu_get_physid {
	uint64_t phys_id;
};
typedef struct vcpu_get_physid vcpu_get_physid_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_get_physid_t);
XEN_ABI_SIZE(struct vcpu_get_physid, 8);
#define xen_vcpu_physid_to_x86_apicid(physid) ((uint32_t)(physid))
#define xen_vcpu_physid_to_x86_acpiid(physid) ((uint32_t)((physid) >> 32))

/*
 * register_vcpu_time_memory_area: the hypervisor keeps a copy of the
 * vCPU's vcpu_time_info here, for user-space clock reads.
 */
struct vcpu_register_time_memory_area {
	union {
		XEN_GUEST_HANDLE(vcpu_time_info_t) h;
		struct vcpu_time_info *v;
		uint64_t p;
	} addr;
};
typedef struct vcpu_register_time_memory_area vcpu_register_time_memory_area_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_time_memory_area_t);
XEN_ABI_SIZE(struct vcpu_register_time_memory_area, 8);

#endif /* XEN_PUBLIC_VCPU_H */
