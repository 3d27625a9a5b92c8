/*
 * Checksum completion for frames a frontend sent with NETTXF_csum_blank.
 *
 * Linux's netfront always offloads the IPv4 TCP/UDP checksum (the backend
 * cannot refuse it), leaving the field partial. Netback hands frames on
 * to guests and a NIC that expect whole checksums, so it finishes them in
 * software: the field is recomputed from scratch (pseudo header, header
 * and payload), never trusted as the frontend left it. Only unfragmented
 * IPv4 TCP and UDP can be finished; anything else is refused.
 */
#include "include/netback/netback.h"

#define ETH_P_IP     0x0800
#define IPPROTO_TCP  6
#define IPPROTO_UDP  17
#define TCP_CSUM_OFF 16
#define UDP_CSUM_OFF 6
#define IP_MIN_HLEN  20
#define IP_FRAG_MASK 0x3fff /* MF and the offset */

static uint16_t csum_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The ones'-complement sum of len bytes, as 16-bit big-endian words. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += csum_get16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int nb_csum_complete(uint8_t *frame, size_t len)
{
	uint8_t *ip = frame + NB_ETH_HLEN;
	size_t ihl, total, l4len, off;
	uint32_t sum;
	uint16_t csum;

	if (len < NB_ETH_HLEN + IP_MIN_HLEN ||
	    csum_get16(frame + 12) != ETH_P_IP || (ip[0] >> 4) != 4)
		return -XEN_EINVAL;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	total = csum_get16(ip + 2);
	if (ihl < IP_MIN_HLEN || total < ihl || total > len - NB_ETH_HLEN ||
	    (csum_get16(ip + 6) & IP_FRAG_MASK))
		return -XEN_EINVAL;
	l4len = total - ihl;
	if (ip[9] == IPPROTO_TCP)
		off = TCP_CSUM_OFF;
	else if (ip[9] == IPPROTO_UDP)
		off = UDP_CSUM_OFF;
	else
		return -XEN_EINVAL;
	if (l4len < off + 2)
		return -XEN_EINVAL;
	ip[ihl + off] = ip[ihl + off + 1] = 0;
	sum = csum_add(0, ip + 12, 8); /* source and destination */
	sum += ip[9] + (uint32_t)l4len;
	csum = csum_fold(csum_add(sum, ip + ihl, l4len));
	if (!csum && ip[9] == IPPROTO_UDP)
		csum = 0xffff; /* 0 means "no checksum" in UDP */
	ip[ihl + off] = (uint8_t)(csum >> 8);
	ip[ihl + off + 1] = (uint8_t)csum;
	return 0;
}
