/*
 * The xenbus client (stubdom/lib/xenbus.c) against the real xenstore core
 * (stubdom/xenstore/), through xenstore rings in memory. Each client has
 * its own ring and connection: x0 for domain 0, x5 for domain 5. The
 * fake server runs only when the client calls ops.wait(): it feeds what
 * the request ring holds to xs_conn_feed() and pulls output into the
 * response ring, as the stubdom glue will. For the hostile tests, wait()
 * writes what a broken or malicious server would instead.
 *
 * The rings and the clients are heap blocks of their exact size, so
 * ASan sees any access past them; wait() fails the test when called
 * more than MAX_WAITS times, so a client that would hang fails instead.
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
#include "../../stubdom/include/stub/xenbus.h"
#include "../../stubdom/xenstore/xenstore.h"
#include "../../stubdom/xenstore/xs_env.h"
#include "fake_xs_env.h"

#define RING	  XENSTORE_RING_SIZE
#define MAX_WAITS 10000

/* ---- The client's environment: a ring and a fake server ---- */

struct env {
	struct xenstore_domain_interface *ring;
	struct xs_conn *conn;
	unsigned long waits, notifies, full_waits;
	/* The indices as they were at the last notify(). */
	uint32_t notified_req_prod, notified_rsp_cons;
	size_t chunk; /* bytes moved each way per wait(); 0: all */
	size_t max_req_used;
	void (*hostile)(struct env *e); /* runs instead of the server */
};

static struct xs_store *store;
static struct env e0, e5;
static struct xenbus *x0, *x5;

static void notify(void *p)
{
	struct env *e = p;

	e->notifies++;
	e->notified_req_prod = e->ring->req_prod;
	e->notified_rsp_cons = e->ring->rsp_cons;
}

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* The server's side: requests in, output out, while anything moves. */
static void serve(struct env *e)
{
	struct xenstore_domain_interface *r = e->ring;
	bool progress = true;

	while (progress) {
		uint32_t used = r->req_prod - r->req_cons;

		progress = false;
		assert_true(used <= RING);
		if (used > e->max_req_used)
			e->max_req_used = used;
		xs_conn_feed(e->conn, NULL, 0);
		while (used) {
			size_t off = MASK_XENSTORE_IDX(r->req_cons);
			size_t n = min_sz(used, RING - off), c;

			if (e->chunk)
				n = min_sz(n, e->chunk);
			c = xs_conn_feed(e->conn, r->req + off, n);
			r->req_cons += (uint32_t)c;
			used -= (uint32_t)c;
			progress |= c > 0;
			if (c < n || e->chunk)
				break;
		}
		for (;;) {
			uint32_t fill = r->rsp_prod - r->rsp_cons;
			size_t off = MASK_XENSTORE_IDX(r->rsp_prod), n, got;

			assert_true(fill <= RING);
			n = min_sz(RING - fill, RING - off);
			if (e->chunk)
				n = min_sz(n, e->chunk);
			if (!n)
				break;
			got = xs_conn_pull(e->conn, r->rsp + off, n);
			r->rsp_prod += (uint32_t)got;
			progress |= got > 0;
			if (got < n || e->chunk)
				break;
		}
		if (e->chunk)
			break;
	}
	assert_false(xs_conn_broken(e->conn));
}

static void wait_fn(void *p)
{
	struct env *e = p;

	if (++e->waits > MAX_WAITS)
		fail_msg("wait() called %lu times: the client hangs", e->waits);
	/* Everything published was announced, and so was freed room. */
	assert_int_equal(e->ring->req_prod, e->notified_req_prod);
	assert_int_equal(e->ring->rsp_cons, e->notified_rsp_cons);
	if (e->ring->req_prod - e->ring->req_cons == RING)
		e->full_waits++;
	if (e->hostile)
		e->hostile(e);
	else
		serve(e);
}

static void env_init(struct env *e, struct xenbus *x, unsigned int domid,
		     uint32_t idx)
{
	struct xenbus_ops ops = { notify, wait_fn, e };

	if (!e->ring)
		e->ring = malloc(sizeof(*e->ring));
	memset(e->ring, 0, sizeof(*e->ring));
	e->ring->req_prod = e->ring->req_cons = idx;
	e->ring->rsp_prod = e->ring->rsp_cons = idx;
	if (!e->conn)
		e->conn = xs_conn_new(store, domid);
	assert_non_null(e->conn);
	e->waits = e->notifies = e->full_waits = 0;
	e->notified_req_prod = e->notified_rsp_cons = idx;
	e->chunk = 0;
	e->max_req_used = 0;
	e->hostile = NULL;
	xenbus_init(x, e->ring, &ops);
}

/* Starts (or, with store set, restarts the rings) at index idx. */
static void start(const struct xs_limits *lim, uint32_t idx)
{
	live_blocks = oversized = 0;
	store = xs_store_create(lim);
	assert_non_null(store);
	x0 = malloc(sizeof(*x0));
	x5 = malloc(sizeof(*x5));
	env_init(&e0, x0, 0, idx);
	env_init(&e5, x5, 5, idx);
	/* Domain 5's home, as the toolstack makes it. */
	assert_int_equal(xenbus_mkdir(x0, 0, "/local/domain/5"), 0);
	assert_int_equal(xenbus_set_perms(x0, 0, "/local/domain/5", "n5", 3),
			 0);
}

static int setup(void **state)
{
	start(NULL, 0);
	return 0;
}

static int teardown(void **state)
{
	xs_store_destroy(store);
	assert_int_equal(live_blocks, 0);
	assert_int_equal(oversized, 0);
	free(e0.ring);
	free(e5.ring);
	free(x0);
	free(x5);
	memset(&e0, 0, sizeof(e0));
	memset(&e5, 0, sizeof(e5));
	return 0;
}

/* ---- Helpers ---- */

#define HOME "/local/domain/5"

static void read_is(struct xenbus *x, uint32_t tx, const char *path,
		    const char *val)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	int n = xenbus_read(x, tx, path, buf, sizeof(buf));

	if (n < 0)
		fail_msg("read %s: %d", path, n);
	assert_int_equal(n, strlen(val));
	assert_string_equal(buf, val);
}

static void read_err(struct xenbus *x, uint32_t tx, const char *path, int err)
{
	char buf[64];

	assert_int_equal(xenbus_read(x, tx, path, buf, sizeof(buf)), err);
}

/* What the watch callbacks saw: "path|token" lines. */
static char seen[8192];
static unsigned int seen_n;

static void record(struct xenbus *xb, const char *path, const char *token,
		   void *data)
{
	size_t l = strlen(seen);

	snprintf(seen + l, sizeof(seen) - l, "%s|%s\n", path, token);
	seen_n++;
	if (data)
		(*(unsigned int *)data)++;
}

static void seen_reset(void)
{
	seen[0] = '\0';
	seen_n = 0;
}

/* What the server would do on its own, then the client's main loop. */
static int serve_and_poll(struct env *e, struct xenbus *x)
{
	serve(e);
	return xenbus_poll(x);
}

/* ---- The operations ---- */

static void test_write_read(void **state)
{
	unsigned long v;
	char buf[16];

	assert_int_equal(xenbus_write(x5, 0, HOME "/a", "hello"), 0);
	read_is(x5, 0, HOME "/a", "hello");
	read_is(x5, 0, "a", "hello"); /* relative to the home */
	read_is(x0, 0, HOME "/a", "hello");
	assert_int_equal(xenbus_write(x5, 0, "a", ""), 0);
	assert_int_equal(xenbus_read(x5, 0, "a", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	read_err(x5, 0, HOME "/none", -XEN_ENOENT);
	read_err(x5, 0, "none/deeper", -XEN_ENOENT);

	assert_int_equal(xenbus_printf(x5, 0, "n", "%u-%s", 42u, "x"), 0);
	read_is(x5, 0, "n", "42-x");
	assert_int_equal(xenbus_printf(x5, 0, "n", "%lu", 123456789ul), 0);
	assert_int_equal(xenbus_read_uint(x5, 0, "n", &v), 0);
	assert_int_equal(v, 123456789ul);
	assert_int_equal(xenbus_read_uint(x5, 0, "a", &v), -XEN_EINVAL);
	assert_int_equal(xenbus_write(x5, 0, "n", "12x"), 0);
	assert_int_equal(xenbus_read_uint(x5, 0, "n", &v), -XEN_EINVAL);
	assert_int_equal(xenbus_write(x5, 0, "n", "99999999999999999999999"),
			 0);
	assert_int_equal(xenbus_read_uint(x5, 0, "n", &v), -XEN_ERANGE);
	assert_int_equal(xenbus_read_uint(x5, 0, "nope", &v), -XEN_ENOENT);
	assert_false(xenbus_broken(x5));
}

static void test_mkdir_rm(void **state)
{
	assert_int_equal(xenbus_mkdir(x5, 0, "d/e"), 0);
	read_is(x5, 0, "d/e", "");
	assert_int_equal(xenbus_mkdir(x5, 0, "d/e"), 0); /* exists: fine */
	assert_int_equal(xenbus_write(x5, 0, "d/e/f", "1"), 0);
	assert_int_equal(xenbus_rm(x5, 0, "d"), 0);
	read_err(x5, 0, "d/e/f", -XEN_ENOENT);
	assert_int_equal(xenbus_rm(x5, 0, "d"), 0); /* absent: fine */
	assert_int_equal(xenbus_rm(x5, 0, "d/e/f"), -XEN_ENOENT);
	assert_int_equal(xenbus_rm(x0, 0, "/"), -XEN_EINVAL);
}

static void test_errors(void **state)
{
	char buf[64];

	/* Domain 0's nodes are closed to domain 5. */
	assert_int_equal(xenbus_write(x0, 0, "/local/domain/0/secret", "s"), 0);
	read_err(x5, 0, "/local/domain/0/secret", -XEN_EACCES);
	assert_int_equal(xenbus_write(x5, 0, "/local/domain/0/secret", "x"),
			 -XEN_EACCES);
	assert_int_equal(xenbus_mkdir(x5, 0, "/local/domain/0/new"),
			 -XEN_EACCES);
	assert_int_equal(xenbus_rm(x5, 0, "/local/domain/0/secret"),
			 -XEN_EACCES);
	assert_int_equal(
	    xenbus_directory(x5, 0, "/local/domain/0", buf, sizeof(buf)),
	    -XEN_EACCES);
	assert_int_equal(
	    xenbus_set_perms(x5, 0, "/local/domain/0/secret", "n5", 3),
	    -XEN_EACCES);
	read_is(x0, 0, "/local/domain/0/secret", "s");
	/* EINVAL from the server. */
	read_err(x5, 0, "", -XEN_EINVAL);
	read_err(x5, 0, "/a//b", -XEN_EINVAL);
	assert_int_equal(xenbus_get_domain_path(x5, 99999, buf, sizeof(buf)),
			 -XEN_EINVAL);
	/* E2BIG from the server: over domain 5's value quota (2048). */
	{
		static char big[3000];

		memset(big, 'v', sizeof(big) - 1);
		assert_int_equal(xenbus_write(x5, 0, "big", big), -XEN_E2BIG);
		assert_int_equal(xenbus_write(x0, 0, HOME "/big", big), 0);
	}
	/* Errors do not break anything. */
	assert_false(xenbus_broken(x5));
	read_is(x5, 0, HOME, "");
}

static void test_small_buffers(void **state)
{
	char buf[8];

	assert_int_equal(xenbus_write(x5, 0, "v", "1234567"), 0);
	memset(buf, '#', sizeof(buf));
	assert_int_equal(xenbus_read(x5, 0, "v", buf, 7), -XEN_E2BIG);
	assert_memory_equal(buf, "########", 8); /* untouched */
	assert_int_equal(xenbus_read(x5, 0, "v", buf, 8), 7);
	assert_string_equal(buf, "1234567");
	assert_int_equal(xenbus_read(x5, 0, "v", buf, 0), -XEN_E2BIG);

	/* "a\0bb\0" and the last NUL: 6 bytes. */
	assert_int_equal(xenbus_write(x5, 0, "l/a", ""), 0);
	assert_int_equal(xenbus_write(x5, 0, "l/bb", ""), 0);
	assert_int_equal(xenbus_directory(x5, 0, "l", buf, 5), -XEN_E2BIG);
	assert_int_equal(xenbus_directory(x5, 0, "l", buf, 6), 2);
	assert_memory_equal(buf, "a\0bb\0", 6);

	assert_int_equal(xenbus_get_domain_path(x5, 5, buf, sizeof(buf)),
			 -XEN_E2BIG);
	assert_int_equal(xenbus_get_perms(x5, 0, "v", buf, 3), -XEN_E2BIG);
	assert_int_equal(xenbus_get_perms(x5, 0, "v", buf, 4), 1);
	assert_string_equal(buf, "n5");
}

/* Too long to send: refused before anything is written to the ring. */
static void test_too_long_locally(void **state)
{
	static char path[XENSTORE_PAYLOAD_MAX + 10], val[XENSTORE_PAYLOAD_MAX];
	uint32_t prod = e5.ring->req_prod;
	unsigned long waits = e5.waits;
	char buf[8];

	memset(path, 'p', sizeof(path) - 1);
	assert_int_equal(xenbus_read(x5, 0, path, buf, sizeof(buf)),
			 -XEN_E2BIG);
	assert_int_equal(xenbus_write(x5, 0, path, "x"), -XEN_E2BIG);
	assert_int_equal(xenbus_mkdir(x5, 0, path), -XEN_E2BIG);
	assert_int_equal(xenbus_rm(x5, 0, path), -XEN_E2BIG);
	assert_int_equal(xenbus_directory(x5, 0, path, buf, sizeof(buf)),
			 -XEN_E2BIG);
	assert_int_equal(xenbus_read_state(x5, path), -XEN_E2BIG);
	/* Path and value together: one byte over the maximum. */
	memcpy(path, "/x", 3);
	memset(val, 'v', sizeof(val) - 1);
	val[sizeof(val) - 2] = '\0'; /* 3 + 4094 = 4097 */
	assert_int_equal(xenbus_write(x5, 0, path, val), -XEN_E2BIG);
	assert_int_equal(e5.ring->req_prod, prod);
	assert_int_equal(e5.waits, waits);
	/* Exactly the maximum gets through (dom0: no value quota). */
	val[sizeof(val) - 3] = '\0';
	assert_int_equal(xenbus_write(x0, 0, "/x", val), 0);
	memset(path, 'p', 300);
	path[300] = '\0';
	assert_int_equal(xenbus_watch(x5, path, "t", record, NULL), -XEN_E2BIG);
	memset(path, 't', 100);
	path[100] = '\0';
	assert_int_equal(xenbus_watch(x5, "w", path, record, NULL), -XEN_E2BIG);
	assert_int_equal(xenbus_printf(x5, 0, "x", "%s%s", val, val),
			 -XEN_E2BIG);
	assert_int_equal(xenbus_set_perms(x5, 0, "x", "n5", 2), -XEN_EINVAL);
	assert_int_equal(xenbus_set_perms(x5, 0, "x", "", 0), -XEN_EINVAL);
	assert_int_equal(e5.ring->req_prod, prod);
	assert_int_equal(e5.waits, waits);
}

static void test_directory(void **state)
{
	char buf[64];

	assert_int_equal(xenbus_write(x5, 0, "dir/b", "1"), 0);
	assert_int_equal(xenbus_write(x5, 0, "dir/c/d", "2"), 0);
	assert_int_equal(xenbus_mkdir(x5, 0, "dir/a"), 0);
	memset(buf, '#', sizeof(buf));
	assert_int_equal(xenbus_directory(x5, 0, "dir", buf, sizeof(buf)), 3);
	/* Sorted or not, each name once, and an empty one at the end. */
	assert_int_equal(buf[6], '\0');
	assert_int_equal(strlen(buf) + strlen(buf + 2) + strlen(buf + 4), 3);
	assert_true(buf[0] != buf[2] && buf[2] != buf[4] && buf[0] != buf[4]);
	assert_non_null(strchr("abc", buf[0]));
	assert_non_null(strchr("abc", buf[2]));
	assert_non_null(strchr("abc", buf[4]));
	assert_int_equal(xenbus_directory(x5, 0, "dir/b", buf, sizeof(buf)), 0);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(xenbus_directory(x5, 0, "nodir", buf, sizeof(buf)),
			 -XEN_ENOENT);
	assert_int_equal(xenbus_directory(x5, 0, HOME, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "dir");
}

static void test_perms(void **state)
{
	char buf[64];

	assert_int_equal(xenbus_write(x5, 0, "p", "v"), 0);
	assert_int_equal(xenbus_get_perms(x5, 0, "p", buf, sizeof(buf)), 1);
	assert_memory_equal(buf, "n5\0", 4);
	assert_int_equal(xenbus_set_perms(x5, 0, "p", "n5\0r7\0w8", 9), 0);
	assert_int_equal(xenbus_get_perms(x5, 0, "p", buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "n5\0r7\0w8\0", 10);
	assert_int_equal(xenbus_get_perms(x0, 0, HOME "/p", buf, sizeof(buf)),
			 3);
	/* The server's EINVAL and ENOENT. */
	assert_int_equal(xenbus_set_perms(x5, 0, "p", "x1", 3), -XEN_EINVAL);
	assert_int_equal(xenbus_set_perms(x5, 0, "p", "r65536", 7),
			 -XEN_EINVAL);
	assert_int_equal(xenbus_set_perms(x5, 0, "nope", "n5", 3), -XEN_ENOENT);
	assert_int_equal(xenbus_get_perms(x5, 0, "nope", buf, sizeof(buf)),
			 -XEN_ENOENT);
	/* Opened to domain 5 for reading by domain 0. */
	assert_int_equal(xenbus_write(x0, 0, "/local/domain/0/pub", "pv"), 0);
	read_err(x5, 0, "/local/domain/0/pub", -XEN_EACCES);
	assert_int_equal(
	    xenbus_set_perms(x0, 0, "/local/domain/0/pub", "n0\0r5", 6), 0);
	read_is(x5, 0, "/local/domain/0/pub", "pv");
	assert_int_equal(xenbus_write(x5, 0, "/local/domain/0/pub", "x"),
			 -XEN_EACCES);
}

static void test_domain_path(void **state)
{
	char buf[64];

	assert_int_equal(xenbus_get_domain_path(x5, 5, buf, sizeof(buf)),
			 (int)strlen(HOME));
	assert_string_equal(buf, HOME);
	assert_int_equal(xenbus_get_domain_path(x0, 0, buf, sizeof(buf)), 15);
	assert_string_equal(buf, "/local/domain/0");
	assert_int_equal(xenbus_get_domain_path(x5, 65535, buf, 20), 19);
	assert_string_equal(buf, "/local/domain/65535");
}

/* Requests without a function of their own. */
static void test_raw_request(void **state)
{
	unsigned int calls = 0;
	char buf[8];

	/* Domain 7 is unknown, then introduced by domain 0. */
	assert_int_equal(xenbus_request(x0, XS_IS_DOMAIN_INTRODUCED, 0, "7", 2,
					buf, sizeof(buf)),
			 2);
	assert_string_equal(buf, "F");
	assert_int_equal(
	    xenbus_watch(x0, "@introduceDomain", "i", record, &calls), 0);
	assert_int_equal(xenbus_request(x0, XS_INTRODUCE, 0,
					"7\0"
					"1234\0"
					"3",
					9, NULL, 0),
			 3);
	assert_int_equal(xenbus_request(x0, XS_IS_DOMAIN_INTRODUCED, 0, "7", 2,
					buf, sizeof(buf)),
			 2);
	assert_string_equal(buf, "T");
	assert_int_equal(
	    xenbus_request(x0, XS_IS_DOMAIN_INTRODUCED, 0, "7", 2, buf, 2),
	    -XEN_E2BIG);
	assert_int_equal(xenbus_poll(x0), 2);
	assert_int_equal(xenbus_dispatch(x0), 2);
	assert_int_equal(calls, 2);
	/* Only for domain 0. */
	assert_int_equal(xenbus_request(x5, XS_INTRODUCE, 0,
					"8\0"
					"1\0"
					"3",
					6, NULL, 0),
			 -XEN_EACCES);
	assert_int_equal(xenbus_request(x0, XS_RELEASE, 0, "7", 2, NULL, 0), 3);
	assert_int_equal(xenbus_request(x0, XS_WATCH, 0, "a\0t", 4, NULL, 0),
			 -XEN_EINVAL);
	assert_int_equal(xenbus_request(x0, XS_TYPE_COUNT, 0, "", 1, NULL, 0),
			 -XEN_EINVAL);
	assert_int_equal(xenbus_request(x0, XS_WATCH_EVENT, 0, "", 1, NULL, 0),
			 -XEN_EINVAL);
	assert_false(xenbus_broken(x0));
}

/* ---- Watches ---- */

static void test_watch_first_event(void **state)
{
	unsigned int calls = 0;

	seen_reset();
	assert_int_equal(xenbus_watch(x5, HOME "/w", "tok", record, &calls), 0);
	assert_int_equal(calls, 0); /* never from inside a request */
	assert_int_equal(xenbus_poll(x5), 1);
	assert_int_equal(calls, 0);
	assert_int_equal(xenbus_dispatch(x5), 1);
	assert_int_equal(calls, 1);
	assert_string_equal(seen, HOME "/w|tok\n");
	assert_int_equal(xenbus_dispatch(x5), 0);
	assert_int_equal(xenbus_poll(x5), 0);

	/* A change below it, by another domain. */
	assert_int_equal(xenbus_write(x0, 0, HOME "/w/x", "1"), 0);
	assert_int_equal(serve_and_poll(&e5, x5), 1);
	assert_int_equal(xenbus_dispatch(x5), 1);
	assert_string_equal(seen, HOME "/w|tok\n" HOME "/w/x|tok\n");
	/* Not below it: nothing. */
	assert_int_equal(xenbus_write(x0, 0, HOME "/wx", "1"), 0);
	assert_int_equal(serve_and_poll(&e5, x5), 0);
	assert_int_equal(xenbus_dropped_events(x5), 0);
}

static void test_watch_relative_and_root(void **state)
{
	seen_reset();
	assert_int_equal(xenbus_watch(x5, "rel", "r", record, NULL), 0);
	assert_int_equal(xenbus_write(x5, 0, "rel/a", "1"), 0);
	assert_int_equal(xenbus_poll(x5), 2);
	assert_int_equal(xenbus_dispatch(x5), 2);
	assert_string_equal(seen, "rel|r\nrel/a|r\n");

	seen_reset();
	assert_int_equal(xenbus_watch(x0, "/", "root", record, NULL), 0);
	assert_int_equal(xenbus_write(x0, 0, "/top", "1"), 0);
	assert_int_equal(xenbus_poll(x0), 2);
	assert_int_equal(xenbus_dispatch(x0), 2);
	assert_string_equal(seen, "/|root\n/top|root\n");
}

/* Events that come with replies wait in the queue for dispatch. */
static void test_events_queued_during_requests(void **state)
{
	unsigned int calls = 0;
	int i;

	seen_reset();
	assert_int_equal(xenbus_watch(x5, "q", "t", record, &calls), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(xenbus_printf(x0, 0, HOME "/q/n", "%d", i), 0);
	/* The read brings the events in before its reply. */
	read_is(x5, 0, "q/n", "4");
	assert_int_equal(xenbus_write(x5, 0, "q/m", "x"), 0);
	assert_int_equal(calls, 0);
	assert_int_equal(xenbus_poll(x5), 7);
	assert_int_equal(calls, 0);
	assert_int_equal(xenbus_dispatch(x5), 7);
	assert_int_equal(calls, 7);
	assert_string_equal(seen, "q|t\nq/n|t\nq/n|t\nq/n|t\nq/n|t\nq/n|t\n"
				  "q/m|t\n");
	assert_int_equal(xenbus_dispatch(x5), 0);
}

static void test_unwatch(void **state)
{
	unsigned int a = 0, b = 0;

	assert_int_equal(xenbus_watch(x5, "u", "a", record, &a), 0);
	assert_int_equal(xenbus_watch(x5, "u", "b", record, &b), 0);
	assert_int_equal(xenbus_watch(x5, "u", "a", record, &a), -XEN_EEXIST);
	assert_int_equal(xenbus_write(x5, 0, "u/1", "x"), 0);
	assert_int_equal(xenbus_poll(x5), 4);
	/* Gone with its queued events; the other watch keeps its own. */
	assert_int_equal(xenbus_unwatch(x5, "u", "a"), 0);
	assert_int_equal(xenbus_poll(x5), 2);
	assert_int_equal(xenbus_dispatch(x5), 2);
	assert_int_equal(a, 0);
	assert_int_equal(b, 2);
	assert_int_equal(xenbus_unwatch(x5, "u", "a"), -XEN_ENOENT);
	assert_int_equal(xenbus_write(x5, 0, "u/2", "x"), 0);
	assert_int_equal(serve_and_poll(&e5, x5), 1);
	assert_int_equal(xenbus_dispatch(x5), 1);
	assert_int_equal(b, 3);
	assert_int_equal(xenbus_unwatch(x5, "u", "b"), 0);
	assert_int_equal(xenbus_write(x5, 0, "u/3", "x"), 0);
	assert_int_equal(serve_and_poll(&e5, x5), 0);
	/* Registered again: works as new. */
	assert_int_equal(xenbus_watch(x5, "u", "a", record, &a), 0);
	assert_int_equal(xenbus_poll(x5), 1);
	assert_int_equal(xenbus_dispatch(x5), 1);
	assert_int_equal(a, 1);
}

static void test_watch_table_full(void **state)
{
	char tok[16];
	int i;

	for (i = 0; i < XENBUS_WATCHES; i++) {
		snprintf(tok, sizeof(tok), "t%d", i);
		assert_int_equal(xenbus_watch(x5, "f", tok, record, NULL), 0);
	}
	assert_int_equal(xenbus_watch(x5, "f", "more", record, NULL),
			 -XEN_ENOSPC);
	assert_int_equal(xenbus_unwatch(x5, "f", "t3"), 0);
	assert_int_equal(xenbus_watch(x5, "f", "more", record, NULL), 0);
	seen_reset();
	assert_int_equal(serve_and_poll(&e5, x5), XENBUS_WATCHES);
	assert_int_equal(xenbus_dispatch(x5), XENBUS_WATCHES);
	assert_null(strstr(seen, "f|t3\n"));
	assert_non_null(strstr(seen, "f|more\n"));
}

/* A watch the server knows nothing of (a failed registration). */
static void test_watch_refused(void **state)
{
	assert_int_equal(xenbus_watch(x5, "", "t", record, NULL), -XEN_EINVAL);
	assert_int_equal(xenbus_unwatch(x5, "", "t"), -XEN_ENOENT);
	assert_int_equal(xenbus_watch(x5, "a", "t", NULL, NULL), -XEN_EINVAL);
	assert_int_equal(xenbus_poll(x5), 0);
}

/* Callbacks that make requests and touch their own watch. */
static unsigned int cb_calls;

static void cb_writer(struct xenbus *xb, const char *path, const char *token,
		      void *data)
{
	char buf[16];
	int n;

	cb_calls++;
	n = xenbus_read(xb, 0, "cw/n", buf, sizeof(buf));
	assert_true(cb_calls == 1 ? n == -XEN_ENOENT : n >= 1);
	assert_int_equal(xenbus_printf(xb, 0, "cw/n", "%u", cb_calls), 0);
	/* A dispatch from here does nothing. */
	assert_int_equal(xenbus_dispatch(xb), 0);
}

static void cb_unwatcher(struct xenbus *xb, const char *path, const char *token,
			 void *data)
{
	cb_calls++;
	assert_int_equal(xenbus_unwatch(xb, "cu", "t"), 0);
	/* An event for another watch: queued after the ones forgotten. */
	assert_int_equal(xenbus_write(xb, 0, "cv/x", "1"), 0);
	/* Its own strings are still there. */
	assert_string_equal(token, "t");
	assert_string_equal(path, "cu");
}

static void test_callbacks_make_requests(void **state)
{
	unsigned int other = 0;

	cb_calls = 0;
	assert_int_equal(xenbus_watch(x5, "cw", "t", cb_writer, NULL), 0);
	assert_int_equal(xenbus_poll(x5), 1);
	/* The write it makes fires the watch: for the next dispatch. */
	assert_int_equal(xenbus_dispatch(x5), 1);
	assert_int_equal(cb_calls, 1);
	assert_int_equal(xenbus_poll(x5), 1);
	assert_int_equal(xenbus_dispatch(x5), 1);
	assert_int_equal(cb_calls, 2);
	assert_int_equal(xenbus_unwatch(x5, "cw", "t"), 0);
	assert_int_equal(xenbus_poll(x5), 0);

	/*
	 * Unwatching from its callback drops the events still queued; the
	 * event its write causes is for the next dispatch.
	 */
	cb_calls = 0;
	assert_int_equal(xenbus_watch(x5, "cv", "v", record, &other), 0);
	assert_int_equal(xenbus_poll(x5), 1);
	assert_int_equal(xenbus_dispatch(x5), 1);
	assert_int_equal(xenbus_watch(x5, "cu", "t", cb_unwatcher, NULL), 0);
	assert_int_equal(xenbus_write(x5, 0, "cu/a", "1"), 0);
	assert_int_equal(xenbus_write(x5, 0, "cu/b", "1"), 0);
	assert_int_equal(xenbus_poll(x5), 3);
	assert_int_equal(xenbus_dispatch(x5), 1);
	assert_int_equal(cb_calls, 1);
	assert_int_equal(other, 1);
	assert_int_equal(xenbus_poll(x5), 1);
	assert_int_equal(xenbus_dispatch(x5), 1);
	assert_int_equal(other, 2);
	assert_int_equal(cb_calls, 1);
}

/* More events than the queue holds: the rest dropped and counted. */
static void test_event_queue_overflow(void **state)
{
	unsigned int calls = 0;
	char path[64];
	int i, n = 0, r;

	assert_int_equal(xenbus_watch(x5, "o", "t", record, &calls), 0);
	for (i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), HOME "/o/node-number-%d", i);
		assert_int_equal(xenbus_write(x0, 0, path, ""), 0);
	}
	do {
		r = serve_and_poll(&e5, x5);
		assert_true(r >= n);
		n = r;
	} while (xs_conn_pending_output(e5.conn));
	assert_true(xenbus_dropped_events(x5) > 0);
	assert_int_equal(xenbus_dropped_events(x5) + n, 201);
	assert_int_equal(xenbus_dispatch(x5), n);
	assert_int_equal(calls, n);
	/* And it works on. */
	assert_int_equal(xenbus_write(x0, 0, HOME "/o", "x"), 0);
	assert_int_equal(serve_and_poll(&e5, x5), 1);
	assert_false(xenbus_broken(x5));
}

/* ---- Transactions ---- */

static void test_transaction_commit_abort(void **state)
{
	uint32_t tx, tx2;

	assert_int_equal(xenbus_transaction_start(x5, &tx), 0);
	assert_true(tx != 0);
	assert_int_equal(xenbus_write(x5, tx, "t/a", "1"), 0);
	read_is(x5, tx, "t/a", "1");
	read_err(x5, 0, "t/a", -XEN_ENOENT);
	assert_int_equal(xenbus_transaction_end(x5, tx, false), 0);
	read_is(x5, 0, "t/a", "1");

	assert_int_equal(xenbus_transaction_start(x5, &tx), 0);
	assert_int_equal(xenbus_transaction_start(x5, &tx2), 0);
	assert_true(tx != tx2);
	assert_int_equal(xenbus_write(x5, tx, "t/a", "2"), 0);
	assert_int_equal(xenbus_rm(x5, tx2, "t"), 0);
	assert_int_equal(xenbus_transaction_end(x5, tx, true), 0);
	assert_int_equal(xenbus_transaction_end(x5, tx2, true), 0);
	read_is(x5, 0, "t/a", "1");
	/* Ended: the id is unknown now. */
	read_err(x5, tx, "t/a", -XEN_ENOENT);
	assert_int_equal(xenbus_transaction_end(x5, tx, false), -XEN_ENOENT);
}

static void test_transaction_conflict(void **state)
{
	uint32_t tx;

	assert_int_equal(xenbus_write(x5, 0, "c", "1"), 0);
	assert_int_equal(xenbus_transaction_start(x5, &tx), 0);
	read_is(x5, tx, "c", "1");
	assert_int_equal(xenbus_write(x0, 0, HOME "/c", "2"), 0);
	assert_int_equal(xenbus_write(x5, tx, "c", "3"), 0);
	assert_int_equal(xenbus_transaction_end(x5, tx, false), -XEN_EAGAIN);
	read_is(x5, 0, "c", "2");
}

struct incr {
	unsigned int tries, conflicts;
	int fail;
};

/* Increments "ctr", with another domain getting in the way at first. */
static int incr_fn(struct xenbus *xb, uint32_t tx, void *data)
{
	struct incr *in = data;
	unsigned long v;
	int rc;

	in->tries++;
	rc = xenbus_read_uint(xb, tx, "ctr", &v);
	if (rc)
		return rc;
	if (in->tries <= in->conflicts)
		assert_int_equal(
		    xenbus_printf(x0, 0, HOME "/ctr", "%lu", v + 100), 0);
	rc = xenbus_printf(xb, tx, "ctr", "%lu", v + 1);
	if (rc)
		return rc;
	if (in->fail)
		return in->fail;
	return 0;
}

static void test_transaction_retry(void **state)
{
	struct incr in = { 0, 1, 0 };

	assert_int_equal(xenbus_write(x5, 0, "ctr", "0"), 0);
	assert_int_equal(xenbus_transaction(x5, incr_fn, &in, 5), 0);
	assert_int_equal(in.tries, 2);
	read_is(x5, 0, "ctr", "101");

	/* Never gets through: EAGAIN after max_tries. */
	in = (struct incr){ 0, 10, 0 };
	assert_int_equal(xenbus_transaction(x5, incr_fn, &in, 3), -XEN_EAGAIN);
	assert_int_equal(in.tries, 3);
	read_is(x5, 0, "ctr", "401");

	/* 0 tries means one. */
	in = (struct incr){ 0, 0, 0 };
	assert_int_equal(xenbus_transaction(x5, incr_fn, &in, 0), 0);
	assert_int_equal(in.tries, 1);
	read_is(x5, 0, "ctr", "402");

	/* fn fails: its error, and its write is gone. */
	in = (struct incr){ 0, 0, -XEN_EPERM };
	assert_int_equal(xenbus_transaction(x5, incr_fn, &in, 5), -XEN_EPERM);
	assert_int_equal(in.tries, 1);
	read_is(x5, 0, "ctr", "402");
	assert_int_equal(xenbus_rm(x5, 0, "ctr"), 0);
	in = (struct incr){ 0, 0, 0 };
	assert_int_equal(xenbus_transaction(x5, incr_fn, &in, 5), -XEN_ENOENT);
	assert_int_equal(in.tries, 1);
}

/* A transaction's writes: one round trip for all their replies. */
static void test_transaction_writes_pipelined(void **state)
{
	unsigned long waits;
	char path[16];
	uint32_t tx;

	static const char perms[] = "n5\0r0";
	char got[16];

	assert_int_equal(xenbus_transaction_start(x5, &tx), 0);
	waits = e5.waits;
	assert_int_equal(xenbus_mkdir(x5, tx, "p"), 0);
	assert_int_equal(xenbus_set_perms(x5, tx, "p", perms, sizeof(perms)),
			 0);
	for (unsigned int i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "p/%u", i);
		assert_int_equal(xenbus_printf(x5, tx, path, "%u", i * 7), 0);
	}
	assert_int_equal(e5.waits, waits); /* sent, not waited for */
	assert_int_equal(xenbus_transaction_end(x5, tx, false), 0);
	assert_int_equal(e5.waits, waits + 2); /* the replies, the end */
	assert_int_equal(xenbus_get_perms(x5, 0, "p", got, sizeof(got)), 2);
	assert_memory_equal(got, perms, sizeof(perms));
	for (unsigned int i = 0; i < 8; i++) {
		char want[8];

		snprintf(path, sizeof(path), "p/%u", i);
		snprintf(want, sizeof(want), "%u", i * 7);
		read_is(x5, 0, path, want);
	}
	/* A read in the transaction sees them, after their replies. */
	assert_int_equal(xenbus_transaction_start(x5, &tx), 0);
	assert_int_equal(xenbus_write(x5, tx, "p/0", "x"), 0);
	read_is(x5, tx, "p/0", "x");
	assert_int_equal(xenbus_transaction_end(x5, tx, true), 0);
	read_is(x5, 0, "p/0", "0");
}

/*
 * A batch of reads: one round trip, each read's result as xenbus_read()
 * gives it (a value, a missing node, one too big for its buffer, one
 * the reader may not see).
 */
static void test_read_batch(void **state)
{
	char v[6][16], small[3];
	struct xenbus_read_req r[6] = {
		{ "b/a", v[0], sizeof(v[0]), 99 },
		{ "b/none", v[1], sizeof(v[1]), 99 },
		{ "b/long", small, sizeof(small), 99 },
		{ "/local/domain/0/b", v[3], sizeof(v[3]), 99 },
		{ "b/n", v[4], sizeof(v[4]), 99 },
		{ "b/a", v[5], sizeof(v[5]), 99 },
	};
	unsigned long waits, num;

	assert_int_equal(xenbus_write(x5, 0, "b/a", "one"), 0);
	assert_int_equal(xenbus_write(x5, 0, "b/long", "longer"), 0);
	assert_int_equal(xenbus_write(x5, 0, "b/n", "4294967296"), 0);
	assert_int_equal(xenbus_write(x0, 0, "/local/domain/0/b", "x"), 0);
	memset(small, '#', sizeof(small));
	waits = e5.waits;
	assert_int_equal(xenbus_read_batch(x5, 0, r, 6), 0);
	assert_int_equal(e5.waits, waits + 1);
	assert_int_equal(r[0].rc, 3);
	assert_string_equal(v[0], "one");
	assert_int_equal(r[1].rc, -XEN_ENOENT);
	assert_int_equal(r[2].rc, -XEN_E2BIG);
	assert_int_equal(small[0], '#');
	assert_int_equal(r[3].rc, -XEN_EACCES);
	assert_int_equal(xenbus_parse_uint(v[4], r[4].rc, &num), 0);
	assert_int_equal(num, 4294967296ul);
	assert_int_equal(xenbus_parse_uint(v[1], r[1].rc, &num), -XEN_ENOENT);
	assert_int_equal(r[5].rc, 3);
	assert_string_equal(v[5], "one");
	/* A state read in a batch: as xenbus_read_state() takes it. */
	assert_int_equal(xenbus_parse_state("4", 1), XenbusStateConnected);
	assert_int_equal(xenbus_parse_state(v[1], -XEN_ENOENT),
			 XenbusStateUnknown);
	assert_int_equal(xenbus_parse_state(v[1], -XEN_E2BIG), -XEN_EINVAL);
	assert_int_equal(xenbus_parse_state("x", 1), -XEN_EINVAL);
	/* Unreadable: gone with its domain's directory, as absent. */
	assert_int_equal(xenbus_parse_state(v[1], -XEN_EACCES),
			 XenbusStateUnknown);
	assert_int_equal(xenbus_parse_state(v[1], -XEN_EIO), -XEN_EIO);
	/* Nothing to read: no round trip. */
	assert_int_equal(xenbus_read_batch(x5, 0, r, 0), 0);
	assert_int_equal(e5.waits, waits + 1);
}

/* More reads than the request ring takes at once: in rounds, in order. */
static void test_read_batch_fills_ring(void **state)
{
	static char paths[60][140], vals[60][8];
	struct xenbus_read_req r[60];

	for (unsigned int i = 0; i < 60; i++) {
		memset(paths[i], 'p', 120);
		snprintf(paths[i] + 120, 20, "/%u", i);
		snprintf(vals[i], sizeof(vals[i]), "%u", i * 3);
		assert_int_equal(xenbus_write(x5, 0, paths[i], vals[i]), 0);
		r[i] = (struct xenbus_read_req){ paths[i], vals[i],
						 sizeof(vals[i]), 99 };
		memset(vals[i], 0, sizeof(vals[i]));
	}
	e5.max_req_used = 0;
	assert_int_equal(xenbus_read_batch(x5, 0, r, 60), 0);
	for (unsigned int i = 0; i < 60; i++) {
		char want[8];

		snprintf(want, sizeof(want), "%u", i * 3);
		assert_int_equal(r[i].rc, strlen(want));
		assert_string_equal(vals[i], want);
	}
	assert_true(e5.max_req_used <= RING);
	assert_true(e5.full_waits == 0);
}

/*
 * In a transaction: the batch sees its updates, and reports the first
 * error among them (once); a path too long sends nothing.
 */
static void test_read_batch_in_transaction(void **state)
{
	char a[8], b[8], longpath[XENSTORE_PAYLOAD_MAX + 8];
	struct xenbus_read_req r[2] = { { "t/a", a, sizeof(a), 99 },
					{ "t/b", b, sizeof(b), 99 } };
	uint32_t tx, prod;

	assert_int_equal(xenbus_transaction_start(x5, &tx), 0);
	assert_int_equal(xenbus_write(x5, tx, "t/a", "A"), 0);
	assert_int_equal(xenbus_read_batch(x5, tx, r, 2), 0);
	assert_string_equal(a, "A");
	assert_int_equal(r[1].rc, -XEN_ENOENT);
	assert_int_equal(xenbus_write(x5, tx, "/local/domain/0/t", "1"), 0);
	assert_int_equal(xenbus_read_batch(x5, tx, r, 2), -XEN_EACCES);
	assert_int_equal(xenbus_read_batch(x5, tx, r, 2), 0);
	assert_int_equal(xenbus_transaction_end(x5, tx, true), 0);
	read_err(x5, 0, "t/a", -XEN_ENOENT);

	memset(longpath, 'l', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	r[1].path = longpath;
	prod = e5.ring->req_prod;
	assert_int_equal(xenbus_read_batch(x5, 0, r, 2), -XEN_E2BIG);
	assert_int_equal(e5.ring->req_prod, prod);
}

/* More writes than the ring holds at once: all of them, in order. */
static void test_transaction_writes_fill_ring(void **state)
{
	char path[16], value[120];
	uint32_t tx;

	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	assert_int_equal(xenbus_transaction_start(x5, &tx), 0);
	for (unsigned int i = 0; i < 50; i++) {
		snprintf(path, sizeof(path), "f/%u", i);
		value[0] = (char)('a' + i % 26);
		assert_int_equal(xenbus_write(x5, tx, path, value), 0);
	}
	assert_int_equal(xenbus_transaction_end(x5, tx, false), 0);
	for (unsigned int i = 0; i < 50; i++) {
		snprintf(path, sizeof(path), "f/%u", i);
		value[0] = (char)('a' + i % 26);
		read_is(x5, 0, path, value);
	}
	assert_true(e5.max_req_used <= RING);
}

/*
 * A write that fails in a transaction: the next request says so, or the
 * end does, aborting it; nothing of it is committed.
 */
static void test_transaction_write_error(void **state)
{
	uint32_t tx;

	assert_int_equal(xenbus_transaction_start(x5, &tx), 0);
	assert_int_equal(xenbus_write(x5, tx, "e/a", "1"), 0);
	assert_int_equal(xenbus_write(x5, tx, "/local/domain/0/e", "1"), 0);
	assert_int_equal(xenbus_write(x5, tx, "e/b", "1"), 0);
	assert_int_equal(xenbus_transaction_end(x5, tx, false), -XEN_EACCES);
	read_err(x5, 0, "e/a", -XEN_ENOENT);
	read_err(x5, 0, "e/b", -XEN_ENOENT);

	/* A permission change refused: the end says so. */
	assert_int_equal(xenbus_transaction_start(x5, &tx), 0);
	assert_int_equal(xenbus_set_perms(x5, tx, "/local/domain/0", "n5", 3),
			 0);
	assert_int_equal(xenbus_transaction_end(x5, tx, false), -XEN_EACCES);

	assert_int_equal(xenbus_transaction_start(x5, &tx), 0);
	assert_int_equal(xenbus_write(x5, tx, "/local/domain/0/e", "1"), 0);
	read_err(x5, tx, "e", -XEN_EACCES);
	read_err(x5, tx, "e", -XEN_ENOENT); /* reported once */
	assert_int_equal(xenbus_transaction_end(x5, tx, true), 0);
	/* Outside transactions, a write waits for its reply. */
	assert_int_equal(xenbus_write(x5, 0, "/local/domain/0/e", "1"),
			 -XEN_EACCES);
}

/* ---- A backend's frontend link ---- */

#define BE "/local/domain/0/backend/vif/5/0"

static int read_fe(const char *fe, const char *id, char *out, size_t size)
{
	if (fe)
		assert_int_equal(xenbus_write(x0, 0, BE "/frontend", fe), 0);
	if (id)
		assert_int_equal(xenbus_write(x0, 0, BE "/frontend-id", id), 0);
	return xenbus_read_frontend(x0, BE, 5, out, size);
}

/*
 * The link is followed only into the device's domain: its id, inside
 * its directory, not the directory itself, no trailing '/'.
 */
static void test_read_frontend(void **state)
{
	char fe[64];

	assert_int_equal(xenbus_read_frontend(x0, BE, 5, fe, sizeof(fe)),
			 -XEN_ENOENT);
	assert_int_equal(read_fe(HOME "/device/vif/0", "5", fe, sizeof(fe)), 0);
	assert_string_equal(fe, HOME "/device/vif/0");
	assert_int_equal(read_fe(NULL, "6", fe, sizeof(fe)), -XEN_EINVAL);
	assert_int_equal(read_fe(NULL, "70000", fe, sizeof(fe)), -XEN_ERANGE);
	assert_int_equal(read_fe(NULL, "five", fe, sizeof(fe)), -XEN_EINVAL);
	assert_int_equal(
	    read_fe("/local/domain/6/device/vif/0", "5", fe, sizeof(fe)),
	    -XEN_EINVAL);
	assert_int_equal(
	    read_fe("/local/domain/55/device/vif/0", NULL, fe, sizeof(fe)),
	    -XEN_EINVAL);
	assert_int_equal(read_fe(HOME "/", NULL, fe, sizeof(fe)), -XEN_EINVAL);
	assert_int_equal(read_fe(HOME "/device/vif/0/", NULL, fe, sizeof(fe)),
			 -XEN_EINVAL);
	assert_int_equal(read_fe(HOME "/device/vif/0", NULL, fe, 8),
			 -XEN_E2BIG);
}

/* ---- XenbusState ---- */

static void test_state(void **state)
{
	static const char *const names[] = {
		"Unknown",     "Initialising",	"InitWait",
		"Initialised", "Connected",	"Closing",
		"Closed",      "Reconfiguring", "Reconfigured",
	};
	char buf[8];
	int i;

	for (i = 0; i < 9; i++)
		assert_string_equal(xenbus_state_name(i), names[i]);
	assert_string_equal(xenbus_state_name(-1), "Invalid");
	assert_string_equal(xenbus_state_name(9), "Invalid");

	assert_int_equal(xenbus_read_state(x5, "device/vif/0"),
			 XenbusStateUnknown);
	assert_int_equal(
	    xenbus_switch_state(x5, 0, "device/vif/0", XenbusStateInitialising),
	    0);
	assert_int_equal(
	    xenbus_read(x5, 0, "device/vif/0/state", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "1");
	assert_int_equal(xenbus_switch_state(x5, 0, HOME "/device/vif/0",
					     XenbusStateConnected),
			 0);
	assert_int_equal(xenbus_read_state(x5, "device/vif/0"),
			 XenbusStateConnected);
	assert_int_equal(xenbus_read_state(x0, HOME "/device/vif/0"),
			 XenbusStateConnected);
	assert_int_equal(xenbus_switch_state(x5, 0, "device/vif/0", 9),
			 -XEN_EINVAL);
	assert_int_equal(xenbus_switch_state(x5, 0, "device/vif/0", -1),
			 -XEN_EINVAL);
	assert_int_equal(xenbus_write(x5, 0, "device/vif/0/state", "four"), 0);
	assert_int_equal(xenbus_read_state(x5, "device/vif/0"), -XEN_EINVAL);
	assert_int_equal(xenbus_switch_state(x5, 0, "/local/domain/0/dev",
					     XenbusStateClosed),
			 -XEN_EACCES);
	/* A state we may not read is no peer's we could follow: gone. */
	assert_int_equal(xenbus_read_state(x5, "/local/domain/0/dev"),
			 XenbusStateUnknown);

	/* In a transaction. */
	{
		uint32_t tx;

		assert_int_equal(xenbus_transaction_start(x5, &tx), 0);
		assert_int_equal(xenbus_switch_state(x5, tx, "device/vif/0",
						     XenbusStateClosing),
				 0);
		assert_int_equal(xenbus_transaction_end(x5, tx, false), 0);
		assert_int_equal(xenbus_read_state(x5, "device/vif/0"),
				 XenbusStateClosing);
	}
}

/* ---- The rings ---- */

/* Values of many sizes, so that messages keep straddling the ring end. */
static void exercise_wrap(void)
{
	char val[700], path[32];
	int i;

	for (i = 0; i < 40; i++) {
		size_t len = (size_t)(i * 37) % sizeof(val);

		memset(val, 'a' + i % 26, len);
		val[len] = '\0';
		snprintf(path, sizeof(path), "wrap/%d", i % 7);
		assert_int_equal(xenbus_write(x0, 0, path, val), 0);
		read_is(x0, 0, path, val);
	}
	assert_int_equal(xenbus_watch(x0, "wrap", "t", record, NULL), 0);
	seen_reset();
	for (i = 0; i < 3; i++)
		assert_int_equal(xenbus_write(x0, 0, "wrap/e", "x"), 0);
	assert_int_equal(xenbus_poll(x0), 4);
	assert_int_equal(xenbus_dispatch(x0), 4);
	assert_string_equal(seen, "wrap|t\nwrap/e|t\nwrap/e|t\nwrap/e|t\n");
	assert_false(xenbus_broken(x0));
}

static void test_wrap_ring_end(void **state)
{
	/* The very first header is split at the ring's end. */
	env_init(&e0, x0, 0, RING - 5);
	exercise_wrap();
	assert_true(e0.ring->req_prod - (RING - 5) > 10 * RING);
}

static void test_wrap_index_overflow(void **state)
{
	/* The free-running indices wrap at 2^32 on the way. */
	env_init(&e0, x0, 0, 0xffffffffu - 3000);
	exercise_wrap();
	assert_true(e0.ring->req_prod < 0x10000000u);
	assert_true(e0.ring->rsp_prod < 0x10000000u);
}

/* A server that moves a few bytes per event: everything in pieces. */
static void test_pieces(void **state)
{
	unsigned int calls = 0;

	e5.chunk = 1;
	assert_int_equal(xenbus_write(x5, 0, "pc", "piece by piece"), 0);
	read_is(x5, 0, "pc", "piece by piece");
	assert_true(e5.waits > 50);
	assert_int_equal(xenbus_watch(x5, "pc", "t", record, &calls), 0);
	/* The event comes a byte at a time, through waits of later calls. */
	read_is(x5, 0, HOME "/pc", "piece by piece");
	assert_int_equal(xenbus_poll(x5), 1);
	assert_int_equal(xenbus_dispatch(x5), 1);
	assert_int_equal(calls, 1);
	e5.chunk = 7;
	{
		static char big[2000];

		memset(big, 'b', sizeof(big) - 1);
		assert_int_equal(xenbus_write(x5, 0, "pc/big", big), 0);
		read_is(x5, 0, "pc/big", big);
	}
}

/* 4000 bytes through a 1024-byte ring, both ways. */
static void test_big_value(void **state)
{
	static char big[4001], buf[4001];
	size_t i;

	for (i = 0; i < 4000; i++)
		big[i] = (char)('!' + i % 90);
	big[4000] = '\0';
	assert_int_equal(xenbus_write(x0, 0, "/big", big), 0);
	/* The request could not fit: wait() ran with the ring full. */
	assert_true(e0.full_waits >= 3);
	assert_true(e0.max_req_used <= RING);
	assert_int_equal(xenbus_read(x0, 0, "/big", buf, sizeof(buf)), 4000);
	assert_memory_equal(buf, big, 4001);
	assert_int_equal(xenbus_read(x0, 0, "/big", buf, 4000), -XEN_E2BIG);
	/* The largest payload: path and value, 4096 bytes. */
	{
		static char max[XENSTORE_PAYLOAD_MAX], back[sizeof(max) + 1];

		memset(max, 'm', sizeof(max));
		max[XENSTORE_PAYLOAD_MAX - 4] = '\0'; /* "/mx\0" + 4092 */
		assert_int_equal(xenbus_write(x0, 0, "/mx", max), 0);
		assert_int_equal(xenbus_read(x0, 0, "/mx", back, sizeof(back)),
				 XENSTORE_PAYLOAD_MAX - 4);
		assert_string_equal(back, max);
	}
}

/*
 * Back-pressure both ways: the server stops reading requests while its
 * output (watch events here) is over the bound, so a client blocked on a
 * full request ring must keep draining the response ring meanwhile.
 */
static int setup_small_output(void **state)
{
	struct xs_limits lim;

	xs_limits_default(&lim);
	lim.output = 1500;
	start(&lim, 0);
	return 0;
}

static void test_backpressure(void **state)
{
	static char big[2000];
	unsigned int calls = 0;
	char path[32];
	int i, n;

	assert_int_equal(
	    xenbus_watch(x5, "bp", "token-of-some-length", record, &calls), 0);
	for (i = 0; i < 60; i++) {
		snprintf(path, sizeof(path), HOME "/bp/%d", i);
		assert_int_equal(xenbus_printf(x0, 0, path, "%d", i), 0);
	}
	assert_true(xs_conn_pending_output(e5.conn) > RING);
	/* Only wait() runs the server, and only then is the ring drained. */
	memset(big, 'x', sizeof(big) - 1);
	assert_int_equal(xenbus_write(x5, 0, "bp-val", big), 0);
	assert_true(e5.full_waits >= 1);
	read_is(x5, 0, "bp-val", big);
	while (xs_conn_pending_output(e5.conn))
		serve_and_poll(&e5, x5);
	assert_int_equal(xenbus_poll(x5) + xs_conn_dropped_events(e5.conn) +
			     xenbus_dropped_events(x5),
			 61);
	n = xenbus_poll(x5);
	assert_int_equal(xenbus_dispatch(x5), n);
	assert_int_equal(calls, n);
	assert_false(xenbus_broken(x5));
}

/* ---- A hostile server ---- */

static uint32_t hostile_arg;

static void rsp_put(struct env *e, const void *p, size_t n)
{
	struct xenstore_domain_interface *r = e->ring;
	const char *s = p;
	size_t i;

	assert_true(n <= RING - (r->rsp_prod - r->rsp_cons));
	for (i = 0; i < n; i++)
		r->rsp[MASK_XENSTORE_IDX(r->rsp_prod + i)] = s[i];
	r->rsp_prod += (uint32_t)n;
}

/* The id of the request at req_cons; all of it is then taken. */
static uint32_t swallow_request(struct env *e)
{
	struct xenstore_domain_interface *r = e->ring;
	struct xsd_sockmsg h;
	char *d = (char *)&h;
	size_t i;

	assert_true(r->req_prod - r->req_cons >= sizeof(h));
	for (i = 0; i < sizeof(h); i++)
		d[i] = r->req[MASK_XENSTORE_IDX(r->req_cons + i)];
	r->req_cons = r->req_prod;
	return h.req_id;
}

static void put_msg(struct env *e, uint32_t type, uint32_t id, uint32_t len,
		    const void *p, size_t plen)
{
	struct xsd_sockmsg h = { type, id, 0, len };

	rsp_put(e, &h, sizeof(h));
	rsp_put(e, p, plen);
}

static void h_garbage(struct env *e)
{
	char junk[300];

	swallow_request(e);
	memset(junk, 0xff, sizeof(junk));
	rsp_put(e, junk, sizeof(junk));
}

static void h_wrong_id(struct env *e)
{
	put_msg(e, XS_READ, swallow_request(e) + 1, 2, "hi", 2);
}

static void h_too_long(struct env *e)
{
	char junk[200];

	memset(junk, 'x', sizeof(junk));
	put_msg(e, XS_READ, swallow_request(e), 5000, junk, sizeof(junk));
}

/* A good reply, but then an index that cannot be. */
static void h_prod_ahead(struct env *e)
{
	put_msg(e, XS_READ, swallow_request(e), 2, "hi", 2);
	e->ring->rsp_prod = e->ring->rsp_cons + hostile_arg;
}

static void h_error(struct env *e)
{
	swallow_request(e);
	e->ring->error = XENSTORE_ERROR_COMM;
}

static void h_type(struct env *e)
{
	put_msg(e, hostile_arg, swallow_request(e), 0, NULL, 0);
}

static void h_wrong_type(struct env *e)
{
	put_msg(e, XS_WRITE, swallow_request(e), 3, "OK", 3);
}

static void h_bad_event(struct env *e)
{
	swallow_request(e);
	put_msg(e, XS_WATCH_EVENT, 0, 4, "abc", hostile_arg);
}

static void h_unknown_error(struct env *e)
{
	put_msg(e, XS_ERROR, swallow_request(e), 7, "EWHAT\0", 7);
}

static void h_req_cons(struct env *e)
{
	e->ring->req_cons = e->ring->req_prod + hostile_arg;
}

static void h_silent(struct env *e)
{
}

/* x5's read with e5 hostile: -XEN_EIO, broken, and no hang. */
static void hostile_read(void (*h)(struct env *), uint32_t arg)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	uint32_t prod;

	hostile_arg = arg;
	e5.hostile = h;
	memset(buf, '#', sizeof(buf));
	assert_int_equal(xenbus_read(x5, 0, "x", buf, sizeof(buf)), -XEN_EIO);
	assert_int_equal(buf[0], '#');
	assert_true(xenbus_broken(x5));
	assert_true(e5.waits <= 2);
	/* Everything fails from now on, without touching the ring. */
	e5.hostile = h_silent;
	prod = e5.ring->req_prod;
	assert_int_equal(xenbus_write(x5, 0, "x", "1"), -XEN_EIO);
	assert_int_equal(xenbus_read(x5, 0, "x", buf, sizeof(buf)), -XEN_EIO);
	assert_int_equal(xenbus_watch(x5, "x", "t", record, NULL), -XEN_EIO);
	assert_int_equal(xenbus_poll(x5), -XEN_EIO);
	assert_int_equal(xenbus_dispatch(x5), 0);
	assert_int_equal(e5.ring->req_prod, prod);
	assert_true(e5.waits <= 2);
}

static void test_hostile_garbage(void **state)
{
	hostile_read(h_garbage, 0);
}

static void test_hostile_wrong_req_id(void **state)
{
	hostile_read(h_wrong_id, 0);
}

/* A batch's replies from a hostile server: -XEN_EIO, broken, no hang. */
static void test_hostile_read_batch(void **state)
{
	char a[8], b[8];
	struct xenbus_read_req r[2] = { { "x", a, sizeof(a), 99 },
					{ "y", b, sizeof(b), 99 } };

	e5.hostile = h_wrong_id;
	assert_int_equal(xenbus_read_batch(x5, 0, r, 2), -XEN_EIO);
	assert_true(xenbus_broken(x5));
	assert_true(e5.waits <= 2);
}

static void test_hostile_len_5000(void **state)
{
	hostile_read(h_too_long, 0);
}

static void test_hostile_prod_ahead(void **state)
{
	hostile_read(h_prod_ahead, 5000);
}

static void test_hostile_prod_behind(void **state)
{
	hostile_read(h_prod_ahead, (uint32_t)-16);
}

static void test_hostile_ring_error(void **state)
{
	hostile_read(h_error, 0);
}

static void test_hostile_ring_error_before(void **state)
{
	char buf[8];

	e5.ring->error = XENSTORE_ERROR_PROTO;
	assert_int_equal(xenbus_read(x5, 0, "x", buf, sizeof(buf)), -XEN_EIO);
	assert_int_equal(e5.ring->req_prod, 0);
	assert_int_equal(e5.waits, 0);
	assert_true(xenbus_broken(x5));
}

static void test_hostile_unknown_type(void **state)
{
	hostile_read(h_type, XS_TYPE_COUNT);
}

static void test_hostile_withdrawn_type(void **state)
{
	hostile_read(h_type, 20);
}

static void test_hostile_huge_type(void **state)
{
	hostile_read(h_type, 0xffffffffu);
}

static void test_hostile_wrong_reply_type(void **state)
{
	hostile_read(h_wrong_type, 0);
}

static void test_hostile_bad_event(void **state)
{
	hostile_read(h_bad_event, 4); /* "abc\0": the token missing */
}

static void test_hostile_req_cons(void **state)
{
	hostile_read(h_req_cons, 2000); /* consumed more than was written */
}

static void test_hostile_req_cons_before(void **state)
{
	char buf[8];

	e5.ring->req_cons = 5000;
	assert_int_equal(xenbus_read(x5, 0, "x", buf, sizeof(buf)), -XEN_EIO);
	assert_int_equal(e5.waits, 0);
	assert_true(xenbus_broken(x5));
}

/* Bytes nobody asked for, seen by poll. */
static void test_hostile_unsolicited_reply(void **state)
{
	put_msg(&e5, XS_READ, 1, 0, NULL, 0);
	assert_int_equal(xenbus_poll(x5), -XEN_EIO);
	assert_true(xenbus_broken(x5));
}

/* An event for no watch of ours: queued, then dropped by dispatch. */
static void test_event_for_unknown_watch(void **state)
{
	unsigned int calls = 0;

	assert_int_equal(xenbus_watch(x5, "k", "known", record, &calls), 0);
	put_msg(&e5, XS_WATCH_EVENT, 0, 8, "k\0other", 8);
	put_msg(&e5, XS_WATCH_EVENT, 0, 8, "j\0known", 8);
	put_msg(&e5, XS_WATCH_EVENT, 0, 9, "kx\0known", 9);
	put_msg(&e5, XS_WATCH_EVENT, 0, 10, "k/x\0known", 10);
	assert_int_equal(xenbus_poll(x5), 5);
	assert_int_equal(xenbus_dispatch(x5), 2);
	assert_int_equal(calls, 2);
	assert_false(xenbus_broken(x5));
}

/* An error name nobody knows: EIO for that request only. */
static void test_unknown_error_name(void **state)
{
	char buf[8];

	e5.hostile = h_unknown_error;
	assert_int_equal(xenbus_read(x5, 0, "x", buf, sizeof(buf)), -XEN_EIO);
	assert_false(xenbus_broken(x5));
	e5.hostile = NULL;
	assert_int_equal(xenbus_write(x5, 0, "x", "fine"), 0);
	read_is(x5, 0, "x", "fine");
}

#define T(f)	 cmocka_unit_test_setup_teardown(f, setup, teardown)
#define TS(f, s) cmocka_unit_test_setup_teardown(f, s, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_write_read),
		T(test_mkdir_rm),
		T(test_errors),
		T(test_small_buffers),
		T(test_too_long_locally),
		T(test_directory),
		T(test_perms),
		T(test_domain_path),
		T(test_raw_request),
		T(test_watch_first_event),
		T(test_watch_relative_and_root),
		T(test_events_queued_during_requests),
		T(test_unwatch),
		T(test_watch_table_full),
		T(test_watch_refused),
		T(test_callbacks_make_requests),
		T(test_event_queue_overflow),
		T(test_transaction_commit_abort),
		T(test_transaction_conflict),
		T(test_transaction_retry),
		T(test_transaction_writes_pipelined),
		T(test_transaction_writes_fill_ring),
		T(test_read_batch),
		T(test_read_batch_fills_ring),
		T(test_read_batch_in_transaction),
		T(test_transaction_write_error),
		T(test_read_frontend),
		T(test_state),
		T(test_wrap_ring_end),
		T(test_wrap_index_overflow),
		T(test_pieces),
		T(test_big_value),
		TS(test_backpressure, setup_small_output),
		T(test_hostile_garbage),
		T(test_hostile_wrong_req_id),
		T(test_hostile_read_batch),
		T(test_hostile_len_5000),
		T(test_hostile_prod_ahead),
		T(test_hostile_prod_behind),
		T(test_hostile_ring_error),
		T(test_hostile_ring_error_before),
		T(test_hostile_unknown_type),
		T(test_hostile_withdrawn_type),
		T(test_hostile_huge_type),
		T(test_hostile_wrong_reply_type),
		T(test_hostile_bad_event),
		T(test_hostile_req_cons),
		T(test_hostile_req_cons_before),
		T(test_hostile_unsolicited_reply),
		T(test_event_for_unknown_watch),
		T(test_unknown_error_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
