/*
 * The domain configuration parser: xl.cfg syntax (see cfg.h) into a
 * struct dom_cfg. No allocation, no C library beyond <xen/string.h> and
 * fmt_snprintf(): it runs in the control domain as well as on the host.
 *
 * The text is checked for control characters and overlong lines first,
 * so the lexer and every message only ever see printable text, and an
 * error message is always one line.
 */
#include <xen/ctype.h>
#include <stdarg.h>
#include <xen/lib.h>
#include <xen/string.h>

#include "cfg.h"

/* Longest piece of the input quoted back in a message. */
#define CFG_SHOW     40
#define CFG_SHOWN(n) ((int)((n) < CFG_SHOW ? (n) : CFG_SHOW))

enum cfg_tok_kind {
	CFG_TOK_EOF,
	CFG_TOK_EOL,
	CFG_TOK_WORD, /* [A-Za-z0-9_]+: a key or a number */
	CFG_TOK_STR,  /* p/n: the text between the quotes */
	CFG_TOK_PUNCT,
};

struct cfg_tok {
	enum cfg_tok_kind kind;
	const char *p;
	size_t n;
	unsigned int line;
	uint64_t num; /* a number value, once converted */
};

enum cfg_vtype { CFG_NUM, CFG_STR, CFG_LIST };

struct cfg_parser;

/* set() takes the value, or for a list each of its strings in turn. */
struct cfg_key {
	const char *name;
	enum cfg_vtype type;
	int (*set)(struct cfg_parser *p, const struct cfg_tok *t);
};

#define CFG_NR_KEYS 19

struct cfg_parser {
	const char *file;
	const char *s;
	size_t len;
	size_t pos;
	unsigned int line;
	struct dom_cfg *cfg;
	char *err;
	size_t errlen;
	const struct cfg_key *key; /* the key whose value is being read */
	unsigned int key_line[CFG_NR_KEYS]; /* where given; 0: not yet */
	char what[48];			    /* cfg_what()'s text */
};

/* ---- Messages ---------------------------------------------------------- */

/* Write "<file>:<line>: <message>" (no line: "<file>: ...") and fail. */
static int cfg_fail(struct cfg_parser *p, unsigned int line, const char *fmt,
		    ...) __printf(3, 4);
static int cfg_fail(struct cfg_parser *p, unsigned int line, const char *fmt,
		    ...)
{
	va_list ap;
	int n;

	if (!p->errlen)
		return -1;
	if (line)
		n = fmt_snprintf(p->err, p->errlen, "%s:%u: ", p->file, line);
	else
		n = fmt_snprintf(p->err, p->errlen, "%s: ", p->file);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	fmt_vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* What a token is, for "expected X, got Y". */
static const char *cfg_what(struct cfg_parser *p, const struct cfg_tok *t)
{
	unsigned char c = t->n ? (unsigned char)t->p[0] : 0;

	switch (t->kind) {
	case CFG_TOK_EOF:
		return "end of file";
	case CFG_TOK_EOL:
		return "end of line";
	case CFG_TOK_STR:
		return "a string";
	case CFG_TOK_WORD:
		fmt_snprintf(p->what, sizeof(p->what), "'%.*s'",
			     CFG_SHOWN(t->n), t->p);
		return p->what;
	default:
		if (c > 0x20 && c < 0x7f)
			fmt_snprintf(p->what, sizeof(p->what), "'%c'", c);
		else
			fmt_snprintf(p->what, sizeof(p->what), "byte 0x%02x",
				     c);
		return p->what;
	}
}

/* ---- Characters and numbers -------------------------------------------- */

static bool cfg_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool cfg_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool cfg_is_word(char c)
{
	return cfg_is_alpha(c) || cfg_is_digit(c) || c == '_';
}

/* 1..max_digits hex digits, the whole of s[0..n). */
static bool cfg_hex(const char *s, size_t n, size_t max_digits, uint32_t *out)
{
	uint32_t v = 0;

	if (!n || n > max_digits)
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = hex_digit_value(s[i]);

		if (d < 0)
			return false;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return true;
}

/* Decimal digits, the whole of s[0..n), up to 9 of them (no overflow). */
static bool cfg_dec(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;

	if (!n || n > 9)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!cfg_is_digit(s[i]))
			return false;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

static bool cfg_eq(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && !memcmp(s, word, n);
}

/* s[0..n) without leading and trailing spaces. */
static void cfg_trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static void cfg_copy(char *dst, const char *s, size_t n)
{
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/*
 * A number token: decimal or 0x hex. A leading zero is refused rather
 * than read as octal (as xl's strtol would) or as decimal: either
 * reading would surprise someone.
 */
static int cfg_number(struct cfg_parser *p, struct cfg_tok *t)
{
	const char *s = t->p;
	unsigned int base = 10;
	uint64_t v = 0;
	size_t i = 0;

	if (t->n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (t->n > 1 && s[0] == '0' && cfg_is_digit(s[1])) {
		return cfg_fail(p, t->line,
				"%s: number '%.*s' has a leading zero (octal "
				"is not supported)",
				p->key->name, CFG_SHOWN(t->n), s);
	}
	if (i == t->n)
		goto bad;
	for (; i < t->n; i++) {
		int d = hex_digit_value(s[i]);

		if (d < 0 || (unsigned int)d >= base)
			goto bad;
		if (v > (UINT64_MAX - (unsigned int)d) / base)
			return cfg_fail(p, t->line,
					"%s: number '%.*s' is too large",
					p->key->name, CFG_SHOWN(t->n), s);
		v = v * base + (unsigned int)d;
	}
	t->num = v;
	return 0;
bad:
	return cfg_fail(p, t->line, "%s: '%.*s' is not a number", p->key->name,
			CFG_SHOWN(t->n), s);
}

/* The number in t if within lo..hi. */
static int cfg_range(struct cfg_parser *p, const struct cfg_tok *t, uint64_t lo,
		     uint64_t hi, unsigned int *out)
{
	if (t->num < lo || t->num > hi)
		return cfg_fail(p, t->line,
				"%s %llu is out of range (%llu-%llu)",
				p->key->name, (unsigned long long)t->num,
				(unsigned long long)lo, (unsigned long long)hi);
	*out = (unsigned int)t->num;
	return 0;
}

/* ---- Lexer ------------------------------------------------------------- */

/*
 * Refuse control characters (but tab, and CR before LF) and overlong
 * lines up front: strings cannot then smuggle a newline or a NUL into a
 * value or a message.
 */
static int cfg_check_text(struct cfg_parser *p)
{
	unsigned int line = 1;
	size_t col = 0;

	for (size_t i = 0; i < p->len; i++) {
		unsigned char c = (unsigned char)p->s[i];

		if (c == '\n') {
			line++;
			col = 0;
			continue;
		}
		if (c == '\r' && (i + 1 == p->len || p->s[i + 1] == '\n'))
			continue;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return cfg_fail(p, line, "control character 0x%02x", c);
		if (++col > CFG_LINE_MAX)
			return cfg_fail(p, line,
					"line is longer than %u characters",
					CFG_LINE_MAX);
	}
	return 0;
}

/* Spaces, tabs, the CR of CRLF and comments. */
static void cfg_skip_blank(struct cfg_parser *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];

		if (c == '#') {
			while (p->pos < p->len && p->s[p->pos] != '\n')
				p->pos++;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			p->pos++;
		} else {
			break;
		}
	}
}

/* A string in either quotes, on one line; printable ASCII only. */
static int cfg_lex_string(struct cfg_parser *p, struct cfg_tok *t)
{
	char quote = p->s[p->pos++];
	size_t start = p->pos;

	for (; p->pos < p->len && p->s[p->pos] != quote; p->pos++) {
		unsigned char c = (unsigned char)p->s[p->pos];

		if (c == '\n' || c == '\r')
			break;
		if (c < 0x20 || c >= 0x7f)
			return cfg_fail(p, t->line,
					"strings hold printable ASCII only");
	}
	if (p->pos == p->len || p->s[p->pos] != quote)
		return cfg_fail(p, t->line, "unterminated string");
	t->kind = CFG_TOK_STR;
	t->p = p->s + start;
	t->n = p->pos - start;
	p->pos++;
	return 0;
}

static int cfg_next(struct cfg_parser *p, struct cfg_tok *t)
{
	char c;

	cfg_skip_blank(p);
	t->line = p->line;
	t->p = p->s + p->pos;
	t->n = 1;
	if (p->pos == p->len) {
		t->kind = CFG_TOK_EOF;
		t->n = 0;
		return 0;
	}
	c = p->s[p->pos];
	if (c == '"' || c == '\'')
		return cfg_lex_string(p, t);
	if (cfg_is_word(c)) {
		t->kind = CFG_TOK_WORD;
		for (t->n = 0; p->pos < p->len && cfg_is_word(p->s[p->pos]);
		     p->pos++)
			t->n++;
		return 0;
	}
	p->pos++;
	t->kind = c == '\n' ? CFG_TOK_EOL : CFG_TOK_PUNCT;
	if (c == '\n')
		p->line++;
	return 0;
}

/* The next token that is not an end of line (lists span lines). */
static int cfg_next_in_list(struct cfg_parser *p, struct cfg_tok *t)
{
	do {
		if (cfg_next(p, t))
			return -1;
	} while (t->kind == CFG_TOK_EOL);
	return 0;
}

static bool cfg_is_punct(const struct cfg_tok *t, char c)
{
	return t->kind == CFG_TOK_PUNCT && t->p[0] == c;
}

/* ---- Scalar keys ------------------------------------------------------- */

/* A domain name: for name= and for the backend= of vifs and disks. */
static int cfg_name_value(struct cfg_parser *p, unsigned int line,
			  const char *what, const char *s, size_t n, char *dst)
{
	if (!n)
		return cfg_fail(p, line, "%s is empty", what);
	if (n > CFG_NAME_MAX)
		return cfg_fail(p, line,
				"%s '%.*s' is longer than %u characters", what,
				CFG_SHOWN(n), s, CFG_NAME_MAX);
	for (size_t i = 0; i < n; i++)
		if (!cfg_is_word(s[i]) && s[i] != '-')
			return cfg_fail(p, line,
					"%s '%.*s' may hold only letters, "
					"digits, '_' and '-'",
					what, CFG_SHOWN(n), s);
	cfg_copy(dst, s, n);
	return 0;
}

static int cfg_set_name(struct cfg_parser *p, const struct cfg_tok *t)
{
	return cfg_name_value(p, t->line, "name", t->p, t->n, p->cfg->name);
}

/* The image's file name in the boot bundle, which has no directories. */
static int cfg_set_kernel(struct cfg_parser *p, const struct cfg_tok *t)
{
	if (!t->n)
		return cfg_fail(p, t->line, "kernel is empty");
	if (t->n > CFG_KERNEL_MAX)
		return cfg_fail(p, t->line,
				"kernel '%.*s' is longer than %u characters",
				CFG_SHOWN(t->n), t->p, CFG_KERNEL_MAX);
	if (memchr(t->p, '/', t->n) || memchr(t->p, ' ', t->n))
		return cfg_fail(p, t->line,
				"kernel '%.*s' must be a file name in the boot "
				"bundle, without '/' or spaces",
				CFG_SHOWN(t->n), t->p);
	cfg_copy(p->cfg->kernel, t->p, t->n);
	return 0;
}

static int cfg_set_extra(struct cfg_parser *p, const struct cfg_tok *t)
{
	if (t->n > CFG_EXTRA_MAX)
		return cfg_fail(p, t->line,
				"extra is longer than %u characters",
				CFG_EXTRA_MAX);
	cfg_copy(p->cfg->extra, t->p, t->n);
	return 0;
}

static int cfg_set_memory(struct cfg_parser *p, const struct cfg_tok *t)
{
	unsigned int v = 0;

	if (cfg_range(p, t, 1, CFG_MEMORY_MAX, &v))
		return -1;
	p->cfg->memory_mib = v;
	return 0;
}

static int cfg_set_maxvcpus(struct cfg_parser *p, const struct cfg_tok *t)
{
	return cfg_range(p, t, 1, CFG_VCPUS_MAX, &p->cfg->maxvcpus);
}

static int cfg_set_vcpus(struct cfg_parser *p, const struct cfg_tok *t)
{
	return cfg_range(p, t, 1, CFG_VCPUS_MAX, &p->cfg->vcpus);
}

static int cfg_set_weight(struct cfg_parser *p, const struct cfg_tok *t)
{
	return cfg_range(p, t, 1, 65535, &p->cfg->weight);
}

/* Against maxvcpus once the whole file is read (cfg_finish()). */
static int cfg_set_cap(struct cfg_parser *p, const struct cfg_tok *t)
{
	return cfg_range(p, t, 0, 100 * CFG_VCPUS_MAX, &p->cfg->cap);
}

static int cfg_set_bool(struct cfg_parser *p, const struct cfg_tok *t,
			bool *out)
{
	unsigned int v = 0;

	if (cfg_range(p, t, 0, 1, &v))
		return -1;
	*out = v;
	return 0;
}

static int cfg_set_driver(struct cfg_parser *p, const struct cfg_tok *t)
{
	return cfg_set_bool(p, t, &p->cfg->driver_domain);
}

static int cfg_set_xenstore(struct cfg_parser *p, const struct cfg_tok *t)
{
	return cfg_set_bool(p, t, &p->cfg->xenstore_domain);
}

static int cfg_set_standby(struct cfg_parser *p, const struct cfg_tok *t)
{
	return cfg_set_bool(p, t, &p->cfg->standby);
}

/* Citadel builds PV domains only; xl's other types are refused. */
static int cfg_set_type(struct cfg_parser *p, const struct cfg_tok *t)
{
	if (!cfg_eq(t->p, t->n, "pv"))
		return cfg_fail(p, t->line,
				"type '%.*s' is not supported (only \"pv\")",
				CFG_SHOWN(t->n), t->p);
	return 0;
}

static int cfg_action(struct cfg_parser *p, const struct cfg_tok *t,
		      enum cfg_action *out)
{
	if (cfg_eq(t->p, t->n, "destroy"))
		*out = CFG_ACTION_DESTROY;
	else if (cfg_eq(t->p, t->n, "restart"))
		*out = CFG_ACTION_RESTART;
	else if (cfg_eq(t->p, t->n, "preserve"))
		*out = CFG_ACTION_PRESERVE;
	else
		return cfg_fail(p, t->line,
				"%s '%.*s' is not \"destroy\", \"restart\" or "
				"\"preserve\"",
				p->key->name, CFG_SHOWN(t->n), t->p);
	return 0;
}

static int cfg_set_on_crash(struct cfg_parser *p, const struct cfg_tok *t)
{
	return cfg_action(p, t, &p->cfg->on_crash);
}

static int cfg_set_on_poweroff(struct cfg_parser *p, const struct cfg_tok *t)
{
	return cfg_action(p, t, &p->cfg->on_poweroff);
}

static int cfg_set_on_reboot(struct cfg_parser *p, const struct cfg_tok *t)
{
	return cfg_action(p, t, &p->cfg->on_reboot);
}

/* ---- cpus: "all", or "0-3,5,^2" as xl reads it -------------------------- */

/* "N" or "N-M", N <= M < 64, into *lo..*hi. */
static bool cfg_cpu_range(const char *s, size_t n, uint32_t *lo, uint32_t *hi)
{
	const char *dash = memchr(s, '-', n);

	if (!dash) {
		if (!cfg_dec(s, n, lo))
			return false;
		*hi = *lo;
	} else if (!cfg_dec(s, (size_t)(dash - s), lo) ||
		   !cfg_dec(dash + 1, n - (size_t)(dash - s) - 1, hi)) {
		return false;
	}
	return *lo <= *hi;
}

/* One item of the list into *mask; a leading "^" takes CPUs away. */
static int cfg_cpus_item(struct cfg_parser *p, const struct cfg_tok *t,
			 const char *s, size_t n, bool first, uint64_t *mask)
{
	bool away;
	uint32_t lo, hi;

	cfg_trim(&s, &n);
	away = n && s[0] == '^';
	if (away && first)
		*mask = ~0ull; /* "^3" first: every CPU but 3 */
	if (!cfg_cpu_range(s + away, n - away, &lo, &hi))
		return cfg_fail(p, t->line,
				"cpus '%.*s' is not a CPU list like \"all\", "
				"\"0-3\" or \"0,2,5-7\"",
				CFG_SHOWN(t->n), t->p);
	if (hi >= CFG_CPUS_MAX)
		return cfg_fail(p, t->line,
				"cpus: CPU %u is out of range (0-%u)", hi,
				CFG_CPUS_MAX - 1);
	for (uint32_t c = lo; c <= hi; c++) {
		if (away)
			*mask &= ~(1ull << c);
		else
			*mask |= 1ull << c;
	}
	return 0;
}

static int cfg_set_cpus(struct cfg_parser *p, const struct cfg_tok *t)
{
	uint64_t mask = 0;
	size_t at = 0;

	if (cfg_eq(t->p, t->n, "all")) {
		p->cfg->cpus = ~0ull;
		return 0;
	}
	do {
		const char *comma = memchr(t->p + at, ',', t->n - at);
		size_t end = comma ? (size_t)(comma - t->p) : t->n;

		if (cfg_cpus_item(p, t, t->p + at, end - at, !at, &mask))
			return -1;
		at = end + 1;
	} while (at <= t->n);
	if (!mask)
		return cfg_fail(p, t->line, "cpus '%.*s' selects no CPU",
				CFG_SHOWN(t->n), t->p);
	p->cfg->cpus = mask;
	return 0;
}

/* ---- pci: [ "SSSS:BB:DD.F", "BB:DD.F" ] --------------------------------- */

/* "SSSS:BB:DD.F" or "BB:DD.F" (segment 0), hex, into an sbdf. */
static bool cfg_sbdf(const char *s, size_t n, uint32_t *sbdf)
{
	const char *dot = memchr(s, '.', n);
	const char *c2, *c1;
	uint32_t seg = 0, bus, dev, fn;

	if (!dot)
		return false;
	for (c2 = dot; c2 > s && c2[-1] != ':'; c2--)
		;
	if (c2 == s || !cfg_hex(c2, (size_t)(dot - c2), 2, &dev) ||
	    !cfg_hex(dot + 1, n - (size_t)(dot - s) - 1, 1, &fn) || dev > 31 ||
	    fn > 7)
		return false;
	c2--; /* the ':' before the device */
	for (c1 = c2; c1 > s && c1[-1] != ':'; c1--)
		;
	if (!cfg_hex(c1, (size_t)(c2 - c1), 2, &bus))
		return false;
	if (c1 > s && !cfg_hex(s, (size_t)(c1 - 1 - s), 4, &seg))
		return false;
	*sbdf = seg << 16 | bus << 8 | dev << 3 | fn;
	return true;
}

static int cfg_add_pci(struct cfg_parser *p, const struct cfg_tok *t)
{
	struct dom_cfg *cfg = p->cfg;
	const char *comma = memchr(t->p, ',', t->n);
	char buf[CFG_SBDF_STR_LEN];
	uint32_t sbdf;

	if (comma)
		return cfg_fail(
		    p, t->line, "pci: options are not supported ('%.*s')",
		    CFG_SHOWN(t->n - (size_t)(comma + 1 - t->p)), comma + 1);
	if (!cfg_sbdf(t->p, t->n, &sbdf))
		return cfg_fail(p, t->line,
				"pci: '%.*s' is not a PCI address "
				"(SSSS:BB:DD.F or BB:DD.F)",
				CFG_SHOWN(t->n), t->p);
	cfg_format_sbdf(sbdf, buf);
	for (unsigned int i = 0; i < cfg->nr_pci; i++)
		if (cfg->pci[i] == sbdf)
			return cfg_fail(p, t->line, "pci: %s is given twice",
					buf);
	if (cfg->nr_pci == CFG_PCI_MAX)
		return cfg_fail(p, t->line, "pci: more than %u devices",
				CFG_PCI_MAX);
	cfg->pci[cfg->nr_pci++] = sbdf;
	return 0;
}

/* ---- vif and disk specs: "key=value, key=value" -------------------------- */

struct cfg_item {
	const char *k, *v;
	size_t kn, vn;
	bool has_value;
};

/* The next comma-separated item of s[*at..n); false at the end. */
static bool cfg_next_item(const char *s, size_t n, size_t *at,
			  struct cfg_item *it)
{
	const char *start = s + *at, *comma, *eq;
	size_t len;

	if (*at > n)
		return false;
	comma = memchr(start, ',', n - *at);
	len = comma ? (size_t)(comma - start) : n - *at;
	*at += len + 1;
	eq = memchr(start, '=', len);
	it->k = start;
	it->kn = eq ? (size_t)(eq - start) : len;
	it->v = eq ? eq + 1 : start + len;
	it->vn = eq ? len - it->kn - 1 : 0;
	it->has_value = eq;
	cfg_trim(&it->k, &it->kn);
	cfg_trim(&it->v, &it->vn);
	return true;
}

/* An item's form: 1 for an empty one (skipped), -1 without '='. */
static int cfg_item_form(struct cfg_parser *p, unsigned int line,
			 const struct cfg_item *it)
{
	if (!it->kn && !it->has_value)
		return 1;
	if (!it->has_value || !it->kn)
		return cfg_fail(p, line, "%s: expected key=value, got '%.*s'",
				p->key->name, CFG_SHOWN(it->kn), it->k);
	return 0;
}

/* Each key once per spec: bit stands for it in *seen. */
static int cfg_item_once(struct cfg_parser *p, unsigned int line,
			 const struct cfg_item *it, unsigned int bit,
			 unsigned int *seen)
{
	if (*seen & bit)
		return cfg_fail(p, line, "%s: '%.*s' is given twice",
				p->key->name, CFG_SHOWN(it->kn), it->k);
	*seen |= bit;
	return 0;
}

/* xl's options that make no sense here, refused by name. */
static bool cfg_is_unsupported(const struct cfg_item *it,
			       const char *const *names)
{
	for (; *names; names++)
		if (cfg_eq(it->k, it->kn, *names))
			return true;
	return false;
}

static int cfg_unknown_item(struct cfg_parser *p, unsigned int line,
			    const struct cfg_item *it,
			    const char *const *unsupported)
{
	if (cfg_is_unsupported(it, unsupported))
		return cfg_fail(p, line, "%s: '%.*s' is not supported",
				p->key->name, CFG_SHOWN(it->kn), it->k);
	return cfg_fail(p, line, "%s: unknown option '%.*s'", p->key->name,
			CFG_SHOWN(it->kn), it->k);
}

/* "xx:xx:xx:xx:xx:xx", a unicast address. */
static int cfg_mac(struct cfg_parser *p, unsigned int line, const char *s,
		   size_t n, uint8_t mac[6])
{
	uint32_t b;

	for (unsigned int i = 0; i < 6; i++) {
		if (n != 17 || (i < 5 && s[3 * i + 2] != ':') ||
		    !cfg_hex(s + 3 * i, 2, 2, &b))
			return cfg_fail(p, line,
					"vif: mac '%.*s' is not a MAC address",
					CFG_SHOWN(n), s);
		mac[i] = (uint8_t)b;
	}
	if (mac[0] & 1)
		return cfg_fail(p, line,
				"vif: mac '%.*s' is a multicast address",
				CFG_SHOWN(n), s);
	return 0;
}

enum { CFG_VIF_MAC = 1, CFG_VIF_BACKEND = 2 };

static int cfg_vif_item(struct cfg_parser *p, unsigned int line,
			const struct cfg_item *it, struct cfg_vif *vif,
			unsigned int *seen)
{
	static const char *const unsupported[] = {
		"bridge", "ip",		"script", "type", "model", "vifname",
		"rate",	  "gatewaydev", "devid",  "mtu",  NULL,
	};

	if (cfg_eq(it->k, it->kn, "mac")) {
		if (cfg_item_once(p, line, it, CFG_VIF_MAC, seen) ||
		    cfg_mac(p, line, it->v, it->vn, vif->mac))
			return -1;
		vif->mac_set = true;
		return 0;
	}
	if (cfg_eq(it->k, it->kn, "backend")) {
		if (cfg_item_once(p, line, it, CFG_VIF_BACKEND, seen))
			return -1;
		return cfg_name_value(p, line, "vif: backend", it->v, it->vn,
				      vif->backend);
	}
	return cfg_unknown_item(p, line, it, unsupported);
}

static int cfg_add_vif(struct cfg_parser *p, const struct cfg_tok *t)
{
	struct cfg_vif vif = { 0 };
	struct cfg_item it;
	unsigned int seen = 0;
	size_t at = 0;
	int rc;

	if (p->cfg->nr_vifs == CFG_VIFS_MAX)
		return cfg_fail(p, t->line, "vif: more than %u vifs",
				CFG_VIFS_MAX);
	while (cfg_next_item(t->p, t->n, &at, &it)) {
		rc = cfg_item_form(p, t->line, &it);
		if (rc < 0)
			return -1;
		if (!rc && cfg_vif_item(p, t->line, &it, &vif, &seen))
			return -1;
	}
	if (!(seen & CFG_VIF_BACKEND))
		return cfg_fail(p, t->line,
				"vif: missing backend= (the driver domain "
				"that serves it)");
	p->cfg->vifs[p->cfg->nr_vifs++] = vif;
	return 0;
}

enum { CFG_DISK_BACKEND = 1, CFG_DISK_VDEV = 2, CFG_DISK_ACCESS = 4 };

/* xvda..xvdz: Xen's device number, major 202, 16 minors each. */
static int cfg_vdev(struct cfg_parser *p, unsigned int line,
		    const struct cfg_item *it, uint32_t *vdev)
{
	if (it->vn != 4 || memcmp(it->v, "xvd", 3) || it->v[3] < 'a' ||
	    it->v[3] > 'z')
		return cfg_fail(p, line, "disk: vdev '%.*s' is not xvda..xvdz",
				CFG_SHOWN(it->vn), it->v);
	*vdev = CFG_VDEV_XVD(it->v[3] - 'a');
	return 0;
}

static int cfg_access(struct cfg_parser *p, unsigned int line,
		      const struct cfg_item *it, bool *readonly)
{
	if (cfg_eq(it->v, it->vn, "rw") || cfg_eq(it->v, it->vn, "w"))
		*readonly = false;
	else if (cfg_eq(it->v, it->vn, "ro") || cfg_eq(it->v, it->vn, "r"))
		*readonly = true;
	else
		return cfg_fail(p, line,
				"disk: access '%.*s' is not rw, ro, w or r",
				CFG_SHOWN(it->vn), it->v);
	return 0;
}

/*
 * target= takes the rest of the spec, as in xl (a target may hold
 * commas), so it must come last. blkback's targets ("1:0+65536",
 * "1:gpt:2") never hold '=': one in the rest means a key was put after
 * target=, which xl would silently make part of the target.
 */
static int cfg_target(struct cfg_parser *p, unsigned int line,
		      const struct cfg_item *it, const char *end,
		      struct cfg_disk *disk)
{
	size_t n = (size_t)(end - it->v);
	const char *v = it->v;

	cfg_trim(&v, &n);
	if (memchr(v, '=', n))
		return cfg_fail(p, line,
				"disk: target= must come last, it takes the "
				"rest of the spec ('%.*s')",
				CFG_SHOWN(n), v);
	if (!n)
		return cfg_fail(p, line, "disk: target is empty");
	if (n > CFG_TARGET_MAX)
		return cfg_fail(p, line,
				"disk: target '%.*s' is longer than %u "
				"characters",
				CFG_SHOWN(n), v, CFG_TARGET_MAX);
	cfg_copy(disk->target, v, n);
	return 0;
}

static int cfg_disk_item(struct cfg_parser *p, unsigned int line,
			 const struct cfg_item *it, struct cfg_disk *disk,
			 unsigned int *seen)
{
	static const char *const unsupported[] = {
		"format",    "devtype",	      "script",		"backendtype",
		"discard",   "no-discard",    "direct-io-safe", "trusted",
		"untrusted", "specification", "colo",		NULL,
	};
	unsigned int bit = 0;

	if (cfg_eq(it->k, it->kn, "backend"))
		bit = CFG_DISK_BACKEND;
	else if (cfg_eq(it->k, it->kn, "vdev"))
		bit = CFG_DISK_VDEV;
	else if (cfg_eq(it->k, it->kn, "access"))
		bit = CFG_DISK_ACCESS;
	else
		return cfg_unknown_item(p, line, it, unsupported);
	if (cfg_item_once(p, line, it, bit, seen))
		return -1;
	if (bit == CFG_DISK_BACKEND)
		return cfg_name_value(p, line, "disk: backend", it->v, it->vn,
				      disk->backend);
	if (bit == CFG_DISK_VDEV)
		return cfg_vdev(p, line, it, &disk->vdev);
	return cfg_access(p, line, it, &disk->readonly);
}

static int cfg_disk_missing(struct cfg_parser *p, unsigned int line,
			    unsigned int seen)
{
	if (!(seen & CFG_DISK_BACKEND))
		return cfg_fail(p, line,
				"disk: missing backend= (the driver domain "
				"that serves it)");
	if (!(seen & CFG_DISK_VDEV))
		return cfg_fail(p, line, "disk: missing vdev= (like xvda)");
	return 0;
}

static int cfg_add_disk(struct cfg_parser *p, const struct cfg_tok *t)
{
	struct cfg_disk disk = { 0 };
	struct cfg_item it;
	unsigned int seen = 0;
	bool target = false;
	size_t at = 0;
	int rc;

	if (p->cfg->nr_disks == CFG_DISKS_MAX)
		return cfg_fail(p, t->line, "disk: more than %u disks",
				CFG_DISKS_MAX);
	while (!target && cfg_next_item(t->p, t->n, &at, &it)) {
		rc = cfg_item_form(p, t->line, &it);
		if (rc < 0)
			return -1;
		if (rc)
			continue;
		target = cfg_eq(it.k, it.kn, "target");
		if (target ? cfg_target(p, t->line, &it, t->p + t->n, &disk)
			   : cfg_disk_item(p, t->line, &it, &disk, &seen))
			return -1;
	}
	if (cfg_disk_missing(p, t->line, seen))
		return -1;
	if (!target)
		return cfg_fail(p, t->line,
				"disk: missing target= (like 1:0+65536 or "
				"1:gpt:2)");
	p->cfg->disks[p->cfg->nr_disks++] = disk;
	return 0;
}

/* ---- Statements -------------------------------------------------------- */

static const struct cfg_key cfg_keys[CFG_NR_KEYS] = {
	{ "name", CFG_STR, cfg_set_name },
	{ "kernel", CFG_STR, cfg_set_kernel },
	{ "extra", CFG_STR, cfg_set_extra },
	{ "memory", CFG_NUM, cfg_set_memory },
	{ "maxvcpus", CFG_NUM, cfg_set_maxvcpus },
	{ "vcpus", CFG_NUM, cfg_set_vcpus },
	{ "cpus", CFG_STR, cfg_set_cpus },
	{ "weight", CFG_NUM, cfg_set_weight },
	{ "cap", CFG_NUM, cfg_set_cap },
	{ "pci", CFG_LIST, cfg_add_pci },
	{ "vif", CFG_LIST, cfg_add_vif },
	{ "disk", CFG_LIST, cfg_add_disk },
	{ "on_crash", CFG_STR, cfg_set_on_crash },
	{ "on_poweroff", CFG_STR, cfg_set_on_poweroff },
	{ "on_reboot", CFG_STR, cfg_set_on_reboot },
	{ "driver_domain", CFG_NUM, cfg_set_driver },
	{ "xenstore_domain", CFG_NUM, cfg_set_xenstore },
	{ "standby", CFG_NUM, cfg_set_standby },
	{ "type", CFG_STR, cfg_set_type },
};

static const struct cfg_key *cfg_find_key(const char *s, size_t n)
{
	for (unsigned int i = 0; i < CFG_NR_KEYS; i++)
		if (cfg_eq(s, n, cfg_keys[i].name))
			return &cfg_keys[i];
	return NULL;
}

/* The line a key was given on; 0 when it was not. */
static unsigned int cfg_key_line(const struct cfg_parser *p, const char *name)
{
	return p->key_line[cfg_find_key(name, strlen(name)) - cfg_keys];
}

/* The strings of a list, which may span lines, up to its ']'. */
static int cfg_list(struct cfg_parser *p, unsigned int open_line)
{
	const char *expected = "a string or ']'";
	struct cfg_tok t;

	for (;;) {
		if (cfg_next_in_list(p, &t))
			return -1;
		if (cfg_is_punct(&t, ']'))
			return 0;
		if (t.kind != CFG_TOK_STR)
			break;
		if (p->key->set(p, &t) || cfg_next_in_list(p, &t))
			return -1;
		if (cfg_is_punct(&t, ']'))
			return 0;
		expected = "',' or ']'";
		if (!cfg_is_punct(&t, ','))
			break;
		expected = "a string or ']'";
	}
	if (t.kind == CFG_TOK_EOF)
		return cfg_fail(p, open_line,
				"list of '%s' is not closed with ']'",
				p->key->name);
	return cfg_fail(p, t.line,
			"expected %s in the list of '%s' (opened on line "
			"%u), got %s",
			expected, p->key->name, open_line, cfg_what(p, &t));
}

static const char *const cfg_type_names[] = {
	[CFG_NUM] = "a number",
	[CFG_STR] = "a string in quotes",
	[CFG_LIST] = "a list [ ... ]",
};

/* The value after "key =": of the key's type, then set. */
static int cfg_value(struct cfg_parser *p)
{
	enum cfg_vtype type = p->key->type;
	struct cfg_tok t;
	int got = -1;

	if (cfg_next(p, &t))
		return -1;
	if (cfg_is_punct(&t, '['))
		got = CFG_LIST;
	else if (t.kind == CFG_TOK_STR)
		got = CFG_STR;
	else if (t.kind == CFG_TOK_WORD && cfg_is_digit(t.p[0]))
		got = CFG_NUM;
	if (got != (int)type)
		return cfg_fail(p, t.line, "%s: expected %s, got %s",
				p->key->name, cfg_type_names[type],
				got < 0 ? cfg_what(p, &t)
					: cfg_type_names[got]);
	if (type == CFG_LIST)
		return cfg_list(p, t.line);
	if (type == CFG_NUM && cfg_number(p, &t))
		return -1;
	return p->key->set(p, &t);
}

/* "key = value" up to the end of its line (or a ';', as xl allows). */
static int cfg_statement(struct cfg_parser *p, const struct cfg_tok *kt)
{
	const struct cfg_key *k;
	struct cfg_tok t;

	if (kt->kind != CFG_TOK_WORD || !cfg_is_alpha(kt->p[0]))
		return cfg_fail(p, kt->line, "expected a key, got %s",
				cfg_what(p, kt));
	k = cfg_find_key(kt->p, kt->n);
	if (!k)
		return cfg_fail(p, kt->line, "unknown key '%.*s'",
				CFG_SHOWN(kt->n), kt->p);
	if (p->key_line[k - cfg_keys])
		return cfg_fail(p, kt->line,
				"'%s' is given twice (first on "
				"line %u)",
				k->name, p->key_line[k - cfg_keys]);
	p->key_line[k - cfg_keys] = kt->line;
	p->key = k;
	if (cfg_next(p, &t))
		return -1;
	if (!cfg_is_punct(&t, '='))
		return cfg_fail(p, t.line, "expected '=' after '%s'", k->name);
	if (cfg_value(p) || cfg_next(p, &t))
		return -1;
	if (t.kind != CFG_TOK_EOL && t.kind != CFG_TOK_EOF &&
	    !cfg_is_punct(&t, ';'))
		return cfg_fail(p, t.line,
				"expected end of line after the value of "
				"'%s', got %s",
				k->name, cfg_what(p, &t));
	return 0;
}

/* What can only be checked once every key is read. */
static int cfg_finish(struct cfg_parser *p)
{
	static const char *const required[] = { "name", "kernel", "memory" };
	struct dom_cfg *cfg = p->cfg;

	for (unsigned int i = 0; i < ARRAY_SIZE(required); i++)
		if (!cfg_key_line(p, required[i]))
			return cfg_fail(p, 0, "missing required key '%s'",
					required[i]);
	if (!cfg_key_line(p, "maxvcpus"))
		cfg->maxvcpus = cfg->vcpus;
	if (cfg->vcpus > cfg->maxvcpus)
		return cfg_fail(p, cfg_key_line(p, "vcpus"),
				"vcpus %u is more than maxvcpus %u", cfg->vcpus,
				cfg->maxvcpus);
	if (cfg->cap > 100 * cfg->maxvcpus)
		return cfg_fail(p, cfg_key_line(p, "cap"),
				"cap %u is more than 100 * maxvcpus (%u)",
				cfg->cap, 100 * cfg->maxvcpus);
	if (cfg->standby &&
	    (!cfg->driver_domain || cfg->on_crash != CFG_ACTION_RESTART))
		return cfg_fail(p, cfg_key_line(p, "standby"),
				"standby = 1 is for a driver domain "
				"(driver_domain = 1) with on_crash = "
				"\"restart\"");
	return 0;
}

static void cfg_defaults(struct dom_cfg *cfg, const char *file)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg_copy(cfg->file, file, strnlen(file, CFG_FILE_MAX));
	cfg->vcpus = 1;
	cfg->cpus = ~0ull;
	cfg->weight = CFG_WEIGHT_DEFAULT;
	cfg->on_crash = CFG_ACTION_DESTROY;
	cfg->on_poweroff = CFG_ACTION_DESTROY;
	cfg->on_reboot = CFG_ACTION_RESTART;
}

int cfg_parse(const char *file, const char *text, size_t len,
	      struct dom_cfg *cfg, char *err, size_t errlen)
{
	struct cfg_parser p = { .file = file,
				.s = text,
				.len = len,
				.line = 1,
				.cfg = cfg,
				.err = err,
				.errlen = errlen };
	struct cfg_tok t;

	if (errlen)
		err[0] = '\0';
	if (!text) { /* an empty file may come as NULL: no sums on it */
		p.s = "";
		p.len = 0;
	}
	cfg_defaults(cfg, file);
	if (cfg_check_text(&p))
		return -1;
	for (;;) {
		if (cfg_next(&p, &t))
			return -1;
		if (t.kind == CFG_TOK_EOF)
			break;
		if (t.kind == CFG_TOK_EOL || cfg_is_punct(&t, ';'))
			continue;
		if (cfg_statement(&p, &t))
			return -1;
	}
	return cfg_finish(&p);
}

/* ---- Helpers shared with the layout check ------------------------------- */

void cfg_default_mac(const char *name, unsigned int vif, uint8_t mac[6])
{
	size_t n = strnlen(name, CFG_NAME_MAX + 1);
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	h = (h ^ (vif & 0xff)) * 16777619u;
	h ^= h >> 15; /* spread the last byte's change */
	mac[0] = 0x00;
	mac[1] = 0x16;
	mac[2] = 0x3e;
	mac[3] = (h >> 16) & 0x7f;
	mac[4] = (h >> 8) & 0xff;
	mac[5] = h & 0xff;
}

void cfg_vif_mac(const struct dom_cfg *cfg, unsigned int vif, uint8_t mac[6])
{
	if (cfg->vifs[vif].mac_set)
		memcpy(mac, cfg->vifs[vif].mac, 6);
	else
		cfg_default_mac(cfg->name, vif, mac);
}

void cfg_format_mac(const uint8_t mac[6], char buf[CFG_MAC_STR_LEN])
{
	fmt_snprintf(buf, CFG_MAC_STR_LEN, "%02x:%02x:%02x:%02x:%02x:%02x",
		     mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

void cfg_format_sbdf(uint32_t sbdf, char buf[CFG_SBDF_STR_LEN])
{
	fmt_snprintf(buf, CFG_SBDF_STR_LEN, "%04x:%02x:%02x.%u", sbdf >> 16,
		     (sbdf >> 8) & 0xff, (sbdf >> 3) & 0x1f, sbdf & 7);
}
