/*
 * The baseline of the network benchmark: the driver domain itself sends
 * a UDP stream through its NIC driver, the same frames a guest's stream
 * makes (10.0.2.20:9000 -> 10.0.2.2:9, to QEMU's gateway MAC, which the
 * benchmark's host peer takes too), so guest / driver-domain throughput
 * is a ratio measured in one run.
 */
#include <xen/string.h>
#include <driverdom/netdom.h>
#include <driverdom/netdrv.h>
#include <stub/stub.h>
#include <stub/time.h>

#define STREAM_HDR 42 /* Ethernet 14, IPv4 20, UDP 8 */
#define STREAM_MAX 1472
static const uint8_t gateway_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

static uint16_t stream_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* One frame of the stream: UDP checksum 0 (none), as IPv4 allows. */
static size_t stream_frame(uint8_t *f, const uint8_t src_mac[6], size_t size)
{
	static const uint8_t ip_src[4] = { 10, 0, 2, 20 },
			     ip_dst[4] = { 10, 0, 2, 2 };

	memset(f, 0, STREAM_HDR + size);
	memcpy(f, gateway_mac, 6);
	memcpy(f + 6, src_mac, 6);
	put16(f + 12, 0x0800);
	f[14] = 0x45;
	put16(f + 16, (uint16_t)(20 + 8 + size));
	f[22] = 64;
	f[23] = 17;
	memcpy(f + 26, ip_src, 4);
	memcpy(f + 30, ip_dst, 4);
	put16(f + 24, stream_csum(f + 14, 20));
	put16(f + 34, 9000);
	put16(f + 36, 9);
	put16(f + 38, (uint16_t)(8 + size));
	return STREAM_HDR + size;
}

void nd_stream(struct netdrv *nic, unsigned int n, size_t size)
{
	static uint8_t frame[STREAM_HDR + STREAM_MAX];
	uint8_t mac[6];
	uint64_t t0, ns;
	size_t len;

	if (!n || !size || size > STREAM_MAX)
		return;
	netdrv_mac(nic, mac);
	len = stream_frame(frame, mac, size);
	t0 = stub_now();
	for (unsigned int i = 0; i < n; i++)
		while (netdrv_send(nic, frame, len) < 0)
			netdrv_poll(nic, 64); /* the ring is full: reap */
	ns = stub_now() - t0;
	printf("netstream: driver domain sent %u x %zu bytes in %llu us: %llu "
	       "ns per packet\n",
	       n, size, (unsigned long long)(ns / 1000),
	       (unsigned long long)(ns / n));
}
