/*
 * A guest on the network through netfront and the driver domain's
 * netback: "ip=N peer=M" makes it 10.0.2.N/24 (gateway 10.0.2.2, QEMU's
 * user network behind the e1000e); it pings its peer guest 10.0.2.M and
 * the gateway, and answers pings itself. Prints "netguest: ..." lines
 * and "netguest: N passed, M failed".
 *
 * "during=MS" keeps pinging the peer for that long after the first
 * answer, every ping to be answered: the path between two guests measured
 * while a third misbehaves. "hostile" makes this guest that third one
 * (netguest_hostile.c), a frontend breaking the protocol on purpose.
 */
#include <public/errno.h>
#include <public/sched.h>
#include <xen/string.h>
#include <net/net.h>
#include <stub/check.h>
#include <stub/events.h>
#include <stub/gnttab.h>
#include <stub/hypercall.h>
#include <stub/mm.h>
#include <stub/netfront.h>
#include <stub/stub.h>
#include <stub/time.h>
#include <stub/xenbus_glue.h>
#include "netguest.h"

#define MS 1000000ull

static struct xenbus xb;
static struct netfront nf;
static struct net_if ifp;
/* Ping ids: 0 the peer, 1 the gateway, 2 the peer again (during=). */
static volatile unsigned int replies[3], echoes;

static long nf_grant(void *env, domid_t domid, unsigned long mfn, bool ro)
{
	return stub_grant_access(domid, mfn, ro);
}

static long nf_grant_end(void *env, grant_ref_t ref)
{
	return stub_grant_end(ref);
}

static void *nf_page(void *env, unsigned long *mfn)
{
	void *p = stub_alloc_page();

	if (p)
		*mfn = stub_virt_to_mfn(p);
	return p;
}

static volatile unsigned long vif_events;

static void on_event(evtchn_port_t port, void *data)
{
	vif_events++;
}

/*
 * Until the vif has an event it had not had when vif_events read seen,
 * or ns pass: a loop's work is done between two of these, never missed.
 */
static void wait_vif(unsigned long seen, uint64_t ns)
{
	stub_timer_arm(stub_now() + ns);
	stub_wait_until(vif_events != seen || stub_timer_fired());
}

static long nf_port(void *env, domid_t remote)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF,
					   .remote_dom = remote };
	long rc = stub_evtchn_op(EVTCHNOP_alloc_unbound, &au);

	if (rc < 0)
		return rc;
	stub_event_bind(au.port, on_event, NULL);
	return au.port;
}

static void nf_close(void *env, evtchn_port_t port)
{
	struct evtchn_close cl = { .port = port };

	stub_evtchn_op(EVTCHNOP_close, &cl);
}

static void nf_notify(void *env, evtchn_port_t port)
{
	struct evtchn_send send = { .port = port };

	stub_evtchn_op(EVTCHNOP_send, &send);
}

static void nf_rx(void *env, const void *frame, size_t len)
{
	net_input(&ifp, frame, len);
}

static int net_send(void *ctx, const void *frame, size_t len)
{
	return netfront_send(&nf, frame, len);
}

static uint64_t net_now(void *ctx)
{
	return stub_now();
}

static void on_reply(struct net_if *i, uint32_t src, uint16_t id, uint16_t seq,
		     const void *data, size_t len, void *arg)
{
	if (id < 3)
		replies[id]++;
}

/* Ping ip until it answers (bounded): the milliseconds it took, or -1. */
static long ping_until(uint32_t ip, uint16_t id, uint64_t limit)
{
	uint64_t t0 = stub_now(), next = 0;
	uint16_t seq = 0;

	while (stub_now() - t0 < limit && !replies[id]) {
		unsigned long seen = vif_events;

		if (stub_now() >= next) {
			net_ping(&ifp, ip, id, seq++);
			net_tick(&ifp);
			next = stub_now() + 200 * MS;
		}
		netfront_poll(&nf);
		xenbus_poll(&xb);
		xenbus_dispatch(&xb);
		wait_vif(seen, MS);
	}
	return replies[id] ? (long)((stub_now() - t0) / MS) : -1;
}

/*
 * Ping ip every 100 ms for ns, answering pings meanwhile, then give the
 * last ones up to a second: the pings answered, *sent those sent.
 */
static unsigned int ping_window(uint32_t ip, uint64_t ns, unsigned int *sent)
{
	uint64_t end = stub_now() + ns, next = 0;
	unsigned int n = 0;

	while (stub_now() < end ||
	       (replies[2] < n && stub_now() < end + 1000 * MS)) {
		unsigned long seen = vif_events;

		if (stub_now() < end && stub_now() >= next) {
			net_ping(&ifp, ip, 2, (uint16_t)n++);
			net_tick(&ifp);
			next = stub_now() + 100 * MS;
		}
		netfront_poll(&nf);
		xenbus_poll(&xb);
		xenbus_dispatch(&xb);
		wait_vif(seen, MS);
	}
	*sent = n;
	return replies[2];
}

/* "during=MS": every ping to the peer over that window answered. */
static void ping_during(unsigned int peer, unsigned int ms)
{
	uint64_t t0 = stub_now();
	unsigned int sent, got;

	got = ping_window(NET_IP4(10, 0, 2, peer), ms * MS, &sent);
	printf("netguest: 10.0.2.%u answered %u of %u pings from %llu to %llu "
	       "ms\n",
	       peer, got, sent, (unsigned long long)(t0 / MS),
	       (unsigned long long)(stub_now() / MS));
	stub_check("every ping answered meanwhile", got == sent && sent > 0, 1);
}

static void on_echo(struct net_if *i, uint32_t src, uint16_t sport,
		    uint16_t dport, const void *data, size_t len, void *arg)
{
	if (len == 5 && !memcmp(data, "hello", 5))
		echoes++;
}

/* UDP to the gateway's echo port until it comes back: ms, or -1. */
static long udp_echo(uint64_t limit)
{
	uint64_t t0 = stub_now(), next = 0;

	net_udp_bind(&ifp, 5000, on_echo, NULL);
	while (stub_now() - t0 < limit && !echoes) {
		unsigned long seen = vif_events;

		if (stub_now() >= next) {
			net_udp_send(&ifp, NET_IP4(10, 0, 2, 2), 5000, 7,
				     "hello", 5);
			net_tick(&ifp);
			next = stub_now() + 200 * MS;
		}
		netfront_poll(&nf);
		wait_vif(seen, MS);
	}
	return echoes ? (long)((stub_now() - t0) / MS) : -1;
}

/* The longest time between two answers, in ns, while survive() runs. */
static uint64_t last_answer, longest_gap, booted_at;
static unsigned int answers;

static void on_survive_echo(struct net_if *i, uint32_t src, uint16_t sport,
			    uint16_t dport, const void *data, size_t len,
			    void *arg)
{
	uint64_t now = stub_now();

	if (now - last_answer > longest_gap)
		longest_gap = now - last_answer;
	last_answer = now;
	answers++;
}

/*
 * "survive=MS": a ping and a UDP datagram to the host peer every 10 ms
 * for MS, through whatever happens to the backend meanwhile; prints how
 * many were answered, the longest silence, and how long this domain
 * has been up (a guest that was rebooted would start from zero); with
 * "report=S", how it goes every S seconds too; with "burst=N", N
 * datagrams of 512 bytes to the peer's port 9 every 10 ms besides (a
 * stream the peer sinks).
 */
static void survive(unsigned int ms, unsigned int report_s, unsigned int burst)
{
	static const uint8_t payload[512];
	uint64_t t0 = stub_now(), end = t0 + ms * MS, next = 0;
	uint64_t report = report_s ? t0 + report_s * 1000 * MS : 0;
	unsigned int sent = 0, pongs = replies[2];
	unsigned long streamed = 0;

	net_udp_bind(&ifp, 5001, on_survive_echo, NULL);
	last_answer = t0;
	while (stub_now() < end) {
		unsigned long seen = vif_events;

		if (stub_now() >= next) {
			net_ping(&ifp, NET_IP4(10, 0, 2, 2), 2, (uint16_t)sent);
			net_udp_send(&ifp, NET_IP4(10, 0, 2, 2), 5001, 7,
				     "alive", 5);
			sent++;
			/* The stream: whatever the ring takes now. */
			for (unsigned int i = 0; i < burst; i++)
				streamed +=
				    net_udp_send(&ifp, NET_IP4(10, 0, 2, 2),
						 9000, 9, payload,
						 sizeof(payload)) == 0;
			net_tick(&ifp);
			next = stub_now() + 10 * MS;
		}
		if (report && stub_now() >= report) {
			printf("netguest: %u of %u echoes answered so far, "
			       "longest silence %llu ms\n",
			       answers, sent,
			       (unsigned long long)(longest_gap / MS));
			report += report_s * 1000 * MS;
		}
		netfront_poll(&nf);
		xenbus_poll(&xb);
		xenbus_dispatch(&xb);
		wait_vif(seen, MS);
	}
	if (burst)
		printf("netguest: streamed %lu datagrams of 512 bytes to "
		       "10.0.2.2 port 9\n",
		       streamed);
	printf("netguest: survived %u ms: %u of %u UDP echoes and %u pings "
	       "answered, longest silence %llu ms, up %llu ms\n",
	       ms, answers, sent, replies[2] - pongs,
	       (unsigned long long)(longest_gap / MS),
	       (unsigned long long)((stub_now() - booted_at) / MS));
	stub_check("still connected", netfront_connected(&nf), 1);
}

/*
 * Frames claiming another source MAC (a gratuitous ARP for the peer's
 * address, from a made-up MAC): netback must drop every one.
 */
static void send_spoofed(unsigned int peer, unsigned int n)
{
	uint8_t f[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* broadcast */
			  0x00, 0x16, 0x3e, 0x00, 0x00, 0x99, /* not ours */
			  0x08, 0x06, 0x00, 0x01, 0x08, 0x00,	      6,
			  4,	0x00, 0x02, 0x00, 0x16, 0x3e,	      0x00,
			  0x00, 0x99, 10,   0,	  2,	(uint8_t)peer };

	memcpy(&f[32], &f[22], 10); /* target = sender: gratuitous */
	for (unsigned int i = 0; i < n; i++)
		netfront_send(&nf, f, sizeof(f));
	netfront_poll(&nf);
	printf("netguest: sent %u frames with a MAC not ours\n", n);
}

/* n datagrams of size bytes to 10.0.2.dst port 9, as fast as they go. */
static void stream(unsigned int dst, unsigned int n, unsigned int size)
{
	static uint8_t data[1472];
	uint64_t t0 = stub_now(), ns;

	if (!n || !size || size > sizeof(data))
		return;
	for (unsigned int i = 0; i < n; i++)
		while (net_udp_send(&ifp, NET_IP4(10, 0, 2, dst), 9000, 9, data,
				    size) == -XEN_ENOBUFS) {
			/* The ring is full: reap, or sleep until a response. */
			unsigned long seen = vif_events;

			netfront_poll(&nf);
			if (net_udp_send(&ifp, NET_IP4(10, 0, 2, dst), 9000, 9,
					 data, size) != -XEN_ENOBUFS)
				break;
			wait_vif(seen, MS);
		}
	ns = stub_now() - t0;
	printf("netstream: guest sent %u x %u bytes to 10.0.2.%u in %llu us: "
	       "%llu ns per packet\n",
	       n, size, dst, (unsigned long long)(ns / 1000),
	       (unsigned long long)(ns / n));
}

static volatile unsigned long sunk_packets, sunk_bytes;

static void on_sink(struct net_if *i, uint32_t src, uint16_t sport,
		    uint16_t dport, const void *data, size_t len, void *arg)
{
	sunk_packets++;
	sunk_bytes += len;
}

/* Keep answering pings (the peer's) for a while. */
static void serve(uint64_t ns)
{
	for (uint64_t until = stub_now() + ns; stub_now() < until;) {
		unsigned long seen = vif_events;

		netfront_poll(&nf);
		xenbus_poll(&xb);
		xenbus_dispatch(&xb);
		wait_vif(seen, MS);
	}
}

int app_main(const char *cmdline)
{
	const struct netfront_ops ops = { nf_grant,  nf_grant_end, nf_page,
					  NULL,	     nf_port,	   nf_close,
					  nf_notify, nf_rx,	   NULL,
					  &xb };
	const struct net_ops nops = { net_send, net_now, NULL };
	unsigned int me = stub_arg_uint(cmdline, "ip="),
		     peer = stub_arg_uint(cmdline, "peer=");
	uint8_t mac[6];
	long ms;

	booted_at = stub_now();
	if (stub_arg_has(cmdline, "hostile"))
		return netguest_hostile(cmdline);
	stub_events_init();
	stub_check("grant table", stub_gnttab_init(1), 0);
	stub_check("xenstore", stub_xenbus_connect_store(&xb), 0);
	stub_check("netfront", netfront_init(&nf, &ops, "device/vif/0"), 0);
	netfront_mac(&nf, mac);
	stub_check("stack",
		   net_init(&ifp, mac, NET_IP4(10, 0, 2, me),
			    NET_IP4(255, 255, 255, 0), NET_IP4(10, 0, 2, 2),
			    &nops),
		   0);
	net_ping_handler(&ifp, on_reply, NULL);
	/*
	 * The backend's steps come as watch events on the xenstore port:
	 * sleep until one comes, not on a millisecond's poll (the driver
	 * domain may be running its own stream meanwhile, to be compared
	 * with ours: a guest waking a thousand times a second would slow it).
	 */
	for (uint64_t until = stub_now() + 5000 * MS;
	     !netfront_connected(&nf) && stub_now() < until;) {
		unsigned long seen = vif_events, xs = stub_xenbus_events();

		netfront_poll(&nf);
		xenbus_poll(&xb);
		xenbus_dispatch(&xb);
		stub_timer_arm(stub_now() + 100 * MS);
		stub_wait_until(vif_events != seen ||
				stub_xenbus_events() != xs ||
				stub_timer_fired());
	}
	stub_check("connected", netfront_connected(&nf), 1);
	printf("netguest: 10.0.2.%u, mac %02x:%02x:%02x:%02x:%02x:%02x, %s\n",
	       me, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
	       netfront_connected(&nf) ? "connected" : "NOT connected");
	if (stub_arg_has(cmdline, "spoof"))
		send_spoofed(peer, 5);
	ms = ping_until(NET_IP4(10, 0, 2, peer), 0, 8000 * MS);
	stub_check("the peer answers", ms >= 0, 1);
	printf("netguest: ping 10.0.2.%u (the other guest): %ld ms\n", peer,
	       ms);
	if (stub_arg_has(cmdline, "during="))
		ping_during(peer, stub_arg_uint(cmdline, "during="));
	ms = ping_until(NET_IP4(10, 0, 2, 2), 1, 8000 * MS);
	stub_check("the gateway answers", ms >= 0, 1);
	printf("netguest: ping 10.0.2.2 (through the e1000e): %ld ms\n", ms);
	if (stub_arg_has(cmdline, "echo")) {
		ms = udp_echo(8000 * MS);
		stub_check("UDP echo", ms >= 0, 1);
		printf("netguest: UDP echo from 10.0.2.2: %ld ms\n", ms);
	}
	if (stub_arg_has(cmdline, "survive="))
		survive(stub_arg_uint(cmdline, "survive="),
			stub_arg_uint(cmdline, "report="),
			stub_arg_uint(cmdline, "burst="));
	if (stub_arg_has(cmdline, "sink"))
		net_udp_bind(&ifp, 9, on_sink, NULL);
	if (stub_arg_has(cmdline, "stream=")) {
		stream(2, stub_arg_uint(cmdline, "stream="),
		       stub_arg_uint(cmdline, "size="));
		stream(peer, stub_arg_uint(cmdline, "stream="),
		       stub_arg_uint(cmdline, "size="));
		/* Small frames: 18 bytes of UDP make a minimum-size frame. */
		stream(2, stub_arg_uint(cmdline, "small="), 18);
	}
	serve(stub_arg_has(cmdline, "sink") ? 8000 * MS : 2000 * MS);
	if (stub_arg_has(cmdline, "sink"))
		printf("netstream: guest received %lu packets, %lu bytes\n",
		       sunk_packets, sunk_bytes);
	stub_check_report("netguest");
	return SHUTDOWN_poweroff;
}
