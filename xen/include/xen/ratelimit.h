/*
 * Counting events in fixed windows of time, to stop a source that fires
 * too often (an interrupt storm): xen/common/ratelimit.c.
 */
#ifndef XEN_RATELIMIT_H
#define XEN_RATELIMIT_H

#include <xen/time.h>
#include <xen/types.h>

struct ratelimit {
	s_time_t window_start;
	uint32_t count;
};

/*
 * One more event at now: true when it is the (max+1)th within the
 * current window of length window (a new window starts when the last
 * one is over). Callers serialise calls on one struct.
 */
bool ratelimit_exceeded(struct ratelimit *r, s_time_t now, s_time_t window,
			uint32_t max);

#endif
