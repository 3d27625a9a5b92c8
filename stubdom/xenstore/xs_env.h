/*
 * What the xenstore core needs from its environment, and nothing more:
 * the stubdom glue implements these with its allocator and console, the
 * host tests with the C library. The core itself uses only the string
 * functions of <xen/string.h> and fmt_snprintf() besides.
 */
#ifndef XS_ENV_H
#define XS_ENV_H

#include <stddef.h>

/*
 * The largest block the core ever asks xs_malloc() for: the stubdom
 * allocator serves at most this much from one page. Anything bigger
 * (values, request bodies, output) is kept in pieces.
 */
#define XS_ALLOC_MAX 4080

/* Returns NULL when out of memory; never called with size > XS_ALLOC_MAX. */
void *xs_malloc(size_t size);
void xs_free(void *p);

/* One line of log, without the trailing newline. */
void xs_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* XS_ENV_H */
