/*
 * ARP (RFC 826) for IPv4 over Ethernet: a small cache, answers for our
 * address, and resolution for sends with at most one packet waiting per
 * destination.
 *
 * Learning follows RFC 826's merge rule: a packet updates the entry of
 * its sender if there is one, and creates one only when it is addressed
 * to us. Nothing else adds entries, so a flood of ARP for other hosts
 * cannot push ours out. A pending entry resends its request every
 * NET_ARP_RETRY_NS from net_tick() and is given up after NET_ARP_TRIES
 * requests, its packet dropped; a resolved one lives NET_ARP_TTL_NS.
 */
#include "net_priv.h"

#define ARP_LEN	      28 /* for IPv4 over Ethernet */
#define ARP_HTYPE_ETH 1
#define ARP_OP_REQ    1
#define ARP_OP_REPLY  2

static struct net_arp_entry *arp_find(struct net_if *ifp, uint32_t ip)
{
	for (unsigned int i = 0; i < NET_ARP_ENTRIES; i++)
		if (ifp->arp[i].state != NET_ARP_FREE && ifp->arp[i].ip == ip)
			return &ifp->arp[i];
	return NULL;
}

/* A free slot, else the oldest resolved one; NULL when all are pending. */
static struct net_arp_entry *arp_alloc(struct net_if *ifp, uint32_t ip)
{
	struct net_arp_entry *e = NULL;

	for (unsigned int i = 0; i < NET_ARP_ENTRIES; i++) {
		struct net_arp_entry *c = &ifp->arp[i];

		if (c->state == NET_ARP_FREE) {
			e = c;
			break;
		}
		if (c->state == NET_ARP_VALID &&
		    (!e || c->stamp_ns < e->stamp_ns))
			e = c;
	}
	if (e) {
		e->state = NET_ARP_FREE;
		e->ip = ip;
		e->tries = 0;
		e->pending_len = 0;
	}
	return e;
}

static bool arp_expired(struct net_if *ifp, const struct net_arp_entry *e,
			uint64_t now)
{
	return e->state == NET_ARP_VALID && now - e->stamp_ns >= NET_ARP_TTL_NS;
}

/* Build an ARP packet at ifp->tx + NET_ETH_HLEN and send it. */
static int arp_send(struct net_if *ifp, uint16_t op,
		    const uint8_t eth_dst[NET_ETH_ALEN],
		    const uint8_t tha[NET_ETH_ALEN], uint32_t tpa)
{
	uint8_t *a = ifp->tx + NET_ETH_HLEN;

	net_put16(a, ARP_HTYPE_ETH);
	net_put16(a + 2, ETH_P_IP);
	a[4] = NET_ETH_ALEN;
	a[5] = 4;
	net_put16(a + 6, op);
	memcpy(a + 8, ifp->mac, NET_ETH_ALEN);
	net_put32(a + 14, ifp->ip);
	memcpy(a + 18, tha, NET_ETH_ALEN);
	net_put32(a + 24, tpa);
	if (op == ARP_OP_REQ)
		ifp->stats.arp_requests_sent++;
	else
		ifp->stats.arp_replies_sent++;
	return net_eth_output(ifp, eth_dst, ETH_P_ARP, ARP_LEN);
}

static int arp_request(struct net_if *ifp, struct net_arp_entry *e)
{
	static const uint8_t zero[NET_ETH_ALEN];

	e->tries++;
	e->stamp_ns = net_now(ifp);
	return arp_send(ifp, ARP_OP_REQ, net_bcast_mac, zero, e->ip);
}

/* The MAC is known: mark e resolved and send what waited for it. */
static void arp_resolved(struct net_if *ifp, struct net_arp_entry *e,
			 const uint8_t mac[NET_ETH_ALEN])
{
	size_t len = e->pending_len;

	memcpy(e->mac, mac, NET_ETH_ALEN);
	e->state = NET_ARP_VALID;
	e->stamp_ns = net_now(ifp);
	e->tries = 0;
	e->pending_len = 0;
	if (len) {
		memcpy(ifp->tx + TX_IP, e->pending, len);
		net_eth_output(ifp, e->mac, ETH_P_IP, len);
	}
}

static bool arp_header_ok(const uint8_t *p, size_t len)
{
	uint16_t op;

	if (len < ARP_LEN || net_get16(p) != ARP_HTYPE_ETH ||
	    net_get16(p + 2) != ETH_P_IP || p[4] != NET_ETH_ALEN || p[5] != 4)
		return false;
	op = net_get16(p + 6);
	/* A multicast or broadcast sender hardware address is a lie. */
	return (op == ARP_OP_REQ || op == ARP_OP_REPLY) && !(p[8] & 1);
}

void arp_input(struct net_if *ifp, const uint8_t *p, size_t len)
{
	uint8_t sha[NET_ETH_ALEN];
	uint32_t spa, tpa;
	struct net_arp_entry *e;

	if (!arp_header_ok(p, len)) {
		ifp->stats.arp_bad++;
		return;
	}
	ifp->stats.arp_rx++;
	memcpy(sha, p + 8, NET_ETH_ALEN);
	spa = net_get32(p + 14);
	tpa = net_get32(p + 24);

	/* Probes (sender 0.0.0.0) and claims on our address teach nothing. */
	if (spa && spa != ifp->ip && spa != NET_IP_BROADCAST) {
		e = arp_find(ifp, spa);
		if (!e && tpa == ifp->ip)
			e = arp_alloc(ifp, spa);
		if (e)
			arp_resolved(ifp, e, sha);
	}
	if (tpa == ifp->ip && net_get16(p + 6) == ARP_OP_REQ)
		arp_send(ifp, ARP_OP_REPLY, sha, sha, spa);
}

int arp_output(struct net_if *ifp, uint32_t next_hop, size_t len)
{
	uint64_t now = net_now(ifp);
	struct net_arp_entry *e = arp_find(ifp, next_hop);

	if (e && e->state == NET_ARP_VALID && !arp_expired(ifp, e, now))
		return net_eth_output(ifp, e->mac, ETH_P_IP, len);
	if (e && e->pending_len) {
		/* One packet waits already: this one is dropped. */
		ifp->stats.arp_queue_drops++;
		return -XEN_ENOBUFS;
	}
	if (!e || e->state == NET_ARP_VALID) {
		/* Unknown, or known too long ago: ask (again). */
		e = e ? e : arp_alloc(ifp, next_hop);
		if (!e) {
			ifp->stats.arp_queue_drops++;
			return -XEN_ENOBUFS;
		}
		e->state = NET_ARP_PENDING;
		e->tries = 0;
	}
	/* Queue first: the request is built over the packet in ifp->tx. */
	memcpy(e->pending, ifp->tx + TX_IP, len);
	e->pending_len = len;
	if (e->tries == 0)
		arp_request(ifp, e);
	return 0;
}

void arp_tick(struct net_if *ifp)
{
	uint64_t now = net_now(ifp);

	for (unsigned int i = 0; i < NET_ARP_ENTRIES; i++) {
		struct net_arp_entry *e = &ifp->arp[i];

		if (arp_expired(ifp, e, now)) {
			e->state = NET_ARP_FREE;
		} else if (e->state == NET_ARP_PENDING &&
			   now - e->stamp_ns >= NET_ARP_RETRY_NS) {
			if (e->tries < NET_ARP_TRIES) {
				arp_request(ifp, e);
				continue;
			}
			if (e->pending_len)
				ifp->stats.arp_timeouts++;
			e->state = NET_ARP_FREE;
			e->pending_len = 0;
		}
	}
}
