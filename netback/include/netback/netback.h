/*
 * netback: the backend of Xen's netif protocol, as a library a driver
 * domain links (and host tests link), plus the learning switch that joins
 * the vifs to the NIC.
 *
 * The library touches only its own structs and the rings it is given;
 * everything else comes from struct nb_env (grant copies, events, the
 * clock, the log, local frames, the NIC), so one build runs in a driver
 * domain and another on the host against fakes. There is no dynamic
 * memory: every table is a fixed array sized by the constants below and
 * the caller owns the storage of every struct.
 *
 * Threading: none. One caller at a time for all vifs and the switch of
 * one env (a driver domain's main loop); env ops must not call back into
 * netback.
 *
 * Trust: the frontend writes its ring pages at any time. Each request is
 * copied out (RING_COPY_REQUEST) before it is looked at, and the shared
 * producer index is read once per batch and checked. A bad request gets
 * NETIF_RSP_ERROR; a broken protocol (an impossible producer index, a
 * packet chained past the slot limit) disconnects that vif alone, logged
 * once. Nothing a frontend writes makes netback assert, crash or spin.
 *
 * Errors are negative XEN_E* values (<public/errno.h>).
 */
#ifndef NETBACK_NETBACK_H
#define NETBACK_NETBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <public/errno.h>
#include <public/grant_table.h>
#include <public/io/netif.h>

#define NB_ETH_ALEN   6
#define NB_ETH_HLEN   14
#define NB_FRAME_MAX  1514 /* no GSO, no VLAN tag, no FCS */
#define NB_PAGE_SIZE  4096
#define NB_MAX_VIFS   8	 /* switch ports besides the uplink */
#define NB_MAC_TABLE  64 /* learned uplink addresses */
#define NB_MAC_AGE_NS (300ull * 1000000000ull) /* as Linux's bridge */

/* A packet may use this many data slots (NETTXF_more_data chains). */
#define NB_TX_MAX_SLOTS XEN_NETIF_NR_SLOTS_MIN
/* Extra-info slots after a packet's first slot before it is fatal. */
#define NB_TX_MAX_EXTRAS (XEN_NETIF_EXTRA_TYPE_MAX - 1)
/* Packets per grant-copy batch, and the slots such a batch may hold. */
#define NB_TX_BATCH	  32
#define NB_TX_BATCH_SLOTS 128

/*
 * Local frames netback copies into: local_buf(i) for i < NB_TX_BATCH
 * carry a tx batch; NB_RX_BUF stages a frame on its way into a guest.
 */
#define NB_RX_BUF     NB_TX_BATCH
#define NB_LOCAL_BUFS (NB_TX_BATCH + 1)

struct nb_vif;

/*
 * Two addresses equal: one 4-byte and one 2-byte compare where memcmp()
 * walks bytes (a frame or more of per-packet cost in a stream).
 */
static inline bool nb_mac_eq(const uint8_t *a, const uint8_t *b)
{
	uint32_t a4, b4;
	uint16_t a2, b2;

	__builtin_memcpy(&a4, a, 4);
	__builtin_memcpy(&b4, b, 4);
	__builtin_memcpy(&a2, a + 4, 2);
	__builtin_memcpy(&b2, b + 4, 2);
	return a4 == b4 && a2 == b2;
}

/*
 * A local frame of the driver domain: at va, offset bytes into its page
 * mfn, with room for NB_FRAME_MAX bytes before the page ends (NB_RX_BUF:
 * a whole page, offset 0).
 */
struct nb_buf {
	void *va;
	uint64_t mfn;
	uint16_t offset;
};

enum nb_ring { NB_RING_TX, NB_RING_RX };

struct nb_env {
	/*
	 * GNTTABOP_copy on n ops: 0 with each op's status set, or -XEN_E*
	 * when the batch as a whole failed (every op then counts as failed).
	 */
	long (*grant_copy)(void *ctx, struct gnttab_copy *ops, unsigned int n);
	/* Send an event to vif's frontend, for its tx or rx ring. */
	void (*notify)(void *ctx, struct nb_vif *vif, enum nb_ring ring);
	/* A monotonic clock in ns: rate limits and MAC table ageing. */
	uint64_t (*now_ns)(void *ctx);
	void (*log)(void *ctx, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
	/*
	 * Local frame i < NB_LOCAL_BUFS. A tx batch asks for frames 0, 1,
	 * ... once each as it takes its packets, and sends them to the
	 * switch in that order: frame i is not written by anyone else
	 * until packet i has gone through the switch (a NIC's own transmit
	 * buffer will do: then the frame is not copied again).
	 */
	struct nb_buf (*local_buf)(void *ctx, unsigned int i);
	/*
	 * The uplink: put a frame on the NIC (copy it before returning):
	 * 0 or -XEN_E*. NULL when the switch has no uplink.
	 */
	long (*send_to_nic)(void *ctx, const void *frame, size_t len);
	void *ctx;
};

/* ---- Rate limit: credit bytes per interval (Xen's vif "rate" node) ---- */

struct nb_rate {
	uint64_t credit_bytes; /* 0: unlimited */
	uint64_t interval_ns;
	uint64_t remaining;	/* bytes left in this interval */
	uint64_t window_end_ns; /* when credit is next added */
};

/*
 * Parse "bytes,usec" (decimal, both > 0, nothing else, usec at most
 * NB_RATE_MAX_USEC): 0, or -XEN_EINVAL with *bytes and *usec untouched.
 */
#define NB_RATE_MAX_USEC (3600ull * 1000000ull) /* an hour */
int nb_rate_parse(const char *s, uint64_t *bytes, uint64_t *usec);
/* Start a limit at now (bytes == 0: unlimited); full credit at once. */
void nb_rate_init(struct nb_rate *r, uint64_t bytes, uint64_t usec,
		  uint64_t now);
/*
 * Take len bytes of credit at now: true, or false with nothing taken
 * (wait until r->window_end_ns). Credit accumulates up to
 * max(credit_bytes, NB_FRAME_MAX), so a frame larger than one interval's
 * credit still goes, after enough intervals.
 */
bool nb_rate_take(struct nb_rate *r, size_t len, uint64_t now);

/*
 * Finish the TCP or UDP checksum of an unfragmented IPv4 frame (one sent
 * with NETTXF_csum_blank): 0, or -XEN_EINVAL when the frame is not one.
 */
int nb_csum_complete(uint8_t *frame, size_t len);

/* ---- A vif: one frontend's tx and rx rings ---------------------------- */

struct nb_vif_stats {
	unsigned long tx_packets, tx_bytes; /* taken from the guest and sent */
	unsigned long tx_errors;    /* packets answered NETIF_RSP_ERROR */
	unsigned long spoofed;	    /* dropped: not the vif's source MAC */
	unsigned long rate_limited; /* times tx waited for credit */
	unsigned long rx_packets, rx_bytes; /* copied into the guest */
	unsigned long rx_errors;	    /* copy into the guest failed */
	unsigned long rx_no_buffer;	    /* dropped: no rx request posted */
	unsigned long rx_dropped;      /* dropped: bad size, disconnected */
	const char *disconnect_reason; /* NULL while connected */
};

/* One packet of a tx batch, in the scratch arrays of its vif. */
struct nb_tx_pkt {
	uint16_t slot0;	 /* first slot in tx_req[] */
	uint8_t nslots;	 /* data slots and extras */
	uint8_t nextras; /* extras, right after slot0 */
	uint16_t copy0;	 /* first op in tx_copy[] */
	uint8_t ncopies;
	int16_t status; /* NETIF_RSP_* */
	uint16_t len;	/* whole packet, from slot0's size */
	uint8_t *frame; /* its local frame, once committed */
};

struct nb_switch;

struct nb_vif {
	const struct nb_env *env;
	struct nb_switch *sw; /* set by nb_switch_attach() */
	unsigned int port;
	domid_t domid;
	uint8_t mac[NB_ETH_ALEN];
	bool connected;
	bool tx_deferred; /* a packet waits for rate credit */
	struct netif_tx_back_ring tx;
	struct netif_rx_back_ring rx;
	struct nb_rate rate;
	struct nb_vif_stats stats;
	/* Scratch of one tx batch, meaningful only inside nb_vif_tx_poll(). */
	struct netif_tx_request tx_req[NB_TX_BATCH_SLOTS];
	struct gnttab_copy tx_copy[NB_TX_BATCH_SLOTS];
	struct nb_tx_pkt tx_pkt[NB_TX_BATCH];
};

/*
 * Attach to a frontend whose shared rings are mapped at tx_sring and
 * rx_sring (the frontend initialised them). mac is the configured address
 * the vif must send from: 0, or -XEN_EINVAL for a multicast or all-zero
 * address. No rate limit until nb_vif_set_rate().
 */
int nb_vif_init(struct nb_vif *vif, const struct nb_env *env, domid_t domid,
		const uint8_t mac[NB_ETH_ALEN], struct netif_tx_sring *tx_sring,
		struct netif_rx_sring *rx_sring);
/* bytes per usec microseconds; bytes == 0 lifts the limit. */
void nb_vif_set_rate(struct nb_vif *vif, uint64_t bytes, uint64_t usec);
/*
 * Stop using the rings for good: logged once, the first reason kept in
 * stats.disconnect_reason. The xenbus glue tears the vif down later.
 */
void nb_vif_disconnect(struct nb_vif *vif, const char *reason);

/*
 * Take up to budget packets from the tx ring, answer each slot and hand
 * the frames to the switch: returns the packets taken. Less than budget
 * means the ring is empty, the next packet is still incomplete, the rate
 * limit holds it (see nb_vif_tx_wake_ns()) or the vif was disconnected.
 */
unsigned int nb_vif_tx_poll(struct nb_vif *vif, unsigned int budget);
/* When the rate limit lets tx go again, or 0 when it holds nothing. */
uint64_t nb_vif_tx_wake_ns(const struct nb_vif *vif);

/*
 * Copy one frame into the next buffer the frontend posted: 0, or
 * -XEN_ENOBUFS (none posted), -XEN_EINVAL (size), -XEN_ENOTCONN,
 * -XEN_EFAULT (the grant copy failed; answered NETIF_RSP_ERROR).
 */
int nb_vif_rx_deliver(struct nb_vif *vif, const void *frame, size_t len);

/* ---- The switch: the vifs and the NIC, a learning L2 bridge ------------ */

/*
 * Port 0 is the uplink (when env->send_to_nic is set), ports 1..
 * NB_MAX_VIFS the attached vifs. A vif's address is its configured MAC
 * and nothing else: frames to it go to that vif, learned or not, and no
 * frame from the uplink can claim it. The table learns the uplink's
 * addresses and ages them. Broadcast, multicast and unknown unicast go
 * to every port but the one they came from.
 */
struct nb_mac_entry {
	uint8_t mac[NB_ETH_ALEN];
	bool used;
	uint64_t seen_ns;
};

struct nb_switch_stats {
	unsigned long uplink_rx;	/* frames from the NIC */
	unsigned long uplink_tx;	/* frames to the NIC */
	unsigned long uplink_tx_errors; /* send_to_nic failed */
	unsigned long uplink_spoofed;	/* from the NIC with a vif's source */
	unsigned long uplink_bad;	/* from the NIC: size, group source */
	unsigned long flooded;		/* frames sent to all ports */
	unsigned long dropped;		/* no port to go to */
	unsigned long learned;		/* table entries made */
	unsigned long evicted;		/* live entries pushed out (full) */
};

#define NB_PORT_UPLINK 0

struct nb_switch {
	const struct nb_env *env;
	struct nb_vif *ports[NB_MAX_VIFS + 1]; /* [0] unused: the uplink */
	struct nb_mac_entry table[NB_MAC_TABLE];
	unsigned int table_top;	 /* no entry at or past it was ever used */
	unsigned int table_hint; /* the entry found last: looked at first */
	struct nb_switch_stats stats;
};

void nb_switch_init(struct nb_switch *sw, const struct nb_env *env);
/* 0, -XEN_ENOSPC (no port free), -XEN_EEXIST (MAC of an attached vif). */
int nb_switch_attach(struct nb_switch *sw, struct nb_vif *vif);
void nb_switch_detach(struct nb_switch *sw, struct nb_vif *vif);
/* A frame the NIC received (the netdrv rx callback). */
void nb_switch_from_nic(struct nb_switch *sw, const void *frame, size_t len);
/* A frame a vif sent, its source already checked (tx.c), at now (ns). */
void nb_switch_input(struct nb_switch *sw, unsigned int port,
		     const uint8_t *frame, size_t len, uint64_t now);

#endif
