/*
 * Symbol lookup for crash reports. The table is generated from the
 * first link of the image and linked into the second (tools/symbols.py).
 */
#include <xen/lib.h>
#include <xen/symbols.h>
#include <asm/layout.h>

extern const uint64_t symbols_nr;
extern const uint32_t symbols_offsets[];
extern const uint32_t symbols_names_idx[];
extern const char symbols_names[];
extern const char __text_end[];

/* The last symbol at or below offset (binary search), or -1. */
static long symbols_find(uint64_t offset)
{
	long lo = 0, hi = (long)symbols_nr - 1, found = -1;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;

		if (symbols_offsets[mid] <= offset) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found;
}

const char *symbols_lookup(uint64_t addr, uint64_t *offset, uint64_t *size)
{
	uint64_t text_end = (uint64_t)(uintptr_t)__text_end;
	uint64_t off = addr - XEN_VIRT_START, next;
	long i;

	if (addr < XEN_VIRT_START || addr >= text_end)
		return NULL;
	i = symbols_find(off);
	if (i < 0)
		return NULL;
	next = (uint64_t)(i + 1) < symbols_nr ? symbols_offsets[i + 1]
					      : text_end - XEN_VIRT_START;
	*offset = off - symbols_offsets[i];
	*size = next - symbols_offsets[i];
	return &symbols_names[symbols_names_idx[i]];
}

int symbols_format(char *buf, size_t len, uint64_t addr, bool ret)
{
	uint64_t offset, size;
	const char *name = symbols_lookup(addr - ret, &offset, &size);

	if (!name)
		return fmt_snprintf(buf, len, "%016llx",
				    (unsigned long long)addr);
	return fmt_snprintf(
	    buf, len, "%016llx %s+%#llx/%#llx", (unsigned long long)addr, name,
	    (unsigned long long)(offset + ret), (unsigned long long)size);
}
