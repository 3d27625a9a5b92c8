/*
 * ICMP (RFC 792): echo requests for our address are answered, echo
 * replies go to the ping handler, everything else is counted and left.
 */
#include "net_priv.h"

#define ICMP_ECHO_REPLY	  0
#define ICMP_ECHO_REQUEST 8

/* Build an echo message around the data already at ifp->tx + TX_TRANS. */
static int icmp_echo_send(struct net_if *ifp, uint32_t dst, uint8_t type,
			  uint16_t id, uint16_t seq, size_t data_len)
{
	uint8_t *m = ifp->tx + TX_TRANS;
	size_t len = NET_ICMP_HLEN + data_len;

	m[0] = type;
	m[1] = 0;
	net_put16(m + 2, 0);
	net_put16(m + 4, id);
	net_put16(m + 6, seq);
	net_put16(m + 2, net_csum(m, len));
	return ip_output(ifp, dst, IP_PROTO_ICMP, len);
}

void icmp_input(struct net_if *ifp, uint32_t src, uint32_t dst,
		const uint8_t *p, size_t len)
{
	uint16_t id, seq;

	if (len < NET_ICMP_HLEN || net_csum(p, len)) {
		ifp->stats.icmp_bad++;
		return;
	}
	id = net_get16(p + 4);
	seq = net_get16(p + 6);
	if (p[0] == ICMP_ECHO_REQUEST && p[1] == 0 && dst == ifp->ip && src) {
		/* The reply carries the request's data back unchanged. */
		ifp->stats.icmp_echo_answered++;
		memcpy(ifp->tx + TX_TRANS + NET_ICMP_HLEN, p + NET_ICMP_HLEN,
		       len - NET_ICMP_HLEN);
		icmp_echo_send(ifp, src, ICMP_ECHO_REPLY, id, seq,
			       len - NET_ICMP_HLEN);
	} else if (p[0] == ICMP_ECHO_REPLY && p[1] == 0) {
		ifp->stats.icmp_echo_replies++;
		if (ifp->ping_fn)
			ifp->ping_fn(ifp, src, id, seq, p + NET_ICMP_HLEN,
				     len - NET_ICMP_HLEN, ifp->ping_arg);
	} else {
		/* Other types, and echo requests to a broadcast address. */
		ifp->stats.icmp_other++;
	}
}

int net_ping(struct net_if *ifp, uint32_t ip, uint16_t id, uint16_t seq)
{
	uint8_t *d = ifp->tx + TX_TRANS + NET_ICMP_HLEN;

	for (unsigned int i = 0; i < NET_PING_DATA; i++)
		d[i] = (uint8_t)(0x20 + i);
	return icmp_echo_send(ifp, ip, ICMP_ECHO_REQUEST, id, seq,
			      NET_PING_DATA);
}

void net_ping_handler(struct net_if *ifp, net_ping_fn fn, void *arg)
{
	ifp->ping_fn = fn;
	ifp->ping_arg = arg;
}
