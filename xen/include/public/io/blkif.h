/*
 * The block device protocol (vbd): one ring of requests and responses on
 * a granted page (xenstore ring-ref, event-channel, protocol). A request
 * moves up to BLKIF_MAX_SEGMENTS_PER_REQUEST segments, each a granted page
 * and a range of 512-byte sectors within it.
 *
 * Xen's C definition of these requests leaves the compiler to pad after
 * the 4 bytes that precede id, which made 32-bit and 64-bit x86 layouts
 * differ. Here every layout is the 64-bit one, with its padding written
 * out; id is at offset 8 in every request type, as a 64-bit Linux guest
 * expects.
 */
#ifndef XEN_PUBLIC_IO_BLKIF_H
#define XEN_PUBLIC_IO_BLKIF_H

#include <stdint.h>
#include "../xen-compat.h"
#include "../grant_table.h"
#include "ring.h"

typedef uint16_t blkif_vdev_t;	 /* the frontend's device number */
typedef uint64_t blkif_sector_t; /* a sector index, 512-byte sectors */

#define BLKIF_OP_READ		 0
#define BLKIF_OP_WRITE		 1
#define BLKIF_OP_WRITE_BARRIER	 2 /* feature-barrier */
#define BLKIF_OP_FLUSH_DISKCACHE 3 /* feature-flush-cache */
#define BLKIF_OP_RESERVED_1	 4 /* used by an old out-of-tree protocol */
#define BLKIF_OP_DISCARD	 5 /* feature-discard: blkif_request_discard */
#define BLKIF_OP_INDIRECT	 6 /* feature-max-indirect-segments */

#define BLKIF_MAX_SEGMENTS_PER_REQUEST	     11
#define BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST 8

/* A segment: sectors first_sect..last_sect (inclusive) of page gref. */
struct blkif_request_segment {
	grant_ref_t gref;
	uint8_t first_sect, last_sect; /* 0..7 within the 4 KiB page */
	uint16_t _pad0;
};
XEN_ABI_SIZE(struct blkif_request_segment, 8);
XEN_ABI_OFFSET(struct blkif_request_segment, first_sect, 4);
XEN_ABI_OFFSET(struct blkif_request_segment, last_sect, 5);

/* Segments one indirect page holds. */
#define BLKIF_SEGS_PER_INDIRECT_FRAME \
	(XEN_PAGE_SIZE / sizeof(struct blkif_request_segment))

/* Read, write, barrier and flush requests. */
struct blkif_request {
	uint8_t operation;   /* BLKIF_OP_* */
	uint8_t nr_segments; /* 1..11 (0 for a flush) */
	blkif_vdev_t handle;
	uint32_t _pad1;
	uint64_t id; /* echoed in the response */
	blkif_sector_t sector_number;
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};
typedef struct blkif_request blkif_request_t;
XEN_ABI_SIZE(struct blkif_request, 112);
XEN_ABI_OFFSET(struct blkif_request, nr_segments, 1);
XEN_ABI_OFFSET(struct blkif_request, handle, 2);
XEN_ABI_OFFSET(struct blkif_request, id, 8);
XEN_ABI_OFFSET(struct blkif_request, sector_number, 16);
XEN_ABI_OFFSET(struct blkif_request, seg, 24);

/* BLKIF_OP_DISCARD: forget nr_sectors sectors from sector_number. */
#define BLKIF_DISCARD_SECURE (1 << 0) /* with feature-discard-secure */

struct blkif_request_discard {
	uint8_t operation; /* BLKIF_OP_DISCARD */
	uint8_t flag;	   /* BLKIF_DISCARD_SECURE or 0 */
	blkif_vdev_t handle;
	uint32_t _pad1;
	uint64_t id;
	blkif_sector_t sector_number;
	uint64_t nr_sectors;
};
typedef struct blkif_request_discard blkif_request_discard_t;
XEN_ABI_SIZE(struct blkif_request_discard, 32);
XEN_ABI_OFFSET(struct blkif_request_discard, flag, 1);
XEN_ABI_OFFSET(struct blkif_request_discard, id, 8);
XEN_ABI_OFFSET(struct blkif_request_discard, sector_number, 16);
XEN_ABI_OFFSET(struct blkif_request_discard, nr_sectors, 24);

/*
 * BLKIF_OP_INDIRECT: a read or write whose nr_segments segments are listed
 * in the granted pages indirect_grefs, BLKIF_SEGS_PER_INDIRECT_FRAME each.
 */
struct blkif_request_indirect {
	uint8_t operation;    /* BLKIF_OP_INDIRECT */
	uint8_t indirect_op;  /* BLKIF_OP_READ or _WRITE */
	uint16_t nr_segments; /* up to feature-max-indirect-segments */
	uint32_t _pad1;
	uint64_t id;
	blkif_sector_t sector_number;
	blkif_vdev_t handle;
	uint16_t _pad2;
	grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	uint32_t _pad3;
};
typedef struct blkif_request_indirect blkif_request_indirect_t;
XEN_ABI_SIZE(struct blkif_request_indirect, 64);
XEN_ABI_OFFSET(struct blkif_request_indirect, indirect_op, 1);
XEN_ABI_OFFSET(struct blkif_request_indirect, nr_segments, 2);
XEN_ABI_OFFSET(struct blkif_request_indirect, id, 8);
XEN_ABI_OFFSET(struct blkif_request_indirect, sector_number, 16);
XEN_ABI_OFFSET(struct blkif_request_indirect, handle, 24);
XEN_ABI_OFFSET(struct blkif_request_indirect, indirect_grefs, 28);

struct blkif_response {
	uint64_t id;	   /* of the request */
	uint8_t operation; /* of the request */
	uint8_t _pad0;
	int16_t status; /* BLKIF_RSP_* */
	uint32_t _pad1;
};
typedef struct blkif_response blkif_response_t;
XEN_ABI_SIZE(struct blkif_response, 16);
XEN_ABI_OFFSET(struct blkif_response, operation, 8);
XEN_ABI_OFFSET(struct blkif_response, status, 10);

#define BLKIF_RSP_EOPNOTSUPP (-2) /* operation not supported */
#define BLKIF_RSP_ERROR	     (-1)
#define BLKIF_RSP_OKAY	     0

DEFINE_RING_TYPES(blkif, struct blkif_request, struct blkif_response);

/* The other request types travel in the same 112-byte slots. */
XEN_STATIC_ASSERT(sizeof(struct blkif_request_discard) <=
		      sizeof(union blkif_sring_entry),
		  "ABI: discard request fits a slot");
XEN_STATIC_ASSERT(sizeof(struct blkif_request_indirect) <=
		      sizeof(union blkif_sring_entry),
		  "ABI: indirect request fits a slot");
XEN_ABI_SIZE(union blkif_sring_entry, 112);
XEN_STATIC_ASSERT(__CONST_RING_SIZE(blkif, XEN_PAGE_SIZE) == 32,
		  "ABI: blkif ring slots");

/* Bits of the backend's "info" node. */
#define VDISK_CDROM	0x1
#define VDISK_REMOVABLE 0x2
#define VDISK_READONLY	0x4

#endif /* XEN_PUBLIC_IO_BLKIF_H */
