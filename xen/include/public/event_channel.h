/*
 * Event channels: event_channel_op(cmd, arg) (hypercall 32). A port is one
 * end of a channel; sending on it marks the other end pending in the
 * receiver's shared_info (2-level ABI) or event array (FIFO ABI).
 */
#ifndef XEN_PUBLIC_EVENT_CHANNEL_H
#define XEN_PUBLIC_EVENT_CHANNEL_H

#include <stdint.h>
#include "xen-compat.h"
#include "xen.h"

#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq	  1
#define EVTCHNOP_bind_pirq	  2
#define EVTCHNOP_close		  3
#define EVTCHNOP_send		  4
#define EVTCHNOP_status		  5
#define EVTCHNOP_alloc_unbound	  6
#define EVTCHNOP_bind_ipi	  7
#define EVTCHNOP_bind_vcpu	  8
#define EVTCHNOP_unmask		  9
#define EVTCHNOP_reset		  10
#define EVTCHNOP_init_control	  11
#define EVTCHNOP_expand_array	  12
#define EVTCHNOP_set_priority	  13

/*
 * alloc_unbound: make a port in dom that remote_dom may later bind to.
 * dom may be DOMID_SELF; the new port comes back in port.
 */
struct evtchn_alloc_unbound {
	domid_t dom, remote_dom; /* IN */
	evtchn_port_t port;	 /* OUT */
};
typedef struct evtchn_alloc_unbound evtchn_alloc_unbound_t;
XEN_ABI_SIZE(struct evtchn_alloc_unbound, 8);
XEN_ABI_OFFSET(struct evtchn_alloc_unbound, remote_dom, 2);
XEN_ABI_OFFSET(struct evtchn_alloc_unbound, port, 4);

/* bind_interdomain: connect a new local port to remote_dom's unbound one. */
struct evtchn_bind_interdomain {
	domid_t remote_dom; /* IN */
	uint16_t _pad0;
	evtchn_port_t remote_port; /* IN */
	evtchn_port_t local_port;  /* OUT */
};
typedef struct evtchn_bind_interdomain evtchn_bind_interdomain_t;
XEN_ABI_SIZE(struct evtchn_bind_interdomain, 12);
XEN_ABI_OFFSET(struct evtchn_bind_interdomain, remote_port, 4);
XEN_ABI_OFFSET(struct evtchn_bind_interdomain, local_port, 8);

/* bind_virq: bind VIRQ virq of vCPU vcpu to a new port. */
struct evtchn_bind_virq {
	uint32_t virq;	    /* IN: VIRQ_* */
	uint32_t vcpu;	    /* IN */
	evtchn_port_t port; /* OUT */
};
typedef struct evtchn_bind_virq evtchn_bind_virq_t;
XEN_ABI_SIZE(struct evtchn_bind_virq, 12);
XEN_ABI_OFFSET(struct evtchn_bind_virq, port, 8);

/* bind_pirq: bind a physical IRQ (privileged domains only). */
struct evtchn_bind_pirq {
	uint32_t pirq;	    /* IN */
	uint32_t flags;	    /* IN: BIND_PIRQ__* */
	evtchn_port_t port; /* OUT */
};
#define BIND_PIRQ__WILL_SHARE 1
typedef struct evtchn_bind_pirq evtchn_bind_pirq_t;
XEN_ABI_SIZE(struct evtchn_bind_pirq, 12);
XEN_ABI_OFFSET(struct evtchn_bind_pirq, port, 8);

/* bind_ipi: a port that signals the caller's own vCPU vcpu. */
struct evtchn_bind_ipi {
	uint32_t vcpu;	    /* IN */
	evtchn_port_t port; /* OUT */
};
typedef struct evtchn_bind_ipi evtchn_bind_ipi_t;
XEN_ABI_SIZE(struct evtchn_bind_ipi, 8);

/* close: free a local port; the remote end of a channel becomes unbound. */
struct evtchn_close {
	evtchn_port_t port; /* IN */
};
typedef struct evtchn_close evtchn_close_t;
XEN_ABI_SIZE(struct evtchn_close, 4);

/* send: notify the other end of a local port. */
struct evtchn_send {
	evtchn_port_t port; /* IN */
};
typedef struct evtchn_send evtchn_send_t;
XEN_ABI_SIZE(struct evtchn_send, 4);

/* status: what a port of dom (or DOMID_SELF) is bound to. */
#define EVTCHNSTAT_closed      0 /* free */
#define EVTCHNSTAT_unbound     1 /* waiting for a remote domain */
#define EVTCHNSTAT_interdomain 2 /* connected to a remote port */
#define EVTCHNSTAT_pirq	       3 /* bound to a physical IRQ */
#define EVTCHNSTAT_virq	       4 /* bound to a VIRQ */
#define EVTCHNSTAT_ipi	       5 /* bound to an IPI */

struct evtchn_status {
	domid_t dom; /* IN */
	uint16_t _pad0;
	evtchn_port_t port; /* IN */
	uint32_t status;    /* OUT: EVTCHNSTAT_* */
	uint32_t vcpu;	    /* OUT: the vCPU notified */
	union {
		struct {
			domid_t dom;
		} unbound; /* EVTCHNSTAT_unbound */
		struct {
			domid_t dom;
			uint16_t _pad0;
			evtchn_port_t port;
		} interdomain; /* EVTCHNSTAT_interdomain */
		uint32_t pirq; /* EVTCHNSTAT_pirq */
		uint32_t virq; /* EVTCHNSTAT_virq */
	} u;
};
typedef struct evtchn_status evtchn_status_t;
XEN_ABI_SIZE(struct evtchn_status, 24);
XEN_ABI_OFFSET(struct evtchn_status, port, 4);
XEN_ABI_OFFSET(struct evtchn_status, status, 8);
XEN_ABI_OFFSET(struct evtchn_status, vcpu, 12);
XEN_ABI_OFFSET(struct evtchn_status, u, 16);
XEN_ABI_OFFSET(struct evtchn_status, u.interdomain.port, 20);

/* bind_vcpu: deliver a port's events to another vCPU of the caller. */
struct evtchn_bind_vcpu {
	evtchn_port_t port; /* IN */
	uint32_t vcpu;	    /* IN */
};
typedef struct evtchn_bind_vcpu evtchn_bind_vcpu_t;
XEN_ABI_SIZE(struct evtchn_bind_vcpu, 8);

/* unmask: clear a port's mask bit, delivering it if it is pending. */
struct evtchn_unmask {
	evtchn_port_t port; /* IN */
};
typedef struct evtchn_unmask evtchn_unmask_t;
XEN_ABI_SIZE(struct evtchn_unmask, 4);

/* reset: close every port of dom (DOMID_SELF, or privileged callers). */
struct evtchn_reset {
	domid_t dom; /* IN */
};
typedef struct evtchn_reset evtchn_reset_t;
XEN_ABI_SIZE(struct evtchn_reset, 2);

/*
 * init_control: switch the caller to the FIFO ABI, registering vCPU vcpu's
 * control block at offset in frame control_gfn.
 */
struct evtchn_init_control {
	uint64_t control_gfn; /* IN */
	uint32_t offset;      /* IN */
	uint32_t vcpu;	      /* IN */
	uint8_t link_bits;    /* OUT: EVTCHN_FIFO_LINK_BITS */
	uint8_t _pad[7];
};
typedef struct evtchn_init_control evtchn_init_control_t;
XEN_ABI_SIZE(struct evtchn_init_control, 24);
XEN_ABI_OFFSET(struct evtchn_init_control, offset, 8);
XEN_ABI_OFFSET(struct evtchn_init_control, link_bits, 16);

/* expand_array: add one page of FIFO event words. */
struct evtchn_expand_array {
	uint64_t array_gfn; /* IN */
};
typedef struct evtchn_expand_array evtchn_expand_array_t;
XEN_ABI_SIZE(struct evtchn_expand_array, 8);

/* set_priority: choose a port's FIFO queue. */
struct evtchn_set_priority {
	evtchn_port_t port; /* IN */
	uint32_t priority;  /* IN: EVTCHN_FIFO_PRIORITY_* range */
};
typedef struct evtchn_set_priority evtchn_set_priority_t;
XEN_ABI_SIZE(struct evtchn_set_priority, 8);

/* Argument of the old event_channel_op_compat (hypercall 16). */
struct evtchn_op {
	uint32_t cmd; /* EVTCHNOP_* */
	union {
		evtchn_alloc_unbound_t alloc_unbound;
		evtchn_bind_interdomain_t bind_interdomain;
		evtchn_bind_virq_t bind_virq;
		evtchn_bind_pirq_t bind_pirq;
		evtchn_bind_ipi_t bind_ipi;
		evtchn_close_t close;
		evtchn_send_t send;
		evtchn_status_t status;
		evtchn_bind_vcpu_t bind_vcpu;
		evtchn_unmask_t unmask;
	} u;
};
typedef struct evtchn_op evtchn_op_t;
DEFINE_XEN_GUEST_HANDLE(evtchn_op_t);
XEN_ABI_SIZE(struct evtchn_op, 28);
XEN_ABI_OFFSET(struct evtchn_op, u, 4);

/*
 * The FIFO ABI. Each port has a 32-bit event word in guest-registered
 * array pages: flag bits at the top and the next port of its queue below.
 * Each vCPU has a control block holding the head of each priority queue.
 */
typedef uint32_t event_word_t;

#define EVTCHN_FIFO_PENDING 31
#define EVTCHN_FIFO_MASKED  30
#define EVTCHN_FIFO_LINKED  29
#define EVTCHN_FIFO_BUSY    28

#define EVTCHN_FIFO_LINK_BITS	17
#define EVTCHN_FIFO_LINK_MASK	((1 << EVTCHN_FIFO_LINK_BITS) - 1)
#define EVTCHN_FIFO_NR_CHANNELS (1 << EVTCHN_FIFO_LINK_BITS)

#define EVTCHN_FIFO_PRIORITY_MAX     0
#define EVTCHN_FIFO_PRIORITY_DEFAULT 7
#define EVTCHN_FIFO_PRIORITY_MIN     15
#define EVTCHN_FIFO_MAX_QUEUES	     (EVTCHN_FIFO_PRIORITY_MIN + 1)

struct evtchn_fifo_control_block {
	uint32_t ready; /* bit per queue with events */
	uint32_t _rsvd;
	event_word_t head[EVTCHN_FIFO_MAX_QUEUES];
};
typedef struct evtchn_fifo_control_block evtchn_fifo_control_block_t;
XEN_ABI_SIZE(struct evtchn_fifo_control_block, 72);
XEN_ABI_OFFSET(struct evtchn_fifo_control_block, head, 8);

#endif /* XEN_PUBLIC_EVENT_CHANNEL_H */
