/*
 * The control domain's admin shell (stubdom/control/shell*.c) against a
 * fake control domain: keystrokes in, exact terminal output checked, and
 * the actions that reached the fake. Expected layouts are xl's, worked
 * out from xl's printf formats.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <public/errno.h>
#include "shell.h"

#define P SHELL_PROMPT

/* ---- The fake control domain ------------------------------------------ */

static struct shell sh;
static char out[65536];
static size_t out_len;

static struct {
	struct shell_dom doms[3];
	unsigned int nr;
	/* The last action asked for. */
	int actions;
	enum shell_action action;
	uint16_t action_dom;
	char created[SHELL_LINE_MAX];
	int pin_vcpu;
	uint16_t pin_dom;
	uint64_t pin_cpus;
	unsigned int set_nr;
	/* Console. */
	int console_dom, console_closed;
	char console[256];
	size_t console_len;
	const char *log;
} fk;

static void fake_write(void *ctx, const char *s, size_t n)
{
	assert_true(out_len + n < sizeof(out));
	memcpy(out + out_len, s, n);
	out_len += n;
	out[out_len] = '\0';
}

static int fake_list(void *ctx, struct shell_dom *o, unsigned int max)
{
	unsigned int n = fk.nr < max ? fk.nr : max;

	memcpy(o, fk.doms, n * sizeof(*o));
	return (int)n;
}

static int fake_info(void *ctx, struct shell_info *i)
{
	strcpy(i->host, "citadel-test");
	i->nr_cpus = 4;
	i->max_cpu_id = 3;
	i->nr_nodes = 1;
	i->cores_per_socket = 4;
	i->threads_per_core = 1;
	i->cpu_khz = 2400123;
	strcpy(i->virt_caps, "pv");
	i->total_kib = 4 * 1024 * 1024;
	i->free_kib = 3 * 1024 * 1024 + 512;
	i->free_cpus = 0;
	i->xen_major = 4;
	i->xen_minor = 19;
	strcpy(i->xen_extra, ".0");
	strcpy(i->xen_caps, "xen-3.0-x86_64");
	strcpy(i->xen_scheduler, "credit");
	i->xen_pagesize = 4096;
	strcpy(i->xen_changeset, "abc123");
	strcpy(i->xen_commandline, "console=com1 loglevel=2");
	strcpy(i->cc_compiler, "gcc 12.2.0");
	strcpy(i->cc_compile_date, "2024-05-01");
	return 0;
}

static int fake_create(void *ctx, const char *cfg, char *err, size_t len)
{
	snprintf(fk.created, sizeof(fk.created), "%s", cfg);
	if (strcmp(cfg, "bad.cfg"))
		return 5;
	snprintf(err, len, "bad.cfg: line 3: unknown key 'foo'");
	return -XEN_EINVAL;
}

static int fake_action(void *ctx, enum shell_action a, uint16_t dom, char *err,
		       size_t len)
{
	fk.actions++;
	fk.action = a;
	fk.action_dom = dom;
	if (a == SHELL_PAUSE && dom == 2) {
		snprintf(err, len, "netdom is busy\nsecond line");
		return -XEN_EBUSY;
	}
	if (a == SHELL_SHUTDOWN && dom == 2)
		return -XEN_ESRCH; /* no words: the errno speaks */
	if (a == SHELL_REBOOT && dom == 2)
		return -1000;
	return 0;
}

static int fake_console_open(void *ctx, uint16_t dom, char *err, size_t len)
{
	if (dom == 2) {
		snprintf(err, len, "netdom has no console");
		return -XEN_ENOENT;
	}
	fk.console_dom = dom;
	return 0;
}

static void fake_console_input(void *ctx, uint16_t dom, const char *s, size_t n)
{
	assert_int_equal(dom, fk.console_dom);
	assert_true(fk.console_len + n < sizeof(fk.console));
	memcpy(fk.console + fk.console_len, s, n);
	fk.console_len += n;
}

static void fake_console_close(void *ctx, uint16_t dom)
{
	assert_int_equal(dom, fk.console_dom);
	fk.console_closed++;
}

static int fake_vcpu_list(void *ctx, uint16_t dom, struct shell_vcpu *v,
			  unsigned int max)
{
	if (dom == 0) {
		v[0] = (struct shell_vcpu){ .vcpu = 0,
					    .online = true,
					    .running = true,
					    .cpu = 0,
					    .cpu_ns = 12340000000ull,
					    .hard_affinity = 1,
					    .soft_affinity = ~0ull };
		return 1;
	}
	if (dom != 1)
		return -XEN_ESRCH;
	v[0] = (struct shell_vcpu){ .vcpu = 0,
				    .online = true,
				    .running = true,
				    .cpu = 2,
				    .cpu_ns = 640000000,
				    .hard_affinity = ~0ull,
				    .soft_affinity = ~0ull };
	v[1] = (struct shell_vcpu){ .vcpu = 1,
				    .online = true,
				    .blocked = true,
				    .cpu = 3,
				    .cpu_ns = 620000000,
				    .hard_affinity = 0xb,
				    .soft_affinity = 0xf };
	v[2] = (struct shell_vcpu){ .vcpu = 2, .hard_affinity = 4 };
	return 3;
}

static int fake_vcpu_pin(void *ctx, uint16_t dom, int vcpu, uint64_t cpus,
			 char *err, size_t len)
{
	fk.pin_dom = dom;
	fk.pin_vcpu = vcpu;
	fk.pin_cpus = cpus;
	return 0;
}

static int fake_vcpu_set(void *ctx, uint16_t dom, unsigned int nr, char *err,
			 size_t len)
{
	fk.set_nr = nr;
	return 0;
}

static int fake_pci_list(void *ctx, uint16_t dom, struct shell_pci *p,
			 unsigned int max)
{
	if (dom != 2)
		return 0;
	p[0] = (struct shell_pci){ .bus = 3, .vdevfn = 0 };
	p[1] = (struct shell_pci){ .bus = 4, .fn = 1, .vdevfn = 0x0a };
	return 2;
}

static int fake_pci_assignable(void *ctx, struct shell_pci *p, unsigned int max)
{
	p[0] = (struct shell_pci){ .bus = 5, .dev = 0x1f, .fn = 7 };
	p[1] = (struct shell_pci){ .seg = 1, .bus = 0xab, .dev = 2 };
	return 2;
}

static int fake_net_list(void *ctx, uint16_t dom, struct shell_nic *n,
			 unsigned int max)
{
	if (dom != 1)
		return 0;
	n[0] =
	    (struct shell_nic){ .devid = 0,
				.backend = 2,
				.mac = { 0x00, 0x16, 0x3e, 0x0a, 0x0b, 0x0c },
				.state = 4,
				.evtch = 17,
				.tx_ref = 768,
				.rx_ref = 769 };
	strcpy(n[0].be_path, "/local/domain/2/backend/vif/1/0");
	return 1;
}

static int fake_blk_list(void *ctx, uint16_t dom, struct shell_vbd *v,
			 unsigned int max)
{
	if (dom != 1)
		return -XEN_EIO;
	v[0] = (struct shell_vbd){ .vdev = 51712,
				   .backend = 3,
				   .handle = 1,
				   .state = 4,
				   .evtch = 19,
				   .ring_ref = 8 };
	strcpy(v[0].be_path, "/local/domain/3/backend/vbd/1/51712");
	return 1;
}

/* Seven bytes a call, so the shell has to come back for the rest. */
static size_t fake_dmesg(void *ctx, size_t off, char *buf, size_t len)
{
	size_t n = strlen(fk.log);

	if (off >= n)
		return 0;
	n -= off;
	if (n > 7)
		n = 7;
	memcpy(buf, fk.log + off, n);
	return n;
}

static struct shell_ops ops = {
	.write = fake_write,
	.list = fake_list,
	.info = fake_info,
	.create = fake_create,
	.action = fake_action,
	.console_open = fake_console_open,
	.console_input = fake_console_input,
	.console_close = fake_console_close,
	.vcpu_list = fake_vcpu_list,
	.vcpu_pin = fake_vcpu_pin,
	.vcpu_set = fake_vcpu_set,
	.pci_list = fake_pci_list,
	.pci_assignable = fake_pci_assignable,
	.net_list = fake_net_list,
	.blk_list = fake_blk_list,
	.dmesg = fake_dmesg,
};

static void add_dom(uint16_t id, const char *name, unsigned int state,
		    uint64_t mem_kib, unsigned int vcpus, uint64_t cpu_ns)
{
	struct shell_dom *d = &fk.doms[fk.nr++];

	memset(d, 0, sizeof(*d));
	d->id = id;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->state = state;
	d->mem_kib = mem_kib;
	d->max_vcpus = d->online_vcpus = vcpus;
	d->cpu_ns = cpu_ns;
}

static int setup(void **state)
{
	memset(&fk, 0, sizeof(fk));
	fk.console_dom = -1;
	add_dom(0, "control", SHELL_DOM_RUNNING, 65536, 1, 12340000000ull);
	add_dom(1, "guest1", SHELL_DOM_BLOCKED, 524288, 2, 1260000000ull);
	add_dom(2, "netdom", SHELL_DOM_PAUSED, 131072, 1, 987654321000ull);
	out_len = 0;
	out[0] = '\0';
	shell_init(&sh, &ops, NULL);
	return 0;
}

static void feed(const char *s)
{
	out_len = 0;
	out[0] = '\0';
	shell_input(&sh, s, strlen(s));
}

/* Run a command line; its echo, its output and the next prompt. */
static void run(const char *line)
{
	char buf[SHELL_LINE_MAX + 2];

	snprintf(buf, sizeof(buf), "%s\r", line);
	feed(buf);
}

#define expect(s) assert_string_equal(out, s)

static const char list_header[] =
    "Name                                        ID   Mem VCPUs\tState"
    "\tTime(s)\r\n";
static const char list_control[] =
    "control                                "
    "      0    64     1     r-----      12.3\r\n";
static const char list_guest1[] =
    "guest1                                 "
    "      1   512     2     -b----       1.3\r\n";
static const char list_netdom[] =
    "netdom                                 "
    "      2   128     1     --p---     987.7\r\n";

/* ---- Line editing ------------------------------------------------------ */

static void test_prompt(void **state)
{
	out_len = 0;
	shell_init(&sh, &ops, NULL);
	expect(P);
	feed("\r");
	expect("\r\n" P);
	feed("   \t \r");
	expect("    \r\n" P);
}

static void test_echo_and_backspace(void **state)
{
	feed("lisx");
	expect("lisx");
	feed("\x7f");
	expect("\b \b");
	feed("\x08\x08\x08\x08\x08");
	expect("\b \b\b \b\b \b");
	feed("list guest1\r");
	char want[512];
	snprintf(want, sizeof(want), "list guest1\r\n%s%s" P, list_header,
		 list_guest1);
	expect(want);
}

static void test_ctrl_u(void **state)
{
	feed("destroy x");
	feed("\x15");
	expect("\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b\b \b");
	feed("\r");
	expect("\r\n" P);
	assert_int_equal(fk.actions, 0);
}

static void test_ctrl_c(void **state)
{
	feed("destroy guest1\x03");
	expect("destroy guest1^C\r\n" P);
	feed("\r");
	expect("\r\n" P);
	assert_int_equal(fk.actions, 0);
}

static void test_overlong_line(void **state)
{
	char line[301], want[600];

	memset(line, 'a', 300);
	line[300] = '\0';
	feed(line);
	assert_int_equal(out_len, SHELL_LINE_MAX - 1);
	/* Still refused after an erase: characters were lost. */
	feed("\x7f\r");
	expect("\b \b\r\nxl: line too long (at most 255 characters)\r\n" P);
	/* The next line is fine. */
	memset(line, 'a', 255);
	line[255] = '\0';
	feed(line);
	feed("\r");
	snprintf(want, sizeof(want), "\r\nunknown command '%s'\r\n", line);
	assert_memory_equal(out, want, strlen(want));
}

static void test_line_ends(void **state)
{
	char want[512];

	/* CR LF is one line end, LF alone is one too. */
	feed("list control\r\nlist control\n");
	snprintf(want, sizeof(want),
		 "list control\r\n%s%s" P "list control\r\n%s%s" P, list_header,
		 list_control, list_header, list_control);
	expect(want);
	/* The LF may come in the next batch. */
	feed("\r");
	expect("\r\n" P);
	feed("\n");
	expect("");
	/* Arrow keys and other escape sequences are swallowed. */
	feed("\033[A\033OB\033[1;5Cpause\033[D guest1\r");
	expect("pause guest1\r\n" P);
	assert_int_equal(fk.action, SHELL_PAUSE);
	/* Control and 8-bit bytes are ignored. */
	feed("\x01\x02\t\x80\xff");
	expect("");
}

/* ---- Commands ---------------------------------------------------------- */

static void test_list(void **state)
{
	char want[1024];

	run("list");
	snprintf(want, sizeof(want), "list\r\n%s%s%s%s" P, list_header,
		 list_control, list_guest1, list_netdom);
	expect(want);
	run("list netdom 1");
	snprintf(want, sizeof(want), "list netdom 1\r\n%s%s%s" P, list_header,
		 list_netdom, list_guest1);
	expect(want);
}

static void test_list_nosuch(void **state)
{
	run("list guest1 nosuch");
	expect("list guest1 nosuch\r\n"
	       "xl: list: no domain 'nosuch'\r\n"
	       "usage: list [domain...]\r\n" P);
	/* More words than any command takes: refused, not cut short. */
	char line[256] = "list";
	for (int i = 0; i < 70; i++)
		strcat(line, " 1");
	run(line);
	assert_non_null(strstr(out, "\r\nxl: list: unexpected argument '1'\r\n"
				    "usage: list [domain...]\r\n" P));
	run("list 7");
	expect("list 7\r\nxl: list: no domain '7'\r\n"
	       "usage: list [domain...]\r\n" P);
}

static void test_info(void **state)
{
	run("info");
	expect("info\r\n"
	       "host                   : citadel-test\r\n"
	       "nr_cpus                : 4\r\n"
	       "max_cpu_id             : 3\r\n"
	       "nr_nodes               : 1\r\n"
	       "cores_per_socket       : 4\r\n"
	       "threads_per_core       : 1\r\n"
	       "cpu_mhz                : 2400.123\r\n"
	       "virt_caps              : pv\r\n"
	       "total_memory           : 4096\r\n"
	       "free_memory            : 3072\r\n"
	       "free_cpus              : 0\r\n"
	       "xen_major              : 4\r\n"
	       "xen_minor              : 19\r\n"
	       "xen_extra              : .0\r\n"
	       "xen_version            : 4.19.0\r\n"
	       "xen_caps               : xen-3.0-x86_64\r\n"
	       "xen_scheduler          : credit\r\n"
	       "xen_pagesize           : 4096\r\n"
	       "xen_changeset          : abc123\r\n"
	       "xen_commandline        : console=com1 loglevel=2\r\n"
	       "cc_compiler            : gcc 12.2.0\r\n"
	       "cc_compile_date        : 2024-05-01\r\n" P);
	run("info x");
	expect("info x\r\nxl: info: unexpected argument 'x'\r\n"
	       "usage: info\r\n" P);
}

static const char vcpu_header[] =
    "Name                                ID  VCPU   CPU State   Time(s) "
    "Affinity (Hard / Soft)\r\n";
static const char vcpu_guest1[] =
    "guest1                               1     0    2   r--       0.6  "
    "all / all\r\n"
    "guest1                               1     1    3   -b-       0.6  "
    "0-1,3 / all\r\n"
    "guest1                               1     2    -   --p       0.0  "
    "2 / none\r\n";

static void test_vcpu_list(void **state)
{
	char want[1024];

	run("vcpu-list guest1");
	snprintf(want, sizeof(want), "vcpu-list guest1\r\n%s%s" P, vcpu_header,
		 vcpu_guest1);
	expect(want);
	/* All domains: one fails, says so, and the others still show. */
	run("vcpu-list");
	snprintf(want, sizeof(want),
		 "vcpu-list\r\n%s"
		 "control                              0     0    0   r--      "
		 "12.3  0 / all\r\n"
		 "%sxl: vcpu-list: no such domain\r\n" P,
		 vcpu_header, vcpu_guest1);
	expect(want);
}

static void test_vcpu_pin(void **state)
{
	run("vcpu-pin guest1 1 0-1,3");
	expect("vcpu-pin guest1 1 0-1,3\r\n" P);
	assert_int_equal(fk.pin_dom, 1);
	assert_int_equal(fk.pin_vcpu, 1);
	assert_int_equal(fk.pin_cpus, 0xb);
	run("vcpu-pin 2 all all");
	assert_int_equal(fk.pin_dom, 2);
	assert_int_equal(fk.pin_vcpu, SHELL_VCPU_ALL);
	assert_true(fk.pin_cpus == ~0ull);
	run("vcpu-pin guest1 0 0-3,^1");
	assert_int_equal(fk.pin_vcpu, 0);
	assert_int_equal(fk.pin_cpus, 0xd);
	run("vcpu-pin guest1 0 63");
	assert_true(fk.pin_cpus == 1ull << 63);
}

static void test_vcpu_pin_bad(void **state)
{
	static const char *const bad[] = { "3-1", "0,,1", "64", "1,",
					   "x",	  "-1",	  "0-", "^1" };
	char line[64], want[256];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fk.pin_cpus = 0;
		snprintf(line, sizeof(line), "vcpu-pin guest1 0 %s", bad[i]);
		run(line);
		snprintf(want, sizeof(want),
			 "%s\r\nxl: vcpu-pin: invalid cpu list '%s'\r\n"
			 "usage: vcpu-pin <domain> <vcpu|all> <cpus>\r\n" P,
			 line, bad[i]);
		expect(want);
		assert_int_equal(fk.pin_cpus, 0);
	}
	run("vcpu-pin guest1 one 0");
	expect("vcpu-pin guest1 one 0\r\nxl: vcpu-pin: invalid vcpu 'one'\r\n"
	       "usage: vcpu-pin <domain> <vcpu|all> <cpus>\r\n" P);
	run("vcpu-pin guest1 0");
	expect("vcpu-pin guest1 0\r\nxl: vcpu-pin: missing argument\r\n"
	       "usage: vcpu-pin <domain> <vcpu|all> <cpus>\r\n" P);
}

static void test_vcpu_set(void **state)
{
	run("vcpu-set guest1 two");
	expect("vcpu-set guest1 two\r\n"
	       "xl: vcpu-set: invalid number of vcpus 'two'\r\n"
	       "usage: vcpu-set <domain> <vcpus>\r\n" P);
	run("vcpu-set guest1 0");
	expect("vcpu-set guest1 0\r\n"
	       "xl: vcpu-set: invalid number of vcpus '0'\r\n"
	       "usage: vcpu-set <domain> <vcpus>\r\n" P);
	run("vcpu-set guest1 -2");
	expect("vcpu-set guest1 -2\r\n"
	       "xl: vcpu-set: invalid number of vcpus '-2'\r\n"
	       "usage: vcpu-set <domain> <vcpus>\r\n" P);
	assert_int_equal(fk.set_nr, 0);
	run("vcpu-set guest1 2");
	expect("vcpu-set guest1 2\r\n" P);
	assert_int_equal(fk.set_nr, 2);
}

static void test_destroy(void **state)
{
	run("destroy guest1");
	expect("destroy guest1\r\n" P);
	assert_int_equal(fk.actions, 1);
	assert_int_equal(fk.action, SHELL_DESTROY);
	assert_int_equal(fk.action_dom, 1);
	run("destroy 2");
	expect("destroy 2\r\n" P);
	assert_int_equal(fk.actions, 2);
	assert_int_equal(fk.action_dom, 2);
	run("reboot control");
	assert_int_equal(fk.action, SHELL_REBOOT);
	assert_int_equal(fk.action_dom, 0);
	run("shutdown guest1");
	assert_int_equal(fk.action, SHELL_SHUTDOWN);
	run("unpause 1");
	assert_int_equal(fk.action, SHELL_UNPAUSE);
	assert_int_equal(fk.actions, 5);
}

static void test_destroy_bad(void **state)
{
	run("destroy");
	expect("destroy\r\nxl: destroy: missing argument\r\n"
	       "usage: destroy <domain>\r\n" P);
	run("destroy foo");
	expect("destroy foo\r\nxl: destroy: no domain 'foo'\r\n"
	       "usage: destroy <domain>\r\n" P);
	run("destroy guest1 netdom");
	expect("destroy guest1 netdom\r\n"
	       "xl: destroy: unexpected argument 'netdom'\r\n"
	       "usage: destroy <domain>\r\n" P);
	assert_int_equal(fk.actions, 0);
}

static void test_action_errors(void **state)
{
	run("pause netdom");
	expect("pause netdom\r\nxl: pause: netdom is busy\r\n" P);
	run("shutdown netdom");
	expect("shutdown netdom\r\nxl: shutdown: no such domain\r\n" P);
	run("reboot netdom");
	expect("reboot netdom\r\nxl: reboot: error -1000\r\n" P);
}

static void test_create(void **state)
{
	run("create configs/domains/guest1.cfg");
	expect("create configs/domains/guest1.cfg\r\n"
	       "Parsing config from configs/domains/guest1.cfg\r\n" P);
	assert_string_equal(fk.created, "configs/domains/guest1.cfg");
	run("create bad.cfg");
	expect("create bad.cfg\r\nParsing config from bad.cfg\r\n"
	       "xl: create: bad.cfg: line 3: unknown key 'foo'\r\n" P);
	assert_string_equal(fk.created, "bad.cfg");
	run("create");
	expect("create\r\nxl: create: missing argument\r\n"
	       "usage: create <cfg-file>\r\n" P);
}

static void test_console(void **state)
{
	feed("console guest1\r\n");
	expect("console guest1\r\nConnected to guest1 (1); Ctrl-] returns\r\n");
	assert_int_equal(fk.console_dom, 1);
	/* Everything goes to the domain, control bytes and all, unechoed. */
	feed("ls -l\r\x7f\x03\nq");
	expect("");
	assert_int_equal(fk.console_len, 10);
	assert_memory_equal(fk.console, "ls -l\r\x7f\x03\nq", 10);
	/* Ctrl-] leaves; the rest of the batch is the shell's again. */
	feed("ab\x1dlist control\r");
	char want[512];
	snprintf(want, sizeof(want), "\r\n" P "list control\r\n%s%s" P,
		 list_header, list_control);
	expect(want);
	assert_memory_equal(fk.console, "ls -l\r\x7f\x03\nqab", 12);
	assert_int_equal(fk.console_len, 12);
	assert_int_equal(fk.console_closed, 1);
}

static void test_console_errors(void **state)
{
	run("console netdom");
	expect("console netdom\r\nxl: console: netdom has no console\r\n" P);
	run("console");
	expect("console\r\nxl: console: missing argument\r\n"
	       "usage: console <domain>\r\n" P);
	/* The domain went away while attached. */
	run("console 1");
	shell_console_end(&sh, "domain 1 is gone");
	expect("console 1\r\nConnected to guest1 (1); Ctrl-] returns\r\n"
	       "\r\nxl: console: domain 1 is gone\r\n" P);
	assert_int_equal(fk.console_closed, 1);
	shell_console_end(&sh, "again");
	assert_int_equal(fk.console_closed, 1);
}

static void test_device_lists(void **state)
{
	run("network-list guest1");
	expect("network-list guest1\r\n"
	       "Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref "
	       "BE-path                       \r\n"
	       "0   2  00:16:3e:0a:0b:0c     0     4     17   768/769         "
	       "/local/domain/2/backend/vif/1/0\r\n" P);
	run("block-list guest1");
	expect("block-list guest1\r\n"
	       "Vdev  BE  handle state evt-ch ring-ref BE-path               "
	       "        \r\n"
	       "51712 3   1      4     19     8        "
	       "/local/domain/3/backend/vbd/1/51712\r\n" P);
	run("block-list netdom");
	expect("block-list netdom\r\n"
	       "Vdev  BE  handle state evt-ch ring-ref BE-path               "
	       "        \r\n"
	       "xl: block-list: I/O error\r\n" P);
	run("pci-list netdom");
	expect("pci-list netdom\r\nVdev Device\r\n00.0 0000:03:00.0\r\n"
	       "01.2 0000:04:00.1\r\n" P);
	run("pci-assignable-list");
	expect("pci-assignable-list\r\n0000:05:1f.7\r\n0001:ab:02.0\r\n" P);
	run("network-list");
	expect("network-list\r\nxl: network-list: missing argument\r\n"
	       "usage: network-list <domain...>\r\n" P);
	run("pci-list nosuch");
	expect("pci-list nosuch\r\nxl: pci-list: no domain 'nosuch'\r\n"
	       "usage: pci-list <domain>\r\n" P);
}

static void test_dmesg(void **state)
{
	fk.log = "(XEN) line one\n(XEN) line two\r\n(XEN) three";
	run("dmesg");
	expect(
	    "dmesg\r\n(XEN) line one\r\n(XEN) line two\r\n(XEN) three\r\n" P);
	fk.log = "";
	run("dmesg");
	expect("dmesg\r\n" P);
}

static const char top_header[] =
    "      NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%) VCPUS NETS "
    "NETTX(k) NETRX(k) VBDS   VBD_RD   VBD_WR\r\n";

static void test_top(void **state)
{
	char want[2048];

	fk.doms[1].nets = 1;
	fk.doms[1].net_tx_bytes = 10 * 1024 + 1023;
	fk.doms[1].net_rx_bytes = 2048;
	fk.doms[1].vbds = 1;
	fk.doms[1].vbd_rd_reqs = 300;
	fk.doms[1].vbd_wr_reqs = 42;
	shell_tick(&sh, 5 * SHELL_NS);
	run("top");
	/* The first frame has no earlier sample: 0.0 everywhere. */
	snprintf(want, sizeof(want),
		 "top\r\n\033[H\033[2J"
		 "top - Xen 4.19.0   (q to leave)\r\n"
		 "3 domains: 1 running, 1 blocked, 1 paused, 0 crashed, "
		 "0 dying, 0 shutdown\r\n"
		 "Mem: 4194304k total, 1048064k used, 3146240k free    "
		 "CPUs: 4 @ 2400MHz\r\n"
		 "%s"
		 "   control -----r         12    0.0      65536    1.6     1 "
		 "   0        0        0    0        0        0\r\n"
		 "    guest1 --b---          1    0.0     524288   12.5     2 "
		 "   1       10        2    1      300       42\r\n"
		 "    netdom ----p-        987    0.0     131072    3.1     1 "
		 "   0        0        0    0        0        0\r\n",
		 top_header);
	expect(want);

	/* 1 s later: 0.1 s, 1.5 s (two vCPUs) and nothing more run. */
	fk.doms[0].cpu_ns += 100000000;
	fk.doms[1].cpu_ns += 1500000000;
	out_len = 0;
	out[0] = '\0';
	shell_tick(&sh, 5 * SHELL_NS + SHELL_NS / 2);
	expect("");
	shell_tick(&sh, 6 * SHELL_NS);
	snprintf(want, sizeof(want),
		 "\033[H\033[2J"
		 "top - Xen 4.19.0   (q to leave)\r\n"
		 "3 domains: 1 running, 1 blocked, 1 paused, 0 crashed, "
		 "0 dying, 0 shutdown\r\n"
		 "Mem: 4194304k total, 1048064k used, 3146240k free    "
		 "CPUs: 4 @ 2400MHz\r\n"
		 "%s"
		 "   control -----r         12   10.0      65536    1.6     1 "
		 "   0        0        0    0        0        0\r\n"
		 "    guest1 --b---          2  150.0     524288   12.5     2 "
		 "   1       10        2    1      300       42\r\n"
		 "    netdom ----p-        987    0.0     131072    3.1     1 "
		 "   0        0        0    0        0        0\r\n",
		 top_header);
	expect(want);

	/* Keys other than q do nothing; q leaves; ticks then draw nothing. */
	feed("x\r");
	expect("");
	feed("q");
	expect(P);
	shell_tick(&sh, 8 * SHELL_NS);
	expect(P);
	run("top");
	feed("\x03");
	expect(P);
}

static void test_help(void **state)
{
	static const char *const cmds[] = {
		"list",		"info",
		"create",	"destroy",
		"shutdown",	"reboot",
		"pause",	"unpause",
		"console",	"vcpu-list",
		"vcpu-pin",	"vcpu-set",
		"pci-list",	"pci-assignable-list",
		"network-list", "block-list",
		"dmesg",	"top",
		"help",
	};
	char word[64];
	unsigned int i;

	run("help");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(word, sizeof(word), "\n %-20s ", cmds[i]);
		assert_non_null(strstr(out, word));
	}
	assert_non_null(strstr(out, "'help <command>'"));
	run("help destroy");
	expect("help destroy\r\nusage: destroy <domain>\r\n"
	       "Terminate a domain at once\r\n" P);
	run("help frob");
	expect("help frob\r\nxl: help: unknown command 'frob'\r\n"
	       "usage: help [command]\r\n" P);
}

static void test_unknown(void **state)
{
	run("frob guest1");
	expect("frob guest1\r\nunknown command 'frob'\r\n"
	       "type 'help' for the list of commands\r\n" P);
	/* xl's names only: no uptime. */
	run("uptime");
	expect("uptime\r\nunknown command 'uptime'\r\n"
	       "type 'help' for the list of commands\r\n" P);
}

static void test_unsupported(void **state)
{
	static const struct shell_ops few = { .write = fake_write };

	shell_init(&sh, &few, NULL);
	run("dmesg");
	expect("dmesg\r\nxl: dmesg: not supported\r\n" P);
	run("destroy guest1");
	expect("destroy guest1\r\nxl: destroy: not supported\r\n" P);
	run("list");
	expect("list\r\nxl: list: not supported\r\n" P);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_prompt, setup),
		cmocka_unit_test_setup(test_echo_and_backspace, setup),
		cmocka_unit_test_setup(test_ctrl_u, setup),
		cmocka_unit_test_setup(test_ctrl_c, setup),
		cmocka_unit_test_setup(test_overlong_line, setup),
		cmocka_unit_test_setup(test_line_ends, setup),
		cmocka_unit_test_setup(test_list, setup),
		cmocka_unit_test_setup(test_list_nosuch, setup),
		cmocka_unit_test_setup(test_info, setup),
		cmocka_unit_test_setup(test_vcpu_list, setup),
		cmocka_unit_test_setup(test_vcpu_pin, setup),
		cmocka_unit_test_setup(test_vcpu_pin_bad, setup),
		cmocka_unit_test_setup(test_vcpu_set, setup),
		cmocka_unit_test_setup(test_destroy, setup),
		cmocka_unit_test_setup(test_destroy_bad, setup),
		cmocka_unit_test_setup(test_action_errors, setup),
		cmocka_unit_test_setup(test_create, setup),
		cmocka_unit_test_setup(test_console, setup),
		cmocka_unit_test_setup(test_console_errors, setup),
		cmocka_unit_test_setup(test_device_lists, setup),
		cmocka_unit_test_setup(test_dmesg, setup),
		cmocka_unit_test_setup(test_top, setup),
		cmocka_unit_test_setup(test_help, setup),
		cmocka_unit_test_setup(test_unknown, setup),
		cmocka_unit_test_setup(test_unsupported, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
