/*
 * Ethernet: the interface's set-up, the entry for received frames and
 * the one place frames leave through ops.send_frame.
 */
#include "net_priv.h"

const uint8_t net_bcast_mac[NET_ETH_ALEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

static bool net_mask_ok(uint32_t mask)
{
	uint32_t host = ~mask;

	/* Contiguous (host bits are 2^n - 1) and at least 2 host bits. */
	return (host & (host + 1)) == 0 && host >= 3;
}

static bool net_addr_ok(uint32_t ip, uint32_t mask)
{
	return ip && ip < NET_IP4(224, 0, 0, 0) && (ip & ~mask) &&
	       (ip & ~mask) != ~mask;
}

int net_init(struct net_if *ifp, const uint8_t mac[NET_ETH_ALEN], uint32_t ip,
	     uint32_t netmask, uint32_t gateway, const struct net_ops *ops)
{
	uint8_t m[NET_ETH_ALEN];
	struct net_ops o;

	if (!ops || !ops->send_frame || !ops->now_ns || (mac[0] & 1))
		return -XEN_EINVAL;
	if (!net_mask_ok(netmask) || !net_addr_ok(ip, netmask))
		return -XEN_EINVAL;
	if (gateway && (gateway == ip || !net_addr_ok(gateway, netmask) ||
			(gateway & netmask) != (ip & netmask)))
		return -XEN_EINVAL;
	/* mac and ops may point into *ifp: copy them before clearing it. */
	memcpy(m, mac, NET_ETH_ALEN);
	o = *ops;
	memset(ifp, 0, sizeof(*ifp));
	memcpy(ifp->mac, m, NET_ETH_ALEN);
	ifp->ip = ip;
	ifp->netmask = netmask;
	ifp->gateway = gateway;
	ifp->ops = o;
	return 0;
}

void net_input(struct net_if *ifp, const void *frame, size_t len)
{
	const uint8_t *p = frame;

	ifp->stats.rx_frames++;
	if (len < NET_ETH_HLEN) {
		ifp->stats.rx_short++;
		return;
	}
	if (len > NET_FRAME_MAX) {
		ifp->stats.rx_long++;
		return;
	}
	if (memcmp(p, ifp->mac, NET_ETH_ALEN) &&
	    memcmp(p, net_bcast_mac, NET_ETH_ALEN)) {
		ifp->stats.rx_not_ours++;
		return;
	}
	switch (net_get16(p + 12)) {
	case ETH_P_ARP:
		arp_input(ifp, p + NET_ETH_HLEN, len - NET_ETH_HLEN);
		break;
	case ETH_P_IP:
		ip_input(ifp, p + NET_ETH_HLEN, len - NET_ETH_HLEN);
		break;
	default:
		ifp->stats.rx_bad_type++;
	}
}

void net_tick(struct net_if *ifp)
{
	arp_tick(ifp);
}

/*
 * Frames shorter than Ethernet's minimum are padded with zeros here, so
 * what goes out does not depend on the NIC or the backend padding it.
 */
int net_eth_output(struct net_if *ifp, const uint8_t dst[NET_ETH_ALEN],
		   uint16_t type, size_t len)
{
	size_t flen = NET_ETH_HLEN + len;
	int rc;

	memcpy(ifp->tx, dst, NET_ETH_ALEN);
	memcpy(ifp->tx + NET_ETH_ALEN, ifp->mac, NET_ETH_ALEN);
	net_put16(ifp->tx + 12, type);
	if (flen < NET_ETH_MIN) {
		memset(ifp->tx + flen, 0, NET_ETH_MIN - flen);
		flen = NET_ETH_MIN;
	}
	rc = ifp->ops.send_frame(ifp->ops.ctx, ifp->tx, flen);
	if (rc < 0)
		ifp->stats.tx_errors++;
	else
		ifp->stats.tx_frames++;
	return rc < 0 ? rc : 0;
}
