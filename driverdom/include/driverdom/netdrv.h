/*
 * A NIC driver in a driver domain, as netback (and tests) see it: one
 * PCI function, frames in and out by copy, interrupts as events.
 *
 * Threading: the domain has one vCPU. irq() runs in event context and
 * only reads and acknowledges the device's causes; everything else
 * (rings, the rx callback, recovery after a device reset) runs from
 * poll() in the main loop, so no lock is needed. poll() also checks that
 * the device still holds what the driver programmed and re-initialises
 * it when not (a reset under the driver, a function level reset by the
 * hypervisor, registers reading all-ones).
 *
 * Errors are negative XEN_E* values.
 */
#ifndef DRIVERDOM_NETDRV_H
#define DRIVERDOM_NETDRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <driverdom/pci.h>

#define NETDRV_MAC_LEN	 6
#define NETDRV_FRAME_MIN 14   /* a header; shorter frames are dropped */
#define NETDRV_FRAME_MAX 1514 /* without FCS, without VLAN tag */

/*
 * A received frame, valid only during the call (the buffer goes back to
 * the device afterwards): copy what you keep.
 */
typedef void (*netdrv_rx_fn)(void *ctx, const uint8_t *frame, size_t len);

struct netdrv_stats {
	unsigned long rx_frames, rx_bytes;
	unsigned long rx_dropped; /* bad descriptor, error or no callback */
	unsigned long tx_frames, tx_bytes;
	unsigned long tx_busy; /* send() refused: ring full */
	unsigned long irqs;    /* interrupts the driver acknowledged */
	unsigned long resets;  /* device found reset and re-initialised */
};

struct netdrv;

struct netdrv_ops {
	const char *name;
	uint16_t vendor, device; /* the PCI IDs it drives */
	/* Reset the device, set up rings and the interrupt, enable rx/tx. */
	long (*init)(struct netdrv *nd);
	void (*mac)(struct netdrv *nd, uint8_t out[NETDRV_MAC_LEN]);
	bool (*link_up)(struct netdrv *nd);
	/*
	 * Copy len bytes to a tx buffer: 0, -EAGAIN, -EINVAL. Started at
	 * once unless more (more frames follow at once): then by flush(),
	 * the next send without more, or when enough are waiting.
	 */
	long (*send)(struct netdrv *nd, const void *frame, size_t len,
		     bool more);
	/* Start every frame sent with more. */
	void (*flush)(struct netdrv *nd);
	/*
	 * Lend the buffer of the ahead-th free tx descriptor (0: the one the
	 * next send() fills), NULL when fewer are free: a frame written
	 * there and passed to send() when its turn comes is not copied
	 * again. It is the caller's to write until then. May be NULL.
	 */
	uint8_t *(*tx_buf)(struct netdrv *nd, unsigned int ahead,
			   uint64_t *bus);
	/*
	 * Check the device, reap tx, deliver up to budget rx frames; returns
	 * how many (budget: more may be waiting, call again).
	 */
	unsigned int (*poll)(struct netdrv *nd, unsigned int budget);
	/* Make the device raise its interrupt (a self-test); may be NULL. */
	void (*test_irq)(struct netdrv *nd);
	/* Event context: acknowledge the device's interrupt causes. */
	void (*irq)(struct netdrv *nd);
};

struct netdrv {
	const struct netdrv_ops *ops;
	struct dd_pci *pci;
	struct dd_irq irq;
	netdrv_rx_fn rx;
	void *rx_ctx;
	struct netdrv_stats stats;
	void *priv; /* the driver's */
};

extern const struct netdrv_ops e1000e_netdrv_ops;

/*
 * Pick the driver for pci's IDs, bind MSI-X entry 0 and init() the
 * driver, delivering frames to rx(ctx): -XEN_ENODEV when no driver knows
 * the device. Events must be set up (stub_events_init()): drivers sleep
 * with stub_sleep() while the device resets.
 */
long netdrv_open(struct netdrv *nd, struct dd_pci *pci, netdrv_rx_fn rx,
		 void *ctx);

static inline void netdrv_mac(struct netdrv *nd, uint8_t out[NETDRV_MAC_LEN])
{
	nd->ops->mac(nd, out);
}

static inline bool netdrv_link_up(struct netdrv *nd)
{
	return nd->ops->link_up(nd);
}

static inline long netdrv_send(struct netdrv *nd, const void *frame, size_t len)
{
	return nd->ops->send(nd, frame, len, false);
}

/*
 * A frame of a burst: the device is told of the burst once (one tail
 * write, a costly MMIO exit under emulation), at netdrv_flush().
 */
static inline long netdrv_send_more(struct netdrv *nd, const void *frame,
				    size_t len)
{
	return nd->ops->send(nd, frame, len, true);
}

static inline void netdrv_flush(struct netdrv *nd)
{
	nd->ops->flush(nd);
}

/* A tx buffer to build a frame in (see tx_buf), or NULL. */
static inline uint8_t *netdrv_tx_buf(struct netdrv *nd, unsigned int ahead,
				     uint64_t *bus)
{
	return nd->ops->tx_buf ? nd->ops->tx_buf(nd, ahead, bus) : NULL;
}

static inline unsigned int netdrv_poll(struct netdrv *nd, unsigned int budget)
{
	return nd->ops->poll(nd, budget);
}

#endif
