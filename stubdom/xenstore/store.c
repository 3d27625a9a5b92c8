/*
 * Node records, kept in a hash table by absolute path, and views of them.
 *
 * A view is the store as one connection sees it: the live records, or,
 * inside a transaction, the live records overlaid with the transaction's
 * own versions. Operations (tree.c) are written once against views:
 * xs_view_get() first, then xs_view_put()/xs_view_del() on paths already
 * got, which never fail, so an operation that has built its new nodes
 * cannot stop half-way in the live store.
 *
 * Every change of a live record takes a new store generation; a parent's
 * list of children is part of it, so adding or removing a child changes
 * the parent too (transactions conflict on it, as in C xenstored).
 */
#include "xs_core.h"

static unsigned int path_hash(const char *path, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (len--)
		h = (h ^ (unsigned char)*path++) * 16777619u;
	return h % XS_HASH;
}

static struct xs_node **node_slot(const struct xs_store *s, const char *path,
				  size_t len)
{
	struct xs_node *const *pp = &s->hash[path_hash(path, len)];

	while (*pp && ((*pp)->plen != len || memcmp((*pp)->path, path, len)))
		pp = &(*pp)->hnext;
	return (struct xs_node **)pp;
}

struct xs_node *xs_node_lookup(const struct xs_store *s, const char *path,
			       size_t len)
{
	return *node_slot(s, path, len);
}

struct xs_node *xs_node_new(const char *path, size_t len)
{
	struct xs_node *n = xs_malloc(sizeof(*n));

	if (!n)
		return NULL;
	memset(n, 0, sizeof(*n));
	n->path = xs_strdup(path, len);
	if (!n->path) {
		xs_free(n);
		return NULL;
	}
	n->plen = len;
	return n;
}

void xs_node_free(struct xs_node *n)
{
	if (!n)
		return;
	while (n->children) {
		struct xs_child *ch = n->children;

		n->children = ch->next;
		xs_free(ch);
	}
	xs_blob_free(&n->value);
	xs_perms_free(&n->perms);
	xs_free(n->path);
	xs_free(n);
}

int xs_node_add_child(struct xs_node *n, const char *name, size_t len)
{
	struct xs_child *ch = xs_malloc(sizeof(*ch) + len + 1);
	struct xs_child **pp = &n->children;

	if (!ch)
		return -XEN_ENOMEM;
	ch->next = NULL;
	ch->len = len;
	memcpy(ch->name, name, len);
	ch->name[len] = '\0';
	while (*pp)
		pp = &(*pp)->next;
	*pp = ch;
	return 0;
}

struct xs_child *xs_node_find_child(const struct xs_node *n, const char *name,
				    size_t len)
{
	struct xs_child *ch;

	for (ch = n->children; ch; ch = ch->next)
		if (ch->len == len && !memcmp(ch->name, name, len))
			return ch;
	return NULL;
}

void xs_node_del_child(struct xs_node *n, const char *name, size_t len)
{
	struct xs_child **pp = &n->children;

	while (*pp && ((*pp)->len != len || memcmp((*pp)->name, name, len)))
		pp = &(*pp)->next;
	if (*pp) {
		struct xs_child *ch = *pp;

		*pp = ch->next;
		xs_free(ch);
	}
}

struct xs_node *xs_node_clone(const struct xs_node *n)
{
	struct xs_node *c = xs_node_new(n->path, n->plen);
	struct xs_child *ch;

	if (!c)
		return NULL;
	c->gen = n->gen;
	if (xs_perms_dup(&c->perms, &n->perms) ||
	    xs_blob_dup_range(&c->value, &n->value, 0, n->value.len))
		goto fail;
	for (ch = n->children; ch; ch = ch->next)
		if (xs_node_add_child(c, ch->name, ch->len))
			goto fail;
	return c;
fail:
	xs_node_free(c);
	return NULL;
}

/* A node changed owner (or appeared, or went): the owners' counts follow. */
void xs_store_count_owner(struct xs_store *s, unsigned int domid, int delta)
{
	struct xs_conn *c = xs_conn_find(s, domid);

	if (c)
		c->nodes += delta;
}

static void live_put(struct xs_store *s, struct xs_node *n)
{
	struct xs_node **pp = node_slot(s, n->path, n->plen);
	struct xs_node *old = *pp;

	n->gen = ++s->gen;
	if (old) {
		n->hnext = old->hnext;
		xs_store_count_owner(s, xs_node_owner(old), -1);
		xs_node_free(old);
	} else {
		n->hnext = NULL;
		s->nnodes++;
	}
	*pp = n;
	xs_store_count_owner(s, xs_node_owner(n), 1);
}

static void live_del(struct xs_store *s, const char *path, size_t len)
{
	struct xs_node **pp = node_slot(s, path, len);
	struct xs_node *old = *pp;

	if (!old)
		return;
	*pp = old->hnext;
	s->gen++;
	s->nnodes--;
	xs_store_count_owner(s, xs_node_owner(old), -1);
	xs_node_free(old);
}

static struct xs_tnode *txn_lookup(const struct xs_txn *t, const char *path,
				   size_t len)
{
	struct xs_tnode *tn;

	for (tn = t->tnodes; tn; tn = tn->next)
		if (tn->plen == len && !memcmp(tn->path, path, len))
			return tn;
	return NULL;
}

/*
 * The node at path as v sees it. Inside a transaction the first look at
 * a path is remembered (with the live generation, or 0 for absent) so
 * the commit can tell whether it changed since; that bookkeeping may fail
 * (-ENOSPC, -ENOMEM). Otherwise 0, or -ENOENT when there is no node.
 */
int xs_view_get(struct xs_view *v, const char *path, size_t len,
		const struct xs_node **out)
{
	struct xs_tnode *tn = NULL;
	int rc;

	*out = NULL;
	if (v->t) {
		rc = xs_txn_touch(v, path, len, &tn);
		if (rc)
			return rc;
	}
	if (tn && tn->dirty)
		*out = tn->node;
	else
		*out = xs_node_lookup(v->s, path, len);
	return *out ? 0 : -XEN_ENOENT;
}

/* Only for a path already got through v: takes n. */
void xs_view_put(struct xs_view *v, struct xs_node *n)
{
	struct xs_tnode *tn;

	if (!v->t) {
		live_put(v->s, n);
		return;
	}
	tn = txn_lookup(v->t, n->path, n->plen);
	if (!tn) {
		/* Cannot happen: every operation gets before it puts. */
		xs_log("xenstore: put of untouched %s", n->path);
		v->t->failed = -XEN_EIO;
		xs_node_free(n);
		return;
	}
	xs_node_free(tn->node);
	tn->node = n;
	tn->dirty = true;
}

/* Only for a path already got through v. */
void xs_view_del(struct xs_view *v, const char *path, size_t len)
{
	struct xs_tnode *tn;

	if (!v->t) {
		live_del(v->s, path, len);
		return;
	}
	tn = txn_lookup(v->t, path, len);
	if (!tn) {
		xs_log("xenstore: delete of untouched node");
		v->t->failed = -XEN_EIO;
		return;
	}
	xs_node_free(tn->node);
	tn->node = NULL;
	tn->dirty = true;
}

/*
 * A change at path: watches fire now, or, inside a transaction, at its
 * commit (the path was got through v, so it has a record there).
 */
void xs_view_fire(struct xs_view *v, const char *path, size_t len,
		  const struct xs_perms *perms, bool recurse)
{
	struct xs_tnode *tn;

	if (!v->t) {
		xs_watch_fire(v->s, path, len, perms, recurse);
		return;
	}
	tn = txn_lookup(v->t, path, len);
	if (tn) {
		tn->fire = true;
		tn->recurse |= recurse;
	}
}

/*
 * Nodes v's domain owns as v sees them: the live count, plus what its
 * transaction added or removed so far.
 */
unsigned int xs_view_owned(const struct xs_view *v)
{
	unsigned int domid = v->c->domid, n = v->c->nodes;
	const struct xs_tnode *tn;

	if (!v->t)
		return n;
	for (tn = v->t->tnodes; tn; tn = tn->next) {
		const struct xs_node *live;

		if (!tn->dirty)
			continue;
		live = xs_node_lookup(v->s, tn->path, tn->plen);
		if (live && xs_node_owner(live) == domid)
			n--;
		if (tn->node && xs_node_owner(tn->node) == domid)
			n++;
	}
	return n;
}
