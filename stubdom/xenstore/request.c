/*
 * Requests: decoding the arguments of each type, then the operation, then
 * the reply, with Xen's payloads: "OK" for most, the value for READ,
 * NUL-terminated names for DIRECTORY and permissions for GET_PERMS, the
 * id for TRANSACTION_START; on failure an XS_ERROR carrying the errno's
 * name. Replies echo type, req_id and tx_id.
 */
#include "xs_core.h"

struct xs_req {
	struct xs_conn *c;
	struct xsd_sockmsg hdr;
	struct xs_blob body; /* the payload, in the connection's buffers */
	size_t off;	     /* where the next argument starts */
	struct xs_txn *t;
};

static void reply(struct xs_req *r, const void *p, size_t n)
{
	if (!xs_out_msg(r->c, r->hdr.type, r->hdr.req_id, r->hdr.tx_id, n))
		xs_out_append(r->c, p, n);
}

static int reply_ok(struct xs_req *r)
{
	reply(r, "OK", 3);
	return 0;
}

static void reply_error(struct xs_req *r, int err)
{
	const char *name = "EINVAL";
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xsd_errors); i++)
		if (xsd_errors[i].errnum == -err)
			name = xsd_errors[i].errstring;
	if (!xs_out_msg(r->c, XS_ERROR, r->hdr.req_id, r->hdr.tx_id,
			strlen(name) + 1))
		xs_out_append(r->c, name, strlen(name) + 1);
}

/* ---- Arguments: NUL-terminated strings, then maybe raw bytes ---- */

/* Length of the next string, or -EINVAL when it has no terminator. */
static long req_strlen(const struct xs_req *r)
{
	size_t end = xs_blob_find(&r->body, r->off, '\0');

	return end < r->body.len ? (long)(end - r->off) : -XEN_EINVAL;
}

/* The next string, in a new allocation; too_long when over max. */
static int req_strdup(struct xs_req *r, size_t max, int too_long, char **out)
{
	long n = req_strlen(r);

	if (n < 0)
		return (int)n;
	if ((size_t)n > max)
		return too_long;
	*out = xs_malloc((size_t)n + 1);
	if (!*out)
		return -XEN_ENOMEM;
	xs_blob_read(&r->body, r->off, *out, (size_t)n + 1);
	r->off += (size_t)n + 1;
	return 0;
}

/* The next string into buf: short arguments (numbers, flags). */
static int req_small(struct xs_req *r, char *buf, size_t size)
{
	long n = req_strlen(r);

	if (n < 0 || (size_t)n >= size)
		return -XEN_EINVAL;
	xs_blob_read(&r->body, r->off, buf, (size_t)n + 1);
	r->off += (size_t)n + 1;
	return 0;
}

static int req_number(struct xs_req *r, uint64_t max, uint64_t *out)
{
	char buf[24];
	int rc = req_small(r, buf, sizeof(buf));

	return rc ? rc : xs_parse_uint(buf, max, out);
}

/* The next string as an absolute path, checked. */
static int req_path(struct xs_req *r, bool special_ok, char **out,
		    bool *relative)
{
	char *raw;
	bool rel;
	int rc = req_strdup(r, XENSTORE_ABS_PATH_MAX, -XEN_EINVAL, &raw);

	if (rc)
		return rc;
	rc = xs_path_canon(r->c, raw, special_ok, out,
			   relative ? relative : &rel);
	xs_free(raw);
	return rc;
}

static struct xs_view req_view(struct xs_req *r)
{
	return (struct xs_view){ .s = r->c->s, .c = r->c, .t = r->t };
}

/* ---- The operations on nodes ---- */

static void reply_blob(struct xs_req *r, const struct xs_blob *b)
{
	size_t first = b->len < XS_PART ? b->len : XS_PART;

	if (xs_out_msg(r->c, r->hdr.type, r->hdr.req_id, r->hdr.tx_id, b->len))
		return;
	xs_out_append(r->c, b->part[0], first);
	xs_out_append(r->c, b->part[1], b->len - first);
}

static int do_read(struct xs_req *r)
{
	struct xs_view v = req_view(r);
	const struct xs_node *n;
	char *path;
	int rc = req_path(r, false, &path, NULL);

	if (rc)
		return rc;
	rc = xs_tree_get(&v, path, XS_PERM_READ, &n);
	if (!rc)
		reply_blob(r, &n->value);
	xs_free(path);
	return rc;
}

/* WRITE: the path, then the value: all the bytes left, no terminator. */
static int do_write(struct xs_req *r)
{
	struct xs_view v = req_view(r);
	struct xs_blob value;
	char *path;
	int rc = req_path(r, false, &path, NULL);

	if (rc)
		return rc;
	rc = xs_blob_dup_range(&value, &r->body, r->off, r->body.len - r->off);
	if (!rc)
		rc = xs_tree_write(&v, path, &value, false);
	xs_blob_free(&value);
	xs_free(path);
	return rc ? rc : reply_ok(r);
}

static int do_mkdir(struct xs_req *r)
{
	struct xs_view v = req_view(r);
	struct xs_blob empty = { 0 };
	char *path;
	int rc = req_path(r, false, &path, NULL);

	if (rc)
		return rc;
	rc = xs_tree_write(&v, path, &empty, true);
	xs_free(path);
	return rc ? rc : reply_ok(r);
}

static int do_rm(struct xs_req *r)
{
	struct xs_view v = req_view(r);
	char *path;
	int rc = req_path(r, false, &path, NULL);

	if (rc)
		return rc;
	rc = xs_tree_rm(&v, path);
	xs_free(path);
	return rc ? rc : reply_ok(r);
}

static int send_directory(struct xs_req *r, const struct xs_node *n)
{
	const struct xs_child *ch;
	size_t total = 0;

	for (ch = n->children; ch; ch = ch->next)
		total += ch->len + 1;
	if (total > XENSTORE_PAYLOAD_MAX)
		return -XEN_E2BIG;
	if (xs_out_msg(r->c, r->hdr.type, r->hdr.req_id, r->hdr.tx_id, total))
		return 0;
	for (ch = n->children; ch; ch = ch->next)
		xs_out_append(r->c, ch->name, ch->len + 1);
	return 0;
}

static int do_directory(struct xs_req *r)
{
	struct xs_view v = req_view(r);
	const struct xs_node *n;
	char *path;
	int rc = req_path(r, false, &path, NULL);

	if (rc)
		return rc;
	rc = xs_tree_get(&v, path, XS_PERM_READ, &n);
	if (!rc)
		rc = send_directory(r, n);
	xs_free(path);
	return rc;
}

static void send_perms(struct xs_req *r, const struct xs_perms *p)
{
	char buf[16];
	size_t total = 0;
	unsigned int i;

	for (i = 0; i < p->n; i++)
		total += (size_t)xs_perm_format(&p->p[i], buf, sizeof(buf)) + 1;
	if (xs_out_msg(r->c, r->hdr.type, r->hdr.req_id, r->hdr.tx_id, total))
		return;
	for (i = 0; i < p->n; i++) {
		int n = xs_perm_format(&p->p[i], buf, sizeof(buf));

		xs_out_append(r->c, buf, (size_t)n + 1);
	}
}

static int do_get_perms(struct xs_req *r)
{
	struct xs_view v = req_view(r);
	const struct xs_node *n;
	char *path;
	int rc = req_path(r, false, &path, NULL);

	if (rc)
		return rc;
	rc = xs_tree_get(&v, path, XS_PERM_READ, &n);
	if (!rc)
		send_perms(r, &n->perms);
	xs_free(path);
	return rc;
}

/* The permission strings that end the payload, at least one. */
static int req_perms(struct xs_req *r, struct xs_perms *p)
{
	size_t i, n = 0;
	char buf[16];
	int rc;

	for (i = r->off; i < r->body.len; i = xs_blob_find(&r->body, i, 0) + 1)
		n++;
	if (!n)
		return -XEN_EINVAL;
	xs_blob_read(&r->body, r->body.len - 1, buf, 1);
	if (buf[0])
		return -XEN_EINVAL; /* the last one has no terminator */
	if (n > XS_PERMS_HARD_MAX ||
	    (!xs_conn_privileged(r->c) && n > r->c->s->lim.perms))
		return xs_quota_hit(r->c, XS_Q_PERMS, XEN_ENOSPC);
	p->p = xs_malloc(n * sizeof(*p->p));
	if (!p->p)
		return -XEN_ENOMEM;
	for (p->n = 0; p->n < n; p->n++) {
		rc = req_small(r, buf, sizeof(buf));
		if (!rc)
			rc = xs_perm_parse(buf, &p->p[p->n]);
		if (rc)
			return rc;
	}
	return 0;
}

static int do_set_perms(struct xs_req *r)
{
	struct xs_view v = req_view(r);
	struct xs_perms perms = { 0 };
	char *path;
	int rc = req_path(r, false, &path, NULL);

	if (rc)
		return rc;
	rc = req_perms(r, &perms);
	if (!rc)
		rc = xs_tree_set_perms(&v, path, &perms);
	xs_perms_free(&perms);
	xs_free(path);
	return rc ? rc : reply_ok(r);
}

/* ---- Watches ---- */

/* WATCH and UNWATCH: a path (or special name), then a token. */
static int req_watch_args(struct xs_req *r, char **path, char **token,
			  bool *relative)
{
	int rc = req_path(r, true, path, relative);

	if (rc)
		return rc;
	rc = req_strdup(r, XS_TOKEN_MAX, -XEN_E2BIG, token);
	if (rc)
		xs_free(*path);
	return rc;
}

static int do_watch(struct xs_req *r)
{
	char *path, *token;
	bool relative;
	int rc = req_watch_args(r, &path, &token, &relative);

	if (!rc)
		rc = xs_watch_add(r->c, path, token, relative);
	if (rc)
		return rc;
	reply_ok(r);
	xs_watch_fire_first(r->c);
	return 0;
}

static int do_unwatch(struct xs_req *r)
{
	char *path, *token;
	bool relative;
	int rc = req_watch_args(r, &path, &token, &relative);

	if (rc)
		return rc;
	rc = xs_watch_del(r->c, path, token);
	xs_free(path);
	xs_free(token);
	return rc ? rc : reply_ok(r);
}

static int do_reset_watches(struct xs_req *r)
{
	xs_watch_free_all(r->c);
	xs_txn_free_all(r->c);
	return reply_ok(r);
}

/* ---- Transactions ---- */

static int do_txn_start(struct xs_req *r)
{
	char buf[16];
	uint32_t id;
	int rc;

	if (r->hdr.tx_id)
		return -XEN_EBUSY;
	rc = xs_txn_start(r->c, &id);
	if (rc)
		return rc;
	reply(r, buf, (size_t)fmt_snprintf(buf, sizeof(buf), "%u", id) + 1);
	return 0;
}

/* "T" commits, "F" abandons. */
static int do_txn_end(struct xs_req *r)
{
	char arg[2];
	int rc;

	if (!r->t)
		return -XEN_ENOENT;
	rc = req_small(r, arg, sizeof(arg));
	if (rc || (arg[0] != 'T' && arg[0] != 'F'))
		return -XEN_EINVAL;
	rc = xs_txn_end(r->c, r->t, arg[0] == 'T');
	return rc ? rc : reply_ok(r);
}

/* ---- Domains ---- */

static int req_domid(struct xs_req *r, unsigned int *domid)
{
	uint64_t v;
	int rc = req_number(r, 0xffff, &v);

	*domid = (unsigned int)v;
	return rc;
}

static int do_introduce(struct xs_req *r)
{
	uint64_t mfn, port;
	unsigned int domid;
	int rc = req_domid(r, &domid);

	if (!rc)
		rc = req_number(r, UINT64_MAX, &mfn);
	if (!rc)
		rc = req_number(r, UINT32_MAX, &port);
	if (!rc)
		rc = xs_domain_introduce(r->c, domid, mfn, (uint32_t)port);
	return rc ? rc : reply_ok(r);
}

static int do_release(struct xs_req *r)
{
	unsigned int domid;
	int rc = req_domid(r, &domid);

	if (!rc)
		rc = xs_domain_release(r->c, domid);
	return rc ? rc : reply_ok(r);
}

static int do_get_domain_path(struct xs_req *r)
{
	unsigned int domid;
	char buf[32];
	int rc = req_domid(r, &domid);

	if (rc)
		return rc;
	reply(r, buf, xs_path_home(domid, buf, sizeof(buf)) + 1);
	return 0;
}

static int do_is_introduced(struct xs_req *r)
{
	const struct xs_conn *d;
	unsigned int domid;
	int rc = req_domid(r, &domid);

	if (rc)
		return rc;
	d = xs_conn_find(r->c->s, domid);
	reply(r, d && (d->introduced || xs_conn_privileged(d)) ? "T" : "F", 2);
	return 0;
}

/* ---- Dispatch ---- */

struct xs_op {
	int (*fn)(struct xs_req *r);
	bool privileged; /* only for domain 0 and the store's domain */
	bool txn;	 /* tx_id names one of the connection's transactions */
};

static const struct xs_op xs_ops[XS_TYPE_COUNT] = {
	[XS_DIRECTORY] = { do_directory, false, true },
	[XS_READ] = { do_read, false, true },
	[XS_GET_PERMS] = { do_get_perms, false, true },
	[XS_WATCH] = { do_watch, false, false },
	[XS_UNWATCH] = { do_unwatch, false, false },
	[XS_TRANSACTION_START] = { do_txn_start, false, false },
	[XS_TRANSACTION_END] = { do_txn_end, false, true },
	[XS_INTRODUCE] = { do_introduce, true, false },
	[XS_RELEASE] = { do_release, true, false },
	[XS_GET_DOMAIN_PATH] = { do_get_domain_path, false, false },
	[XS_WRITE] = { do_write, false, true },
	[XS_MKDIR] = { do_mkdir, false, true },
	[XS_RM] = { do_rm, false, true },
	[XS_SET_PERMS] = { do_set_perms, false, true },
	[XS_IS_DOMAIN_INTRODUCED] = { do_is_introduced, true, false },
	[XS_RESET_WATCHES] = { do_reset_watches, false, false },
};

/* The complete message in c's buffers: handled, its reply queued. */
void xs_request_handle(struct xs_conn *c)
{
	struct xs_req r = {
		.c = c,
		.hdr = c->hdr,
		.body = { .len = c->hdr.len, .part = { c->in[0], c->in[1] } },
	};
	const struct xs_op *op =
	    r.hdr.type < XS_TYPE_COUNT ? &xs_ops[r.hdr.type] : NULL;
	int rc;

	if (!op || !op->fn)
		rc = -XEN_EINVAL;
	else if (op->privileged && !xs_conn_privileged(c))
		rc = -XEN_EACCES;
	else if (op->txn && r.hdr.tx_id && !(r.t = xs_txn_find(c, r.hdr.tx_id)))
		rc = -XEN_ENOENT;
	else
		rc = op->fn(&r);
	if (rc)
		reply_error(&r, rc);
}
