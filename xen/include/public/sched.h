/*
 * Scheduler operations: sched_op(cmd, arg) (hypercall 29).
 */
#ifndef XEN_PUBLIC_SCHED_H
#define XEN_PUBLIC_SCHED_H

#include <stdint.h>
#include "xen-compat.h"
#include "xen.h"

#define SCHEDOP_yield		0 /* give up the CPU; arg NULL */
#define SCHEDOP_block		1 /* sleep until an event; arg NULL */
#define SCHEDOP_shutdown	2 /* struct sched_shutdown */
#define SCHEDOP_poll		3 /* struct sched_poll */
#define SCHEDOP_remote_shutdown 4 /* struct sched_remote_shutdown */
#define SCHEDOP_shutdown_code	5 /* record a reason without stopping */
#define SCHEDOP_watchdog	6 /* struct sched_watchdog */
#define SCHEDOP_pin_override	7 /* struct sched_pin_override */

/* Why a domain stopped (shutdown reason codes). */
#define SHUTDOWN_poweroff   0 /* halt, clean up, don't restart */
#define SHUTDOWN_reboot	    1 /* clean up, then restart */
#define SHUTDOWN_suspend    2 /* keep state for a later resume */
#define SHUTDOWN_crash	    3 /* the domain failed */
#define SHUTDOWN_watchdog   4 /* a watchdog expired */
#define SHUTDOWN_soft_reset 5 /* reset, keeping memory, for kexec */
#define SHUTDOWN_MAX	    5

struct sched_shutdown {
	unsigned int reason; /* SHUTDOWN_* */
};
typedef struct sched_shutdown sched_shutdown_t;
DEFINE_XEN_GUEST_HANDLE(sched_shutdown_t);
XEN_ABI_SIZE(struct sched_shutdown, 4);

/*
 * Block until one of ports is pending or the system time reaches timeout
 * (ns; 0 means no timeout).
 */
struct sched_poll {
	XEN_GUEST_HANDLE(evtchn_port_t) ports;
	unsigned int nr_ports;
	uint32_t _pad0;
	uint64_t timeout;
};
typedef struct sched_poll sched_poll_t;
DEFINE_XEN_GUEST_HANDLE(sched_poll_t);
XEN_ABI_SIZE(struct sched_poll, 24);
XEN_ABI_OFFSET(struct sched_poll, nr_ports, 8);
XEN_ABI_OFFSET(struct sched_poll, timeout, 16);

/* Shut another domain down (privileged). */
struct sched_remote_shutdown {
	domid_t domain_id;
	uint16_t _pad0;
	unsigned int reason; /* SHUTDOWN_* */
};
typedef struct sched_remote_shutdown sched_remote_shutdown_t;
DEFINE_XEN_GUEST_HANDLE(sched_remote_shutdown_t);
XEN_ABI_SIZE(struct sched_remote_shutdown, 8);
XEN_ABI_OFFSET(struct sched_remote_shutdown, reason, 4);

/*
 * Arm a watchdog: id 0 with a timeout makes a new one (its id is the
 * result); an id with a timeout re-arms it; an id with 0 destroys it.
 */
struct sched_watchdog {
	uint32_t id;
	uint32_t timeout; /* seconds */
};
typedef struct sched_watchdog sched_watchdog_t;
DEFINE_XEN_GUEST_HANDLE(sched_watchdog_t);
XEN_ABI_SIZE(struct sched_watchdog, 8);

/* Temporarily pin the calling vCPU to pcpu (hardware domain; -1 undoes). */
struct sched_pin_override {
	int32_t pcpu;
};
typedef struct sched_pin_override sched_pin_override_t;
DEFINE_XEN_GUEST_HANDLE(sched_pin_override_t);
XEN_ABI_SIZE(struct sched_pin_override, 4);

#endif /* XEN_PUBLIC_SCHED_H */
