/*
 * Where a vbd lives, from what a disk and a domain config say: the GPT
 * at the start of a namespace (bb_gpt_find), a "target" string
 * (bb_target_parse) and a GUID's text (bb_gpt_guid_parse). The disk is
 * anybody's: a partition found must lie inside the table's usable range,
 * inside the namespace, and be the one the key names; nothing is read
 * past the bytes given. The input may ask for a table built from a few
 * fields, with valid signatures and CRCs, so the checks after them are
 * reached too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../blkback/include/blkback/blkback.h"
#include "fuzz.h"

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/*
 * A table laid out from a few fields of the input: protective MBR,
 * header, the rest of the input as its entry array, then both CRCs
 * (unless the input says to leave them wrong). Random bytes would
 * almost never get past the CRCs.
 */
static void build(struct fuzz_in *in, uint8_t *buf, size_t len, uint32_t bs,
		  bool bad_crc)
{
	uint8_t *h = buf + bs;
	uint64_t entries = fuzz_u8(in) % 8;
	uint32_t nent = fuzz_u8(in) + 1, esize = 128u << (fuzz_u8(in) % 3);
	uint64_t at = entries * bs;

	buf[510] = 0x55;
	buf[511] = 0xaa;
	buf[446 + 4] = 0xee;
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x00010000);
	put32(h + 12, 92);
	put64(h + 24, 1);
	put64(h + 40, fuzz_u16(in));
	put64(h + 48, fuzz_u32(in));
	put64(h + 72, entries);
	put32(h + 80, nent);
	put32(h + 84, esize);
	if (at < len)
		fuzz_bytes(in, buf + at, len - at);
	if (bad_crc)
		return;
	if (at < len && (uint64_t)nent * esize <= len - at)
		put32(h + 88, bb_crc32(0, buf + at, (size_t)nent * esize));
	put32(h + 16, bb_crc32(0, h, 92));
}

static void check_found(const uint8_t *buf, uint32_t bs, uint64_t ns_blocks,
			const struct bb_gpt_key *key,
			const struct bb_gpt_part *p)
{
	const uint8_t *h = buf + bs;
	uint64_t unit = bs / BB_SECTOR_SIZE;

	FUZZ_CHECK(p->first_lba >= get64(h + 40));
	FUZZ_CHECK(p->first_lba <= p->last_lba);
	FUZZ_CHECK(p->last_lba <= get64(h + 48));
	FUZZ_CHECK(p->last_lba < ns_blocks);
	FUZZ_CHECK(p->start == p->first_lba * unit);
	FUZZ_CHECK(p->sectors == (p->last_lba - p->first_lba + 1) * unit);
	FUZZ_CHECK(p->number >= 1);
	if (key->by == BB_GPT_BY_NUMBER)
		FUZZ_CHECK(p->number == key->number);
	if (key->by == BB_GPT_BY_GUID)
		FUZZ_CHECK(!memcmp(p->guid, key->guid, BB_GPT_GUID_LEN));
}

static void fuzz_table(struct fuzz_in *in)
{
	uint8_t f = fuzz_u8(in);
	uint32_t bs = f & 1 ? 4096 : 512;
	uint64_t ns_blocks = fuzz_u32(in);
	struct bb_gpt_key key = { .by = (enum bb_gpt_by)((f >> 1) % 3) };
	char name[BB_GPT_NAME_CHARS + 2];
	struct bb_gpt_part part;
	const char *why = NULL;
	uint8_t *buf;
	size_t len;
	int rc;

	key.number = fuzz_u8(in);
	fuzz_bytes(in, key.guid, sizeof(key.guid));
	fuzz_bytes(in, name, sizeof(name));
	name[sizeof(name) - 1] = 0;
	key.name = name;
	/*
	 * The disk's first bytes, in a buffer of exactly their length: the
	 * rest of the input as they are, or a table built from it.
	 */
	len = f & 8 ? (f & 16 ? BB_GPT_BYTES : fuzz_u16(in)) : in->len;
	buf = calloc(1, len ? len : 1);
	FUZZ_CHECK(buf);
	if (!(f & 8))
		fuzz_bytes(in, buf, len);
	else if (len >= (size_t)bs + 92)
		build(in, buf, len, bs, f & 32);
	rc = bb_gpt_find(buf, len, bs, ns_blocks, &key, &part, &why);
	if (rc == 0)
		check_found(buf, bs, ns_blocks, &key, &part);
	else
		FUZZ_CHECK(rc == -XEN_EINVAL || rc == -XEN_ENOENT ||
			   rc == -XEN_ERANGE);
	if (rc == -XEN_EINVAL)
		FUZZ_CHECK(why && *why);
	free(buf);
}

/* A config's strings: refused or taken whole, nothing read past the end. */
static void fuzz_strings(struct fuzz_in *in)
{
	size_t len = in->len;
	char *s = malloc(len + 1);
	struct bb_target t;
	uint8_t guid[BB_GPT_GUID_LEN];

	FUZZ_CHECK(s);
	fuzz_bytes(in, s, len);
	s[len] = 0;
	if (bb_target_parse(s, &t) == 0 && t.gpt)
		FUZZ_CHECK(t.part >= 1);
	(void)bb_gpt_guid_parse(s, guid);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	if (fuzz_u8(&in) & 1)
		fuzz_strings(&in);
	else
		fuzz_table(&in);
	return 0;
}
