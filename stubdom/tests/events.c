/*
 * Event channels from a domain: good and bad requests, a loopback
 * channel, events sent by vCPU 1 (on another CPU) to vCPU 0, which
 * sleeps between them, and the runtime's two ways to block. Prints "events: N
 * passed, M failed" and powers off.
 */
#include <public/errno.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <stub/events.h>
#include <stub/hypercall.h>
#include <stub/check.h>
#include <stub/stub.h>
#include <stub/time.h>

#define PINGS 50

static volatile unsigned int loop_events, pings_seen;
static evtchn_port_t ipi_port;
static unsigned char stack1[8192] __attribute__((aligned(16)));
static struct vcpu_guest_context ctx;

static void on_loop(evtchn_port_t port, void *data)
{
	loop_events++;
}

static void on_ping(evtchn_port_t port, void *data)
{
	__atomic_fetch_add(&pings_seen, 1, __ATOMIC_SEQ_CST);
}

static void test_bad_requests(void)
{
	struct evtchn_send send = { .port = 0 };
	struct evtchn_close close = { .port = 999 };
	struct evtchn_status st = { .dom = 5, .port = 1 };
	struct evtchn_bind_virq virq = { .virq = 99, .vcpu = 0 };
	struct evtchn_bind_ipi ipi = { .vcpu = 7 };
	struct evtchn_alloc_unbound au = { .dom = 5, .remote_dom = 0 };
	struct evtchn_bind_interdomain bi = { .remote_dom = 77 };

	stub_check("send port 0", stub_evtchn_op(EVTCHNOP_send, &send),
		   -XEN_EINVAL);
	send.port = 5000;
	stub_check("send port 5000", stub_evtchn_op(EVTCHNOP_send, &send),
		   -XEN_EINVAL);
	stub_check("close unused", stub_evtchn_op(EVTCHNOP_close, &close),
		   -XEN_EINVAL);
	stub_check("status of another domain",
		   stub_evtchn_op(EVTCHNOP_status, &st), -XEN_EPERM);
	stub_check("bind virq 99", stub_evtchn_op(EVTCHNOP_bind_virq, &virq),
		   -XEN_EINVAL);
	stub_check("bind ipi vcpu 7", stub_evtchn_op(EVTCHNOP_bind_ipi, &ipi),
		   -XEN_ENOENT);
	stub_check("alloc for no such domain",
		   stub_evtchn_op(EVTCHNOP_alloc_unbound, &au), -XEN_ESRCH);
	stub_check("bind to no domain",
		   stub_evtchn_op(EVTCHNOP_bind_interdomain, &bi), -XEN_ESRCH);
	stub_check("unknown op", stub_evtchn_op(99, &send), -XEN_ENOSYS);
	stub_check("FIFO not offered",
		   stub_evtchn_op(EVTCHNOP_init_control, &send), -XEN_ENOSYS);
	stub_check("bad pointer",
		   stub_evtchn_op(EVTCHNOP_send, (void *)0x10000000),
		   -XEN_EFAULT);
}

static evtchn_port_t race_port;
static bool race_sent;

/*
 * A wait condition that is false when tested but whose event is already
 * on its way: the event is sent from inside the test, after the counter
 * was read. A wait that tested with upcalls enabled would run the
 * handler at once and then block for an event that has come and gone.
 */
static bool race_cond(unsigned int before)
{
	bool done = loop_events != before;
	struct evtchn_send send = { .port = race_port };

	if (!race_sent) {
		race_sent = true;
		stub_evtchn_op(EVTCHNOP_send, &send);
	}
	return done;
}

static void test_wait_race(evtchn_port_t port)
{
	unsigned int before = loop_events;

	race_port = port;
	stub_wait_until(race_cond(before));
	stub_check("wait: an event after the test ends the block", loop_events,
		   before + 1);
	stub_check("wait: upcalls unmasked after",
		   shared_info->vcpu_info[0].evtchn_upcall_mask, 0);
}

static void test_loopback(void)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF,
					   .remote_dom = DOMID_SELF };
	struct evtchn_bind_interdomain bi = { .remote_dom = DOMID_SELF };
	struct evtchn_status st = { .dom = DOMID_SELF };
	struct evtchn_send send;
	struct evtchn_close close;

	stub_check("alloc unbound", stub_evtchn_op(EVTCHNOP_alloc_unbound, &au),
		   0);
	bi.remote_port = au.port;
	stub_check("bind loopback",
		   stub_evtchn_op(EVTCHNOP_bind_interdomain, &bi), 0);
	stub_event_bind(au.port, on_loop, NULL);
	st.port = au.port;
	stub_check("status", stub_evtchn_op(EVTCHNOP_status, &st), 0);
	stub_check("status interdomain", st.status, EVTCHNSTAT_interdomain);
	stub_check("status peer port", st.u.interdomain.port, bi.local_port);
	send.port = bi.local_port;
	stub_check("send", stub_evtchn_op(EVTCHNOP_send, &send), 0);
	stub_check("one upcall", loop_events, 1);
	test_wait_race(bi.local_port);
	close.port = bi.local_port;
	stub_check("close", stub_evtchn_op(EVTCHNOP_close, &close), 0);
	stub_check("peer now unbound", stub_evtchn_op(EVTCHNOP_status, &st), 0);
	stub_check("peer status", st.status, EVTCHNSTAT_unbound);
	stub_check("send on closed", stub_evtchn_op(EVTCHNOP_send, &send),
		   -XEN_EINVAL);
}

/* vCPU 1: one event at a time, each after the last was seen. */
static void __attribute__((noreturn)) pinger(unsigned long unused)
{
	struct evtchn_send send = { .port = ipi_port };

	for (unsigned int i = 1; i <= PINGS; i++) {
		stub_evtchn_op(EVTCHNOP_send, &send);
		while (pings_seen < i)
			hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0);
	}
	hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_down, 1, 0);
	for (;;)
		;
}

static void test_cross_cpu(void)
{
	struct evtchn_bind_ipi ipi = { .vcpu = 0 };
	unsigned long blocks = 0;

	stub_check("bind ipi", stub_evtchn_op(EVTCHNOP_bind_ipi, &ipi), 0);
	ipi_port = ipi.port;
	stub_event_bind(ipi_port, on_ping, NULL);
	ctx.user_regs.rip = (unsigned long)pinger;
	ctx.user_regs.rsp = (unsigned long)&stack1[sizeof(stack1) - 8];
	ctx.user_regs.rflags = 0x202;
	stub_check("start vCPU 1",
		   hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_initialise, 1,
			      (long)&ctx) ||
		       hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_up, 1, 0),
		   0);
	stub_events_mask();
	while (pings_seen < PINGS && blocks < 100000) {
		stub_event_block();
		stub_events_mask();
		blocks++;
	}
	stub_events_unmask();
	stub_check("every ping seen once", pings_seen, PINGS);
	printf("%u events from vCPU 1, %lu blocks\n", pings_seen, blocks);
}

static long poll(evtchn_port_t *ports, unsigned int n, uint64_t timeout)
{
	struct sched_poll p = { .nr_ports = n, .timeout = timeout };

	p.ports.p = ports;
	return hypercall2(__HYPERVISOR_sched_op, SCHEDOP_poll, (long)&p);
}

/*
 * SCHEDOP_poll ends when a port it waits on is pending, masked or not,
 * or at its timeout. vCPU 1 has gone; a loopback port raised by a timer
 * would need more machinery, so the event comes from ourselves: sent
 * before the poll, it must end it at once.
 */
static void test_poll(void)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF,
					   .remote_dom = DOMID_SELF };
	struct evtchn_bind_interdomain bi = { .remote_dom = DOMID_SELF };
	struct evtchn_send send;
	evtchn_port_t port, bad = 99999;
	uint64_t t0;

	stub_evtchn_op(EVTCHNOP_alloc_unbound, &au);
	bi.remote_port = au.port;
	stub_evtchn_op(EVTCHNOP_bind_interdomain, &bi);
	port = au.port;
	__atomic_fetch_or(&shared_info->evtchn_mask[port / 64],
			  1ul << (port % 64), __ATOMIC_SEQ_CST);
	__atomic_fetch_and(&shared_info->evtchn_pending[port / 64],
			   ~(1ul << (port % 64)), __ATOMIC_SEQ_CST);
	t0 = stub_now();
	stub_check("poll times out", poll(&port, 1, t0 + 30000000), 0);
	stub_check("after its timeout", stub_now() - t0 >= 30000000, 1);
	send.port = bi.local_port;
	stub_evtchn_op(EVTCHNOP_send, &send);
	stub_check("poll on a pending masked port", poll(&port, 1, 0), 0);
	stub_check("poll bad port", poll(&bad, 1, 0), -XEN_EINVAL);
	stub_check("poll no ports", poll(&port, 0, 0), -XEN_EINVAL);
}

/*
 * A wait's block: upcalls masked, a timer a millisecond on. Returns
 * whether upcalls were still masked after it (the handler ran in place).
 */
static bool block_for_timer(void)
{
	bool masked;

	stub_events_mask();
	stub_timer_arm(stub_now() + 1000000);
	while (!stub_timer_fired())
		stub_event_block();
	masked = shared_info->vcpu_info[0].evtchn_upcall_mask;
	stub_events_unmask();
	return masked;
}

/*
 * Blocking with upcalls masked polls the bound ports and runs the
 * handlers in place: no upcall, so the mask is still up after.
 */
static void test_block_masked(void)
{
	stub_check("masked block: woken by the timer, upcalls still masked",
		   block_for_timer(), 1);
}

static void on_nothing(evtchn_port_t port, void *data)
{
}

/*
 * More bound ports than one SCHEDOP_poll takes (128): the runtime's waits
 * fall back to SCHEDOP_block (which unmasks, and the upcall runs the
 * handler), and still end with their event. Last: the fallback lasts for
 * the domain's life.
 */
static void test_many_ports(void)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF,
					   .remote_dom = DOMID_SELF };
	unsigned int bound = 0;

	for (unsigned int i = 0; i < 130; i++)
		if (stub_evtchn_op(EVTCHNOP_alloc_unbound, &au) == 0) {
			stub_event_bind(au.port, on_nothing, NULL);
			bound++;
		}
	stub_check("130 more ports bound", bound, 130);
	stub_check("many ports: woken by the timer through an upcall",
		   block_for_timer(), 0);
}

int app_main(const char *cmdline)
{
	stub_events_init();
	test_bad_requests();
	test_loopback();
	test_cross_cpu();
	test_poll();
	test_block_masked();
	test_many_ports();
	stub_check_report("events");
	return SHUTDOWN_poweroff;
}
