/*
 * Citadel's control-domain interface: domctl(struct xen_domctl *) on
 * hypercall 36, as in Xen. Xen's own domctl is explicitly unstable and
 * tied to its toolstack, so Citadel defines its own: the command numbers
 * Xen has for the same job are kept, the rest come from 128 up, and the
 * version is Citadel's. Only the control domain may call it (see
 * docs/abi.md).
 *
 * Every call names its target in xen_domctl.domain, except createdomain,
 * which returns the new id in its payload. Errors are negative XEN_E*.
 */
#ifndef XEN_PUBLIC_DOMCTL_H
#define XEN_PUBLIC_DOMCTL_H

#include <stdint.h>
#include "xen-compat.h"
#include "xen.h"

/*
 * Callers put this in xen_domctl.interface_version; any other value fails
 * with -EACCES. The top half spells "CI" so that a Xen toolstack's
 * version can never match.
 */
#define XEN_DOMCTL_INTERFACE_VERSION 0x43490002

/* Commands; the numbers below 128 are Xen's for the same operation. */
#define XEN_DOMCTL_createdomain	   1
#define XEN_DOMCTL_destroydomain   2
#define XEN_DOMCTL_pausedomain	   3
#define XEN_DOMCTL_unpausedomain   4
#define XEN_DOMCTL_getdomaininfo   5
#define XEN_DOMCTL_setvcpuaffinity 9
#define XEN_DOMCTL_max_mem	   11
#define XEN_DOMCTL_setvcpucontext  12
#define XEN_DOMCTL_max_vcpus	   15
#define XEN_DOMCTL_assign_device   37
#define XEN_DOMCTL_deassign_device 47
#define XEN_DOMCTL_populate	   128
#define XEN_DOMCTL_map_foreign	   129
#define XEN_DOMCTL_unmap_foreign   130
#define XEN_DOMCTL_setweight	   131
#define XEN_DOMCTL_setcap	   132
/* Write the hypercall page at u.map_foreign.va in the (new) domain. */
#define XEN_DOMCTL_hypercall_page 133
#define XEN_DOMCTL_gnttab_seed	  134

/* createdomain flags: Xen's bits where Xen has one, Citadel's from 16. */
#define XEN_DOMCTL_CDF_hvm	 (1U << 0)  /* HVM/PVH (not yet) */
#define XEN_DOMCTL_CDF_xs_domain (1U << 4)  /* runs xenstored */
#define XEN_DOMCTL_CDF_iommu	 (1U << 5)  /* may own passed-through devices */
#define XEN_DOMCTL_CDF_control	 (1U << 16) /* may use domctl */
#define XEN_DOMCTL_CDF_driver	 (1U << 17) /* hosts device backends */

/*
 * createdomain: make an empty, paused domain with no memory and no vCPU
 * context. xen_domctl.domain is ignored.
 */
struct xen_domctl_createdomain {
	char name[32];		      /* IN: NUL-terminated */
	uint32_t flags;		      /* IN: XEN_DOMCTL_CDF_* */
	uint32_t max_vcpus;	      /* IN: 1..32 */
	uint64_t max_pages;	      /* IN: memory limit, 4 KiB pages */
	uint32_t max_grant_frames;    /* IN: grant table frames */
	uint32_t max_maptrack_frames; /* IN: frames of grant mappings */
	uint32_t max_evtchn_port;     /* IN: highest event channel port */
	uint32_t _pad0;
	xen_domain_handle_t handle; /* IN: opaque, reported back */
	domid_t domid;		    /* OUT: the new domain */
	uint16_t _pad1[3];
};
typedef struct xen_domctl_createdomain xen_domctl_createdomain_t;
XEN_ABI_SIZE(struct xen_domctl_createdomain, 88);
XEN_ABI_OFFSET(struct xen_domctl_createdomain, flags, 32);
XEN_ABI_OFFSET(struct xen_domctl_createdomain, max_vcpus, 36);
XEN_ABI_OFFSET(struct xen_domctl_createdomain, max_pages, 40);
XEN_ABI_OFFSET(struct xen_domctl_createdomain, max_grant_frames, 48);
XEN_ABI_OFFSET(struct xen_domctl_createdomain, max_evtchn_port, 56);
XEN_ABI_OFFSET(struct xen_domctl_createdomain, handle, 64);
XEN_ABI_OFFSET(struct xen_domctl_createdomain, domid, 80);

/*
 * destroydomain, pausedomain, unpausedomain take no payload. Pausing
 * nests: a domain runs again when unpaused as often as it was paused.
 */

/* getdomaininfo flags: Xen's bits, then Citadel's roles. */
#define XEN_DOMINF_dying     (1U << 0)	/* being destroyed */
#define XEN_DOMINF_hvm_guest (1U << 1)	/* HVM/PVH */
#define XEN_DOMINF_shutdown  (1U << 2)	/* shut down: see shutdown_reason */
#define XEN_DOMINF_paused    (1U << 3)	/* paused by the control domain */
#define XEN_DOMINF_blocked   (1U << 4)	/* every vCPU is blocked */
#define XEN_DOMINF_running   (1U << 5)	/* a vCPU is on a CPU */
#define XEN_DOMINF_debugged  (1U << 6)	/* paused by a debugger */
#define XEN_DOMINF_xs_domain (1U << 7)	/* runs xenstored */
#define XEN_DOMINF_control   (1U << 16) /* XEN_DOMCTL_CDF_control */
#define XEN_DOMINF_driver    (1U << 17) /* XEN_DOMCTL_CDF_driver */

/*
 * getdomaininfo: reports the existing domain with the lowest id not below
 * xen_domctl.domain (so a loop from 0 lists them all); -ESRCH if none.
 */
struct xen_domctl_getdomaininfo {
	domid_t domain; /* OUT: the domain reported */
	uint16_t _pad0;
	uint32_t flags;		  /* OUT: XEN_DOMINF_* */
	uint64_t tot_pages;	  /* OUT: pages it owns */
	uint64_t max_pages;	  /* OUT: its limit */
	uint64_t cpu_time;	  /* OUT: ns of CPU used, all vCPUs */
	uint32_t nr_online_vcpus; /* OUT */
	uint32_t max_vcpu_id;	  /* OUT */
	uint32_t shutdown_reason; /* OUT: SHUTDOWN_*, with _shutdown */
	uint32_t weight;	  /* OUT: see setweight */
	uint32_t cap;		  /* OUT: see setcap */
	uint32_t _pad1;
	uint64_t shared_info_frame; /* OUT: for its start_info */
	xen_domain_handle_t handle; /* OUT */
	char name[32];		    /* OUT: NUL-terminated */
};
typedef struct xen_domctl_getdomaininfo xen_domctl_getdomaininfo_t;
XEN_ABI_SIZE(struct xen_domctl_getdomaininfo, 112);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, shared_info_frame, 56);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, flags, 4);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, tot_pages, 8);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, cpu_time, 24);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, nr_online_vcpus, 32);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, shutdown_reason, 40);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, cap, 48);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, handle, 64);
XEN_ABI_OFFSET(struct xen_domctl_getdomaininfo, name, 80);

/* max_vcpus: how many vCPUs the domain may bring up (before it runs). */
struct xen_domctl_max_vcpus {
	uint32_t max; /* IN */
};
typedef struct xen_domctl_max_vcpus xen_domctl_max_vcpus_t;
XEN_ABI_SIZE(struct xen_domctl_max_vcpus, 4);

/* setvcpuaffinity: the physical CPUs vCPU vcpu may run on. */
#define XEN_DOMCTL_CPUMAP_WORDS 4
#define XEN_DOMCTL_MAX_CPUS	(XEN_DOMCTL_CPUMAP_WORDS * 64)

struct xen_domctl_vcpuaffinity {
	uint32_t vcpu; /* IN */
	uint32_t _pad0;
	uint64_t cpumap[XEN_DOMCTL_CPUMAP_WORDS]; /* IN: bit n = CPU n */
};
typedef struct xen_domctl_vcpuaffinity xen_domctl_vcpuaffinity_t;
XEN_ABI_SIZE(struct xen_domctl_vcpuaffinity, 40);
XEN_ABI_OFFSET(struct xen_domctl_vcpuaffinity, cpumap, 8);

/* max_mem: the memory limit, in KiB as in Xen. */
struct xen_domctl_max_mem {
	uint64_t max_memkb; /* IN */
};
typedef struct xen_domctl_max_mem xen_domctl_max_mem_t;
XEN_ABI_SIZE(struct xen_domctl_max_mem, 8);

/*
 * populate: give the domain nr_pages more frames (within its limit) and
 * list their machine frame numbers in mfn_list, for the domain builder.
 * On failure nr_done tells how many were given and listed.
 */
struct xen_domctl_populate {
	uint64_t nr_pages;		      /* IN */
	XEN_GUEST_HANDLE(xen_pfn_t) mfn_list; /* IN: room for nr_pages */
	uint64_t nr_done;		      /* OUT */
	uint64_t va; /* IN: mapped from here in the domain (first stage) */
};
typedef struct xen_domctl_populate xen_domctl_populate_t;
XEN_ABI_SIZE(struct xen_domctl_populate, 32);
XEN_ABI_OFFSET(struct xen_domctl_populate, va, 24);
XEN_ABI_OFFSET(struct xen_domctl_populate, mfn_list, 8);
XEN_ABI_OFFSET(struct xen_domctl_populate, nr_done, 16);

/*
 * map_foreign: map frame mfn, which must belong to the target domain and
 * the domain must not have run yet, at page-aligned address va of the
 * caller, writable unless XEN_DOMCTL_MAPF_readonly. unmap_foreign removes
 * the mapping at va (mfn and flags ignored).
 */
#define XEN_DOMCTL_MAPF_readonly (1U << 0)

struct xen_domctl_map_foreign {
	xen_pfn_t mfn;	/* IN */
	uint64_t va;	/* IN */
	uint32_t flags; /* IN: XEN_DOMCTL_MAPF_* */
	uint32_t _pad0;
};
typedef struct xen_domctl_map_foreign xen_domctl_map_foreign_t;
XEN_ABI_SIZE(struct xen_domctl_map_foreign, 24);
XEN_ABI_OFFSET(struct xen_domctl_map_foreign, va, 8);
XEN_ABI_OFFSET(struct xen_domctl_map_foreign, flags, 16);

/* setvcpucontext: load the whole state of vCPU vcpu (domain paused). */
struct xen_domctl_vcpucontext {
	uint32_t vcpu; /* IN */
	uint32_t _pad0;
	XEN_GUEST_HANDLE(vcpu_guest_context_t) ctxt; /* IN */
};
typedef struct xen_domctl_vcpucontext xen_domctl_vcpucontext_t;
XEN_ABI_SIZE(struct xen_domctl_vcpucontext, 16);
XEN_ABI_OFFSET(struct xen_domctl_vcpucontext, ctxt, 8);

/*
 * setweight: the domain's share of contended CPU time, relative to other
 * domains' weights (1..65535; new domains get 256).
 */
struct xen_domctl_setweight {
	uint32_t weight; /* IN */
};
typedef struct xen_domctl_setweight xen_domctl_setweight_t;
XEN_ABI_SIZE(struct xen_domctl_setweight, 4);

/*
 * setcap: the most CPU time the domain may use, in percent of one physical
 * CPU (100 = one full CPU), even when CPUs are idle; 0 means no cap.
 */
struct xen_domctl_setcap {
	uint32_t cap; /* IN */
};
typedef struct xen_domctl_setcap xen_domctl_setcap_t;
XEN_ABI_SIZE(struct xen_domctl_setcap, 4);

/*
 * gnttab_seed: the builder's grant entries in a domain that has not run
 * yet (the reserved refs: GNTTAB_RESERVED_CONSOLE, GNTTAB_RESERVED_XENSTORE):
 * ref grants the domain's frame to domain "to". Refused while in use.
 */
struct xen_domctl_gnttab_seed {
	uint64_t frame; /* IN: a machine frame of the domain */
	uint32_t ref;	/* IN */
	domid_t to;	/* IN: the grantee */
	uint16_t flags; /* IN: XEN_DOMCTL_MAPF_readonly */
};
typedef struct xen_domctl_gnttab_seed xen_domctl_gnttab_seed_t;
XEN_ABI_SIZE(struct xen_domctl_gnttab_seed, 16);
XEN_ABI_OFFSET(struct xen_domctl_gnttab_seed, ref, 8);
XEN_ABI_OFFSET(struct xen_domctl_gnttab_seed, to, 12);

/*
 * assign_device, deassign_device: a PCI function (machine_sbdf: segment
 * << 16 | bus << 8 | devfn) to or from the domain. It is reset on the
 * way in and out, and confined by the IOMMU to the domain's memory.
 */
#define XEN_DOMCTL_DEV_PCI 0
struct xen_domctl_assign_device {
	uint32_t dev;	/* IN: XEN_DOMCTL_DEV_PCI */
	uint32_t flags; /* IN: 0 */
	union {
		struct {
			uint32_t machine_sbdf;
		} pci;
		uint64_t _pad0[4];
	} u;
};
typedef struct xen_domctl_assign_device xen_domctl_assign_device_t;
XEN_ABI_SIZE(struct xen_domctl_assign_device, 40);
XEN_ABI_OFFSET(struct xen_domctl_assign_device, u, 8);

/* Payloads never grow the call beyond this. */
#define XEN_DOMCTL_PAYLOAD_SIZE 128

struct xen_domctl {
	uint32_t cmd;		    /* XEN_DOMCTL_* */
	uint32_t interface_version; /* XEN_DOMCTL_INTERFACE_VERSION */
	domid_t domain;		    /* the target */
	uint16_t pad[3];
	union {
		struct xen_domctl_createdomain createdomain;
		struct xen_domctl_getdomaininfo getdomaininfo;
		struct xen_domctl_max_vcpus max_vcpus;
		struct xen_domctl_vcpuaffinity vcpuaffinity;
		struct xen_domctl_max_mem max_mem;
		struct xen_domctl_populate populate;
		struct xen_domctl_map_foreign map_foreign;
		struct xen_domctl_vcpucontext vcpucontext;
		struct xen_domctl_setweight setweight;
		struct xen_domctl_setcap setcap;
		struct xen_domctl_gnttab_seed gnttab_seed;
		struct xen_domctl_assign_device assign_device;
		uint8_t pad[XEN_DOMCTL_PAYLOAD_SIZE];
	} u;
};
typedef struct xen_domctl xen_domctl_t;
DEFINE_XEN_GUEST_HANDLE(xen_domctl_t);
XEN_ABI_SIZE(struct xen_domctl, 16 + XEN_DOMCTL_PAYLOAD_SIZE);
XEN_ABI_OFFSET(struct xen_domctl, interface_version, 4);
XEN_ABI_OFFSET(struct xen_domctl, domain, 8);
XEN_ABI_OFFSET(struct xen_domctl, u, 16);

#endif /* XEN_PUBLIC_DOMCTL_H */
