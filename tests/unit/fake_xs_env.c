/* The xenstore core's environment for host programs: fake_xs_env.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../stubdom/xenstore/xs_env.h"
#include "fake_xs_env.h"

long live_blocks, oversized, fail_in = -1;
unsigned int log_lines;
char last_log[256];

void *xs_malloc(size_t size)
{
	if (size > XS_ALLOC_MAX)
		oversized++;
	if (fail_in == 0)
		return NULL;
	if (fail_in > 0)
		fail_in--;
	live_blocks++;
	return malloc(size ? size : 1);
}

void xs_free(void *p)
{
	if (p) {
		live_blocks--;
		free(p);
	}
}

void xs_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	log_lines++;
}
