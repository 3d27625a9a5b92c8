/*
 * Internals of the xenstore core, shared by its files. Nothing here is
 * seen by the glue.
 *
 * Memory: no block is bigger than XS_ALLOC_MAX. Paths (at most
 * XENSTORE_ABS_PATH_MAX + 1 bytes) fit one block; values, request bodies
 * and queued output, which can reach XENSTORE_PAYLOAD_MAX, are kept in
 * pieces (struct xs_blob, struct xs_outq).
 *
 * Errors are negative XEN_E* values, sent to the client by name.
 */
#ifndef XS_CORE_H
#define XS_CORE_H

#include <xen/types.h>
#include <xen/string.h>
#include <xen/lib.h>
#include <public/errno.h>
#include <public/io/xs_wire.h>

#include "xenstore.h"
#include "xs_env.h"

#define XS_HDR	     sizeof(struct xsd_sockmsg)
#define XS_PART	     2048 /* bytes in one piece of a blob */
#define XS_BLOB_MAX  (2 * XS_PART)
#define XS_HASH	     256 /* buckets of the node table */
#define XS_NO_DOMID  (~0u)
#define XS_DOMID_MAX 0x7fef /* DOMID_FIRST_RESERVED - 1 */
/*
 * Tokens are limited so that every watch event fits one message: an
 * event carries a path (at most XENSTORE_ABS_PATH_MAX) and the token,
 * each NUL-terminated.
 */
#define XS_TOKEN_MAX (XENSTORE_PAYLOAD_MAX - XENSTORE_ABS_PATH_MAX - 2)
/* Permission entries of one node, for everyone: bounds the array. */
#define XS_PERMS_HARD_MAX 256

BUILD_BUG_ON(XS_BLOB_MAX < XENSTORE_PAYLOAD_MAX);
BUILD_BUG_ON(XS_PART > XS_ALLOC_MAX);
BUILD_BUG_ON(XENSTORE_ABS_PATH_MAX + 1 > XS_ALLOC_MAX);

/* ---- blob.c: bytes in up to two pieces ---- */

struct xs_blob {
	size_t len;
	char
	    *part[2]; /* part[i] holds bytes [i * XS_PART, (i + 1) * XS_PART) */
};

int xs_blob_alloc(struct xs_blob *b, size_t len);
void xs_blob_free(struct xs_blob *b);
void xs_blob_write(struct xs_blob *b, size_t off, const void *src, size_t n);
void xs_blob_read(const struct xs_blob *b, size_t off, void *dst, size_t n);
/* Offset of the first byte c at or after off, or b->len. */
size_t xs_blob_find(const struct xs_blob *b, size_t off, int c);
int xs_blob_dup_range(struct xs_blob *dst, const struct xs_blob *src,
		      size_t off, size_t n);

/* ---- outq.c: queued output in chunks ---- */

struct xs_chunk;
struct xs_outq {
	struct xs_chunk *first, *last;
	struct xs_chunk *wr; /* first chunk with room; all after it are empty */
	size_t bytes;
};

int xs_outq_reserve(struct xs_outq *q, size_t n);
void xs_outq_write(struct xs_outq *q, const void *src, size_t n);
size_t xs_outq_pull(struct xs_outq *q, void *dst, size_t max);
void xs_outq_free(struct xs_outq *q);

/* ---- perms.c ---- */

#define XS_PERM_NONE  0
#define XS_PERM_READ  1
#define XS_PERM_WRITE 2
#define XS_PERM_BOTH  (XS_PERM_READ | XS_PERM_WRITE)

struct xs_perm {
	uint16_t domid;
	uint8_t perm; /* XS_PERM_* */
};

/* p[0] is the owner and the permission of everyone not listed after it. */
struct xs_perms {
	unsigned int n;
	struct xs_perm *p;
};

int xs_perms_dup(struct xs_perms *dst, const struct xs_perms *src);
void xs_perms_free(struct xs_perms *p);
int xs_perm_parse(const char *s, struct xs_perm *out);
int xs_perm_format(const struct xs_perm *p, char *buf, size_t size);
unsigned int xs_perms_access(const struct xs_conn *c, const struct xs_perms *p);
int xs_parse_uint(const char *s, uint64_t max, uint64_t *out);

/* ---- path.c ---- */

int xs_path_canon(const struct xs_conn *c, const char *in, bool special_ok,
		  char **out, bool *relative);
bool xs_path_within(const char *path, size_t len, const char *top,
		    size_t toplen);
size_t xs_path_parent_len(const char *path, size_t len);
size_t xs_path_home(unsigned int domid, char *buf, size_t size);
char *xs_strdup(const char *s, size_t len);

/* ---- store.c: node records, and views of them with or without a txn ---- */

struct xs_child {
	struct xs_child *next;
	size_t len;
	char name[];
};

struct xs_node {
	struct xs_node *hnext;
	char *path; /* absolute, NUL-terminated */
	size_t plen;
	struct xs_blob value;
	struct xs_perms perms;
	struct xs_child *children; /* in creation order */
	uint64_t gen;		   /* store generation of the last change */
};

/* A node a transaction touched: read (seen) or changed (dirty). */
struct xs_tnode {
	struct xs_tnode *next;
	char *path;
	size_t plen;
	uint64_t seen;	      /* live generation at first touch; 0: absent */
	bool dirty;	      /* node is the transaction's version */
	bool fire, recurse;   /* watch event due at commit */
	struct xs_node *node; /* when dirty: new state, NULL when removed */
};

struct xs_txn {
	struct xs_txn *next;
	uint32_t id;
	unsigned int ntnodes;
	int failed; /* an operation stopped half-way: commit fails */
	struct xs_tnode *tnodes;
};

struct xs_view {
	struct xs_store *s;
	struct xs_conn *c; /* on whose behalf: rights and quotas */
	struct xs_txn *t;  /* NULL: the live store */
};

struct xs_node *xs_node_lookup(const struct xs_store *s, const char *path,
			       size_t len);
struct xs_node *xs_node_new(const char *path, size_t len);
struct xs_node *xs_node_clone(const struct xs_node *n);
void xs_node_free(struct xs_node *n);
int xs_node_add_child(struct xs_node *n, const char *name, size_t len);
void xs_node_del_child(struct xs_node *n, const char *name, size_t len);
struct xs_child *xs_node_find_child(const struct xs_node *n, const char *name,
				    size_t len);
static inline unsigned int xs_node_owner(const struct xs_node *n)
{
	return n->perms.p[0].domid;
}

int xs_view_get(struct xs_view *v, const char *path, size_t len,
		const struct xs_node **out);
void xs_view_put(struct xs_view *v, struct xs_node *n);
void xs_view_del(struct xs_view *v, const char *path, size_t len);
void xs_view_fire(struct xs_view *v, const char *path, size_t len,
		  const struct xs_perms *perms, bool recurse);
unsigned int xs_view_owned(const struct xs_view *v);
void xs_store_count_owner(struct xs_store *s, unsigned int domid, int delta);

/* ---- tree.c: the operations on paths ---- */

int xs_tree_get(struct xs_view *v, const char *path, unsigned int want,
		const struct xs_node **out);
int xs_tree_write(struct xs_view *v, const char *path, struct xs_blob *value,
		  bool mkdir);
int xs_tree_rm(struct xs_view *v, const char *path);
int xs_tree_set_perms(struct xs_view *v, const char *path,
		      struct xs_perms *perms);

/* ---- txn.c ---- */

int xs_txn_start(struct xs_conn *c, uint32_t *id);
struct xs_txn *xs_txn_find(struct xs_conn *c, uint32_t id);
int xs_txn_end(struct xs_conn *c, struct xs_txn *t, bool commit);
void xs_txn_free_all(struct xs_conn *c);
int xs_txn_touch(struct xs_view *v, const char *path, size_t len,
		 struct xs_tnode **out);

/* ---- watch.c ---- */

struct xs_watch {
	struct xs_watch *next;
	char *path; /* absolute, or a special "@..." name */
	char *token;
	bool relative; /* events name paths relative to the domain's home */
};

int xs_watch_add(struct xs_conn *c, char *path, char *token, bool relative);
int xs_watch_del(struct xs_conn *c, const char *path, const char *token);
void xs_watch_fire_first(struct xs_conn *c);
void xs_watch_free_all(struct xs_conn *c);
void xs_watch_fire(struct xs_store *s, const char *path, size_t len,
		   const struct xs_perms *perms, bool recurse);

/* ---- domain.c: connections, introduction, quotas ---- */

enum xs_quota {
	XS_Q_NODES,
	XS_Q_VALUE,
	XS_Q_WATCHES,
	XS_Q_TXNS,
	XS_Q_TXN_NODES,
	XS_Q_PERMS,
	XS_Q_OUTPUT,
	XS_Q_COUNT
};

struct xs_store {
	struct xs_limits lim;
	struct xs_hooks hooks;
	unsigned int self;
	uint64_t gen;
	unsigned long nnodes;
	struct xs_conn *conns;
	struct xs_node *hash[XS_HASH];
};

struct xs_conn {
	struct xs_conn *next;
	struct xs_store *s;
	unsigned int domid;
	bool introduced, broken;
	uint64_t mfn;
	uint32_t port;
	void *priv;
	/* Input: the header, then the body in two pieces. */
	struct xsd_sockmsg hdr;
	size_t got;
	char *in[2];
	struct xs_outq out;
	unsigned long dropped;
	/* Accounting for quotas. */
	unsigned int nodes, nwatches, ntxns;
	uint32_t next_txid;
	unsigned int logged; /* bit per enum xs_quota: logged once */
	struct xs_watch *watches;
	struct xs_txn *txns;
};

bool xs_conn_privileged(const struct xs_conn *c);
int xs_quota_hit(struct xs_conn *c, enum xs_quota kind, int err);
int xs_domain_introduce(struct xs_conn *c, unsigned int domid, uint64_t mfn,
			uint32_t port);
int xs_domain_release(struct xs_conn *c, unsigned int domid);

/* ---- proto.c: framing and output ---- */

int xs_out_msg(struct xs_conn *c, uint32_t type, uint32_t req_id,
	       uint32_t tx_id, size_t len);
void xs_out_append(struct xs_conn *c, const void *p, size_t n);
void xs_conn_break(struct xs_conn *c, const char *why);

/* ---- request.c ---- */

void xs_request_handle(struct xs_conn *c);

#endif /* XS_CORE_H */
