/*
 * The NVMe driver's own state, shared by its files: nvme.c (the
 * blkdrv ops, health checks and recovery), nvme_ctrl.c (bringing the
 * controller up: registers, admin queue, identify, I/O queues),
 * nvme_io.c (requests on the I/O queue pair) and nvme_prp.c.
 *
 * One controller per domain; one I/O queue pair, whose completions
 * interrupt on MSI-X vector 0; the admin queue shares the vector but is
 * only ever polled, one command at a time, while the I/O queue is down.
 */
#ifndef DRIVERDOM_NVME_H
#define DRIVERDOM_NVME_H

#include <stdbool.h>
#include <stdint.h>
#include <driverdom/blkdrv.h>
#include <driverdom/nvme_spec.h>
#include <driverdom/pci.h>

#define NVME_MS		 1000000ull
#define NVME_ADMIN_DEPTH 16
#define NVME_IO_DEPTH	 64 /* entries: the SQ fills one page */
#define NVME_SLOTS	 (NVME_IO_DEPTH - 1) /* a full SQ keeps one free */
_Static_assert(NVME_SLOTS < 64, "nvme_ctrl.busy has a bit for each slot");
#define NVME_SQ_HOLD	   16 /* SQ entries a burst writes per doorbell */
#define NVME_IO_QID	   1
#define NVME_SQES	   6 /* 2^6: 64-byte submission entries */
#define NVME_CQES	   4 /* 2^4: 16-byte completion entries */
#define NVME_ADMIN_TIMEOUT (2000 * NVME_MS)

enum nvme_state {
	NVME_DOWN,   /* being (re-)initialised */
	NVME_READY,  /* the I/O queues run */
	NVME_FAILED, /* could not be brought back: requests fail */
};

/* One page of queue entries and our end of its ring. */
struct nvme_queue {
	struct dd_dma mem;
	unsigned int depth;
	unsigned int pos;      /* SQ: next entry we write; CQ: we read */
	uint16_t phase;	       /* CQ: the phase bit of new entries */
	volatile uint32_t *db; /* SQ tail or CQ head doorbell */
	unsigned int held;     /* SQ: entries written, the doorbell not rung */
};

/*
 * A request in flight. The command is kept as issued so that recovery
 * can issue it again unchanged (its PRP list or DSM range stays in
 * list). The CID carries the slot index and gen, bumped at each issue,
 * so a completion left over from an earlier issue matches nothing.
 */
struct nvme_slot {
	struct blkdrv_req *req; /* NULL: free */
	struct nvme_sqe sqe;
	struct dd_dma list;
	uint64_t issued; /* stub_now() at the last issue */
	uint64_t seq;	 /* submission order */
	uint32_t bytes;	 /* data moved, for the stats */
	uint8_t gen;
	uint8_t tries;
};

struct nvme_ctrl {
	volatile uint8_t *regs; /* BAR0 page 0 */
	volatile uint8_t *dbs;	/* BAR0 from NVME_REG_DBS */
	uint64_t cap;
	uint32_t cc;	     /* as we programmed it */
	uint32_t db_stride;  /* bytes between doorbells */
	uint64_t ready_wait; /* CAP.TO, in ns */
	struct nvme_queue asq, acq, iosq, iocq;
	struct dd_dma ident;
	struct nvme_slot slots[NVME_SLOTS];
	uint64_t busy;	    /* bit i: slots[i].req is set */
	unsigned int depth; /* I/O queue entries, fixed at the first init */
	uint64_t next_seq;
	uint16_t admin_cid;
	enum nvme_state state;
	uint64_t next_check;	 /* stub_now() of the next health check */
	unsigned int failures;	 /* re-initialisations failed in a row */
	volatile bool irq_ready; /* irq() may count */
	bool allocated;
};

static inline uint32_t nvme_r32(const struct nvme_ctrl *c, unsigned int reg)
{
	return *(volatile uint32_t *)(c->regs + reg);
}

static inline void nvme_w32(struct nvme_ctrl *c, unsigned int reg, uint32_t v)
{
	*(volatile uint32_t *)(c->regs + reg) = v;
}

/* nvme_ctrl.c */
/* Map the registers and allocate the DMA pages, once. */
long nvme_ctrl_alloc(struct blkdrv *bd, struct nvme_ctrl *c);
/*
 * From any state to running I/O queues: disable, admin queue, enable,
 * identify (bd->geom), create the I/O queue pair. Sleeps; main loop.
 */
long nvme_ctrl_start(struct blkdrv *bd, struct nvme_ctrl *c);
/* Take the next completion of q into *cqe: false when there is none. */
bool nvme_cq_take(struct nvme_queue *q, struct nvme_cqe *cqe);
/* A completion's status as 0 or a negative XEN_E* value. */
long nvme_status(uint16_t status);

/* nvme_io.c */
long nvme_io_submit(struct blkdrv *bd, struct nvme_ctrl *c,
		    struct blkdrv_req *req, bool more);
/* Ring the I/O SQ's doorbell for the entries held back. */
void nvme_io_ring(struct nvme_ctrl *c);
/* Complete up to budget requests from the I/O CQ; how many. */
unsigned int nvme_io_reap(struct blkdrv *bd, struct nvme_ctrl *c,
			  unsigned int budget);
/* After a re-init: issue every request in flight again, oldest first. */
unsigned int nvme_io_reissue(struct blkdrv *bd, struct nvme_ctrl *c);
/* Complete every request in flight with status. */
unsigned int nvme_io_fail_all(struct blkdrv *bd, struct nvme_ctrl *c,
			      long status);
/* Has a request been in flight longer than limit ns? */
bool nvme_io_overdue(const struct nvme_ctrl *c, uint64_t now, uint64_t limit);

#endif
