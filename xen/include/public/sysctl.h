/*
 * Host-wide queries for the control domain: sysctl(struct xen_sysctl *)
 * on hypercall 35, as in Xen. Like domctl, Xen's sysctl is unstable and
 * tied to its toolstack: Citadel keeps Xen's command numbers and payload
 * layouts for the commands it has (physinfo and readconsole, what xl
 * info and xl dmesg use) and versions the interface itself. Only the
 * control domain may call it (see docs/abi.md).
 *
 * Errors are negative XEN_E*.
 */
#ifndef XEN_PUBLIC_SYSCTL_H
#define XEN_PUBLIC_SYSCTL_H

#include <stdint.h>
#include "xen-compat.h"
#include "xen.h"

/*
 * Callers put this in xen_sysctl.interface_version; any other value
 * fails with -EACCES. "CI" in the top half, as for domctl, so a Xen
 * toolstack's version never matches.
 */
#define XEN_SYSCTL_INTERFACE_VERSION 0x43490001

/* Commands: Xen's numbers. */
#define XEN_SYSCTL_readconsole 1
#define XEN_SYSCTL_physinfo    3

/*
 * readconsole: the hypervisor's log (its recent console output, a ring).
 * Without incremental, reading starts at the oldest byte kept; with it,
 * at index (a count of bytes ever logged: an index older than the ring
 * holds starts at the oldest byte kept). On return index is where the
 * next read starts and count how many bytes were written to buffer.
 * clear forgets what the log holds, after this read.
 */
struct xen_sysctl_readconsole {
	uint8_t clear;	     /* IN */
	uint8_t incremental; /* IN */
	uint8_t pad0, pad1;
	uint32_t index;			  /* IN/OUT */
	XEN_GUEST_HANDLE_64(char) buffer; /* IN */
	uint32_t count;			  /* IN: buffer's size; OUT: written */
};
typedef struct xen_sysctl_readconsole xen_sysctl_readconsole_t;
XEN_ABI_SIZE(struct xen_sysctl_readconsole, 24);
XEN_ABI_OFFSET(struct xen_sysctl_readconsole, index, 4);
XEN_ABI_OFFSET(struct xen_sysctl_readconsole, buffer, 8);
XEN_ABI_OFFSET(struct xen_sysctl_readconsole, count, 16);

/* physinfo capabilities: Xen's bits. */
#define XEN_SYSCTL_PHYSCAP_hvm	     (1U << 0)
#define XEN_SYSCTL_PHYSCAP_pv	     (1U << 1)
#define XEN_SYSCTL_PHYSCAP_directio  (1U << 2) /* devices can be assigned */
#define XEN_SYSCTL_PHYSCAP_gnttab_v1 (1U << 7)

/* physinfo: the host's CPUs and memory (pages of 4 KiB). */
struct xen_sysctl_physinfo {
	uint32_t threads_per_core;
	uint32_t cores_per_socket;
	uint32_t nr_cpus;    /* online */
	uint32_t max_cpu_id; /* the largest a CPU can have */
	uint32_t nr_nodes;
	uint32_t max_node_id;
	uint32_t cpu_khz;
	uint32_t capabilities;	    /* XEN_SYSCTL_PHYSCAP_* */
	uint32_t arch_capabilities; /* none on x86 */
	uint32_t pad;
	uint64_t total_pages;
	uint64_t free_pages;
	uint64_t scrub_pages;
	uint64_t outstanding_pages;
	uint64_t max_mfn; /* the largest frame number of the host */
	uint32_t hw_cap[8];
};
typedef struct xen_sysctl_physinfo xen_sysctl_physinfo_t;
XEN_ABI_SIZE(struct xen_sysctl_physinfo, 112);
XEN_ABI_OFFSET(struct xen_sysctl_physinfo, nr_cpus, 8);
XEN_ABI_OFFSET(struct xen_sysctl_physinfo, cpu_khz, 24);
XEN_ABI_OFFSET(struct xen_sysctl_physinfo, capabilities, 28);
XEN_ABI_OFFSET(struct xen_sysctl_physinfo, total_pages, 40);
XEN_ABI_OFFSET(struct xen_sysctl_physinfo, free_pages, 48);
XEN_ABI_OFFSET(struct xen_sysctl_physinfo, max_mfn, 72);
XEN_ABI_OFFSET(struct xen_sysctl_physinfo, hw_cap, 80);

/* Payloads never grow the call beyond this. */
#define XEN_SYSCTL_PAYLOAD_SIZE 128

struct xen_sysctl {
	uint32_t cmd;		    /* XEN_SYSCTL_* */
	uint32_t interface_version; /* XEN_SYSCTL_INTERFACE_VERSION */
	union {
		struct xen_sysctl_readconsole readconsole;
		struct xen_sysctl_physinfo physinfo;
		uint8_t pad[XEN_SYSCTL_PAYLOAD_SIZE];
	} u;
};
typedef struct xen_sysctl xen_sysctl_t;
DEFINE_XEN_GUEST_HANDLE(xen_sysctl_t);
XEN_ABI_SIZE(struct xen_sysctl, 8 + XEN_SYSCTL_PAYLOAD_SIZE);
XEN_ABI_OFFSET(struct xen_sysctl, u, 8);

#endif /* XEN_PUBLIC_SYSCTL_H */
