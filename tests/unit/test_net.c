/*
 * The small network stack (stubdom/net/): ARP, IPv4, ICMP echo and UDP
 * against frames built here byte by byte, and two interfaces joined by a
 * fake wire.
 *
 * Each interface's send_frame copies the frame into its endpoint's
 * outbox (a heap block of the frame's exact size); pump() moves frames
 * from one outbox to the other interface's net_input(). Every frame
 * handed to net_input() is likewise a heap block of its exact size, so
 * ASan sees any read past what arrived. Checksums in frames sent are
 * verified with this file's own checksum, not the library's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../stubdom/include/net/net.h"

#define OUTBOX_MAX 64

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t MAC_GW[6] = { 0x02, 0, 0, 0, 0, 0xfe };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t ZERO6[6];
#define IP_A	NET_IP4(10, 0, 3, 2)
#define IP_B	NET_IP4(10, 0, 3, 1)
#define IP_GW	NET_IP4(10, 0, 3, 254)
#define IP_FAR	NET_IP4(192, 0, 2, 9)
#define NETMASK NET_IP4(255, 255, 255, 0)

static uint64_t now;

struct frame {
	uint8_t *data;
	size_t len;
};

struct endpoint {
	struct net_if ifp;
	struct frame out[OUTBOX_MAX];
	unsigned int n;
	int fail; /* send_frame returns this when not 0 */
};

static int ep_send(void *ctx, const void *frame, size_t len)
{
	struct endpoint *ep = ctx;

	assert_true(len >= NET_ETH_MIN && len <= NET_FRAME_MAX);
	if (ep->fail)
		return ep->fail;
	assert_true(ep->n < OUTBOX_MAX);
	ep->out[ep->n].data = malloc(len);
	assert_non_null(ep->out[ep->n].data);
	memcpy(ep->out[ep->n].data, frame, len);
	ep->out[ep->n].len = len;
	ep->n++;
	return 0;
}

static uint64_t ep_now(void *ctx)
{
	return now;
}

static struct endpoint *ep_new(const uint8_t *mac, uint32_t ip,
			       uint32_t gateway)
{
	struct endpoint *ep = calloc(1, sizeof(*ep));
	struct net_ops ops = { ep_send, ep_now, ep };

	assert_non_null(ep);
	assert_int_equal(net_init(&ep->ifp, mac, ip, NETMASK, gateway, &ops),
			 0);
	return ep;
}

static void ep_clear(struct endpoint *ep)
{
	for (unsigned int i = 0; i < ep->n; i++)
		free(ep->out[i].data);
	ep->n = 0;
}

static void ep_free(struct endpoint *ep)
{
	ep_clear(ep);
	free(ep);
}

/* Hand a copy of exactly len bytes to net_input(). */
static void feed(struct endpoint *ep, const uint8_t *frame, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	if (len)
		memcpy(copy, frame, len);
	net_input(&ep->ifp, copy, len);
	free(copy);
}

/* Deliver a's first outgoing frame to b. */
static void ep_move(struct endpoint *a, struct endpoint *b)
{
	struct frame f = a->out[0];

	memmove(a->out, a->out + 1, (a->n - 1) * sizeof(a->out[0]));
	a->n--;
	net_input(&b->ifp, f.data, f.len);
	free(f.data);
}

/* Run the wire until both sides are quiet. */
static void pump(struct endpoint *a, struct endpoint *b)
{
	for (int i = 0; i < 1000 && (a->n || b->n); i++) {
		if (a->n)
			ep_move(a, b);
		if (b->n)
			ep_move(b, a);
	}
	assert_int_equal(a->n + b->n, 0);
}

/* ---- Frames built and checked here, independently of the library ---- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, (uint16_t)v);
}

/* RFC 1071, plainly; init is a sum to start from (a pseudo-header). */
static uint16_t ref_csum(const uint8_t *p, size_t len, uint32_t init)
{
	uint32_t s = init;

	for (size_t i = 0; i < len; i += 2)
		s += (uint32_t)p[i] << 8 | (i + 1 < len ? p[i + 1] : 0);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint32_t ref_pseudo(uint32_t src, uint32_t dst, uint8_t proto,
			   uint16_t len)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) +
	       proto + len;
}

static void mk_eth(uint8_t *b, const uint8_t *dst, const uint8_t *src,
		   uint16_t type)
{
	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	put16(b + 12, type);
}

static size_t mk_arp(uint8_t *b, const uint8_t *eth_dst, uint16_t op,
		     const uint8_t *sha, uint32_t spa, const uint8_t *tha,
		     uint32_t tpa)
{
	uint8_t *a = b + 14;

	mk_eth(b, eth_dst, sha, 0x0806);
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, sha, 6);
	put32(a + 14, spa);
	memcpy(a + 18, tha, 6);
	put32(a + 24, tpa);
	return 42;
}

static void fix_ip_csum(uint8_t *frame)
{
	uint8_t *h = frame + 14;
	size_t ihl = (h[0] & 0xf) * 4u;

	put16(h + 10, 0);
	put16(h + 10, ref_csum(h, ihl, 0));
}

/* An IPv4 frame from B to dst with optlen bytes of options (NOPs). */
static size_t mk_ip(uint8_t *b, const uint8_t *eth_dst, uint32_t src,
		    uint32_t dst, uint8_t proto, size_t optlen,
		    const uint8_t *payload, size_t plen)
{
	uint8_t *h = b + 14;
	size_t ihl = 20 + optlen;

	mk_eth(b, eth_dst, MAC_B, 0x0800);
	memset(h, 0, ihl);
	h[0] = 0x40 | (uint8_t)(ihl / 4);
	put16(h + 2, (uint16_t)(ihl + plen));
	put16(h + 4, 0x1234);
	h[8] = 64;
	h[9] = proto;
	put32(h + 12, src);
	put32(h + 16, dst);
	memset(h + 20, 1, optlen); /* IPOPT_NOP */
	memcpy(h + ihl, payload, plen);
	fix_ip_csum(b);
	return 14 + ihl + plen;
}

static size_t mk_icmp(uint8_t *b, uint32_t dst, uint8_t type, uint16_t id,
		      uint16_t seq, const uint8_t *data, size_t dlen,
		      size_t optlen)
{
	uint8_t m[1500];

	m[0] = type;
	m[1] = 0;
	put16(m + 2, 0);
	put16(m + 4, id);
	put16(m + 6, seq);
	memcpy(m + 8, data, dlen);
	put16(m + 2, ref_csum(m, 8 + dlen, 0));
	return mk_ip(b, MAC_A, IP_B, dst, 1, optlen, m, 8 + dlen);
}

static size_t mk_udp(uint8_t *b, uint32_t dst, uint16_t sport, uint16_t dport,
		     const void *data, size_t dlen, bool csum)
{
	uint8_t u[1500];
	uint16_t ulen = (uint16_t)(8 + dlen);

	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, ulen);
	put16(u + 6, 0);
	memcpy(u + 8, data, dlen);
	if (csum)
		put16(u + 6,
		      ref_csum(u, ulen, ref_pseudo(IP_B, dst, 17, ulen)));
	return mk_ip(b, MAC_A, IP_B, dst, 17, 0, u, ulen);
}

/* A frame sent by the library: the Ethernet and IPv4 headers are right. */
static const uint8_t *check_ip_frame(const struct frame *f, const uint8_t *dst,
				     uint32_t src_ip, uint32_t dst_ip,
				     uint8_t proto, size_t *plen)
{
	const uint8_t *h = f->data + 14;
	size_t total;

	assert_true(f->len >= 60);
	assert_memory_equal(f->data, dst, 6);
	assert_memory_equal(f->data + 6, MAC_A, 6);
	assert_int_equal(get16(f->data + 12), 0x0800);
	assert_int_equal(h[0], 0x45);
	total = get16(h + 2);
	assert_true(total >= 20 && 14 + total <= f->len);
	if (14 + total < f->len) {
		/* Only padding up to the minimum, all zeros. */
		assert_int_equal(f->len, 60);
		for (size_t i = 14 + total; i < 60; i++)
			assert_int_equal(f->data[i], 0);
	}
	assert_int_equal(get16(h + 6), 0x4000); /* DF, no fragment */
	assert_int_equal(h[8], 64);
	assert_int_equal(h[9], proto);
	assert_int_equal(get32(h + 12), src_ip);
	assert_int_equal(get32(h + 16), dst_ip);
	assert_int_equal(ref_csum(h, 20, 0), 0);
	*plen = total - 20;
	return h + 20;
}

static void check_arp_request(const struct frame *f, uint32_t target)
{
	const uint8_t *a = f->data + 14;

	assert_int_equal(f->len, 60);
	assert_memory_equal(f->data, BCAST, 6);
	assert_memory_equal(f->data + 6, MAC_A, 6);
	assert_int_equal(get16(f->data + 12), 0x0806);
	assert_int_equal(get16(a), 1);
	assert_int_equal(get16(a + 2), 0x0800);
	assert_int_equal(a[4], 6);
	assert_int_equal(a[5], 4);
	assert_int_equal(get16(a + 6), 1);
	assert_memory_equal(a + 8, MAC_A, 6);
	assert_int_equal(get32(a + 14), IP_A);
	assert_memory_equal(a + 18, ZERO6, 6);
	assert_int_equal(get32(a + 24), target);
}

/* Tell ep the MAC of ip, as an ARP reply. */
static void teach(struct endpoint *ep, const uint8_t *mac, uint32_t ip)
{
	uint8_t b[64];

	feed(ep, b, mk_arp(b, MAC_A, 2, mac, ip, MAC_A, IP_A));
}

/* ---- Set-up ---- */

static void test_init_checks(void **state)
{
	struct net_if *ifp = calloc(1, sizeof(*ifp));
	struct net_ops ops = { ep_send, ep_now, NULL };
	struct net_ops no_clock = { ep_send, NULL, NULL };
	const uint8_t mcast[6] = { 0x01, 0, 0x5e, 0, 0, 1 };

	assert_int_equal(net_init(ifp, MAC_A, IP_A, NETMASK, 0, &ops), 0);
	assert_int_equal(net_init(ifp, MAC_A, IP_A, NETMASK, IP_GW, &ops), 0);
	assert_int_equal(net_init(ifp, MAC_A, IP_A, NETMASK, 0, &no_clock),
			 -XEN_EINVAL);
	assert_int_equal(net_init(ifp, mcast, IP_A, NETMASK, 0, &ops),
			 -XEN_EINVAL);
	/* A non-contiguous mask, /31, /32. */
	assert_int_equal(
	    net_init(ifp, MAC_A, IP_A, NET_IP4(255, 0, 255, 0), 0, &ops),
	    -XEN_EINVAL);
	assert_int_equal(net_init(ifp, MAC_A, IP_A, 0xfffffffe, 0, &ops),
			 -XEN_EINVAL);
	assert_int_equal(net_init(ifp, MAC_A, IP_A, 0xffffffff, 0, &ops),
			 -XEN_EINVAL);
	/* The subnet's own and broadcast addresses, multicast, zero. */
	assert_int_equal(
	    net_init(ifp, MAC_A, NET_IP4(10, 0, 3, 0), NETMASK, 0, &ops),
	    -XEN_EINVAL);
	assert_int_equal(
	    net_init(ifp, MAC_A, NET_IP4(10, 0, 3, 255), NETMASK, 0, &ops),
	    -XEN_EINVAL);
	assert_int_equal(
	    net_init(ifp, MAC_A, NET_IP4(224, 0, 0, 5), NETMASK, 0, &ops),
	    -XEN_EINVAL);
	assert_int_equal(net_init(ifp, MAC_A, 0, NETMASK, 0, &ops),
			 -XEN_EINVAL);
	/* A gateway off the subnet, or ourselves. */
	assert_int_equal(net_init(ifp, MAC_A, IP_A, NETMASK, IP_FAR, &ops),
			 -XEN_EINVAL);
	assert_int_equal(net_init(ifp, MAC_A, IP_A, NETMASK, IP_A, &ops),
			 -XEN_EINVAL);
	/* The MAC may come from the struct itself. */
	assert_int_equal(net_init(ifp, MAC_B, IP_A, NETMASK, 0, &ops), 0);
	assert_int_equal(net_init(ifp, ifp->mac, IP_A, NETMASK, 0, &ops), 0);
	assert_memory_equal(ifp->mac, MAC_B, 6);
	free(ifp);
}

/* ---- ARP ---- */

static void test_arp_request_answered(void **state)
{
	struct endpoint *a = ep_new(MAC_A, IP_A, 0);
	const uint8_t *r;
	uint8_t b[64];
	size_t plen;

	feed(a, b, mk_arp(b, BCAST, 1, MAC_B, IP_B, ZERO6, IP_A));
	assert_int_equal(a->n, 1);
	r = a->out[0].data + 14;
	assert_int_equal(a->out[0].len, 60);
	assert_memory_equal(a->out[0].data, MAC_B, 6);
	assert_memory_equal(a->out[0].data + 6, MAC_A, 6);
	assert_int_equal(get16(a->out[0].data + 12), 0x0806);
	assert_int_equal(get16(r), 1);
	assert_int_equal(get16(r + 2), 0x0800);
	assert_int_equal(r[4], 6);
	assert_int_equal(r[5], 4);
	assert_int_equal(get16(r + 6), 2);
	assert_memory_equal(r + 8, MAC_A, 6);
	assert_int_equal(get32(r + 14), IP_A);
	assert_memory_equal(r + 18, MAC_B, 6);
	assert_int_equal(get32(r + 24), IP_B);
	for (int i = 42; i < 60; i++)
		assert_int_equal(a->out[0].data[i], 0);
	assert_int_equal(a->ifp.stats.arp_replies_sent, 1);
	ep_clear(a);

	/* The asker was learnt: a datagram to it goes out at once. */
	assert_int_equal(net_udp_send(&a->ifp, IP_B, 1000, 2000, "x", 1), 0);
	assert_int_equal(a->n, 1);
	check_ip_frame(&a->out[0], MAC_B, IP_A, IP_B, 17, &plen);
	assert_int_equal(a->ifp.stats.arp_requests_sent, 0);
	ep_free(a);
}

static void test_arp_others_ignored(void **state)
{
	struct endpoint *a = ep_new(MAC_A, IP_A, 0);
	uint8_t b[64];

	/* A request for another host: no answer, nothing learnt. */
	feed(a, b, mk_arp(b, BCAST, 1, MAC_B, IP_B, ZERO6, IP_GW));
	assert_int_equal(a->n, 0);
	assert_int_equal(a->ifp.stats.arp_rx, 1);
	assert_int_equal(net_udp_send(&a->ifp, IP_B, 1, 2, "x", 1), 0);
	assert_int_equal(a->n, 1);
	check_arp_request(&a->out[0], IP_B);
	ep_clear(a);
	/* A reply to our address claiming our own IP teaches nothing. */
	feed(a, b, mk_arp(b, MAC_A, 2, MAC_B, IP_A, MAC_A, IP_A));
	assert_int_equal(a->n, 0);
	ep_free(a);
}

static void test_arp_resolve_with_queue(void **state)
{
	struct endpoint *a = ep_new(MAC_A, IP_A, 0);
	const uint8_t *u;
	size_t plen;

	assert_int_equal(net_udp_send(&a->ifp, IP_B, 1234, 7, "hello", 5), 0);
	assert_int_equal(a->n, 1);
	check_arp_request(&a->out[0], IP_B);
	ep_clear(a);

	/* A second packet for the same destination is dropped and counted. */
	assert_int_equal(net_udp_send(&a->ifp, IP_B, 1234, 7, "again", 5),
			 -XEN_ENOBUFS);
	assert_int_equal(a->ifp.stats.arp_queue_drops, 1);
	assert_int_equal(a->n, 0);

	/* The reply releases the first packet, addressed to the new MAC. */
	teach(a, MAC_B, IP_B);
	assert_int_equal(a->n, 1);
	u = check_ip_frame(&a->out[0], MAC_B, IP_A, IP_B, 17, &plen);
	assert_int_equal(plen, 13);
	assert_int_equal(get16(u), 1234);
	assert_int_equal(get16(u + 2), 7);
	assert_int_equal(get16(u + 4), 13);
	assert_int_equal(ref_csum(u, 13, ref_pseudo(IP_A, IP_B, 17, 13)), 0);
	assert_memory_equal(u + 8, "hello", 5);
	ep_clear(a);

	/* Resolved: the next one goes straight out. */
	assert_int_equal(net_udp_send(&a->ifp, IP_B, 1234, 7, "again", 5), 0);
	assert_int_equal(a->n, 1);
	check_ip_frame(&a->out[0], MAC_B, IP_A, IP_B, 17, &plen);
	assert_int_equal(a->ifp.stats.arp_requests_sent, 1);
	ep_free(a);
}

static void test_arp_retries_and_gives_up(void **state)
{
	struct endpoint *a = ep_new(MAC_A, IP_A, 0);

	now = 1000;
	assert_int_equal(net_ping(&a->ifp, IP_B, 1, 1), 0);
	assert_int_equal(a->n, 1);
	net_tick(&a->ifp); /* too early: nothing */
	assert_int_equal(a->n, 1);
	for (int i = 2; i <= NET_ARP_TRIES; i++) {
		now += NET_ARP_RETRY_NS;
		net_tick(&a->ifp);
		assert_int_equal(a->n, i);
		check_arp_request(&a->out[i - 1], IP_B);
	}
	now += NET_ARP_RETRY_NS;
	net_tick(&a->ifp);
	assert_int_equal(a->n, NET_ARP_TRIES);
	assert_int_equal(a->ifp.stats.arp_timeouts, 1);
	ep_clear(a);
	/* A late reply does not resurrect the packet. */
	teach(a, MAC_B, IP_B);
	assert_int_equal(a->n, 0);
	ep_free(a);
	now = 0;
}

static void test_arp_entry_expires(void **state)
{
	struct endpoint *a = ep_new(MAC_A, IP_A, 0);
	size_t plen;

	now = 5;
	teach(a, MAC_B, IP_B); /* unsolicited but addressed to us: learnt */
	assert_int_equal(net_udp_send(&a->ifp, IP_B, 1, 2, "x", 1), 0);
	check_ip_frame(&a->out[0], MAC_B, IP_A, IP_B, 17, &plen);
	ep_clear(a);
	now += NET_ARP_TTL_NS;
	assert_int_equal(net_udp_send(&a->ifp, IP_B, 1, 2, "x", 1), 0);
	assert_int_equal(a->n, 1);
	check_arp_request(&a->out[0], IP_B);
	ep_clear(a);
	/* And net_tick() forgets expired entries on its own. */
	teach(a, MAC_B, IP_B);
	assert_int_equal(a->n, 1);
	ep_clear(a);
	now += NET_ARP_TTL_NS;
	net_tick(&a->ifp);
	assert_int_equal(net_udp_send(&a->ifp, IP_B, 1, 2, "x", 1), 0);
	check_arp_request(&a->out[0], IP_B);
	ep_free(a);
	now = 0;
}

static void test_arp_table_full(void **state)
{
	struct endpoint *a = ep_new(MAC_A, IP_A, 0);

	for (int i = 0; i < NET_ARP_ENTRIES; i++)
		assert_int_equal(net_udp_send(&a->ifp,
					      NET_IP4(10, 0, 3, 10 + i), 1, 2,
					      "x", 1),
				 0);
	assert_int_equal(
	    net_udp_send(&a->ifp, NET_IP4(10, 0, 3, 100), 1, 2, "x", 1),
	    -XEN_ENOBUFS);
	assert_int_equal(a->ifp.stats.arp_queue_drops, 1);
	assert_int_equal(a->n, NET_ARP_ENTRIES);
	ep_free(a);
}

static void test_gateway_and_broadcast(void **state)
{
	struct endpoint *a = ep_new(MAC_A, IP_A, IP_GW);
	struct endpoint *n = ep_new(MAC_A, IP_A, 0);
	size_t plen;

	/* Off the subnet: through the gateway's MAC. */
	assert_int_equal(net_udp_send(&a->ifp, IP_FAR, 1, 2, "x", 1), 0);
	check_arp_request(&a->out[0], IP_GW);
	ep_clear(a);
	teach(a, MAC_GW, IP_GW);
	assert_int_equal(a->n, 1);
	check_ip_frame(&a->out[0], MAC_GW, IP_A, IP_FAR, 17, &plen);
	ep_clear(a);
	assert_int_equal(net_udp_send(&n->ifp, IP_FAR, 1, 2, "x", 1),
			 -XEN_EADDRNOTAVAIL);

	/* Broadcasts need no ARP. */
	assert_int_equal(net_udp_send(&a->ifp, NET_IP_BROADCAST, 1, 2, "x", 1),
			 0);
	check_ip_frame(&a->out[0], BCAST, IP_A, NET_IP_BROADCAST, 17, &plen);
	assert_int_equal(
	    net_udp_send(&a->ifp, NET_IP4(10, 0, 3, 255), 1, 2, "x", 1), 0);
	check_ip_frame(&a->out[1], BCAST, IP_A, NET_IP4(10, 0, 3, 255), 17,
		       &plen);
	ep_clear(a);
	/* Multicast, zero and ourselves are refused. */
	assert_int_equal(
	    net_udp_send(&a->ifp, NET_IP4(239, 1, 1, 1), 1, 2, "x", 1),
	    -XEN_EINVAL);
	assert_int_equal(net_udp_send(&a->ifp, 0, 1, 2, "x", 1), -XEN_EINVAL);
	assert_int_equal(net_udp_send(&a->ifp, IP_A, 1, 2, "x", 1),
			 -XEN_EINVAL);
	assert_int_equal(a->n, 0);
	ep_free(a);
	ep_free(n);
}

/* ---- ICMP ---- */

static void check_echo_reply(struct endpoint *a, const uint8_t *data,
			     size_t dlen, uint16_t id, uint16_t seq)
{
	const uint8_t *m;
	size_t plen;

	assert_int_equal(a->n, 1);
	m = check_ip_frame(&a->out[0], MAC_B, IP_A, IP_B, 1, &plen);
	assert_int_equal(plen, 8 + dlen);
	assert_int_equal(m[0], 0);
	assert_int_equal(m[1], 0);
	assert_int_equal(get16(m + 4), id);
	assert_int_equal(get16(m + 6), seq);
	assert_int_equal(ref_csum(m, plen, 0), 0);
	assert_memory_equal(m + 8, data, dlen);
}

static void test_ping_answered(void **state)
{
	struct endpoint *a = ep_new(MAC_A, IP_A, 0);
	uint8_t data[1472], b[1600];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	teach(a, MAC_B, IP_B);
	/* Odd and even lengths, empty, and the largest that fits. */
	const size_t lens[] = { 37, 56, 0, 1, 1472 };
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		feed(
		    a, b,
		    mk_icmp(b, IP_A, 8, 0xbeef, (uint16_t)i, data, lens[i], 0));
		check_echo_reply(a, data, lens[i], 0xbeef, (uint16_t)i);
		ep_clear(a);
	}
	/* With IPv4 options: accepted, and the reply carries none. */
	feed(a, b, mk_icmp(b, IP_A, 8, 7, 8, data, 20, 8));
	check_echo_reply(a, data, 20, 7, 8);
	assert_int_equal(a->ifp.stats.ip_options, 1);
	assert_int_equal(a->ifp.stats.icmp_echo_answered, ARRAY_SIZE(lens) + 1);
	ep_free(a);
}

struct ping_seen {
	int n;
	uint32_t src;
	uint16_t id, seq;
	uint8_t data[64];
	size_t len;
};

static void on_ping(struct net_if *ifp, uint32_t src, uint16_t id, uint16_t seq,
		    const void *data, size_t len, void *arg)
{
	struct ping_seen *s = arg;

	s->n++;
	s->src = src;
	s->id = id;
	s->seq = seq;
	s->len = len;
	memcpy(s->data, data, len < 64 ? len : 64);
}

static void test_ping_round_trip(void **state)
{
	struct endpoint *a = ep_new(MAC_A, IP_A, 0);
	struct endpoint *b = ep_new(MAC_B, IP_B, 0);
	struct ping_seen seen = { 0 };
	const uint8_t *m;
	size_t plen;

	net_ping_handler(&a->ifp, on_ping, &seen);
	teach(a, MAC_B, IP_B);
	assert_int_equal(net_ping(&a->ifp, IP_B, 0x4242, 9), 0);
	/* What net_ping() sends is a well-formed echo request. */
	m = check_ip_frame(&a->out[0], MAC_B, IP_A, IP_B, 1, &plen);
	assert_int_equal(plen, 8 + NET_PING_DATA);
	assert_int_equal(m[0], 8);
	assert_int_equal(ref_csum(m, plen, 0), 0);
	pump(a, b);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.src, IP_B);
	assert_int_equal(seen.id, 0x4242);
	assert_int_equal(seen.seq, 9);
	assert_int_equal(seen.len, NET_PING_DATA);
	assert_int_equal(b->ifp.stats.icmp_echo_answered, 1);
	assert_int_equal(a->ifp.stats.icmp_echo_replies, 1);
	ep_free(a);
	ep_free(b);
}

/* ---- UDP ---- */

struct udp_seen {
	int n;
	uint32_t src;
	uint16_t sport, dport;
	uint8_t data[NET_UDP_MAX];
	size_t len;
};

static void on_udp(struct net_if *ifp, uint32_t src, uint16_t sport,
		   uint16_t dport, const void *data, size_t len, void *arg)
{
	struct udp_seen *s = arg;

	s->n++;
	s->src = src;
	s->sport = sport;
	s->dport = dport;
	s->len = len;
	memcpy(s->data, data, len);
}

/* An echo server, replying from inside the receive callback. */
static void on_echo(struct net_if *ifp, uint32_t src, uint16_t sport,
		    uint16_t dport, const void *data, size_t len, void *arg)
{
	assert_int_equal(net_udp_send(ifp, src, dport, sport, data, len), 0);
}

static void test_udp_round_trip(void **state)
{
	struct endpoint *a = ep_new(MAC_A, IP_A, 0);
	struct endpoint *b = ep_new(MAC_B, IP_B, 0);
	struct udp_seen *seen = calloc(1, sizeof(*seen));
	uint8_t big[NET_UDP_MAX + 1];

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i ^ (i >> 8));
	assert_int_equal(net_udp_bind(&a->ifp, 7, on_echo, NULL), 0);
	assert_int_equal(net_udp_bind(&b->ifp, 5000, on_udp, seen), 0);

	/* Unresolved both ways: ARP, the queued datagram, the echo. */
	assert_int_equal(net_udp_send(&b->ifp, IP_A, 5000, 7, "ping?", 5), 0);
	pump(a, b);
	assert_int_equal(seen->n, 1);
	assert_int_equal(seen->src, IP_A);
	assert_int_equal(seen->sport, 7);
	assert_int_equal(seen->dport, 5000);
	assert_int_equal(seen->len, 5);
	assert_memory_equal(seen->data, "ping?", 5);

	/* Empty, odd, and the largest datagram. */
	const size_t lens[] = { 0, 333, NET_UDP_MAX };
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		assert_int_equal(
		    net_udp_send(&b->ifp, IP_A, 5000, 7, big, lens[i]), 0);
		pump(a, b);
		assert_int_equal(seen->n, 2 + (int)i);
		assert_int_equal(seen->len, lens[i]);
		assert_memory_equal(seen->data, big, lens[i]);
	}
	assert_int_equal(
	    net_udp_send(&b->ifp, IP_A, 5000, 7, big, NET_UDP_MAX + 1),
	    -XEN_EMSGSIZE);
	assert_int_equal(a->ifp.stats.udp_delivered, 4);
	assert_int_equal(a->ifp.stats.udp_bad + b->ifp.stats.udp_bad, 0);
	assert_int_equal(b->ifp.stats.arp_requests_sent, 1);
	assert_int_equal(a->ifp.stats.arp_requests_sent, 0);

	/* Nobody on the port: counted. */
	assert_int_equal(net_udp_send(&b->ifp, IP_A, 5000, 9, "x", 1), 0);
	pump(a, b);
	assert_int_equal(a->ifp.stats.udp_no_port, 1);
	free(seen);
	ep_free(a);
	ep_free(b);
}

static void test_udp_ports(void **state)
{
	struct endpoint *a = ep_new(MAC_A, IP_A, 0);

	assert_int_equal(net_udp_bind(&a->ifp, 0, on_udp, NULL), -XEN_EINVAL);
	assert_int_equal(net_udp_bind(&a->ifp, 1, NULL, NULL), -XEN_EINVAL);
	for (int i = 0; i < NET_UDP_PORTS; i++)
		assert_int_equal(
		    net_udp_bind(&a->ifp, (uint16_t)(100 + i), on_udp, NULL),
		    0);
	assert_int_equal(net_udp_bind(&a->ifp, 100, on_udp, NULL),
			 -XEN_EADDRINUSE);
	assert_int_equal(net_udp_bind(&a->ifp, 99, on_udp, NULL), -XEN_ENOSPC);
	assert_int_equal(net_udp_unbind(&a->ifp, 103), 0);
	assert_int_equal(net_udp_unbind(&a->ifp, 103), -XEN_ENOENT);
	assert_int_equal(net_udp_unbind(&a->ifp, 0), -XEN_ENOENT);
	assert_int_equal(net_udp_bind(&a->ifp, 99, on_udp, NULL), 0);
	assert_int_equal(net_udp_send(&a->ifp, IP_B, 0, 2, "x", 1),
			 -XEN_EINVAL);
	assert_int_equal(net_udp_send(&a->ifp, IP_B, 1, 0, "x", 1),
			 -XEN_EINVAL);
	assert_int_equal(net_udp_send(&a->ifp, IP_B, 1, 2, NULL, 1),
			 -XEN_EINVAL);
	ep_free(a);
}

static void test_udp_received_forms(void **state)
{
	struct endpoint *a = ep_new(MAC_A, IP_A, 0);
	struct udp_seen *seen = calloc(1, sizeof(*seen));
	uint8_t b[1600];
	size_t len;

	assert_int_equal(net_udp_bind(&a->ifp, 7, on_udp, seen), 0);
	/* No checksum (0) is allowed in IPv4. */
	feed(a, b, mk_udp(b, IP_A, 4000, 7, "abc", 3, false));
	assert_int_equal(seen->n, 1);
	/* Ethernet padding after the datagram is not part of it. */
	len = mk_udp(b, IP_A, 4000, 7, "abcd", 4, true);
	assert_true(len < 60);
	memset(b + len, 0xee, 60 - len);
	feed(a, b, 60);
	assert_int_equal(seen->n, 2);
	assert_int_equal(seen->len, 4);
	/* To the subnet broadcast and the all-ones broadcast. */
	feed(a, b, mk_udp(b, NET_IP4(10, 0, 3, 255), 4000, 7, "b", 1, true));
	feed(a, b, mk_udp(b, NET_IP_BROADCAST, 4000, 7, "b", 1, true));
	assert_int_equal(seen->n, 4);
	assert_int_equal(a->n, 0);
	assert_int_equal(a->ifp.stats.udp_bad, 0);
	free(seen);
	ep_free(a);
}

static void test_send_errors_counted(void **state)
{
	struct endpoint *a = ep_new(MAC_A, IP_A, 0);

	a->fail = -XEN_EIO;
	assert_int_equal(net_udp_send(&a->ifp, NET_IP_BROADCAST, 1, 2, "x", 1),
			 -XEN_EIO);
	assert_int_equal(a->ifp.stats.tx_errors, 1);
	assert_int_equal(a->ifp.stats.tx_frames, 0);
	ep_free(a);
}

/* ---- Malformed frames: each dropped, counted where it belongs ---- */

enum counter {
	C_SHORT,
	C_LONG,
	C_NOT_OURS,
	C_BAD_TYPE,
	C_ARP_BAD,
	C_IP_BAD_HEADER,
	C_IP_BAD_CSUM,
	C_IP_FRAGS,
	C_IP_NOT_OURS,
	C_IP_BAD_PROTO,
	C_ICMP_BAD,
	C_ICMP_OTHER,
	C_UDP_BAD,
	C_UDP_NO_PORT,
};

static uint64_t counter(const struct net_stats *s, enum counter c)
{
	const uint64_t v[] = {
		[C_SHORT] = s->rx_short,
		[C_LONG] = s->rx_long,
		[C_NOT_OURS] = s->rx_not_ours,
		[C_BAD_TYPE] = s->rx_bad_type,
		[C_ARP_BAD] = s->arp_bad,
		[C_IP_BAD_HEADER] = s->ip_bad_header,
		[C_IP_BAD_CSUM] = s->ip_bad_csum,
		[C_IP_FRAGS] = s->ip_frags,
		[C_IP_NOT_OURS] = s->ip_not_ours,
		[C_IP_BAD_PROTO] = s->ip_bad_proto,
		[C_ICMP_BAD] = s->icmp_bad,
		[C_ICMP_OTHER] = s->icmp_other,
		[C_UDP_BAD] = s->udp_bad,
		[C_UDP_NO_PORT] = s->udp_no_port,
	};
	return v[c];
}

/* The sum of the drop counters: a frame counts in at most one. */
static uint64_t drops(const struct net_stats *s)
{
	uint64_t n = 0;

	for (int c = C_SHORT; c <= C_UDP_NO_PORT; c++)
		n += counter(s, (enum counter)c);
	return n;
}

/* Feed one bad frame to a fresh interface: dropped, counted in c only. */
static void expect_drop(const uint8_t *frame, size_t len, enum counter c,
			const char *what)
{
	struct endpoint *a = ep_new(MAC_A, IP_A, 0);
	struct udp_seen *seen = calloc(1, sizeof(*seen));

	assert_int_equal(net_udp_bind(&a->ifp, 7, on_udp, seen), 0);
	feed(a, frame, len);
	if (counter(&a->ifp.stats, c) != 1 || a->n || seen->n)
		fail_msg("%s: not dropped and counted as expected", what);
	for (int o = C_SHORT; o <= C_UDP_NO_PORT; o++)
		if (o != (int)c && counter(&a->ifp.stats, (enum counter)o))
			fail_msg("%s: counted in %d too", what, o);
	assert_int_equal(a->ifp.stats.rx_frames, 1);
	/* Nothing learnt either: B is still unknown. */
	assert_int_equal(net_udp_send(&a->ifp, IP_B, 1, 2, "x", 1), 0);
	check_arp_request(&a->out[0], IP_B);
	free(seen);
	ep_free(a);
}

static void test_malformed_ethernet(void **state)
{
	uint8_t b[1600] = { 0 };
	uint8_t other[6] = { 0x02, 1, 2, 3, 4, 5 };
	uint8_t mcast[6] = { 0x01, 0, 0x5e, 0, 0, 1 };
	size_t len = mk_udp(b, IP_A, 4000, 7, "abc", 3, true);

	expect_drop(b, 0, C_SHORT, "empty");
	expect_drop(b, 1, C_SHORT, "1 byte");
	expect_drop(b, 13, C_SHORT, "13 bytes");
	expect_drop(b, NET_FRAME_MAX + 1, C_LONG, "oversized");
	memcpy(b, other, 6);
	expect_drop(b, len, C_NOT_OURS, "another MAC");
	memcpy(b, mcast, 6);
	expect_drop(b, len, C_NOT_OURS, "multicast");
	memcpy(b, MAC_A, 6);
	put16(b + 12, 0x86dd);
	expect_drop(b, len, C_BAD_TYPE, "IPv6");
	put16(b + 12, 0x8100);
	expect_drop(b, len, C_BAD_TYPE, "VLAN tag");
	/* Just the header of an IPv4 frame. */
	put16(b + 12, 0x0800);
	expect_drop(b, 14, C_IP_BAD_HEADER, "empty IPv4");
}

static void test_malformed_arp(void **state)
{
	uint8_t b[64], m[64];
	size_t len = mk_arp(b, BCAST, 1, MAC_B, IP_B, ZERO6, IP_A);
	const struct {
		size_t off;
		uint8_t val;
		const char *what;
	} pokes[] = {
		{ 15, 6, "hardware type 6" },
		{ 16, 0x86, "protocol type" },
		{ 18, 8, "hardware length 8" },
		{ 19, 16, "protocol length 16" },
		{ 21, 3, "operation 3" },
		{ 21, 0, "operation 0" },
		{ 22, 0x01, "multicast sender MAC" },
	};

	for (size_t cut = 14; cut < len; cut++)
		expect_drop(b, cut, C_ARP_BAD, "truncated ARP");
	for (size_t i = 0; i < ARRAY_SIZE(pokes); i++) {
		memcpy(m, b, len);
		m[pokes[i].off] = pokes[i].val;
		expect_drop(m, len, C_ARP_BAD, pokes[i].what);
	}
}

static void test_malformed_ipv4(void **state)
{
	uint8_t b[1600], m[1600];
	size_t len = mk_udp(b, IP_A, 4000, 7, "abcdefgh", 8, true);

#define MUTATE(stmt, fix, c, what)            \
	do {                                  \
		memcpy(m, b, len);            \
		stmt;                         \
		if (fix)                      \
			fix_ip_csum(m);       \
		expect_drop(m, len, c, what); \
	} while (0)

	for (size_t cut = 14; cut < 34; cut++)
		expect_drop(b, cut, C_IP_BAD_HEADER, "truncated IPv4 header");
	MUTATE(m[14] = 0x65, true, C_IP_BAD_HEADER, "version 6");
	MUTATE(m[14] = 0x44, false, C_IP_BAD_HEADER, "IHL 4");
	MUTATE(m[14] = 0x40, false, C_IP_BAD_HEADER, "IHL 0");
	MUTATE(m[14] = 0x4f, false, C_IP_BAD_HEADER, "IHL past the frame");
	MUTATE(put16(m + 16, (uint16_t)(len - 14 + 1)), true, C_IP_BAD_HEADER,
	       "total length past the frame");
	MUTATE(put16(m + 16, 19), true, C_IP_BAD_HEADER,
	       "total length under the header");
	MUTATE(put16(m + 16, 0xffff), true, C_IP_BAD_HEADER,
	       "total length 65535");
	MUTATE(put32(m + 26, NET_IP_BROADCAST), true, C_IP_BAD_HEADER,
	       "broadcast source");
	MUTATE(put32(m + 26, NET_IP4(224, 0, 0, 1)), true, C_IP_BAD_HEADER,
	       "multicast source");
	MUTATE(m[24] ^= 1, false, C_IP_BAD_CSUM, "bad header checksum");
	MUTATE(m[25] ^= 0x80, false, C_IP_BAD_CSUM, "header checksum, high");
	MUTATE(put16(m + 20, 0x2000), true, C_IP_FRAGS, "more fragments");
	MUTATE(put16(m + 20, 0x0001), true, C_IP_FRAGS, "fragment offset");
	MUTATE(put16(m + 20, 0x3fff), true, C_IP_FRAGS, "both");
	MUTATE(put32(m + 30, IP_GW), true, C_IP_NOT_OURS, "another host");
	MUTATE(m[23] = 6, true, C_IP_BAD_PROTO, "TCP");
	/* IHL 6 but only 20 bytes of header before the data: the checksum
	 * covers 24 bytes, so fix it; the UDP header then starts 4 bytes
	 * late and its length and checksum no longer agree. */
	MUTATE(m[14] = 0x46, true, C_UDP_BAD, "IHL 6 over a UDP header");
#undef MUTATE
}

static void test_malformed_icmp(void **state)
{
	uint8_t b[1600], m[1600];
	uint8_t data[16] = "0123456789abcdef";
	size_t len = mk_icmp(b, IP_A, 8, 1, 2, data, sizeof(data), 0);

	/* ICMP shorter than its header: the IPv4 total length says so. */
	for (uint16_t tl = 20; tl < 28; tl++) {
		memcpy(m, b, len);
		put16(m + 16, tl);
		fix_ip_csum(m);
		expect_drop(m, len, C_ICMP_BAD, "short ICMP");
	}
	/* The same, with a checksum that is right over what is there and
	 * the frame ending right after it: nothing past it may be read. */
	for (size_t ilen = 0; ilen < 8; ilen++) {
		uint8_t *icmp = m + 34;

		memcpy(m, b, len);
		put16(m + 16, (uint16_t)(20 + ilen));
		fix_ip_csum(m);
		if (ilen >= 4) {
			put16(icmp + 2, 0);
			put16(icmp + 2, ref_csum(icmp, ilen, 0));
		}
		expect_drop(m, 34 + ilen, C_ICMP_BAD, "short ICMP, exact");
	}
	memcpy(m, b, len);
	m[40] ^= 0x10; /* data, so the checksum fails */
	expect_drop(m, len, C_ICMP_BAD, "bad ICMP checksum");
	memcpy(m, b, len);
	m[35] = 1; /* code 1 */
	expect_drop(m, len, C_ICMP_BAD, "code changed, checksum not");
	/* Valid but not ours to answer. */
	len = mk_icmp(m, NET_IP4(10, 0, 3, 255), 8, 1, 2, data, 16, 0);
	expect_drop(m, len, C_ICMP_OTHER, "echo to broadcast");
	len = mk_icmp(m, IP_A, 13, 1, 2, data, 16, 0);
	expect_drop(m, len, C_ICMP_OTHER, "timestamp request");
	len = mk_icmp(m, IP_A, 3, 1, 2, data, 16, 0);
	expect_drop(m, len, C_ICMP_OTHER, "unreachable");
}

static void test_malformed_udp(void **state)
{
	uint8_t b[1600], m[1600];
	size_t len = mk_udp(b, IP_A, 4000, 7, "abcdefgh", 8, true);

	for (uint16_t tl = 20; tl < 28; tl++) {
		memcpy(m, b, len);
		put16(m + 16, tl);
		fix_ip_csum(m);
		expect_drop(m, len, C_UDP_BAD, "short UDP");
	}
	memcpy(m, b, len);
	put16(m + 38, 17); /* UDP length past the IPv4 datagram */
	expect_drop(m, len, C_UDP_BAD, "UDP length too long");
	memcpy(m, b, len);
	put16(m + 38, 7);
	expect_drop(m, len, C_UDP_BAD, "UDP length under 8");
	memcpy(m, b, len);
	m[42] ^= 0x40;
	expect_drop(m, len, C_UDP_BAD, "bad UDP checksum");
	memcpy(m, b, len);
	put16(m + 38, 15); /* shorter than the datagram: checksum breaks */
	expect_drop(m, len, C_UDP_BAD, "UDP length shrunk");
	len = mk_udp(m, IP_A, 4000, 8, "x", 1, true);
	expect_drop(m, len, C_UDP_NO_PORT, "unbound port");
	len = mk_udp(m, IP_A, 4000, 0, "x", 1, false);
	expect_drop(m, len, C_UDP_NO_PORT, "port 0");
}

/* An echo server for garbage: the sender may be unreachable. */
static void on_echo_any(struct net_if *ifp, uint32_t src, uint16_t sport,
			uint16_t dport, const void *data, size_t len, void *arg)
{
	int rc = net_udp_send(ifp, src, dport, sport, data, len);

	assert_true(rc == 0 || rc == -XEN_EINVAL || rc == -XEN_ENOBUFS);
}

/*
 * Random frames, and valid ones with random damage (the IPv4 checksum
 * mended half the time so the damage reaches the layers above): never
 * a crash or an out-of-bounds read, every frame counted, whatever goes
 * out well-formed (ep_send checks lengths).
 */
static void test_random_garbage(void **state)
{
	struct endpoint *a = ep_new(MAC_A, IP_A, IP_GW);
	uint8_t data[64] = "some data for the templates";
	uint8_t t[4][1600], m[1600];
	size_t tlen[4];
	const int rounds = 40000;

	srand(12345);
	tlen[0] = mk_arp(t[0], BCAST, 1, MAC_B, IP_B, ZERO6, IP_A);
	tlen[1] = mk_icmp(t[1], IP_A, 8, 1, 2, data, 40, 0);
	tlen[2] = mk_udp(t[2], IP_A, 4000, 7, data, 50, true);
	tlen[3] = mk_icmp(t[3], IP_A, 8, 1, 2, data, 12, 12);
	assert_int_equal(net_udp_bind(&a->ifp, 7, on_echo_any, NULL), 0);
	for (int r = 0; r < rounds; r++) {
		size_t len;
		int kind = rand() % 5;

		if (kind == 4) {
			len = (size_t)(rand() % 1600);
			for (size_t i = 0; i < len; i++)
				m[i] = (uint8_t)rand();
			if (len >= 6 && rand() % 2)
				memcpy(m, MAC_A, 6);
			if (len >= 14 && rand() % 2)
				put16(m + 12, rand() % 2 ? 0x0800 : 0x0806);
		} else {
			len = tlen[kind];
			memcpy(m, t[kind], len);
			for (int k = rand() % 4 + 1; k > 0; k--)
				m[rand() % len] = (uint8_t)rand();
			if (rand() % 4 == 0)
				len = (size_t)rand() % (len + 1);
			else if (rand() % 4 == 0)
				len += (size_t)(rand() % 64);
			if (kind && len >= 34 && (m[14] & 0xf) >= 5 &&
			    14 + (m[14] & 0xf) * 4u <= len && rand() % 2)
				fix_ip_csum(m);
		}
		feed(a, m, len);
		ep_clear(a);
		if (r % 1000 == 0) {
			now += NET_ARP_RETRY_NS;
			net_tick(&a->ifp);
			ep_clear(a);
		}
	}
	assert_int_equal(a->ifp.stats.rx_frames, rounds);
	assert_true(drops(&a->ifp.stats) <= (uint64_t)rounds);
	/* Some damage got past every layer's checks and was answered. */
	assert_true(a->ifp.stats.icmp_echo_answered > 0);
	assert_true(a->ifp.stats.udp_delivered > 0);
	assert_true(a->ifp.stats.arp_replies_sent > 0);
	ep_free(a);
	now = 0;
}

/*
 * The library's checksum against the plain one, at every length to 300
 * and one of a jumbo frame's, every alignment, on random bytes and on
 * the patterns whose sums fold to the edges (all ones, all zeroes).
 */
static void test_csum_matches_rfc1071(void **state)
{
	static uint8_t buf[9000 + 8];
	unsigned int checked = 0;

	(void)state;
	srand(7);
	for (unsigned int pat = 0; pat < 4; pat++) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = pat == 0   ? (uint8_t)rand()
				 : pat == 1 ? 0xff
				 : pat == 2 ? 0
					    : (uint8_t)(i & 1 ? 0xff : 0);
		for (size_t off = 0; off < 8; off++) {
			for (size_t len = 0; len <= 300; len++, checked++)
				assert_int_equal(net_csum(buf + off, len),
						 ref_csum(buf + off, len, 0));
			assert_int_equal(net_csum(buf + off, 9000),
					 ref_csum(buf + off, 9000, 0));
		}
	}
	assert_int_equal(checked, 4 * 8 * 301);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_checks),
		cmocka_unit_test(test_csum_matches_rfc1071),
		cmocka_unit_test(test_arp_request_answered),
		cmocka_unit_test(test_arp_others_ignored),
		cmocka_unit_test(test_arp_resolve_with_queue),
		cmocka_unit_test(test_arp_retries_and_gives_up),
		cmocka_unit_test(test_arp_entry_expires),
		cmocka_unit_test(test_arp_table_full),
		cmocka_unit_test(test_gateway_and_broadcast),
		cmocka_unit_test(test_ping_answered),
		cmocka_unit_test(test_ping_round_trip),
		cmocka_unit_test(test_udp_round_trip),
		cmocka_unit_test(test_udp_ports),
		cmocka_unit_test(test_udp_received_forms),
		cmocka_unit_test(test_send_errors_counted),
		cmocka_unit_test(test_malformed_ethernet),
		cmocka_unit_test(test_malformed_arp),
		cmocka_unit_test(test_malformed_ipv4),
		cmocka_unit_test(test_malformed_icmp),
		cmocka_unit_test(test_malformed_udp),
		cmocka_unit_test(test_random_garbage),
	};

	return cmocka_run_group_tests_name("net", tests, NULL, NULL);
}
