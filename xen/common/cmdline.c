/*
 * The hypervisor command line: "name", "name=value" and "no-name" words
 * separated by spaces, matched against the options the linker collected.
 */
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/param.h>
#include <xen/string.h>

#define CMDLINE_WORD_MAX 256

extern const struct cmdline_param __start_cmdline_params[];
extern const struct cmdline_param __stop_cmdline_params[];

#define for_each_cmdline_param(p)                                    \
	for (const struct cmdline_param *p = __start_cmdline_params; \
	     p < __stop_cmdline_params; p++)

int param_parse_uint(const char *s, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

static int param_parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "1", "yes", "on", "true" };
	static const char *const no[] = { "0", "no", "off", "false" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcmp(v, yes[i]) || !strcmp(v, no[i])) {
			*out = !strcmp(v, yes[i]);
			return 0;
		}
	}
	return -EINVAL;
}

/* Apply one option; value is NULL for a bare word. */
static int param_apply(const struct cmdline_param *p, const char *value,
		       bool negated)
{
	uint64_t n;
	bool b = !negated;

	switch (p->type) {
	case PARAM_BOOL:
		if (value && (negated || param_parse_bool(value, &b) < 0))
			return -EINVAL;
		*p->to.b = b;
		return 0;
	case PARAM_UINT:
		if (!value || negated || param_parse_uint(value, &n) < 0 ||
		    n < p->min || n > p->max)
			return -EINVAL;
		*p->to.u = (unsigned int)n;
		return 0;
	case PARAM_CUSTOM:
		if (!value || negated)
			return -EINVAL;
		return p->to.parse(value);
	}
	return -EINVAL;
}

static const struct cmdline_param *param_find(const char *name)
{
	for_each_cmdline_param (p)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

/* Handle one word (modified in place). Returns 0 if it was applied. */
static int cmdline_word(char *word)
{
	char *eq = strchr(word, '=');
	const char *value = NULL;
	const struct cmdline_param *p;
	bool negated = false;

	if (eq) {
		*eq = '\0';
		value = eq + 1;
	}
	p = param_find(word);
	if (!p && !strncmp(word, "no-", 3)) {
		p = param_find(word + 3);
		negated = p != NULL;
	}
	if (!p) {
		log_warn("command line: unknown option '%s' ignored\n", word);
		return -ENOENT;
	}
	if (param_apply(p, value, negated) < 0) {
		log_warn("command line: bad value '%s' for option '%s' "
			 "ignored\n",
			 value ? value : "", p->name);
		return -EINVAL;
	}
	return 0;
}

unsigned int cmdline_parse(const char *cmdline)
{
	char word[CMDLINE_WORD_MAX];
	unsigned int ignored = 0;

	while (*cmdline) {
		size_t len = 0;

		while (*cmdline == ' ' || *cmdline == '\t')
			cmdline++;
		while (cmdline[len] && cmdline[len] != ' ' &&
		       cmdline[len] != '\t')
			len++;
		if (len == 0)
			break;
		if (len >= sizeof(word)) {
			log_warn("command line: option '%.32s...' longer than "
				 "%zu bytes ignored\n",
				 cmdline, sizeof(word) - 1);
			ignored++;
		} else {
			memcpy(word, cmdline, len);
			word[len] = '\0';
			ignored += cmdline_word(word) < 0;
		}
		cmdline += len;
	}
	return ignored;
}

const char *cmdline_skip_image(const char *cmdline, const char *loader)
{
	if (!strncmp(loader, "GRUB 2", 6))
		return cmdline;
	while (*cmdline == ' ')
		cmdline++;
	while (*cmdline && *cmdline != ' ')
		cmdline++;
	while (*cmdline == ' ')
		cmdline++;
	return cmdline;
}
