/*
 * What the files of the stack share and nobody else sees: byte-order
 * access to frames (never a cast to a header struct: frames come at any
 * alignment) and each layer's entry points.
 *
 * Sending builds in ifp->tx, the one transmit buffer: the Ethernet header
 * at 0, the IPv4 header at NET_ETH_HLEN and the transport payload after
 * it. A layer fills its part and calls the one below. Received frames
 * are the caller's buffer, never ifp->tx, so a reply may be built while
 * the request is still being read.
 */
#ifndef NET_PRIV_H
#define NET_PRIV_H

#include "../include/net/net.h"
#include <xen/string.h>

#define ETH_P_IP  0x0800
#define ETH_P_ARP 0x0806

#define IP_PROTO_ICMP 1
#define IP_PROTO_UDP  17

/* Where each layer's header starts in ifp->tx. */
#define TX_IP	 NET_ETH_HLEN
#define TX_TRANS (NET_ETH_HLEN + NET_IP_HLEN)

enum { NET_ARP_FREE, NET_ARP_PENDING, NET_ARP_VALID };

static inline uint16_t net_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t net_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void net_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void net_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static inline uint64_t net_now(struct net_if *ifp)
{
	return ifp->ops.now_ns(ifp->ops.ctx);
}

/* Our subnet's directed broadcast address. */
static inline uint32_t net_subnet_bcast(const struct net_if *ifp)
{
	return ifp->ip | ~ifp->netmask;
}

extern const uint8_t net_bcast_mac[NET_ETH_ALEN];

/* csum.c: one's-complement sums to be folded by net_csum_fold(). */
uint64_t net_csum_partial(const void *data, size_t len, uint64_t sum);
uint16_t net_csum_fold(uint64_t sum);
uint64_t net_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto,
			 uint16_t len);

/* eth.c: send ifp->tx with len bytes after the Ethernet header. */
int net_eth_output(struct net_if *ifp, const uint8_t dst[NET_ETH_ALEN],
		   uint16_t type, size_t len);

/* arp.c */
void arp_input(struct net_if *ifp, const uint8_t *p, size_t len);
/* Send the IPv4 packet of len bytes at ifp->tx + TX_IP to next_hop. */
int arp_output(struct net_if *ifp, uint32_t next_hop, size_t len);
void arp_tick(struct net_if *ifp);

/* ipv4.c */
void ip_input(struct net_if *ifp, const uint8_t *p, size_t len);
/* Send the len-byte payload at ifp->tx + TX_TRANS. */
int ip_output(struct net_if *ifp, uint32_t dst, uint8_t proto, size_t len);

/* icmp.c and udp.c: a datagram for us, checked by ip_input(). */
void icmp_input(struct net_if *ifp, uint32_t src, uint32_t dst,
		const uint8_t *p, size_t len);
void udp_input(struct net_if *ifp, uint32_t src, uint32_t dst, const uint8_t *p,
	       size_t len);

#endif
