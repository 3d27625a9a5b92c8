/*
 * The toolstack's "target" for a vbd: where on which namespace it lives.
 * Parsed strictly (decimal, no sign, no spaces, nothing after), as
 * everything that comes through the store.
 */
#include "include/blkback/blkback.h"

/* Decimal digits at *s, a value up to max: *s moved past them. */
static int parse_u64(const char **s, uint64_t max, uint64_t *out)
{
	const char *p = *s;
	uint64_t v = 0;

	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
		return -XEN_EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (v > (max - d) / 10)
			return -XEN_EINVAL;
		v = v * 10 + d;
	}
	*s = p;
	*out = v;
	return 0;
}

int bb_target_parse(const char *s, struct bb_target *t)
{
	struct bb_target r = { 0 };
	uint64_t v;

	/* NVMe namespace ids start at 1. */
	if (!s || parse_u64(&s, UINT32_MAX, &v) || !v || *s++ != ':')
		return -XEN_EINVAL;
	r.nsid = (uint32_t)v;
	if (s[0] == 'g' && s[1] == 'p' && s[2] == 't' && s[3] == ':') {
		s += 4;
		if (parse_u64(&s, BB_GPT_MAX_ENTRIES, &v) || *s || !v)
			return -XEN_EINVAL;
		r.gpt = true;
		r.part = (unsigned int)v;
	} else {
		if (parse_u64(&s, UINT64_MAX, &r.start) || *s++ != '+' ||
		    parse_u64(&s, UINT64_MAX, &r.sectors) || *s || !r.sectors ||
		    r.start > UINT64_MAX - r.sectors)
			return -XEN_EINVAL;
	}
	*t = r;
	return 0;
}
