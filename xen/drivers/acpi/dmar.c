/*
 * The DMAR: the Intel IOMMU (VT-d) description: its header, then
 * remapping structures, each a type and a length. The remapping units
 * (DRHD) and reserved memory regions (RMRR) are copied out with their
 * device scopes; other structures are skipped. A structure whose length
 * is impossible ends the walk with a warning: what came before stays.
 */
#include <xen/acpi.h>
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/string.h>

#include "acpi-private.h"

#define ACPI_DMAR_LEN_MIN 48
#define ACPI_DMAR_HAW_MAX 64 /* bits */

/* What follows the header; the remapping structures come next. */
struct acpi_dmar_body {
	uint8_t haw; /* host address width minus one */
	uint8_t flags;
	uint8_t reserved[10];
} __packed;

BUILD_BUG_ON(ACPI_HEADER_SIZE + sizeof(struct acpi_dmar_body) !=
	     ACPI_DMAR_LEN_MIN);

#define DMAR_DRHD	      0
#define DMAR_RMRR	      1
#define DMAR_DRHD_LEN	      16 /* up to its device scopes */
#define DMAR_RMRR_LEN	      24
#define DMAR_SCOPE_LEN	      6 /* up to its path */
#define DMAR_DRHD_INCLUDE_ALL 0x01

static uint16_t dmar_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint64_t dmar_u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/*
 * The device scopes in [p, end): only one-hop paths are recorded (a
 * device behind bridges is named by the bridge's bus numbers, which the
 * PCI code resolves); malformed ones end the list.
 */
static unsigned int dmar_scopes(const struct acpi_table_ref *t,
				const uint8_t *p, const uint8_t *end,
				struct acpi_dmar_scope *out)
{
	unsigned int n = 0;

	while (end - p >= DMAR_SCOPE_LEN) {
		uint8_t len = p[1];

		if (len < DMAR_SCOPE_LEN + 2 || len > end - p) {
			acpi_table_warn(t, "device scope length %u, ignored",
					len);
			break;
		}
		if (n < ACPI_DMAR_SCOPES_MAX && len == DMAR_SCOPE_LEN + 2) {
			out[n].type = p[0];
			out[n].bus = p[5];
			out[n].devfn = (uint8_t)(p[6] << 3 | (p[7] & 7));
			n++;
		}
		p += len;
	}
	return n;
}

static void dmar_drhd(struct acpi_info *ai, const struct acpi_table_ref *t,
		      const uint8_t *p, uint16_t len)
{
	struct acpi_drhd *u;

	if (len < DMAR_DRHD_LEN || ai->nr_drhd == ACPI_DRHD_MAX) {
		acpi_table_warn(t, "remapping unit %u skipped", ai->nr_drhd);
		return;
	}
	u = &ai->drhd[ai->nr_drhd++];
	u->include_all = p[4] & DMAR_DRHD_INCLUDE_ALL;
	u->segment = dmar_u16(p + 6);
	u->base = _paddr(dmar_u64(p + 8));
	u->nr_scopes = dmar_scopes(t, p + DMAR_DRHD_LEN, p + len, u->scopes);
}

static void dmar_rmrr(struct acpi_info *ai, const struct acpi_table_ref *t,
		      const uint8_t *p, uint16_t len)
{
	struct acpi_rmrr *r;

	if (len < DMAR_RMRR_LEN || ai->nr_rmrr == ACPI_RMRR_MAX) {
		acpi_table_warn(t, "reserved region %u skipped", ai->nr_rmrr);
		return;
	}
	r = &ai->rmrr[ai->nr_rmrr++];
	r->segment = dmar_u16(p + 6);
	r->base = _paddr(dmar_u64(p + 8));
	r->limit = _paddr(dmar_u64(p + 16));
	r->nr_scopes = dmar_scopes(t, p + DMAR_RMRR_LEN, p + len, r->scopes);
}

static void dmar_structures(struct acpi_info *ai,
			    const struct acpi_table_ref *t)
{
	const uint8_t *p = t->data + ACPI_DMAR_LEN_MIN;
	const uint8_t *end = t->data + t->hdr.length;

	while (end - p >= 4) {
		uint16_t type = dmar_u16(p), len = dmar_u16(p + 2);

		if (len < 4 || len > end - p) {
			acpi_table_warn(t,
					"structure of length %u at offset "
					"%u: the rest is ignored",
					len, (unsigned int)(p - t->data));
			return;
		}
		if (type == DMAR_DRHD)
			dmar_drhd(ai, t, p, len);
		else if (type == DMAR_RMRR)
			dmar_rmrr(ai, t, p, len);
		p += len;
	}
}

/*
 * Check and remember the DMAR t: rejected when shorter than 48 bytes or
 * with an address width beyond 64 bits. Only the first DMAR counts.
 */
int acpi_dmar_parse(struct acpi_info *ai, const struct acpi_table_ref *t)
{
	struct acpi_dmar_body b;

	if (ai->have_dmar) {
		acpi_table_warn(t, "a second DMAR, ignored");
		return 0;
	}
	if (t->hdr.length < ACPI_DMAR_LEN_MIN) {
		acpi_table_warn(t, "length %u too short, skipped",
				t->hdr.length);
		return -EINVAL;
	}
	memcpy(&b, t->data + ACPI_HEADER_SIZE, sizeof(b));
	if (b.haw >= ACPI_DMAR_HAW_MAX) {
		acpi_table_warn(t, "host address width %u bits, skipped",
				b.haw + 1);
		return -EINVAL;
	}
	ai->have_dmar = true;
	ai->dmar_addr = t->pa;
	ai->dmar_length = t->hdr.length;
	ai->dmar_haw = b.haw + 1;
	ai->dmar_flags = b.flags;
	dmar_structures(ai, t);
	return 0;
}
