/*
 * A vif's transmit rate limit: credit_bytes per interval, as Xen's vif
 * "rate" node says it ("bytes,usec"), the semantics of Linux netback's
 * credit scheduler: the credit is topped up once per interval and a
 * frame waits (stays in the ring) while it exceeds what is left.
 */
#include "include/netback/netback.h"

/* A decimal number at *s up to a non-digit: its end, or NULL. */
static const char *rate_number(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (v > (max - d) / 10)
			return NULL;
		v = v * 10 + d;
	}
	if (p == s)
		return NULL;
	*out = v;
	return p;
}

int nb_rate_parse(const char *s, uint64_t *bytes, uint64_t *usec)
{
	uint64_t b, u;

	if (!s)
		return -XEN_EINVAL;
	s = rate_number(s, UINT64_MAX, &b);
	if (!s || *s != ',')
		return -XEN_EINVAL;
	s = rate_number(s + 1, NB_RATE_MAX_USEC, &u);
	if (!s || *s != '\0' || b == 0 || u == 0)
		return -XEN_EINVAL;
	*bytes = b;
	*usec = u;
	return 0;
}

/* The most credit can grow to: one interval's, or one whole frame. */
static uint64_t rate_cap(const struct nb_rate *r)
{
	return r->credit_bytes > NB_FRAME_MAX ? r->credit_bytes : NB_FRAME_MAX;
}

void nb_rate_init(struct nb_rate *r, uint64_t bytes, uint64_t usec,
		  uint64_t now)
{
	if (usec > NB_RATE_MAX_USEC)
		usec = NB_RATE_MAX_USEC;
	r->credit_bytes = usec ? bytes : 0;
	r->interval_ns = usec * 1000;
	r->remaining = r->credit_bytes;
	r->window_end_ns = now + r->interval_ns;
}

bool nb_rate_take(struct nb_rate *r, size_t len, uint64_t now)
{
	if (!r->credit_bytes)
		return true;
	/* A clock that went back starts a new interval rather than stall. */
	if (now + r->interval_ns < r->window_end_ns)
		r->window_end_ns = now;
	if (len > r->remaining && now >= r->window_end_ns) {
		uint64_t cap = rate_cap(r);

		r->remaining = r->remaining > cap - r->credit_bytes
				   ? cap
				   : r->remaining + r->credit_bytes;
		r->window_end_ns = now + r->interval_ns;
	}
	if (len > r->remaining)
		return false;
	r->remaining -= len;
	return true;
}
