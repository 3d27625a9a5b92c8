/*
 * Node permissions as Xen has them: a list whose first entry names the
 * owner and gives everyone else's access, and whose further entries give
 * particular domains theirs. On the wire each entry is a letter (n none,
 * r read, w write, b both) followed by a decimal domain id.
 */
#include "xs_core.h"

static const char perm_letters[] = "nrwb"; /* indexed by XS_PERM_* */

int xs_perms_dup(struct xs_perms *dst, const struct xs_perms *src)
{
	dst->p = xs_malloc(src->n * sizeof(*src->p));
	if (!dst->p) {
		dst->n = 0;
		return -XEN_ENOMEM;
	}
	memcpy(dst->p, src->p, src->n * sizeof(*src->p));
	dst->n = src->n;
	return 0;
}

void xs_perms_free(struct xs_perms *p)
{
	xs_free(p->p);
	p->p = NULL;
	p->n = 0;
}

/* A decimal number of at most max: digits only, at least one. */
int xs_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -XEN_EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -XEN_EINVAL;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return -XEN_EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

int xs_perm_parse(const char *s, struct xs_perm *out)
{
	const char *letter = *s ? strchr(perm_letters, *s) : NULL;
	uint64_t domid;

	if (!letter || xs_parse_uint(s + 1, 0xffff, &domid))
		return -XEN_EINVAL;
	out->perm = (uint8_t)(letter - perm_letters);
	out->domid = (uint16_t)domid;
	return 0;
}

/* Returns the length written, as fmt_snprintf() does. */
int xs_perm_format(const struct xs_perm *p, char *buf, size_t size)
{
	return fmt_snprintf(buf, size, "%c%u", perm_letters[p->perm & 3],
			    (unsigned int)p->domid);
}

/*
 * What c may do to a node with these permissions: privileged domains and
 * the owner everything, a listed domain what its entry says, anyone else
 * what the first entry says.
 */
unsigned int xs_perms_access(const struct xs_conn *c, const struct xs_perms *p)
{
	unsigned int i;

	if (xs_conn_privileged(c) || c->domid == p->p[0].domid)
		return XS_PERM_BOTH;
	for (i = 1; i < p->n; i++)
		if (p->p[i].domid == c->domid)
			return p->p[i].perm;
	return p->p[0].perm;
}
