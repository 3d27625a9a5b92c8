/*
 * Watches: a connection asks for an event whenever a node at or below a
 * path changes. As in Xen, a watch fires once when it is set; a removal
 * also fires the watches below the removed node (with their own path);
 * an event is only sent to a watcher that may read the changed node; the
 * special paths @introduceDomain and @releaseDomain fire on INTRODUCE and
 * RELEASE, for exact watches only. Events queue like replies; past the
 * connection's output bound they are dropped (counted, logged once).
 */
#include "xs_core.h"

static void watch_free(struct xs_watch *w)
{
	xs_free(w->path);
	xs_free(w->token);
	xs_free(w);
}

/* The path as the watcher named it: relative watches get relative ones. */
static const char *event_path(const struct xs_conn *c, const struct xs_watch *w,
			      const char *path, size_t *len)
{
	char home[32];
	size_t hlen;

	if (!w->relative)
		return path;
	hlen = xs_path_home(c->domid, home, sizeof(home));
	if (*len > hlen + 1 && !memcmp(path, home, hlen) && path[hlen] == '/') {
		*len -= hlen + 1;
		return path + hlen + 1;
	}
	return path;
}

static void watch_send(struct xs_conn *c, const struct xs_watch *w,
		       const char *path, size_t len)
{
	size_t tlen = strlen(w->token);
	const char *p = event_path(c, w, path, &len);
	size_t total = len + 1 + tlen + 1;

	if (c->broken)
		return;
	if (c->out.bytes + XS_HDR + total > c->s->lim.output) {
		c->dropped++;
		xs_quota_hit(c, XS_Q_OUTPUT, 0);
		return;
	}
	if (xs_out_msg(c, XS_WATCH_EVENT, 0, 0, total))
		return;
	xs_out_append(c, p, len);
	xs_out_append(c, "", 1);
	xs_out_append(c, w->token, tlen + 1);
}

/* Sends the first event of a new watch, on its own path. */
static void watch_first(struct xs_conn *c, const struct xs_watch *w)
{
	watch_send(c, w, w->path, strlen(w->path));
}

/*
 * Registers a watch (taking path and token; freed on failure). The reply
 * must already be queued: the first event follows it.
 */
int xs_watch_add(struct xs_conn *c, char *path, char *token, bool relative)
{
	struct xs_watch *w;
	int rc = 0;

	for (w = c->watches; w; w = w->next)
		if (!strcmp(w->path, path) && !strcmp(w->token, token))
			rc = -XEN_EEXIST;
	if (!rc && !xs_conn_privileged(c) && c->nwatches >= c->s->lim.watches)
		rc = xs_quota_hit(c, XS_Q_WATCHES, XEN_E2BIG);
	w = rc ? NULL : xs_malloc(sizeof(*w));
	if (!w) {
		xs_free(path);
		xs_free(token);
		return rc ? rc : -XEN_ENOMEM;
	}
	w->path = path;
	w->token = token;
	w->relative = relative;
	w->next = c->watches;
	c->watches = w;
	c->nwatches++;
	return 0;
}

/* The first event of the newest watch (the one xs_watch_add() made). */
void xs_watch_fire_first(struct xs_conn *c)
{
	if (c->watches)
		watch_first(c, c->watches);
}

int xs_watch_del(struct xs_conn *c, const char *path, const char *token)
{
	struct xs_watch **pp;

	for (pp = &c->watches; *pp; pp = &(*pp)->next) {
		struct xs_watch *w = *pp;

		if (!strcmp(w->path, path) && !strcmp(w->token, token)) {
			*pp = w->next;
			watch_free(w);
			c->nwatches--;
			return 0;
		}
	}
	return -XEN_ENOENT;
}

void xs_watch_free_all(struct xs_conn *c)
{
	while (c->watches) {
		struct xs_watch *w = c->watches;

		c->watches = w->next;
		watch_free(w);
	}
	c->nwatches = 0;
}

/* Which path, if any, w reports for a change at path. */
static const char *watch_match(const struct xs_watch *w, const char *path,
			       size_t len, bool recurse, size_t *elen)
{
	size_t wlen = strlen(w->path);

	if (path[0] == '@' || w->path[0] == '@') {
		*elen = len;
		return wlen == len && !memcmp(w->path, path, len) ? path : NULL;
	}
	if (xs_path_within(path, len, w->path, wlen)) {
		*elen = len;
		return path;
	}
	if (recurse && xs_path_within(w->path, wlen, path, len)) {
		*elen = wlen;
		return w->path;
	}
	return NULL;
}

/*
 * A change at path: every watch at or above it fires, and with recurse
 * (a removal) every watch below it. perms are the node's (for a removal,
 * as it was); NULL for the special paths, which anyone may watch.
 */
void xs_watch_fire(struct xs_store *s, const char *path, size_t len,
		   const struct xs_perms *perms, bool recurse)
{
	struct xs_conn *c;
	struct xs_watch *w;

	for (c = s->conns; c; c = c->next) {
		if (perms && !(xs_perms_access(c, perms) & XS_PERM_READ))
			continue;
		for (w = c->watches; w; w = w->next) {
			size_t elen;
			const char *e =
			    watch_match(w, path, len, recurse, &elen);

			if (e)
				watch_send(c, w, e, elen);
		}
	}
}
