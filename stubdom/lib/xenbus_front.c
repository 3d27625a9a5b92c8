/*
 * The store side every frontend shares: see xenbus_front.h. netfront and
 * blkfront build their connections on it.
 */
#include "../include/stub/xenbus_front.h"
#include <public/errno.h>
#include <public/io/xenbus.h>
#include <xen/lib.h>
#include <xen/string.h>

int xbf_key(const char *dir, const char *key, char *buf, size_t size)
{
	int n = fmt_snprintf(buf, size, "%s/%s", dir, key);

	return n < 0 || (size_t)n >= size ? -XEN_E2BIG : 0;
}

/* A number read (rc: the read's result, or its parse's), or def. */
static int xbf_num_or_def(int rc, long def, unsigned long *v)
{
	if (def >= 0 &&
	    (rc == -XEN_ENOENT || rc == -XEN_EINVAL || rc == -XEN_ERANGE)) {
		*v = (unsigned long)def;
		return 0;
	}
	return rc;
}

int xbf_read_num(struct xenbus_front *f, const char *dir, const char *key,
		 long def, unsigned long *v)
{
	char path[XENBUS_WATCH_PATH_MAX + 48];
	int rc = xbf_key(dir, key, path, sizeof(path));

	if (!rc)
		rc = xenbus_read_uint(f->xb, XENBUS_NO_TX, path, v);
	return xbf_num_or_def(rc, def, v);
}

int xbf_read_nums(struct xenbus_front *f, const char *dir,
		  const struct xbf_num *keys, unsigned long *v, unsigned int n)
{
	static char path[XBF_NUMS_MAX][XENBUS_WATCH_PATH_MAX + 48];
	static char val[XBF_NUMS_MAX][XENBUS_UINT_MAX];
	struct xenbus_read_req r[XBF_NUMS_MAX];
	int rc = n > XBF_NUMS_MAX ? -XEN_EINVAL : 0;

	for (unsigned int i = 0; i < n && !rc; i++) {
		rc = xbf_key(dir, keys[i].key, path[i], sizeof(path[i]));
		r[i] = (struct xenbus_read_req){ path[i], val[i],
						 sizeof(val[i]), 0 };
	}
	if (!rc)
		rc = xenbus_read_batch(f->xb, XENBUS_NO_TX, r, n);
	for (unsigned int i = 0; i < n && !rc; i++)
		rc = xbf_num_or_def(xenbus_parse_uint(val[i], r[i].rc, &v[i]),
				    keys[i].def, &v[i]);
	return rc;
}

int xbf_write(struct xenbus_front *f, uint32_t tx, const char *key,
	      const char *val)
{
	char path[XBF_DIR_MAX + 32];
	int rc = xbf_key(f->dir, key, path, sizeof(path));

	return rc ? rc : xenbus_write(f->xb, tx, path, val);
}

void xbf_set_state(struct xenbus_front *f, int state)
{
	if (f->fe_state == state)
		return;
	if (xenbus_switch_state(f->xb, XENBUS_NO_TX, f->dir, state))
		(*f->errors)++;
	else
		f->fe_state = state;
}

static void xbf_watch_fn(struct xenbus *xb, const char *path, const char *token,
			 void *data)
{
	struct xenbus_front *f = data;

	f->recheck = true;
	f->hold = false;
}

/* Watch (or, with !on, stop watching) <dir>/<key>. */
static int xbf_watch_key(struct xenbus_front *f, const char *key, bool on)
{
	char path[XBF_DIR_MAX + 16];
	int rc = xbf_key(f->dir, key, path, sizeof(path));

	if (rc)
		return rc;
	return on ? xenbus_watch(f->xb, path, f->token, xbf_watch_fn, f)
		  : xenbus_unwatch(f->xb, path, f->token);
}

int xbf_init(struct xenbus_front *f, struct xenbus *xb, uint64_t *errors,
	     const char *kind, const char *dir)
{
	size_t len = dir ? strlen(dir) : 0;
	int rc;

	if (!len || len >= XBF_DIR_MAX || dir[len - 1] == '/')
		return -XEN_EINVAL;
	memset(f, 0, sizeof(*f));
	f->xb = xb;
	f->errors = errors;
	f->fe_state = -1;
	memcpy(f->dir, dir, len + 1);
	fmt_snprintf(f->token, sizeof(f->token), "%s:%s", kind, dir);
	/* Both links or neither. */
	rc = xbf_watch_key(f, "backend", true);
	if (rc)
		return rc;
	rc = xbf_watch_key(f, "backend-id", true);
	if (rc) {
		xbf_watch_key(f, "backend", false);
		return rc;
	}
	f->recheck = true;
	return 0;
}

void xbf_close(struct xenbus_front *f)
{
	domid_t id = f->be_id; /* still the last one's, for the record */

	xbf_follow(f, "", id);
	xbf_watch_key(f, "backend", false);
	xbf_watch_key(f, "backend-id", false);
}

/*
 * <dir>/backend, <dir>/backend-id and, when one is followed, its state:
 * one round trip. path "" when either link is absent.
 */
static int xbf_read_backend(struct xenbus_front *f, char *path, size_t size,
			    domid_t *id)
{
	char key[2][XBF_DIR_MAX + 16], num[XENBUS_UINT_MAX];
	char state[XENBUS_UINT_MAX];
	struct xenbus_read_req r[3] = {
		{ key[0], path, size, 0 },
		{ key[1], num, sizeof(num), 0 },
		{ f->be_state, state, sizeof(state), 0 },
	};
	unsigned long v;
	int n;

	path[0] = '\0';
	f->be_state_read = false;
	n = xbf_key(f->dir, "backend", key[0], sizeof(key[0]));
	if (!n)
		n = xbf_key(f->dir, "backend-id", key[1], sizeof(key[1]));
	if (!n)
		n = xenbus_read_batch(f->xb, XENBUS_NO_TX, r,
				      f->be_state[0] ? 3 : 2);
	if (n)
		return n;
	f->be_state_read = f->be_state[0] != '\0';
	f->be_state_got = xenbus_parse_state(state, r[2].rc);
	n = r[0].rc;
	if (n == -XEN_ENOENT)
		return 0;
	if (n < 0 || (size_t)n != strlen(path) || path[0] != '/') {
		path[0] = '\0';
		return n < 0 ? n : -XEN_EINVAL;
	}
	n = xenbus_parse_uint(num, r[1].rc, &v);
	if (!n && v >= DOMID_FIRST_RESERVED)
		n = -XEN_EINVAL;
	if (n) {
		path[0] = '\0';
		return n == -XEN_ENOENT ? 0 : n;
	}
	*id = (domid_t)v;
	return 0;
}

bool xbf_backend_moved(struct xenbus_front *f, char path[XBF_BE_PATH_MAX],
		       domid_t *id)
{
	*id = 0;
	if (xbf_read_backend(f, path, XBF_BE_PATH_MAX, id))
		(*f->errors)++;
	return strcmp(path, f->be_path) || (path[0] && *id != f->be_id);
}

void xbf_follow(struct xenbus_front *f, const char *path, domid_t id)
{
	if (f->be_watched)
		xenbus_unwatch(f->xb, f->be_state, f->token);
	f->be_watched = false;
	f->be_state_read = false;
	memcpy(f->be_path, path, strlen(path) + 1);
	f->be_state[0] = '\0';
	f->be_id = id;
	if (!path[0])
		return;
	fmt_snprintf(f->be_state, sizeof(f->be_state), "%s/state", path);
	if (xenbus_watch(f->xb, f->be_state, f->token, xbf_watch_fn, f))
		(*f->errors)++;
	else
		f->be_watched = true;
}

int xbf_backend_state(struct xenbus_front *f)
{
	int bstate;

	if (!f->be_state[0])
		return XenbusStateUnknown;
	bstate = f->be_state_read ? f->be_state_got
				  : xenbus_read_state(f->xb, f->be_path);
	f->be_state_read = false;
	/* A backend gone with its domain reads as Unknown, not an error. */
	if (bstate < 0)
		(*f->errors)++;
	return bstate < 0 ? XenbusStateUnknown : bstate;
}

int xbf_idle_state(int bstate)
{
	switch (bstate) {
	case XenbusStateInitialised:
	case XenbusStateConnected:
	case XenbusStateClosing:
	case XenbusStateReconfiguring:
	case XenbusStateReconfigured:
		return XenbusStateClosed;
	default:
		return XenbusStateInitialising;
	}
}
