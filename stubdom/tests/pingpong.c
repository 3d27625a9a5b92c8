/*
 * Two domains exchanging events across CPUs, built by the toolstack with
 * "role=a peer=<b's id> rounds=N" and "role=b peer=<a's id> rounds=N".
 * A offers its first port to B; B binds to it (retrying until A has
 * offered); then A sends and B answers, N times. A prints the round trip.
 */
#include <public/sched.h>
#include <xen/string.h>
#include <stub/events.h>
#include <stub/hypercall.h>
#include <stub/check.h>
#include <stub/stub.h>
#include <stub/time.h>

static volatile unsigned int received;

static void on_event(evtchn_port_t port, void *data)
{
	received++;
}

static void wait_for(unsigned int n)
{
	stub_wait_until(received >= n);
}

static evtchn_port_t connect(bool offer, domid_t peer)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF,
					   .remote_dom = peer };
	struct evtchn_bind_interdomain bi = { .remote_dom = peer,
					      .remote_port = 1 };

	if (offer) {
		if (stub_evtchn_op(EVTCHNOP_alloc_unbound, &au) < 0)
			stub_panic("alloc_unbound failed");
		stub_event_bind(au.port, on_event, NULL);
		return au.port;
	}
	while (stub_evtchn_op(EVTCHNOP_bind_interdomain, &bi) < 0)
		hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0);
	stub_event_bind(bi.local_port, on_event, NULL);
	return bi.local_port;
}

int app_main(const char *cmdline)
{
	bool a = stub_arg_has(cmdline, "role=a");
	unsigned int rounds = stub_arg_uint(cmdline, "rounds="),
		     peer = stub_arg_uint(cmdline, "peer=");
	struct evtchn_send send;
	uint64_t t0;
	long ipi;

	stub_events_init();
	send.port = connect(a, (domid_t)peer);
	if (!a) {
		stub_evtchn_op(EVTCHNOP_send, &send); /* "connected" */
		for (unsigned int i = 1; i <= rounds; i++) {
			wait_for(i);
			stub_evtchn_op(EVTCHNOP_send, &send);
		}
		return SHUTDOWN_poweroff;
	}
	wait_for(1);
	t0 = stub_now();
	for (unsigned int i = 1; i <= rounds; i++) {
		stub_evtchn_op(EVTCHNOP_send, &send);
		wait_for(i + 1);
	}
	t0 = (stub_now() - t0) / rounds;
	ipi = hypercall2(__HYPERVISOR_arch_7, 3, rounds);
	printf("pingpong: %u round trips between domains, %llu ns each\n",
	       rounds, (unsigned long long)t0);
	if (ipi > 0)
		printf(
		    "pingpong: raw IPI round trip %ld ns, ratio %llu.%02llu\n",
		    ipi, (unsigned long long)(t0 / (uint64_t)ipi),
		    (unsigned long long)(t0 * 100 / (uint64_t)ipi % 100));
	return SHUTDOWN_poweroff;
}
