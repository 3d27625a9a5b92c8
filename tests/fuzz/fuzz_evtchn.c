/*
 * The hypervisor's event channels (xen/common/event_channel.c) under
 * three domains that make any call with any arguments: ports offered,
 * bound, sent on, closed and unmasked, VIRQs, IPIs and pirqs, vCPUs
 * rebound; guests that write any bits into their shared pending and
 * mask words and take their upcalls at any time; domains destroyed and
 * made again with channels open; pages running out; the policy
 * refusing an operation. What must hold (tests/unit/fake_evtchn.c
 * watches the interface's rules):
 *
 * - no ASSERT fails, every kick is for a 0 -> 1 of upcall_pending with
 *   interrupts off, every interrupt restore nests;
 * - every call returns 0 or one of the errors event.h lists;
 * - an interdomain port's peer is a live domain's port that names it
 *   back;
 * - once every domain is gone: no page, no domain reference, no
 *   interrupt level left.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/arch.h>
#include <xen/errno.h>
#include <xen/event.h>
#include <xen/policy.h>
#include <xen/sched.h>
#include "fake_evtchn.h"
#include "fuzz.h"

#define PORTS_TRIED 72 /* ports the script names: the low ones, and more */

/* The highest port handed to each domain since it was made: none above. */
static evtchn_port_t top[NDOM];

static void check_rc(int rc)
{
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOSPC || rc == -EPERM ||
		   rc == -EEXIST || rc == -ENOENT);
	if (violations)
		fprintf(stderr, "violation: %s\n", first_violation);
	FUZZ_CHECK(violations == 0);
}

static evtchn_port_t port_of(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);

	/* Mostly ports in use; now and then past the table's end. */
	return b < 250 ? b % PORTS_TRIED : EVTCHN_MAX_PORTS - 2 + b % 4;
}

static int live_index(domid_t id)
{
	for (int i = 0; i < NDOM; i++)
		if (dom[i].d && ids[i] == id)
			return i;
	return -1;
}

/* Every interdomain port's peer names it back. */
static void check_peers(void)
{
	for (int i = 0; i < NDOM; i++) {
		for (evtchn_port_t p = 1; dom[i].d && p <= top[i]; p++) {
			struct evtchn_status_info st, back;
			int j;

			if (evtchn_status(dom[i].d, p, &st)) {
				/* Only a domain whose table was not made. */
				FUZZ_CHECK(!dom[i].d->evtchn);
				break;
			}
			if (st.status != EVTCHNSTAT_interdomain)
				continue;
			j = live_index(st.remote_dom);
			FUZZ_CHECK(j >= 0);
			FUZZ_CHECK(evtchn_status(dom[j].d, st.remote_port,
						 &back) == 0);
			FUZZ_CHECK(back.status == EVTCHNSTAT_interdomain);
			FUZZ_CHECK(back.remote_dom == ids[i] &&
				   back.remote_port == p);
		}
	}
	FUZZ_CHECK(violations == 0);
}

/* Whether domain i has a port for pirq (bind_pirq's caller checks). */
static bool pirq_bound(int i, unsigned int pirq)
{
	struct evtchn_status_info st;

	for (evtchn_port_t p = 1; p <= top[i]; p++)
		if (evtchn_status(dom[i].d, p, &st) == 0 &&
		    st.status == EVTCHNSTAT_pirq && st.pirq == pirq)
			return true;
	return false;
}

/* The guest of domain i, on its vCPU v: bits of its shared words. */
static void guest(struct fuzz_in *in, int i, unsigned int v)
{
	struct shared_info *s = dom[i].s;
	uint8_t what = fuzz_u8(in);
	unsigned int w = fuzz_u8(in) % (sizeof(xen_ulong_t) * 8);
	xen_ulong_t bits;

	fuzz_bytes(in, &bits, sizeof(bits));
	switch (what % 3) {
	case 0:
		s->evtchn_mask[w] = bits;
		break;
	case 1:
		s->evtchn_pending[w] = bits;
		break;
	default: /* the upcall: selector and flag taken */
		s->vcpu_info[v].evtchn_pending_sel = 0;
		s->vcpu_info[v].evtchn_upcall_pending = 0;
		may_kick[i][v] = true;
		break;
	}
}

static void step(struct fuzz_in *in)
{
	uint8_t op = fuzz_u8(in), a = fuzz_u8(in);
	int i = a % NDOM, j = (a >> 2) % NDOM;
	unsigned int v = (a >> 4) % NVCPU;
	struct domain *d = dom[i].d;
	evtchn_port_t port = 0;
	int rc = 0;

	if (!d) { /* destroyed: made again */
		FUZZ_CHECK(make_domain(i) == 0 || pages_until_fail >= 0);
		top[i] = 0;
		return;
	}
	switch (op % 16) {
	case 0: {
		uint8_t r = fuzz_u8(in);
		domid_t remote = r < 200   ? ids[r % NDOM]
				 : r < 230 ? DOMID_SELF
					   : r;

		rc = evtchn_alloc_unbound(d, remote, &port);
		break;
	}
	case 1:
		if (dom[j].d)
			rc = evtchn_bind_interdomain(d, dom[j].d, port_of(in),
						     &port);
		break;
	case 2:
		rc = evtchn_bind_virq(dom[i].v[v], fuzz_u8(in) % 30, &port);
		break;
	case 3:
		rc = evtchn_bind_ipi(dom[i].v[v], &port);
		break;
	case 4:
		rc = evtchn_bind_vcpu(d, port_of(in), fuzz_u8(in) % 4);
		break;
	case 5:
	case 6:
		rc = evtchn_send(d, port_of(in));
		break;
	case 7:
		rc = evtchn_close(d, port_of(in));
		break;
	case 8:
		rc = evtchn_unmask(d, port_of(in));
		break;
	case 9: {
		unsigned int pirq = fuzz_u8(in) % 8;

		if (!pirq_bound(i, pirq))
			rc = evtchn_bind_pirq(d, pirq, &port);
		break;
	}
	case 10: {
		/* From the interrupt's handler: interrupts off. */
		unsigned long flags = arch_irq_save();

		rc = evtchn_send_pirq(d, port_of(in), fuzz_u8(in) % 8);
		arch_irq_restore(flags);
		break;
	}
	case 11: { /* the hypervisor raises a VIRQ: the right kind for each */
		static const unsigned int per_vcpu[] = { VIRQ_TIMER, VIRQ_DEBUG,
							 VIRQ_XENOPROF,
							 VIRQ_XENPMU };
		unsigned int virq = fuzz_u8(in) % NR_VIRQS;
		bool local = false;

		for (unsigned int k = 0; k < 4; k++)
			local |= virq == per_vcpu[k];
		if (local)
			evtchn_send_virq(dom[i].v[v], virq);
		else
			evtchn_send_global_virq(d, virq);
		break;
	}
	case 12:
	case 13:
		guest(in, i, v);
		break;
	case 14: /* the domain goes, channels and all */
		free_domain(i);
		break;
	default: /* the policy refuses an op; pages run out, or do not */
		refuse_op = fuzz_u8(in) % 8 == 0 ? (int)fuzz_u8(in) % 4 : -1;
		pages_until_fail = fuzz_u8(in) % 4 == 0 ? 0 : -1;
		break;
	}
	check_rc(rc);
	if (!rc && port > top[i])
		top[i] = port;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	unsigned int n = 0;

	fake_evtchn_reset();
	memset(top, 0, sizeof(top));
	for (int i = 0; i < NDOM; i++)
		FUZZ_CHECK(make_domain(i) == 0);
	while (in.len) {
		step(&in);
		if (++n % 16 == 0)
			check_peers();
	}
	check_peers();
	for (int i = 0; i < NDOM; i++)
		free_domain(i);
	FUZZ_CHECK(violations == 0);
	FUZZ_CHECK(live_pages == 0 && refs_held == 0 && irq_depth == 0);
	return 0;
}
