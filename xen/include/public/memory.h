/*
 * Memory reservation and the physical address map: memory_op(cmd, arg)
 * (hypercall 12).
 */
#ifndef XEN_PUBLIC_MEMORY_H
#define XEN_PUBLIC_MEMORY_H

#include <stdint.h>
#include "xen-compat.h"
#include "xen.h"

#define XENMEM_increase_reservation 0
#define XENMEM_decrease_reservation 1
#define XENMEM_maximum_ram_page	    2
#define XENMEM_current_reservation  3
#define XENMEM_maximum_reservation  4
#define XENMEM_machphys_mfn_list    5
#define XENMEM_populate_physmap	    6
#define XENMEM_add_to_physmap	    7
/* 8 was translate_gpfn_list, now gone */
#define XENMEM_memory_map		  9
#define XENMEM_machine_memory_map	  10
#define XENMEM_exchange			  11
#define XENMEM_machphys_mapping		  12
#define XENMEM_set_memory_map		  13
#define XENMEM_maximum_gpfn		  14
#define XENMEM_remove_from_physmap	  15
#define XENMEM_set_pod_target		  16
#define XENMEM_get_pod_target		  17
#define XENMEM_get_sharing_freed_pages	  18
#define XENMEM_get_sharing_shared_pages	  19
#define XENMEM_paging_op		  20
#define XENMEM_access_op		  21
#define XENMEM_sharing_op		  22
#define XENMEM_add_to_physmap_batch	  23
#define XENMEM_claim_pages		  24
#define XENMEM_machphys_compat_mfn_list	  25
#define XENMEM_get_vnumainfo		  26
#define XENMEM_reserved_device_memory_map 27
#define XENMEM_acquire_resource		  28

/* mem_flags of struct xen_memory_reservation */
#define XENMEMF_address_bits(x)	    (x)
#define XENMEMF_get_address_bits(x) (0xffu & (x))
#define XENMEMF_node(x)		    (((x) + 1) << 8)
#define XENMEMF_get_node(x)	    ((((x) >> 8) - 1) & 0xffu)
#define XENMEMF_populate_on_demand  (1 << 16)
#define XENMEMF_exact_node_request  (1 << 17)
#define XENMEMF_exact_node(n)	    (XENMEMF_node(n) | XENMEMF_exact_node_request)
#define XENMEMF_vnode		    (1 << 18)

/*
 * increase_reservation, decrease_reservation and populate_physmap work on
 * nr_extents extents of 2^extent_order pages each. The result is the number
 * of extents done. extent_start lists, per command:
 *   increase: OUT, machine frames allocated;
 *   decrease: IN, guest frames to release;
 *   populate: IN guest frames to fill, OUT the frames now backing them.
 */
struct xen_memory_reservation {
	XEN_GUEST_HANDLE(xen_pfn_t) extent_start;
	xen_ulong_t nr_extents;
	unsigned int extent_order;
	unsigned int mem_flags; /* XENMEMF_* */
	domid_t domid;		/* DOMID_SELF unless privileged */
	uint16_t _pad0[3];
};
typedef struct xen_memory_reservation xen_memory_reservation_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_reservation_t);
XEN_ABI_SIZE(struct xen_memory_reservation, 32);
XEN_ABI_OFFSET(struct xen_memory_reservation, nr_extents, 8);
XEN_ABI_OFFSET(struct xen_memory_reservation, extent_order, 16);
XEN_ABI_OFFSET(struct xen_memory_reservation, mem_flags, 20);
XEN_ABI_OFFSET(struct xen_memory_reservation, domid, 24);

/*
 * exchange: trade the in extents for new ones described by out, atomically
 * per extent. nr_exchanged (zeroed by the caller) counts the in extents
 * done.
 */
struct xen_memory_exchange {
	struct xen_memory_reservation in;
	struct xen_memory_reservation out;
	xen_ulong_t nr_exchanged;
};
typedef struct xen_memory_exchange xen_memory_exchange_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_exchange_t);
XEN_ABI_SIZE(struct xen_memory_exchange, 72);
XEN_ABI_OFFSET(struct xen_memory_exchange, out, 32);
XEN_ABI_OFFSET(struct xen_memory_exchange, nr_exchanged, 64);

/* machphys_mfn_list: the machine frames (2 MiB extents) of the m2p table. */
struct xen_machphys_mfn_list {
	unsigned int max_extents; /* IN: room in extent_start */
	uint32_t _pad0;
	XEN_GUEST_HANDLE(xen_pfn_t) extent_start;
	unsigned int nr_extents; /* OUT */
	uint32_t _pad1;
};
typedef struct xen_machphys_mfn_list xen_machphys_mfn_list_t;
DEFINE_XEN_GUEST_HANDLE(xen_machphys_mfn_list_t);
XEN_ABI_SIZE(struct xen_machphys_mfn_list, 24);
XEN_ABI_OFFSET(struct xen_machphys_mfn_list, extent_start, 8);
XEN_ABI_OFFSET(struct xen_machphys_mfn_list, nr_extents, 16);

/* machphys_mapping: where the m2p table is mapped, and its extent. */
struct xen_machphys_mapping {
	xen_ulong_t v_start, v_end;
	xen_ulong_t max_mfn;
};
typedef struct xen_machphys_mapping xen_machphys_mapping_t;
DEFINE_XEN_GUEST_HANDLE(xen_machphys_mapping_t);
XEN_ABI_SIZE(struct xen_machphys_mapping, 24);

/* What add_to_physmap maps. */
#define XENMAPSPACE_shared_info	 0 /* the shared_info page */
#define XENMAPSPACE_grant_table	 1 /* grant table frame idx */
#define XENMAPSPACE_gmfn	 2 /* another frame of the domain */
#define XENMAPSPACE_gmfn_range	 3 /* size frames from idx */
#define XENMAPSPACE_gmfn_foreign 4 /* a frame of another domain (batch) */
#define XENMAPSPACE_dev_mmio	 5 /* device MMIO */

/* With XENMAPSPACE_grant_table: idx names a status frame (v2). */
#define XENMAPIDX_grant_table_status 0x80000000

/*
 * add_to_physmap: make page idx of space appear at guest frame gpfn of
 * domid (HVM/PVH: shared_info, grant frames).
 */
struct xen_add_to_physmap {
	domid_t domid;
	uint16_t size;	    /* frames, for XENMAPSPACE_gmfn_range */
	unsigned int space; /* XENMAPSPACE_* */
	xen_ulong_t idx;
	xen_pfn_t gpfn;
};
typedef struct xen_add_to_physmap xen_add_to_physmap_t;
DEFINE_XEN_GUEST_HANDLE(xen_add_to_physmap_t);
XEN_ABI_SIZE(struct xen_add_to_physmap, 24);
XEN_ABI_OFFSET(struct xen_add_to_physmap, size, 2);
XEN_ABI_OFFSET(struct xen_add_to_physmap, space, 4);
XEN_ABI_OFFSET(struct xen_add_to_physmap, idx, 8);
XEN_ABI_OFFSET(struct xen_add_to_physmap, gpfn, 16);

/* add_to_physmap_batch: the same for size pages, with an error per page. */
struct xen_add_to_physmap_batch {
	domid_t domid;
	uint16_t space; /* XENMAPSPACE_* */
	uint16_t size;
	union xen_add_to_physmap_batch_extra {
		domid_t foreign_domid; /* XENMAPSPACE_gmfn_foreign */
		uint16_t res0;	       /* other spaces: zero */
	} u;
	XEN_GUEST_HANDLE(xen_ulong_t) idxs;
	XEN_GUEST_HANDLE(xen_pfn_t) gpfns;
	XEN_GUEST_HANDLE(int) errs; /* OUT */
};
typedef struct xen_add_to_physmap_batch xen_add_to_physmap_batch_t;
DEFINE_XEN_GUEST_HANDLE(xen_add_to_physmap_batch_t);
XEN_ABI_SIZE(struct xen_add_to_physmap_batch, 32);
XEN_ABI_OFFSET(struct xen_add_to_physmap_batch, u, 6);
XEN_ABI_OFFSET(struct xen_add_to_physmap_batch, idxs, 8);
XEN_ABI_OFFSET(struct xen_add_to_physmap_batch, errs, 24);

/* remove_from_physmap: unmap whatever is at guest frame gpfn of domid. */
struct xen_remove_from_physmap {
	domid_t domid;
	uint16_t _pad0[3];
	xen_pfn_t gpfn;
};
typedef struct xen_remove_from_physmap xen_remove_from_physmap_t;
DEFINE_XEN_GUEST_HANDLE(xen_remove_from_physmap_t);
XEN_ABI_SIZE(struct xen_remove_from_physmap, 16);
XEN_ABI_OFFSET(struct xen_remove_from_physmap, gpfn, 8);

/*
 * memory_map and machine_memory_map: the domain's (or the host's) memory
 * map as E820 entries, each 20 bytes packed: addr (u64), size (u64),
 * type (u32). nr_entries is the room in buffer on entry, the entries
 * written on return.
 */
struct xen_memory_map {
	unsigned int nr_entries;
	uint32_t _pad0;
	XEN_GUEST_HANDLE(void) buffer;
};
typedef struct xen_memory_map xen_memory_map_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_map_t);
XEN_ABI_SIZE(struct xen_memory_map, 16);
XEN_ABI_OFFSET(struct xen_memory_map, buffer, 8);

/* set_memory_map: give domid the memory map that memory_map returns. */
struct xen_foreign_memory_map {
	domid_t domid;
	uint16_t _pad0[3];
	struct xen_memory_map map;
};
typedef struct xen_foreign_memory_map xen_foreign_memory_map_t;
DEFINE_XEN_GUEST_HANDLE(xen_foreign_memory_map_t);
XEN_ABI_SIZE(struct xen_foreign_memory_map, 24);
XEN_ABI_OFFSET(struct xen_foreign_memory_map, map, 8);

/* set_pod_target and get_pod_target (populate-on-demand). */
struct xen_pod_target {
	uint64_t target_pages;	  /* IN */
	uint64_t tot_pages;	  /* OUT */
	uint64_t pod_cache_pages; /* OUT */
	uint64_t pod_entries;	  /* OUT */
	domid_t domid;		  /* IN */
	uint16_t _pad0[3];
};
typedef struct xen_pod_target xen_pod_target_t;
XEN_ABI_SIZE(struct xen_pod_target, 40);
XEN_ABI_OFFSET(struct xen_pod_target, domid, 32);

#endif /* XEN_PUBLIC_MEMORY_H */
