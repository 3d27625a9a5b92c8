/*
 * The operations on paths, with Xen's rules for rights and existence:
 * a missing node reports ENOENT only to whom may access (with the right
 * asked for) its nearest existing ancestor, EACCES to others, so that
 * existence does not leak. New nodes inherit their parent's permissions.
 * Each operation gets everything it needs and builds its new nodes
 * first, then puts them (see store.c).
 */
#include "xs_core.h"

static bool view_privileged(const struct xs_view *v)
{
	return xs_conn_privileged(v->c);
}

/* Why the node at path cannot be had: ENOENT or EACCES, or bookkeeping. */
static int tree_missing(struct xs_view *v, const char *path, size_t len,
			unsigned int want, const struct xs_node **anc)
{
	const struct xs_node *n = NULL;
	int rc;

	do {
		len = xs_path_parent_len(path, len);
		rc = xs_view_get(v, path, len, &n);
		if (rc && rc != -XEN_ENOENT)
			return rc;
	} while (!n);
	*anc = n;
	if ((xs_perms_access(v->c, &n->perms) & want) != want)
		return -XEN_EACCES;
	return -XEN_ENOENT;
}

/* The node at path, if v's connection has the rights want on it. */
int xs_tree_get(struct xs_view *v, const char *path, unsigned int want,
		const struct xs_node **out)
{
	size_t len = strlen(path);
	const struct xs_node *anc;
	int rc = xs_view_get(v, path, len, out);

	if (rc == -XEN_ENOENT)
		return tree_missing(v, path, len, want, &anc);
	if (rc)
		return rc;
	if ((xs_perms_access(v->c, &(*out)->perms) & want) != want)
		return -XEN_EACCES;
	return 0;
}

static int check_value(struct xs_view *v, const struct xs_blob *value)
{
	if (!view_privileged(v) && value->len > v->s->lim.value_size)
		return xs_quota_hit(v->c, XS_Q_VALUE, XEN_E2BIG);
	return 0;
}

static int write_existing(struct xs_view *v, const struct xs_node *old,
			  struct xs_blob *value)
{
	struct xs_node *n;
	int rc = check_value(v, value);

	if (rc)
		return rc;
	n = xs_node_clone(old);
	if (!n)
		return -XEN_ENOMEM;
	xs_blob_free(&n->value);
	n->value = *value;
	*value = (struct xs_blob){ 0 };
	xs_view_put(v, n);
	xs_view_fire(v, n->path, n->plen, &n->perms, false);
	return 0;
}

/* Path components from off to the end of path: how many. */
static unsigned int count_levels(const char *path, size_t off, size_t len)
{
	unsigned int k = 0;

	for (; off < len; off++)
		if (path[off] == '/')
			k++;
	return k;
}

/*
 * A new node at path[0, len) with its parent's permissions; as in Xen,
 * an unprivileged creator owns it, a privileged one leaves the parent's
 * owner (so the toolstack can fill a domain's directory for it).
 */
static struct xs_node *new_node(struct xs_view *v, const char *path, size_t len,
				const struct xs_node *parent)
{
	struct xs_node *n = xs_node_new(path, len);

	if (!n)
		return NULL;
	if (xs_perms_dup(&n->perms, &parent->perms)) {
		xs_node_free(n);
		return NULL;
	}
	if (!view_privileged(v))
		n->perms.p[0].domid = (uint16_t)v->c->domid;
	return n;
}

/*
 * Builds the missing nodes from below anc down to path as a list
 * (through hnext, top first) and anc's new version with its new child.
 */
static int build_chain(struct xs_view *v, const char *path, size_t len,
		       const struct xs_node *anc, struct xs_node **top,
		       struct xs_node **list)
{
	size_t off = anc->plen == 1 ? 1 : anc->plen + 1;
	struct xs_node **tail = list, *prev;
	size_t end;

	*list = NULL;
	*top = xs_node_clone(anc);
	if (!*top)
		return -XEN_ENOMEM;
	prev = *top;
	for (; off <= len; off = end + 1) {
		struct xs_node *n;

		for (end = off; end < len && path[end] != '/'; end++)
			;
		n = new_node(v, path, end, anc);
		if (!n || xs_node_add_child(prev, path + off, end - off)) {
			xs_node_free(n);
			return -XEN_ENOMEM;
		}
		*tail = prev = n;
		tail = &n->hnext;
	}
	return 0;
}

static void free_chain(struct xs_node *top, struct xs_node *list)
{
	xs_node_free(top);
	while (list) {
		struct xs_node *n = list;

		list = n->hnext;
		xs_node_free(n);
	}
}

static int write_new(struct xs_view *v, const char *path, size_t len,
		     const struct xs_node *anc, struct xs_blob *value)
{
	unsigned int k =
	    count_levels(path, anc->plen == 1 ? 0 : anc->plen, len);
	struct xs_node *top, *list, *leaf;
	int rc = check_value(v, value);

	if (rc)
		return rc;
	if (!view_privileged(v) && xs_view_owned(v) + k > v->s->lim.nodes)
		return xs_quota_hit(v->c, XS_Q_NODES, XEN_ENOSPC);
	rc = build_chain(v, path, len, anc, &top, &list);
	if (rc) {
		free_chain(top, list);
		return rc;
	}
	for (leaf = list; leaf->hnext; leaf = leaf->hnext)
		;
	leaf->value = *value;
	*value = (struct xs_blob){ 0 };
	xs_view_put(v, top);
	while (list) {
		struct xs_node *n = list;

		list = n->hnext;
		xs_view_put(v, n);
	}
	xs_view_fire(v, leaf->path, leaf->plen, &leaf->perms, false);
	return 0;
}

/*
 * WRITE (mkdir false) and MKDIR: missing parents are made too. MKDIR of
 * an existing node changes nothing. On success value has moved into the
 * node (and is left empty); the caller frees it either way.
 */
int xs_tree_write(struct xs_view *v, const char *path, struct xs_blob *value,
		  bool mkdir)
{
	size_t len = strlen(path);
	const struct xs_node *n, *anc;
	int rc = xs_view_get(v, path, len, &n);

	if (rc == 0) {
		if ((xs_perms_access(v->c, &n->perms) & XS_PERM_WRITE) == 0)
			return -XEN_EACCES;
		return mkdir ? 0 : write_existing(v, n, value);
	}
	if (rc != -XEN_ENOENT)
		return rc;
	rc = tree_missing(v, path, len, XS_PERM_WRITE, &anc);
	if (rc != -XEN_ENOENT)
		return rc;
	return write_new(v, path, len, anc, value);
}

/*
 * Removes the subtree at buf[0, toplen), deepest nodes first, without
 * recursion (paths may be a thousand levels deep): buf holds the path of
 * the node being visited; a node's children lists are never changed on
 * the way, so the next sibling is found by name in the parent's list.
 */
static int rm_subtree(struct xs_view *v, char *buf, size_t toplen)
{
	const struct xs_node *n;
	size_t len = toplen, plen;
	struct xs_child *ch;
	int rc;

	for (;;) {
		rc = xs_view_get(v, buf, len, &n);
		if (rc)
			return rc;
		if (n->children) {
			buf[len] = '/';
			memcpy(buf + len + 1, n->children->name,
			       n->children->len);
			len += 1 + n->children->len;
			continue;
		}
		for (;;) {
			xs_view_del(v, buf, len);
			if (len == toplen)
				return 0;
			plen = xs_path_parent_len(buf, len);
			rc = xs_view_get(v, buf, plen, &n);
			if (rc)
				return rc;
			ch = xs_node_find_child(n, buf + plen + 1,
						len - plen - 1);
			if (ch && ch->next) {
				ch = ch->next;
				memcpy(buf + plen + 1, ch->name, ch->len);
				len = plen + 1 + ch->len;
				break;
			}
			len = plen; /* no more children: the parent goes */
		}
	}
}

static int rm_missing(struct xs_view *v, const char *path, size_t len)
{
	const struct xs_node *anc;
	int rc = tree_missing(v, path, len, XS_PERM_WRITE, &anc);

	/* Removing what is not there is fine when its parent is there. */
	if (rc == -XEN_ENOENT && anc->plen == xs_path_parent_len(path, len))
		return 0;
	return rc;
}

/* RM: the node and everything below it. The root stays. */
int xs_tree_rm(struct xs_view *v, const char *path)
{
	size_t len = strlen(path), plen = xs_path_parent_len(path, len);
	const struct xs_node *n, *parent;
	struct xs_node *pnew;
	char *buf;
	int rc;

	if (len == 1)
		return -XEN_EINVAL;
	rc = xs_view_get(v, path, len, &n);
	if (rc == -XEN_ENOENT)
		return rm_missing(v, path, len);
	if (rc)
		return rc;
	if ((xs_perms_access(v->c, &n->perms) & XS_PERM_WRITE) == 0)
		return -XEN_EACCES;
	rc = xs_view_get(v, path, plen, &parent);
	if (rc)
		return rc;
	pnew = xs_node_clone(parent);
	buf = xs_malloc(XENSTORE_ABS_PATH_MAX + 1);
	if (!pnew || !buf) {
		xs_node_free(pnew);
		xs_free(buf);
		return -XEN_ENOMEM;
	}
	xs_node_del_child(pnew, path + plen + (plen > 1),
			  len - plen - (plen > 1));
	memcpy(buf, path, len + 1);
	xs_view_fire(v, path, len, &n->perms, true);
	rc = rm_subtree(v, buf, len);
	xs_free(buf);
	if (rc) {
		/* Only a transaction's bookkeeping can fail: it is spoilt. */
		xs_node_free(pnew);
		if (v->t)
			v->t->failed = rc;
		return rc;
	}
	xs_view_put(v, pnew);
	return 0;
}

/*
 * SET_PERMS: only the owner or a privileged domain, and only a privileged
 * one may give the node away. Takes perms on success.
 */
int xs_tree_set_perms(struct xs_view *v, const char *path,
		      struct xs_perms *perms)
{
	const struct xs_node *n;
	struct xs_node *nn;
	int rc = xs_tree_get(v, path, XS_PERM_WRITE, &n);

	if (rc)
		return rc;
	if (!view_privileged(v)) {
		if (v->c->domid != xs_node_owner(n))
			return -XEN_EACCES;
		if (perms->p[0].domid != xs_node_owner(n))
			return -XEN_EPERM;
	}
	nn = xs_node_clone(n);
	if (!nn)
		return -XEN_ENOMEM;
	xs_perms_free(&nn->perms);
	nn->perms = *perms;
	perms->p = NULL;
	perms->n = 0;
	xs_view_put(v, nn);
	xs_view_fire(v, nn->path, nn->plen, &nn->perms, false);
	return 0;
}
