/*
 * Boot self-tests (CONFIG_SELFTEST): the host unit tests check this code
 * as the host compiler builds it; these check it as built freestanding
 * for the hypervisor, where a wrong flag or a missing builtin shows.
 */
#include <xen/kernel.h>
#include <xen/lib.h>
#include <xen/string.h>

struct fmt_case {
	const char *expect;
	int (*run)(char *buf, size_t size);
};

static int fmt_case_ints(char *buf, size_t size)
{
	return fmt_snprintf(buf, size, "%d %u %x %5.3d|%-4d|", -42, 42u,
			    0xbeefu, 7, 3);
}

static int fmt_case_wide(char *buf, size_t size)
{
	return fmt_snprintf(buf, size, "%llx %zu %#lx", 0xffff82d040000000ull,
			    (size_t)4096, 0x10ul);
}

static int fmt_case_strings(char *buf, size_t size)
{
	return fmt_snprintf(buf, size, "%s|%.2s|%c|%%", "abc", "xyz", 'q');
}

static const struct fmt_case fmt_cases[] = {
	{ "-42 42 beef   007|3   |", fmt_case_ints },
	{ "ffff82d040000000 4096 0x10", fmt_case_wide },
	{ "abc|xy|q|%", fmt_case_strings },
};

static bool selftest_fmt(const struct fmt_case *c)
{
	char buf[64];
	int n = c->run(buf, sizeof(buf));

	return n == (int)strlen(c->expect) && !strcmp(buf, c->expect);
}

static bool selftest_string(void)
{
	char a[32], b[32];

	memset(a, 'x', sizeof(a));
	memcpy(b, a, sizeof(b));
	memmove(a + 1, a, 8);
	return !memcmp(a, b, sizeof(a)) && strlen("citadel") == 7 &&
	       strncmp("abc", "abd", 2) == 0 && strcmp("abc", "abd") < 0 &&
	       strchr("a=b", '=') != NULL && strnlen("abcdef", 3) == 3;
}

void kernel_selftest(void)
{
	unsigned int failed = 0, i;

	for (i = 0; i < ARRAY_SIZE(fmt_cases); i++)
		if (!selftest_fmt(&fmt_cases[i])) {
			log_err("self-test: format case %u failed\n", i);
			failed++;
		}
	if (!selftest_string()) {
		log_err("self-test: string functions failed\n");
		failed++;
	}
	if (failed)
		panic("%u boot self-test(s) failed", failed);
	log_info("Self-tests: %zu passed\n", ARRAY_SIZE(fmt_cases) + 1);
}
