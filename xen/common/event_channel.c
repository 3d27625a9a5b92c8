/*
 * Event channels, 2-level ABI. Each domain has a table of port records
 * (struct evtchn, 16 bytes, in pages from alloc_xen_page, all taken at
 * init so nothing is allocated under a lock); events are delivered by
 * atomic bit operations on the domain's shared_info and vcpu_info.
 *
 * Locks, in order:
 *   1. evtchn_pair_lock (global): held by whoever makes or breaks an
 *      interdomain pair (bind_interdomain, close, destroy) or clears
 *      d->evtchn. A pair changes only under it and both tables' locks, so
 *      holding either table's lock pins the pair, and the peer domain
 *      cannot finish evtchn_domain_destroy() meanwhile: that is what keeps
 *      the peer alive without domain reference counts.
 *   2. table locks (one per domain), guarding its records and its vCPUs'
 *      virq_to_evtchn[]. Only the pair lock's holder ever holds two, and it
 *      takes them lower domain id first. Always taken with interrupts off,
 *      as VIRQs may be raised from interrupt context.
 * Holding a table lock, nothing else is locked. Sending on an interdomain
 * port writes the peer's shared_info under the sender's lock only; the
 * peer's notify vCPU, which bind_vcpu changes under the peer's lock, is
 * read atomically. arch_vcpu_kick() runs under a table lock.
 */
#include <xen/arch.h>
#include <xen/errno.h>
#include <xen/event.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/policy.h>
#include <xen/sched.h>
#include <xen/spinlock.h>

enum evtchn_state {
	ECS_FREE = 0, /* a zeroed record is a free port */
	ECS_UNBOUND,
	ECS_INTERDOMAIN,
	ECS_VIRQ,
	ECS_IPI,
	ECS_PIRQ,
};

struct evtchn {
	uint8_t state;	      /* enum evtchn_state */
	uint8_t notify_vcpu;  /* the vCPU told of its events */
	uint8_t virq;	      /* ECS_VIRQ */
	uint8_t _pad;	      /* keeps the record 16 bytes */
	domid_t remote_domid; /* ECS_UNBOUND: who may bind to it */
	uint16_t
	    remote_port; /* ECS_INTERDOMAIN: the peer's port; ECS_PIRQ: pirq */
	struct domain *remote; /* ECS_INTERDOMAIN: alive while paired */
};

#define EVTCHN_PER_PAGE (PAGE_SIZE / sizeof(struct evtchn))
#define EVTCHN_PAGES	(EVTCHN_MAX_PORTS / EVTCHN_PER_PAGE)
#define EVTCHN_WORD	(sizeof(xen_ulong_t) * 8) /* ports per bitmap word */

struct evtchn_table {
	spinlock_t lock;
	bool dying;	     /* destroy has begun: no new ports */
	uint16_t first_free; /* no free port below it */
	struct evtchn *page[EVTCHN_PAGES];
};

_Static_assert(sizeof(struct evtchn) == 16, "records pack a page");
_Static_assert(EVTCHN_MAX_PORTS % EVTCHN_PER_PAGE == 0, "whole pages");
_Static_assert(EVTCHN_MAX_PORTS <= EVTCHN_2L_NR_CHANNELS, "2-level ABI");
_Static_assert(EVTCHN_MAX_PORTS <= 0x10000, "ports fit uint16_t fields");
_Static_assert(MAX_VIRT_CPUS <= 0x100, "vCPU ids fit notify_vcpu");
_Static_assert(NR_VIRQS <= 0x100, "VIRQs fit the virq field");
_Static_assert(sizeof(struct evtchn_table) <= PAGE_SIZE, "table header");

static DEFINE_SPINLOCK(evtchn_pair_lock);

/* ---- Guest-shared bitmaps: the guest writes the same words. ---- */

static bool evtchn_bit_set(xen_ulong_t *w, unsigned int bit)
{
	xen_ulong_t m = (xen_ulong_t)1 << (bit % EVTCHN_WORD);

	return __atomic_fetch_or(&w[bit / EVTCHN_WORD], m, __ATOMIC_SEQ_CST) &
	       m;
}

static bool evtchn_bit_clear(xen_ulong_t *w, unsigned int bit)
{
	xen_ulong_t m = (xen_ulong_t)1 << (bit % EVTCHN_WORD);

	return __atomic_fetch_and(&w[bit / EVTCHN_WORD], ~m, __ATOMIC_SEQ_CST) &
	       m;
}

static bool evtchn_bit_test(xen_ulong_t *w, unsigned int bit)
{
	xen_ulong_t m = (xen_ulong_t)1 << (bit % EVTCHN_WORD);

	return __atomic_load_n(&w[bit / EVTCHN_WORD], __ATOMIC_SEQ_CST) & m;
}

/* ---- Records, vCPUs, locks ---- */

static struct evtchn *evtchn_rec(const struct evtchn_table *t,
				 evtchn_port_t port)
{
	return &t->page[port / EVTCHN_PER_PAGE][port % EVTCHN_PER_PAGE];
}

/* A port a guest may name in close, send, bind_vcpu: not 0, in range. */
static bool evtchn_port_usable(evtchn_port_t port)
{
	return port != 0 && port < EVTCHN_MAX_PORTS;
}

static struct vcpu *evtchn_vcpu(struct domain *d, unsigned int id)
{
	if (id >= d->max_vcpus || id >= MAX_VIRT_CPUS)
		return NULL;
	return __atomic_load_n(&d->vcpus[id], __ATOMIC_ACQUIRE);
}

static bool evtchn_virq_is_global(unsigned int virq)
{
	return virq != VIRQ_TIMER && virq != VIRQ_DEBUG &&
	       virq != VIRQ_XENOPROF && virq != VIRQ_XENPMU;
}

static unsigned long evtchn_lock(struct evtchn_table *t)
{
	unsigned long flags = arch_irq_save();

	spin_lock(&t->lock);
	return flags;
}

static void evtchn_unlock(struct evtchn_table *t, unsigned long flags)
{
	spin_unlock(&t->lock);
	arch_irq_restore(flags);
}

/* Pair lock held: lock the tables of a and b, lower domain id first. */
static void evtchn_lock_both(struct domain *a, struct domain *b)
{
	if (a->domain_id > b->domain_id) {
		struct domain *x = a;

		a = b;
		b = x;
	}
	spin_lock(&a->evtchn->lock);
	if (b != a)
		spin_lock(&b->evtchn->lock);
}

static void evtchn_unlock_both(struct domain *a, struct domain *b)
{
	if (b != a)
		spin_unlock(&b->evtchn->lock);
	spin_unlock(&a->evtchn->lock);
}

/* ---- Delivery (2-level ABI) ---- */

/*
 * Tell vCPU vcpu_id of d that port's word has news: its selector bit, then
 * the upcall flag, kicking only when the flag was clear so that one upcall
 * is asked for however many events arrive before the guest looks.
 */
static void evtchn_notify_vcpu(struct domain *d, unsigned int vcpu_id,
			       evtchn_port_t port)
{
	struct vcpu *v = evtchn_vcpu(d, vcpu_id);
	struct vcpu_info *vi = v ? v->vcpu_info : NULL;

	if (!vi)
		return; /* no vcpu_info yet: the bit stays pending */
	evtchn_bit_set(&vi->evtchn_pending_sel, port / EVTCHN_WORD);
	if (!__atomic_exchange_n(&vi->evtchn_upcall_pending, 1,
				 __ATOMIC_SEQ_CST))
		arch_vcpu_kick(v);
}

/* Raise port of d for vCPU vcpu_id: only a 0 -> 1 unmasked edge notifies. */
static void evtchn_set_pending(struct domain *d, unsigned int vcpu_id,
			       evtchn_port_t port)
{
	struct shared_info *s = d->shared_info;

	struct vcpu *v;

	if (!s || evtchn_bit_set(s->evtchn_pending, port))
		return;
	if (!evtchn_bit_test(s->evtchn_mask, port)) {
		evtchn_notify_vcpu(d, vcpu_id, port);
		return;
	}
	/* A masked port still ends SCHEDOP_poll. */
	v = evtchn_vcpu(d, vcpu_id);
	if (v && __atomic_load_n(&v->polling, __ATOMIC_ACQUIRE))
		arch_vcpu_kick(v);
}

/* ---- Allocation ---- */

/* The lowest free port, or -ENOSPC; -EINVAL once destroy has begun. */
static int evtchn_find_free(const struct evtchn_table *t)
{
	if (t->dying)
		return -EINVAL;
	for (unsigned int p = t->first_free; p < EVTCHN_MAX_PORTS; p++)
		if (evtchn_rec(t, p)->state == ECS_FREE)
			return (int)p;
	return -ENOSPC;
}

/* Claim port, just found by evtchn_find_free() under the same lock. */
static struct evtchn *evtchn_take(struct evtchn_table *t, evtchn_port_t port,
				  enum evtchn_state state, unsigned int vcpu)
{
	struct evtchn *c = evtchn_rec(t, port);

	c->state = (uint8_t)state;
	c->notify_vcpu = (uint8_t)vcpu;
	t->first_free = (uint16_t)(port + 1); /* all below were busy */
	return c;
}

/*
 * Give port back. Its pending bit goes, so the next owner does not inherit
 * an event; its notify vCPU returns to 0 (a zeroed record), as in Xen.
 */
static void evtchn_free(struct domain *d, evtchn_port_t port)
{
	struct evtchn_table *t = d->evtchn;
	struct shared_info *s = d->shared_info;

	*evtchn_rec(t, port) = (struct evtchn){ 0 };
	if (port < t->first_free)
		t->first_free = (uint16_t)port;
	if (s)
		evtchn_bit_clear(s->evtchn_pending, port);
}

static void evtchn_table_free(struct evtchn_table *t)
{
	for (unsigned int i = 0; i < EVTCHN_PAGES; i++)
		if (t->page[i])
			free_xen_page(t->page[i]);
	free_xen_page(t);
}

int evtchn_domain_init(struct domain *d)
{
	struct evtchn_table *t;

	if (d->evtchn)
		return -EEXIST;
	t = alloc_xen_page();
	if (!t)
		return -ENOMEM;
	for (unsigned int i = 0; i < EVTCHN_PAGES; i++) {
		t->page[i] = alloc_xen_page();
		if (!t->page[i]) {
			evtchn_table_free(t);
			return -ENOMEM;
		}
	}
	t->lock = SPIN_LOCK_UNLOCKED;
	t->first_free = 1; /* port 0 is reserved */
	d->evtchn = t;
	return 0;
}

void evtchn_domain_destroy(struct domain *d)
{
	struct evtchn_table *t = d->evtchn;
	unsigned long flags;

	if (!t)
		return;
	/* First refuse new ports, so that the sweep below misses none. */
	flags = evtchn_lock(t);
	t->dying = true;
	evtchn_unlock(t, flags);
	/*
	 * A look without the locks passes over the free ports (most of
	 * them): in a dying table a free port stays free, and a port seen
	 * in use is looked at again under them.
	 */
	for (evtchn_port_t p = 1; p < EVTCHN_MAX_PORTS; p++)
		if (__atomic_load_n(&evtchn_rec(t, p)->state,
				    __ATOMIC_ACQUIRE) != ECS_FREE)
			evtchn_close(d, p);
	/* Under the pair lock, so a binder sees a table or NULL, never junk. */
	flags = arch_irq_save();
	spin_lock(&evtchn_pair_lock);
	d->evtchn = NULL;
	spin_unlock(&evtchn_pair_lock);
	arch_irq_restore(flags);
	evtchn_table_free(t);
}

/* ---- Binding ---- */

int evtchn_alloc_unbound(struct domain *d, domid_t remote, evtchn_port_t *port)
{
	struct evtchn_table *t = d->evtchn;
	struct domain *target;
	unsigned long flags;
	int rc;

	if (remote == DOMID_SELF)
		remote = d->domain_id;
	if (!t || remote >= DOMID_FIRST_RESERVED)
		return -EINVAL; /* no domain could ever bind it */
	/* The policy sees the remote domain if it exists yet. */
	if (remote == d->domain_id) {
		rc = policy_check(d, POLICY_EVTCHN_UNBOUND, d);
	} else {
		target = domain_get(remote);
		rc = policy_check(d, POLICY_EVTCHN_UNBOUND, target);
		if (target)
			domain_put(target);
	}
	if (rc)
		return rc;

	flags = evtchn_lock(t);
	rc = evtchn_find_free(t);
	if (rc > 0) {
		evtchn_take(t, (evtchn_port_t)rc, ECS_UNBOUND, 0)
		    ->remote_domid = remote;
		*port = (evtchn_port_t)rc;
		rc = 0;
	}
	evtchn_unlock(t, flags);
	return rc;
}

/* Locks held: may ld bind to rd's port rport? */
static int evtchn_check_offer(const struct domain *ld, const struct domain *rd,
			      evtchn_port_t rport)
{
	const struct evtchn *r = evtchn_rec(rd->evtchn, rport);

	if (ld->evtchn->dying || rd->evtchn->dying)
		return -EINVAL;
	if (r->state != ECS_UNBOUND || r->remote_domid != ld->domain_id)
		return -EINVAL;
	return 0;
}

/* Locks held, everything checked: join lport of ld and rport of rd. */
static void evtchn_join(struct domain *ld, evtchn_port_t lport,
			struct domain *rd, evtchn_port_t rport)
{
	struct evtchn *l = evtchn_take(ld->evtchn, lport, ECS_INTERDOMAIN, 0);
	struct evtchn *r = evtchn_rec(rd->evtchn, rport);

	l->remote = rd;
	l->remote_port = (uint16_t)rport;
	r->state = ECS_INTERDOMAIN;
	r->remote_domid = 0;
	r->remote = ld;
	r->remote_port = (uint16_t)lport;
	/* Sends to the unbound end were dropped: have ld look (Xen does). */
	evtchn_set_pending(ld, l->notify_vcpu, lport);
}

int evtchn_bind_interdomain(struct domain *ld, struct domain *rd,
			    evtchn_port_t rport, evtchn_port_t *lport)
{
	unsigned long flags;
	int rc;

	if (!evtchn_port_usable(rport))
		return -EINVAL;
	rc = policy_check(ld, POLICY_EVTCHN_INTERDOMAIN, rd);
	if (rc)
		return rc;

	flags = arch_irq_save();
	spin_lock(&evtchn_pair_lock);
	if (!ld->evtchn || !rd->evtchn) {
		rc = -EINVAL;
		goto out;
	}
	evtchn_lock_both(ld, rd);
	rc = evtchn_check_offer(ld, rd, rport);
	if (!rc)
		rc = evtchn_find_free(ld->evtchn);
	if (rc > 0) {
		evtchn_join(ld, (evtchn_port_t)rc, rd, rport);
		*lport = (evtchn_port_t)rc;
		rc = 0;
	}
	evtchn_unlock_both(ld, rd);
out:
	spin_unlock(&evtchn_pair_lock);
	arch_irq_restore(flags);
	return rc;
}

/* Globals live on vCPU 0's table, however bind_vcpu moves their port. */
static struct vcpu *evtchn_virq_holder(struct domain *d, unsigned int virq,
				       unsigned int notify_vcpu)
{
	return evtchn_vcpu(d, evtchn_virq_is_global(virq) ? 0 : notify_vcpu);
}

int evtchn_bind_virq(struct vcpu *v, unsigned int virq, evtchn_port_t *port)
{
	struct evtchn_table *t = v->domain->evtchn;
	unsigned long flags;
	int rc;

	if (!t || virq >= NR_VIRQS)
		return -EINVAL;
	if (evtchn_virq_is_global(virq) && v->vcpu_id != 0)
		return -EINVAL;

	flags = evtchn_lock(t);
	rc = v->virq_to_evtchn[virq] ? -EEXIST : evtchn_find_free(t);
	if (rc > 0) {
		evtchn_take(t, (evtchn_port_t)rc, ECS_VIRQ, v->vcpu_id)->virq =
		    (uint8_t)virq;
		v->virq_to_evtchn[virq] = (uint16_t)rc;
		*port = (evtchn_port_t)rc;
		rc = 0;
	}
	evtchn_unlock(t, flags);
	return rc;
}

int evtchn_bind_ipi(struct vcpu *v, evtchn_port_t *port)
{
	struct evtchn_table *t = v->domain->evtchn;
	unsigned long flags;
	int rc;

	if (!t)
		return -EINVAL;
	flags = evtchn_lock(t);
	rc = evtchn_find_free(t);
	if (rc > 0) {
		evtchn_take(t, (evtchn_port_t)rc, ECS_IPI, v->vcpu_id);
		*port = (evtchn_port_t)rc;
		rc = 0;
	}
	evtchn_unlock(t, flags);
	return rc;
}

int evtchn_bind_pirq(struct domain *d, unsigned int pirq, evtchn_port_t *port)
{
	struct evtchn_table *t = d->evtchn;
	unsigned long flags;
	int rc;

	if (!t || pirq > 0xffff)
		return -EINVAL;
	flags = evtchn_lock(t);
	rc = evtchn_find_free(t);
	if (rc > 0) {
		evtchn_take(t, (evtchn_port_t)rc, ECS_PIRQ, 0)->remote_port =
		    (uint16_t)pirq;
		*port = (evtchn_port_t)rc;
		rc = 0;
	}
	evtchn_unlock(t, flags);
	return rc;
}

int evtchn_send_pirq(struct domain *d, evtchn_port_t port, unsigned int pirq)
{
	struct evtchn_table *t = d->evtchn;
	const struct evtchn *c;
	unsigned long flags;
	int rc = -EINVAL;

	if (!t || !evtchn_port_usable(port))
		return -EINVAL;
	flags = evtchn_lock(t);
	c = evtchn_rec(t, port);
	if (c->state == ECS_PIRQ && c->remote_port == pirq) {
		evtchn_set_pending(d, c->notify_vcpu, port);
		rc = 0;
	}
	evtchn_unlock(t, flags);
	return rc;
}

/* Xen's rule: a per-vCPU VIRQ or an IPI names its vCPU for good. */
static bool evtchn_may_move(const struct evtchn *c)
{
	switch (c->state) {
	case ECS_UNBOUND:
	case ECS_INTERDOMAIN:
	case ECS_PIRQ:
		return true;
	case ECS_VIRQ:
		return evtchn_virq_is_global(c->virq);
	default:
		return false;
	}
}

int evtchn_bind_vcpu(struct domain *d, evtchn_port_t port, unsigned int vcpu_id)
{
	struct evtchn_table *t = d->evtchn;
	struct evtchn *c;
	unsigned long flags;
	int rc = -EINVAL;

	if (!evtchn_vcpu(d, vcpu_id))
		return -ENOENT;
	if (!t || !evtchn_port_usable(port))
		return -EINVAL;

	flags = evtchn_lock(t);
	c = evtchn_rec(t, port);
	if (evtchn_may_move(c)) {
		/* Senders on the peer's side read it without our lock. */
		__atomic_store_n(&c->notify_vcpu, (uint8_t)vcpu_id,
				 __ATOMIC_RELAXED);
		rc = 0;
	}
	evtchn_unlock(t, flags);
	return rc;
}

/* ---- Closing ---- */

/* Locks of d (and peer) held: free port, whose state is known to be bound. */
static void evtchn_close_locked(struct domain *d, evtchn_port_t port)
{
	struct evtchn *c = evtchn_rec(d->evtchn, port);

	if (c->state == ECS_VIRQ) {
		struct vcpu *v = evtchn_virq_holder(d, c->virq, c->notify_vcpu);

		if (v)
			v->virq_to_evtchn[c->virq] = 0;
	} else if (c->state == ECS_PIRQ) {
		arch_pirq_unbound(d, c->remote_port, port);
	} else if (c->state == ECS_INTERDOMAIN) {
		struct evtchn *r =
		    evtchn_rec(c->remote->evtchn, c->remote_port);

		ASSERT(r->state == ECS_INTERDOMAIN && r->remote == d &&
		       r->remote_port == port);
		/* The peer's end waits for us again, as in Xen. */
		r->state = ECS_UNBOUND;
		r->remote_domid = d->domain_id;
		r->remote = NULL;
		r->remote_port = 0;
	}
	evtchn_free(d, port);
}

/* Pair lock held: the peer of port, d itself unless interdomain. */
static struct domain *evtchn_peer_of(struct domain *d, evtchn_port_t port)
{
	struct evtchn_table *t = d->evtchn;
	unsigned long flags = evtchn_lock(t);
	const struct evtchn *c = evtchn_rec(t, port);
	struct domain *peer = c->state == ECS_INTERDOMAIN ? c->remote : d;

	evtchn_unlock(t, flags);
	return peer;
}

int evtchn_close(struct domain *d, evtchn_port_t port)
{
	struct domain *peer;
	unsigned long flags;
	int rc = -EINVAL;

	if (!evtchn_port_usable(port))
		return -EINVAL;
	flags = arch_irq_save();
	spin_lock(&evtchn_pair_lock);
	if (!d->evtchn)
		goto out;
	/*
	 * Learn the peer, then lock both in order. Pairs change only under
	 * the pair lock, so the peer read here is still the peer after.
	 */
	peer = evtchn_peer_of(d, port);
	evtchn_lock_both(d, peer);
	if (evtchn_rec(d->evtchn, port)->state != ECS_FREE) {
		evtchn_close_locked(d, port);
		rc = 0;
	}
	evtchn_unlock_both(d, peer);
out:
	spin_unlock(&evtchn_pair_lock);
	arch_irq_restore(flags);
	return rc;
}

/* ---- Sending, status, unmask ---- */

/* d's lock held: deliver a send on port; 0, or -EINVAL for its state. */
static int evtchn_send_locked(struct domain *d, evtchn_port_t port)
{
	const struct evtchn *c = evtchn_rec(d->evtchn, port);
	const struct evtchn *r;

	switch (c->state) {
	case ECS_INTERDOMAIN:
		/* Our lock pins the pair: the peer and its table stay. */
		r = evtchn_rec(c->remote->evtchn, c->remote_port);
		evtchn_set_pending(
		    c->remote,
		    __atomic_load_n(&r->notify_vcpu, __ATOMIC_RELAXED),
		    c->remote_port);
		return 0;
	case ECS_IPI:
		evtchn_set_pending(d, c->notify_vcpu, port);
		return 0;
	case ECS_UNBOUND:
		return 0; /* nobody listens yet: dropped, as in Xen */
	default:
		return -EINVAL;
	}
}

int evtchn_send(struct domain *d, evtchn_port_t port)
{
	struct evtchn_table *t = d->evtchn;
	unsigned long flags;
	int rc;

	if (!t || !evtchn_port_usable(port))
		return -EINVAL;
	flags = evtchn_lock(t);
	rc = evtchn_send_locked(d, port);
	evtchn_unlock(t, flags);
	return rc;
}

static void evtchn_fill_status(const struct evtchn *c,
			       struct evtchn_status_info *st)
{
	static const uint32_t stat[] = {
		[ECS_FREE] = EVTCHNSTAT_closed,
		[ECS_UNBOUND] = EVTCHNSTAT_unbound,
		[ECS_INTERDOMAIN] = EVTCHNSTAT_interdomain,
		[ECS_VIRQ] = EVTCHNSTAT_virq,
		[ECS_IPI] = EVTCHNSTAT_ipi,
		[ECS_PIRQ] = EVTCHNSTAT_pirq,
	};

	*st = (struct evtchn_status_info){ .status = stat[c->state],
					   .vcpu = c->notify_vcpu };
	if (c->state == ECS_UNBOUND)
		st->remote_dom = c->remote_domid;
	if (c->state == ECS_INTERDOMAIN) {
		st->remote_dom = c->remote->domain_id;
		st->remote_port = c->remote_port;
	}
	if (c->state == ECS_VIRQ)
		st->virq = c->virq;
	if (c->state == ECS_PIRQ)
		st->pirq = c->remote_port;
}

int evtchn_status(struct domain *d, evtchn_port_t port,
		  struct evtchn_status_info *st)
{
	struct evtchn_table *t = d->evtchn;
	unsigned long flags;

	if (!t || port >= EVTCHN_MAX_PORTS)
		return -EINVAL;
	flags = evtchn_lock(t);
	evtchn_fill_status(evtchn_rec(t, port), st);
	evtchn_unlock(t, flags);
	return 0;
}

int evtchn_unmask(struct domain *d, evtchn_port_t port)
{
	struct evtchn_table *t = d->evtchn;
	struct shared_info *s = d->shared_info;
	unsigned long flags;

	if (!t || port >= EVTCHN_MAX_PORTS)
		return -EINVAL;
	if (!s)
		return 0;
	/* The lock keeps the notify vCPU and the record's owner still. */
	flags = evtchn_lock(t);
	evtchn_bit_clear(s->evtchn_mask, port);
	if (evtchn_bit_test(s->evtchn_pending, port))
		evtchn_notify_vcpu(d, evtchn_rec(t, port)->notify_vcpu, port);
	evtchn_unlock(t, flags);
	return 0;
}

/* ---- VIRQs (callable with interrupts off, or from an interrupt) ---- */

static void evtchn_raise_virq(struct domain *d, unsigned int holder,
			      unsigned int virq)
{
	struct evtchn_table *t = d->evtchn;
	struct vcpu *v = evtchn_vcpu(d, holder);
	unsigned long flags;
	evtchn_port_t port;

	if (!t || !v)
		return;
	flags = evtchn_lock(t);
	port = v->virq_to_evtchn[virq];
	if (port)
		evtchn_set_pending(d, evtchn_rec(t, port)->notify_vcpu, port);
	evtchn_unlock(t, flags);
}

void evtchn_send_virq(struct vcpu *v, unsigned int virq)
{
	ASSERT(virq < NR_VIRQS && !evtchn_virq_is_global(virq));
	if (virq < NR_VIRQS && !evtchn_virq_is_global(virq))
		evtchn_raise_virq(v->domain, v->vcpu_id, virq);
}

void evtchn_send_global_virq(struct domain *d, unsigned int virq)
{
	ASSERT(virq < NR_VIRQS && evtchn_virq_is_global(virq));
	if (virq < NR_VIRQS && evtchn_virq_is_global(virq))
		evtchn_raise_virq(d, 0, virq);
}
