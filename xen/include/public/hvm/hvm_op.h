/*
 * HVM and PVH domain operations: hvm_op(cmd, arg) (hypercall 34). Only
 * the operations a PVH guest uses are listed.
 */
#ifndef XEN_PUBLIC_HVM_HVM_OP_H
#define XEN_PUBLIC_HVM_HVM_OP_H

#include <stdint.h>
#include "../xen-compat.h"
#include "../xen.h"

/* set_param, get_param: one HVM_PARAM_* (see params.h) of domid. */
#define HVMOP_set_param 0
#define HVMOP_get_param 1
struct xen_hvm_param {
	domid_t domid; /* IN */
	uint16_t _pad0;
	uint32_t index; /* IN: HVM_PARAM_* */
	uint64_t value; /* IN or OUT */
};
typedef struct xen_hvm_param xen_hvm_param_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_param_t);
XEN_ABI_SIZE(struct xen_hvm_param, 16);
XEN_ABI_OFFSET(struct xen_hvm_param, index, 4);
XEN_ABI_OFFSET(struct xen_hvm_param, value, 8);

/* flush_tlbs: flush every vCPU's TLB; arg NULL. */
#define HVMOP_flush_tlbs 5

/* pagetable_dying: a hint that the page table at gpa is going away. */
#define HVMOP_pagetable_dying 9
struct xen_hvm_pagetable_dying {
	domid_t domid;
	uint16_t pad[3];
	uint64_t gpa; /* top-level page table */
};
typedef struct xen_hvm_pagetable_dying xen_hvm_pagetable_dying_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_pagetable_dying_t);
XEN_ABI_SIZE(struct xen_hvm_pagetable_dying, 16);
XEN_ABI_OFFSET(struct xen_hvm_pagetable_dying, gpa, 8);

/* get_time: the system time, ns since boot. */
#define HVMOP_get_time 10
struct xen_hvm_get_time {
	uint64_t now; /* OUT */
};
typedef struct xen_hvm_get_time xen_hvm_get_time_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_get_time_t);
XEN_ABI_SIZE(struct xen_hvm_get_time, 8);

/* get_mem_type: the hvmmem_type_t of guest frame pfn. */
typedef enum {
	HVMMEM_ram_rw,	    /* ordinary RAM */
	HVMMEM_ram_ro,	    /* writes are dropped */
	HVMMEM_mmio_dm,	    /* accesses go to the device model */
	HVMMEM_unused,	    /* formerly mmio_write_dm */
	HVMMEM_ioreq_server /* writes go to an ioreq server */
} hvmmem_type_t;

#define HVMOP_get_mem_type 15
struct xen_hvm_get_mem_type {
	domid_t domid;	   /* IN */
	uint16_t mem_type; /* OUT: hvmmem_type_t */
	uint16_t pad[2];
	uint64_t pfn; /* IN */
};
typedef struct xen_hvm_get_mem_type xen_hvm_get_mem_type_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_get_mem_type_t);
XEN_ABI_SIZE(struct xen_hvm_get_mem_type, 16);
XEN_ABI_OFFSET(struct xen_hvm_get_mem_type, mem_type, 2);
XEN_ABI_OFFSET(struct xen_hvm_get_mem_type, pfn, 8);

/*
 * set_evtchn_upcall_vector: deliver vCPU vcpu's event upcalls on its own
 * local APIC vector (see XEN_HVM_CPUID_UPCALL_VECTOR).
 */
#define HVMOP_set_evtchn_upcall_vector 23
struct xen_hvm_evtchn_upcall_vector {
	uint32_t vcpu;
	uint8_t vector;
	uint8_t _pad0[3];
};
typedef struct xen_hvm_evtchn_upcall_vector xen_hvm_evtchn_upcall_vector_t;
DEFINE_XEN_GUEST_HANDLE(xen_hvm_evtchn_upcall_vector_t);
XEN_ABI_SIZE(struct xen_hvm_evtchn_upcall_vector, 8);
XEN_ABI_OFFSET(struct xen_hvm_evtchn_upcall_vector, vector, 4);

#endif /* XEN_PUBLIC_HVM_HVM_OP_H */
