/*
 * The Internet checksum (RFC 1071): the one's-complement sum of 16-bit
 * big-endian words, an odd last byte padded with zero. Partial sums are
 * kept in 64 bits and folded once, so no carry is lost; only the last
 * piece given to net_csum_partial() may have an odd length.
 *
 * The bulk is summed eight bytes at a time as 64-bit words read in the
 * CPU's (little-endian) order and added with end-around carry: a
 * one's-complement sum of 64-bit words folds to that of their 16-bit
 * pieces (RFC 1071, 2(C)), and a one's-complement sum of byte-swapped
 * words is the byte-swapped sum (2(B)), so that part, folded and
 * swapped, joins the big-endian sum. An add and an add-of-carry per
 * eight bytes: the checksum is most of a datagram's cost.
 *
 * The unaligned eight-byte read is __builtin_memcpy: a freestanding build
 * makes plain memcpy a call (to rep movs, two more instructions that end
 * a translated block each under TCG), and that call was two thirds of a
 * 1 KiB datagram's instructions.
 */
#include "net_priv.h"

static uint64_t csum_fold16(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static inline uint64_t csum_word(const uint8_t *p)
{
	uint64_t w;

	__builtin_memcpy(&w, p, sizeof(w));
	return w;
}

/* One's-complement addition: the carry out of bit 63 comes back in. */
static inline uint64_t csum_add(uint64_t sum, uint64_t w)
{
	sum += w;
	return sum + (sum < w);
}

uint64_t net_csum_partial(const void *data, size_t len, uint64_t sum)
{
	const uint8_t *p = data;
	uint64_t le = 0;

	/* Four words a round: under TCG each round is a translated block. */
	for (; len >= 32; p += 32, len -= 32) {
		le = csum_add(le, csum_word(p));
		le = csum_add(le, csum_word(p + 8));
		le = csum_add(le, csum_word(p + 16));
		le = csum_add(le, csum_word(p + 24));
	}
	for (; len >= 8; p += 8, len -= 8)
		le = csum_add(le, csum_word(p));
	le = csum_fold16((le & 0xffffffffu) + (le >> 32));
	sum += (le >> 8 | le << 8) & 0xffff;
	for (; len >= 2; p += 2, len -= 2)
		sum += net_get16(p);
	if (len)
		sum += (uint64_t)p[0] << 8;
	return sum;
}

/* Fold to 16 bits and complement: what goes into a header. */
uint16_t net_csum_fold(uint64_t sum)
{
	return (uint16_t)~csum_fold16(sum);
}

/* The pseudo-header UDP's checksum covers (RFC 768). */
uint64_t net_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto,
			 uint16_t len)
{
	return (uint64_t)(src >> 16) + (src & 0xffff) + (dst >> 16) +
	       (dst & 0xffff) + proto + len;
}

/* Over a whole header or message: 0 when its checksum field is right. */
uint16_t net_csum(const void *data, size_t len)
{
	return net_csum_fold(net_csum_partial(data, len, 0));
}
