/*
 * event_channel_op for PV domains: copy each argument structure in,
 * check what only the glue can (the domain named, the vCPU), call
 * xen/common/event_channel.c, copy the result out. FIFO event channels
 * (init_control, expand_array) are not offered: guests fall back to the
 * 2-level ABI, as Linux does.
 */
#include <xen/errno.h>
#include <xen/event.h>
#include <xen/lib.h>
#include <xen/policy.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <public/event_channel.h>
#include <asm/apic.h>
#include <asm/guest_access.h>
#include <asm/irq.h>
#include <asm/percpu.h>
#include <asm/pirq.h>
#include <asm/pv.h>

union evtchn_op_args {
	struct evtchn_alloc_unbound alloc_unbound;
	struct evtchn_bind_interdomain bind_interdomain;
	struct evtchn_bind_virq bind_virq;
	struct evtchn_bind_ipi bind_ipi;
	struct evtchn_close close;
	struct evtchn_send send;
	struct evtchn_status status;
	struct evtchn_bind_vcpu bind_vcpu;
	struct evtchn_unmask unmask;
	struct evtchn_bind_pirq bind_pirq;
};

static const size_t evtchn_op_size[] = {
	[EVTCHNOP_alloc_unbound] = sizeof(struct evtchn_alloc_unbound),
	[EVTCHNOP_bind_interdomain] = sizeof(struct evtchn_bind_interdomain),
	[EVTCHNOP_bind_virq] = sizeof(struct evtchn_bind_virq),
	[EVTCHNOP_bind_ipi] = sizeof(struct evtchn_bind_ipi),
	[EVTCHNOP_close] = sizeof(struct evtchn_close),
	[EVTCHNOP_send] = sizeof(struct evtchn_send),
	[EVTCHNOP_status] = sizeof(struct evtchn_status),
	[EVTCHNOP_bind_vcpu] = sizeof(struct evtchn_bind_vcpu),
	[EVTCHNOP_unmask] = sizeof(struct evtchn_unmask),
	[EVTCHNOP_bind_pirq] = sizeof(struct evtchn_bind_pirq),
};

/* DOMID_SELF or our own id: the only domain a guest may name here. */
static bool evtchn_is_self(struct domain *d, domid_t dom)
{
	return dom == DOMID_SELF || dom == d->domain_id;
}

static struct vcpu *evtchn_vcpu(struct domain *d, uint32_t id)
{
	return id < d->max_vcpus ? d->vcpus[id] : NULL;
}

static int evtchn_op_status(struct domain *d, struct evtchn_status *st)
{
	struct evtchn_status_info info;
	int rc;

	if (!evtchn_is_self(d, st->dom))
		return -EPERM;
	rc = evtchn_status(d, st->port, &info);
	if (rc)
		return rc;
	st->status = info.status;
	st->vcpu = info.vcpu;
	if (info.status == EVTCHNSTAT_unbound)
		st->u.unbound.dom = info.remote_dom;
	else if (info.status == EVTCHNSTAT_interdomain) {
		st->u.interdomain.dom = info.remote_dom;
		st->u.interdomain.port = info.remote_port;
	} else if (info.status == EVTCHNSTAT_virq)
		st->u.virq = info.virq;
	else if (info.status == EVTCHNSTAT_pirq)
		st->u.pirq = info.pirq;
	return 0;
}

static int evtchn_op_bind_interdomain(struct domain *d,
				      struct evtchn_bind_interdomain *b)
{
	struct domain *rd;
	int rc;

	if (evtchn_is_self(d, b->remote_dom))
		return evtchn_bind_interdomain(d, d, b->remote_port,
					       &b->local_port);
	rd = domain_get(b->remote_dom);
	if (!rd)
		return -ESRCH;
	rc = evtchn_bind_interdomain(d, rd, b->remote_port, &b->local_port);
	domain_put(rd);
	return rc;
}

/*
 * The control domain makes a port in the domain it builds, offered to
 * a third (xenstored, a console backend), as Xen's toolstack does.
 * DOMID_SELF as the remote is the caller.
 */
static int evtchn_op_alloc_for(struct domain *d, struct evtchn_alloc_unbound *a)
{
	struct domain *target;
	int rc;

	if (policy_check(d, POLICY_EVTCHN_FOR_OTHER, NULL) < 0)
		return -EPERM;
	target = domain_get(a->dom);
	if (!target)
		return -ESRCH;
	rc = evtchn_alloc_unbound(
	    target, a->remote_dom == DOMID_SELF ? d->domain_id : a->remote_dom,
	    &a->port);
	domain_put(target);
	return rc;
}

static int evtchn_op_run(struct domain *d, unsigned int cmd,
			 union evtchn_op_args *a)
{
	struct vcpu *v;

	switch (cmd) {
	case EVTCHNOP_alloc_unbound:
		if (!evtchn_is_self(d, a->alloc_unbound.dom))
			return evtchn_op_alloc_for(d, &a->alloc_unbound);
		return evtchn_alloc_unbound(d,
					    a->alloc_unbound.remote_dom ==
						    DOMID_SELF
						? d->domain_id
						: a->alloc_unbound.remote_dom,
					    &a->alloc_unbound.port);
	case EVTCHNOP_bind_interdomain:
		return evtchn_op_bind_interdomain(d, &a->bind_interdomain);
	case EVTCHNOP_bind_virq:
		v = evtchn_vcpu(d, a->bind_virq.vcpu);
		return v ? evtchn_bind_virq(v, a->bind_virq.virq,
					    &a->bind_virq.port)
			 : -ENOENT;
	case EVTCHNOP_bind_ipi:
		v = evtchn_vcpu(d, a->bind_ipi.vcpu);
		return v ? evtchn_bind_ipi(v, &a->bind_ipi.port) : -ENOENT;
	case EVTCHNOP_close:
		return evtchn_close(d, a->close.port);
	case EVTCHNOP_send:
		return evtchn_send(d, a->send.port);
	case EVTCHNOP_status:
		return evtchn_op_status(d, &a->status);
	case EVTCHNOP_bind_pirq:
		return pirq_bind(d, a->bind_pirq.pirq, &a->bind_pirq.port);
	case EVTCHNOP_bind_vcpu:
		return evtchn_bind_vcpu(d, a->bind_vcpu.port,
					a->bind_vcpu.vcpu);
	default:
		return evtchn_unmask(d, a->unmask.port);
	}
}

long pv_do_event_channel_op(uint64_t cmd, uint64_t arg, uint64_t a3,
			    uint64_t a4, uint64_t a5)
{
	struct domain *d = pv_current()->domain;
	union evtchn_op_args a;
	size_t size;
	int rc;

	if (cmd >= ARRAY_SIZE(evtchn_op_size) || !evtchn_op_size[cmd])
		return -ENOSYS;
	size = evtchn_op_size[cmd];
	if (copy_from_guest(d, &a, arg, size) < 0)
		return -EFAULT;
	rc = evtchn_op_run(d, (unsigned int)cmd, &a);
	if (rc == 0 && copy_to_guest(d, arg, &a, size) < 0)
		return -EFAULT;
	return rc;
}

/*
 * An event is pending for v: make it runnable, and if it runs on another
 * CPU, interrupt that CPU so the upcall is delivered on its way out.
 */
void arch_vcpu_kick(struct vcpu *v)
{
	vcpu_wake(v);
	if (__atomic_load_n(&v->running, __ATOMIC_ACQUIRE) &&
	    v->processor != smp_processor_id())
		apic_send_ipi(percpu_data[v->processor].apic_id,
			      EVENT_CHECK_VECTOR);
}
