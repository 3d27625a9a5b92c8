/*
 * netfront for small domains: one vif (device/vif/<n>), Xen's netif
 * protocol as a stock Linux netback expects it, with copying receive
 * (request-rx-copy = 1), one event channel for both rings, one slot per
 * frame (feature-sg = 0, frames up to a page), no GSO and full checksums
 * both ways (feature-no-csum-offload = 1: the stack checks them).
 *
 * The library touches nothing but the struct, the pages it is given and
 * the xenbus client: everything else comes through struct netfront_ops
 * (grants, pages, event channels, delivery), so the same code runs in a
 * PV domain and in a host test. Not thread-safe; one caller at a time.
 *
 * Life cycle: netfront_init() reads the MAC, allocates every page it
 * will use and watches the device's backend nodes; netfront_poll(),
 * called from the domain's event loop (on the vif's and the xenstore's
 * events, and now and then on a timer), does everything else: it reads
 * the store when a watch fired, connects when the backend waits for us
 * (InitWait), and reconnects when the backend goes away and comes back,
 * possibly in another domain (a new backend-id).
 *
 * The backend is not trusted: responses are copied out of the ring once
 * and checked (ids, statuses, offsets, the producer index); a received
 * frame is copied out of the shared page before it is delivered, so the
 * backend cannot change it under the stack. Bad responses are dropped
 * and counted; a response index out of range breaks the connection,
 * which is torn down and made again as for a backend restart.
 *
 * Pages are granted to the backend once per connection (rings and
 * receive buffers writable, transmit buffers read-only) and taken back
 * when the connection ends. A grant the backend still holds is retried
 * on later polls; after NETFRONT_END_TRIES of them its page is leaked
 * (never reused, never freed) and counted, and a fresh page takes its
 * place.
 *
 * Errors are negative XEN_E* values (<public/errno.h>).
 */
#ifndef STUB_NETFRONT_H
#define STUB_NETFRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <public/errno.h>
#include <public/grant_table.h>
#include <public/io/netif.h>
#include <public/xen.h>
#include "xenbus.h"
#include "xenbus_front.h"

#define NETFRONT_RX_BUFS   128 /* receive pages kept posted */
#define NETFRONT_TX_BUFS   192 /* transmit pages: in flight plus queued */
#define NETFRONT_END_TRIES 64  /* polls a busy grant is retried, then leaked */
#define NETFRONT_DIR_MAX   XBF_DIR_MAX /* "device/vif/<n>", NUL included */
#define NETFRONT_FRAME_MIN 14	       /* an Ethernet header */
#define NETFRONT_FRAME_MAX XEN_PAGE_SIZE

_Static_assert(NETFRONT_RX_BUFS > 0 &&
		   NETFRONT_RX_BUFS <= XEN_NETIF_RX_RING_SIZE,
	       "rx buffers fit the ring");
_Static_assert(NETFRONT_TX_BUFS > 0 &&
		   NETFRONT_TX_BUFS <= XEN_NETIF_TX_RING_SIZE,
	       "tx buffers fit the ring");

struct netfront_ops {
	/* Let domid at frame mfn: a grant ref, or a negative XEN_E*. */
	long (*grant_access)(void *env, domid_t domid, unsigned long mfn,
			     bool readonly);
	/* Take a grant back: 0, or -XEN_EBUSY while domid still uses it. */
	long (*grant_end)(void *env, grant_ref_t ref);
	/* A zeroed XEN_PAGE_SIZE page and its frame in *mfn; NULL if none. */
	void *(*page_alloc)(void *env, unsigned long *mfn);
	/* Give back a page from page_alloc (never a leaked one). May be NULL.
	 */
	void (*page_free)(void *env, void *page);
	/* A port that remote may bind: >= 0, or a negative XEN_E*. */
	long (*evtchn_alloc_unbound)(void *env, domid_t remote);
	/* Close a port from evtchn_alloc_unbound. May be NULL. */
	void (*evtchn_close)(void *env, evtchn_port_t port);
	/* Send an event on port. */
	void (*notify)(void *env, evtchn_port_t port);
	/*
	 * A received frame, valid during the call only. Runs inside
	 * netfront_poll(); may call netfront_send(), not netfront_poll().
	 */
	void (*rx)(void *env, const void *frame, size_t len);
	void *env;
	struct xenbus *xb; /* the domain's xenbus client */
};

/* Where the connection is; see netfront_poll(). */
enum netfront_state {
	NETFRONT_CLOSED,     /* not started, or shut down */
	NETFRONT_WAIT,	     /* no rings: waiting for a backend in InitWait */
	NETFRONT_CONNECTING, /* rings published, backend not Connected yet */
	NETFRONT_CONNECTED,  /* frames flow */
	NETFRONT_DRAINING,   /* taking the old connection's grants back */
};

struct netfront_stats {
	uint64_t tx_frames;   /* put on the ring */
	uint64_t tx_queued;   /* had to wait for a connection or room */
	uint64_t tx_dropped;  /* refused: no free buffer */
	uint64_t tx_lost;     /* in flight or queued when a connection ended */
	uint64_t tx_errors;   /* responses with a status other than OKAY */
	uint64_t tx_bad_rsp;  /* responses with an id not in flight */
	uint64_t rx_frames;   /* delivered */
	uint64_t rx_errors;   /* a status <= 0: dropped */
	uint64_t rx_bad_rsp;  /* an id not posted, or a bad offset or size */
	uint64_t rx_unwanted; /* more_data or extra_info: not negotiated */
	uint64_t ring_broken; /* response indices out of range */
	uint64_t connects;    /* connections made */
	uint64_t disconnects; /* connections ended */
	uint64_t grants_leaked;	 /* pages given up: still granted */
	uint64_t connect_errors; /* a connection attempt that failed */
	uint64_t store_errors;	 /* a store operation that failed */
};

/* Internal: one page of ours and its grant to the current backend. */
struct netfront_page {
	void *va; /* NULL: none (never allocated, or leaked) */
	unsigned long mfn;
	grant_ref_t ref;
	bool granted;
	uint8_t end_tries; /* polls the grant was found busy */
};

/* Internal: transmit buffer states. */
enum { NETFRONT_TX_FREE, NETFRONT_TX_QUEUED, NETFRONT_TX_INFLIGHT };

/*
 * About 6 KiB plus the 50 pages it owns. The fields are the library's; read
 * them only through the functions below.
 */
struct netfront {
	struct netfront_ops ops;
	enum netfront_state state;
	struct xenbus_front xf; /* our directory, the backend followed */
	bool port_valid;
	evtchn_port_t port;
	uint8_t mac[6];

	struct netfront_page tx_ring_pg, rx_ring_pg;
	netif_tx_front_ring_t tx;
	netif_rx_front_ring_t rx;
	struct netfront_page rx_buf[NETFRONT_RX_BUFS];
	bool rx_posted[NETFRONT_RX_BUFS];
	bool rx_skip_extra; /* the next response is an extra_info slot */
	bool rx_in_chain;   /* the previous response had more_data */
	struct netfront_page tx_buf[NETFRONT_TX_BUFS];
	uint16_t tx_len[NETFRONT_TX_BUFS];
	uint8_t tx_st[NETFRONT_TX_BUFS];
	uint16_t txq[NETFRONT_TX_BUFS]; /* queued buffers, oldest first */
	unsigned int txq_head, txq_len;
	unsigned int tx_next; /* where nf_tx_get() looks first */

	struct netfront_stats stats;
	uint8_t rx_copy[XEN_PAGE_SIZE]; /* a received frame, ours alone */
};

/*
 * Set up nf for the vif whose directory is dir ("device/vif/0", relative
 * to the domain's home, or absolute): reads its MAC, allocates every
 * page and watches <dir>/backend and <dir>/backend-id. Connects nothing
 * yet: netfront_poll() does. -XEN_EINVAL for a missing op, a bad dir or
 * a bad "mac"; -XEN_ENOMEM when pages run out; or the store's error.
 */
int netfront_init(struct netfront *nf, const struct netfront_ops *ops,
		  const char *dir);

/*
 * Everything that waits: transmit and receive responses, watch events,
 * the connection's state machine, grants to take back, queued frames.
 * Returns the number of frames delivered to ops.rx.
 */
int netfront_poll(struct netfront *nf);

/*
 * Send one Ethernet frame (no FCS) of NETFRONT_FRAME_MIN to
 * NETFRONT_FRAME_MAX bytes; it is copied. 0 when sent or queued (while
 * not connected, or the ring is full); -XEN_EINVAL for a bad length,
 * -XEN_ENOBUFS when every buffer is taken (counted in tx_dropped),
 * -XEN_ENOTCONN after netfront_shutdown().
 */
int netfront_send(struct netfront *nf, const void *frame, size_t len);

/*
 * Close the vif: our state Closing then Closed, grants taken back (busy
 * ones leaked), pages freed, watches removed. nf may be set up again.
 */
void netfront_shutdown(struct netfront *nf);

enum netfront_state netfront_state(const struct netfront *nf);
bool netfront_connected(const struct netfront *nf);
/* The vif's MAC address, as read from <dir>/mac. */
void netfront_mac(const struct netfront *nf, uint8_t mac[6]);
/* The current event channel, to bind to netfront_poll(); -1 if none. */
long netfront_port(const struct netfront *nf);
/* The backend's domain, as <dir>/backend-id last said. */
domid_t netfront_backend_id(const struct netfront *nf);
const struct netfront_stats *netfront_stats(const struct netfront *nf);

#endif /* STUB_NETFRONT_H */
