/*
 * The store, its connections (one per domain) and the domains' life:
 * INTRODUCE, RELEASE, privilege and quotas. A connection's domain owns a
 * count of nodes kept up to date by store.c; it is counted afresh when
 * the connection is made, as nodes may be given to a domain before.
 */
#include "xs_core.h"

static const char *const quota_names[XS_Q_COUNT] = {
	[XS_Q_NODES] = "nodes",
	[XS_Q_VALUE] = "value size",
	[XS_Q_WATCHES] = "watches",
	[XS_Q_TXNS] = "transactions",
	[XS_Q_TXN_NODES] = "transaction nodes",
	[XS_Q_PERMS] = "permissions",
	[XS_Q_OUTPUT] = "output",
};

void xs_limits_default(struct xs_limits *lim)
{
	lim->nodes = 1000;
	lim->value_size = 2048;
	lim->watches = 128;
	lim->transactions = 10;
	lim->txn_nodes = 1024;
	lim->perms = 5;
	lim->output = 16384;
}

/* A quota stopped c: logged once per domain and kind. Returns -err. */
int xs_quota_hit(struct xs_conn *c, enum xs_quota kind, int err)
{
	if (!(c->logged & (1u << kind))) {
		c->logged |= 1u << kind;
		xs_log("xenstore: domain %u over its %s quota", c->domid,
		       quota_names[kind]);
	}
	return -err;
}

bool xs_conn_privileged(const struct xs_conn *c)
{
	return c->domid == 0 || c->domid == c->s->self;
}

struct xs_store *xs_store_create(const struct xs_limits *limits)
{
	struct xs_store *s = xs_malloc(sizeof(*s));
	struct xs_node *root;

	BUILD_BUG_ON(sizeof(struct xs_store) > XS_ALLOC_MAX);
	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	if (limits)
		s->lim = *limits;
	else
		xs_limits_default(&s->lim);
	s->self = XS_NO_DOMID;
	/* The root: domain 0's, closed to others ("n0"). */
	root = xs_node_new("/", 1);
	if (root)
		root->perms.p = xs_malloc(sizeof(*root->perms.p));
	if (!root || !root->perms.p) {
		xs_node_free(root);
		xs_free(s);
		return NULL;
	}
	root->perms.n = 1;
	root->perms.p[0] = (struct xs_perm){ .domid = 0, .perm = XS_PERM_NONE };
	xs_view_put(&(struct xs_view){ .s = s }, root);
	return s;
}

void xs_store_destroy(struct xs_store *s)
{
	unsigned int i;

	if (!s)
		return;
	while (s->conns)
		xs_conn_free(s->conns);
	for (i = 0; i < XS_HASH; i++) {
		while (s->hash[i]) {
			struct xs_node *n = s->hash[i];

			s->hash[i] = n->hnext;
			xs_node_free(n);
		}
	}
	xs_free(s);
}

void xs_store_set_hooks(struct xs_store *s, const struct xs_hooks *hooks)
{
	s->hooks = *hooks;
}

void xs_store_set_self(struct xs_store *s, unsigned int domid)
{
	s->self = domid;
}

unsigned long xs_store_nodes(const struct xs_store *s)
{
	return s->nnodes;
}

static unsigned int count_owned(const struct xs_store *s, unsigned int domid)
{
	unsigned int i, n = 0;
	const struct xs_node *node;

	for (i = 0; i < XS_HASH; i++)
		for (node = s->hash[i]; node; node = node->hnext)
			n += xs_node_owner(node) == domid;
	return n;
}

struct xs_conn *xs_conn_new(struct xs_store *s, unsigned int domid)
{
	struct xs_conn *c;

	BUILD_BUG_ON(sizeof(struct xs_conn) > XS_ALLOC_MAX);
	if (domid > XS_DOMID_MAX || xs_conn_find(s, domid))
		return NULL;
	c = xs_malloc(sizeof(*c));
	if (!c)
		return NULL;
	memset(c, 0, sizeof(*c));
	c->in[0] = xs_malloc(XS_PART);
	c->in[1] = xs_malloc(XS_PART);
	if (!c->in[0] || !c->in[1]) {
		xs_free(c->in[0]);
		xs_free(c->in[1]);
		xs_free(c);
		return NULL;
	}
	c->s = s;
	c->domid = domid;
	c->nodes = count_owned(s, domid);
	c->next = s->conns;
	s->conns = c;
	return c;
}

void xs_conn_free(struct xs_conn *c)
{
	struct xs_conn **pp;

	if (!c)
		return;
	for (pp = &c->s->conns; *pp && *pp != c; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = c->next;
	xs_watch_free_all(c);
	xs_txn_free_all(c);
	xs_outq_free(&c->out);
	xs_free(c->in[0]);
	xs_free(c->in[1]);
	xs_free(c);
}

struct xs_conn *xs_conn_find(struct xs_store *s, unsigned int domid)
{
	struct xs_conn *c;

	for (c = s->conns; c; c = c->next)
		if (c->domid == domid)
			return c;
	return NULL;
}

unsigned int xs_conn_domid(const struct xs_conn *c)
{
	return c->domid;
}

void xs_conn_set_priv(struct xs_conn *c, void *priv)
{
	c->priv = priv;
}

void *xs_conn_priv(const struct xs_conn *c)
{
	return c->priv;
}

size_t xs_conn_pending_output(const struct xs_conn *c)
{
	return c->out.bytes;
}

bool xs_conn_broken(const struct xs_conn *c)
{
	return c->broken;
}

unsigned long xs_conn_dropped_events(const struct xs_conn *c)
{
	return c->dropped;
}

static int call_introduce(struct xs_store *s, struct xs_conn *d)
{
	int rc;

	if (!s->hooks.introduce)
		return 0;
	rc = s->hooks.introduce(s->hooks.opaque, d, d->mfn, d->port);
	return rc > 0 ? -XEN_EIO : rc;
}

/*
 * INTRODUCE: a new domain gets its connection. Again with the same ring,
 * it only gets a new event channel, as in Xen; with another, EINVAL.
 */
int xs_domain_introduce(struct xs_conn *c, unsigned int domid, uint64_t mfn,
			uint32_t port)
{
	struct xs_store *s = c->s;
	struct xs_conn *d = xs_conn_find(s, domid);
	int rc;

	if (domid > XS_DOMID_MAX || domid == 0 || domid == s->self)
		return -XEN_EINVAL;
	if (d) {
		if (!d->introduced || d->mfn != mfn)
			return -XEN_EINVAL;
		d->port = port;
		return call_introduce(s, d);
	}
	d = xs_conn_new(s, domid);
	if (!d)
		return -XEN_ENOMEM;
	d->introduced = true;
	d->mfn = mfn;
	d->port = port;
	rc = call_introduce(s, d);
	if (rc) {
		xs_conn_free(d);
		return rc;
	}
	xs_watch_fire(s, "@introduceDomain", 16, NULL, false);
	return 0;
}

/* The shortest path domid owns: the biggest subtree goes first. */
static const struct xs_node *find_owned(const struct xs_store *s,
					unsigned int domid)
{
	const struct xs_node *n, *best = NULL;
	unsigned int i;

	for (i = 0; i < XS_HASH; i++)
		for (n = s->hash[i]; n; n = n->hnext)
			if (xs_node_owner(n) == domid &&
			    (!best || n->plen < best->plen))
				best = n;
	return best;
}

/* Removes every node domid owns, with everything below it. */
static void remove_owned(struct xs_conn *by, unsigned int domid)
{
	struct xs_view v = { .s = by->s, .c = by, .t = NULL };
	const struct xs_node *n;

	while ((n = find_owned(by->s, domid))) {
		char *path = xs_strdup(n->path, n->plen);
		int rc = path ? xs_tree_rm(&v, path) : -XEN_ENOMEM;

		xs_free(path);
		if (rc) {
			xs_log("xenstore: release of domain %u left nodes "
			       "(error %d)",
			       domid, rc);
			return;
		}
	}
}

/*
 * RELEASE: the domain's watches, transactions and nodes go (watchers of
 * the nodes see them go), then its connection, then @releaseDomain fires.
 */
int xs_domain_release(struct xs_conn *c, unsigned int domid)
{
	struct xs_store *s = c->s;
	struct xs_conn *d = xs_conn_find(s, domid);

	if (domid == 0 || domid == s->self)
		return -XEN_EINVAL;
	if (!d || !d->introduced)
		return -XEN_ENOENT;
	xs_watch_free_all(d);
	xs_txn_free_all(d);
	d->broken = true;
	remove_owned(c, domid);
	if (s->hooks.release)
		s->hooks.release(s->hooks.opaque, d);
	xs_conn_free(d);
	xs_watch_fire(s, "@releaseDomain", 14, NULL, false);
	return 0;
}
