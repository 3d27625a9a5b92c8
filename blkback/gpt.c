/*
 * Finding a vbd's partition in a namespace's GUID partition table
 * (UEFI 2.x, chapter 5): the protective MBR, the primary header and its
 * entry array, all from the first bytes of the namespace.
 *
 * Everything on the disk is checked before it is used: signatures, both
 * CRC32s, the header's own position, the usable range inside the
 * namespace, the entry array between the header and the usable range,
 * and the partition inside the usable range. A table that fails any
 * check is refused with the name of the check; a vbd never lands on
 * sectors a broken table points at. The backup header at the end of the
 * namespace is not read: a damaged primary is an error to repair, not
 * something to work around here.
 */
#include <xen/ctype.h>
#include <xen/string.h>
#include "include/blkback/blkback.h"

#define MBR_SIG_OFF   510
#define MBR_PART_OFF  446
#define MBR_PARTS     4
#define MBR_TYPE_GPT  0xee
#define GPT_HDR_MIN   92
#define GPT_ENTRY_MIN 128
#define GPT_NAME_OFF  56

struct gpt_hdr {
	uint32_t size;
	uint64_t first_usable, last_usable, entries_lba;
	uint32_t nentries, entry_size, entries_crc;
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static bool mbr_protective(const uint8_t *mbr)
{
	if (mbr[MBR_SIG_OFF] != 0x55 || mbr[MBR_SIG_OFF + 1] != 0xaa)
		return false;
	for (unsigned int i = 0; i < MBR_PARTS; i++)
		if (mbr[MBR_PART_OFF + 16 * i + 4] == MBR_TYPE_GPT)
			return true;
	return false;
}

/* The header at LBA 1, checked on its own: 0, or -XEN_EINVAL and *why. */
static int hdr_read(const uint8_t *p, uint32_t bs, uint64_t ns_blocks,
		    struct gpt_hdr *h, const char **why)
{
	static const uint8_t zero_crc[4];
	uint32_t crc;

	*why = "no GPT header signature at LBA 1";
	if (memcmp(p, "EFI PART", 8))
		return -XEN_EINVAL;
	*why = "GPT header: unknown revision or size";
	h->size = le32(p + 12);
	if (le32(p + 8) >> 16 != 1 || h->size < GPT_HDR_MIN || h->size > bs)
		return -XEN_EINVAL;
	*why = "GPT header: CRC32 mismatch";
	/* Over the header with its own CRC field taken as zero. */
	crc = bb_crc32(0, p, 16);
	crc = bb_crc32(crc, zero_crc, 4);
	crc = bb_crc32(crc, p + 20, h->size - 20);
	if (crc != le32(p + 16))
		return -XEN_EINVAL;
	*why = "GPT header: not the primary (its LBA is not 1)";
	if (le64(p + 24) != 1)
		return -XEN_EINVAL;
	h->first_usable = le64(p + 40);
	h->last_usable = le64(p + 48);
	h->entries_lba = le64(p + 72);
	h->nentries = le32(p + 80);
	h->entry_size = le32(p + 84);
	h->entries_crc = le32(p + 88);
	*why = "GPT header: usable range outside the namespace";
	if (h->first_usable < 2 || h->first_usable > h->last_usable ||
	    h->last_usable >= ns_blocks)
		return -XEN_EINVAL;
	*why = "GPT header: entry size or count out of range";
	if (h->entry_size < GPT_ENTRY_MIN || h->entry_size % 8 ||
	    h->entry_size > BB_PAGE_SIZE || !h->nentries ||
	    h->nentries > BB_GPT_MAX_ENTRIES)
		return -XEN_EINVAL;
	*why = "GPT header: entry array not between header and usable range";
	if (h->entries_lba < 2 || h->entries_lba >= h->first_usable ||
	    ((uint64_t)h->nentries * h->entry_size + bs - 1) / bs >
		h->first_usable - h->entries_lba)
		return -XEN_EINVAL;
	return 0;
}

static bool entry_used(const uint8_t *e)
{
	static const uint8_t zero[BB_GPT_GUID_LEN];

	return memcmp(e, zero, BB_GPT_GUID_LEN) != 0;
}

/* An ASCII name against the entry's UTF-16LE one (NUL or full length). */
static bool name_eq(const uint8_t *e, const char *name)
{
	const uint8_t *u = e + GPT_NAME_OFF;
	unsigned int i;

	for (i = 0; i < BB_GPT_NAME_CHARS && name[i]; i++)
		if (u[2 * i] != (uint8_t)name[i] || u[2 * i + 1])
			return false;
	if (name[i])
		return false;
	return i == BB_GPT_NAME_CHARS || (!u[2 * i] && !u[2 * i + 1]);
}

static bool key_eq(const uint8_t *e, unsigned int n,
		   const struct bb_gpt_key *key)
{
	switch (key->by) {
	case BB_GPT_BY_NUMBER:
		return n == key->number;
	case BB_GPT_BY_GUID:
		return !memcmp(e + BB_GPT_GUID_LEN, key->guid, BB_GPT_GUID_LEN);
	case BB_GPT_BY_NAME:
		return key->name && name_eq(e, key->name);
	}
	return false;
}

/* The one used entry key names: its index, or -XEN_ENOENT/-XEN_EINVAL. */
static int entry_find(const uint8_t *ents, const struct gpt_hdr *h,
		      const struct bb_gpt_key *key, const char **why)
{
	int found = -XEN_ENOENT;

	*why = "no such partition";
	for (unsigned int i = 0; i < h->nentries; i++) {
		const uint8_t *e = ents + (size_t)i * h->entry_size;

		if (!entry_used(e) || !key_eq(e, i + 1, key))
			continue;
		if (found >= 0) {
			*why = "more than one partition matches";
			return -XEN_EINVAL;
		}
		found = (int)i;
	}
	return found;
}

static int part_fill(const uint8_t *e, unsigned int i, uint32_t bs,
		     const struct gpt_hdr *h, struct bb_gpt_part *part,
		     const char **why)
{
	uint64_t first = le64(e + 32), last = le64(e + 40);
	uint64_t f = bs / BB_SECTOR_SIZE;

	*why = "partition outside the usable range";
	if (first > last || first < h->first_usable || last > h->last_usable)
		return -XEN_EINVAL;
	memset(part, 0, sizeof(*part));
	part->number = i + 1;
	memcpy(part->type_guid, e, BB_GPT_GUID_LEN);
	memcpy(part->guid, e + BB_GPT_GUID_LEN, BB_GPT_GUID_LEN);
	part->first_lba = first;
	part->last_lba = last;
	part->start = first * f;
	part->sectors = (last - first + 1) * f;
	*why = NULL;
	return 0;
}

int bb_gpt_find(const void *buf, size_t len, uint32_t block_size,
		uint64_t ns_blocks, const struct bb_gpt_key *key,
		struct bb_gpt_part *part, const char **why)
{
	const uint8_t *p = buf;
	struct gpt_hdr h;
	size_t at, bytes;
	int rc, i;

	*why = "block size is not a power of two in 512..4096";
	if (block_size < BB_SECTOR_SIZE || block_size > BB_PAGE_SIZE ||
	    (block_size & (block_size - 1)))
		return -XEN_EINVAL;
	*why = "fewer bytes than the MBR and the header";
	if (len < 2 * (size_t)block_size)
		return -XEN_ERANGE;
	*why = "no protective MBR (boot signature, a type 0xee entry)";
	if (!mbr_protective(p))
		return -XEN_EINVAL;
	rc = hdr_read(p + block_size, block_size, ns_blocks, &h, why);
	if (rc)
		return rc;
	*why = "entry array past the bytes read";
	if (h.entries_lba > len / block_size)
		return -XEN_ERANGE;
	at = (size_t)h.entries_lba * block_size;
	bytes = (size_t)h.nentries * h.entry_size;
	if (bytes > len - at)
		return -XEN_ERANGE;
	*why = "GPT entry array: CRC32 mismatch";
	if (bb_crc32(0, p + at, bytes) != h.entries_crc)
		return -XEN_EINVAL;
	i = entry_find(p + at, &h, key, why);
	if (i < 0)
		return i;
	return part_fill(p + at + (size_t)i * h.entry_size, (unsigned int)i,
			 block_size, &h, part, why);
}

int bb_gpt_guid_parse(const char *s, uint8_t guid[BB_GPT_GUID_LEN])
{
	/* Text byte k goes to disk byte order[k]: the first three fields
	 * are little-endian on disk, the last two as written. */
	static const uint8_t order[BB_GPT_GUID_LEN] = { 3,  2,	1,  0, 5,  4,
							7,  6,	8,  9, 10, 11,
							12, 13, 14, 15 };
	uint8_t g[BB_GPT_GUID_LEN];
	unsigned int k = 0;

	for (unsigned int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		int hi, lo;

		if (dash) {
			if (s[i] != '-')
				return -XEN_EINVAL;
			continue;
		}
		hi = hex_digit_value(s[i]);
		lo = hi < 0 ? -1 : hex_digit_value(s[i + 1]);
		if (lo < 0)
			return -XEN_EINVAL;
		g[order[k++]] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	if (s[36])
		return -XEN_EINVAL;
	memcpy(guid, g, BB_GPT_GUID_LEN);
	return 0;
}
