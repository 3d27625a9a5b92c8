/*
 * The admin shell on the hypervisor's serial line. Input as in Xen: what
 * the hypervisor does not keep for itself queues there, VIRQ_CONSOLE
 * says so and CONSOLEIO_read takes it. Output goes through console_io
 * like the rest of the control domain's lines, which the hypervisor
 * prefixes with "(d0) " and filters to printable text: so the shell's
 * CR LF becomes LF, a clear screen (top) a new line, and an erased
 * character is shown by writing the line again on a fresh line.
 */
#include <public/event_channel.h>
#include <public/xen.h>
#include <xen/lib.h>
#include <xen/string.h>
#include <stub/consback.h>
#include <stub/events.h>
#include <stub/hypercall.h>
#include <stub/stub.h>
#include "control.h"
#include "xl.h"

#define XL_ESC 0x1b

static struct shell xl_shell;
static bool xl_on;
static bool xl_redraw;	/* a character was erased: show the line again */
static bool xl_writing; /* the shell's own output is being written */
static bool xl_broken;	/* other output ended the prompt's line */
static uint8_t xl_esc;	/* inside an escape sequence: 1 after ESC, 2 in CSI */

static void xl_on_virq(evtchn_port_t port, void *data)
{
}

/*
 * Any other output (a domain's console line, the supervisor's log) while
 * the prompt waits: it goes on a line of its own, and xl_poll() shows
 * the prompt and what was typed again after it.
 */
static void xl_before_write(void)
{
	if (xl_writing || xl_broken || xl_shell.mode != SHELL_MODE_LINE)
		return;
	xl_writing = true;
	console_write("\n", 1);
	xl_writing = false;
	xl_broken = true;
}

static void xl_write(const char *s, size_t n)
{
	bool was = xl_writing;

	xl_writing = true;
	console_write(s, n);
	xl_writing = was;
}

void xl_console_write(void *ctx, const char *s, size_t n)
{
	char buf[128];
	size_t k = 0;

	/* The shell erases a character with BS, space, BS. */
	if (n == 3 && !memcmp(s, "\b \b", 3)) {
		xl_redraw = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (xl_esc == 1) {
			xl_esc = c == '[' ? 2 : 0;
			continue;
		}
		if (xl_esc == 2) {
			if (c >= 0x40 && c <= 0x7e)
				xl_esc = 0;
			/* top's "home, clear screen": a frame starts a line. */
			if (c == 'J' && k < sizeof(buf))
				buf[k++] = '\n';
			continue;
		}
		if (c == XL_ESC) {
			xl_esc = 1;
			continue;
		}
		if (c == '\r' || c == '\b')
			continue;
		buf[k++] = c;
		if (k == sizeof(buf)) {
			xl_write(buf, k);
			k = 0;
		}
	}
	if (k)
		xl_write(buf, k);
}

void xl_start(void)
{
	struct evtchn_bind_virq virq = { .virq = VIRQ_CONSOLE };

	if (xl_on)
		return;
	if (stub_evtchn_op(EVTCHNOP_bind_virq, &virq) < 0) {
		printf("control: no serial input (VIRQ_CONSOLE): no shell\n");
		return;
	}
	stub_event_bind(virq.port, xl_on_virq, NULL);
	xl_on = true;
	printf("control: admin shell ready; 'help' lists the commands\n");
	shell_init(&xl_shell, &xl_ops, NULL);
	stub_console_before_write(xl_before_write);
}

bool xl_started(void)
{
	return xl_on;
}

void xl_poll(uint64_t now)
{
	char buf[64];
	long n;

	if (!xl_on)
		return;
	/* Output since the last look ended the prompt's line: show it again. */
	if (xl_broken && xl_shell.mode == SHELL_MODE_LINE) {
		xl_write(SHELL_PROMPT, strlen(SHELL_PROMPT));
		xl_write(xl_shell.line, xl_shell.len);
	}
	xl_broken = false;
	/* What the shell's commands print, their ops' lines too, is theirs. */
	xl_writing = true;
	while ((n = hypercall3(__HYPERVISOR_console_io, CONSOLEIO_read,
			       sizeof(buf), (long)buf)) > 0) {
		shell_input(&xl_shell, buf, (size_t)n);
		if (xl_redraw && xl_shell.mode == SHELL_MODE_LINE) {
			console_write("\n" SHELL_PROMPT,
				      1 + strlen(SHELL_PROMPT));
			console_write(xl_shell.line, xl_shell.len);
		}
		xl_redraw = false;
	}
	shell_tick(&xl_shell, now);
	/* The attached domain went away (destroyed, or restarted anew). */
	if (xl_shell.mode == SHELL_MODE_CONSOLE &&
	    consback_input(xl_shell.console_dom, "", 0) < 0)
		shell_console_end(&xl_shell, "the domain has gone");
	xl_writing = false;
}
