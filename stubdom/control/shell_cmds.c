/*
 * The admin shell's commands: xl's names and arguments, each checked
 * before anything is asked of the control domain, so a typo costs one
 * error line and the command's usage and never a half-done action.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <public/errno.h>
#include <xen/lib.h>
#include <xen/string.h>
#include "shell.h"

#define SHELL_DOMID_MAX 0x7fef /* DOMID_FIRST_RESERVED - 1 */
#define SHELL_CPUS	64     /* an affinity is a 64-bit mask */

/* ---- Errors ------------------------------------------------------------ */

static const struct {
	int err;
	const char *text;
} shell_errnos[] = {
	{ XEN_EPERM, "operation not permitted" },
	{ XEN_ENOENT, "no such file or entry" },
	{ XEN_ESRCH, "no such domain" },
	{ XEN_EIO, "I/O error" },
	{ XEN_E2BIG, "argument list too long" },
	{ XEN_EAGAIN, "try again" },
	{ XEN_ENOMEM, "out of memory" },
	{ XEN_EACCES, "permission denied" },
	{ XEN_EBUSY, "device or resource busy" },
	{ XEN_EEXIST, "already exists" },
	{ XEN_ENODEV, "no such device" },
	{ XEN_EINVAL, "invalid argument" },
	{ XEN_ENOSPC, "no space left" },
	{ XEN_ERANGE, "out of range" },
	{ XEN_ENOSYS, "not implemented" },
	{ XEN_EOPNOTSUPP, "not supported" },
	{ XEN_ETIMEDOUT, "timed out" },
};

static const char *shell_strerror(int rc)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(shell_errnos); i++)
		if (shell_errnos[i].err == -rc)
			return shell_errnos[i].text;
	return NULL;
}

/* An op failed: its own words if it gave some, else the errno's. */
static void shell_fail(struct shell *s, const struct shell_cmd *c, int rc)
{
	const char *text = shell_strerror(rc);
	size_t i;

	/* One line, whatever the op wrote. */
	for (i = 0; s->err[i]; i++)
		if (s->err[i] == '\r' || s->err[i] == '\n')
			s->err[i] = '\0';
	if (s->err[0])
		shell_printf(s, "xl: %s: %s\r\n", c->name, s->err);
	else if (text)
		shell_printf(s, "xl: %s: %s\r\n", c->name, text);
	else
		shell_printf(s, "xl: %s: error %d\r\n", c->name, rc);
}

static void shell_usage(struct shell *s, const struct shell_cmd *c)
{
	shell_printf(s, "usage: %s%s%s\r\n", c->name, c->args[0] ? " " : "",
		     c->args);
}

void shell_usage_error(struct shell *s, const struct shell_cmd *c,
		       const char *fmt, ...)
{
	va_list ap;
	int n;

	n = fmt_snprintf(s->out, sizeof(s->out), "xl: %s: ", c->name);
	va_start(ap, fmt);
	fmt_vsnprintf(s->out + n, sizeof(s->out) - n - 2, fmt, ap);
	va_end(ap);
	shell_puts(s, s->out);
	shell_write(s, "\r\n", 2);
	shell_usage(s, c);
}

static bool shell_unsupported(struct shell *s, const struct shell_cmd *c,
			      const void *op)
{
	if (op)
		return false;
	shell_printf(s, "xl: %s: not supported\r\n", c->name);
	return true;
}

static char *shell_errbuf(struct shell *s)
{
	memset(s->err, 0, sizeof(s->err));
	return s->err;
}

/* ---- Arguments --------------------------------------------------------- */

/* A decimal number, digits only (no sign, no spaces), at most max. */
static bool shell_parse_uint(const char *str, unsigned long max,
			     unsigned long *out)
{
	unsigned long v = 0;

	if (!*str)
		return false;
	for (; *str; str++) {
		if (*str < '0' || *str > '9')
			return false;
		v = v * 10 + (unsigned long)(*str - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

/* One "n" or "a-b" of a CPU list, into mask. */
static bool shell_parse_cpu_range(const char *str, size_t len, uint64_t *mask)
{
	char buf[8];
	char *dash;
	unsigned long lo, hi;

	if (!len || len >= sizeof(buf))
		return false;
	memcpy(buf, str, len);
	buf[len] = '\0';
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (!shell_parse_uint(buf, SHELL_CPUS - 1, &lo))
		return false;
	hi = lo;
	if (dash && !shell_parse_uint(dash + 1, SHELL_CPUS - 1, &hi))
		return false;
	if (hi < lo)
		return false;
	for (; lo <= hi; lo++)
		*mask |= 1ull << lo;
	return true;
}

/*
 * A CPU list as xl takes it: "all", or comma separated CPUs and ranges
 * ("0-3,6"), where "^n" or "^a-b" takes CPUs out again.
 */
static bool shell_parse_cpus(const char *str, uint64_t *out)
{
	uint64_t add = 0, del = 0;

	if (!strcmp(str, "all")) {
		*out = ~0ull;
		return true;
	}
	for (;;) {
		const char *comma = strchr(str, ',');
		size_t len = comma ? (size_t)(comma - str) : strlen(str);
		bool neg = *str == '^';

		if (!shell_parse_cpu_range(str + neg, len - neg,
					   neg ? &del : &add))
			return false;
		if (!comma)
			break;
		str = comma + 1;
	}
	*out = add & ~del;
	return *out != 0;
}

/* ---- Domains ----------------------------------------------------------- */

/* The domains now, into s->doms: how many, or a negative errno. */
static int shell_snapshot(struct shell *s)
{
	int n;

	if (!s->ops->list)
		return -XEN_EOPNOTSUPP;
	n = s->ops->list(s->ctx, s->doms, SHELL_MAX_DOMS);
	return n > SHELL_MAX_DOMS ? SHELL_MAX_DOMS : n;
}

/* By numeric id when the word is one, as xl does, else by name. */
static const struct shell_dom *shell_find_dom(struct shell *s, int nr,
					      const char *word)
{
	unsigned long id;
	bool by_id = shell_parse_uint(word, SHELL_DOMID_MAX, &id);
	int i;

	for (i = 0; i < nr; i++) {
		if (by_id ? s->doms[i].id == id
			  : !strncmp(s->doms[i].name, word, SHELL_NAME_MAX))
			return &s->doms[i];
	}
	return NULL;
}

/* Every word resolves to a domain, else an error and usage: false. */
static bool shell_check_doms(struct shell *s, const struct shell_cmd *c, int nr,
			     int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (!shell_find_dom(s, nr, argv[i])) {
			shell_usage_error(s, c, "no domain '%s'", argv[i]);
			return false;
		}
	}
	return true;
}

/* The snapshot for a command taking domains: count, or < 0 (printed). */
static int shell_doms_for(struct shell *s, const struct shell_cmd *c, int argc,
			  char **argv)
{
	int nr = shell_snapshot(s);

	if (nr < 0) {
		shell_errbuf(s);
		shell_fail(s, c, nr);
		return nr;
	}
	if (!shell_check_doms(s, c, nr, argc, argv))
		return -XEN_ESRCH;
	return nr;
}

/* The one domain a command acts on, or NULL (printed). */
static const struct shell_dom *
shell_dom_arg(struct shell *s, const struct shell_cmd *c, const char *word)
{
	char *argv[1] = { (char *)word };
	int nr = shell_doms_for(s, c, 1, argv);

	return nr < 0 ? NULL : shell_find_dom(s, nr, word);
}

/* ---- Listing commands -------------------------------------------------- */

static void shell_cmd_list(struct shell *s, const struct shell_cmd *c, int argc,
			   char **argv)
{
	int nr = shell_doms_for(s, c, argc - 1, argv + 1);
	int i;

	if (nr < 0)
		return;
	shell_fmt_list_header(s);
	if (argc == 1) {
		for (i = 0; i < nr; i++)
			shell_fmt_list_dom(s, &s->doms[i]);
		return;
	}
	for (i = 1; i < argc; i++)
		shell_fmt_list_dom(s, shell_find_dom(s, nr, argv[i]));
}

static void shell_cmd_info(struct shell *s, const struct shell_cmd *c, int argc,
			   char **argv)
{
	int rc;

	if (shell_unsupported(s, c, s->ops->info))
		return;
	memset(&s->u.info, 0, sizeof(s->u.info));
	rc = s->ops->info(s->ctx, &s->u.info);
	if (rc < 0) {
		shell_errbuf(s);
		shell_fail(s, c, rc);
		return;
	}
	shell_fmt_info(s, &s->u.info);
}

/* The host's CPU count, for affinities: xl prints maps that wide. */
static unsigned int shell_nr_cpus(struct shell *s)
{
	unsigned int nr = 0;

	if (s->ops->info) {
		memset(&s->u.info, 0, sizeof(s->u.info));
		if (s->ops->info(s->ctx, &s->u.info) >= 0)
			nr = s->u.info.nr_cpus;
	}
	return nr && nr < SHELL_CPUS ? nr : SHELL_CPUS;
}

static void shell_vcpus_of(struct shell *s, const struct shell_cmd *c,
			   const struct shell_dom *d, unsigned int nr_cpus)
{
	int n = s->ops->vcpu_list(s->ctx, d->id, s->u.vcpus, SHELL_MAX_VCPUS);
	int i;

	if (n < 0) {
		shell_errbuf(s);
		shell_fail(s, c, n);
		return;
	}
	for (i = 0; i < n && i < SHELL_MAX_VCPUS; i++)
		shell_fmt_vcpu(s, d, &s->u.vcpus[i], nr_cpus);
}

static void shell_cmd_vcpu_list(struct shell *s, const struct shell_cmd *c,
				int argc, char **argv)
{
	unsigned int nr_cpus;
	int nr, i;

	if (shell_unsupported(s, c, s->ops->vcpu_list))
		return;
	nr = shell_doms_for(s, c, argc - 1, argv + 1);
	if (nr < 0)
		return;
	nr_cpus = shell_nr_cpus(s);
	shell_fmt_vcpu_header(s);
	if (argc == 1) {
		for (i = 0; i < nr; i++)
			shell_vcpus_of(s, c, &s->doms[i], nr_cpus);
		return;
	}
	for (i = 1; i < argc; i++)
		shell_vcpus_of(s, c, shell_find_dom(s, nr, argv[i]), nr_cpus);
}

static void shell_cmd_pci_list(struct shell *s, const struct shell_cmd *c,
			       int argc, char **argv)
{
	const struct shell_dom *d;
	int n, i;

	if (shell_unsupported(s, c, s->ops->pci_list))
		return;
	d = shell_dom_arg(s, c, argv[1]);
	if (!d)
		return;
	n = s->ops->pci_list(s->ctx, d->id, s->u.pcis, SHELL_MAX_DEVS);
	if (n < 0) {
		shell_errbuf(s);
		shell_fail(s, c, n);
		return;
	}
	shell_fmt_pci_header(s);
	for (i = 0; i < n && i < SHELL_MAX_DEVS; i++)
		shell_fmt_pci(s, &s->u.pcis[i], true);
}

static void shell_cmd_pci_assignable(struct shell *s, const struct shell_cmd *c,
				     int argc, char **argv)
{
	int n, i;

	if (shell_unsupported(s, c, s->ops->pci_assignable))
		return;
	n = s->ops->pci_assignable(s->ctx, s->u.pcis, SHELL_MAX_DEVS);
	if (n < 0) {
		shell_errbuf(s);
		shell_fail(s, c, n);
		return;
	}
	for (i = 0; i < n && i < SHELL_MAX_DEVS; i++)
		shell_fmt_pci(s, &s->u.pcis[i], false);
}

static void shell_nics_of(struct shell *s, const struct shell_cmd *c,
			  const struct shell_dom *d)
{
	int n = s->ops->net_list(s->ctx, d->id, s->u.nics, SHELL_MAX_DEVS);
	int i;

	if (n < 0) {
		shell_errbuf(s);
		shell_fail(s, c, n);
		return;
	}
	for (i = 0; i < n && i < SHELL_MAX_DEVS; i++)
		shell_fmt_nic(s, &s->u.nics[i]);
}

static void shell_cmd_network_list(struct shell *s, const struct shell_cmd *c,
				   int argc, char **argv)
{
	int nr, i;

	if (shell_unsupported(s, c, s->ops->net_list))
		return;
	nr = shell_doms_for(s, c, argc - 1, argv + 1);
	if (nr < 0)
		return;
	shell_fmt_nic_header(s);
	for (i = 1; i < argc; i++)
		shell_nics_of(s, c, shell_find_dom(s, nr, argv[i]));
}

static void shell_vbds_of(struct shell *s, const struct shell_cmd *c,
			  const struct shell_dom *d)
{
	int n = s->ops->blk_list(s->ctx, d->id, s->u.vbds, SHELL_MAX_DEVS);
	int i;

	if (n < 0) {
		shell_errbuf(s);
		shell_fail(s, c, n);
		return;
	}
	for (i = 0; i < n && i < SHELL_MAX_DEVS; i++)
		shell_fmt_vbd(s, &s->u.vbds[i]);
}

static void shell_cmd_block_list(struct shell *s, const struct shell_cmd *c,
				 int argc, char **argv)
{
	int nr, i;

	if (shell_unsupported(s, c, s->ops->blk_list))
		return;
	nr = shell_doms_for(s, c, argc - 1, argv + 1);
	if (nr < 0)
		return;
	shell_fmt_vbd_header(s);
	for (i = 1; i < argc; i++)
		shell_vbds_of(s, c, shell_find_dom(s, nr, argv[i]));
}

static void shell_cmd_dmesg(struct shell *s, const struct shell_cmd *c,
			    int argc, char **argv)
{
	size_t off = 0, n;
	char last = '\n';

	if (shell_unsupported(s, c, s->ops->dmesg))
		return;
	while ((n = s->ops->dmesg(s->ctx, off, s->u.text, sizeof(s->u.text))) >
	       0) {
		if (n > sizeof(s->u.text))
			n = sizeof(s->u.text);
		shell_write_text(s, s->u.text, n);
		last = s->u.text[n - 1];
		off += n;
	}
	/* The prompt starts a line of its own. */
	if (last != '\n')
		shell_write(s, "\r\n", 2);
}

/* ---- Acting commands --------------------------------------------------- */

static void shell_cmd_create(struct shell *s, const struct shell_cmd *c,
			     int argc, char **argv)
{
	int rc;

	if (shell_unsupported(s, c, s->ops->create))
		return;
	/* As xl: which file is read, before what comes of it. */
	shell_printf(s, "Parsing config from %s\r\n", argv[1]);
	rc = s->ops->create(s->ctx, argv[1], shell_errbuf(s), SHELL_ERR_MAX);
	if (rc < 0)
		shell_fail(s, c, rc);
}

static void shell_cmd_action(struct shell *s, const struct shell_cmd *c,
			     int argc, char **argv)
{
	const struct shell_dom *d;
	int rc;

	if (shell_unsupported(s, c, s->ops->action))
		return;
	d = shell_dom_arg(s, c, argv[1]);
	if (!d)
		return;
	rc = s->ops->action(s->ctx, (enum shell_action)c->arg, d->id,
			    shell_errbuf(s), SHELL_ERR_MAX);
	if (rc < 0)
		shell_fail(s, c, rc);
}

static void shell_cmd_console(struct shell *s, const struct shell_cmd *c,
			      int argc, char **argv)
{
	const struct shell_dom *d;
	int rc;

	if (shell_unsupported(s, c, s->ops->console_open) ||
	    shell_unsupported(s, c, s->ops->console_input))
		return;
	d = shell_dom_arg(s, c, argv[1]);
	if (!d)
		return;
	rc =
	    s->ops->console_open(s->ctx, d->id, shell_errbuf(s), SHELL_ERR_MAX);
	if (rc < 0) {
		shell_fail(s, c, rc);
		return;
	}
	/* The one hint the user needs: how to get the prompt back. */
	shell_printf(s, "Connected to %s (%u); Ctrl-] returns\r\n", d->name,
		     d->id);
	shell_enter_console(s, d->id);
}

static void shell_cmd_vcpu_pin(struct shell *s, const struct shell_cmd *c,
			       int argc, char **argv)
{
	const struct shell_dom *d;
	unsigned long vcpu = 0;
	uint64_t cpus;
	bool all = !strcmp(argv[2], "all");
	int rc;

	if (shell_unsupported(s, c, s->ops->vcpu_pin))
		return;
	d = shell_dom_arg(s, c, argv[1]);
	if (!d)
		return;
	if (!all && !shell_parse_uint(argv[2], SHELL_MAX_VCPUS - 1, &vcpu)) {
		shell_usage_error(s, c, "invalid vcpu '%s'", argv[2]);
		return;
	}
	if (!shell_parse_cpus(argv[3], &cpus)) {
		shell_usage_error(s, c, "invalid cpu list '%s'", argv[3]);
		return;
	}
	rc = s->ops->vcpu_pin(s->ctx, d->id, all ? SHELL_VCPU_ALL : (int)vcpu,
			      cpus, shell_errbuf(s), SHELL_ERR_MAX);
	if (rc < 0)
		shell_fail(s, c, rc);
}

static void shell_cmd_vcpu_set(struct shell *s, const struct shell_cmd *c,
			       int argc, char **argv)
{
	const struct shell_dom *d;
	unsigned long nr;
	int rc;

	if (shell_unsupported(s, c, s->ops->vcpu_set))
		return;
	d = shell_dom_arg(s, c, argv[1]);
	if (!d)
		return;
	if (!shell_parse_uint(argv[2], SHELL_MAX_VCPUS, &nr) || !nr) {
		shell_usage_error(s, c, "invalid number of vcpus '%s'",
				  argv[2]);
		return;
	}
	rc = s->ops->vcpu_set(s->ctx, d->id, (unsigned int)nr, shell_errbuf(s),
			      SHELL_ERR_MAX);
	if (rc < 0)
		shell_fail(s, c, rc);
}

/* ---- top --------------------------------------------------------------- */

static void shell_cmd_top(struct shell *s, const struct shell_cmd *c, int argc,
			  char **argv)
{
	if (shell_unsupported(s, c, s->ops->list))
		return;
	shell_enter_top(s);
}

/* Keep this sample: the next frame's CPU% is the difference to it. */
static void shell_top_remember(struct shell *s, int nr)
{
	int i;

	for (i = 0; i < nr; i++) {
		s->top_prev[i].id = s->doms[i].id;
		s->top_prev[i].cpu_ns = s->doms[i].cpu_ns;
	}
	s->top_nr = (unsigned int)nr;
	s->top_at = s->now_ns;
}

void shell_top_frame(struct shell *s)
{
	const struct shell_info *info = NULL;
	uint64_t elapsed = s->top_nr ? s->now_ns - s->top_at : 0;
	int nr = shell_snapshot(s);

	if (nr < 0)
		nr = 0;
	memset(&s->u.info, 0, sizeof(s->u.info));
	if (s->ops->info && s->ops->info(s->ctx, &s->u.info) >= 0)
		info = &s->u.info;
	shell_fmt_top(s, s->doms, (unsigned int)nr, info, elapsed);
	shell_top_remember(s, nr);
}

/* ---- help and the table ------------------------------------------------ */

static void shell_cmd_help(struct shell *s, const struct shell_cmd *c, int argc,
			   char **argv);

static const struct shell_cmd shell_cmds[] = {
	{ "list", "[domain...]", "List all domains, or the ones named", 0,
	  SHELL_ARGS_ANY, 0, shell_cmd_list },
	{ "info", "", "Show the host and the hypervisor", 0, 0, 0,
	  shell_cmd_info },
	{ "create", "<cfg-file>", "Create a domain from a config file", 1, 1, 0,
	  shell_cmd_create },
	{ "destroy", "<domain>", "Terminate a domain at once", 1, 1,
	  SHELL_DESTROY, shell_cmd_action },
	{ "shutdown", "<domain>", "Ask a domain to shut down", 1, 1,
	  SHELL_SHUTDOWN, shell_cmd_action },
	{ "reboot", "<domain>", "Ask a domain to reboot", 1, 1, SHELL_REBOOT,
	  shell_cmd_action },
	{ "pause", "<domain>", "Pause a domain", 1, 1, SHELL_PAUSE,
	  shell_cmd_action },
	{ "unpause", "<domain>", "Unpause a paused domain", 1, 1, SHELL_UNPAUSE,
	  shell_cmd_action },
	{ "console", "<domain>", "Attach to a domain's console (Ctrl-] leaves)",
	  1, 1, 0, shell_cmd_console },
	{ "vcpu-list", "[domain...]", "List the vCPUs of all or some domains",
	  0, SHELL_ARGS_ANY, 0, shell_cmd_vcpu_list },
	{ "vcpu-pin", "<domain> <vcpu|all> <cpus>",
	  "Set the CPUs a vCPU may run on (all, 0-3, 0,2, ^1)", 3, 3, 0,
	  shell_cmd_vcpu_pin },
	{ "vcpu-set", "<domain> <vcpus>", "Set a domain's number of vCPUs", 2,
	  2, 0, shell_cmd_vcpu_set },
	{ "pci-list", "<domain>", "List a domain's passed-through PCI devices",
	  1, 1, 0, shell_cmd_pci_list },
	{ "pci-assignable-list", "", "List the PCI devices free to assign", 0,
	  0, 0, shell_cmd_pci_assignable },
	{ "network-list", "<domain...>", "List a domain's network interfaces",
	  1, SHELL_ARGS_ANY, 0, shell_cmd_network_list },
	{ "block-list", "<domain...>", "List a domain's block devices", 1,
	  SHELL_ARGS_ANY, 0, shell_cmd_block_list },
	{ "dmesg", "", "Show the hypervisor's log", 0, 0, 0, shell_cmd_dmesg },
	{ "top", "", "Watch CPU, memory and I/O per domain (q leaves)", 0, 0, 0,
	  shell_cmd_top },
	{ "help", "[command]", "List the commands, or show one's usage", 0, 1,
	  0, shell_cmd_help },
};

const struct shell_cmd *shell_cmd_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(shell_cmds); i++)
		if (!strcmp(shell_cmds[i].name, name))
			return &shell_cmds[i];
	return NULL;
}

static void shell_cmd_help(struct shell *s, const struct shell_cmd *c, int argc,
			   char **argv)
{
	const struct shell_cmd *h;
	unsigned int i;

	if (argc == 1) {
		for (i = 0; i < ARRAY_SIZE(shell_cmds); i++)
			shell_printf(s, " %-20s %s\r\n", shell_cmds[i].name,
				     shell_cmds[i].help);
		shell_puts(s, "Domains are given by name or id; "
			      "'help <command>' shows its usage.\r\n");
		return;
	}
	h = shell_cmd_find(argv[1]);
	if (!h) {
		shell_usage_error(s, c, "unknown command '%s'", argv[1]);
		return;
	}
	shell_usage(s, h);
	shell_printf(s, "%s\r\n", h->help);
}

void shell_run(struct shell *s, int argc, char **argv)
{
	const struct shell_cmd *c = shell_cmd_find(argv[0]);
	unsigned int nargs = (unsigned int)argc - 1;

	if (!c) {
		shell_printf(s, "unknown command '%s'\r\n", argv[0]);
		shell_puts(s, "type 'help' for the list of commands\r\n");
		return;
	}
	if (nargs < c->min_args) {
		shell_usage_error(s, c, "missing argument");
		return;
	}
	if (nargs > c->max_args) {
		shell_usage_error(s, c, "unexpected argument '%s'",
				  argv[c->max_args + 1]);
		return;
	}
	c->run(s, c, argc, argv);
}
