/*
 * GNTTABOP_copy as the hypervisor answers it, for the fakes of targets
 * whose code copies through grants (blkback, netback): each side's page
 * comes from the target's page_of(), which checks that the side names
 * what the code may name and says which status a refused one gets.
 */
#ifndef FUZZ_FUZZ_GRANT_H
#define FUZZ_FUZZ_GRANT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <public/grant_table.h>

#define FUZZ_PAGE 4096

/* The page p names (write: as a destination), or NULL and *status. */
typedef uint8_t *(*fuzz_page_of)(const struct gnttab_copy_ptr *p, bool gref,
				 bool write, int16_t *status);

static inline int16_t fuzz_copy_side(fuzz_page_of page_of,
				     const struct gnttab_copy_ptr *p, bool gref,
				     bool write, uint16_t len, uint8_t **at)
{
	int16_t status = GNTST_general_error;
	uint8_t *page = page_of(p, gref, write, &status);

	if (!page)
		return status;
	if ((uint32_t)p->offset + len > FUZZ_PAGE)
		return GNTST_bad_copy_arg;
	*at = page + p->offset;
	return GNTST_okay;
}

static inline void fuzz_grant_copy(fuzz_page_of page_of,
				   struct gnttab_copy *ops, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct gnttab_copy *op = &ops[i];
		uint8_t *src = NULL, *dst = NULL;

		op->status = fuzz_copy_side(page_of, &op->source,
					    op->flags & GNTCOPY_source_gref,
					    false, op->len, &src);
		if (op->status == GNTST_okay)
			op->status = fuzz_copy_side(
			    page_of, &op->dest, op->flags & GNTCOPY_dest_gref,
			    true, op->len, &dst);
		if (op->status == GNTST_okay)
			memmove(dst, src, op->len);
	}
}

#endif
