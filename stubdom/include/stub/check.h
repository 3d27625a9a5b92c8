/*
 * For test domains: checks that count, and their command-line options.
 * A check that fails prints "FAIL <what>: got G, expected W"; the test
 * ends with stub_check_report("<name>"), "<name>: N passed, M failed".
 */
#ifndef STUB_CHECK_H
#define STUB_CHECK_H

#include <stdbool.h>
#include <stddef.h>

void stub_check(const char *what, long got, long want);
void stub_check_report(const char *name);
unsigned int stub_checks_failed(void);

/* "key" somewhere in cmdline; the decimal number after "key" (0). */
bool stub_arg_has(const char *cmdline, const char *key);
unsigned int stub_arg_uint(const char *cmdline, const char *key);
/* The word after "key" (up to a space) into buf, "" if none; its length. */
size_t stub_arg_word(const char *cmdline, const char *key, char *buf,
		     size_t size);

#endif
