/*
 * The hypervisor's freestanding printf-style formatter.
 *
 * Supported: flags - 0 # + and space; field width and precision (either
 * may be *); length modifiers hh h l ll z t; conversions d i u x X o c s p
 * and %%. Output follows C99 snprintf, and glibc where C leaves the choice
 * open ((null), (nil), unknown conversions). No floating point: the
 * hypervisor is built with -mgeneral-regs-only.
 */
#include <xen/lib.h>
#include <xen/string.h>

/* Where the output goes; len counts every byte, stored or not. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

enum {
	F_LEFT = 1 << 0,  /* - */
	F_ZERO = 1 << 1,  /* 0 */
	F_ALT = 1 << 2,	  /* # */
	F_PLUS = 1 << 3,  /* + */
	F_SPACE = 1 << 4, /* space */
};

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T };

/* One parsed conversion specification. */
struct spec {
	unsigned int flags;
	int width;
	int prec; /* -1 when not given */
	enum length len;
	char conv;
};

static void out_char(struct out *o, char c)
{
	/* Keep the last byte of buf for the terminator. */
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_mem(struct out *o, const char *s, size_t n)
{
	while (n--)
		out_char(o, *s++);
}

static void out_repeat(struct out *o, char c, size_t n)
{
	while (n--)
		out_char(o, c);
}

static void out_dec(struct out *o, unsigned int v)
{
	if (v >= 10)
		out_dec(o, v / 10);
	out_char(o, (char)('0' + v % 10));
}

/* Bytes of padding needed to widen n bytes to the field width. */
static size_t pad_for(const struct spec *sp, size_t n)
{
	return (size_t)sp->width > n ? (size_t)sp->width - n : 0;
}

/* Emit n bytes of s padded with spaces to the field width. */
static void emit_padded(struct out *o, const struct spec *sp, const char *s,
			size_t n)
{
	size_t pad = pad_for(sp, n);

	if (!(sp->flags & F_LEFT))
		out_repeat(o, ' ', pad);
	out_mem(o, s, n);
	if (sp->flags & F_LEFT)
		out_repeat(o, ' ', pad);
}

/* Read a decimal field; saturate instead of overflowing on absurd ones. */
static int parse_num(const char **pp)
{
	const char *p = *pp;
	int n = 0;

	while (*p >= '0' && *p <= '9') {
		int d = *p++ - '0';

		n = n > (__INT_MAX__ - d) / 10 ? __INT_MAX__ : n * 10 + d;
	}
	*pp = p;
	return n;
}

static const char *parse_flags(const char *p, struct spec *sp)
{
	for (;; p++) {
		switch (*p) {
		case '-':
			sp->flags |= F_LEFT;
			break;
		case '0':
			sp->flags |= F_ZERO;
			break;
		case '#':
			sp->flags |= F_ALT;
			break;
		case '+':
			sp->flags |= F_PLUS;
			break;
		case ' ':
			sp->flags |= F_SPACE;
			break;
		default:
			return p;
		}
	}
}

static const char *parse_width(const char *p, struct spec *sp, va_list *ap)
{
	if (*p != '*') {
		sp->width = parse_num(&p);
		return p;
	}
	sp->width = va_arg(*ap, int);
	/* A negative * width means the - flag and its absolute value. */
	if (sp->width < 0) {
		sp->flags |= F_LEFT;
		sp->width =
		    sp->width == -__INT_MAX__ - 1 ? __INT_MAX__ : -sp->width;
	}
	return p + 1;
}

static const char *parse_prec(const char *p, struct spec *sp, va_list *ap)
{
	sp->prec = -1;
	if (*p != '.')
		return p;
	p++;
	if (*p != '*') {
		sp->prec = parse_num(&p); /* a lone '.' means 0 */
		return p;
	}
	sp->prec = va_arg(*ap, int);
	if (sp->prec < 0)
		sp->prec = -1; /* a negative * precision counts as absent */
	return p + 1;
}

static const char *parse_length(const char *p, struct spec *sp)
{
	sp->len = LEN_NONE;
	switch (*p) {
	case 'h':
		if (p[1] == 'h') {
			sp->len = LEN_HH;
			return p + 2;
		}
		sp->len = LEN_H;
		return p + 1;
	case 'l':
		if (p[1] == 'l') {
			sp->len = LEN_LL;
			return p + 2;
		}
		sp->len = LEN_L;
		return p + 1;
	case 'z':
		sp->len = LEN_Z;
		return p + 1;
	case 't':
		sp->len = LEN_T;
		return p + 1;
	default:
		return p;
	}
}

/* Parse what follows a '%'; returns a pointer to the conversion char. */
static const char *parse_spec(const char *p, struct spec *sp, va_list *ap)
{
	sp->flags = 0;
	p = parse_flags(p, sp);
	p = parse_width(p, sp, ap);
	p = parse_prec(p, sp, ap);
	p = parse_length(p, sp);
	sp->conv = *p;
	return p;
}

static int64_t fetch_signed(enum length len, va_list *ap)
{
	/* Narrow types arrive promoted to int and are cut back here. */
	switch (len) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	case LEN_Z:
	case LEN_T:
		return va_arg(*ap, ptrdiff_t); /* same width as size_t */
	default:
		return va_arg(*ap, int);
	}
}

static uint64_t fetch_unsigned(enum length len, va_list *ap)
{
	switch (len) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
		return va_arg(*ap, size_t);
	case LEN_T:
		return (size_t)va_arg(*ap, ptrdiff_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/*
 * Sign and radix prefix. Only signed conversions (and %p, as glibc does)
 * honour + and space; # adds 0x to hex only for a nonzero value.
 */
static size_t make_prefix(char *pfx, const struct spec *sp, uint64_t v,
			  bool neg)
{
	bool is_signed = sp->conv == 'd' || sp->conv == 'i' || sp->conv == 'p';
	size_t n = 0;

	if (neg)
		pfx[n++] = '-';
	else if (is_signed && (sp->flags & F_PLUS))
		pfx[n++] = '+';
	else if (is_signed && (sp->flags & F_SPACE))
		pfx[n++] = ' ';
	if (sp->conv == 'p' || ((sp->flags & F_ALT) && v != 0 &&
				(sp->conv == 'x' || sp->conv == 'X'))) {
		pfx[n++] = '0';
		pfx[n++] = sp->conv == 'X' ? 'X' : 'x';
	}
	return n;
}

static unsigned int base_of(char conv)
{
	switch (conv) {
	case 'o':
		return 8;
	case 'x':
	case 'X':
	case 'p':
		return 16;
	default:
		return 10;
	}
}

/* Digits of v, least significant first; returns how many. */
static size_t digits_rev(char *tmp, uint64_t v, const struct spec *sp)
{
	const char *set =
	    sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned int base = base_of(sp->conv);
	size_t n = 0;

	do {
		tmp[n++] = set[v % base];
		v /= base;
	} while (v);
	return n;
}

/* Leading zeros from the precision and the octal # flag. */
static size_t prec_zeros(const struct spec *sp, uint64_t v, size_t nd)
{
	size_t zeros =
	    sp->prec > 0 && (size_t)sp->prec > nd ? (size_t)sp->prec - nd : 0;

	/* %#o must start with 0; v == 0 with no digits needs one too. */
	if ((sp->flags & F_ALT) && sp->conv == 'o' && zeros == 0 &&
	    (v != 0 || nd == 0))
		zeros = 1;
	return zeros;
}

/* Layout: [spaces][prefix][zeros][digits][spaces]. */
static void emit_num(struct out *o, const struct spec *sp, uint64_t v, bool neg)
{
	char tmp[24]; /* 22 octal digits cover 64 bits */
	char pfx[4];
	size_t plen = make_prefix(pfx, sp, v, neg);
	/* C: a zero value with precision 0 prints no digits at all. */
	size_t nd = v == 0 && sp->prec == 0 ? 0 : digits_rev(tmp, v, sp);
	size_t zeros = prec_zeros(sp, v, nd);
	size_t pad = pad_for(sp, plen + zeros + nd);

	/* The 0 flag turns padding into zeros unless - or a precision. */
	if ((sp->flags & (F_ZERO | F_LEFT)) == F_ZERO && sp->prec < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!(sp->flags & F_LEFT))
		out_repeat(o, ' ', pad);
	out_mem(o, pfx, plen);
	out_repeat(o, '0', zeros);
	while (nd)
		out_char(o, tmp[--nd]);
	if (sp->flags & F_LEFT)
		out_repeat(o, ' ', pad);
}

static void emit_string(struct out *o, const struct spec *sp, const char *s)
{
	/* glibc prints nothing rather than a cut-down "(null)". */
	if (!s)
		s = sp->prec >= 0 && sp->prec < 6 ? "" : "(null)";
	/* With a precision the string need not be terminated: stop there. */
	emit_padded(o, sp, s,
		    sp->prec < 0 ? strlen(s) : strnlen(s, (size_t)sp->prec));
}

static void emit_pointer(struct out *o, const struct spec *sp, void *p)
{
	/* Like glibc: precision neither cuts nor pads "(nil)". */
	if (!p)
		emit_padded(o, sp, "(nil)", 5);
	else
		emit_num(o, sp, (uintptr_t)p, false);
}

/*
 * Echo an unknown conversion as glibc does: the specification rebuilt
 * from its parsed parts (a * comes out as its value, length is dropped).
 */
static void emit_unknown(struct out *o, const struct spec *sp)
{
	out_char(o, '%');
	if (sp->flags & F_ALT)
		out_char(o, '#');
	if (sp->flags & F_PLUS)
		out_char(o, '+');
	else if (sp->flags & F_SPACE)
		out_char(o, ' ');
	if (sp->flags & F_LEFT)
		out_char(o, '-');
	else if (sp->flags & F_ZERO)
		out_char(o, '0');
	if (sp->width)
		out_dec(o, (unsigned int)sp->width);
	if (sp->prec >= 0) {
		out_char(o, '.');
		out_dec(o, (unsigned int)sp->prec);
	}
	out_char(o, sp->conv);
}

static void convert(struct out *o, const struct spec *sp, va_list *ap)
{
	int64_t s;
	char c;

	switch (sp->conv) {
	case 'd':
	case 'i':
		s = fetch_signed(sp->len, ap);
		/* Negate in unsigned arithmetic so INT64_MIN is fine. */
		emit_num(o, sp, s < 0 ? 0 - (uint64_t)s : (uint64_t)s, s < 0);
		break;
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		emit_num(o, sp, fetch_unsigned(sp->len, ap), false);
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		emit_padded(o, sp, &c, 1);
		break;
	case 's':
		emit_string(o, sp, va_arg(*ap, const char *));
		break;
	case 'p':
		emit_pointer(o, sp, va_arg(*ap, void *));
		break;
	case '%':
		out_char(o, '%'); /* glibc ignores any width here */
		break;
	default:
		emit_unknown(o, sp);
		break;
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size, .len = 0 };
	struct spec sp;
	va_list aq;

	/* A va_list parameter may be an array; helpers need a real object. */
	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &aq);
		/* A directive cut off by the end of fmt prints nothing. */
		if (!*fmt)
			break;
		convert(&o, &sp, &aq);
		fmt++;
	}
	va_end(aq);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	/* C asks for a negative result when the length does not fit. */
	return o.len > (size_t)__INT_MAX__ ? -1 : (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
