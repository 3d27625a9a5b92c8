/*
 * IPv4 (RFC 791) for a host on one subnet. Received: every header field
 * that sizes something is checked against what arrived; options are
 * skipped, fragments dropped (we never reassemble). Sent: a 20-byte
 * header with DF set, never fragmented, to the next hop our subnet or
 * gateway gives.
 */
#include "net_priv.h"

#define IP_DF	     0x4000
#define IP_FRAG_MASK 0x3fff /* MF and the offset */
#define IP_TTL	     64
#define IP_MULTICAST NET_IP4(224, 0, 0, 0)

static bool ip_for_us(const struct net_if *ifp, uint32_t dst)
{
	return dst == ifp->ip || dst == NET_IP_BROADCAST ||
	       dst == net_subnet_bcast(ifp);
}

/* Check the header; the length of the datagram it heads, or 0. */
static size_t ip_check(struct net_if *ifp, const uint8_t *p, size_t len)
{
	size_t ihl, total;

	if (len < NET_IP_HLEN || p[0] >> 4 != 4)
		goto bad;
	ihl = (p[0] & 0xf) * 4u;
	total = net_get16(p + 2);
	if (ihl < NET_IP_HLEN || ihl > len || total < ihl || total > len)
		goto bad;
	/* A broadcast or multicast source is never a real sender. */
	if (net_get32(p + 12) >= IP_MULTICAST)
		goto bad;
	if (net_csum(p, ihl)) {
		ifp->stats.ip_bad_csum++;
		return 0;
	}
	if (net_get16(p + 6) & IP_FRAG_MASK) {
		ifp->stats.ip_frags++;
		return 0;
	}
	return total;
bad:
	ifp->stats.ip_bad_header++;
	return 0;
}

void ip_input(struct net_if *ifp, const uint8_t *p, size_t len)
{
	size_t total = ip_check(ifp, p, len), ihl;
	uint32_t src, dst;

	if (!total)
		return;
	ihl = (p[0] & 0xf) * 4u;
	src = net_get32(p + 12);
	dst = net_get32(p + 16);
	if (!ip_for_us(ifp, dst)) {
		ifp->stats.ip_not_ours++;
		return;
	}
	if (ihl > NET_IP_HLEN)
		ifp->stats.ip_options++;
	switch (p[9]) {
	case IP_PROTO_ICMP:
		ifp->stats.ip_rx++;
		icmp_input(ifp, src, dst, p + ihl, total - ihl);
		break;
	case IP_PROTO_UDP:
		ifp->stats.ip_rx++;
		udp_input(ifp, src, dst, p + ihl, total - ihl);
		break;
	default:
		ifp->stats.ip_bad_proto++;
	}
}

int ip_output(struct net_if *ifp, uint32_t dst, uint8_t proto, size_t len)
{
	uint8_t *h = ifp->tx + TX_IP;
	size_t total = NET_IP_HLEN + len;
	uint32_t hop;

	if (total > NET_MTU)
		return -XEN_EMSGSIZE;
	if (!dst || dst == ifp->ip ||
	    (dst >= IP_MULTICAST && dst != NET_IP_BROADCAST))
		return -XEN_EINVAL;
	if ((dst & ifp->netmask) == (ifp->ip & ifp->netmask) ||
	    dst == NET_IP_BROADCAST)
		hop = dst;
	else if (ifp->gateway)
		hop = ifp->gateway;
	else
		return -XEN_EADDRNOTAVAIL;

	h[0] = 0x45;
	h[1] = 0;
	net_put16(h + 2, total);
	net_put16(h + 4, ifp->ip_id++);
	net_put16(h + 6, IP_DF);
	h[8] = IP_TTL;
	h[9] = proto;
	net_put16(h + 10, 0);
	net_put32(h + 12, ifp->ip);
	net_put32(h + 16, dst);
	net_put16(h + 10, net_csum(h, NET_IP_HLEN));

	if (hop == NET_IP_BROADCAST || hop == net_subnet_bcast(ifp))
		return net_eth_output(ifp, net_bcast_mac, ETH_P_IP, total);
	return arp_output(ifp, hop, total);
}
