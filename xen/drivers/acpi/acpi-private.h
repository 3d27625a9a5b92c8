/* What the ACPI table parsers share: the table header and its checks. */
#ifndef ACPI_PRIVATE_H
#define ACPI_PRIVATE_H

#include <xen/acpi.h>

/* The header every table (but the RSDP) starts with. */
struct acpi_header {
	char sig[4];
	uint32_t length; /* of the whole table, header included */
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __packed;

#define ACPI_HEADER_SIZE   36
#define ACPI_TABLE_LEN_MAX (1u << 20) /* a sane limit, firmware or not */

/*
 * A table whose header, length and checksum were checked: hdr is a copy
 * of its header, the one to use; data maps hdr.length bytes.
 */
struct acpi_table_ref {
	paddr_t pa;
	struct acpi_header hdr;
	const uint8_t *data;
};

/* The sum of len bytes at p, mod 256. */
uint8_t acpi_sum(const void *p, size_t len);

/* Copy n bytes of firmware text to out[n + 1], unprintables as '?'. */
void acpi_text_copy(char *out, const char *in, size_t n);

/*
 * Map the table at pa into *t and check it. 0, or -EINVAL after one
 * warning naming it; t->hdr is then a copy of what header there was
 * (zeroes when it could not be read).
 */
int acpi_table_get(paddr_t pa, struct acpi_table_ref *t);

/* Warn about the table t: "ACPI: <sig> at <address>: <message>". */
void acpi_table_warn(const struct acpi_table_ref *t, const char *fmt, ...)
    __printf(2, 3);

/*
 * The parsers of the tables acpi_parse() reads, called with a checked
 * table: 0, or -EINVAL after one warning when the table is unusable.
 */
int acpi_madt_parse(struct acpi_info *ai, const struct acpi_table_ref *t);
int acpi_mcfg_parse(struct acpi_info *ai, const struct acpi_table_ref *t);
int acpi_hpet_parse(struct acpi_info *ai, const struct acpi_table_ref *t);
int acpi_dmar_parse(struct acpi_info *ai, const struct acpi_table_ref *t);

/* For printing a physical address with %llx. */
static inline unsigned long long acpi_pa(paddr_t pa)
{
	return paddr_x(pa);
}

#endif
