/*
 * A small IPv4 stack for test domains: Ethernet, ARP, IPv4, ICMP echo and
 * UDP, one interface per struct net_if.
 *
 * The library touches nothing but the struct and the frames it is given:
 * the caller passes what it needs from its environment in struct net_ops
 * (send a frame, read a clock), so the same code runs in a PV domain and
 * in a host test. There is no dynamic memory: the ARP cache, the queue of
 * packets waiting for ARP (one per destination) and the UDP port table are
 * fixed arrays inside struct net_if. Not thread-safe; one caller at a time
 * per interface.
 *
 * Everything received is checked before it is used (lengths, header
 * lengths, checksums); what fails a check is dropped and counted in
 * struct net_stats, never trusted. Fragments are dropped; IPv4 options
 * are accepted and skipped. We never send options or fragments: a UDP
 * payload over NET_UDP_MAX is refused.
 *
 * IPv4 addresses are host-order uint32_t (NET_IP4(10, 0, 3, 1)); ports
 * are host order. Errors are negative XEN_E* values (<public/errno.h>).
 *
 * Callbacks (UDP receive, ping reply) run from inside net_input() and may
 * send (net_udp_send(), net_ping()); they must not call net_input().
 * ops.send_frame must be done with the frame when it returns (copy it)
 * and must not call net_input() on the same interface.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <public/errno.h>

#define NET_IP4(a, b, c, d)                                               \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | \
	 (uint32_t)(d))
#define NET_IP_BROADCAST 0xffffffffu

#define NET_ETH_ALEN  6
#define NET_ETH_HLEN  14
#define NET_ETH_MIN   60 /* shortest frame sent, without the FCS */
#define NET_MTU	      1500
#define NET_FRAME_MAX (NET_ETH_HLEN + NET_MTU)
#define NET_IP_HLEN   20 /* we send no options */
#define NET_UDP_HLEN  8
#define NET_UDP_MAX   (NET_MTU - NET_IP_HLEN - NET_UDP_HLEN)
#define NET_ICMP_HLEN 8
#define NET_PING_DATA 32 /* bytes of payload net_ping() sends */

/* Bounds of the fixed tables in struct net_if, and ARP timing. */
#define NET_ARP_ENTRIES	 8
#define NET_UDP_PORTS	 8
#define NET_ARP_TRIES	 3		      /* requests before giving up */
#define NET_ARP_RETRY_NS 1000000000ull	      /* between two requests */
#define NET_ARP_TTL_NS	 (60 * 1000000000ull) /* a resolved entry's life */

struct net_if;

struct net_ops {
	/* Put one Ethernet frame (no FCS) on the wire. 0 or -XEN_E*. */
	int (*send_frame)(void *ctx, const void *frame, size_t len);
	/* A monotonic clock in ns: ARP expiry and retries. */
	uint64_t (*now_ns)(void *ctx);
	void *ctx;
};

/* A datagram for a bound port: src_ip and src_port are the sender's. */
typedef void (*net_udp_fn)(struct net_if *ifp, uint32_t src_ip,
			   uint16_t src_port, uint16_t dst_port,
			   const void *data, size_t len, void *arg);

/* An echo reply; data is its payload. */
typedef void (*net_ping_fn)(struct net_if *ifp, uint32_t src_ip, uint16_t id,
			    uint16_t seq, const void *data, size_t len,
			    void *arg);

/*
 * What was received, sent and dropped. rx_* count frames by the layer
 * that dropped or took them; every frame given to net_input() is counted
 * once in rx_frames and at most once in a drop counter.
 */
struct net_stats {
	uint64_t rx_frames;
	uint64_t rx_short;    /* shorter than an Ethernet header */
	uint64_t rx_long;     /* longer than NET_FRAME_MAX */
	uint64_t rx_not_ours; /* another unicast MAC, or a multicast */
	uint64_t rx_bad_type; /* an EtherType we do not speak */
	uint64_t arp_rx;      /* well-formed ARP packets */
	uint64_t arp_bad;     /* truncated, wrong htype/ptype/hlen/plen/op */
	uint64_t arp_replies_sent;
	uint64_t arp_requests_sent;
	uint64_t arp_queue_drops; /* a packet already waited, or no slot */
	uint64_t arp_timeouts;	  /* resolution given up, packet dropped */
	uint64_t ip_rx;		  /* delivered to ICMP or UDP */
	uint64_t ip_bad_header;	  /* short, version, IHL, total length */
	uint64_t ip_bad_csum;
	uint64_t ip_frags;    /* MF set or an offset: dropped */
	uint64_t ip_options;  /* accepted, skipped */
	uint64_t ip_not_ours; /* another destination */
	uint64_t ip_bad_proto;
	uint64_t icmp_bad; /* short or bad checksum */
	uint64_t icmp_echo_answered;
	uint64_t icmp_echo_replies;
	uint64_t icmp_other; /* types we ignore */
	uint64_t udp_bad;    /* short, bad length or checksum */
	uint64_t udp_no_port;
	uint64_t udp_delivered;
	uint64_t tx_frames;
	uint64_t tx_errors; /* send_frame failed */
};

/* Internal: one ARP cache slot (NET_ARP_FREE, _PENDING or _VALID). */
struct net_arp_entry {
	uint32_t ip;
	uint8_t mac[NET_ETH_ALEN];
	uint8_t state;
	uint8_t tries;		  /* requests sent while pending */
	uint64_t stamp_ns;	  /* valid: learnt; pending: last request */
	uint16_t pending_len;	  /* 0: no packet waits */
	uint8_t pending[NET_MTU]; /* an IPv4 packet waiting for the MAC */
};

struct net_udp_port {
	uint16_t port; /* 0: a free slot */
	net_udp_fn fn;
	void *arg;
};

struct net_if {
	/* Ours; set by net_init(), may be read at any time. */
	uint8_t mac[NET_ETH_ALEN];
	uint32_t ip, netmask, gateway; /* gateway 0: none */
	struct net_stats stats;

	/* Internal. */
	struct net_ops ops;
	net_ping_fn ping_fn;
	void *ping_arg;
	uint16_t ip_id;
	struct net_arp_entry arp[NET_ARP_ENTRIES];
	struct net_udp_port udp[NET_UDP_PORTS];
	uint8_t tx[NET_FRAME_MAX] __attribute__((aligned(8)));
};

/*
 * Set up ifp (all of it: tables empty, stats zero). ip must be a unicast
 * address, netmask contiguous; gateway, when not 0, on our subnet.
 * -XEN_EINVAL otherwise, or when an op is missing.
 */
int net_init(struct net_if *ifp, const uint8_t mac[NET_ETH_ALEN], uint32_t ip,
	     uint32_t netmask, uint32_t gateway, const struct net_ops *ops);

/* Take one received Ethernet frame (no FCS). Never fails: drops count. */
void net_input(struct net_if *ifp, const void *frame, size_t len);

/*
 * Call now and then (every few hundred ms): resends ARP requests, gives
 * up on destinations that do not answer and forgets stale entries.
 */
void net_tick(struct net_if *ifp);

/*
 * Send a UDP datagram. dst_ip may be NET_IP_BROADCAST or our subnet's
 * broadcast address. 0 when sent or queued for ARP (at most one packet
 * waits per destination); -XEN_EMSGSIZE over NET_UDP_MAX,
 * -XEN_EINVAL for a zero port or address, -XEN_EADDRNOTAVAIL off our
 * subnet without a gateway, -XEN_ENOBUFS when it had to be dropped
 * waiting for ARP, or what send_frame returned.
 */
int net_udp_send(struct net_if *ifp, uint32_t dst_ip, uint16_t src_port,
		 uint16_t dst_port, const void *data, size_t len);

/*
 * Deliver datagrams for port to fn. -XEN_EADDRINUSE when bound,
 * -XEN_ENOSPC when all NET_UDP_PORTS are taken, -XEN_EINVAL for port 0.
 */
int net_udp_bind(struct net_if *ifp, uint16_t port, net_udp_fn fn, void *arg);
int net_udp_unbind(struct net_if *ifp, uint16_t port);

/*
 * Send an ICMP echo request (NET_PING_DATA bytes of payload) to ip;
 * replies go to the function set by net_ping_handler(). Returns as
 * net_udp_send().
 */
int net_ping(struct net_if *ifp, uint32_t ip, uint16_t id, uint16_t seq);
void net_ping_handler(struct net_if *ifp, net_ping_fn fn, void *arg);

/* The Internet checksum (RFC 1071) of len bytes, folded, complemented. */
uint16_t net_csum(const void *data, size_t len);

#endif
