/*
 * blkback: the backend of Xen's blkif protocol, as a library a driver
 * domain links (and host tests link).
 *
 * A vbd (virtual block device) is a range of one namespace of a physical
 * disk, read-only or read-write, that one frontend sees as a whole disk
 * of 512-byte sectors. A request's data moves one of two ways:
 *
 * - Copied: a write is grant-copied into local pages the env supplies
 *   (DMA-able, the device's own) and then written; a read is read into
 *   local pages and then grant-copied out. The device never reaches a
 *   guest frame.
 * - Mapped (when the env offers grant_map and the request is large
 *   enough, cfg.map_min_sectors): the request's grants are mapped for
 *   the device alone (GNTMAP_device_map, no CPU mapping; read-only for
 *   a write) in one batch, the device reads or writes the guest's
 *   frames at the bus addresses the maps return, and every mapping is
 *   unmapped in one batch once the device is done, before the answer
 *   (so the frontend can end its grants at once). Only requests whose
 *   segments NVMe PRPs can express are mapped (every segment but the
 *   first starts on its page, every one but the last ends on it); the
 *   others are copied. A map that fails fails the request before any
 *   io (nothing written); one refused for lack of room (the env's
 *   budget, the hypervisor's table) makes the request copied instead.
 *   Mappings outlive a disconnect only as long as their io is at the
 *   device: they are unmapped when it finishes.
 * - Persistent (when the frontend asks for it with feature-persistent,
 *   which blkback offers when cfg.persist_max is not 0): a grant is
 *   mapped for the device (writable) the first time a request names
 *   it and stays mapped until the connection is over, so a frontend
 *   that grants the same pages again and again (a pool, or buffers it
 *   registered) costs no grant operation per request at all. Up to
 *   cfg.persist_max grants a vbd; a request naming one more, or a
 *   grant that cannot be mapped so (read-only, bad, no room in the
 *   env), is served as above instead, and that grant is not tried
 *   again on that connection. Every persistent mapping is unmapped
 *   once the vbd is disconnected and no io of it is at the device.
 *
 * The library touches only its own structs and the ring it is given;
 * everything else comes from struct bb_env (grant copies, local pages,
 * the disk, events, the clock, the log), so one build runs in a driver
 * domain and another on the host against fakes. There is no dynamic
 * memory: every table is a fixed array sized by the constants below and
 * the caller owns the storage of every struct.
 *
 * Threading: none. One caller at a time for all vbds of one env (a
 * driver domain's main loop). Env ops must not call into blkback, with
 * one exception: a bb_io's done() may be called at any time, even from
 * inside disk_submit(); it only records the result, and the next
 * bb_vbd_poll() acts on it.
 *
 * Trust: the frontend writes its ring page at any time. The shared
 * producer index is read once per batch and checked; each request is
 * copied out (RING_COPY_REQUEST) and judged on the copy alone. A bad
 * request gets BLKIF_RSP_ERROR (an unknown operation
 * BLKIF_RSP_EOPNOTSUPP) and touches no sector; an impossible producer
 * index disconnects that vbd alone, logged once.
 *
 * Errors are negative XEN_E* values (<public/errno.h>).
 */
#ifndef BLKBACK_BLKBACK_H
#define BLKBACK_BLKBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <public/errno.h>
#include <public/grant_table.h>
#include <public/io/blkif.h>

#define BB_SECTOR_SIZE	    512 /* blkif's sector, whatever the device's */
#define BB_PAGE_SIZE	    4096
#define BB_SECTORS_PER_PAGE (BB_PAGE_SIZE / BB_SECTOR_SIZE)
#define BB_RING_SLOTS	    __CONST_RING_SIZE(blkif, XEN_PAGE_SIZE)

/* Segments of an indirect request (feature-max-indirect-segments). */
#define BB_MAX_INDIRECT_SEGS 64
#define BB_MAX_SEGS	     BB_MAX_INDIRECT_SEGS
#define BB_INDIRECT_PAGES                                             \
	((BB_MAX_INDIRECT_SEGS + BLKIF_SEGS_PER_INDIRECT_FRAME - 1) / \
	 BLKIF_SEGS_PER_INDIRECT_FRAME)
/* Grant-copy ops of one request: a segment may straddle two local pages. */
#define BB_COPY_OPS (2 * BB_MAX_SEGS)

/*
 * A vbd's local pages: its first is the scratch page indirect segment
 * lists are copied into, the others carry data. It needs room for one
 * request of BB_MAX_SEGS pages at least; more pages, more requests in
 * flight.
 */
#define BB_VBD_PAGES_MIN (1 + BB_MAX_SEGS)
#define BB_VBD_PAGES_MAX 256

/* A local page: BB_PAGE_SIZE bytes at va, frame mfn, bus (DMA) address. */
struct bb_page {
	void *va;
	uint64_t mfn; /* for grant copies (DOMID_SELF gmfn) */
	uint64_t bus; /* for the device */
};

/* A piece of a mapped guest frame, for the device: bus address, bytes. */
struct bb_seg {
	uint64_t bus;
	uint32_t len;
};

enum bb_io_op { BB_IO_READ, BB_IO_WRITE, BB_IO_FLUSH, BB_IO_DISCARD };

/*
 * One device operation. lba and nblocks are in the device's logical
 * blocks, absolute on namespace nsid (READ, WRITE, DISCARD; a FLUSH has
 * neither). READ and WRITE move nblocks * block_size bytes either
 * through npages local pages, packed (every page full but the last), or
 * (npages 0) through nsegs pieces of guest frames mapped for the device,
 * shaped as NVMe PRPs want them: every piece but the first starts on a
 * page boundary, every one but the last ends on one, lengths add up.
 * The io is blkback's and stays put until done() was called.
 */
struct bb_io {
	enum bb_io_op op;
	uint32_t nsid;
	uint64_t lba, nblocks;
	unsigned int npages;
	const uint16_t *page; /* env->local_page() indices */
	unsigned int nsegs;
	const struct bb_seg *seg; /* mapped guest frames (npages 0) */
	/* Exactly once per accepted io: status 0, or -XEN_E* (failed). */
	void (*done)(struct bb_io *io, int status);
};

struct bb_vbd;

struct bb_env {
	/*
	 * GNTTABOP_copy on n ops: 0 with each op's status set, or -XEN_E*
	 * when the batch as a whole failed (every op then counts as failed).
	 */
	long (*grant_copy)(void *ctx, struct gnttab_copy *ops, unsigned int n);
	/*
	 * Optional (NULL: every request is copied). GNTTABOP_map_grant_ref
	 * on n ops blkback filled in: 0 with each op's status (and, when
	 * GNTST_okay, handle and dev_bus_addr) set; -XEN_ENOSPC with none
	 * mapped when the env has no room for n more mappings (the request
	 * is copied instead); another -XEN_E* when the batch failed (ops
	 * whose status reads GNTST_okay are mapped all the same).
	 */
	long (*grant_map)(void *ctx, struct gnttab_map_grant_ref *ops,
			  unsigned int n);
	/* GNTTABOP_unmap_grant_ref on n ops: as grant_copy. */
	long (*grant_unmap)(void *ctx, struct gnttab_unmap_grant_ref *ops,
			    unsigned int n);
	/* Local page i: the same page on every call. */
	struct bb_page (*local_page)(void *ctx, unsigned int i);
	/*
	 * Start io: 0 (io->done() follows, later or already); -XEN_EBUSY
	 * or -XEN_EAGAIN when the device's queue is full (submitted again
	 * at the next bb_vbd_poll()); any other -XEN_E* fails the request
	 * (answered an error). io->done() follows only a 0.
	 */
	long (*disk_submit)(void *ctx, struct bb_io *io);
	/* Send an event to vbd's frontend. */
	void (*notify)(void *ctx, struct bb_vbd *vbd);
	/* A monotonic clock in ns; not called yet (kept for io ages). */
	uint64_t (*now_ns)(void *ctx);
	void (*log)(void *ctx, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
	void *ctx;
};

/* ---- What a vbd is ---------------------------------------------------- */

/*
 * start and sectors are in 512-byte sectors on namespace nsid, both
 * multiples of block_size / 512, inside the namespace's ns_sectors.
 */
struct bb_vbd_config {
	uint32_t nsid;
	uint64_t start, sectors;
	uint64_t ns_sectors;
	uint32_t block_size; /* the device's logical block: 512..4096, 2^n */
	bool readonly;
	bool discard; /* the device discards: feature-discard */
	/* The vbd's local pages: env->local_page(page_base + i). */
	unsigned int page_base, page_count;
	/*
	 * Data requests of at least this many sectors are mapped (when the
	 * env maps at all and their segments allow it); 0: every one.
	 */
	uint32_t map_min_sectors;
	/* Grants kept mapped across requests, at most; 0: none. */
	uint32_t persist_max;
	/*
	 * Segments of an indirect request offered and taken, at most (what
	 * the device moves in one op), BB_MAX_INDIRECT_SEGS when 0 or more;
	 * up to BLKIF_MAX_SEGMENTS_PER_REQUEST, none is offered.
	 */
	uint32_t indirect_segs;
};

/* cfg's indirect_segs as it applies (0 when none is offered). */
unsigned int bb_indirect_segs(const struct bb_vbd_config *cfg);

/* 0, or -XEN_EINVAL with *why saying what is wrong with cfg. */
int bb_config_check(const struct bb_vbd_config *cfg, const char **why);

/* ---- Requests, judged on a private copy (check.c) --------------------- */

/* A read or write, decoded: where on the vbd and from which grants. */
struct bb_rw {
	uint8_t op;	 /* BLKIF_OP_READ or _WRITE */
	uint16_t nsegs;	 /* 1..BB_MAX_SEGS */
	uint64_t sector; /* on the vbd, 512-byte sectors */
	uint32_t nsect;	 /* the segments' sectors, added up */
	/*
	 * NVMe PRPs take the segments as they are: every one but the first
	 * starts its page, every one but the last ends it.
	 */
	bool shaped;
	struct blkif_request_segment seg[BB_MAX_SEGS];
};

/*
 * Check a read or write's segments and range against cfg: 0 (nsect and
 * shaped set), or BLKIF_RSP_ERROR. Does not look at op beyond
 * READ/WRITE.
 */
int bb_check_rw(const struct bb_vbd_config *cfg, struct bb_rw *rw);
/* The same for a discard of nr sectors at sector. */
int bb_check_discard(const struct bb_vbd_config *cfg, uint64_t sector,
		     uint64_t nr);
/*
 * The device op for sectors [sector, sector + nsect) of the vbd (checked
 * already): absolute device blocks.
 */
void bb_map_range(const struct bb_vbd_config *cfg, uint64_t sector,
		  uint64_t nsect, uint64_t *lba, uint64_t *nblocks);

/* ---- A vbd: one frontend's ring --------------------------------------- */

struct bb_vbd_stats {
	unsigned long reads, writes, flushes, barriers, discards;
	unsigned long read_sectors, written_sectors;
	unsigned long errors;	       /* answered BLKIF_RSP_ERROR */
	unsigned long unsupported;     /* answered BLKIF_RSP_EOPNOTSUPP */
	unsigned long stalls;	       /* times the ring waited for pages */
	unsigned long busy;	       /* submits the device had no room for */
	unsigned long mapped;	       /* data requests served by mapping */
	unsigned long map_full;	       /* maps refused for room: copied */
	unsigned long unmap_failed;    /* mappings left (logged) */
	unsigned long persistent;      /* data requests in persistent grants */
	unsigned long persist_refused; /* grants not kept: served otherwise */
	const char *disconnect_reason; /* NULL while connected */
};

enum bb_req_state {
	BB_REQ_FREE,
	BB_REQ_WAIT,   /* a barrier waiting for earlier requests */
	BB_REQ_RETRY,  /* the device was busy: submit again */
	BB_REQ_DEVICE, /* an io at the device */
	BB_REQ_DONE,   /* the io finished: bb_vbd_poll() goes on */
	BB_REQ_STATES
};

/* A request taken off the ring, until it is answered. */
struct bb_req {
	struct bb_io io; /* first: done() finds the request from it */
	struct bb_vbd *vbd;
	enum bb_req_state state;
	uint8_t op;	/* for the response: BLKIF_OP_* */
	uint8_t nsteps; /* device ops to run, in order */
	uint8_t step;	/* the one at the device, or next */
	uint8_t steps[3];
	int io_status; /* of the last io */
	uint64_t id;
	struct bb_rw rw; /* data requests; discard: sector, nsect unused */
	uint64_t discard_nr;
	uint16_t npages;
	uint16_t page[BB_MAX_SEGS];
	/*
	 * Mapped: nmaps grants of rw.seg[] (handles, unmapped when it is
	 * done); mapped or persistent: the device's view, nbus pieces.
	 */
	uint16_t nmaps, nbus;
	grant_handle_t handle[BB_MAX_SEGS];
	struct bb_seg bus_seg[BB_MAX_SEGS];
};

/* Grants a vbd keeps mapped (cfg.persist_max at most) and their table. */
#define BB_PERSIST_MAX	 256
#define BB_PERSIST_SLOTS (2 * BB_PERSIST_MAX) /* open addressing, 2^n */

enum bb_persist_state {
	BB_PERSIST_FREE,
	BB_PERSIST_PENDING, /* being mapped (inside one request's take) */
	BB_PERSIST_MAPPED,
	BB_PERSIST_REFUSED, /* served otherwise for this connection */
};

struct bb_persist {
	grant_ref_t ref;
	grant_handle_t handle;
	uint8_t state; /* enum bb_persist_state */
	uint64_t bus;  /* of the frame (page-aligned) */
};

struct bb_vbd {
	const struct bb_env *env;
	struct bb_vbd_config cfg;
	domid_t domid;
	bool connected;
	bool barrier;	     /* a barrier holds the ring until answered */
	bool persistent;     /* the frontend reuses its grants */
	unsigned int active; /* requests not free */
	unsigned int free_pages;
	uint64_t page_used[BB_VBD_PAGES_MAX / 64];
	struct blkif_back_ring ring;
	struct bb_vbd_stats stats;
	/*
	 * The slots of req[] in each state (bit i: req[i]): a poll finds
	 * the requests it has work for without reading every slot, each in
	 * pages of its own.
	 */
	uint64_t in_state[BB_REQ_STATES];
	struct bb_req req[BB_RING_SLOTS];
	/* Scratch of one request's copies and its indirect segment list. */
	struct gnttab_copy copy[BB_COPY_OPS];
	/* Scratch of one request's maps and unmaps. */
	struct gnttab_map_grant_ref map[BB_MAX_SEGS];
	struct gnttab_unmap_grant_ref unmap[BB_MAX_SEGS];
	/* Persistent grants: npersist entries used in the table. */
	unsigned int npersist;
	struct bb_persist persist[BB_PERSIST_SLOTS];
};

/* Take cfg (checked: bb_config_check()); not connected yet. */
int bb_vbd_init(struct bb_vbd *vbd, const struct bb_env *env,
		const struct bb_vbd_config *cfg);
/*
 * Serve the frontend domid whose shared ring is mapped at sring (the
 * frontend initialised it): 0, -XEN_EBUSY while ios of an earlier
 * connection are still at the device (bb_vbd_busy()), -XEN_EISCONN.
 */
int bb_vbd_attach(struct bb_vbd *vbd, domid_t domid, struct blkif_sring *sring);
/*
 * Stop using the ring for good: logged once, the first reason kept in
 * stats.disconnect_reason. ios at the device finish unanswered; the
 * ring may be unmapped at once, the vbd reused once not busy.
 */
void bb_vbd_disconnect(struct bb_vbd *vbd, const char *reason);
/*
 * Whether the vbd keeps grants a frontend reuses (feature-persistent):
 * cfg.persist_max and an env that maps and unmaps.
 */
bool bb_vbd_persist_offered(const struct bb_vbd *vbd);
/*
 * Whether the frontend of this connection reuses its grants (it wrote
 * feature-persistent): between bb_vbd_attach() and the first poll. On
 * only where it is offered.
 */
void bb_vbd_persist(struct bb_vbd *vbd, bool on);
/* ios at the device: local pages (or guest frames) still in use. */
bool bb_vbd_busy(const struct bb_vbd *vbd);

/*
 * Answer the requests whose ios finished (going on with the next io of
 * those that have more), then take up to budget requests off the ring.
 * Returns the requests taken. Less than budget means the ring is empty,
 * the local pages are all in use (a completion frees them: poll again
 * then), a barrier holds the ring, or the vbd was disconnected. The
 * env calls it on the frontend's event and after ios finished.
 */
unsigned int bb_vbd_poll(struct bb_vbd *vbd, unsigned int budget);

/* ---- Where a vbd lives: "target" strings and GPT partitions ----------- */

/*
 * "<nsid>:<start>+<len>" (512-byte sectors, decimal) or
 * "<nsid>:gpt:<n>" (partition n >= 1 of the namespace's GPT).
 */
struct bb_target {
	uint32_t nsid;
	bool gpt;
	unsigned int part;	 /* gpt */
	uint64_t start, sectors; /* !gpt */
};

/* 0, or -XEN_EINVAL with t untouched. */
int bb_target_parse(const char *s, struct bb_target *t);

/*
 * What bb_gpt_find() reads: the first BB_GPT_BYTES of the namespace
 * (protective MBR, header, a standard 128-entry array after it, for
 * 512- and 4096-byte blocks).
 */
#define BB_GPT_BYTES	   (2 * 4096 + 128 * 128)
#define BB_GPT_MAX_ENTRIES 1024
#define BB_GPT_NAME_CHARS  36
#define BB_GPT_GUID_LEN	   16

/* Which partition: by number (>= 1), by unique GUID, or by name. */
enum bb_gpt_by { BB_GPT_BY_NUMBER, BB_GPT_BY_GUID, BB_GPT_BY_NAME };
struct bb_gpt_key {
	enum bb_gpt_by by;
	unsigned int number;
	uint8_t guid[BB_GPT_GUID_LEN]; /* as stored on disk */
	const char *name;	       /* ASCII, compared with the UTF-16 */
};

struct bb_gpt_part {
	unsigned int number;
	uint8_t type_guid[BB_GPT_GUID_LEN], guid[BB_GPT_GUID_LEN];
	uint64_t first_lba, last_lba; /* device blocks, inclusive */
	uint64_t start, sectors;      /* the same in 512-byte sectors */
};

/*
 * Find key in the GPT at the start of a namespace of ns_blocks blocks of
 * block_size bytes, buf holding its first len bytes: 0 with *part set;
 * -XEN_EINVAL (no valid table: *why says which check failed),
 * -XEN_ENOENT (no such partition), -XEN_ERANGE (the entry array is not
 * within len bytes).
 */
int bb_gpt_find(const void *buf, size_t len, uint32_t block_size,
		uint64_t ns_blocks, const struct bb_gpt_key *key,
		struct bb_gpt_part *part, const char **why);
/* GUID text "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" to its on-disk bytes. */
int bb_gpt_guid_parse(const char *s, uint8_t guid[BB_GPT_GUID_LEN]);

/* CRC-32 (IEEE 802.3, as UEFI uses it) of len bytes, continuing crc. */
uint32_t bb_crc32(uint32_t crc, const void *buf, size_t len);

#endif
