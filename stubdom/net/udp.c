/*
 * UDP (RFC 768): a small table of bound ports, each with its receive
 * function. A datagram's checksum is checked when the sender set one
 * (0 means none in IPv4) and always set on what we send.
 */
#include "net_priv.h"

static struct net_udp_port *udp_find(struct net_if *ifp, uint16_t port)
{
	for (unsigned int i = 0; i < NET_UDP_PORTS; i++)
		if (ifp->udp[i].port == port)
			return &ifp->udp[i];
	return NULL;
}

void udp_input(struct net_if *ifp, uint32_t src, uint32_t dst, const uint8_t *p,
	       size_t len)
{
	struct net_udp_port *b;
	size_t ulen;
	uint64_t sum;

	if (len < NET_UDP_HLEN)
		goto bad;
	ulen = net_get16(p + 4);
	if (ulen < NET_UDP_HLEN || ulen > len)
		goto bad;
	if (net_get16(p + 6)) {
		sum = net_csum_pseudo(src, dst, IP_PROTO_UDP, ulen);
		if (net_csum_fold(net_csum_partial(p, ulen, sum)))
			goto bad;
	}
	b = udp_find(ifp, net_get16(p + 2));
	if (!net_get16(p + 2) || !b) {
		ifp->stats.udp_no_port++;
		return;
	}
	ifp->stats.udp_delivered++;
	b->fn(ifp, src, net_get16(p), net_get16(p + 2), p + NET_UDP_HLEN,
	      ulen - NET_UDP_HLEN, b->arg);
	return;
bad:
	ifp->stats.udp_bad++;
}

int net_udp_send(struct net_if *ifp, uint32_t dst_ip, uint16_t src_port,
		 uint16_t dst_port, const void *data, size_t len)
{
	uint8_t *u = ifp->tx + TX_TRANS;
	size_t ulen = NET_UDP_HLEN + len;
	uint16_t csum;

	if (len > NET_UDP_MAX)
		return -XEN_EMSGSIZE;
	if (!src_port || !dst_port || !dst_ip || (len && !data))
		return -XEN_EINVAL;
	net_put16(u, src_port);
	net_put16(u + 2, dst_port);
	net_put16(u + 4, ulen);
	net_put16(u + 6, 0);
	if (len)
		memmove(u + NET_UDP_HLEN, data, len);
	csum = net_csum_fold(net_csum_partial(
	    u, ulen, net_csum_pseudo(ifp->ip, dst_ip, IP_PROTO_UDP, ulen)));
	/* 0 would mean "no checksum": its one's-complement twin instead. */
	net_put16(u + 6, csum ? csum : 0xffff);
	return ip_output(ifp, dst_ip, IP_PROTO_UDP, ulen);
}

int net_udp_bind(struct net_if *ifp, uint16_t port, net_udp_fn fn, void *arg)
{
	struct net_udp_port *b;

	if (!port || !fn)
		return -XEN_EINVAL;
	if (udp_find(ifp, port))
		return -XEN_EADDRINUSE;
	b = udp_find(ifp, 0);
	if (!b)
		return -XEN_ENOSPC;
	b->port = port;
	b->fn = fn;
	b->arg = arg;
	return 0;
}

int net_udp_unbind(struct net_if *ifp, uint16_t port)
{
	struct net_udp_port *b = port ? udp_find(ifp, port) : NULL;

	if (!b)
		return -XEN_ENOENT;
	b->port = 0;
	b->fn = NULL;
	b->arg = NULL;
	return 0;
}
