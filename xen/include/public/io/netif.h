/*
 * The network device protocol (vif): a transmit ring and a receive ring,
 * each on its own granted page, plus event channel(s); negotiated through
 * xenstore (feature-rx-copy, request-rx-copy, tx-ring-ref, rx-ring-ref,
 * event-channel or event-channel-tx/-rx).
 *
 * Transmit: the frontend posts one request per packet fragment, naming a
 * granted page and a byte range in it; NETTXF_more_data chains fragments
 * of a packet and NETTXF_extra_info says a netif_extra_info follows in
 * the next slot. Receive: the frontend posts empty granted pages, the
 * backend copies packets into them and answers with a response per page.
 */
#ifndef XEN_PUBLIC_IO_NETIF_H
#define XEN_PUBLIC_IO_NETIF_H

#include <stdint.h>
#include "../xen-compat.h"
#include "../grant_table.h"
#include "ring.h"

/* A packet may span at least this many transmit slots. */
#define XEN_NETIF_NR_SLOTS_MIN 18
/* The largest packet, header included, that a transmit request carries. */
#define XEN_NETIF_MAX_TX_SIZE 0xFFFF

/* netif_tx_request.flags */
#define _NETTXF_csum_blank     (0)
#define NETTXF_csum_blank      (1U << _NETTXF_csum_blank) /* csum not done */
#define _NETTXF_data_validated (1)
#define NETTXF_data_validated  (1U << _NETTXF_data_validated)
#define _NETTXF_more_data      (2)
#define NETTXF_more_data       (1U << _NETTXF_more_data) /* more slots */
#define _NETTXF_extra_info     (3)
#define NETTXF_extra_info      (1U << _NETTXF_extra_info) /* extra follows */

struct netif_tx_request {
	grant_ref_t gref; /* the page holding the data */
	uint16_t offset;  /* of the data in that page */
	uint16_t flags;	  /* NETTXF_* */
	uint16_t id;	  /* echoed in the response */
	uint16_t size;	  /* first slot: whole packet; others: this slot */
};
typedef struct netif_tx_request netif_tx_request_t;
XEN_ABI_SIZE(struct netif_tx_request, 12);
XEN_ABI_OFFSET(struct netif_tx_request, offset, 4);
XEN_ABI_OFFSET(struct netif_tx_request, flags, 6);
XEN_ABI_OFFSET(struct netif_tx_request, id, 8);
XEN_ABI_OFFSET(struct netif_tx_request, size, 10);

/* netif_extra_info.type */
#define XEN_NETIF_EXTRA_TYPE_NONE      (0)
#define XEN_NETIF_EXTRA_TYPE_GSO       (1) /* u.gso */
#define XEN_NETIF_EXTRA_TYPE_MCAST_ADD (2) /* u.mcast */
#define XEN_NETIF_EXTRA_TYPE_MCAST_DEL (3) /* u.mcast */
#define XEN_NETIF_EXTRA_TYPE_HASH      (4) /* u.hash */
#define XEN_NETIF_EXTRA_TYPE_MAX       (5)

/* netif_extra_info.flags: another extra slot follows this one. */
#define _XEN_NETIF_EXTRA_FLAG_MORE (0)
#define XEN_NETIF_EXTRA_FLAG_MORE  (1U << _XEN_NETIF_EXTRA_FLAG_MORE)

/* netif_extra_info.u.gso.type */
#define XEN_NETIF_GSO_TYPE_NONE	 (0)
#define XEN_NETIF_GSO_TYPE_TCPV4 (1)
#define XEN_NETIF_GSO_TYPE_TCPV6 (2)

/* An extra slot, in either ring, after a request or response flagged so. */
struct netif_extra_info {
	uint8_t type;  /* XEN_NETIF_EXTRA_TYPE_* */
	uint8_t flags; /* XEN_NETIF_EXTRA_FLAG_* */
	union {
		struct {
			uint16_t size; /* MSS */
			uint8_t type;  /* XEN_NETIF_GSO_TYPE_* */
			uint8_t pad;
			uint16_t features; /* zero */
		} gso;
		struct {
			uint8_t addr[6]; /* multicast MAC address */
		} mcast;
		struct {
			uint8_t type;	   /* hash type */
			uint8_t algorithm; /* hash algorithm */
			uint8_t value[4];  /* little-endian hash value */
		} hash;
		uint16_t pad[3];
	} u;
};
typedef struct netif_extra_info netif_extra_info_t;
XEN_ABI_SIZE(struct netif_extra_info, 8);
XEN_ABI_OFFSET(struct netif_extra_info, u, 2);
XEN_ABI_OFFSET(struct netif_extra_info, u.gso.type, 4);
XEN_ABI_OFFSET(struct netif_extra_info, u.gso.features, 6);
XEN_ABI_OFFSET(struct netif_extra_info, u.hash.value, 4);

struct netif_tx_response {
	uint16_t id;
	int16_t status; /* NETIF_RSP_* */
};
typedef struct netif_tx_response netif_tx_response_t;
XEN_ABI_SIZE(struct netif_tx_response, 4);

struct netif_rx_request {
	uint16_t id; /* echoed in the response */
	uint16_t pad;
	grant_ref_t gref; /* an empty page to receive into */
};
typedef struct netif_rx_request netif_rx_request_t;
XEN_ABI_SIZE(struct netif_rx_request, 8);
XEN_ABI_OFFSET(struct netif_rx_request, gref, 4);

/* netif_rx_response.flags */
#define _NETRXF_data_validated (0)
#define NETRXF_data_validated  (1U << _NETRXF_data_validated)
#define _NETRXF_csum_blank     (1)
#define NETRXF_csum_blank      (1U << _NETRXF_csum_blank)
#define _NETRXF_more_data      (2)
#define NETRXF_more_data       (1U << _NETRXF_more_data)
#define _NETRXF_extra_info     (3)
#define NETRXF_extra_info      (1U << _NETRXF_extra_info)
#define _NETRXF_gso_prefix     (4)
#define NETRXF_gso_prefix      (1U << _NETRXF_gso_prefix)

struct netif_rx_response {
	uint16_t id;
	uint16_t offset; /* of the data in the page */
	uint16_t flags;	 /* NETRXF_* */
	int16_t status;	 /* bytes received (> 0), or NETIF_RSP_* */
};
typedef struct netif_rx_response netif_rx_response_t;
XEN_ABI_SIZE(struct netif_rx_response, 8);
XEN_ABI_OFFSET(struct netif_rx_response, flags, 4);
XEN_ABI_OFFSET(struct netif_rx_response, status, 6);

DEFINE_RING_TYPES(netif_tx, struct netif_tx_request, struct netif_tx_response);
DEFINE_RING_TYPES(netif_rx, struct netif_rx_request, struct netif_rx_response);

/* Slots per ring on one page (Linux's names). */
#define XEN_NETIF_TX_RING_SIZE __CONST_RING_SIZE(netif_tx, XEN_PAGE_SIZE)
#define XEN_NETIF_RX_RING_SIZE __CONST_RING_SIZE(netif_rx, XEN_PAGE_SIZE)
XEN_ABI_SIZE(union netif_tx_sring_entry, 12);
XEN_ABI_SIZE(union netif_rx_sring_entry, 8);
XEN_STATIC_ASSERT(XEN_NETIF_TX_RING_SIZE == 256, "ABI: netif tx ring slots");
XEN_STATIC_ASSERT(XEN_NETIF_RX_RING_SIZE == 256, "ABI: netif rx ring slots");

/* Response status */
#define NETIF_RSP_DROPPED (-2) /* the packet was dropped */
#define NETIF_RSP_ERROR	  (-1) /* the request was bad */
#define NETIF_RSP_OKAY	  0
#define NETIF_RSP_NULL	  1 /* no response: the slot held an extra */

#endif /* XEN_PUBLIC_IO_NETIF_H */
