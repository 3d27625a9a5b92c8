/*
 * Version and feature queries: xen_version(cmd, arg) (hypercall 17).
 */
#ifndef XEN_PUBLIC_VERSION_H
#define XEN_PUBLIC_VERSION_H

#include <stdint.h>
#include "xen-compat.h"
#include "xen.h"

/* Result: major << 16 | minor; arg NULL. */
#define XENVER_version 0

/* A string such as ".0" or "-rc", NUL-terminated. */
#define XENVER_extraversion 1
typedef char xen_extraversion_t[16];
#define XEN_EXTRAVERSION_LEN (sizeof(xen_extraversion_t))

#define XENVER_compile_info 2
struct xen_compile_info {
	char compiler[64];
	char compile_by[16];
	char compile_domain[32];
	char compile_date[32];
};
typedef struct xen_compile_info xen_compile_info_t;
XEN_ABI_SIZE(struct xen_compile_info, 144);
XEN_ABI_OFFSET(struct xen_compile_info, compile_by, 64);
XEN_ABI_OFFSET(struct xen_compile_info, compile_domain, 80);
XEN_ABI_OFFSET(struct xen_compile_info, compile_date, 112);

/* Space-separated guest types supported, such as "xen-3.0-x86_64". */
#define XENVER_capabilities 3
typedef char xen_capabilities_info_t[1024];
#define XEN_CAPABILITIES_INFO_LEN (sizeof(xen_capabilities_info_t))

#define XENVER_changeset 4
typedef char xen_changeset_info_t[64];
#define XEN_CHANGESET_INFO_LEN (sizeof(xen_changeset_info_t))

/* Where the hypervisor's part of the address space starts. */
#define XENVER_platform_parameters 5
struct xen_platform_parameters {
	xen_ulong_t virt_start;
};
typedef struct xen_platform_parameters xen_platform_parameters_t;
XEN_ABI_SIZE(struct xen_platform_parameters, 8);

/* One 32-bit word of XENFEAT_* bits (see features.h). */
#define XENVER_get_features 6
struct xen_feature_info {
	unsigned int submap_idx; /* IN: which word */
	uint32_t submap;	 /* OUT: its bits */
};
typedef struct xen_feature_info xen_feature_info_t;
XEN_ABI_SIZE(struct xen_feature_info, 8);
XEN_ABI_OFFSET(struct xen_feature_info, submap, 4);

/* Result: the page size; arg NULL. */
#define XENVER_pagesize 7

/* The caller's xen_domain_handle_t. */
#define XENVER_guest_handle 8

/* The hypervisor's command line (privileged). */
#define XENVER_commandline 9
typedef char xen_commandline_t[1024];

/* The build id of the hypervisor image; len is the room in buf on entry. */
#define XENVER_build_id 10
struct xen_build_id {
	uint32_t len;
	unsigned char buf[XEN_FLEX_ARRAY_DIM];
};
typedef struct xen_build_id xen_build_id_t;
XEN_ABI_OFFSET(struct xen_build_id, buf, 4);

#endif /* XEN_PUBLIC_VERSION_H */
