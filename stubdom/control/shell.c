/*
 * The admin shell's input side: line editing on a dumb serial terminal,
 * splitting a line into words and handing it to its command, and the two
 * modes that take the keyboard over (a domain's console, top).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/lib.h>
#include <xen/string.h>
#include "shell.h"

#define SHELL_CTRL_C	  0x03
#define SHELL_BS	  0x08
#define SHELL_CTRL_U	  0x15
#define SHELL_ESC	  0x1b
#define SHELL_CTRL_RBRACK 0x1d /* leaves a console, as in xl console */
#define SHELL_DEL	  0x7f
/* Enough to see a command given more arguments than any takes. */
#define SHELL_MAX_WORDS (SHELL_ARGS_ANY + 2)

/* Escape sequence states: terminals send arrows and such as ESC [ ... x. */
enum { SHELL_ESC_NONE, SHELL_ESC_START, SHELL_ESC_CSI, SHELL_ESC_SS3 };

void shell_write(struct shell *s, const char *str, size_t n)
{
	if (n)
		s->ops->write(s->ctx, str, n);
}

void shell_puts(struct shell *s, const char *str)
{
	shell_write(s, str, strlen(str));
}

void shell_printf(struct shell *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(s->out, sizeof(s->out), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* A longer line is cut, its end kept so the terminal's line ends. */
	if ((size_t)n >= sizeof(s->out)) {
		n = sizeof(s->out) - 1;
		s->out[n - 2] = '\r';
		s->out[n - 1] = '\n';
	}
	shell_write(s, s->out, (size_t)n);
}

/* The terminal wants CR LF; text from elsewhere may end lines with LF. */
void shell_write_text(struct shell *s, const char *str, size_t n)
{
	size_t start = 0, i;

	for (i = 0; i < n; i++) {
		if (str[i] != '\n' || (i > 0 && str[i - 1] == '\r'))
			continue;
		shell_write(s, str + start, i - start);
		shell_write(s, "\r\n", 2);
		start = i + 1;
	}
	shell_write(s, str + start, n - start);
}

static void shell_prompt(struct shell *s)
{
	s->len = 0;
	s->overflow = false;
	s->esc = SHELL_ESC_NONE;
	shell_puts(s, SHELL_PROMPT);
}

void shell_init(struct shell *s, const struct shell_ops *ops, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->ctx = ctx;
	s->mode = SHELL_MODE_LINE;
	shell_prompt(s);
}

/* ---- Running a line ---------------------------------------------------- */

static bool shell_is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Split line in place into words; returns how many. */
static int shell_split(char *line, char **argv, int max)
{
	int argc = 0;

	while (*line) {
		while (shell_is_space(*line))
			*line++ = '\0';
		if (!*line || argc == max)
			break;
		argv[argc++] = line;
		while (*line && !shell_is_space(*line))
			line++;
	}
	return argc;
}

static void shell_execute(struct shell *s)
{
	char *argv[SHELL_MAX_WORDS];
	int argc;

	s->line[s->len] = '\0';
	argc = shell_split(s->line, argv, SHELL_MAX_WORDS);
	if (argc)
		shell_run(s, argc, argv);
}

static void shell_end_line(struct shell *s)
{
	shell_write(s, "\r\n", 2);
	if (s->overflow)
		shell_printf(s, "xl: line too long (at most %u characters)\r\n",
			     SHELL_LINE_MAX - 1);
	else
		shell_execute(s);
	/* A command may have left line mode (console, top). */
	if (s->mode == SHELL_MODE_LINE)
		shell_prompt(s);
}

/* ---- Line editing ------------------------------------------------------ */

static void shell_erase(struct shell *s, size_t n)
{
	static const char rub[] = "\b \b";

	while (n--)
		shell_write(s, rub, 3);
}

static void shell_add_char(struct shell *s, char c)
{
	/* Keep room for the terminator; beyond it the line is refused. */
	if (s->overflow || s->len >= SHELL_LINE_MAX - 1) {
		s->overflow = true;
		return;
	}
	s->line[s->len++] = c;
	shell_write(s, &c, 1);
}

/* Swallow one byte of an escape sequence; true while inside one. */
static bool shell_in_escape(struct shell *s, unsigned char c)
{
	switch (s->esc) {
	case SHELL_ESC_START:
		s->esc = c == '['   ? SHELL_ESC_CSI
			 : c == 'O' ? SHELL_ESC_SS3
				    : SHELL_ESC_NONE;
		return true;
	case SHELL_ESC_CSI:
		/* Parameters and intermediates until a final byte. */
		if (c < 0x40 || c > 0x7e)
			return true;
		s->esc = SHELL_ESC_NONE;
		return true;
	case SHELL_ESC_SS3:
		s->esc = SHELL_ESC_NONE;
		return true;
	default:
		return false;
	}
}

static void shell_line_char(struct shell *s, unsigned char c)
{
	bool after_cr = s->last_cr;

	s->last_cr = c == '\r';
	if (shell_in_escape(s, c))
		return;
	switch (c) {
	case '\n':
		if (!after_cr)
			shell_end_line(s);
		break;
	case '\r':
		shell_end_line(s);
		break;
	case SHELL_BS:
	case SHELL_DEL:
		if (s->len) {
			s->len--;
			shell_erase(s, 1);
		}
		break;
	case SHELL_CTRL_U:
		shell_erase(s, s->len);
		s->len = 0;
		s->overflow = false;
		break;
	case SHELL_CTRL_C:
		shell_puts(s, "^C\r\n");
		shell_prompt(s);
		break;
	case SHELL_ESC:
		s->esc = SHELL_ESC_START;
		break;
	default:
		/* Printable ASCII only: no control or 8-bit bytes in names. */
		if (c >= 0x20 && c < 0x7f)
			shell_add_char(s, (char)c);
		break;
	}
}

/* ---- Console mode ------------------------------------------------------ */

void shell_enter_console(struct shell *s, uint16_t dom)
{
	s->mode = SHELL_MODE_CONSOLE;
	s->console_dom = dom;
}

static void shell_leave_console(struct shell *s)
{
	s->mode = SHELL_MODE_LINE;
	if (s->ops->console_close)
		s->ops->console_close(s->ctx, s->console_dom);
	shell_write(s, "\r\n", 2);
	shell_prompt(s);
}

void shell_console_end(struct shell *s, const char *why)
{
	if (s->mode != SHELL_MODE_CONSOLE)
		return;
	shell_printf(s, "\r\nxl: console: %s", why ? why : "closed");
	shell_leave_console(s);
}

/* Forward up to Ctrl-]; returns how many bytes of buf were used. */
static size_t shell_console_input(struct shell *s, const char *buf, size_t n)
{
	const char *end = memchr(buf, SHELL_CTRL_RBRACK, n);
	size_t fwd = end ? (size_t)(end - buf) : n;

	if (fwd)
		s->ops->console_input(s->ctx, s->console_dom, buf, fwd);
	if (!end)
		return n;
	shell_leave_console(s);
	return fwd + 1;
}

/* ---- Top mode ---------------------------------------------------------- */

void shell_enter_top(struct shell *s)
{
	s->mode = SHELL_MODE_TOP;
	s->top_nr = 0;
	s->top_at = s->now_ns;
	shell_top_frame(s);
}

static void shell_top_char(struct shell *s, unsigned char c)
{
	if (c != 'q' && c != 'Q' && c != SHELL_CTRL_C)
		return;
	s->mode = SHELL_MODE_LINE;
	shell_prompt(s);
}

void shell_tick(struct shell *s, uint64_t now_ns)
{
	s->now_ns = now_ns;
	if (s->mode != SHELL_MODE_TOP || now_ns - s->top_at < SHELL_NS)
		return;
	shell_top_frame(s);
}

/* ---- Input ------------------------------------------------------------- */

void shell_input(struct shell *s, const char *buf, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)buf[i];

		if (s->mode == SHELL_MODE_LINE) {
			shell_line_char(s, c);
			i++;
			continue;
		}
		/* The LF of the CR LF that ran console or top is not for them.
		 */
		if (s->last_cr && c == '\n') {
			s->last_cr = false;
			i++;
			continue;
		}
		s->last_cr = false;
		if (s->mode == SHELL_MODE_CONSOLE) {
			i += shell_console_input(s, buf + i, n - i);
		} else {
			shell_top_char(s, c);
			i++;
		}
	}
}
