/*
 * Finding the ACPI tables: the RSDP, the RSDT or XSDT it points to, and
 * the tables those list. Each header is copied out of firmware memory
 * and checked (length, mapping, checksum) before a parser sees a table.
 */
#include <xen/acpi.h>
#include <xen/arch.h>
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/string.h>

#include "acpi-private.h"

#define ACPI_RSDP_V1_SIZE    20
#define ACPI_RSDP_V2_SIZE    36
#define ACPI_RSDP_LEN_MAX    4096
#define ACPI_RSDP_SEARCH_MAX (1u << 20)

/* Root System Description Pointer; revision >= 2 has all of it. */
struct acpi_rsdp {
	char sig[8];
	uint8_t checksum; /* over the first 20 bytes */
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum; /* over length bytes */
	uint8_t reserved[3];
} __packed;

BUILD_BUG_ON(sizeof(struct acpi_rsdp) != ACPI_RSDP_V2_SIZE);
BUILD_BUG_ON(sizeof(struct acpi_header) != ACPI_HEADER_SIZE);

/* The tables acpi_parse() reads; the others are only listed. */
static const struct {
	const char *sig;
	int (*parse)(struct acpi_info *ai, const struct acpi_table_ref *t);
} acpi_parsers[] = {
	{ "APIC", acpi_madt_parse },
	{ "MCFG", acpi_mcfg_parse },
	{ "HPET", acpi_hpet_parse },
	{ "DMAR", acpi_dmar_parse },
};

/* The byte sum that a good table or RSDP has 0 for. */
uint8_t acpi_sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

/* Firmware text made printable and terminated. */
void acpi_text_copy(char *out, const char *in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7f ? in[i] : '?';
	out[n] = '\0';
}

/* One warning about a table, named by signature and address. */
void acpi_table_warn(const struct acpi_table_ref *t, const char *fmt, ...)
{
	char sig[5], why[128];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	acpi_text_copy(sig, t->hdr.sig, sizeof(t->hdr.sig));
	log_warn("ACPI: %s at %#llx: %s\n", sig, acpi_pa(t->pa), why);
}

static int acpi_rsdp_bad(paddr_t pa, const char *why)
{
	log_warn("ACPI: RSDP at %#llx: %s\n", acpi_pa(pa), why);
	return -EINVAL;
}

/* The part revision 2 added, and the checksum over the whole length. */
static int acpi_rsdp_read_ext(paddr_t pa, struct acpi_rsdp *r)
{
	const uint8_t *p = arch_phys_map(pa, ACPI_RSDP_V2_SIZE);
	uint8_t sum;

	if (!p)
		return acpi_rsdp_bad(pa, "runs past mapped memory");
	memcpy((uint8_t *)r + ACPI_RSDP_V1_SIZE, p + ACPI_RSDP_V1_SIZE,
	       ACPI_RSDP_V2_SIZE - ACPI_RSDP_V1_SIZE);
	if (r->length < ACPI_RSDP_V2_SIZE || r->length > ACPI_RSDP_LEN_MAX)
		return acpi_rsdp_bad(pa, "bad length");
	p = arch_phys_map(pa, r->length);
	if (!p)
		return acpi_rsdp_bad(pa, "runs past mapped memory");
	sum = acpi_sum(r, ACPI_RSDP_V2_SIZE) +
	      acpi_sum(p + ACPI_RSDP_V2_SIZE, r->length - ACPI_RSDP_V2_SIZE);
	if (sum)
		return acpi_rsdp_bad(pa, "bad extended checksum");
	return 0;
}

/*
 * Copy and check the RSDP at pa: -ENOENT, quietly, when there is no
 * signature there (a search tries every paragraph), -EINVAL after a
 * warning when there is one but the rest is broken.
 */
static int acpi_rsdp_read(paddr_t pa, struct acpi_rsdp *r)
{
	const uint8_t *p = arch_phys_map(pa, ACPI_RSDP_V1_SIZE);

	memset(r, 0, sizeof(*r));
	if (!p)
		return -ENOENT;
	memcpy(r, p, ACPI_RSDP_V1_SIZE);
	if (memcmp(r->sig, "RSD PTR ", sizeof(r->sig)))
		return -ENOENT;
	if (acpi_sum(r, ACPI_RSDP_V1_SIZE))
		return acpi_rsdp_bad(pa, "bad checksum");
	if (r->revision < 2)
		return 0;
	return acpi_rsdp_read_ext(pa, r);
}

/* Try each paragraph of the area, as the BIOS areas are searched. */
int acpi_find_rsdp(paddr_t start, uint64_t len, paddr_t *rsdp)
{
	uint64_t off = (16 - (paddr_x(start) & 15)) & 15;
	struct acpi_rsdp r;

	if (len > ACPI_RSDP_SEARCH_MAX)
		len = ACPI_RSDP_SEARCH_MAX;
	if (len > ~paddr_x(start)) /* the area may not wrap around */
		len = ~paddr_x(start);
	for (; off < len && len - off >= ACPI_RSDP_V1_SIZE; off += 16) {
		if (!acpi_rsdp_read(paddr_add(start, off), &r)) {
			*rsdp = paddr_add(start, off);
			return 0;
		}
	}
	return -ENOENT;
}

/* Copy the header out, then check the length, mapping and checksum. */
int acpi_table_get(paddr_t pa, struct acpi_table_ref *t)
{
	const uint8_t *p = arch_phys_map(pa, ACPI_HEADER_SIZE);
	uint32_t len;

	memset(t, 0, sizeof(*t));
	t->pa = pa;
	if (!p) {
		log_warn("ACPI: table at %#llx is not in mapped memory\n",
			 acpi_pa(pa));
		return -EINVAL;
	}
	memcpy(&t->hdr, p, ACPI_HEADER_SIZE);
	len = t->hdr.length;
	if (len < ACPI_HEADER_SIZE || len > ACPI_TABLE_LEN_MAX) {
		acpi_table_warn(t, "length %u out of range, skipped", len);
		return -EINVAL;
	}
	p = arch_phys_map(pa, len);
	if (!p) {
		acpi_table_warn(t, "runs past mapped memory, skipped");
		return -EINVAL;
	}
	if ((uint8_t)(acpi_sum(&t->hdr, ACPI_HEADER_SIZE) +
		      acpi_sum(p + ACPI_HEADER_SIZE, len - ACPI_HEADER_SIZE))) {
		acpi_table_warn(t, "bad checksum, skipped");
		return -EINVAL;
	}
	t->data = p;
	return 0;
}

/* Parse t if it is a table we read: 0 when good or not ours. */
static int acpi_table_parse(struct acpi_info *ai,
			    const struct acpi_table_ref *t)
{
	for (size_t i = 0; i < ARRAY_SIZE(acpi_parsers); i++)
		if (!memcmp(t->hdr.sig, acpi_parsers[i].sig, 4))
			return acpi_parsers[i].parse(ai, t);
	return 0;
}

/* Check the table at pa, parse it when it is one we read, list it. */
static void acpi_table_add(struct acpi_info *ai, paddr_t pa)
{
	struct acpi_table_ref t;
	bool valid = !acpi_table_get(pa, &t) && !acpi_table_parse(ai, &t);
	struct acpi_table *e;

	if (ai->nr_tables == ACPI_TABLES_MAX) {
		ai->tables_dropped++;
		return;
	}
	e = &ai->tables[ai->nr_tables++];
	acpi_text_copy(e->sig, t.hdr.sig, sizeof(t.hdr.sig));
	e->addr = pa;
	e->length = t.hdr.length;
	e->valid = valid;
}

/* The RSDT or XSDT at pa, checked to be one. */
static int acpi_root_get(paddr_t pa, const char *sig, struct acpi_table_ref *t)
{
	if (acpi_table_get(pa, t))
		return -EINVAL;
	if (memcmp(t->hdr.sig, sig, 4)) {
		acpi_table_warn(t, "not an %s, skipped", sig);
		return -EINVAL;
	}
	return 0;
}

/* The XSDT when the RSDP has one and it checks out, else the RSDT. */
static int acpi_root_choose(struct acpi_info *ai, const struct acpi_rsdp *r,
			    struct acpi_table_ref *root)
{
	if (r->revision >= 2 && r->xsdt) {
		if (!acpi_root_get(_paddr(r->xsdt), "XSDT", root)) {
			ai->root_is_xsdt = true;
			ai->root_addr = root->pa;
			return 0;
		}
		log_info("ACPI: XSDT unusable, trying the RSDT\n");
	}
	if (!r->rsdt || acpi_root_get(_paddr(r->rsdt), "RSDT", root)) {
		log_warn("ACPI: RSDP at %#llx: no usable RSDT or XSDT\n",
			 acpi_pa(ai->rsdp));
		return -EINVAL;
	}
	ai->root_addr = root->pa;
	return 0;
}

/* Entry i of the root: a 32-bit (RSDT) or 64-bit (XSDT) address. */
static paddr_t acpi_root_entry(const struct acpi_table_ref *root, bool xsdt,
			       uint32_t i)
{
	const uint8_t *p = root->data + ACPI_HEADER_SIZE;
	uint32_t a32;
	uint64_t a64;

	if (xsdt) {
		memcpy(&a64, p + (size_t)i * sizeof(a64), sizeof(a64));
		return _paddr(a64);
	}
	memcpy(&a32, p + (size_t)i * sizeof(a32), sizeof(a32));
	return _paddr(a32);
}

static void acpi_root_walk(struct acpi_info *ai,
			   const struct acpi_table_ref *root)
{
	uint32_t size = ai->root_is_xsdt ? 8 : 4;
	uint32_t body = root->hdr.length - ACPI_HEADER_SIZE;

	if (body % size)
		acpi_table_warn(root, "%u trailing bytes ignored", body % size);
	for (uint32_t i = 0; i < body / size; i++) {
		paddr_t pa = acpi_root_entry(root, ai->root_is_xsdt, i);

		if (paddr_x(pa))
			acpi_table_add(ai, pa);
		else
			acpi_table_warn(root, "entry %u is 0, skipped", i);
	}
	if (ai->tables_dropped)
		log_warn("ACPI: %u tables beyond the first %u not listed\n",
			 ai->tables_dropped, ACPI_TABLES_MAX);
}

/* The RSDP, then its root table, then every table the root lists. */
int acpi_parse(struct acpi_info *ai, paddr_t rsdp)
{
	struct acpi_table_ref root;
	struct acpi_rsdp r;
	int rc;

	memset(ai, 0, sizeof(*ai));
	ai->rsdp = rsdp;
	rc = acpi_rsdp_read(rsdp, &r);
	if (rc == -ENOENT)
		log_warn("ACPI: no RSDP at %#llx\n", acpi_pa(rsdp));
	if (rc)
		return -EINVAL;
	ai->revision = r.revision;
	acpi_text_copy(ai->oem_id, r.oem_id, sizeof(r.oem_id));
	if (acpi_root_choose(ai, &r, &root))
		return -EINVAL;
	acpi_root_walk(ai, &root);
	return 0;
}
