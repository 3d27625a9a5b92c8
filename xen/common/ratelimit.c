/* Fixed-window event counting (xen/include/xen/ratelimit.h). */
#include <xen/ratelimit.h>

bool ratelimit_exceeded(struct ratelimit *r, s_time_t now, s_time_t window,
			uint32_t max)
{
	if (now - r->window_start >= window || now < r->window_start) {
		r->window_start = now;
		r->count = 0;
	}
	if (r->count != UINT32_MAX)
		r->count++;
	return r->count == max + 1;
}
