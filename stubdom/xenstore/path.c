/*
 * Paths: absolute ("/local/domain/3/x") or relative to the caller's home,
 * /local/domain/<domid>. Valid ones use [A-Za-z0-9-/_@], have no empty
 * component and no trailing slash (the root "/" aside), and are at most
 * XENSTORE_ABS_PATH_MAX (absolute) or XENSTORE_REL_PATH_MAX (relative)
 * bytes long. Watches may also name special paths, "@" and a name, such
 * as @introduceDomain.
 */
#include "xs_core.h"

char *xs_strdup(const char *s, size_t len)
{
	char *d = xs_malloc(len + 1);

	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

static bool path_char_ok(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '/' ||
	       ch == '_' || ch == '@';
}

/* s is len bytes of valid characters without empty components. */
static bool path_chars_ok(const char *s, size_t len, bool slash_ok)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (!path_char_ok(s[i]))
			return false;
		if (s[i] == '/' &&
		    (!slash_ok || i + 1 == len || s[i + 1] == '/'))
			return false;
	}
	return true;
}

size_t xs_path_home(unsigned int domid, char *buf, size_t size)
{
	return (size_t)fmt_snprintf(buf, size, "/local/domain/%u", domid);
}

static int path_relative(const struct xs_conn *c, const char *in, size_t len,
			 char **out)
{
	char home[32];
	size_t hlen = xs_path_home(c->domid, home, sizeof(home));
	char *p;

	if (len > XENSTORE_REL_PATH_MAX || !path_chars_ok(in, len, true))
		return -XEN_EINVAL;
	p = xs_malloc(hlen + 1 + len + 1);
	if (!p)
		return -XEN_ENOMEM;
	memcpy(p, home, hlen);
	p[hlen] = '/';
	memcpy(p + hlen + 1, in, len + 1);
	*out = p;
	return 0;
}

/*
 * Checks the path a client sent and returns it absolute in a new
 * allocation; relative tells whether it was given relative.
 */
int xs_path_canon(const struct xs_conn *c, const char *in, bool special_ok,
		  char **out, bool *relative)
{
	size_t len = strnlen(in, XENSTORE_ABS_PATH_MAX + 1);

	*relative = false;
	if (len == 0 || len > XENSTORE_ABS_PATH_MAX)
		return -XEN_EINVAL;
	if (in[0] == '@') {
		if (!special_ok || len == 1 || !path_chars_ok(in, len, false))
			return -XEN_EINVAL;
	} else if (in[0] == '/') {
		if (len > 1 && !path_chars_ok(in + 1, len - 1, true))
			return -XEN_EINVAL;
	} else {
		*relative = true;
		return path_relative(c, in, len, out);
	}
	*out = xs_strdup(in, len);
	return *out ? 0 : -XEN_ENOMEM;
}

/* path is top or below it. */
bool xs_path_within(const char *path, size_t len, const char *top,
		    size_t toplen)
{
	if (len < toplen || memcmp(path, top, toplen))
		return false;
	if (len == toplen || (toplen == 1 && top[0] == '/'))
		return true;
	return path[toplen] == '/';
}

/* The length of the parent's path: "/a/b" -> 2 ("/a"), "/a" -> 1 ("/"). */
size_t xs_path_parent_len(const char *path, size_t len)
{
	while (len > 1 && path[len - 1] != '/')
		len--;
	return len > 1 ? len - 1 : 1;
}
