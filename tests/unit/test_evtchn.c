/*
 * Event channels (2-level ABI) on fake domains (fake_evtchn.c): three
 * domains with two vCPUs each (max_vcpus 3, the third never made) and
 * their own shared_info. The test plays the guests: it reads and writes
 * the shared bitmaps as a guest would, and counts kicks per vCPU.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <xen/arch.h>
#include <xen/errno.h>
#include <xen/event.h>
#include <xen/lib.h>
#include <xen/policy.h>
#include <xen/sched.h>

#include "fake_evtchn.h"

static void check_no_violations(void)
{
	if (violations)
		fail_msg("%u violations, first: %s", violations,
			 first_violation);
}

static int setup(void **state)
{
	(void)state;
	fake_evtchn_reset(); /* a failed test's leak is reported once */
	for (int i = 0; i < NDOM; i++)
		assert_int_equal(make_domain(i), 0);
	assert_int_equal(live_pages, NDOM * PAGES);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NDOM; i++)
		free_domain(i);
	check_no_violations();
	assert_int_equal(live_pages, 0);
	assert_int_equal(irq_depth, 0);
	assert_int_equal(refs_held, 0);
	return 0;
}

static struct domain *D(int i)
{
	return dom[i].d;
}

/* ---- The guest's view ---- */

static bool bit(const xen_ulong_t *w, unsigned int b)
{
	return (w[b / WORD_BITS] >> (b % WORD_BITS)) & 1;
}

static bool pending(int i, evtchn_port_t p)
{
	return bit(dom[i].s->evtchn_pending, p);
}

static xen_ulong_t sel(int i, unsigned int v)
{
	return dom[i].s->vcpu_info[v].evtchn_pending_sel;
}

static uint8_t upcall(int i, unsigned int v)
{
	return dom[i].s->vcpu_info[v].evtchn_upcall_pending;
}

static void guest_mask(int i, evtchn_port_t p)
{
	xen_ulong_t m = (xen_ulong_t)1 << (p % WORD_BITS);

	dom[i].s->evtchn_mask[p / WORD_BITS] |= m;
}

static void guest_clear_pending(int i, evtchn_port_t p)
{
	xen_ulong_t m = (xen_ulong_t)1 << (p % WORD_BITS);

	dom[i].s->evtchn_pending[p / WORD_BITS] &= ~m;
}

/* The guest has handled everything and finished its upcalls. */
static void guest_reset(int i)
{
	memset(dom[i].s->evtchn_pending, 0, sizeof(dom[i].s->evtchn_pending));
	for (unsigned int v = 0; v < NVCPU; v++) {
		dom[i].s->vcpu_info[v].evtchn_pending_sel = 0;
		dom[i].s->vcpu_info[v].evtchn_upcall_pending = 0;
		may_kick[i][v] = true;
	}
}

/* As guest_reset(), and the kick counts start again. */
static void guest_fresh(int i)
{
	guest_reset(i);
	memset(kicks[i], 0, sizeof(kicks[i]));
}

static bool nothing_pending(int i)
{
	for (unsigned int w = 0; w < ARRAY_SIZE(dom[i].s->evtchn_pending); w++)
		if (dom[i].s->evtchn_pending[w])
			return false;
	return true;
}

static unsigned int all_kicks(int i)
{
	return kicks[i][0] + kicks[i][1];
}

static struct evtchn_status_info status(int i, evtchn_port_t p)
{
	struct evtchn_status_info st;

	memset(&st, 0xa5, sizeof(st));
	assert_int_equal(evtchn_status(D(i), p, &st), 0);
	return st;
}

static void assert_closed(struct evtchn_status_info st)
{
	assert_int_equal(st.status, EVTCHNSTAT_closed);
	assert_int_equal(st.vcpu, 0);
	assert_int_equal(st.remote_dom, 0);
	assert_int_equal(st.remote_port, 0);
	assert_int_equal(st.virq, 0);
}

/* A port of a offered to b. */
static evtchn_port_t offer(int a, int b)
{
	evtchn_port_t p = 0;

	assert_int_equal(evtchn_alloc_unbound(D(a), ids[b], &p), 0);
	return p;
}

/* b binds to a new port of a: a's port, b's in *bp; guests fresh. */
static evtchn_port_t connect(int a, int b, evtchn_port_t *bp)
{
	evtchn_port_t pa = offer(a, b);

	assert_int_equal(evtchn_bind_interdomain(D(b), D(a), pa, bp), 0);
	guest_fresh(a);
	guest_fresh(b);
	return pa;
}

/* ---- Tests ---- */

static void test_init_and_destroy(void **state)
{
	struct domain *d = D(0);

	(void)state;
	assert_int_equal(evtchn_domain_init(d), -EEXIST);
	for (evtchn_port_t p = 0; p < EVTCHN_MAX_PORTS; p++)
		assert_int_equal(status(0, p).status, EVTCHNSTAT_closed);
	evtchn_domain_destroy(d);
	assert_null(d->evtchn);
	assert_int_equal(live_pages, (NDOM - 1) * PAGES);
	evtchn_domain_destroy(d); /* twice is harmless */
	assert_int_equal(evtchn_domain_init(d), 0);
	assert_int_equal(live_pages, NDOM * PAGES);
}

static void test_init_out_of_memory(void **state)
{
	struct domain d;

	(void)state;
	for (long k = 0; k < PAGES; k++) {
		memset(&d, 0, sizeof(d));
		pages_until_fail = k;
		assert_int_equal(evtchn_domain_init(&d), -ENOMEM);
		assert_null(d.evtchn);
		assert_int_equal(live_pages, NDOM * PAGES);
	}
	pages_until_fail = -1;
}

static void test_interdomain_both_ways(void **state)
{
	evtchn_port_t pa = offer(0, 1), pb = 0;
	struct evtchn_status_info st = status(0, pa);

	(void)state;
	assert_int_equal(pa, 1);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.remote_dom, ids[1]);
	assert_int_equal(evtchn_bind_interdomain(D(1), D(0), pa, &pb), 0);
	assert_int_equal(pb, 1);
	/* As in Xen, the binder is told to look at its new port. */
	assert_true(pending(1, pb));
	assert_int_equal(kicks[1][0], 1);
	assert_true(nothing_pending(0));
	guest_reset(1);

	/* 0 -> 1: pending, selector, upcall flag, one kick. */
	assert_int_equal(evtchn_send(D(0), pa), 0);
	assert_true(pending(1, pb));
	assert_int_equal(sel(1, 0), (xen_ulong_t)1 << (pb / WORD_BITS));
	assert_int_equal(upcall(1, 0), 1);
	assert_int_equal(kicks[1][0], 2);
	assert_int_equal(kicks[1][1], 0);
	assert_true(nothing_pending(0));
	assert_int_equal(all_kicks(0), 0);

	/* Still pending: nothing more, even once the upcall has begun. */
	assert_int_equal(evtchn_send(D(0), pa), 0);
	assert_int_equal(kicks[1][0], 2);
	dom[1].s->vcpu_info[0].evtchn_upcall_pending = 0;
	dom[1].s->vcpu_info[0].evtchn_pending_sel = 0;
	may_kick[1][0] = true;
	assert_int_equal(evtchn_send(D(0), pa), 0);
	assert_int_equal(sel(1, 0), 0);
	assert_int_equal(upcall(1, 0), 0);
	assert_int_equal(kicks[1][0], 2);
	dom[1].s->vcpu_info[0].evtchn_upcall_pending = 1; /* as it was */
	may_kick[1][0] = false;
	/* Handled, but the upcall is still running: pending, no kick. */
	guest_clear_pending(1, pb);
	assert_int_equal(evtchn_send(D(0), pa), 0);
	assert_true(pending(1, pb));
	assert_int_equal(kicks[1][0], 2);
	/* Upcall over: the next event kicks again. */
	guest_reset(1);
	assert_int_equal(evtchn_send(D(0), pa), 0);
	assert_int_equal(kicks[1][0], 3);

	/* 1 -> 0 */
	assert_int_equal(evtchn_send(D(1), pb), 0);
	assert_true(pending(0, pa));
	assert_int_equal(sel(0, 0), 1);
	assert_int_equal(upcall(0, 0), 1);
	assert_int_equal(kicks[0][0], 1);
}

static void test_selector_word(void **state)
{
	evtchn_port_t p = 0;

	(void)state;
	for (unsigned int i = 1; i <= 130; i++)
		assert_int_equal(evtchn_bind_ipi(dom[0].v[1], &p), 0);
	assert_int_equal(p, 130);
	assert_int_equal(evtchn_send(D(0), 130), 0);
	assert_int_equal(dom[0].s->evtchn_pending[2], (xen_ulong_t)1 << 2);
	assert_int_equal(sel(0, 1), (xen_ulong_t)1 << 2);
	assert_int_equal(evtchn_send(D(0), 65), 0);
	assert_int_equal(sel(0, 1), ((xen_ulong_t)1 << 2) | 2);
	assert_int_equal(kicks[0][1], 1);
}

static void test_masking(void **state)
{
	evtchn_port_t pb, pa = connect(0, 1, &pb), other = offer(1, 2);

	(void)state;
	guest_mask(1, pb);
	assert_int_equal(evtchn_send(D(0), pa), 0);
	assert_true(pending(1, pb));
	assert_int_equal(sel(1, 0), 0);
	assert_int_equal(upcall(1, 0), 0);
	assert_int_equal(all_kicks(1), 0);

	assert_int_equal(evtchn_unmask(D(1), pb), 0);
	assert_false(bit(dom[1].s->evtchn_mask, pb));
	assert_int_equal(sel(1, 0), 1);
	assert_int_equal(upcall(1, 0), 1);
	assert_int_equal(kicks[1][0], 1);
	assert_int_equal(evtchn_unmask(D(1), pb), 0); /* upcall still set */
	assert_int_equal(kicks[1][0], 1);

	/* Unmasking a port that is not pending notifies nobody. */
	guest_reset(1);
	guest_mask(1, other);
	assert_int_equal(evtchn_unmask(D(1), other), 0);
	assert_int_equal(sel(1, 0), 0);
	assert_int_equal(all_kicks(1), 1);

	/* Unmask notifies the port's vCPU. */
	assert_int_equal(evtchn_bind_vcpu(D(1), pb, 1), 0);
	guest_mask(1, pb);
	assert_int_equal(evtchn_send(D(0), pa), 0);
	assert_int_equal(evtchn_unmask(D(1), pb), 0);
	assert_int_equal(sel(1, 1), 1);
	assert_int_equal(sel(1, 0), 0);
	assert_int_equal(kicks[1][1], 1);
}

static void test_loopback(void **state)
{
	evtchn_port_t p = 0, q = 0, r = 0;
	struct evtchn_status_info st;

	(void)state;
	assert_int_equal(evtchn_alloc_unbound(D(0), DOMID_SELF, &p), 0);
	assert_int_equal(status(0, p).remote_dom, ids[0]);
	assert_int_equal(evtchn_bind_interdomain(D(0), D(0), p, &q), 0);
	assert_int_not_equal(p, q);
	guest_fresh(0);
	st = status(0, p);
	assert_int_equal(st.status, EVTCHNSTAT_interdomain);
	assert_int_equal(st.remote_dom, ids[0]);
	assert_int_equal(st.remote_port, q);
	assert_int_equal(status(0, q).remote_port, p);

	assert_int_equal(evtchn_send(D(0), p), 0);
	assert_true(pending(0, q));
	assert_false(pending(0, p));
	assert_int_equal(evtchn_send(D(0), q), 0);
	assert_true(pending(0, p));
	assert_int_equal(kicks[0][0], 1);

	assert_int_equal(evtchn_close(D(0), q), 0);
	assert_false(pending(0, q));
	st = status(0, p);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.remote_dom, ids[0]);
	assert_int_equal(evtchn_bind_interdomain(D(0), D(0), p, &r), 0);
	assert_int_equal(r, q);
}

/* Physical interrupts: bound, raised (only on their own port), moved, closed.
 */
static void test_pirq(void **state)
{
	evtchn_port_t p = 0, q = 0;
	struct evtchn_status_info st;

	(void)state;
	assert_int_equal(evtchn_bind_pirq(D(0), 7, &p), 0);
	assert_int_equal(evtchn_bind_pirq(D(0), 0x10000, &q), -EINVAL);
	st = status(0, p);
	assert_int_equal(st.status, EVTCHNSTAT_pirq);
	assert_int_equal(st.pirq, 7);
	assert_int_equal(st.vcpu, 0);
	assert_int_equal(evtchn_send_pirq(D(0), p, 8), -EINVAL);
	assert_false(pending(0, p));
	assert_int_equal(evtchn_send_pirq(D(0), p, 7), 0);
	assert_true(pending(0, p));
	assert_int_equal(kicks[0][0], 1);
	assert_int_equal(evtchn_send(D(0), p), -EINVAL); /* not by a guest */
	assert_int_equal(evtchn_bind_vcpu(D(0), p, 1), 0);
	assert_int_equal(evtchn_close(D(0), p), 0);
	assert_int_equal(unbound_dom, 0);
	assert_int_equal(unbound_pirq, 7);
	assert_int_equal(unbound_port, p);
	assert_int_equal(evtchn_send_pirq(D(0), p, 7), -EINVAL);
}

static void test_virq(void **state)
{
	struct vcpu *v0 = dom[0].v[0], *v1 = dom[0].v[1];
	evtchn_port_t p = 0, p1 = 0, x = 0;
	struct evtchn_status_info st;

	(void)state;
	assert_int_equal(evtchn_bind_virq(v0, VIRQ_TIMER, &p), 0);
	assert_int_equal(evtchn_bind_virq(v0, VIRQ_TIMER, &x), -EEXIST);
	assert_int_equal(evtchn_bind_virq(v1, VIRQ_TIMER, &p1), 0);
	assert_int_not_equal(p, p1);
	assert_int_equal(evtchn_bind_virq(v0, NR_VIRQS, &x), -EINVAL);
	assert_int_equal(evtchn_bind_virq(v0, ~0u, &x), -EINVAL);
	assert_int_equal(evtchn_bind_virq(v1, VIRQ_DOM_EXC, &x), -EINVAL);
	assert_int_equal(x, 0);
	assert_int_equal(v0->virq_to_evtchn[VIRQ_TIMER], p);
	assert_int_equal(v1->virq_to_evtchn[VIRQ_TIMER], p1);
	st = status(0, p1);
	assert_int_equal(st.status, EVTCHNSTAT_virq);
	assert_int_equal(st.virq, VIRQ_TIMER);
	assert_int_equal(st.vcpu, 1);

	evtchn_send_virq(v1, VIRQ_TIMER);
	assert_true(pending(0, p1));
	assert_false(pending(0, p));
	assert_int_equal(sel(0, 1), 1);
	assert_int_equal(kicks[0][1], 1);
	assert_int_equal(kicks[0][0], 0);

	/* Unbound VIRQ: nothing at all. */
	guest_reset(0);
	evtchn_send_virq(v0, VIRQ_DEBUG);
	assert_true(nothing_pending(0));
	assert_int_equal(sel(0, 0), 0);
	assert_int_equal(all_kicks(0), 1);
	/* Guests cannot send on VIRQ ports. */
	assert_int_equal(evtchn_send(D(0), p), -EINVAL);
	assert_true(nothing_pending(0));
}

static void test_global_virq(void **state)
{
	evtchn_port_t p = 0, x = 0;

	(void)state;
	assert_int_equal(evtchn_bind_virq(dom[0].v[0], VIRQ_DOM_EXC, &p), 0);
	evtchn_send_global_virq(D(0), VIRQ_DOM_EXC);
	assert_true(pending(0, p));
	assert_int_equal(kicks[0][0], 1);

	guest_reset(0);
	assert_int_equal(evtchn_bind_vcpu(D(0), p, 1), 0);
	assert_int_equal(status(0, p).vcpu, 1);
	evtchn_send_global_virq(D(0), VIRQ_DOM_EXC);
	assert_int_equal(sel(0, 1), 1);
	assert_int_equal(sel(0, 0), 0);
	assert_int_equal(kicks[0][1], 1);
	assert_int_equal(kicks[0][0], 1);

	/* Unbound: nothing. */
	guest_reset(0);
	evtchn_send_global_virq(D(0), VIRQ_CONSOLE);
	assert_true(nothing_pending(0));

	/* Closing clears vCPU 0's entry, wherever the port notified. */
	assert_int_equal(evtchn_close(D(0), p), 0);
	assert_int_equal(dom[0].v[0]->virq_to_evtchn[VIRQ_DOM_EXC], 0);
	evtchn_send_global_virq(D(0), VIRQ_DOM_EXC);
	assert_true(nothing_pending(0));
	assert_int_equal(evtchn_bind_virq(dom[0].v[0], VIRQ_DOM_EXC, &x), 0);
	assert_int_equal(x, p);
	assert_int_equal(status(0, x).vcpu, 0);
}

static void test_ipi(void **state)
{
	evtchn_port_t p = 0;
	struct evtchn_status_info st;

	(void)state;
	assert_int_equal(evtchn_bind_ipi(dom[0].v[1], &p), 0);
	st = status(0, p);
	assert_int_equal(st.status, EVTCHNSTAT_ipi);
	assert_int_equal(st.vcpu, 1);
	assert_int_equal(evtchn_send(D(0), p), 0);
	assert_true(pending(0, p));
	assert_int_equal(sel(0, 1), 1);
	assert_int_equal(kicks[0][1], 1);
	assert_int_equal(evtchn_bind_vcpu(D(0), p, 0), -EINVAL);
	/* The same number in another domain is another (free) port. */
	assert_int_equal(evtchn_send(D(1), p), -EINVAL);
	assert_true(nothing_pending(1));
}

static void test_bind_vcpu(void **state)
{
	evtchn_port_t pb, pa = connect(0, 1, &pb), u, pc = 0, t = 0;

	(void)state;
	assert_int_equal(evtchn_bind_vcpu(D(1), pb, 1), 0);
	assert_int_equal(evtchn_send(D(0), pa), 0);
	assert_int_equal(kicks[1][1], 1);
	assert_int_equal(kicks[1][0], 0);

	/* Moved while unbound, it stays moved once bound. */
	u = offer(0, 2);
	assert_int_equal(evtchn_bind_vcpu(D(0), u, 1), 0);
	assert_int_equal(evtchn_bind_interdomain(D(2), D(0), u, &pc), 0);
	assert_int_equal(status(0, u).vcpu, 1);
	assert_int_equal(evtchn_send(D(2), pc), 0);
	assert_int_equal(kicks[0][1], 1);

	assert_int_equal(evtchn_bind_virq(dom[0].v[0], VIRQ_TIMER, &t), 0);
	assert_int_equal(evtchn_bind_vcpu(D(0), t, 1), -EINVAL);
	assert_int_equal(evtchn_bind_vcpu(D(0), pa, NVCPU), -ENOENT);
	assert_int_equal(evtchn_bind_vcpu(D(0), pa, 99), -ENOENT);
	assert_int_equal(evtchn_bind_vcpu(D(0), 0, 1), -EINVAL);
	assert_int_equal(evtchn_bind_vcpu(D(0), 900, 1), -EINVAL);
	assert_int_equal(evtchn_bind_vcpu(D(0), EVTCHN_MAX_PORTS, 1), -EINVAL);

	/* A port given back forgets its vCPU. */
	assert_int_equal(evtchn_close(D(1), pb), 0);
	assert_int_equal(offer(1, 0), pb);
	assert_int_equal(status(1, pb).vcpu, 0);
}

static void test_status_every_state(void **state)
{
	evtchn_port_t pb, pa = connect(0, 1, &pb), u = offer(0, 2), v = 0,
			  i = 0;
	struct evtchn_status_info st;

	(void)state;
	assert_int_equal(evtchn_bind_virq(dom[0].v[1], VIRQ_DEBUG, &v), 0);
	assert_int_equal(evtchn_bind_ipi(dom[0].v[1], &i), 0);

	assert_closed(status(0, 0)); /* reserved: closed, as in Xen */
	assert_closed(status(0, 500));
	st = status(0, u);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.remote_dom, ids[2]);
	assert_int_equal(st.remote_port, 0);
	st = status(0, pa);
	assert_int_equal(st.status, EVTCHNSTAT_interdomain);
	assert_int_equal(st.remote_dom, ids[1]);
	assert_int_equal(st.remote_port, pb);
	assert_int_equal(st.virq, 0);
	st = status(1, pb);
	assert_int_equal(st.remote_dom, ids[0]);
	assert_int_equal(st.remote_port, pa);
	st = status(0, v);
	assert_int_equal(st.status, EVTCHNSTAT_virq);
	assert_int_equal(st.virq, VIRQ_DEBUG);
	assert_int_equal(st.vcpu, 1);
	assert_int_equal(st.remote_dom, 0);
	st = status(0, i);
	assert_int_equal(st.status, EVTCHNSTAT_ipi);
	assert_int_equal(st.vcpu, 1);

	assert_int_equal(evtchn_status(D(0), EVTCHN_MAX_PORTS, &st), -EINVAL);
	assert_int_equal(evtchn_status(D(0), ~0u, &st), -EINVAL);
}

static void test_close_each_kind(void **state)
{
	struct vcpu *v0 = dom[0].v[0];
	evtchn_port_t u = offer(0, 1), t = 0, i = 0, pa, pb, pa2 = 0;
	struct evtchn_status_info st;

	(void)state;
	/* Unbound: a send is dropped, as in Xen. */
	assert_int_equal(evtchn_send(D(0), u), 0);
	assert_true(nothing_pending(0) && nothing_pending(1));
	assert_int_equal(evtchn_close(D(0), u), 0);
	assert_int_equal(status(0, u).status, EVTCHNSTAT_closed);
	assert_int_equal(evtchn_close(D(0), u), -EINVAL);
	assert_int_equal(evtchn_send(D(0), u), -EINVAL);

	/* VIRQ: its pending bit and its vCPU's entry go. */
	assert_int_equal(evtchn_bind_virq(v0, VIRQ_TIMER, &t), 0);
	evtchn_send_virq(v0, VIRQ_TIMER);
	assert_true(pending(0, t));
	assert_int_equal(evtchn_close(D(0), t), 0);
	assert_false(pending(0, t));
	assert_int_equal(v0->virq_to_evtchn[VIRQ_TIMER], 0);
	evtchn_send_virq(v0, VIRQ_TIMER);
	assert_true(nothing_pending(0));

	/* IPI */
	assert_int_equal(evtchn_bind_ipi(v0, &i), 0);
	assert_int_equal(evtchn_send(D(0), i), 0);
	assert_int_equal(evtchn_close(D(0), i), 0);
	assert_true(nothing_pending(0));
	assert_int_equal(evtchn_send(D(0), i), -EINVAL);

	/* Interdomain: the peer's end waits for the closer again. */
	pa = connect(0, 1, &pb);
	assert_int_equal(evtchn_bind_vcpu(D(1), pb, 1), 0);
	assert_int_equal(evtchn_close(D(0), pa), 0);
	st = status(1, pb);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.remote_dom, ids[0]);
	assert_int_equal(st.remote_port, 0);
	assert_int_equal(st.vcpu, 1);
	assert_int_equal(evtchn_send(D(1), pb), 0);
	assert_true(nothing_pending(0) && nothing_pending(1));
	assert_int_equal(evtchn_send(D(0), pa), -EINVAL);
	assert_int_equal(evtchn_close(D(0), pa), -EINVAL);
	assert_int_equal(evtchn_bind_interdomain(D(0), D(1), pb, &pa2), 0);
	assert_int_equal(status(1, pb).remote_port, pa2);
	guest_reset(0);
	assert_int_equal(evtchn_send(D(1), pb), 0);
	assert_true(pending(0, pa2));
}

static void test_destroy_with_live_channels(void **state)
{
	evtchn_port_t b1, b2, a3, p = 0, q = 0, t = 0, u, x = 0;
	evtchn_port_t b[4];

	(void)state;
	connect(0, 1, &b1);
	connect(0, 1, &b2);
	b[0] = b1;
	b[1] = b2;
	b[2] = connect(1, 0, &a3);
	u = offer(1, 0);
	b[3] = u;
	assert_int_equal(evtchn_bind_vcpu(D(1), b2, 1), 0);
	assert_int_equal(evtchn_alloc_unbound(D(0), DOMID_SELF, &p), 0);
	assert_int_equal(evtchn_bind_interdomain(D(0), D(0), p, &q), 0);
	assert_int_equal(evtchn_bind_virq(dom[0].v[0], VIRQ_TIMER, &t), 0);
	assert_int_equal(evtchn_send(D(0), q), 0);

	/* Gone for good: ASan catches any pointer left to it. */
	free_domain(0);
	assert_int_equal(live_pages, (NDOM - 1) * PAGES);
	for (int k = 0; k < 4; k++) {
		struct evtchn_status_info st = status(1, b[k]);

		assert_int_equal(st.status, EVTCHNSTAT_unbound);
		assert_int_equal(st.remote_dom, ids[0]);
		assert_int_equal(evtchn_send(D(1), b[k]), 0);
	}
	assert_int_equal(status(1, b2).vcpu, 1);
	assert_true(nothing_pending(1));
	assert_int_equal(evtchn_bind_interdomain(D(2), D(1), b1, &x), -EINVAL);
	for (int k = 0; k < 4; k++)
		assert_int_equal(evtchn_close(D(1), b[k]), 0);
}

static void test_calls_after_destroy(void **state)
{
	struct domain *d = D(1);
	evtchn_port_t pb, pa = connect(1, 2, &pb), x = 0;
	struct evtchn_status_info st;

	(void)state;
	evtchn_domain_destroy(d);
	assert_int_equal(status(2, pb).status, EVTCHNSTAT_unbound);
	assert_int_equal(evtchn_alloc_unbound(d, ids[2], &x), -EINVAL);
	assert_int_equal(evtchn_bind_ipi(dom[1].v[0], &x), -EINVAL);
	assert_int_equal(evtchn_bind_virq(dom[1].v[0], VIRQ_TIMER, &x),
			 -EINVAL);
	assert_int_equal(evtchn_bind_interdomain(d, D(2), pb, &x), -EINVAL);
	assert_int_equal(evtchn_bind_interdomain(D(2), d, pa, &x), -EINVAL);
	assert_int_equal(evtchn_send(d, pa), -EINVAL);
	assert_int_equal(evtchn_close(d, pa), -EINVAL);
	assert_int_equal(evtchn_status(d, pa, &st), -EINVAL);
	assert_int_equal(evtchn_unmask(d, pa), -EINVAL);
	assert_int_equal(evtchn_bind_vcpu(d, pa, 0), -EINVAL);
	evtchn_send_virq(dom[1].v[0], VIRQ_TIMER);
	evtchn_send_global_virq(d, VIRQ_DOM_EXC);
	assert_int_equal(x, 0);
	assert_true(nothing_pending(1));
}

static void test_bad_ports(void **state)
{
	static const evtchn_port_t bad[] = { 0,
					     5, /* never allocated */
					     EVTCHN_MAX_PORTS,
					     EVTCHN_2L_NR_CHANNELS - 1,
					     EVTCHN_2L_NR_CHANNELS,
					     ~0u };
	evtchn_port_t closed = 0;
	struct evtchn_status_info st;

	(void)state;
	for (unsigned int k = 0; k < ARRAY_SIZE(bad); k++) {
		bool in_table = bad[k] < EVTCHN_MAX_PORTS;

		assert_int_equal(evtchn_send(D(0), bad[k]), -EINVAL);
		assert_int_equal(evtchn_close(D(0), bad[k]), -EINVAL);
		assert_int_equal(evtchn_bind_vcpu(D(0), bad[k], 1), -EINVAL);
		assert_int_equal(evtchn_status(D(0), bad[k], &st),
				 in_table ? 0 : -EINVAL);
		assert_int_equal(evtchn_unmask(D(0), bad[k]),
				 in_table ? 0 : -EINVAL);
	}
	assert_int_equal(evtchn_bind_ipi(dom[0].v[0], &closed), 0);
	assert_int_equal(evtchn_close(D(0), closed), 0);
	assert_int_equal(evtchn_send(D(0), closed), -EINVAL);
	assert_int_equal(evtchn_close(D(0), closed), -EINVAL);
	assert_int_equal(evtchn_bind_vcpu(D(0), closed, 1), -EINVAL);
	assert_true(nothing_pending(0));
	assert_int_equal(all_kicks(0), 0);
}

static void test_bind_not_offered(void **state)
{
	evtchn_port_t u = offer(0, 2), self = 0, v = 0, i = 0, pb, pa, x = 0;

	(void)state;
	assert_int_equal(evtchn_bind_interdomain(D(1), D(0), u, &x), -EINVAL);
	assert_int_equal(status(0, u).remote_dom, ids[2]);
	assert_int_equal(status(1, 1).status, EVTCHNSTAT_closed);

	assert_int_equal(evtchn_alloc_unbound(D(0), DOMID_SELF, &self), 0);
	assert_int_equal(evtchn_bind_interdomain(D(1), D(0), self, &x),
			 -EINVAL);
	assert_int_equal(evtchn_bind_virq(dom[0].v[0], VIRQ_DEBUG, &v), 0);
	assert_int_equal(evtchn_bind_ipi(dom[0].v[0], &i), 0);
	pa = connect(0, 1, &pb);
	assert_int_equal(evtchn_bind_interdomain(D(2), D(0), pa, &x), -EINVAL);
	assert_int_equal(evtchn_bind_interdomain(D(1), D(0), v, &x), -EINVAL);
	assert_int_equal(evtchn_bind_interdomain(D(1), D(0), i, &x), -EINVAL);
	assert_int_equal(evtchn_bind_interdomain(D(1), D(0), 600, &x), -EINVAL);
	assert_int_equal(evtchn_bind_interdomain(D(1), D(0), 0, &x), -EINVAL);
	assert_int_equal(
	    evtchn_bind_interdomain(D(1), D(0), EVTCHN_MAX_PORTS, &x), -EINVAL);
	assert_int_equal(x, 0);
	/* Nothing was taken on the binder's side. */
	assert_int_equal(offer(1, 0), pb + 1);

	/* Reserved ids could never bind. */
	assert_int_equal(evtchn_alloc_unbound(D(0), DOMID_IO, &x), -EINVAL);
	assert_int_equal(evtchn_alloc_unbound(D(0), DOMID_INVALID, &x),
			 -EINVAL);
	assert_int_equal(x, 0);
}

static void test_policy(void **state)
{
	evtchn_port_t x = 0, u;

	(void)state;
	refuse_op = POLICY_EVTCHN_UNBOUND;
	assert_int_equal(evtchn_alloc_unbound(D(0), ids[1], &x), -EPERM);
	assert_ptr_equal(last_target, D(1));
	assert_int_equal(status(0, 1).status, EVTCHNSTAT_closed);
	refuse_op = -1;
	assert_int_equal(evtchn_alloc_unbound(D(0), 99, &x), 0);
	assert_null(last_target); /* no such domain (yet) */
	assert_int_equal(evtchn_alloc_unbound(D(0), DOMID_SELF, &x), 0);
	assert_ptr_equal(last_target, D(0));

	u = offer(0, 1);
	refuse_op = POLICY_EVTCHN_INTERDOMAIN;
	x = 0;
	assert_int_equal(evtchn_bind_interdomain(D(1), D(0), u, &x), -EPERM);
	assert_ptr_equal(last_target, D(0));
	assert_int_equal(x, 0);
	assert_int_equal(status(0, u).status, EVTCHNSTAT_unbound);
	assert_int_equal(status(1, 1).status, EVTCHNSTAT_closed);
	refuse_op = -1;
	assert_int_equal(evtchn_bind_interdomain(D(1), D(0), u, &x), 0);
}

static void test_exhaustion(void **state)
{
	evtchn_port_t p = 0, u = offer(1, 0);

	(void)state;
	for (evtchn_port_t k = 1; k < EVTCHN_MAX_PORTS; k++) {
		assert_int_equal(evtchn_bind_ipi(dom[0].v[0], &p), 0);
		assert_int_equal(p, k);
	}
	p = 0;
	assert_int_equal(evtchn_bind_ipi(dom[0].v[0], &p), -ENOSPC);
	assert_int_equal(evtchn_alloc_unbound(D(0), ids[1], &p), -ENOSPC);
	assert_int_equal(evtchn_bind_virq(dom[0].v[0], VIRQ_TIMER, &p),
			 -ENOSPC);
	assert_int_equal(dom[0].v[0]->virq_to_evtchn[VIRQ_TIMER], 0);
	assert_int_equal(evtchn_bind_interdomain(D(0), D(1), u, &p), -ENOSPC);
	assert_int_equal(status(1, u).status, EVTCHNSTAT_unbound);
	assert_int_equal(p, 0);

	assert_int_equal(evtchn_close(D(0), 500), 0);
	assert_int_equal(evtchn_bind_interdomain(D(0), D(1), u, &p), 0);
	assert_int_equal(p, 500);
	assert_int_equal(evtchn_bind_ipi(dom[0].v[0], &p), -ENOSPC);
}

static void test_no_vcpu_info_or_shared_info(void **state)
{
	struct vcpu *v1 = dom[2].v[1];
	evtchn_port_t p = 0;

	(void)state;
	assert_int_equal(evtchn_bind_ipi(v1, &p), 0);
	v1->vcpu_info = NULL; /* not set up yet: the bit stays pending */
	assert_int_equal(evtchn_send(D(2), p), 0);
	assert_true(pending(2, p));
	assert_int_equal(all_kicks(2), 0);
	v1->vcpu_info = &dom[2].s->vcpu_info[1];
	assert_int_equal(evtchn_unmask(D(2), p), 0); /* the guest asks again */
	assert_int_equal(sel(2, 1), 1);
	assert_int_equal(kicks[2][1], 1);

	guest_reset(2);
	D(2)->shared_info = NULL;
	assert_int_equal(evtchn_send(D(2), p), 0);
	assert_int_equal(evtchn_unmask(D(2), p), 0);
	assert_int_equal(evtchn_close(D(2), p), 0);
	D(2)->shared_info = dom[2].s;
	assert_true(nothing_pending(2));
	assert_int_equal(all_kicks(2), 1);
}

/* ---- Randomized, against a model ---- */

struct mport {
	uint32_t status; /* EVTCHNSTAT_* */
	uint32_t vcpu;
	uint32_t virq;
	domid_t rdom; /* unbound: offered to; interdomain: the peer's id */
	int rd;	      /* interdomain: the peer's index */
	evtchn_port_t rport;
	bool pending;
};

static struct mport model[NDOM][EVTCHN_MAX_PORTS];
static evtchn_port_t mvirq[NDOM][NVCPU][NR_VIRQS];
static evtchn_port_t high[NDOM]; /* highest port ever allocated */
static uint64_t rng = 88172645463325252ull;

static unsigned int rnd(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng % n);
}

static bool virq_global(unsigned int virq)
{
	return virq != VIRQ_TIMER && virq != VIRQ_DEBUG &&
	       virq != VIRQ_XENOPROF && virq != VIRQ_XENPMU;
}

/* What an allocation returns when the model's lowest free port is want. */
static int alloc_rc(evtchn_port_t want)
{
	return want ? 0 : -ENOSPC;
}

static evtchn_port_t m_free(int a)
{
	for (evtchn_port_t p = 1; p < EVTCHN_MAX_PORTS; p++)
		if (model[a][p].status == EVTCHNSTAT_closed)
			return p;
	return 0;
}

static struct mport *m_take(int a, evtchn_port_t p, uint32_t status,
			    uint32_t vcpu)
{
	model[a][p] = (struct mport){ .status = status, .vcpu = vcpu };
	if (p > high[a])
		high[a] = p;
	return &model[a][p];
}

static void m_close(int a, evtchn_port_t p)
{
	struct mport *m = &model[a][p];

	if (m->status == EVTCHNSTAT_interdomain) {
		struct mport *r = &model[m->rd][m->rport];

		r->status = EVTCHNSTAT_unbound;
		r->rdom = ids[a];
		r->rport = 0;
	}
	if (m->status == EVTCHNSTAT_virq)
		mvirq[a][virq_global(m->virq) ? 0 : m->vcpu][m->virq] = 0;
	*m = (struct mport){ 0 };
}

/* A random port of a that is unbound and offered to id (0: none). */
static evtchn_port_t offered_to(int a, domid_t id)
{
	evtchn_port_t pick = 0;
	unsigned int n = 0;

	for (evtchn_port_t p = 1; p <= high[a]; p++)
		if (model[a][p].status == EVTCHNSTAT_unbound &&
		    model[a][p].rdom == id && rnd(++n) == 0)
			pick = p;
	return pick;
}

/* A random port of a in use (0: none). */
static evtchn_port_t used_port(int a)
{
	evtchn_port_t pick = 0;
	unsigned int n = 0;

	for (evtchn_port_t p = 1; p <= high[a]; p++)
		if (model[a][p].status != EVTCHNSTAT_closed && rnd(++n) == 0)
			pick = p;
	return pick;
}

/* Some port worth trying: mostly ones in use, sometimes wild ones. */
static evtchn_port_t any_port(int a)
{
	evtchn_port_t p;

	switch (rnd(16)) {
	case 0:
		return 0;
	case 1:
		return EVTCHN_MAX_PORTS + rnd(4000);
	case 2:
	case 3:
		return rnd(high[a] + 2);
	default:
		p = used_port(a);
		return p ? p : rnd(high[a] + 2);
	}
}

static void r_alloc_unbound(int a)
{
	static const domid_t others[] = { DOMID_SELF, 99 };
	unsigned int r = rnd(NDOM + 2);
	domid_t remote = r < NDOM ? ids[r] : others[r - NDOM];
	evtchn_port_t want = m_free(a), got = 0;

	assert_int_equal(evtchn_alloc_unbound(D(a), remote, &got),
			 alloc_rc(want));
	if (want) {
		assert_int_equal(got, want);
		m_take(a, got, EVTCHNSTAT_unbound, 0)->rdom =
		    remote == DOMID_SELF ? ids[a] : remote;
	}
}

static void r_bind_interdomain(int a)
{
	int b = (int)rnd(NDOM);
	evtchn_port_t rport = rnd(4) ? offered_to(b, ids[a]) : 0;
	evtchn_port_t want = m_free(a), got = 0;
	struct mport *l, *r;
	bool ok;

	if (!rport)
		rport = any_port(b);
	ok = rport > 0 && rport < EVTCHN_MAX_PORTS &&
	     model[b][rport].status == EVTCHNSTAT_unbound &&
	     model[b][rport].rdom == ids[a];

	assert_int_equal(evtchn_bind_interdomain(D(a), D(b), rport, &got),
			 ok ? alloc_rc(want) : -EINVAL);
	if (!ok || !want)
		return;
	assert_int_equal(got, want);
	l = m_take(a, got, EVTCHNSTAT_interdomain, 0);
	l->rdom = ids[b];
	l->rd = b;
	l->rport = rport;
	l->pending = true; /* Xen's conservative look at a new port */
	r = &model[b][rport];
	r->status = EVTCHNSTAT_interdomain;
	r->rdom = ids[a];
	r->rd = a;
	r->rport = got;
}

static void r_bind_virq(int a)
{
	unsigned int vc = rnd(NVCPU), virq = rnd(NR_VIRQS + 1);
	evtchn_port_t want = m_free(a), got = 0;
	int rc = alloc_rc(want);

	if (virq >= NR_VIRQS || (virq_global(virq) && vc != 0))
		rc = -EINVAL;
	else if (mvirq[a][vc][virq])
		rc = -EEXIST;

	assert_int_equal(evtchn_bind_virq(dom[a].v[vc], virq, &got), rc);
	if (rc)
		return;
	assert_int_equal(got, want);
	m_take(a, got, EVTCHNSTAT_virq, vc)->virq = virq;
	mvirq[a][vc][virq] = got;
}

static void r_bind_ipi(int a)
{
	unsigned int vc = rnd(NVCPU);
	evtchn_port_t want = m_free(a), got = 0;

	assert_int_equal(evtchn_bind_ipi(dom[a].v[vc], &got), alloc_rc(want));
	if (want) {
		assert_int_equal(got, want);
		m_take(a, got, EVTCHNSTAT_ipi, vc);
	}
}

static bool usable(evtchn_port_t p)
{
	return p > 0 && p < EVTCHN_MAX_PORTS;
}

static void r_bind_vcpu(int a)
{
	evtchn_port_t p = any_port(a);
	unsigned int vc = rnd(NVCPU + 1);
	struct mport *m = usable(p) ? &model[a][p] : NULL;
	uint32_t st = m ? m->status : EVTCHNSTAT_closed;
	bool movable = st == EVTCHNSTAT_unbound ||
		       st == EVTCHNSTAT_interdomain ||
		       (st == EVTCHNSTAT_virq && virq_global(m->virq));
	int rc = vc >= NVCPU ? -ENOENT : (movable ? 0 : -EINVAL);

	assert_int_equal(evtchn_bind_vcpu(D(a), p, vc), rc);
	if (!rc)
		m->vcpu = vc;
}

static void r_send(int a)
{
	evtchn_port_t p = any_port(a);
	struct mport *m = usable(p) ? &model[a][p] : NULL;
	uint32_t s = m ? m->status : EVTCHNSTAT_closed;
	bool ok = s == EVTCHNSTAT_interdomain || s == EVTCHNSTAT_ipi ||
		  s == EVTCHNSTAT_unbound;

	assert_int_equal(evtchn_send(D(a), p), ok ? 0 : -EINVAL);
	if (s == EVTCHNSTAT_interdomain)
		model[m->rd][m->rport].pending = true;
	if (s == EVTCHNSTAT_ipi)
		m->pending = true;
}

static void r_close(int a)
{
	evtchn_port_t p = any_port(a);
	bool ok = usable(p) && model[a][p].status != EVTCHNSTAT_closed;

	assert_int_equal(evtchn_close(D(a), p), ok ? 0 : -EINVAL);
	if (ok)
		m_close(a, p);
}

static void r_unmask(int a)
{
	evtchn_port_t p = any_port(a);

	assert_int_equal(evtchn_unmask(D(a), p),
			 p < EVTCHN_MAX_PORTS ? 0 : -EINVAL);
	if (p < EVTCHN_MAX_PORTS)
		assert_false(bit(dom[a].s->evtchn_mask, p));
}

/* The guest's upcall on vCPU vc: take the selector, handle the words. */
static void r_guest_upcall(int a)
{
	unsigned int vc = rnd(NVCPU);
	struct shared_info *s = dom[a].s;
	struct vcpu_info *vi = &s->vcpu_info[vc];
	xen_ulong_t words;

	__atomic_store_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
	may_kick[a][vc] = true;
	words =
	    __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	for (unsigned int w = 0; w < WORD_BITS; w++) {
		xen_ulong_t todo;

		if (!((words >> w) & 1))
			continue;
		todo = s->evtchn_pending[w] & ~s->evtchn_mask[w];
		__atomic_fetch_and(&s->evtchn_pending[w], ~todo,
				   __ATOMIC_SEQ_CST);
		for (unsigned int b = 0; b < WORD_BITS; b++)
			if (((todo >> b) & 1) &&
			    w * WORD_BITS + b < EVTCHN_MAX_PORTS)
				model[a][w * WORD_BITS + b].pending = false;
	}
}

static void r_virq(int a)
{
	unsigned int vc = rnd(NVCPU), virq = rnd(NR_VIRQS);
	evtchn_port_t p;

	if (virq_global(virq)) {
		evtchn_send_global_virq(D(a), virq);
		p = mvirq[a][0][virq];
	} else {
		evtchn_send_virq(dom[a].v[vc], virq);
		p = mvirq[a][vc][virq];
	}
	if (p)
		model[a][p].pending = true;
}

static void r_destroy_and_rebuild(int a)
{
	for (evtchn_port_t p = 1; p < EVTCHN_MAX_PORTS; p++)
		if (model[a][p].status != EVTCHNSTAT_closed)
			m_close(a, p);
	evtchn_domain_destroy(D(a));
	assert_int_equal(evtchn_domain_init(D(a)), 0);
}

static void check_status(int a, evtchn_port_t p)
{
	const struct mport *m = &model[a][p];
	struct evtchn_status_info st = status(a, p);

	assert_int_equal(st.status, m->status);
	assert_int_equal(st.vcpu, m->vcpu);
	assert_int_equal(st.virq, m->virq);
	assert_int_equal(st.remote_dom, m->rdom);
	assert_int_equal(st.remote_port, m->rport);
	if (m->status == EVTCHNSTAT_interdomain) {
		/* The peer points back at us. */
		st = status(m->rd, m->rport);
		assert_int_equal(st.status, EVTCHNSTAT_interdomain);
		assert_int_equal(st.remote_dom, ids[a]);
		assert_int_equal(st.remote_port, p);
	}
	/* A free port has nothing pending; else as the model says. */
	assert_int_equal(pending(a, p), m->pending);
	if (m->status == EVTCHNSTAT_closed)
		assert_false(m->pending);
}

/* Pending and unmasked: some vCPU has its word selected and an upcall. */
static void check_delivered(int a, evtchn_port_t p)
{
	unsigned int w = p / WORD_BITS;

	if (!pending(a, p) || bit(dom[a].s->evtchn_mask, p))
		return;
	for (unsigned int v = 0; v < NVCPU; v++)
		if (((sel(a, v) >> w) & 1) && upcall(a, v))
			return;
	fail_msg("dom %d port %u pending but nobody told", a, p);
}

static void check_invariants(void)
{
	check_no_violations();
	assert_int_equal(irq_depth, 0);
	for (int a = 0; a < NDOM; a++) {
		/* Whole words up to one past the highest port used. */
		unsigned int end = ((high[a] + 1) / WORD_BITS + 1) * WORD_BITS;
		xen_ulong_t beyond = 0;

		for (evtchn_port_t p = 0; p < end && p < EVTCHN_MAX_PORTS;
		     p++) {
			check_status(a, p);
			check_delivered(a, p);
		}
		/* No bit beyond them was ever set. */
		for (unsigned int w = end / WORD_BITS;
		     w < ARRAY_SIZE(dom[a].s->evtchn_pending); w++)
			beyond |= dom[a].s->evtchn_pending[w];
		assert_int_equal(beyond, 0);
		for (unsigned int v = 0; v < NVCPU; v++) {
			/* Kicked exactly when the upcall flag went up. */
			assert_int_equal(upcall(a, v), !may_kick[a][v]);
			for (unsigned int q = 0; q < NR_VIRQS; q++)
				assert_int_equal(dom[a].v[v]->virq_to_evtchn[q],
						 mvirq[a][v][q]);
		}
	}
}

static void test_random_against_model(void **state)
{
	(void)state;
	memset(model, 0, sizeof(model));
	memset(mvirq, 0, sizeof(mvirq));
	memset(high, 0, sizeof(high));
	for (unsigned int n = 0; n < 20000; n++) {
		int a = (int)rnd(NDOM);
		unsigned int op = rnd(100);

		if (op < 12)
			r_alloc_unbound(a);
		else if (op < 24)
			r_bind_interdomain(a);
		else if (op < 30)
			r_bind_virq(a);
		else if (op < 35)
			r_bind_ipi(a);
		else if (op < 40)
			r_bind_vcpu(a);
		else if (op < 58)
			r_send(a);
		else if (op < 70)
			r_close(a);
		else if (op < 75)
			r_unmask(a);
		else if (op < 80)
			guest_mask(a, any_port(a) % EVTCHN_2L_NR_CHANNELS);
		else if (op < 92)
			r_guest_upcall(a);
		else if (op < 99)
			r_virq(a);
		else if (rnd(5) == 0)
			r_destroy_and_rebuild(a);
		check_invariants();
	}
}

/* ---- Concurrency: the lock rules, with ASan watching ---- */

#define STRESS_OPS 20000

/* Ops on domains 0 and 1 only; 2 appears only as a peer (it is dying). */
static void stress_op(uint64_t *r)
{
	int a, b;
	evtchn_port_t p, x;
	struct evtchn_status_info st;
	int rc = 0;

	*r ^= *r << 13;
	*r ^= *r >> 7;
	*r ^= *r << 17;
	a = (int)(*r % 2);
	b = (int)(*r / 2 % NDOM);
	p = (evtchn_port_t)(*r / 8 % 300);
	switch (*r / 4096 % 8) {
	case 0:
		rc = evtchn_alloc_unbound(D(a), ids[1 - a], &x);
		break;
	case 1:
		rc = evtchn_bind_interdomain(D(a), D(b), p, &x);
		break;
	case 2:
		rc = evtchn_close(D(a), p);
		break;
	case 3:
		rc = evtchn_bind_vcpu(D(a), p, (unsigned int)(*r >> 40 & 1));
		break;
	case 4:
		rc = evtchn_status(D(a), p, &st);
		break;
	case 5:
		rc = evtchn_unmask(D(a), p);
		break;
	case 6:
		evtchn_send_virq(dom[a].v[*r >> 50 & 1], VIRQ_TIMER);
		/* fall through */
	default:
		rc = evtchn_send(D(a), p);
		break;
	}
	if (rc != 0 && rc != -EINVAL && rc != -ENOSPC)
		violation("unexpected error", a, rc);
}

/*
 * The thread whose seed has the low bit set destroys domain 2 half way. Two
 * threads on two CPUs: more would preempt lock holders and crawl (ticket
 * locks).
 */
static void *stress_thread(void *arg)
{
	uint64_t r = (uintptr_t)arg;
	/* The seed's bit, not the state's: exactly one thread destroys. */
	bool destroyer = r & 1;

	for (unsigned int n = 0; n < STRESS_OPS; n++) {
		if (n == STRESS_OPS / 2 && destroyer)
			evtchn_domain_destroy(D(2));
		stress_op(&r);
	}
	return NULL;
}

/* After the storm, every pair is whole and none leads to domain 2. */
static void check_pairs(int a)
{
	for (evtchn_port_t p = 1; p < EVTCHN_MAX_PORTS; p++) {
		struct evtchn_status_info st = status(a, p), back;
		int b = st.remote_dom == ids[0] ? 0 : 1;

		if (st.status != EVTCHNSTAT_interdomain)
			continue;
		assert_int_not_equal(st.remote_dom, ids[2]);
		back = status(b, st.remote_port);
		assert_int_equal(back.status, EVTCHNSTAT_interdomain);
		assert_int_equal(back.remote_dom, ids[a]);
		assert_int_equal(back.remote_port, p);
	}
}

/*
 * Two threads bind, send and close across domains 0 and 1 and into
 * domain 2, one destroying domain 2 on the way: no deadlock (the alarm
 * fires otherwise), no use of the freed table, and every pair whole after.
 */
static void test_concurrent(void **state)
{
	static const uint64_t seed[2] = { 0x9e3779b97f4a7c14ull,
					  0xbf58476d1ce4e5b9ull };
	pthread_t t[2];
	evtchn_port_t x;

	(void)state;
	for (int k = 0; k < 100; k++) {
		assert_int_equal(evtchn_alloc_unbound(D(2), ids[k % 2], &x), 0);
		assert_int_equal(evtchn_bind_interdomain(D(2), D(k % 2),
							 offer(k % 2, 2), &x),
				 0);
	}
	alarm(20);
	for (int k = 0; k < 2; k++)
		assert_int_equal(pthread_create(&t[k], NULL, stress_thread,
						(void *)(uintptr_t)seed[k]),
				 0);
	for (int k = 0; k < 2; k++)
		pthread_join(t[k], NULL);
	alarm(0);
	check_no_violations();
	assert_null(D(2)->evtchn);
	check_pairs(0);
	check_pairs(1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_and_destroy),
		T(test_init_out_of_memory),
		T(test_interdomain_both_ways),
		T(test_selector_word),
		T(test_masking),
		T(test_loopback),
		T(test_virq),
		T(test_pirq),
		T(test_global_virq),
		T(test_ipi),
		T(test_bind_vcpu),
		T(test_status_every_state),
		T(test_close_each_kind),
		T(test_destroy_with_live_channels),
		T(test_calls_after_destroy),
		T(test_bad_ports),
		T(test_bind_not_offered),
		T(test_policy),
		T(test_exhaustion),
		T(test_no_vcpu_info_or_shared_info),
		T(test_random_against_model),
		T(test_concurrent),
	};

	return cmocka_run_group_tests_name("evtchn", tests, NULL, NULL);
}
