/*
 * The baseline of the network benchmark: the driver domain itself sends
 * the stream a guest's benchmark sends (UDP from port 9000 to 10.0.2.2
 * port 9, which the benchmark's host peer sinks), built packet by packet
 * by the same UDP/IPv4 stack with the same checksums, straight into its
 * NIC driver. Guest / driver-domain throughput is then the cost of the
 * path through netfront, netback and the hypervisor, measured in one run.
 *
 * While the stream runs, what the NIC receives goes to the stream's
 * stack (nd_stream_rx()): the gateway's ARP reply and ping echo.
 */
#include <public/errno.h>
#include <driverdom/netdom.h>
#include <driverdom/netdrv.h>
#include <net/net.h>
#include <stub/stub.h>
#include <stub/time.h>

#define MS	   1000000ull
#define STREAM_MAX 1472
#define STREAM_GW  NET_IP4(10, 0, 2, 2)

static struct net_if stream_if;
static struct netdrv *stream_nic;
static bool stream_on, stream_echoed;

static int stream_send(void *ctx, const void *frame, size_t len)
{
	/* Batched as netback's frames are: one tail write per burst. */
	return netdrv_send_more(stream_nic, frame, len) < 0 ? -XEN_ENOBUFS : 0;
}

static uint64_t stream_now(void *ctx)
{
	return stub_now();
}

static void stream_echo(struct net_if *i, uint32_t src, uint16_t id,
			uint16_t seq, const void *data, size_t len, void *arg)
{
	stream_echoed = true;
}

bool nd_stream_rx(const void *frame, size_t len)
{
	if (!stream_on)
		return false;
	net_input(&stream_if, frame, len);
	return true;
}

/* Ping the gateway until it answers, so that its MAC is known. */
static bool stream_resolve(void)
{
	uint64_t until = stub_now() + 2000 * MS, next = 0;
	uint16_t seq = 0;

	while (!stream_echoed && stub_now() < until) {
		if (stub_now() >= next) {
			net_ping(&stream_if, STREAM_GW, 1, seq++);
			netdrv_flush(stream_nic); /* the ping, or its ARP */
			next = stub_now() + 100 * MS;
		}
		netdrv_poll(stream_nic, 64);
	}
	return stream_echoed;
}

void nd_stream(struct netdrv *nic, unsigned int n, size_t size)
{
	static const uint8_t data[STREAM_MAX];
	const struct net_ops ops = { stream_send, stream_now, NULL };
	uint8_t mac[6];
	uint64_t t0, ns;

	if (!n || !size || size > STREAM_MAX)
		return;
	netdrv_mac(nic, mac);
	stream_nic = nic;
	if (net_init(&stream_if, mac, NET_IP4(10, 0, 2, 20),
		     NET_IP4(255, 255, 255, 0), STREAM_GW, &ops) < 0)
		return;
	net_ping_handler(&stream_if, stream_echo, NULL);
	stream_on = true;
	if (!stream_resolve()) {
		printf("netstream: the gateway does not answer: no stream\n");
		stream_on = false;
		return;
	}
	t0 = stub_now();
	for (unsigned int i = 0; i < n; i++)
		while (net_udp_send(&stream_if, STREAM_GW, 9000, 9, data,
				    size) == -XEN_ENOBUFS) {
			/* Full, or waiting for ARP: start what is held. */
			netdrv_flush(nic);
			netdrv_poll(nic, 64);
		}
	netdrv_flush(nic);
	ns = stub_now() - t0;
	stream_on = false;
	printf("netstream: driver domain sent %u x %zu bytes in %llu us: %llu "
	       "ns per packet\n",
	       n, size, (unsigned long long)(ns / 1000),
	       (unsigned long long)(ns / n));
}
