/*
 * A disk controller driver in a driver domain, as blkback (and tests)
 * see it: one PCI function, requests in flight by DMA straight to and
 * from the caller's pages, completions by callback, interrupts as
 * events. NVMe first; virtio-blk and AHCI plug in as more ops tables.
 *
 * Threading: the domain has one vCPU. irq() runs in event context and
 * only notes that the device signalled; everything else (submitting,
 * reaping completions, the done() callbacks, recovery after a device
 * reset) runs from submit() and poll() in the main loop, so no lock is
 * needed. done() is called from poll() only, never from inside
 * submit(), so a callback may submit again.
 *
 * Requests: the caller owns the struct blkdrv_req and the pages its
 * segments name; from a successful submit() until its done() the
 * driver may read the request at any time and the device may DMA to or
 * from the pages at any time (also again, after a reset: see below),
 * so neither is touched or freed meanwhile. Every accepted request gets
 * exactly one done(), with 0 or a negative XEN_E* status.
 *
 * Durability: a WRITE completes when the device reports it done, which
 * may be in its volatile cache (geom.volatile_cache); a FLUSH completes
 * when the device has written its cache to stable media, covering every
 * WRITE completed before the FLUSH was submitted.
 *
 * Trust: the device is not trusted to be sane. What it writes
 * (completion entries, identify data) is read once and checked; a
 * completion for no request in flight is dropped and counted. poll()
 * checks now and then that the device still holds what the driver
 * programmed; when it does not (reset under the driver, registers
 * reading all-ones, a fatal status) or a request is overdue, it
 * re-initialises the device and re-issues every request that was in
 * flight, in the order they were submitted: an acknowledged write is
 * never lost and nothing completes twice, at the price that a request
 * may reach the media more than once (harmless: the caller still holds
 * its data). A request re-issued BLKDRV_TRIES times, or in flight when
 * the device cannot be brought back, completes with -XEN_EIO.
 *
 * Errors are negative XEN_E* values.
 */
#ifndef DRIVERDOM_BLKDRV_H
#define DRIVERDOM_BLKDRV_H

#include <stdbool.h>
#include <stdint.h>
#include <driverdom/pci.h>

#define BLKDRV_MAX_NS 16 /* namespaces (or LUNs) a driver reports */
#define BLKDRV_TRIES  3	 /* issues of one request before -XEN_EIO */

enum blkdrv_op {
	BLKDRV_READ,
	BLKDRV_WRITE,
	BLKDRV_FLUSH,
	BLKDRV_DISCARD,
};

/*
 * A piece of the caller's DMA-able memory (dd_dma_alloc() or granted
 * to the domain): bus address and length. For a READ or WRITE every
 * segment but the first starts on a page boundary and every one but the
 * last ends on one, addresses and lengths are multiples of 4 and the
 * lengths add up to blocks * block_size (what NVMe PRPs can express,
 * and what blkif segments of whole sectors in granted pages give). A
 * driver checks all of it: submit() refuses a request that breaks it
 * with -XEN_EINVAL.
 */
struct blkdrv_seg {
	uint64_t bus;
	uint32_t len;
};

struct blkdrv_req;
typedef void (*blkdrv_done_fn)(struct blkdrv_req *req, long status);

struct blkdrv_req {
	enum blkdrv_op op;
	unsigned int ns; /* index in geom.ns[] */
	uint64_t lba;	 /* first logical block */
	uint32_t blocks; /* READ, WRITE, DISCARD: how many (not 0) */
	/* READ, WRITE: the data, read during submit() only. */
	const struct blkdrv_seg *segs;
	unsigned int nr_segs;
	blkdrv_done_fn done;
	void *ctx; /* the caller's */
};

struct blkdrv_ns {
	uint32_t id;	     /* the device's name for it (NVMe NSID) */
	uint32_t block_size; /* bytes per logical block, 512 to 4096 */
	uint64_t blocks;
};

/* Filled by open(); re-read when the device is re-initialised. */
struct blkdrv_geom {
	unsigned int nr_ns;
	struct blkdrv_ns ns[BLKDRV_MAX_NS];
	uint32_t max_transfer;	  /* bytes in one READ or WRITE */
	uint32_t max_discard;	  /* blocks in one DISCARD; 0: none */
	unsigned int queue_depth; /* requests in flight at most */
	bool volatile_cache;	  /* a FLUSH has work to do */
	char model[41];		  /* the device's, for logs */
};

struct blkdrv_stats {
	unsigned long reads, writes, flushes, discards; /* completed */
	unsigned long read_bytes, write_bytes;
	unsigned long errors;	/* completed with a non-zero status */
	unsigned long busy;	/* submit() refused: queue full */
	unsigned long irqs;	/* events from the device */
	unsigned long resets;	/* device re-initialised under us */
	unsigned long reissued; /* requests issued again after a reset */
	unsigned long timeouts; /* resets because a request was overdue */
	unsigned long bogus;	/* completions matching no request */
};

struct blkdrv;

struct blkdrv_ops {
	const char *name;
	/* The PCI IDs it drives, or (vendor 0xffff) a class code. */
	uint16_t vendor, device;
	uint32_t class_code; /* base, sub-class, programming interface */
	/* Reset the device, read its geometry, set up queues and interrupt. */
	long (*init)(struct blkdrv *bd);
	/*
	 * Check and start one request: 0 (done() will follow),
	 * -XEN_EAGAIN (queue full or device recovering: poll and retry),
	 * -XEN_EINVAL (a bad request), -XEN_EOPNOTSUPP (no DISCARD),
	 * -XEN_ENODEV (the device is gone). Only 0 keeps the request.
	 * With more (more requests follow at once) the device may be told
	 * of it later: by flush(), a submit without more, or when enough
	 * are waiting.
	 */
	long (*submit)(struct blkdrv *bd, struct blkdrv_req *req, bool more);
	/* Tell the device of every request submitted with more. */
	void (*flush)(struct blkdrv *bd);
	/*
	 * Check the device (recovering it if need be), complete up to
	 * budget requests; returns how many (budget: call again).
	 */
	unsigned int (*poll)(struct blkdrv *bd, unsigned int budget);
	/* Event context: note the device's interrupt. */
	void (*irq)(struct blkdrv *bd);
};

struct blkdrv {
	const struct blkdrv_ops *ops;
	struct dd_pci *pci;
	struct dd_irq irq;
	struct blkdrv_geom geom;
	struct blkdrv_stats stats;
	unsigned int in_flight; /* accepted and not yet done() */
	void *priv;		/* the driver's */
};

extern const struct blkdrv_ops nvme_blkdrv_ops;

/*
 * Pick the driver for pci's IDs (or class), bind MSI-X entry 0 and
 * init() the driver: -XEN_ENODEV when no driver knows the device.
 * Events must be set up (stub_events_init()): drivers sleep with
 * stub_sleep() while the device resets.
 */
long blkdrv_open(struct blkdrv *bd, struct dd_pci *pci);

static inline long blkdrv_submit(struct blkdrv *bd, struct blkdrv_req *req)
{
	return bd->ops->submit(bd, req, false);
}

/*
 * A request of a burst: the device is told of the burst once (one
 * doorbell write, a costly MMIO exit under emulation), at blkdrv_flush().
 */
static inline long blkdrv_submit_more(struct blkdrv *bd, struct blkdrv_req *req)
{
	return bd->ops->submit(bd, req, true);
}

static inline void blkdrv_flush(struct blkdrv *bd)
{
	bd->ops->flush(bd);
}

static inline unsigned int blkdrv_poll(struct blkdrv *bd, unsigned int budget)
{
	return bd->ops->poll(bd, budget);
}

static inline const struct blkdrv_geom *blkdrv_geom(const struct blkdrv *bd)
{
	return &bd->geom;
}

#endif
