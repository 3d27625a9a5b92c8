/* Checks and command-line options for test domains (stub/check.h). */
#include <xen/string.h>
#include <stub/check.h>
#include <stub/stub.h>

static unsigned int check_passed, check_failed;

void stub_check(const char *what, long got, long want)
{
	if (got == want) {
		check_passed++;
		return;
	}
	check_failed++;
	printf("FAIL %s: got %ld, expected %ld\n", what, got, want);
}

void stub_check_report(const char *name)
{
	printf("%s: %u passed, %u failed\n", name, check_passed, check_failed);
}

unsigned int stub_checks_failed(void)
{
	return check_failed;
}

static const char *arg_find(const char *cmdline, const char *key)
{
	size_t n = strlen(key);

	for (; *cmdline; cmdline++)
		if (!strncmp(cmdline, key, n))
			return cmdline + n;
	return NULL;
}

bool stub_arg_has(const char *cmdline, const char *key)
{
	return arg_find(cmdline, key) != NULL;
}

unsigned int stub_arg_uint(const char *cmdline, const char *key)
{
	const char *p = arg_find(cmdline, key);
	unsigned int v = 0;

	for (; p && *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (unsigned int)(*p - '0');
	return v;
}

size_t stub_arg_word(const char *cmdline, const char *key, char *buf,
		     size_t size)
{
	const char *p = arg_find(cmdline, key);
	size_t n = 0;

	if (!size)
		return 0;
	while (p && p[n] && p[n] != ' ' && n + 1 < size) {
		buf[n] = p[n];
		n++;
	}
	buf[n] = '\0';
	return n;
}
