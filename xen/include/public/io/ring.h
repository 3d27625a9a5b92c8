/*
 * Shared request/response rings, the transport of the split drivers.
 *
 * A ring is one shared page: four indices, 48 bytes of padding, then a
 * power-of-two array of slots, each holding a request or a response. The
 * front end produces requests and consumes responses; the back end does
 * the reverse. Indices are free-running 32-bit counters, reduced modulo
 * the ring size only to pick a slot. Each side also keeps private copies
 * of its own indices (struct *_front_ring, *_back_ring), which are never
 * shared.
 *
 * req_event and rsp_event implement notification hold-off: a producer
 * notifies only if its new producer index passed the consumer's event
 * index, which the consumer sets with RING_FINAL_CHECK_FOR_* before it
 * goes idle.
 *
 * The other side writes the shared page at any time: a back end copies a
 * request out with RING_COPY_REQUEST before checking it, and checks the
 * producer index with RING_REQUEST_PROD_OVERFLOW before trusting it.
 *
 * Usage:
 *   DEFINE_RING_TYPES(foo, struct foo_request, struct foo_response);
 * makes union foo_sring_entry, struct foo_sring, struct foo_front_ring,
 * struct foo_back_ring and their _t typedefs. The front end initialises
 * the page with SHARED_RING_INIT(s) and its state with FRONT_RING_INIT(&r,
 * s, XEN_PAGE_SIZE); the back end calls BACK_RING_INIT(&r, s,
 * XEN_PAGE_SIZE) on the page it mapped.
 */
#ifndef XEN_PUBLIC_IO_RING_H
#define XEN_PUBLIC_IO_RING_H

#include <stddef.h>
#include <stdint.h>
#include "../xen-compat.h"

/*
 * Barriers ordering accesses to the shared page against the other side.
 * The defaults suit a cached, coherent page shared between CPUs; an
 * includer may define its own first. xen_barrier() only stops the
 * compiler.
 */
#ifndef xen_mb
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
#ifndef xen_rmb
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#endif
#ifndef xen_wmb
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif
#ifndef xen_barrier
#define xen_barrier() __asm__ __volatile__("" ::: "memory")
#endif

typedef unsigned int RING_IDX;

/*
 * The largest power of two not above a 32-bit constant, as a constant
 * expression: halve the range that holds the top set bit five times.
 */
#define XEN_RING_POW2_2(x) ((0x2u & (x)) ? 0x2u : (0x1u & (x)))
#define XEN_RING_POW2_4(x) \
	((0xcu & (x)) ? XEN_RING_POW2_2((x) >> 2) << 2 : XEN_RING_POW2_2(x))
#define XEN_RING_POW2_8(x) \
	((0xf0u & (x)) ? XEN_RING_POW2_4((x) >> 4) << 4 : XEN_RING_POW2_4(x))
#define XEN_RING_POW2_16(x) \
	((0xff00u & (x)) ? XEN_RING_POW2_8((x) >> 8) << 8 : XEN_RING_POW2_8(x))
#define XEN_RING_POW2(x)                                         \
	((0xffff0000u & (x)) ? XEN_RING_POW2_16((x) >> 16) << 16 \
			     : XEN_RING_POW2_16(x))

/* Whole slots of slot bytes in bytes, after a header of hdr bytes. */
#define XEN_RING_SLOTS(bytes, hdr, slot) \
	((unsigned int)(((bytes) - (hdr)) / (slot)))

/* Slots of ring type name that fit in sz bytes, by type... */
#define __CONST_RING_SIZE(name, sz)                                 \
	XEN_RING_POW2(                                              \
	    XEN_RING_SLOTS(sz, offsetof(struct name##_sring, ring), \
			   sizeof(((struct name##_sring *)0)->ring[0])))

/* ...and through a pointer to the shared ring. */
#define __RING_SIZE(s, sz)                                             \
	XEN_RING_POW2(XEN_RING_SLOTS(                                  \
	    sz, (size_t)((const char *)(s)->ring - (const char *)(s)), \
	    sizeof((s)->ring[0])))

/* clang-format off */
#define DEFINE_RING_TYPES(name, req_t, rsp_t)                               \
	union name##_sring_entry {                                          \
		req_t req;                                                  \
		rsp_t rsp;                                                  \
	};                                                                  \
                                                                            \
	struct name##_sring {                                               \
		RING_IDX req_prod, req_event;                               \
		RING_IDX rsp_prod, rsp_event;                               \
		uint8_t __pad[48];                                          \
		union name##_sring_entry ring[XEN_FLEX_ARRAY_DIM];          \
	};                                                                  \
	XEN_ABI_OFFSET(struct name##_sring, rsp_event, 12);                 \
	XEN_ABI_OFFSET(struct name##_sring, ring, 64);                      \
                                                                            \
	struct name##_front_ring {                                          \
		RING_IDX req_prod_pvt; /* requests made, not all pushed */  \
		RING_IDX rsp_cons;     /* responses consumed */             \
		unsigned int nr_ents;                                       \
		struct name##_sring *sring;                                 \
	};                                                                  \
                                                                            \
	struct name##_back_ring {                                           \
		RING_IDX rsp_prod_pvt; /* responses made, not all pushed */ \
		RING_IDX req_cons;     /* requests consumed */              \
		unsigned int nr_ents;                                       \
		struct name##_sring *sring;                                 \
	};                                                                  \
                                                                            \
	typedef struct name##_sring name##_sring_t;                         \
	typedef struct name##_front_ring name##_front_ring_t;               \
	typedef struct name##_back_ring name##_back_ring_t
/* clang-format on */

/* Set up an empty shared ring (front end only, before publishing it). */
#define SHARED_RING_INIT(s)                                          \
	do {                                                         \
		(s)->req_prod = (s)->rsp_prod = 0;                   \
		(s)->req_event = (s)->rsp_event = 1;                 \
		__builtin_memset((s)->__pad, 0, sizeof((s)->__pad)); \
	} while (0)

/* Private state at index i: i = 0 for a new ring, else to reconnect. */
#define FRONT_RING_ATTACH(r, s, i, size)             \
	do {                                         \
		(r)->req_prod_pvt = (i);             \
		(r)->rsp_cons = (i);                 \
		(r)->nr_ents = __RING_SIZE(s, size); \
		(r)->sring = (s);                    \
	} while (0)
#define FRONT_RING_INIT(r, s, size) FRONT_RING_ATTACH(r, s, 0, size)

#define BACK_RING_ATTACH(r, s, i, size)              \
	do {                                         \
		(r)->rsp_prod_pvt = (i);             \
		(r)->req_cons = (i);                 \
		(r)->nr_ents = __RING_SIZE(s, size); \
		(r)->sring = (s);                    \
	} while (0)
#define BACK_RING_INIT(r, s, size) BACK_RING_ATTACH(r, s, 0, size)

#define RING_SIZE(r) ((r)->nr_ents)

/* Front end: slots it may still fill, and whether there are none. */
#define RING_FREE_REQUESTS(r) \
	(RING_SIZE(r) - ((r)->req_prod_pvt - (r)->rsp_cons))
#define RING_FULL(r) (RING_FREE_REQUESTS(r) == 0)

static inline RING_IDX xen_ring_idx_min(RING_IDX a, RING_IDX b)
{
	return a < b ? a : b;
}

/*
 * Work waiting on the ring. For requests the count is capped by the slots
 * the back end has not answered yet, so a front end that moves req_prod
 * too far cannot make a back end read slots it still owns.
 */
#define XEN_RING_NR_UNCONSUMED_RESPONSES(r) \
	((RING_IDX)((r)->sring->rsp_prod - (r)->rsp_cons))
#define XEN_RING_NR_UNCONSUMED_REQUESTS(r)                    \
	xen_ring_idx_min(                                     \
	    (RING_IDX)((r)->sring->req_prod - (r)->req_cons), \
	    (RING_IDX)(RING_SIZE(r) - ((r)->req_cons - (r)->rsp_prod_pvt)))
#define RING_HAS_UNCONSUMED_RESPONSES(r) XEN_RING_NR_UNCONSUMED_RESPONSES(r)
#define RING_HAS_UNCONSUMED_REQUESTS(r)	 XEN_RING_NR_UNCONSUMED_REQUESTS(r)

/* The slot of index idx, in place on the shared page. */
#define RING_GET_REQUEST(r, idx) \
	(&((r)->sring->ring[(idx) & (RING_SIZE(r) - 1)].req))
#define RING_GET_RESPONSE(r, idx) \
	(&((r)->sring->ring[(idx) & (RING_SIZE(r) - 1)].rsp))

/*
 * Copy slot idx into *dest, once. The compiler barrier keeps it from
 * reading the shared slot again in place of the private copy later on;
 * the sizeof line only checks that dest has the slot's type.
 */
#define RING_COPY_(what, r, idx, dest)                            \
	do {                                                      \
		(void)sizeof(*(dest) = *RING_GET_##what(r, idx)); \
		__builtin_memcpy((dest), RING_GET_##what(r, idx), \
				 sizeof(*(dest)));                \
		xen_barrier();                                    \
	} while (0)
#define RING_COPY_REQUEST(r, idx, req)	RING_COPY_(REQUEST, r, idx, req)
#define RING_COPY_RESPONSE(r, idx, rsp) RING_COPY_(RESPONSE, r, idx, rsp)

/* Back end loop end: would consuming request cons overrun the ring? */
#define RING_REQUEST_CONS_OVERFLOW(r, cons) \
	(((cons) - (r)->rsp_prod_pvt) >= RING_SIZE(r))

/* A producer index the other side could not legitimately have written. */
#define RING_REQUEST_PROD_OVERFLOW(r, prod) \
	(((prod) - (r)->rsp_prod_pvt) > RING_SIZE(r))
#define RING_RESPONSE_PROD_OVERFLOW(r, prod) \
	(((prod) - (r)->rsp_cons) > RING_SIZE(r))

/* Publish the private producer index; slots become visible first. */
#define RING_PUSH_REQUESTS(r)                             \
	do {                                              \
		xen_wmb();                                \
		(r)->sring->req_prod = (r)->req_prod_pvt; \
	} while (0)
#define RING_PUSH_RESPONSES(r)                            \
	do {                                              \
		xen_wmb();                                \
		(r)->sring->rsp_prod = (r)->rsp_prod_pvt; \
	} while (0)

/*
 * Publish, and set notify when the other side asked to hear about an
 * index in (old, new]: then it must be sent an event.
 */
#define RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(r, notify)                    \
	do {                                                              \
		RING_IDX xen_old_ = (r)->sring->req_prod;                 \
		RING_IDX xen_new_ = (r)->req_prod_pvt;                    \
		xen_wmb();                                                \
		(r)->sring->req_prod = xen_new_;                          \
		xen_mb();                                                 \
		(notify) = (RING_IDX)(xen_new_ - (r)->sring->req_event) < \
			   (RING_IDX)(xen_new_ - xen_old_);               \
	} while (0)
#define RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, notify)                   \
	do {                                                              \
		RING_IDX xen_old_ = (r)->sring->rsp_prod;                 \
		RING_IDX xen_new_ = (r)->rsp_prod_pvt;                    \
		xen_wmb();                                                \
		(r)->sring->rsp_prod = xen_new_;                          \
		xen_mb();                                                 \
		(notify) = (RING_IDX)(xen_new_ - (r)->sring->rsp_event) < \
			   (RING_IDX)(xen_new_ - xen_old_);               \
	} while (0)

/*
 * Before going idle: if nothing is waiting, ask to be notified of the next
 * item, then look once more to close the race with a producer that
 * checked the event index just before it moved.
 */
#define RING_FINAL_CHECK_FOR_REQUESTS(r, work_to_do)                    \
	do {                                                            \
		(work_to_do) = RING_HAS_UNCONSUMED_REQUESTS(r);         \
		if (!(work_to_do)) {                                    \
			(r)->sring->req_event = (r)->req_cons + 1;      \
			xen_mb();                                       \
			(work_to_do) = RING_HAS_UNCONSUMED_REQUESTS(r); \
		}                                                       \
	} while (0)
#define RING_FINAL_CHECK_FOR_RESPONSES(r, work_to_do)                    \
	do {                                                             \
		(work_to_do) = RING_HAS_UNCONSUMED_RESPONSES(r);         \
		if (!(work_to_do)) {                                     \
			(r)->sring->rsp_event = (r)->rsp_cons + 1;       \
			xen_mb();                                        \
			(work_to_do) = RING_HAS_UNCONSUMED_RESPONSES(r); \
		}                                                        \
	} while (0)

#endif /* XEN_PUBLIC_IO_RING_H */
