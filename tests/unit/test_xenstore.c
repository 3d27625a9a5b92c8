/*
 * The xenstore core (stubdom/xenstore/), driven as the stubdom glue drives
 * it: real wire messages go in through xs_conn_feed(), and what comes out
 * of xs_conn_pull() is checked byte for byte. The environment (allocator,
 * log) is the test's own: it counts blocks, so leaks and oversized blocks
 * show, can fail allocations on purpose, and counts log lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <public/io/xs_wire.h>
#include "../../stubdom/xenstore/xenstore.h"
#include "../../stubdom/xenstore/xs_env.h"
#include "fake_xs_env.h"

/* ---- The glue's hooks ---- */

static unsigned int intros, releases, released_domid;
static uint64_t intro_mfn;
static uint32_t intro_port;
static int intro_rc;

static int hook_introduce(void *opaque, struct xs_conn *c, uint64_t mfn,
			  uint32_t port)
{
	intros++;
	intro_mfn = mfn;
	intro_port = port;
	return intro_rc;
}

static void hook_release(void *opaque, struct xs_conn *c)
{
	releases++;
	released_domid = xs_conn_domid(c);
}

/* ---- Fixture: a store, domain 0, and domains 1 and 2 ---- */

static struct xs_store *s;
static struct xs_conn *d0, *d1, *d2;
static struct xs_conn *dx; /* privileged too: the store's own domain */
static uint32_t next_req = 100;

static void start(const struct xs_limits *lim)
{
	struct xs_hooks h = { hook_introduce, hook_release, NULL };

	live_blocks = oversized = 0;
	fail_in = -1;
	log_lines = intros = releases = 0;
	intro_rc = 0;
	s = xs_store_create(lim);
	assert_non_null(s);
	xs_store_set_hooks(s, &h);
	d0 = xs_conn_new(s, 0);
	d1 = xs_conn_new(s, 1);
	d2 = xs_conn_new(s, 2);
	xs_store_set_self(s, 9);
	dx = xs_conn_new(s, 9);
	assert_non_null(dx);
	assert_non_null(d0);
	assert_non_null(d1);
	assert_non_null(d2);
}

static int setup(void **state)
{
	start(NULL);
	return 0;
}

static int teardown(void **state)
{
	xs_store_destroy(s);
	assert_int_equal(live_blocks, 0);
	assert_int_equal(oversized, 0);
	return 0;
}

/* ---- Messages ---- */

/* A payload literal with its embedded NULs: S("a\0b") is 3 bytes. */
#define S(lit) lit, sizeof(lit) - 1

static uint32_t send(struct xs_conn *c, uint32_t type, uint32_t tx,
		     const void *p, size_t len)
{
	struct xsd_sockmsg m = { type, ++next_req, tx, (uint32_t)len };

	assert_int_equal(xs_conn_feed(c, &m, sizeof(m)), sizeof(m));
	assert_int_equal(xs_conn_feed(c, p, len), len);
	return next_req;
}

struct msg {
	struct xsd_sockmsg h;
	char p[XENSTORE_PAYLOAD_MAX + 1];
};

static bool recv_msg(struct xs_conn *c, struct msg *m)
{
	if (!xs_conn_pull(c, &m->h, sizeof(m->h)))
		return false;
	assert_true(m->h.len <= XENSTORE_PAYLOAD_MAX);
	assert_int_equal(xs_conn_pull(c, m->p, m->h.len), m->h.len);
	return true;
}

static void expect(struct xs_conn *c, uint32_t type, uint32_t req, uint32_t tx,
		   const void *p, size_t len)
{
	struct msg m;

	assert_true(recv_msg(c, &m));
	if (m.h.type == XS_ERROR && type != XS_ERROR)
		fail_msg("error %.*s, wanted type %u", (int)m.h.len, m.p, type);
	assert_int_equal(m.h.type, type);
	assert_int_equal(m.h.req_id, req);
	assert_int_equal(m.h.tx_id, tx);
	assert_int_equal(m.h.len, len);
	assert_memory_equal(m.p, p, len);
}

static void expect_none(struct xs_conn *c)
{
	struct msg m;

	if (recv_msg(c, &m))
		fail_msg("unexpected message type %u: %.*s", m.h.type,
			 (int)m.h.len, m.p);
}

static void expect_err(struct xs_conn *c, uint32_t req, uint32_t tx,
		       const char *name)
{
	expect(c, XS_ERROR, req, tx, name, strlen(name) + 1);
}

static void expect_event(struct xs_conn *c, const char *path, const char *token)
{
	char buf[512];
	size_t n = strlen(path) + 1 + strlen(token) + 1;

	memcpy(buf, path, strlen(path) + 1);
	memcpy(buf + strlen(path) + 1, token, strlen(token) + 1);
	expect(c, XS_WATCH_EVENT, 0, 0, buf, n);
}

/* One-string requests (path, domid, ...). */
static uint32_t req1(struct xs_conn *c, uint32_t type, uint32_t tx,
		     const char *arg)
{
	return send(c, type, tx, arg, strlen(arg) + 1);
}

static uint32_t req2(struct xs_conn *c, uint32_t type, uint32_t tx,
		     const char *a, const char *b, bool nul)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t la = strlen(a) + 1, lb = strlen(b) + nul;

	memcpy(buf, a, la);
	memcpy(buf + la, b, lb);
	return send(c, type, tx, buf, la + lb);
}

static uint32_t wr(struct xs_conn *c, uint32_t tx, const char *path,
		   const char *val)
{
	return req2(c, XS_WRITE, tx, path, val, false);
}

static void ok(struct xs_conn *c, uint32_t type, uint32_t req, uint32_t tx)
{
	expect(c, type, req, tx, "OK", 3);
}

static void write_ok(struct xs_conn *c, uint32_t tx, const char *path,
		     const char *val)
{
	ok(c, XS_WRITE, wr(c, tx, path, val), tx);
}

static void read_is(struct xs_conn *c, uint32_t tx, const char *path,
		    const char *val)
{
	expect(c, XS_READ, req1(c, XS_READ, tx, path), tx, val, strlen(val));
}

static void read_err(struct xs_conn *c, uint32_t tx, const char *path,
		     const char *err)
{
	expect_err(c, req1(c, XS_READ, tx, path), tx, err);
}

static void set_perms(struct xs_conn *c, const char *path, const void *perms,
		      size_t len, const char *err)
{
	char buf[256];
	size_t lp = strlen(path) + 1;
	uint32_t r;

	memcpy(buf, path, lp);
	memcpy(buf + lp, perms, len);
	r = send(c, XS_SET_PERMS, 0, buf, lp + len);
	if (err)
		expect_err(c, r, 0, err);
	else
		ok(c, XS_SET_PERMS, r, 0);
}

static void perms_are(struct xs_conn *c, const char *path, const void *p,
		      size_t len)
{
	expect(c, XS_GET_PERMS, req1(c, XS_GET_PERMS, 0, path), 0, p, len);
}

static void watch(struct xs_conn *c, const char *path, const char *token)
{
	ok(c, XS_WATCH, req2(c, XS_WATCH, 0, path, token, true), 0);
}

static uint32_t txn_start(struct xs_conn *c)
{
	struct msg m;
	uint32_t r = send(c, XS_TRANSACTION_START, 0, "", 1);

	assert_true(recv_msg(c, &m));
	assert_int_equal(m.h.type, XS_TRANSACTION_START);
	assert_int_equal(m.h.req_id, r);
	assert_true(m.h.len >= 2 && m.p[m.h.len - 1] == '\0');
	return (uint32_t)strtoul(m.p, NULL, 10);
}

static uint32_t txn_end(struct xs_conn *c, uint32_t tx, bool commit)
{
	return send(c, XS_TRANSACTION_END, tx, commit ? "T" : "F", 2);
}

/* Domain d's home, owned by d and closed to others. */
static void make_home(unsigned int d)
{
	char path[64], perm[16];

	snprintf(path, sizeof(path), "/local/domain/%u", d);
	ok(dx, XS_MKDIR, req1(dx, XS_MKDIR, 0, path), 0);
	snprintf(perm, sizeof(perm), "n%u", d);
	set_perms(dx, path, perm, strlen(perm) + 1, NULL);
}

/* ---- The operations ---- */

static void test_write_read_directory(void **state)
{
	static char big[XENSTORE_PAYLOAD_MAX];
	uint32_t r;

	write_ok(d0, 0, "/a/b", "hello");
	read_is(d0, 0, "/a/b", "hello");
	read_is(d0, 0, "/a", ""); /* made on the way, empty */
	write_ok(d0, 0, "/a/b", "again");
	read_is(d0, 0, "/a/b", "again");
	expect(d0, XS_DIRECTORY, req1(d0, XS_DIRECTORY, 0, "/"), 0, S("a\0"));
	ok(d0, XS_MKDIR, req1(d0, XS_MKDIR, 0, "/a/c"), 0);
	ok(d0, XS_MKDIR, req1(d0, XS_MKDIR, 0, "/a/c"), 0); /* exists: fine */
	expect(d0, XS_DIRECTORY, req1(d0, XS_DIRECTORY, 0, "/a"), 0,
	       S("b\0c\0"));
	expect(d0, XS_DIRECTORY, req1(d0, XS_DIRECTORY, 0, "/a/b"), 0, "", 0);
	read_err(d0, 0, "/nothing", "ENOENT");
	expect_err(d0, req1(d0, XS_DIRECTORY, 0, "/nothing"), 0, "ENOENT");
	/* A value can hold any bytes, NULs included. */
	r = send(d0, XS_WRITE, 0, S("/bin\0x\0y"));
	ok(d0, XS_WRITE, r, 0);
	expect(d0, XS_READ, req1(d0, XS_READ, 0, "/bin"), 0, S("x\0y"));
	/* The largest value a message can carry, in two pieces. */
	memcpy(big, "/big", 5);
	for (size_t i = 5; i < sizeof(big); i++)
		big[i] = (char)(i * 7);
	ok(d0, XS_WRITE, send(d0, XS_WRITE, 0, big, sizeof(big)), 0);
	expect(d0, XS_READ, req1(d0, XS_READ, 0, "/big"), 0, big + 5,
	       sizeof(big) - 5);
	expect_none(d0);
	assert_int_equal(xs_store_nodes(s), 6); /* / /a /a/b /a/c /bin /big */
}

static void test_rm(void **state)
{
	write_ok(d0, 0, "/a/b/c", "1");
	write_ok(d0, 0, "/a/b/d/e", "2");
	write_ok(d0, 0, "/a/x", "3");
	ok(d0, XS_RM, req1(d0, XS_RM, 0, "/a/b"), 0);
	read_err(d0, 0, "/a/b", "ENOENT");
	read_err(d0, 0, "/a/b/d/e", "ENOENT");
	read_is(d0, 0, "/a/x", "3");
	expect(d0, XS_DIRECTORY, req1(d0, XS_DIRECTORY, 0, "/a"), 0, S("x\0"));
	/* Absent, parent present: fine; parent absent too: ENOENT. */
	ok(d0, XS_RM, req1(d0, XS_RM, 0, "/a/b"), 0);
	expect_err(d0, req1(d0, XS_RM, 0, "/a/b/c"), 0, "ENOENT");
	expect_err(d0, req1(d0, XS_RM, 0, "/"), 0, "EINVAL");
	assert_int_equal(xs_store_nodes(s), 3);
}

static void test_perms_wire(void **state)
{
	write_ok(d0, 0, "/p", "");
	perms_are(d0, "/p", S("n0\0"));
	set_perms(d0, "/p", S("r1\0w2\0b3\0n4\0"), NULL);
	perms_are(d0, "/p", S("r1\0w2\0b3\0n4\0"));
	set_perms(d0, "/p", S("x1\0"), "EINVAL");
	set_perms(d0, "/p", S("r\0"), "EINVAL");
	set_perms(d0, "/p", S("r1a\0"), "EINVAL");
	set_perms(d0, "/p", S("r65536\0"), "EINVAL");
	set_perms(d0, "/p", S("r1\0r2"), "EINVAL"); /* last unterminated */
	set_perms(d0, "/p", "", 0, "EINVAL");	    /* none */
	set_perms(d0, "/p", S("\0"), "EINVAL");
	set_perms(d0, "/nothing", S("n0\0"), "ENOENT");
	expect_err(d0, send(d0, XS_SET_PERMS, 0, "/p", 2), 0, "EINVAL");
	perms_are(d0, "/p", S("r1\0w2\0b3\0n4\0"));
	expect_none(d0);
}

static void test_relative_and_domain_path(void **state)
{
	make_home(1);
	write_ok(d1, 0, "x/y", "rel");
	read_is(d0, 0, "/local/domain/1/x/y", "rel");
	read_is(d1, 0, "/local/domain/1/x/y", "rel");
	read_is(d1, 0, "x/y", "rel");
	perms_are(d1, "x/y", S("n1\0"));
	expect(d2, XS_GET_DOMAIN_PATH, req1(d2, XS_GET_DOMAIN_PATH, 0, "5"), 0,
	       S("/local/domain/5\0"));
	expect_err(d2, req1(d2, XS_GET_DOMAIN_PATH, 0, "5x"), 0, "EINVAL");
	expect_err(d2, req1(d2, XS_GET_DOMAIN_PATH, 0, ""), 0, "EINVAL");
	expect_err(d2, req1(d2, XS_GET_DOMAIN_PATH, 0, "99999"), 0, "EINVAL");
}

/* Two unprivileged domains and what each may do to the other's nodes. */
static void test_perms_between_domains(void **state)
{
	make_home(1);
	make_home(2);
	write_ok(d2, 0, "/local/domain/2/secret", "s");
	read_err(d1, 0, "/local/domain/2/secret", "EACCES");
	expect_err(d1, wr(d1, 0, "/local/domain/2/secret", "x"), 0, "EACCES");
	expect_err(d1, wr(d1, 0, "/local/domain/2/new", "x"), 0, "EACCES");
	expect_err(d1, req1(d1, XS_RM, 0, "/local/domain/2/secret"), 0,
		   "EACCES");
	expect_err(d1, req1(d1, XS_DIRECTORY, 0, "/local/domain/2"), 0,
		   "EACCES");
	/* Existence does not leak: absent below a closed node is EACCES. */
	read_err(d1, 0, "/local/domain/2/none", "EACCES");
	read_err(d1, 0, "/local/domain/1/none", "ENOENT");
	read_err(d1, 0, "/", "EACCES");

	/* Read granted, then both. */
	write_ok(d2, 0, "/local/domain/2/shared", "v");
	set_perms(d2, "/local/domain/2/shared", S("n2\0r1\0"), NULL);
	read_is(d1, 0, "/local/domain/2/shared", "v");
	expect_err(d1, wr(d1, 0, "/local/domain/2/shared", "x"), 0, "EACCES");
	set_perms(d2, "/local/domain/2/shared", S("n2\0b1\0"), NULL);
	write_ok(d1, 0, "/local/domain/2/shared", "w");
	read_is(d2, 0, "/local/domain/2/shared", "w");
	/* A child made by 1 is 1's, with the parent's other entries. */
	write_ok(d1, 0, "/local/domain/2/shared/kid", "k");
	perms_are(d1, "/local/domain/2/shared/kid", S("n1\0b1\0"));
	read_err(d2, 0, "/local/domain/2/shared/kid", "EACCES");
	/* Only the owner sets permissions, and may not give nodes away. */
	set_perms(d1, "/local/domain/2/shared", S("b1\0"), "EACCES");
	set_perms(d2, "/local/domain/2/shared", S("n1\0"), "EPERM");
	/* Default permission for everyone else. */
	set_perms(d2, "/local/domain/2/shared", S("r2\0"), NULL);
	read_is(d1, 0, "/local/domain/2/shared", "w");
	/* Privileged requests are refused to others. */
	expect_err(d1, send(d1, XS_INTRODUCE, 0, S("7\0001\0002\0")), 0,
		   "EACCES");
	expect_err(d1, req1(d1, XS_RELEASE, 0, "2"), 0, "EACCES");
	expect_err(d1, req1(d1, XS_IS_DOMAIN_INTRODUCED, 0, "2"), 0, "EACCES");
	expect_none(d1);
	expect_none(d2);
}

/* ---- Transactions ---- */

static void test_txn_commit_abort(void **state)
{
	uint32_t t = txn_start(d0), r;

	assert_int_not_equal(t, 0);
	write_ok(d0, t, "/t/a", "1");
	read_is(d0, t, "/t/a", "1");
	read_err(d0, 0, "/t/a", "ENOENT");
	expect(d0, XS_DIRECTORY, req1(d0, XS_DIRECTORY, t, "/t"), t, S("a\0"));
	ok(d0, XS_TRANSACTION_END, txn_end(d0, t, true), t);
	read_is(d0, 0, "/t/a", "1");
	/* Unknown now. */
	read_err(d0, t, "/t/a", "ENOENT");
	expect_err(d0, txn_end(d0, t, true), t, "ENOENT");

	t = txn_start(d0);
	write_ok(d0, t, "/t/b", "2");
	ok(d0, XS_RM, req1(d0, XS_RM, t, "/t/a"), t);
	read_err(d0, t, "/t/a", "ENOENT");
	read_is(d0, 0, "/t/a", "1");
	ok(d0, XS_TRANSACTION_END, txn_end(d0, t, false), t);
	read_err(d0, 0, "/t/b", "ENOENT");
	read_is(d0, 0, "/t/a", "1");

	/* Removal in a transaction, committed. */
	t = txn_start(d0);
	ok(d0, XS_RM, req1(d0, XS_RM, t, "/t"), t);
	ok(d0, XS_TRANSACTION_END, txn_end(d0, t, true), t);
	read_err(d0, 0, "/t/a", "ENOENT");
	assert_int_equal(xs_store_nodes(s), 1);

	/* Bad end argument: EINVAL, and the transaction stays. */
	t = txn_start(d0);
	r = send(d0, XS_TRANSACTION_END, t, S("X\0"));
	expect_err(d0, r, t, "EINVAL");
	r = send(d0, XS_TRANSACTION_END, t, S("T"));
	expect_err(d0, r, t, "EINVAL");
	expect_err(d0, send(d0, XS_TRANSACTION_START, t, "", 1), t, "EBUSY");
	ok(d0, XS_TRANSACTION_END, txn_end(d0, t, true), t);
	expect_err(d0, txn_end(d0, 0, true), 0, "ENOENT");
	expect_none(d0);
}

static void test_txn_conflicts(void **state)
{
	uint32_t t, u;

	write_ok(d0, 0, "/c/x", "0");
	write_ok(d0, 0, "/c/y", "0");
	/* Read, then changed outside: EAGAIN. */
	t = txn_start(d0);
	read_is(d0, t, "/c/x", "0");
	write_ok(d0, t, "/c/y", "t");
	write_ok(d0, 0, "/c/x", "outside");
	expect_err(d0, txn_end(d0, t, true), t, "EAGAIN");
	read_is(d0, 0, "/c/y", "0");
	/* Read absent, then made outside: EAGAIN. */
	t = txn_start(d0);
	read_err(d0, t, "/c/z", "ENOENT");
	write_ok(d0, 0, "/c/z", "new");
	expect_err(d0, txn_end(d0, t, true), t, "EAGAIN");
	/* Two transactions writing the same node: the second fails. */
	t = txn_start(d0);
	u = txn_start(d0);
	assert_int_not_equal(t, u);
	write_ok(d0, t, "/c/x", "t");
	write_ok(d0, u, "/c/x", "u");
	ok(d0, XS_TRANSACTION_END, txn_end(d0, u, true), u);
	expect_err(d0, txn_end(d0, t, true), t, "EAGAIN");
	read_is(d0, 0, "/c/x", "u");
	/* Disjoint transactions of two domains both commit. */
	make_home(1);
	make_home(2);
	write_ok(d1, 0, "a", "1");
	write_ok(d2, 0, "a", "2");
	t = txn_start(d1);
	u = txn_start(d2);
	write_ok(d1, t, "a", "11");
	write_ok(d2, u, "a", "22");
	ok(d1, XS_TRANSACTION_END, txn_end(d1, t, true), t);
	ok(d2, XS_TRANSACTION_END, txn_end(d2, u, true), u);
	read_is(d0, 0, "/local/domain/1/a", "11");
	read_is(d0, 0, "/local/domain/2/a", "22");
	/* Another domain's transaction id is unknown here. */
	t = txn_start(d1);
	read_err(d2, t, "a", "ENOENT");
	expect_none(d0);
}

/* ---- Watches ---- */

/*
 * d0 watches, dx (privileged too) makes the changes. A watcher's own
 * change would queue its event before the reply, as in C xenstored.
 */
static void test_watch_events(void **state)
{
	uint32_t r, t;

	watch(d0, "/w", "tok");
	expect_event(d0, "/w", "tok"); /* fired once when set */
	write_ok(dx, 0, "/w/a/b", "1");
	expect_event(d0, "/w/a/b", "tok");
	write_ok(dx, 0, "/other", "1");
	write_ok(dx, 0, "/wx", "1"); /* not below /w */
	expect_none(d0);
	watch(d0, "/w/a/b/deep", "deep");
	expect_event(d0, "/w/a/b/deep", "deep");
	ok(dx, XS_RM, req1(dx, XS_RM, 0, "/w/a"), 0);
	expect_event(d0, "/w/a/b/deep", "deep");
	expect_event(d0, "/w/a", "tok");
	expect_none(d0);
	r = req2(d0, XS_WATCH, 0, "/w", "tok", true);
	expect_err(d0, r, 0, "EEXIST");
	/* Set permissions fire too; so does MKDIR, unless it exists. */
	write_ok(dx, 0, "/w", "");
	expect_event(d0, "/w", "tok");
	set_perms(dx, "/w", S("r1\0"), NULL);
	expect_event(d0, "/w", "tok");
	ok(dx, XS_MKDIR, req1(dx, XS_MKDIR, 0, "/w/m"), 0);
	expect_event(d0, "/w/m", "tok");
	ok(dx, XS_MKDIR, req1(dx, XS_MKDIR, 0, "/w/m"), 0);
	expect_none(d0);
	/* In a transaction: at commit only, not at abort. */
	t = txn_start(dx);
	write_ok(dx, t, "/w/t", "1");
	ok(dx, XS_RM, req1(dx, XS_RM, t, "/w/m"), t);
	expect_none(d0);
	ok(dx, XS_TRANSACTION_END, txn_end(dx, t, false), t);
	expect_none(d0);
	t = txn_start(dx);
	write_ok(dx, t, "/w/t", "1");
	ok(dx, XS_RM, req1(dx, XS_RM, t, "/w/m"), t);
	ok(dx, XS_TRANSACTION_END, txn_end(dx, t, true), t);
	expect_event(d0, "/w/m", "tok");
	expect_event(d0, "/w/t", "tok");
	expect_none(d0);
	/* The watcher's own change: the event, then the reply. */
	r = wr(d0, 0, "/w/own", "");
	expect_event(d0, "/w/own", "tok");
	ok(d0, XS_WRITE, r, 0);
	/* Unwatch. */
	ok(d0, XS_UNWATCH, req2(d0, XS_UNWATCH, 0, "/w", "tok", true), 0);
	expect_err(d0, req2(d0, XS_UNWATCH, 0, "/w", "tok", true), 0, "ENOENT");
	write_ok(dx, 0, "/w/x", "1");
	expect_none(d0);
	/* Reset removes them all. */
	watch(d0, "/w", "again");
	expect_event(d0, "/w", "again");
	ok(d0, XS_RESET_WATCHES, send(d0, XS_RESET_WATCHES, 0, "", 0), 0);
	write_ok(dx, 0, "/w/y", "1");
	expect_none(d0);
}

static void test_watch_perms_and_relative(void **state)
{
	make_home(1);
	make_home(2);
	/* 2 watches 1's home: the first event, then nothing it cannot read. */
	watch(d2, "/local/domain/1", "spy");
	expect_event(d2, "/local/domain/1", "spy");
	write_ok(d1, 0, "private", "p");
	expect_none(d2);
	/* Relative watches report relative paths. */
	watch(d1, "x", "rel");
	expect_event(d1, "x", "rel");
	write_ok(d0, 0, "/local/domain/1/x/y", "1");
	expect_event(d1, "x/y", "rel");
	/* A node 2 may read: the event comes. */
	write_ok(d1, 0, "open", "o");
	set_perms(d1, "/local/domain/1/open", S("n1\0r2\0"), NULL);
	expect_event(d2, "/local/domain/1/open", "spy");
	/* Special watches are exact and only fire for their events. */
	watch(d1, "@introduceDomain", "i");
	expect_event(d1, "@introduceDomain", "i");
	expect_err(d1, req1(d1, XS_READ, 0, "@introduceDomain"), 0, "EINVAL");
	expect_none(d1);
	expect_none(d2);
}

/* ---- Domains ---- */

static void test_introduce_release(void **state)
{
	struct xs_conn *d5;
	uint32_t r;

	watch(d0, "@introduceDomain", "in");
	expect_event(d0, "@introduceDomain", "in");
	watch(d0, "@releaseDomain", "out");
	expect_event(d0, "@releaseDomain", "out");
	watch(d0, "/local/domain/5", "home");
	expect_event(d0, "/local/domain/5", "home");
	make_home(5);
	expect_event(d0, "/local/domain/5", "home");
	expect_event(d0, "/local/domain/5", "home");
	expect(d0, XS_IS_DOMAIN_INTRODUCED,
	       req1(d0, XS_IS_DOMAIN_INTRODUCED, 0, "5"), 0, S("F\0"));

	r = send(d0, XS_INTRODUCE, 0, S("5\000123456789\0007\0"));
	expect_event(d0, "@introduceDomain", "in");
	ok(d0, XS_INTRODUCE, r, 0);
	assert_int_equal(intros, 1);
	assert_int_equal(intro_mfn, 123456789);
	assert_int_equal(intro_port, 7);
	d5 = xs_conn_find(s, 5);
	assert_non_null(d5);
	expect(d0, XS_IS_DOMAIN_INTRODUCED,
	       req1(d0, XS_IS_DOMAIN_INTRODUCED, 0, "5"), 0, S("T\0"));
	expect(d0, XS_IS_DOMAIN_INTRODUCED,
	       req1(d0, XS_IS_DOMAIN_INTRODUCED, 0, "0"), 0, S("T\0"));
	/* Again with the same ring: rebinding; another ring: EINVAL. */
	ok(d0, XS_INTRODUCE,
	   send(d0, XS_INTRODUCE, 0, S("5\000123456789\0008\0")), 0);
	assert_int_equal(intros, 2);
	assert_int_equal(intro_port, 8);
	expect_err(d0, send(d0, XS_INTRODUCE, 0, S("5\0001\0008\0")), 0,
		   "EINVAL");
	expect_err(d0, send(d0, XS_INTRODUCE, 0, S("0\0001\0008\0")), 0,
		   "EINVAL");
	expect_err(d0, send(d0, XS_INTRODUCE, 0, S("6\0001\0")), 0, "EINVAL");
	expect_err(d0, send(d0, XS_INTRODUCE, 0, S("6\0001\0x\0")), 0,
		   "EINVAL");
	expect_err(d0, send(d0, XS_INTRODUCE, 0, S("32752\0001\0001\0")), 0,
		   "EINVAL");
	/* The glue failing: no connection. */
	intro_rc = -12;
	expect_err(d0, send(d0, XS_INTRODUCE, 0, S("6\0001\0001\0")), 0,
		   "ENOMEM");
	assert_null(xs_conn_find(s, 6));
	intro_rc = 0;

	/* 5 builds up state: nodes (one elsewhere), a watch, a transaction. */
	write_ok(d5, 0, "data/x", "1");
	expect_event(d0, "/local/domain/5/data/x", "home");
	ok(d0, XS_MKDIR, req1(d0, XS_MKDIR, 0, "/pub"), 0);
	set_perms(d0, "/pub", S("n0\0w5\0"), NULL);
	write_ok(d5, 0, "/pub/five", "5");
	watch(d5, "data", "t");
	expect_event(d5, "data", "t");
	txn_start(d5);

	expect_err(d0, req1(d0, XS_RELEASE, 0, "0"), 0, "EINVAL");
	expect_err(d0, req1(d0, XS_RELEASE, 0, "9"), 0, "EINVAL"); /* self */
	expect_err(d0, req1(d0, XS_RELEASE, 0, "7"), 0, "ENOENT");
	expect_err(d0, req1(d0, XS_RELEASE, 0, "1"), 0, "ENOENT");
	r = req1(d0, XS_RELEASE, 0, "5");
	expect_event(d0, "/local/domain/5", "home");
	expect_event(d0, "@releaseDomain", "out");
	ok(d0, XS_RELEASE, r, 0);
	assert_int_equal(releases, 1);
	assert_int_equal(released_domid, 5);
	assert_null(xs_conn_find(s, 5));
	read_err(d0, 0, "/local/domain/5", "ENOENT");
	read_err(d0, 0, "/pub/five", "ENOENT");
	expect(d0, XS_DIRECTORY, req1(d0, XS_DIRECTORY, 0, "/local/domain"), 0,
	       "", 0);
	expect(d0, XS_IS_DOMAIN_INTRODUCED,
	       req1(d0, XS_IS_DOMAIN_INTRODUCED, 0, "5"), 0, S("F\0"));
	expect_err(d0, req1(d0, XS_RELEASE, 0, "5"), 0, "ENOENT");
	expect_none(d0);
}

/* ---- Quotas ---- */

static const struct xs_limits small = {
	.nodes = 4,
	.value_size = 8,
	.watches = 2,
	.transactions = 2,
	.txn_nodes = 6,
	.perms = 2,
	.output = 16384,
};

static int setup_small(void **state)
{
	start(&small);
	return 0;
}

/* The log grew by exactly one line, naming the quota. */
static void logged_once(unsigned int *before, const char *what)
{
	assert_int_equal(log_lines, *before + 1);
	assert_non_null(strstr(last_log, what));
	*before = log_lines;
}

static void test_quota_nodes_and_values(void **state)
{
	unsigned int logs;

	make_home(1); /* 1 node owned by 1 */
	write_ok(d1, 0, "a", "12345678");
	logs = log_lines;
	expect_err(d1, wr(d1, 0, "b", "123456789"), 0, "E2BIG");
	logged_once(&logs, "value size");
	expect_err(d1, wr(d1, 0, "a", "123456789"), 0, "E2BIG");
	assert_int_equal(log_lines, logs);
	write_ok(d1, 0, "b/c", ""); /* 4 owned */
	expect_err(d1, wr(d1, 0, "d", ""), 0, "ENOSPC");
	logged_once(&logs, "nodes");
	expect_err(d1, req1(d1, XS_MKDIR, 0, "e"), 0, "ENOSPC");
	assert_int_equal(log_lines, logs);
	/* Removing frees room; the privileged domain has no quota. */
	ok(d1, XS_RM, req1(d1, XS_RM, 0, "b"), 0);
	write_ok(d1, 0, "d/e", "");
	expect_err(d1, wr(d1, 0, "f", ""), 0, "ENOSPC");
	/* What the privileged domain makes for 1 is 1's (over quota). */
	write_ok(d0, 0, "/local/domain/1/big", "123456789012345");
	perms_are(d1, "big", S("n1\0"));
	/* Counted in a transaction too, and at its commit. */
	ok(d1, XS_RM, req1(d1, XS_RM, 0, "d"), 0);
	ok(d1, XS_RM, req1(d1, XS_RM, 0, "big"), 0); /* 2 owned */
	{
		uint32_t t = txn_start(d1), u = txn_start(d1);

		write_ok(d1, t, "t1", "");
		write_ok(d1, t, "t2", "");
		expect_err(d1, wr(d1, t, "t3", ""), t, "ENOSPC");
		write_ok(d1, u, "u1", "");
		write_ok(d1, u, "u2", "");
		ok(d1, XS_TRANSACTION_END, txn_end(d1, t, true), t);
		expect_err(d1, txn_end(d1, u, true), u, "EAGAIN");
	}
	assert_int_equal(log_lines, logs);
}

static void test_quota_watches_txns_perms(void **state)
{
	unsigned int logs = log_lines;
	uint32_t t1, t2, t3;

	make_home(1);
	watch(d1, "a", "1");
	expect_event(d1, "a", "1");
	watch(d1, "a", "2");
	expect_event(d1, "a", "2");
	expect_err(d1, req2(d1, XS_WATCH, 0, "a", "3", true), 0, "E2BIG");
	logged_once(&logs, "watches");
	expect_err(d1, req2(d1, XS_WATCH, 0, "b", "3", true), 0, "E2BIG");
	assert_int_equal(log_lines, logs);

	t1 = txn_start(d1);
	t2 = txn_start(d1);
	expect_err(d1, send(d1, XS_TRANSACTION_START, 0, "", 1), 0, "ENOSPC");
	logged_once(&logs, "transactions");
	expect_err(d1, send(d1, XS_TRANSACTION_START, 0, "", 1), 0, "ENOSPC");
	ok(d1, XS_TRANSACTION_END, txn_end(d1, t2, false), t2);
	t3 = txn_start(d1);
	ok(d1, XS_TRANSACTION_END, txn_end(d1, t3, false), t3);
	/* Nodes one transaction touches: home, a, b, ..., then ENOSPC. */
	read_err(d1, t1, "a", "ENOENT"); /* touches a, home */
	read_err(d1, t1, "b", "ENOENT");
	read_err(d1, t1, "c", "ENOENT");
	read_err(d1, t1, "d", "ENOENT");
	read_err(d1, t1, "e", "ENOENT"); /* 6 touched */
	read_err(d1, t1, "f", "ENOSPC");
	logged_once(&logs, "transaction nodes");
	read_err(d1, t1, "g", "ENOSPC");
	ok(d1, XS_TRANSACTION_END, txn_end(d1, t1, false), t1);

	write_ok(d1, 0, "p", "");
	set_perms(d1, "/local/domain/1/p", S("n1\0r2\0"), NULL);
	set_perms(d1, "/local/domain/1/p", S("n1\0r2\0r3\0"), "ENOSPC");
	logged_once(&logs, "permissions");
	set_perms(d1, "/local/domain/1/p", S("n1\0r2\0r3\0"), "ENOSPC");
	set_perms(d0, "/local/domain/1/p", S("n1\0r2\0r3\0"), NULL);
	assert_int_equal(log_lines, logs);
	expect_none(d1);
}

/* A domain that never reads: its output stops growing. */
static void test_output_bound(void **state)
{
	struct xs_limits lim;
	struct xsd_sockmsg m = { XS_READ, 1, 0, 3 };
	unsigned char buf[64];
	unsigned int logs, i;
	size_t fed;

	xs_store_destroy(s);
	xs_limits_default(&lim);
	lim.output = 1000;
	start(&lim);
	make_home(1);
	watch(d1, "/local/domain/1", "t");
	logs = log_lines;
	for (i = 0; i < 200; i++)
		write_ok(d0, 0, "/local/domain/1/x", "1");
	assert_true(xs_conn_pending_output(d1) <= 1000);
	assert_true(xs_conn_dropped_events(d1) > 150);
	logged_once(&logs, "output");
	/* Requests wait while the output is over its bound. */
	memcpy(buf, &m, sizeof(m));
	memcpy(buf + sizeof(m), "/a", 3);
	for (fed = 0, i = 0; i < 100; i++)
		fed += xs_conn_feed(d1, buf, sizeof(m) + 3);
	assert_true(fed < 100 * (sizeof(m) + 3));
	assert_true(xs_conn_pending_output(d1) <= 1000 + 16 + 64);
	/* Read everything, then the waiting requests go on. */
	while (xs_conn_pull(d1, buf, sizeof(buf)))
		;
	assert_int_equal(xs_conn_feed(d1, NULL, 0), 0);
	assert_true(xs_conn_pending_output(d1) > 0);
	assert_int_equal(log_lines, logs);
}

/* ---- Bad input ---- */

static void test_framing_errors(void **state)
{
	struct xsd_sockmsg m = { XS_READ, 7, 0, XENSTORE_PAYLOAD_MAX + 1 };
	unsigned int logs = log_lines;
	char junk[100] = { 0 };

	/* A message fed a byte at a time works. */
	{
		unsigned char b[sizeof(m) + 3];
		struct xsd_sockmsg r = { XS_WRITE, 9, 0, 3 };

		memcpy(b, &r, sizeof(r));
		memcpy(b + sizeof(r), "/z\0", 3);
		for (size_t i = 0; i < sizeof(b); i++)
			assert_int_equal(xs_conn_feed(d0, b + i, 1), 1);
		ok(d0, XS_WRITE, 9, 0);
	}
	/* Too long: broken, logged once, everything after dropped. */
	assert_int_equal(xs_conn_feed(d1, &m, sizeof(m)), sizeof(m));
	assert_true(xs_conn_broken(d1));
	logged_once(&logs, "domain 1");
	assert_int_equal(xs_conn_feed(d1, junk, sizeof(junk)), sizeof(junk));
	assert_int_equal(xs_conn_pending_output(d1), 0);
	assert_int_equal(log_lines, logs);
	/* The others go on. */
	expect_err(d2, wr(d2, 0, "/x", ""), 0, "EACCES");
	read_is(d0, 0, "/z", "");
}

static void test_bad_requests(void **state)
{
	static char path[XENSTORE_ABS_PATH_MAX + 8];
	static const char *const bad[] = {
		"",   "/a//b", "/a/",	   "a/",      "/a b", "/a\x01",
		"/é", "//",    "@special", "/a/../b", "/a.b", "a\\b",
	};
	uint32_t r;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		read_err(d0, 0, bad[i], "EINVAL");
		expect_err(d0, wr(d0, 0, bad[i], "v"), 0, "EINVAL");
	}
	/* Missing terminators. */
	expect_err(d0, send(d0, XS_READ, 0, "/a", 2), 0, "EINVAL");
	expect_err(d0, send(d0, XS_READ, 0, "", 0), 0, "EINVAL");
	expect_err(d0, send(d0, XS_WRITE, 0, "/a", 2), 0, "EINVAL");
	expect_err(d0, send(d0, XS_WATCH, 0, S("/a\0tok")), 0, "EINVAL");
	expect_err(d0, send(d0, XS_GET_DOMAIN_PATH, 0, "1", 1), 0, "EINVAL");
	/* Types that are not requests, or unknown. */
	expect_err(d0, send(d0, 99, 0, "x", 1), 0, "EINVAL");
	expect_err(d0, send(d0, XS_WATCH_EVENT, 0, "", 0), 0, "EINVAL");
	expect_err(d0, send(d0, XS_ERROR, 0, "", 0), 0, "EINVAL");
	expect_err(d0, send(d0, XS_INVALID, 0, "", 0), 0, "EINVAL");
	expect_err(d0, send(d0, 0xffffffffu, 0, "", 0), 0, "EINVAL");
	/* Lengths: absolute and relative limits, and tokens. */
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[XENSTORE_ABS_PATH_MAX] = '\0';
	write_ok(d0, 0, path, "longest");
	read_is(d0, 0, path, "longest");
	path[XENSTORE_ABS_PATH_MAX] = 'a';
	path[XENSTORE_ABS_PATH_MAX + 1] = '\0';
	read_err(d0, 0, path, "EINVAL");
	make_home(1);
	read_err(d1, 0,
		 path + 1 + XENSTORE_ABS_PATH_MAX - XENSTORE_REL_PATH_MAX,
		 "ENOENT");
	read_err(d1, 0, path + XENSTORE_ABS_PATH_MAX - XENSTORE_REL_PATH_MAX,
		 "EINVAL");
	memset(path, 't', 2000);
	path[2000] = '\0';
	r = req2(d0, XS_WATCH, 0, "/a", path, true);
	expect_err(d0, r, 0, "E2BIG");
	/* A deep tree goes in one removal. */
	for (size_t i = 0; i < 1500; i++)
		memcpy(path + 2 * i, "/d", 2);
	path[3000] = '\0';
	write_ok(d0, 0, path, "deep");
	ok(d0, XS_RM, req1(d0, XS_RM, 0, "/d"), 0);
	/* Too many children for one DIRECTORY reply. */
	for (int i = 0; i < 500; i++) {
		snprintf(path, sizeof(path), "/many/child-%04d", i);
		write_ok(d0, 0, path, "");
	}
	expect_err(d0, req1(d0, XS_DIRECTORY, 0, "/many"), 0, "E2BIG");
	expect_none(d0);
}

/* Random bytes to one connection: the store goes on serving the others. */
static void test_garbage(void **state)
{
	static const char alphabet[] = "/a@b\0\0\0T0123-_ \xff";
	unsigned char buf[512];
	unsigned int seed = 12345;

	make_home(1);
	write_ok(d0, 0, "/keep", "me");
	for (int round = 0; round < 3000; round++) {
		size_t len = (size_t)(rand_r(&seed) % sizeof(buf));

		if (rand_r(&seed) % 2) {
			/* Plausible messages: small length, any type. */
			struct xsd_sockmsg m = { (uint32_t)(rand_r(&seed) % 26),
						 (uint32_t)rand_r(&seed),
						 (uint32_t)(rand_r(&seed) % 3),
						 0 };

			len = (size_t)(rand_r(&seed) % 64);
			m.len = (uint32_t)len;
			memcpy(buf, &m, sizeof(m));
			for (size_t i = 0; i < len; i++)
				buf[sizeof(m) + i] = (unsigned char)
				    alphabet[rand_r(&seed) %
					     (sizeof(alphabet) - 1)];
			len += sizeof(m);
		} else {
			for (size_t i = 0; i < len; i++)
				buf[i] = (unsigned char)rand_r(&seed);
		}
		xs_conn_feed(d1, buf, len);
		while (xs_conn_pull(d1, buf, sizeof(buf)))
			;
		if (xs_conn_broken(d1)) {
			xs_conn_free(d1);
			d1 = xs_conn_new(s, 1);
			assert_non_null(d1);
		}
		if (round % 100 == 0)
			read_is(d0, 0, "/keep", "me");
	}
	read_is(d0, 0, "/keep", "me");
	expect_none(d0);
}

/* Every allocation failing in turn: errors, never a crash or a leak. */
static void test_out_of_memory(void **state)
{
	for (long k = 0; k < 400; k++) {
		struct xs_store *st;
		struct xs_conn *c0, *c1;
		unsigned char buf[256];

		live_blocks = 0;
		fail_in = k;
		st = xs_store_create(NULL);
		c0 = st ? xs_conn_new(st, 0) : NULL;
		c1 = st ? xs_conn_new(st, 1) : NULL;
		if (c0 && c1) {
			s = st;
			d0 = c0;
			d1 = c1;
			/* Replies may fail too: only feed, then drain. */
			wr(d0, 0, "/local/domain/1/a/b", "x");
			req2(d0, XS_SET_PERMS, 0, "/local/domain/1", "b1",
			     true);
			req2(d1, XS_WATCH, 0, "a", "t", true);
			send(d1, XS_TRANSACTION_START, 0, "", 1);
			wr(d1, 1, "a/c", "y");
			req1(d1, XS_RM, 1, "a");
			send(d1, XS_TRANSACTION_END, 1, "T", 2);
			send(d0, XS_INTRODUCE, 0, S("3\0001\0001\0"));
			req1(d0, XS_RELEASE, 0, "3");
			req1(d0, XS_RM, 0, "/local");
			while (xs_conn_pull(d0, buf, sizeof(buf)))
				;
		}
		xs_store_destroy(st);
		assert_int_equal(live_blocks, 0);
	}
	fail_in = -1;
	s = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)  cmocka_unit_test_setup_teardown(f, setup, teardown)
#define TS(f) cmocka_unit_test_setup_teardown(f, setup_small, teardown)
		T(test_write_read_directory),
		T(test_rm),
		T(test_perms_wire),
		T(test_relative_and_domain_path),
		T(test_perms_between_domains),
		T(test_txn_commit_abort),
		T(test_txn_conflicts),
		T(test_watch_events),
		T(test_watch_perms_and_relative),
		T(test_introduce_release),
		TS(test_quota_nodes_and_values),
		TS(test_quota_watches_txns_perms),
		T(test_output_bound),
		T(test_framing_errors),
		T(test_bad_requests),
		T(test_garbage),
		T(test_out_of_memory),
	};

	/* XS_TEST=name runs one test, for debugging. */
	if (getenv("XS_TEST"))
		cmocka_set_test_filter(getenv("XS_TEST"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
