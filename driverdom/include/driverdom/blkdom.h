/*
 * The block driver domain: blkback's vbds on the disk controller the
 * domain owns. blkdom_disk.c turns blkback's device operations into the
 * controller driver's requests.
 */
#ifndef DRIVERDOM_BLKDOM_H
#define DRIVERDOM_BLKDOM_H

#include <blkback/blkback.h>
#include <blkback/xenbus.h>
#include <driverdom/blkdrv.h>

#define BD_SLOTS     64 /* device operations in flight, all vbds together */
#define BD_MAX_VBDS  4
#define BD_VBD_PAGES 129 /* local pages per vbd: BB_VBD_PAGES_MIN or more */
#define BD_PAGES     (BD_MAX_VBDS * BD_VBD_PAGES)
#define BD_MAP_VA    0x32000000ul /* a ring page per vbd slot */
/*
 * Data grants mapped for the device at once, all vbds together: the
 * hypervisor's default table of a domain's mappings holds 1024 (8 frames
 * of 128), the vbds' rings take BD_MAX_VBDS. Past it, requests are
 * copied.
 */
#define BD_MAX_MAPS 1000
/*
 * Requests of at least this many sectors are mapped, smaller ones
 * copied (blkback's map_min_sectors); "mapmin=N" on the command line
 * sets it. BD_MAP_OFF: none is. Off by default, by measurement (see
 * blkdom.c): with the hypervisor as it is, mapping costs more than
 * copying at every request size.
 */
#define BD_MAP_OFF	   UINT32_MAX
#define BD_MAP_MIN_SECTORS BD_MAP_OFF
/*
 * Persistent grants a vbd keeps mapped (blkback's persist_max), offered
 * to frontends as feature-persistent: a fair share of BD_MAX_MAPS, so
 * that one frontend cannot leave the others none. "persist=N" on the
 * command line sets it (0: not offered).
 */
#define BD_PERSIST (BD_MAX_MAPS / BD_MAX_VBDS)

_Static_assert(BD_VBD_PAGES >= BB_VBD_PAGES_MIN, "a whole request fits");

struct bd_slot {
	struct blkdrv_req req; /* first: bd_done() finds the slot from it */
	struct blkdrv_seg segs[BB_MAX_SEGS];
	struct bb_io *io; /* NULL: free */
};

struct bd_disk {
	struct blkdrv *bd;
	struct bb_page (*local_page)(void *ctx, unsigned int i);
	void *ctx;
	uint64_t busy; /* bit i: slots[i] holds an io */
	struct bd_slot slots[BD_SLOTS];
};
_Static_assert(BD_SLOTS == 64, "busy has a bit for each slot");

/*
 * bb_env.disk_submit's work: 0 (io->done() follows), -XEN_EAGAIN (no
 * slot, or the controller's queue is full), -XEN_EINVAL (an io the
 * controller cannot take), or the driver's error.
 */
long bd_disk_submit(struct bd_disk *d, struct bb_io *io);
/* The controller's index of namespace nsid, or -1. */
int bd_ns_index(const struct blkdrv *bd, uint32_t nsid);

/*
 * The block benchmark's baseline (blkdom_bench.c, "bench=n"): the
 * guest's workloads through bd itself, n requests each (sequential: n /
 * 8), on npages of pages; prints "blkbench: driver domain ..." lines.
 */
void bd_bench(struct blkdrv *bd, const struct dd_dma *pages,
	      unsigned int npages, unsigned int n);

/* ---- The vbds (blkdom_vbds.c) ---- */

struct bd_slot_vbd {
	bool used;
	bool dirty; /* the store changed below it: bb_xb_update() */
	struct bb_xb x;
};

struct bd_vbds {
	struct bb_xb_ops ops; /* each vbd's env is its slot's index */
	bool rescan;
	struct bd_slot_vbd s[BD_MAX_VBDS];
};

/* Watch backend/vbd and serve what appears there: 0 or -XEN_E*. */
int bd_vbds_start(struct bd_vbds *v, const struct bb_xb_ops *ops);
/* After xenbus_dispatch(): act on what the watches said. */
void bd_vbds_update(struct bd_vbds *v);
/* Every vbd's data path; true when one used its whole budget. */
bool bd_vbds_poll(struct bd_vbds *v, unsigned int budget);
/* The port of vbd's frontend (0: none). */
evtchn_port_t bd_vbd_port(const struct bd_vbds *v, const struct bb_vbd *vbd);
/* "backend/vbd[/<G>[/<dev>...]]": the ids it names (0..2), or < 0. */
int bd_parse_path(const char *path, unsigned int *domid, unsigned int *devid);

#endif
