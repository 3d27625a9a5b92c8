/*
 * Byte strings of up to XS_BLOB_MAX bytes in at most two pieces: a value
 * or a request body can be XENSTORE_PAYLOAD_MAX bytes, more than one
 * allocation may hold. Each piece is only as big as its share of the
 * bytes, so short values cost little.
 */
#include "xs_core.h"

static size_t blob_piece(size_t len, unsigned int i)
{
	size_t start = i * XS_PART;

	if (len <= start)
		return 0;
	return len - start < XS_PART ? len - start : XS_PART;
}

int xs_blob_alloc(struct xs_blob *b, size_t len)
{
	unsigned int i;

	b->len = 0;
	b->part[0] = b->part[1] = NULL;
	if (len > XS_BLOB_MAX)
		return -XEN_E2BIG;
	for (i = 0; i < 2; i++) {
		size_t n = blob_piece(len, i);

		if (!n)
			break;
		b->part[i] = xs_malloc(n);
		if (!b->part[i]) {
			xs_blob_free(b);
			return -XEN_ENOMEM;
		}
	}
	b->len = len;
	return 0;
}

void xs_blob_free(struct xs_blob *b)
{
	xs_free(b->part[0]);
	xs_free(b->part[1]);
	b->part[0] = b->part[1] = NULL;
	b->len = 0;
}

/* Calls fn on each piece of [off, off + n), in order. */
#define BLOB_WALK(b, off, n, body)                                           \
	do {                                                                 \
		size_t o_ = (off), n_ = (n);                                 \
		while (n_) {                                                 \
			unsigned int i_ = o_ / XS_PART;                      \
			size_t in_ = o_ % XS_PART;                           \
			size_t k_ = XS_PART - in_ < n_ ? XS_PART - in_ : n_; \
			char *piece_ = (b)->part[i_] + in_;                  \
			body;                                                \
			o_ += k_;                                            \
			n_ -= k_;                                            \
		}                                                            \
	} while (0)

void xs_blob_write(struct xs_blob *b, size_t off, const void *src, size_t n)
{
	const char *s = src;

	BLOB_WALK(b, off, n, {
		memcpy(piece_, s, k_);
		s += k_;
	});
}

void xs_blob_read(const struct xs_blob *b, size_t off, void *dst, size_t n)
{
	char *d = dst;

	BLOB_WALK(b, off, n, {
		memcpy(d, piece_, k_);
		d += k_;
	});
}

size_t xs_blob_find(const struct xs_blob *b, size_t off, int c)
{
	if (off >= b->len)
		return b->len;
	BLOB_WALK(b, off, b->len - off, {
		const char *hit = memchr(piece_, c, k_);
		if (hit)
			return o_ + (size_t)(hit - piece_);
	});
	return b->len;
}

int xs_blob_dup_range(struct xs_blob *dst, const struct xs_blob *src,
		      size_t off, size_t n)
{
	int rc = xs_blob_alloc(dst, n);

	if (rc)
		return rc;
	BLOB_WALK(src, off, n, { xs_blob_write(dst, o_ - off, piece_, k_); });
	return 0;
}
