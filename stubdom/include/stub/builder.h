/*
 * Building a PV domain from an ELF image, as the control domain does it:
 * create, populate, load the image through a window of foreign mappings,
 * write start_info (with the xenstore and console rings and their event
 * channels when a backend is named), set vCPU 0's context. The domain is
 * left paused; unpause it when its backends know of it.
 */
#ifndef STUB_BUILDER_H
#define STUB_BUILDER_H

#include <stdint.h>
#include <public/domctl.h>
#include <public/event_channel.h>
#include <public/xen.h>

struct stub_build {
	/* In. */
	const char *name;
	const void *image;
	unsigned long len;
	const char *cmdline;
	unsigned long pages;	/* memory; 0: 1024 pages */
	unsigned int max_vcpus; /* 0: 1 */
	uint32_t flags;		/* XEN_DOMCTL_CDF_* */
	domid_t store_domid;	/* xenstored, or DOMID_INVALID: no store ring */
	domid_t console_domid;	/* console backend, or DOMID_INVALID */
	const uint8_t *handle;	/* 16 bytes (a UUID), or NULL: all zero */
	/* Out. */
	domid_t domid;
	xen_pfn_t first_mfn; /* of the image's first page */
	xen_pfn_t store_mfn, console_mfn;
	evtchn_port_t store_port, console_port; /* in the new domain */
	const char *error;			/* why it failed */
};

/*
 * Build it: 0 and b->domid, or a negative value and b->error (a half-built
 * domain is destroyed again).
 */
long stub_build_domain(struct stub_build *b);

long stub_domctl(struct xen_domctl *op, uint32_t cmd, domid_t dom);
/*
 * destroydomain, tried again (after a short sleep, which lets the other
 * CPUs move) while it fails with -XEN_EAGAIN: one of the domain's vCPUs
 * has not left its CPU yet. Gives up after STUB_DESTROY_WAIT_NS.
 */
#define STUB_DESTROY_RETRY_NS 100000ull	    /* 100 us */
#define STUB_DESTROY_WAIT_NS  1000000000ull /* 1 s */
long stub_destroy_domain(domid_t dom);

#endif
