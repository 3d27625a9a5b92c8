/*
 * Event channels, 2-level ABI (xen/common/event_channel.c): the internal
 * interface the hypercall glue, the timers and the domain builder use.
 * Guests see ports 1..EVTCHN_MAX_PORTS-1 as bits of the evtchn_pending and
 * evtchn_mask words of their shared_info; port 0 is never allocated.
 *
 * Every function returns 0 or a negative errno and changes nothing when it
 * fails: -EINVAL (bad port, wrong state, domain without a table or being
 * destroyed), -ENOSPC (no free port), -EPERM (policy), -EEXIST (VIRQ
 * already bound), -ENOENT (no such vCPU), -ENOMEM (init only).
 *
 * Callers keep the domains they pass alive (there are no domain reference
 * counts), and make no other call on a domain while or after
 * evtchn_domain_destroy() runs for it; calls naming it as a peer are safe.
 */
#ifndef XEN_EVENT_H
#define XEN_EVENT_H

#include <xen/types.h>
#include <public/event_channel.h>

struct domain;
struct vcpu;

/* Ports per domain, port 0 included (it is reserved). */
#define EVTCHN_MAX_PORTS 1024

/* d's table, all ports free. -EEXIST if it has one, -ENOMEM. */
int evtchn_domain_init(struct domain *d);

/*
 * Close every port of d (an interdomain peer's end becomes unbound,
 * offered to d's id, as in Xen) and free the table; d->evtchn is NULL
 * after. Call before d's vCPUs and shared_info go, with its vCPUs stopped.
 */
void evtchn_domain_destroy(struct domain *d);

/*
 * A new port of d that domain remote may bind to (DOMID_SELF: d itself;
 * the glue turns DOMID_SELF into the caller's id when the caller is not
 * d). Asks policy_check(d, POLICY_EVTCHN_UNBOUND, remote's domain or NULL).
 */
int evtchn_alloc_unbound(struct domain *d, domid_t remote, evtchn_port_t *port);

/*
 * Connect a new port of ld to rd's port rport, which must be unbound and
 * offered to ld (ld == rd: loopback). Asks policy_check(ld,
 * POLICY_EVTCHN_INTERDOMAIN, rd). As in Xen, the new port starts pending:
 * sends to the unbound end were dropped, so ld is told to look.
 */
int evtchn_bind_interdomain(struct domain *ld, struct domain *rd,
			    evtchn_port_t rport, evtchn_port_t *lport);

/*
 * A port for VIRQ virq on v. Global VIRQs (all but TIMER, DEBUG, XENOPROF
 * and XENPMU) bind on vCPU 0 only. -EINVAL for a bad virq or a global one
 * on another vCPU, -EEXIST if bound already.
 */
int evtchn_bind_virq(struct vcpu *v, unsigned int virq, evtchn_port_t *port);

/* A port that, sent on, notifies v (its domain's own vCPU). */
int evtchn_bind_ipi(struct vcpu *v, evtchn_port_t *port);

/*
 * Notify vCPU vcpu_id of d for port from now on: unbound, interdomain and
 * global-VIRQ ports only (Xen's rule); -ENOENT if there is no such vCPU.
 */
int evtchn_bind_vcpu(struct domain *d, evtchn_port_t port,
		     unsigned int vcpu_id);

/*
 * Guest d sends on its port: an interdomain port raises the peer's end
 * (loopback included), an IPI port raises itself, an unbound port drops
 * the event and returns 0 (Xen's semantics). -EINVAL otherwise.
 */
int evtchn_send(struct domain *d, evtchn_port_t port);

/* Free port; an interdomain peer's end becomes unbound, offered to d. */
int evtchn_close(struct domain *d, evtchn_port_t port);

/*
 * What a port is: status is EVTCHNSTAT_*; vcpu the vCPU it notifies;
 * remote_dom the domain offered to (unbound) or the peer (interdomain),
 * remote_port the peer's port; virq for VIRQ ports. Unused fields are 0.
 * Port 0 and free ports are EVTCHNSTAT_closed; -EINVAL beyond the table.
 */
struct evtchn_status_info {
	uint32_t status;
	uint32_t vcpu;
	domid_t remote_dom;
	evtchn_port_t remote_port;
	uint32_t virq;
	uint32_t pirq;
};
int evtchn_status(struct domain *d, evtchn_port_t port,
		  struct evtchn_status_info *st);

/*
 * EVTCHNOP_unmask: clear the mask bit and, if the port is pending, notify
 * its vCPU. Any port of the table (0 and free ones too, as in Xen).
 */
int evtchn_unmask(struct domain *d, evtchn_port_t port);

/*
 * A port of d for its physical interrupt pirq, telling vCPU 0 (the
 * caller checked that d owns pirq and that it has no port yet).
 */
int evtchn_bind_pirq(struct domain *d, unsigned int pirq, evtchn_port_t *port);
/*
 * The interrupt pirq fired (interrupt context): port must still be its
 * port in d; -EINVAL when it was closed meanwhile.
 */
int evtchn_send_pirq(struct domain *d, evtchn_port_t port, unsigned int pirq);

/* Raise per-vCPU VIRQ virq (VIRQ_TIMER...) of v, if bound. */
void evtchn_send_virq(struct vcpu *v, unsigned int virq);
/* Raise global VIRQ virq of d on the vCPU its port notifies, if bound. */
void evtchn_send_global_virq(struct domain *d, unsigned int virq);

/*
 * Provided by the arch: v has a new upcall pending (evtchn_upcall_pending
 * went 0 -> 1); wake it and have it take the upcall. Called with an event
 * channel lock held and interrupts off, possibly from interrupt context:
 * it must not call back into this interface nor wait for another CPU.
 */
void arch_vcpu_kick(struct vcpu *v);

/*
 * Provided by the arch: d's port for pirq was closed (with d's lock held
 * and interrupts off): the interrupt has no port any more.
 */
void arch_pirq_unbound(struct domain *d, unsigned int pirq, evtchn_port_t port);

#endif
