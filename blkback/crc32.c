/*
 * CRC-32 as UEFI's GPT uses it (IEEE 802.3, reflected, polynomial
 * 0xedb88320, inverted in and out). Bit by bit: it runs once per vbd
 * setup over a few KiB, so a table is not worth its bytes.
 */
#include "include/blkback/blkback.h"

uint32_t bb_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (unsigned int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}
