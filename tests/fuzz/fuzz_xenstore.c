/*
 * The xenstore core (stubdom/xenstore) against domains that send
 * anything: raw bytes or messages of any type, transaction and length,
 * split anywhere, read back at any pace, with domains introduced,
 * released and reconnected, and allocations failing. What must hold:
 *
 * - every reply and event a connection gets is a whole message of a
 *   known type, no longer than XENSTORE_PAYLOAD_MAX;
 * - an unprivileged domain never sees the value of a node only
 *   domain 0 may read;
 * - queued output stays near the connection's bound;
 * - the core never asks for more than XS_ALLOC_MAX at once, and
 *   leaves nothing allocated once the store is destroyed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <public/errno.h>
#include <public/io/xs_wire.h>
#include "../../stubdom/xenstore/xenstore.h"
#include "../../stubdom/xenstore/xs_env.h"
#include "fake_xs_env.h"
#include "fuzz.h"

#define NDOMS	  4
#define BUF_MAX	  (3 * (16 + XENSTORE_PAYLOAD_MAX))
#define SECRET	  "fz-secret-0b2c9e7d"
#define OUT_SLACK (2 * (16 + XENSTORE_PAYLOAD_MAX))

static const unsigned int domids[NDOMS] = { 0, 5, 6, 7 };

static int hook_introduce(void *opaque, struct xs_conn *conn, uint64_t mfn,
			  uint32_t port)
{
	return mfn & 1 ? -XEN_EINVAL : 0; /* the odd ones do not map */
}

static void hook_release(void *opaque, struct xs_conn *conn)
{
}

static const struct xs_hooks HOOKS = { hook_introduce, hook_release, NULL };

/* Per domain: bytes not yet fed, and output not yet a whole message. */
static struct dom {
	uint8_t in[BUF_MAX], out[BUF_MAX];
	size_t nin, nout;
	struct xs_conn *conn; /* the last one seen: a new one resets us */
} D[NDOMS];

static struct xs_store *S;
static struct xs_limits LIM;
static bool secret_in_input;

static struct xs_conn *conn_of(unsigned int i)
{
	struct xs_conn *c = xs_conn_find(S, domids[i]);

	if (c != D[i].conn) {
		D[i].nin = D[i].nout = 0;
		D[i].conn = c;
	}
	return c;
}

/* Whole messages out of what was pulled: each must be well formed. */
static void parse_out(unsigned int i)
{
	struct dom *d = &D[i];
	struct xsd_sockmsg h;

	while (d->nout >= sizeof(h)) {
		memcpy(&h, d->out, sizeof(h));
		FUZZ_CHECK(h.len <= XENSTORE_PAYLOAD_MAX);
		FUZZ_CHECK(h.type < XS_TYPE_COUNT);
		if (d->nout < sizeof(h) + h.len)
			return;
		if (domids[i] != 0 && !secret_in_input)
			FUZZ_CHECK(!memmem(d->out + sizeof(h), h.len, SECRET,
					   strlen(SECRET)));
		d->nout -= sizeof(h) + h.len;
		memmove(d->out, d->out + sizeof(h) + h.len, d->nout);
	}
}

/* As the glue does: pull what fits, feed what the core takes. */
static void pump(unsigned int i, size_t pull_max)
{
	struct xs_conn *c = conn_of(i);
	struct dom *d = &D[i];
	size_t n;

	if (!c)
		return;
	if (pull_max > sizeof(d->out) - d->nout)
		pull_max = sizeof(d->out) - d->nout;
	n = xs_conn_pull(c, d->out + d->nout, pull_max);
	FUZZ_CHECK(n <= pull_max);
	d->nout += n;
	parse_out(i);
	n = xs_conn_feed(c, d->in, d->nin);
	FUZZ_CHECK(n <= d->nin);
	d->nin -= n;
	memmove(d->in, d->in + n, d->nin);
	FUZZ_CHECK(xs_conn_pending_output(c) <= LIM.output + OUT_SLACK);
	FUZZ_CHECK(oversized == 0);
}

static void add_input(unsigned int i, const void *p, size_t n)
{
	struct dom *d = &D[i];

	if (n > sizeof(d->in) - d->nin)
		n = sizeof(d->in) - d->nin;
	memcpy(d->in + d->nin, p, n);
	d->nin += n;
}

/* Words a message's payload is made of, besides raw bytes. */
static const char *const WORDS[] = {
	"/secret",
	"/local/domain/5",
	"/local/domain/5/data",
	"data/x",
	"/local/domain/6/device/vbd/1",
	"@introduceDomain",
	"@releaseDomain",
	"tok",
	"T",
	"F",
	"n0",
	"r5",
	"b6",
	"w5",
	"n5",
	"0",
	"5",
	"6",
	"7",
	"1",
	"2",
	"4096",
	"/",
	"",
	"value",
};

/*
 * A message: header fields from the input, the payload NUL-separated
 * words (known ones, or raw bytes), the length right or not.
 */
static void message(struct fuzz_in *in, unsigned int i)
{
	uint8_t payload[512];
	size_t n = 0;
	unsigned int words = fuzz_u8(in) % 6;
	struct xsd_sockmsg h = {
		.type = fuzz_u8(in) % (XS_TYPE_COUNT + 1),
		.req_id = fuzz_u8(in),
		.tx_id = fuzz_u8(in) % 4,
	};

	for (unsigned int w = 0; w < words && n < sizeof(payload) - 64; w++) {
		uint8_t k = fuzz_u8(in);
		size_t len;

		if (k < 2 * (sizeof(WORDS) / sizeof(WORDS[0]))) {
			len = strlen(WORDS[k / 2]);
			memcpy(payload + n, WORDS[k / 2], len);
		} else {
			len = fuzz_u8(in) % 48;
			fuzz_bytes(in, payload + n, len);
		}
		n += len;
		if (k & 1 || w + 1 < words)
			payload[n++] = 0;
	}
	h.len = fuzz_u8(in) == 0xff ? fuzz_u16(in) : (uint32_t)n;
	add_input(i, &h, sizeof(h));
	add_input(i, payload, n);
}

static void step(struct fuzz_in *in)
{
	uint8_t op = fuzz_u8(in);
	unsigned int i = (op >> 4) % NDOMS;

	switch (op % 7) {
	case 0: { /* raw bytes */
		uint8_t raw[64];
		size_t n = fuzz_u8(in) % sizeof(raw);

		fuzz_bytes(in, raw, n);
		add_input(i, raw, n);
		break;
	}
	case 1:
		message(in, i);
		break;
	case 2: /* the domain reads its ring, some of it */
		pump(i, fuzz_u16(in) % (2 * (16 + XENSTORE_PAYLOAD_MAX)));
		return;
	case 3: /* the glue drops the domain's connection */
		if (i != 0 && conn_of(i)) {
			xs_conn_free(conn_of(i));
			conn_of(i);
		}
		break;
	case 4: /* or makes one */
		xs_conn_new(S, domids[i]);
		break;
	case 5: /* memory runs out a few allocations from now */
		fail_in = fuzz_u8(in) % 16;
		break;
	default:
		fail_in = -1;
		break;
	}
	pump(i, 512);
}

/* Domain 0 writes the secret; only it may read it (a node's default). */
static void write_secret(void)
{
	static const char body[] = "/secret\0" SECRET;
	struct xsd_sockmsg h = { .type = XS_WRITE, .len = sizeof(body) - 1 };

	add_input(0, &h, sizeof(h));
	add_input(0, body, sizeof(body) - 1);
	pump(0, BUF_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t f = fuzz_u8(&in);

	secret_in_input = memmem(data, size, SECRET, strlen(SECRET)) != NULL;
	memset(D, 0, sizeof(D));
	live_blocks = oversized = 0;
	fail_in = -1;
	xs_limits_default(&LIM);
	if (f & 1)
		LIM.output = 256; /* replies wait, events are dropped */
	if (f & 2)
		LIM.nodes = 4;
	S = xs_store_create(&LIM);
	FUZZ_CHECK(S);
	xs_store_set_hooks(S, &HOOKS);
	xs_store_set_self(S, 1);
	FUZZ_CHECK(xs_conn_new(S, 0) && xs_conn_new(S, 5) && xs_conn_new(S, 6));
	write_secret();
	while (in.len)
		step(&in);
	fail_in = -1;
	for (unsigned int i = 0; i < NDOMS; i++)
		pump(i, BUF_MAX);
	xs_store_destroy(S);
	FUZZ_CHECK(live_blocks == 0 && oversized == 0);
	return 0;
}
