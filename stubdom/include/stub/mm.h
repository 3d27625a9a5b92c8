/* Memory in a small domain: its free pages, and malloc on top of them. */
#ifndef STUB_MM_H
#define STUB_MM_H

#include <stddef.h>

/*
 * The domain's frames after its boot area (start_info's pt_base +
 * nr_pt_frames pages, up to nr_pages), mapped at consecutive addresses.
 */
void stub_mm_init(void);
/* A zeroed page, or NULL when none is left. */
void *stub_alloc_page(void);
void stub_free_page(void *p);

/* First-fit, 16-byte aligned blocks from pages; NULL when out. */
void *malloc(size_t size);
void free(void *p);
/*
 * Between this domain's addresses (its image and memory, mapped from 4
 * MiB on) and machine frames: through the p2m list in start_info.
 * stub_mfn_to_virt() is NULL for a frame that is not ours.
 */
unsigned long stub_virt_to_mfn(const void *p);
void *stub_mfn_to_virt(unsigned long mfn);

/* Pages not handed out (for tests). */
unsigned long stub_free_pages(void);

#endif
