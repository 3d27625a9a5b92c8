/*
 * A connection's queued output: a byte queue in chunks that each fit one
 * allocation. Space for a whole message is reserved before any of it is
 * written, so a message is queued entirely or not at all; empty reserved
 * chunks left by a failed reservation are simply used later.
 */
#include "xs_core.h"

#define XS_CHUNK_DATA (2048 - 2 * sizeof(void *))

struct xs_chunk {
	struct xs_chunk *next;
	uint32_t head, tail; /* unread bytes are data[head, tail) */
	char data[XS_CHUNK_DATA];
};

BUILD_BUG_ON(sizeof(struct xs_chunk) > XS_ALLOC_MAX);

int xs_outq_reserve(struct xs_outq *q, size_t n)
{
	struct xs_chunk *c;
	size_t room = 0;

	for (c = q->wr; c; c = c->next)
		room += XS_CHUNK_DATA - c->tail;
	while (room < n) {
		c = xs_malloc(sizeof(*c));
		if (!c)
			return -XEN_ENOMEM;
		c->next = NULL;
		c->head = c->tail = 0;
		if (q->last)
			q->last->next = c;
		else
			q->first = c;
		q->last = c;
		if (!q->wr)
			q->wr = c;
		room += XS_CHUNK_DATA;
	}
	return 0;
}

/* Only after xs_outq_reserve() made room for n bytes. */
void xs_outq_write(struct xs_outq *q, const void *src, size_t n)
{
	const char *s = src;

	while (n) {
		struct xs_chunk *c = q->wr;
		size_t k = XS_CHUNK_DATA - c->tail;

		if (k > n)
			k = n;
		memcpy(c->data + c->tail, s, k);
		c->tail += k;
		s += k;
		n -= k;
		q->bytes += k;
		if (c->tail == XS_CHUNK_DATA)
			q->wr = c->next;
	}
}

size_t xs_outq_pull(struct xs_outq *q, void *dst, size_t max)
{
	char *d = dst;
	size_t done = 0;

	while (done < max && q->first) {
		struct xs_chunk *c = q->first;
		size_t k = c->tail - c->head;

		if (k > max - done)
			k = max - done;
		memcpy(d + done, c->data + c->head, k);
		c->head += k;
		done += k;
		if (c->head < c->tail)
			break;
		if (c->tail < XS_CHUNK_DATA) {
			/* The chunk being written: reuse it from the start. */
			c->head = c->tail = 0;
			break;
		}
		q->first = c->next;
		if (!q->first)
			q->last = NULL;
		xs_free(c);
	}
	q->bytes -= done;
	return done;
}

void xs_outq_free(struct xs_outq *q)
{
	while (q->first) {
		struct xs_chunk *c = q->first;

		q->first = c->next;
		xs_free(c);
	}
	q->last = q->wr = NULL;
	q->bytes = 0;
}
