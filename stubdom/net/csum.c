/*
 * The Internet checksum (RFC 1071): the one's-complement sum of 16-bit
 * big-endian words, an odd last byte padded with zero. Partial sums are
 * kept in 64 bits and folded once, so no carry is lost; only the last
 * piece given to net_csum_partial() may have an odd length.
 */
#include "net_priv.h"

uint64_t net_csum_partial(const void *data, size_t len, uint64_t sum)
{
	const uint8_t *p = data;

	for (; len >= 2; p += 2, len -= 2)
		sum += net_get16(p);
	if (len)
		sum += (uint64_t)p[0] << 8;
	return sum;
}

/* Fold to 16 bits and complement: what goes into a header. */
uint16_t net_csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
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
