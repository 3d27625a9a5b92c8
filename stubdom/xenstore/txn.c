/*
 * Transactions, with optimistic concurrency as in C xenstored: a
 * transaction records each node it touches with the generation the live
 * node had then (0: absent) and keeps its own version of each node it
 * changes. Commit fails with EAGAIN when any touched node's live
 * generation differs from the recorded one; otherwise the changed nodes
 * replace the live ones and their watch events fire.
 */
#include "xs_core.h"

static void tnode_free(struct xs_tnode *tn)
{
	xs_node_free(tn->node);
	xs_free(tn->path);
	xs_free(tn);
}

static void txn_free(struct xs_txn *t)
{
	while (t->tnodes) {
		struct xs_tnode *tn = t->tnodes;

		t->tnodes = tn->next;
		tnode_free(tn);
	}
	xs_free(t);
}

/* The transaction's record of path, made on first touch. */
int xs_txn_touch(struct xs_view *v, const char *path, size_t len,
		 struct xs_tnode **out)
{
	struct xs_txn *t = v->t;
	const struct xs_node *live;
	struct xs_tnode *tn;

	for (tn = t->tnodes; tn; tn = tn->next)
		if (tn->plen == len && !memcmp(tn->path, path, len))
			goto found;
	if (!xs_conn_privileged(v->c) && t->ntnodes >= v->s->lim.txn_nodes)
		return xs_quota_hit(v->c, XS_Q_TXN_NODES, XEN_ENOSPC);
	tn = xs_malloc(sizeof(*tn));
	if (!tn)
		return -XEN_ENOMEM;
	memset(tn, 0, sizeof(*tn));
	tn->path = xs_strdup(path, len);
	if (!tn->path) {
		xs_free(tn);
		return -XEN_ENOMEM;
	}
	tn->plen = len;
	live = xs_node_lookup(v->s, path, len);
	tn->seen = live ? live->gen : 0;
	tn->next = t->tnodes;
	t->tnodes = tn;
	t->ntnodes++;
found:
	*out = tn;
	return 0;
}

struct xs_txn *xs_txn_find(struct xs_conn *c, uint32_t id)
{
	struct xs_txn *t;

	for (t = c->txns; t; t = t->next)
		if (t->id == id)
			return t;
	return NULL;
}

int xs_txn_start(struct xs_conn *c, uint32_t *id)
{
	struct xs_txn *t;

	if (!xs_conn_privileged(c) && c->ntxns >= c->s->lim.transactions)
		return xs_quota_hit(c, XS_Q_TXNS, XEN_ENOSPC);
	t = xs_malloc(sizeof(*t));
	if (!t)
		return -XEN_ENOMEM;
	memset(t, 0, sizeof(*t));
	/* Ids are not reused soon, and never 0 (no transaction). */
	do
		t->id = ++c->next_txid;
	while (!t->id || xs_txn_find(c, t->id));
	t->next = c->txns;
	c->txns = t;
	c->ntxns++;
	*id = t->id;
	return 0;
}

static int txn_check(struct xs_conn *c, struct xs_txn *t)
{
	struct xs_view v = { .s = c->s, .c = c, .t = t };
	struct xs_tnode *tn;

	if (t->failed)
		return t->failed;
	for (tn = t->tnodes; tn; tn = tn->next) {
		const struct xs_node *live =
		    xs_node_lookup(c->s, tn->path, tn->plen);

		if ((live ? live->gen : 0) != tn->seen)
			return -XEN_EAGAIN;
	}
	if (!xs_conn_privileged(c) && xs_view_owned(&v) > c->nodes &&
	    xs_view_owned(&v) > c->s->lim.nodes)
		return xs_quota_hit(c, XS_Q_NODES, XEN_ENOSPC);
	return 0;
}

/*
 * Makes the transaction's changes live. Removed nodes fire before they
 * go (their permissions decide who may see the event), written ones
 * after they are in place.
 */
static void txn_apply(struct xs_conn *c, struct xs_txn *t)
{
	struct xs_view live = { .s = c->s, .c = c, .t = NULL };
	struct xs_tnode *tn;

	for (tn = t->tnodes; tn; tn = tn->next) {
		const struct xs_node *old;

		if (!tn->dirty || tn->node)
			continue;
		old = xs_node_lookup(c->s, tn->path, tn->plen);
		if (old && tn->fire)
			xs_watch_fire(c->s, tn->path, tn->plen, &old->perms,
				      tn->recurse);
		xs_view_del(&live, tn->path, tn->plen);
	}
	for (tn = t->tnodes; tn; tn = tn->next) {
		struct xs_node *n = tn->node;

		if (!tn->dirty || !n)
			continue;
		tn->node = NULL;
		xs_view_put(&live, n);
		if (tn->fire)
			xs_watch_fire(c->s, n->path, n->plen, &n->perms,
				      tn->recurse);
	}
}

/* Ends t, committing it if asked; t is gone afterwards either way. */
int xs_txn_end(struct xs_conn *c, struct xs_txn *t, bool commit)
{
	struct xs_txn **pp = &c->txns;
	int rc = 0;

	while (*pp != t)
		pp = &(*pp)->next;
	*pp = t->next;
	c->ntxns--;
	if (commit) {
		rc = txn_check(c, t);
		if (!rc)
			txn_apply(c, t);
	}
	txn_free(t);
	return rc;
}

void xs_txn_free_all(struct xs_conn *c)
{
	while (c->txns) {
		struct xs_txn *t = c->txns;

		c->txns = t->next;
		txn_free(t);
	}
	c->ntxns = 0;
}
