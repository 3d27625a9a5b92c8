/*
 * Grant tables: a domain lets others map or copy its pages by writing
 * entries in its own grant table, which the hypervisor checks.
 * grant_table_op(cmd, args, count) (hypercall 20). Citadel provides the
 * version 1 table only.
 */
#ifndef XEN_PUBLIC_GRANT_TABLE_H
#define XEN_PUBLIC_GRANT_TABLE_H

#include <stdint.h>
#include "xen-compat.h"
#include "xen.h"

/* An index into a domain's grant table. */
typedef uint32_t grant_ref_t;

/*
 * A version 1 entry, written by the granting domain: set frame and domid
 * first, then flags (after a write barrier). GTF_reading/GTF_writing are
 * set by the hypervisor while the grant is mapped.
 */
struct grant_entry_v1 {
	uint16_t flags; /* GTF_* */
	domid_t domid;	/* the domain allowed in */
	uint32_t frame; /* the frame granted (or to receive a transfer) */
};
typedef struct grant_entry_v1 grant_entry_v1_t;
XEN_ABI_SIZE(struct grant_entry_v1, 8);
XEN_ABI_OFFSET(struct grant_entry_v1, domid, 2);
XEN_ABI_OFFSET(struct grant_entry_v1, frame, 4);

/* The first entries are reserved for the toolstack. */
#define GNTTAB_NR_RESERVED_ENTRIES 8
#define GNTTAB_RESERVED_CONSOLE	   0 /* the console ring, for the backend */
#define GNTTAB_RESERVED_XENSTORE   1 /* the xenstore ring, for xenstored */

/* Entry type, in flags[1:0]. */
#define GTF_invalid	    (0U << 0)
#define GTF_permit_access   (1U << 0) /* domid may map or copy frame */
#define GTF_accept_transfer (2U << 0) /* domid may transfer a frame here */
#define GTF_transitive	    (3U << 0) /* v2 only */
#define GTF_type_mask	    (3U << 0)

/* Sub-flags of GTF_permit_access. */
#define _GTF_readonly 2
#define GTF_readonly  (1U << _GTF_readonly) /* no write access */
#define _GTF_reading  3
#define GTF_reading   (1U << _GTF_reading) /* mapped for reading */
#define _GTF_writing  4
#define GTF_writing   (1U << _GTF_writing) /* mapped for writing */
#define _GTF_PWT      5
#define GTF_PWT	      (1U << _GTF_PWT)
#define _GTF_PCD      6
#define GTF_PCD	      (1U << _GTF_PCD)
#define _GTF_PAT      7
#define GTF_PAT	      (1U << _GTF_PAT)
#define _GTF_sub_page 8
#define GTF_sub_page  (1U << _GTF_sub_page) /* v2 only */

/* Sub-flags of GTF_accept_transfer. */
#define _GTF_transfer_committed 2
#define GTF_transfer_committed	(1U << _GTF_transfer_committed)
#define _GTF_transfer_completed 3
#define GTF_transfer_completed	(1U << _GTF_transfer_completed)

/* A mapping of another domain's grant, returned by map_grant_ref. */
typedef uint32_t grant_handle_t;

#define GNTTABOP_map_grant_ref	   0
#define GNTTABOP_unmap_grant_ref   1
#define GNTTABOP_setup_table	   2
#define GNTTABOP_dump_table	   3
#define GNTTABOP_transfer	   4
#define GNTTABOP_copy		   5
#define GNTTABOP_query_size	   6
#define GNTTABOP_unmap_and_replace 7
#define GNTTABOP_set_version	   8
#define GNTTABOP_get_status_frames 9
#define GNTTABOP_get_version	   10
#define GNTTABOP_swap_grant_ref	   11
#define GNTTABOP_cache_flush	   12

/* map_grant_ref flags */
#define _GNTMAP_device_map	0
#define GNTMAP_device_map	(1 << _GNTMAP_device_map) /* for device DMA */
#define _GNTMAP_host_map	1
#define GNTMAP_host_map		(1 << _GNTMAP_host_map) /* into host_addr */
#define _GNTMAP_readonly	2
#define GNTMAP_readonly		(1 << _GNTMAP_readonly)
#define _GNTMAP_application_map 3
#define GNTMAP_application_map	(1 << _GNTMAP_application_map) /* user */
#define _GNTMAP_contains_pte	4
#define GNTMAP_contains_pte	(1 << _GNTMAP_contains_pte) /* host_addr: PTE */
/* Bits the guest may use in its PTE (XENFEAT_gnttab_map_avail_bits). */
#define _GNTMAP_guest_avail0	16
#define GNTMAP_guest_avail_mask ((uint32_t)~0 << _GNTMAP_guest_avail0)

/*
 * map_grant_ref: map grant ref of dom at host_addr (a virtual address, or
 * the machine address of a PTE with GNTMAP_contains_pte) and/or for DMA.
 */
struct gnttab_map_grant_ref {
	uint64_t host_addr;    /* IN */
	uint32_t flags;	       /* IN: GNTMAP_* */
	grant_ref_t ref;       /* IN */
	domid_t dom;	       /* IN: the granting domain */
	int16_t status;	       /* OUT: GNTST_* */
	grant_handle_t handle; /* OUT: for unmap */
	uint64_t dev_bus_addr; /* OUT: for GNTMAP_device_map */
};
typedef struct gnttab_map_grant_ref gnttab_map_grant_ref_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_map_grant_ref_t);
XEN_ABI_SIZE(struct gnttab_map_grant_ref, 32);
XEN_ABI_OFFSET(struct gnttab_map_grant_ref, flags, 8);
XEN_ABI_OFFSET(struct gnttab_map_grant_ref, ref, 12);
XEN_ABI_OFFSET(struct gnttab_map_grant_ref, dom, 16);
XEN_ABI_OFFSET(struct gnttab_map_grant_ref, status, 18);
XEN_ABI_OFFSET(struct gnttab_map_grant_ref, handle, 20);
XEN_ABI_OFFSET(struct gnttab_map_grant_ref, dev_bus_addr, 24);

/* unmap_grant_ref: undo a mapping; addresses 0 mean "not mapped so". */
struct gnttab_unmap_grant_ref {
	uint64_t host_addr;    /* IN */
	uint64_t dev_bus_addr; /* IN */
	grant_handle_t handle; /* IN */
	int16_t status;	       /* OUT: GNTST_* */
	uint16_t _pad0;
};
typedef struct gnttab_unmap_grant_ref gnttab_unmap_grant_ref_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_unmap_grant_ref_t);
XEN_ABI_SIZE(struct gnttab_unmap_grant_ref, 24);
XEN_ABI_OFFSET(struct gnttab_unmap_grant_ref, handle, 16);
XEN_ABI_OFFSET(struct gnttab_unmap_grant_ref, status, 20);

/* setup_table: grow dom's table to nr_frames and list its frames (PV). */
struct gnttab_setup_table {
	domid_t dom; /* IN */
	uint16_t _pad0;
	uint32_t nr_frames; /* IN */
	int16_t status;	    /* OUT: GNTST_* */
	uint16_t _pad1[3];
	XEN_GUEST_HANDLE(xen_pfn_t) frame_list; /* OUT */
};
typedef struct gnttab_setup_table gnttab_setup_table_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_setup_table_t);
XEN_ABI_SIZE(struct gnttab_setup_table, 24);
XEN_ABI_OFFSET(struct gnttab_setup_table, nr_frames, 4);
XEN_ABI_OFFSET(struct gnttab_setup_table, status, 8);
XEN_ABI_OFFSET(struct gnttab_setup_table, frame_list, 16);

/* dump_table: print dom's table on the hypervisor console (debug). */
struct gnttab_dump_table {
	domid_t dom;	/* IN */
	int16_t status; /* OUT: GNTST_* */
};
typedef struct gnttab_dump_table gnttab_dump_table_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_dump_table_t);
XEN_ABI_SIZE(struct gnttab_dump_table, 4);

/* transfer: give frame mfn to domid, through its accept-transfer ref. */
struct gnttab_transfer {
	xen_pfn_t mfn; /* IN */
	domid_t domid; /* IN */
	uint16_t _pad0;
	grant_ref_t ref; /* IN */
	int16_t status;	 /* OUT: GNTST_* */
	uint16_t _pad1[3];
};
typedef struct gnttab_transfer gnttab_transfer_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_transfer_t);
XEN_ABI_SIZE(struct gnttab_transfer, 24);
XEN_ABI_OFFSET(struct gnttab_transfer, domid, 8);
XEN_ABI_OFFSET(struct gnttab_transfer, ref, 12);
XEN_ABI_OFFSET(struct gnttab_transfer, status, 16);

/*
 * copy: the hypervisor copies len bytes between two places, each a grant
 * reference of domid (with GNTCOPY_*_gref) or a frame of the caller, at
 * offset within the page; neither side may cross its page.
 */
#define _GNTCOPY_source_gref 0
#define GNTCOPY_source_gref  (1 << _GNTCOPY_source_gref)
#define _GNTCOPY_dest_gref   1
#define GNTCOPY_dest_gref    (1 << _GNTCOPY_dest_gref)

struct gnttab_copy_ptr {
	union {
		grant_ref_t ref;
		xen_pfn_t gmfn;
	} u;
	domid_t domid;
	uint16_t offset;
	uint32_t _pad0;
};
XEN_ABI_SIZE(struct gnttab_copy_ptr, 16);
XEN_ABI_OFFSET(struct gnttab_copy_ptr, domid, 8);
XEN_ABI_OFFSET(struct gnttab_copy_ptr, offset, 10);

struct gnttab_copy {
	struct gnttab_copy_ptr source, dest; /* IN */
	uint16_t len;			     /* IN */
	uint16_t flags;			     /* IN: GNTCOPY_* */
	int16_t status;			     /* OUT: GNTST_* */
	uint16_t _pad0;
};
typedef struct gnttab_copy gnttab_copy_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_copy_t);
XEN_ABI_SIZE(struct gnttab_copy, 40);
XEN_ABI_OFFSET(struct gnttab_copy, dest, 16);
XEN_ABI_OFFSET(struct gnttab_copy, len, 32);
XEN_ABI_OFFSET(struct gnttab_copy, flags, 34);
XEN_ABI_OFFSET(struct gnttab_copy, status, 36);

/* query_size: dom's current and largest table size, in frames. */
struct gnttab_query_size {
	domid_t dom; /* IN */
	uint16_t _pad0;
	uint32_t nr_frames;	/* OUT */
	uint32_t max_nr_frames; /* OUT */
	int16_t status;		/* OUT: GNTST_* */
	uint16_t _pad1;
};
typedef struct gnttab_query_size gnttab_query_size_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_query_size_t);
XEN_ABI_SIZE(struct gnttab_query_size, 16);
XEN_ABI_OFFSET(struct gnttab_query_size, nr_frames, 4);
XEN_ABI_OFFSET(struct gnttab_query_size, max_nr_frames, 8);
XEN_ABI_OFFSET(struct gnttab_query_size, status, 12);

/*
 * unmap_and_replace: unmap the grant at host_addr and move the mapping at
 * new_addr there, leaving new_addr unmapped.
 */
struct gnttab_unmap_and_replace {
	uint64_t host_addr;    /* IN */
	uint64_t new_addr;     /* IN */
	grant_handle_t handle; /* IN */
	int16_t status;	       /* OUT: GNTST_* */
	uint16_t _pad0;
};
typedef struct gnttab_unmap_and_replace gnttab_unmap_and_replace_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_unmap_and_replace_t);
XEN_ABI_SIZE(struct gnttab_unmap_and_replace, 24);
XEN_ABI_OFFSET(struct gnttab_unmap_and_replace, handle, 16);
XEN_ABI_OFFSET(struct gnttab_unmap_and_replace, status, 20);

/* set_version: choose the table format; the old version comes back. */
struct gnttab_set_version {
	uint32_t version; /* IN/OUT */
};
typedef struct gnttab_set_version gnttab_set_version_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_set_version_t);
XEN_ABI_SIZE(struct gnttab_set_version, 4);

/* get_status_frames: the v2 status frames (not provided by Citadel). */
struct gnttab_get_status_frames {
	uint32_t nr_frames;		       /* IN */
	domid_t dom;			       /* IN */
	int16_t status;			       /* OUT: GNTST_* */
	XEN_GUEST_HANDLE(uint64_t) frame_list; /* OUT */
};
typedef struct gnttab_get_status_frames gnttab_get_status_frames_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_get_status_frames_t);
XEN_ABI_SIZE(struct gnttab_get_status_frames, 16);
XEN_ABI_OFFSET(struct gnttab_get_status_frames, dom, 4);
XEN_ABI_OFFSET(struct gnttab_get_status_frames, status, 6);
XEN_ABI_OFFSET(struct gnttab_get_status_frames, frame_list, 8);

/* get_version: the table format dom uses. */
struct gnttab_get_version {
	domid_t dom; /* IN */
	uint16_t pad;
	uint32_t version; /* OUT */
};
typedef struct gnttab_get_version gnttab_get_version_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_get_version_t);
XEN_ABI_SIZE(struct gnttab_get_version, 8);
XEN_ABI_OFFSET(struct gnttab_get_version, version, 4);

/* swap_grant_ref: exchange two of the caller's entries (v2). */
struct gnttab_swap_grant_ref {
	grant_ref_t ref_a; /* IN */
	grant_ref_t ref_b; /* IN */
	int16_t status;	   /* OUT: GNTST_* */
	uint16_t _pad0;
};
typedef struct gnttab_swap_grant_ref gnttab_swap_grant_ref_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_swap_grant_ref_t);
XEN_ABI_SIZE(struct gnttab_swap_grant_ref, 12);
XEN_ABI_OFFSET(struct gnttab_swap_grant_ref, status, 8);

/* cache_flush: clean and/or invalidate part of a page (Arm). */
#define GNTTAB_CACHE_CLEAN	 (1u << 0)
#define GNTTAB_CACHE_INVAL	 (1u << 1)
#define GNTTAB_CACHE_SOURCE_GREF (1u << 31)

struct gnttab_cache_flush {
	union {
		uint64_t dev_bus_addr;
		grant_ref_t ref;
	} a;
	uint16_t offset; /* within the page */
	uint16_t length; /* within the page */
	uint32_t op;	 /* GNTTAB_CACHE_* */
};
typedef struct gnttab_cache_flush gnttab_cache_flush_t;
DEFINE_XEN_GUEST_HANDLE(gnttab_cache_flush_t);
XEN_ABI_SIZE(struct gnttab_cache_flush, 16);
XEN_ABI_OFFSET(struct gnttab_cache_flush, offset, 8);
XEN_ABI_OFFSET(struct gnttab_cache_flush, op, 12);

/* Per-operation status codes (the hypercall itself may still return 0). */
#define GNTST_okay		0
#define GNTST_general_error	(-1)
#define GNTST_bad_domain	(-2)
#define GNTST_bad_gntref	(-3)
#define GNTST_bad_handle	(-4)
#define GNTST_bad_virt_addr	(-5)
#define GNTST_bad_dev_addr	(-6)
#define GNTST_no_device_space	(-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page		(-9)
#define GNTST_bad_copy_arg	(-10)
#define GNTST_address_too_big	(-11)
#define GNTST_eagain		(-12)
#define GNTST_no_space		(-13)

/* Human-readable GNTST_* texts, indexed by -status. */
/* clang-format off */
#define GNTTABOP_error_msgs {                   \
	"okay",                                 \
	"unspecified error",                    \
	"unknown domain",                       \
	"bad grant reference",                  \
	"bad mapping handle",                   \
	"bad virtual address",                  \
	"bad device address",                   \
	"no room in the IOMMU",                 \
	"permission denied",                    \
	"bad page",                             \
	"copy crosses a page boundary",         \
	"address too large",                    \
	"not done, try again",                  \
	"no space left",                        \
}
/* clang-format on */

#endif /* XEN_PUBLIC_GRANT_TABLE_H */
