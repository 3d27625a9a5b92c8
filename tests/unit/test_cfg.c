/*
 * The control domain's domain config parser and layout check
 * (stubdom/control/cfg_*.c), and the default configs in configs/domains.
 *
 * Each text is copied into a buffer of exactly its length, without a
 * terminating NUL, so the sanitizer catches a read past the end.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cfg.h"

#define MIN "name = \"g\"\nkernel = \"g.elf\"\nmemory = 64\n"

static struct dom_cfg cfg;
static char err[256];

static int parse_len(const char *file, const char *text, size_t len)
{
	char *buf = malloc(len ? len : 1);
	int rc;

	assert_non_null(buf);
	memcpy(buf, text, len);
	memset(err, 'X', sizeof(err));
	rc = cfg_parse(file, buf, len, &cfg, err, sizeof(err));
	free(buf);
	return rc;
}

static int parse(const char *text)
{
	return parse_len("t.cfg", text, strlen(text));
}

/* text is refused with exactly msg. */
#define BAD(text, msg)                             \
	do {                                       \
		assert_int_equal(parse(text), -1); \
		assert_string_equal(err, msg);     \
	} while (0)

#define GOOD(text)                                \
	do {                                      \
		int rc_ = parse(text);            \
		if (rc_)                          \
			print_error("%s\n", err); \
		assert_int_equal(rc_, 0);         \
	} while (0)

/* ---- Good files --------------------------------------------------------- */

static void test_minimal_and_defaults(void **state)
{
	(void)state;
	GOOD(MIN);
	assert_string_equal(err, "");
	assert_string_equal(cfg.file, "t.cfg");
	assert_string_equal(cfg.name, "g");
	assert_string_equal(cfg.kernel, "g.elf");
	assert_string_equal(cfg.extra, "");
	assert_int_equal(cfg.memory_mib, 64);
	assert_int_equal(cfg.vcpus, 1);
	assert_int_equal(cfg.maxvcpus, 1);
	assert_true(cfg.cpus == ~0ull);
	assert_int_equal(cfg.weight, 256);
	assert_int_equal(cfg.cap, 0);
	assert_int_equal(cfg.nr_pci + cfg.nr_vifs + cfg.nr_disks, 0);
	assert_int_equal(cfg.on_crash, CFG_ACTION_DESTROY);
	assert_int_equal(cfg.on_poweroff, CFG_ACTION_DESTROY);
	assert_int_equal(cfg.on_reboot, CFG_ACTION_RESTART);
	assert_false(cfg.driver_domain);
	assert_false(cfg.xenstore_domain);
}

static const char every_key[] =
    "# A driver domain with every key.\n"
    "\n"
    "name = 'net-dom_1'   # single quotes\n"
    "type=\"pv\"\n"
    "kernel = \"netdom.elf\"\n"
    "extra = \"sbdf=16 # not a comment\"\n"
    "memory = 0x40\n"
    "maxvcpus = 4\n"
    "vcpus = 2\n"
    "cpus = \"0,2,5-7\"\n"
    "weight = 512\n"
    "cap = 150\n"
    "pci = [ \"0000:00:02.0\",\n"
    "        '01:1f.7', # a comment in a list\n"
    "\n"
    "        \"0001:ff:00.1\", ]\n"
    "vif = [ \"mac=00:16:3e:01:02:0A, backend=other\",\n"
    "        \"backend=other\" ]\n"
    "disk = [\n"
    "  \"backend=blk, vdev=xvdb, access=ro, target=1:0+65536\",\n"
    "  'vdev=xvdq,backend=blk,target=1:gpt:2'\n"
    "]\n"
    "on_crash = \"restart\"\n"
    "on_poweroff = 'preserve'\n"
    "on_reboot = \"destroy\"\n"
    "driver_domain = 1\n"
    "xenstore_domain = 0\n";

static void check_every_key(void)
{
	assert_string_equal(cfg.name, "net-dom_1");
	assert_string_equal(cfg.kernel, "netdom.elf");
	assert_string_equal(cfg.extra, "sbdf=16 # not a comment");
	assert_int_equal(cfg.memory_mib, 64);
	assert_int_equal(cfg.maxvcpus, 4);
	assert_int_equal(cfg.vcpus, 2);
	assert_true(cfg.cpus == 0xe5);
	assert_int_equal(cfg.weight, 512);
	assert_int_equal(cfg.cap, 150);
	assert_int_equal(cfg.nr_pci, 3);
	assert_int_equal(cfg.pci[0], 0x10);
	assert_int_equal(cfg.pci[1], 0x1ff);
	assert_int_equal(cfg.pci[2], 0x1ff01);
	assert_int_equal(cfg.nr_vifs, 2);
	assert_true(cfg.vifs[0].mac_set);
	assert_memory_equal(cfg.vifs[0].mac, "\x00\x16\x3e\x01\x02\x0a", 6);
	assert_string_equal(cfg.vifs[0].backend, "other");
	assert_false(cfg.vifs[1].mac_set);
	assert_int_equal(cfg.nr_disks, 2);
	assert_string_equal(cfg.disks[0].backend, "blk");
	assert_int_equal(cfg.disks[0].vdev, 51728);
	assert_string_equal(cfg.disks[0].target, "1:0+65536");
	assert_true(cfg.disks[0].readonly);
	/* xvdq is past major 202's 16 disks: Xen's extended number. */
	assert_int_equal(cfg.disks[1].vdev, (1u << 28) | (16u << 8));
	assert_string_equal(cfg.disks[1].target, "1:gpt:2");
	assert_false(cfg.disks[1].readonly);
	assert_int_equal(cfg.on_crash, CFG_ACTION_RESTART);
	assert_int_equal(cfg.on_poweroff, CFG_ACTION_PRESERVE);
	assert_int_equal(cfg.on_reboot, CFG_ACTION_DESTROY);
	assert_true(cfg.driver_domain);
	assert_false(cfg.xenstore_domain);
}

static void test_every_key(void **state)
{
	(void)state;
	GOOD(every_key);
	check_every_key();
}

static void test_crlf(void **state)
{
	char text[sizeof(every_key) * 2];
	size_t n = 0;

	(void)state;
	for (const char *s = every_key; *s; s++) {
		if (*s == '\n')
			text[n++] = '\r';
		text[n++] = *s;
	}
	assert_int_equal(parse_len("t.cfg", text, n), 0);
	check_every_key();
	/* Line numbers count CRLF lines too. */
	BAD("name = \"g\"\r\nkernel = \"g.elf\"\r\nmemroy = 64\r\n",
	    "t.cfg:3: unknown key 'memroy'");
}

static void test_no_final_newline_and_length(void **state)
{
	(void)state;
	GOOD("name = \"g\"\nkernel = \"g.elf\"\nmemory = 64");
	assert_int_equal(cfg.memory_mib, 64);
	GOOD("name = \"g\"\nkernel = \"g.elf\"\nmemory = 64 # end");
	/* Only len bytes are read: the "8" after them is not part of it. */
	assert_int_equal(parse_len("t.cfg",
				   MIN "vcpus = 2"
				       "8",
				   strlen(MIN) + 9),
			 0);
	assert_int_equal(cfg.vcpus, 2);
	/* xl's ';' between settings. */
	GOOD("name = \"g\"; kernel = \"g.elf\";\nmemory = 64;\n");
	assert_string_equal(cfg.kernel, "g.elf");
}

static void test_numbers(void **state)
{
	(void)state;
	GOOD(MIN "weight = 0xFFff\n");
	assert_int_equal(cfg.weight, 65535);
	GOOD(MIN "vcpus = 32\n");
	assert_int_equal(cfg.maxvcpus, 32);
	GOOD(MIN "maxvcpus = 8\ncap = 800\n");
	assert_int_equal(cfg.vcpus, 1);
	assert_int_equal(cfg.cap, 800);
	GOOD(MIN "cap = 0\nweight = 1\n");
	assert_int_equal(cfg.weight, 1);
}

static void test_cpus(void **state)
{
	(void)state;
	GOOD(MIN "cpus = \"all\"\n");
	assert_true(cfg.cpus == ~0ull);
	GOOD(MIN "cpus = \"0-3\"\n");
	assert_true(cfg.cpus == 0xf);
	GOOD(MIN "cpus = \"63\"\n");
	assert_true(cfg.cpus == 1ull << 63);
	GOOD(MIN "cpus = \"0-7,^2-3\"\n");
	assert_true(cfg.cpus == 0xf3);
	GOOD(MIN "cpus = \"^0\"\n");
	assert_true(cfg.cpus == ~1ull);
	BAD(MIN "cpus = \"0-\"\n", "t.cfg:4: cpus '0-' is not a CPU list like "
				   "\"all\", \"0-3\" or \"0,2,5-7\"");
	BAD(MIN "cpus = \"3-1\"\n", "t.cfg:4: cpus '3-1' is not a CPU list "
				    "like \"all\", \"0-3\" or \"0,2,5-7\"");
	BAD(MIN "cpus = \"1,,2\"\n", "t.cfg:4: cpus '1,,2' is not a CPU list "
				     "like \"all\", \"0-3\" or \"0,2,5-7\"");
	BAD(MIN "cpus = \"\"\n", "t.cfg:4: cpus '' is not a CPU list like "
				 "\"all\", \"0-3\" or \"0,2,5-7\"");
	BAD(MIN "cpus = \"0-64\"\n",
	    "t.cfg:4: cpus: CPU 64 is out of range (0-63)");
	BAD(MIN "cpus = \"1,^1\"\n", "t.cfg:4: cpus '1,^1' selects no CPU");
	BAD(MIN "cpus = 3\n",
	    "t.cfg:4: cpus: expected a string in quotes, got a number");
}

static void test_actions_and_flags(void **state)
{
	(void)state;
	GOOD(MIN "on_crash = 'preserve'\non_reboot = 'restart'\n"
		 "xenstore_domain = 1\n");
	assert_int_equal(cfg.on_crash, CFG_ACTION_PRESERVE);
	assert_true(cfg.xenstore_domain);
	BAD(MIN "on_crash = \"rename-restart\"\n",
	    "t.cfg:4: on_crash 'rename-restart' is not \"destroy\", "
	    "\"restart\" or \"preserve\"");
	BAD(MIN "on_poweroff = \"\"\n",
	    "t.cfg:4: on_poweroff '' is not \"destroy\", \"restart\" or "
	    "\"preserve\"");
	BAD(MIN "driver_domain = 2\n",
	    "t.cfg:4: driver_domain 2 is out of range (0-1)");
	BAD(MIN "type = \"hvm\"\n",
	    "t.cfg:4: type 'hvm' is not supported (only \"pv\")");
	GOOD(MIN "driver_domain = 1\non_crash = \"restart\"\nstandby = 1\n");
	assert_true(cfg.standby);
	BAD(MIN "standby = 1\non_crash = \"restart\"\n",
	    "t.cfg:4: standby = 1 is for a driver domain (driver_domain = 1) "
	    "with on_crash = \"restart\"");
	BAD(MIN "driver_domain = 1\nstandby = 1\n",
	    "t.cfg:5: standby = 1 is for a driver domain (driver_domain = 1) "
	    "with on_crash = \"restart\"");
}

/* ---- Syntax errors ---------------------------------------------------------
 */

static void test_keys(void **state)
{
	(void)state;
	BAD("name = \"g\"\nkernel = \"g.elf\"\nmemroy = 64\n",
	    "t.cfg:3: unknown key 'memroy'");
	BAD(MIN "\n# again\nmemory = 32\n",
	    "t.cfg:6: 'memory' is given twice (first on line 3)");
	BAD("name = \"g\"\nmemory 64\n",
	    "t.cfg:2: expected '=' after 'memory'");
	BAD("name = \"g\"\nmemory\n", "t.cfg:2: expected '=' after 'memory'");
	BAD(MIN "= 3\n", "t.cfg:4: expected a key, got '='");
	BAD(MIN "4vcpus = 3\n", "t.cfg:4: expected a key, got '4vcpus'");
	BAD(MIN "\"vcpus\" = 3\n", "t.cfg:4: expected a key, got a string");
	BAD(MIN "vcpus = 2 3\n", "t.cfg:4: expected end of line after the "
				 "value of 'vcpus', got '3'");
	BAD(MIN "vcpus = 2 ]\n", "t.cfg:4: expected end of line after the "
				 "value of 'vcpus', got ']'");
	BAD(MIN "vcpus = \n", "t.cfg:4: vcpus: expected a number, got end of "
			      "line");
	BAD(MIN "vcpus =", "t.cfg:4: vcpus: expected a number, got end of "
			   "file");
	BAD(MIN "vcpus = two\n", "t.cfg:4: vcpus: expected a number, got "
				 "'two'");
	BAD(MIN "vcpus = -1\n", "t.cfg:4: vcpus: expected a number, got '-'");
	BAD(MIN "vcpus = \"2\"\n", "t.cfg:4: vcpus: expected a number, got a "
				   "string in quotes");
	BAD("name = g\n", "t.cfg:1: name: expected a string in quotes, got "
			  "'g'");
	BAD("name = [ \"g\" ]\n", "t.cfg:1: name: expected a string in "
				  "quotes, got a list [ ... ]");
	BAD(MIN "pci = \"00:02.0\"\n", "t.cfg:4: pci: expected a list [ ... ], "
				       "got a string in quotes");
}

static void test_strings(void **state)
{
	(void)state;
	BAD("name = \"g\nkernel = \"k\"\n", "t.cfg:1: unterminated string");
	BAD(MIN "extra = 'abc", "t.cfg:4: unterminated string");
	BAD(MIN "extra = \"it's\"'\n", "t.cfg:4: unterminated string");
	BAD(MIN "extra = \"caf\xc3\xa9\"\n",
	    "t.cfg:4: strings hold printable ASCII only");
	BAD(MIN "extra = \"a\tb\"\n",
	    "t.cfg:4: strings hold printable ASCII only");
	GOOD(MIN "extra = \"it's\" # caf\xc3\xa9 in a comment is fine\n");
	assert_string_equal(cfg.extra, "it's");
}

static void test_lists(void **state)
{
	(void)state;
	GOOD(MIN "pci = []\n");
	assert_int_equal(cfg.nr_pci, 0);
	GOOD(MIN "pci = [\n\n]\n");
	BAD(MIN "pci = [ \"00:02.0\",\n  \"00:03.0\"\n",
	    "t.cfg:4: list of 'pci' is not closed with ']'");
	BAD(MIN "pci = [ \"00:02.0\",\n  \"00:03.0\"\nvcpus = 2\n",
	    "t.cfg:6: expected ',' or ']' in the list of 'pci' (opened on "
	    "line 4), got 'vcpus'");
	BAD(MIN "pci = [ \"00:02.0\" \"00:03.0\" ]\n",
	    "t.cfg:4: expected ',' or ']' in the list of 'pci' (opened on "
	    "line 4), got a string");
	BAD(MIN "pci = [ , ]\n", "t.cfg:4: expected a string or ']' in the "
				 "list of 'pci' (opened on line 4), got ','");
	BAD(MIN "pci = [ \"00:02.0\",, ]\n",
	    "t.cfg:4: expected a string or ']' in the list of 'pci' (opened "
	    "on line 4), got ','");
	BAD(MIN "pci = [ 3 ]\n", "t.cfg:4: expected a string or ']' in the "
				 "list of 'pci' (opened on line 4), got '3'");
}

static void test_bad_numbers(void **state)
{
	(void)state;
	BAD(MIN "vcpus = 2x\n", "t.cfg:4: vcpus: '2x' is not a number");
	BAD(MIN "memory2 = 1\n", "t.cfg:4: unknown key 'memory2'");
	BAD("memory = 512M\n", "t.cfg:1: memory: '512M' is not a number");
	BAD("memory = 0x\n", "t.cfg:1: memory: '0x' is not a number");
	BAD("memory = 0x1g\n", "t.cfg:1: memory: '0x1g' is not a number");
	BAD("memory = 010\n", "t.cfg:1: memory: number '010' has a leading "
			      "zero (octal is not supported)");
	BAD("memory = 18446744073709551616\n",
	    "t.cfg:1: memory: number '18446744073709551616' is too large");
	BAD("memory = 0\n", "t.cfg:1: memory 0 is out of range (1-1048576)");
	BAD("memory = 1048577\n",
	    "t.cfg:1: memory 1048577 is out of range (1-1048576)");
	BAD(MIN "vcpus = 33\n", "t.cfg:4: vcpus 33 is out of range (1-32)");
	BAD(MIN "maxvcpus = 0\n", "t.cfg:4: maxvcpus 0 is out of range (1-32)");
	BAD(MIN "weight = 0\n", "t.cfg:4: weight 0 is out of range (1-65535)");
	BAD(MIN "weight = 65536\n",
	    "t.cfg:4: weight 65536 is out of range (1-65535)");
	BAD(MIN "cap = 3201\n", "t.cfg:4: cap 3201 is out of range (0-3200)");
}

static void test_vcpus_and_cap(void **state)
{
	(void)state;
	BAD(MIN "vcpus = 4\nmaxvcpus = 2\n",
	    "t.cfg:4: vcpus 4 is more than maxvcpus 2");
	BAD(MIN "maxvcpus = 2\n\nvcpus = 3\n",
	    "t.cfg:6: vcpus 3 is more than maxvcpus 2");
	BAD(MIN "cap = 101\n", "t.cfg:4: cap 101 is more than 100 * maxvcpus "
			       "(100)");
	BAD(MIN "cap = 300\nvcpus = 2\n",
	    "t.cfg:4: cap 300 is more than 100 * maxvcpus (200)");
	GOOD(MIN "cap = 200\nvcpus = 2\n");
}

static void test_missing_and_empty(void **state)
{
	(void)state;
	BAD("", "t.cfg: missing required key 'name'");
	BAD("\n# only a comment\n", "t.cfg: missing required key 'name'");
	BAD("name = \"g\"\nmemory = 64\n",
	    "t.cfg: missing required key 'kernel'");
	BAD("name = \"g\"\nkernel = \"g.elf\"\n",
	    "t.cfg: missing required key 'memory'");
	assert_int_equal(cfg_parse("e.cfg", NULL, 0, &cfg, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "e.cfg: missing required key 'name'");
	assert_int_equal(parse_len("guest1.cfg", "name = \"g\"\n", 11), -1);
	assert_string_equal(err, "guest1.cfg: missing required key 'kernel'");
}

static void test_text_limits(void **state)
{
	char text[600];

	(void)state;
	snprintf(text, sizeof(text), MIN "extra = \"%0*d\"\n", 240, 0);
	BAD(text, "t.cfg:4: extra is longer than 160 characters");
	/* 255 characters are a line; 256 are too many. */
	snprintf(text, sizeof(text), MIN "#%0*d\n", 254, 0);
	GOOD(text);
	snprintf(text, sizeof(text), MIN "\n#%0*d\nvcpus = 2\n", 255, 0);
	BAD(text, "t.cfg:5: line is longer than 255 characters");
	/* The CR of CRLF does not count. */
	snprintf(text, sizeof(text), MIN "#%0*d\r\n", 254, 0);
	GOOD(text);
	assert_int_equal(parse_len("t.cfg", MIN "\0", strlen(MIN) + 1), -1);
	assert_string_equal(err, "t.cfg:4: control character 0x00");
	BAD(MIN "vcpus = 2\rmaxvcpus = 2\n", "t.cfg:4: control character 0x0d");
	BAD(MIN "\x7f\n", "t.cfg:4: control character 0x7f");
	BAD(MIN "\xc3\xa9 = 1\n", "t.cfg:4: expected a key, got byte 0xc3");
}

static void test_error_buffer(void **state)
{
	char small[12];
	char *buf = malloc(3);

	(void)state;
	memcpy(buf, "x=1", 3);
	assert_int_equal(
	    cfg_parse("guest1.cfg", buf, 3, &cfg, small, sizeof(small)), -1);
	assert_string_equal(small, "guest1.cfg:");
	assert_int_equal(cfg_parse("guest1.cfg", buf, 3, &cfg, NULL, 0), -1);
	free(buf);
}

/* ---- Values ----------------------------------------------------------------
 */

static void test_name_kernel_extra(void **state)
{
	(void)state;
	BAD("name = \"a b\"\n", "t.cfg:1: name 'a b' may hold only letters, "
				"digits, '_' and '-'");
	BAD("name = \"a.b\"\n", "t.cfg:1: name 'a.b' may hold only letters, "
				"digits, '_' and '-'");
	BAD("name = ''\n", "t.cfg:1: name is empty");
	BAD("name = \"0123456789012345678901234567890x\"\n",
	    "t.cfg:1: name '0123456789012345678901234567890x' is longer than "
	    "31 characters");
	GOOD("name = \"012345678901234567890123456789x\"\n"
	     "kernel = 'k'\nmemory = 1\n");
	BAD("kernel = \"\"\n", "t.cfg:1: kernel is empty");
	BAD("kernel = \"/boot/netdom.elf\"\n",
	    "t.cfg:1: kernel '/boot/netdom.elf' must be a file name in the "
	    "boot bundle, without '/' or spaces");
	BAD("kernel = \"net dom\"\n", "t.cfg:1: kernel 'net dom' must be a "
				      "file name in the boot bundle, without "
				      "'/' or spaces");
}

static void test_pci(void **state)
{
	(void)state;
	GOOD(MIN "driver_domain = 1\npci = [ \"0000:00:03.0\", \"00:02.0\", "
		 "\"ffff:ff:1f.7\", \"A:b:C.1\" ]\n");
	assert_int_equal(cfg.nr_pci, 4);
	assert_int_equal(cfg.pci[0], 24);
	assert_int_equal(cfg.pci[1], 16);
	assert_int_equal(cfg.pci[2], 0xffffffff);
	assert_int_equal(cfg.pci[3], 0xa0b61);
	BAD(MIN "pci = [ \"00:20.0\" ]\n",
	    "t.cfg:4: pci: '00:20.0' is not a PCI address (SSSS:BB:DD.F or "
	    "BB:DD.F)");
	BAD(MIN "pci = [ \"00:02\" ]\n", "t.cfg:4: pci: '00:02' is not a PCI "
					 "address (SSSS:BB:DD.F or BB:DD.F)");
	BAD(MIN "pci = [ \"00:02.8\" ]\n",
	    "t.cfg:4: pci: '00:02.8' is not a PCI address (SSSS:BB:DD.F or "
	    "BB:DD.F)");
	BAD(MIN "pci = [ \"10000:00:02.0\" ]\n",
	    "t.cfg:4: pci: '10000:00:02.0' is not a PCI address "
	    "(SSSS:BB:DD.F or BB:DD.F)");
	BAD(MIN "pci = [ \"0:0:00:02.0\" ]\n",
	    "t.cfg:4: pci: '0:0:00:02.0' is not a PCI address (SSSS:BB:DD.F "
	    "or BB:DD.F)");
	BAD(MIN "pci = [ \"02.0\" ]\n", "t.cfg:4: pci: '02.0' is not a PCI "
					"address (SSSS:BB:DD.F or BB:DD.F)");
	BAD(MIN "pci = [ \"00:02.*\" ]\n",
	    "t.cfg:4: pci: '00:02.*' is not a PCI address (SSSS:BB:DD.F or "
	    "BB:DD.F)");
	BAD(MIN "pci = [\n\"00:02.0,rdm_policy=strict\" ]\n",
	    "t.cfg:5: pci: options are not supported ('rdm_policy=strict')");
	BAD(MIN "pci = [ \"00:02.0\",\n \"0000:00:02.0\" ]\n",
	    "t.cfg:5: pci: 0000:00:02.0 is given twice");
	BAD(MIN "pci = [ \"00:01.0\", \"00:02.0\", \"00:03.0\", \"00:04.0\",\n"
		"\"00:05.0\", \"00:06.0\", \"00:07.0\", \"00:08.0\",\n"
		"\"00:09.0\" ]\n",
	    "t.cfg:6: pci: more than 8 devices");
}

static void test_vif(void **state)
{
	(void)state;
	GOOD(MIN "vif = [ ' mac = 02:ab:CD:ef:00:ff , backend = netdom ',\n"
		 "\"backend=netdom,\" ]\n");
	assert_int_equal(cfg.nr_vifs, 2);
	assert_memory_equal(cfg.vifs[0].mac, "\x02\xab\xcd\xef\x00\xff", 6);
	assert_string_equal(cfg.vifs[1].backend, "netdom");
	BAD(MIN "vif = [\n\n\"mac=00:16:3e:zz:00:01,backend=netdom\" ]\n",
	    "t.cfg:6: vif: mac '00:16:3e:zz:00:01' is not a MAC address");
	BAD(MIN "vif = [ \"mac=00:16:3e:00:01,backend=netdom\" ]\n",
	    "t.cfg:4: vif: mac '00:16:3e:00:01' is not a MAC address");
	BAD(MIN "vif = [ \"mac=00-16-3e-00-00-01,backend=netdom\" ]\n",
	    "t.cfg:4: vif: mac '00-16-3e-00-00-01' is not a MAC address");
	BAD(MIN "vif = [ \"mac=01:16:3e:00:00:01,backend=netdom\" ]\n",
	    "t.cfg:4: vif: mac '01:16:3e:00:00:01' is a multicast address");
	BAD(MIN "vif = [ \"mac=00:16:3e:00:00:01\" ]\n",
	    "t.cfg:4: vif: missing backend= (the driver domain that serves "
	    "it)");
	BAD(MIN "vif = [ \"\" ]\n", "t.cfg:4: vif: missing backend= (the "
				    "driver domain that serves it)");
	BAD(MIN "vif = [ \"backend=netdom,bridge=xenbr0\" ]\n",
	    "t.cfg:4: vif: 'bridge' is not supported");
	BAD(MIN "vif = [ \"ip=10.0.0.1,backend=netdom\" ]\n",
	    "t.cfg:4: vif: 'ip' is not supported");
	BAD(MIN "vif = [ \"backend=netdom,macc=00:16:3e:00:00:01\" ]\n",
	    "t.cfg:4: vif: unknown option 'macc'");
	BAD(MIN "vif = [ \"backend=netdom,backend=blk\" ]\n",
	    "t.cfg:4: vif: 'backend' is given twice");
	BAD(MIN "vif = [ \"netdom\" ]\n",
	    "t.cfg:4: vif: expected key=value, got 'netdom'");
	BAD(MIN "vif = [ \"backend=net/dom\" ]\n",
	    "t.cfg:4: vif: backend 'net/dom' may hold only letters, digits, "
	    "'_' and '-'");
	BAD(MIN "vif = [ \"backend=\" ]\n", "t.cfg:4: vif: backend is empty");
	BAD(MIN "vif = [ 'backend=n', 'backend=n', 'backend=n',\n"
		"'backend=n',\n'backend=n' ]\n",
	    "t.cfg:6: vif: more than 4 vifs");
}

static void test_disk(void **state)
{
	(void)state;
	GOOD(MIN "disk = [ \"backend=b,vdev=xvda,target=1:0+8\",\n"
		 "\"access=w,vdev=xvdz,backend=b,target= 2:gpt:1 \",\n"
		 "'access=r,vdev=xvdp,backend=b,target=1:8+8' ]\n");
	assert_int_equal(cfg.nr_disks, 3);
	assert_int_equal(cfg.disks[0].vdev, 51712);
	assert_false(cfg.disks[0].readonly);
	assert_int_equal(cfg.disks[1].vdev, (1u << 28) | (25u << 8));
	assert_string_equal(cfg.disks[1].target, "2:gpt:1");
	assert_int_equal(cfg.disks[2].vdev, 51712 + 16 * 15);
	assert_true(cfg.disks[2].readonly);
	BAD(MIN "disk = [ \"backend=b,vdev=sda,target=1:0+8\" ]\n",
	    "t.cfg:4: disk: vdev 'sda' is not xvda..xvdz");
	BAD(MIN "disk = [ \"backend=b,vdev=xvdA,target=1:0+8\" ]\n",
	    "t.cfg:4: disk: vdev 'xvdA' is not xvda..xvdz");
	BAD(MIN "disk = [ \"backend=b,vdev=xvda1,target=1:0+8\" ]\n",
	    "t.cfg:4: disk: vdev 'xvda1' is not xvda..xvdz");
	BAD(MIN "disk = [ \"backend=b,vdev=xvda,access=rx,target=1:0+8\" ]\n",
	    "t.cfg:4: disk: access 'rx' is not rw, ro, w or r");
	BAD(MIN "disk = [\n\"backend=b,target=1:0+8,vdev=xvda\" ]\n",
	    "t.cfg:5: disk: target= must come last, it takes the rest of the "
	    "spec ('1:0+8,vdev=xvda')");
	BAD(MIN "disk = [ \"backend=b,vdev=xvda\" ]\n",
	    "t.cfg:4: disk: missing target= (like 1:0+65536 or 1:gpt:2)");
	BAD(MIN "disk = [ \"backend=b,vdev=xvda,target=\" ]\n",
	    "t.cfg:4: disk: target is empty");
	BAD(MIN "disk = [ \"backend=b,target=1:0+8\" ]\n",
	    "t.cfg:4: disk: missing vdev= (like xvda)");
	BAD(MIN "disk = [ \"vdev=xvda,target=1:0+8\" ]\n",
	    "t.cfg:4: disk: missing backend= (the driver domain that serves "
	    "it)");
	BAD(MIN "disk = [ \"backend=b,vdev=xvda,target=1:0+"
		"12345678901234567890123456789012345678901234567890\" ]\n",
	    "t.cfg:4: disk: target '1:0+1234567890123456789012345678901234"
	    "56' is longer than 47 characters");
	BAD(MIN "disk = [ \"phy:/dev/sda,xvda,w\" ]\n",
	    "t.cfg:4: disk: expected key=value, got 'phy:/dev/sda'");
	BAD(MIN "disk = [ \"format=raw,backend=b\" ]\n",
	    "t.cfg:4: disk: 'format' is not supported");
	BAD(MIN "disk = [ \"vdev=xvda,vdev=xvdb,target=1:0+8\" ]\n",
	    "t.cfg:4: disk: 'vdev' is given twice");
	BAD(MIN "disk = [ 'backend=b,vdev=xvda,target=1:0+8',\n"
		"'backend=b,vdev=xvdb,target=1:0+8',\n"
		"'backend=b,vdev=xvdc,target=1:0+8',\n"
		"'backend=b,vdev=xvdd,target=1:0+8',\n"
		"'backend=b,vdev=xvde,target=1:0+8' ]\n",
	    "t.cfg:8: disk: more than 4 disks");
}

/* ---- Layout check
 * ------------------------------------------------------------ */

static struct dom_cfg sys[8];

static void mk(unsigned int i, const char *file, const char *text)
{
	int rc = parse_len(file, text, strlen(text));

	if (rc)
		print_error("%s\n", err);
	assert_int_equal(rc, 0);
	sys[i] = cfg;
}

#define XS  "name='xs'\nkernel='xenstored.elf'\nmemory=16\nxenstore_domain=1\n"
#define NET "name='net'\nkernel='netdom.elf'\nmemory=32\ndriver_domain=1\n"
#define BLK "name='blk'\nkernel='blkdom.elf'\nmemory=32\ndriver_domain=1\n"
#define G1  "name='g1'\nkernel='g.elf'\nmemory=64\n"
#define G2  "name='g2'\nkernel='g.elf'\nmemory=64\n"

/* A good system: sys[0..4] = g1, blk, xs, net, g2 (in that order). */
static void mk_system(void)
{
	mk(0, "g1.cfg",
	   G1 "vif=['backend=net']\ndisk=['backend=blk,vdev=xvda,"
	      "target=1:0+8']\n");
	mk(1, "blk.cfg", BLK "pci=['00:03.0']\n");
	mk(2, "xs.cfg", XS);
	mk(3, "net.cfg", NET "pci=['00:02.0']\n");
	mk(4, "g2.cfg",
	   G2 "vif=['backend=net','backend=net,mac=00:16:3e:00:00:01']\n"
	      "disk=['backend=blk,vdev=xvda,target=1:8+8',"
	      "'backend=blk,vdev=xvdb,target=1:16+8']\n");
}

static char lerr[512];

static unsigned int check(unsigned int n, uint64_t mem)
{
	memset(lerr, 'X', sizeof(lerr));
	return cfg_check_layout(sys, n, mem, lerr, sizeof(lerr));
}

/* The system with its domain i replaced is refused with exactly msg. */
#define REFUSED(i, file, text, msg)                  \
	do {                                         \
		mk_system();                         \
		mk(i, file, text);                   \
		assert_int_equal(check(5, 2048), 1); \
		assert_string_equal(lerr, msg);      \
	} while (0)

static void test_layout_good(void **state)
{
	unsigned int order[5];

	(void)state;
	mk_system();
	assert_int_equal(check(5, 208), 0);
	assert_string_equal(lerr, "");
	cfg_boot_order(sys, 5, order);
	assert_int_equal(order[0], 2); /* xs */
	assert_int_equal(order[1], 1); /* blk */
	assert_int_equal(order[2], 3); /* net */
	assert_int_equal(order[3], 0); /* g1 */
	assert_int_equal(order[4], 4); /* g2 */
}

static void test_layout_names_and_xenstore(void **state)
{
	(void)state;
	REFUSED(4, "g2.cfg", "name='g1'\nkernel='g.elf'\nmemory=64\n",
		"g1.cfg and g2.cfg both name their domain 'g1'");
	REFUSED(0, "xs2.cfg",
		"name='xs2'\nkernel='x'\nmemory=1\n"
		"xenstore_domain=1\n",
		"xs2.cfg and xs.cfg both set xenstore_domain = 1: there is "
		"one xenstore domain");
	REFUSED(2, "xs.cfg", "name='xs'\nkernel='xenstored.elf'\nmemory=16\n",
		"no domain sets xenstore_domain = 1: one must run xenstored");
	mk_system();
	assert_int_equal(check(0, 0), 1);
	assert_string_equal(lerr, "no domain sets xenstore_domain = 1: one "
				  "must run xenstored");
}

static void test_layout_pci(void **state)
{
	(void)state;
	REFUSED(1, "blk.cfg", BLK "pci=['00:03.0','0000:00:02.0']\n",
		"pci 0000:00:02.0 is given to both 'blk' (blk.cfg) and 'net' "
		"(net.cfg)");
	REFUSED(4, "g2.cfg", G2 "pci=['00:04.0']\n",
		"g2.cfg: 'g2' has pci devices but is not a driver domain "
		"(driver_domain = 1)");
}

static void test_layout_backends(void **state)
{
	(void)state;
	REFUSED(4, "g2.cfg", G2 "vif=['backend=net','backend=nte']\n",
		"g2.cfg: vif 1 of 'g2': backend 'nte' is no domain");
	REFUSED(4, "g2.cfg", G2 "disk=['backend=g1,vdev=xvdc,target=1:0+8']\n",
		"g2.cfg: disk xvdc of 'g2': backend 'g1' (g1.cfg) is not a "
		"driver domain");
	REFUSED(3, "net.cfg", NET "vif=['backend=net']\n",
		"net.cfg: vif 0 of 'net' names its own domain as backend");
	REFUSED(1, "blk.cfg",
		BLK "disk=['backend=blk,vdev=xvda,target=1:0+8']\n",
		"blk.cfg: disk xvda of 'blk' names its own domain as backend");
	/* A driver domain may use another one's devices. */
	mk_system();
	mk(1, "blk.cfg", BLK "vif=['backend=net']\n");
	assert_int_equal(check(5, 2048), 0);
}

static void test_layout_macs(void **state)
{
	uint8_t mac[6];
	char buf[CFG_MAC_STR_LEN], text[256];

	(void)state;
	REFUSED(0, "g1.cfg", G1 "vif=['backend=net,mac=00:16:3e:00:00:01']\n",
		"MAC 00:16:3e:00:00:01 is used twice: vif 0 of 'g1' (g1.cfg) "
		"and vif 1 of 'g2' (g2.cfg)");
	REFUSED(0, "g1.cfg",
		G1 "vif=['backend=net,mac=02:00:00:00:00:01',"
		   "'backend=net,mac=02:00:00:00:00:01']\n",
		"MAC 02:00:00:00:00:01 is used twice: vif 0 of 'g1' (g1.cfg) "
		"and vif 1 of 'g1' (g1.cfg)");
	/* A configured MAC equal to one the control domain would make. */
	cfg_default_mac("g2", 0, mac);
	cfg_format_mac(mac, buf);
	snprintf(text, sizeof(text), G1 "vif=['backend=net,mac=%s']\n", buf);
	mk_system();
	mk(0, "g1.cfg", text);
	assert_int_equal(check(5, 2048), 1);
	snprintf(text, sizeof(text),
		 "MAC %s is used twice: vif 0 of 'g1' (g1.cfg) and vif 0 of "
		 "'g2' (g2.cfg) generated",
		 buf);
	assert_string_equal(lerr, text);
}

static void test_layout_vdev_and_memory(void **state)
{
	(void)state;
	REFUSED(0, "g1.cfg",
		G1 "disk=['backend=blk,vdev=xvdb,target=1:0+8',\n"
		   "'backend=blk,vdev=xvdb,target=1:8+8']\n",
		"g1.cfg: vdev xvdb is given twice in 'g1'");
	/* The same vdev in two domains is fine: each has its own. */
	mk_system();
	assert_int_equal(sys[0].disks[0].vdev, sys[4].disks[0].vdev);
	assert_int_equal(check(5, 208), 0);
	assert_int_equal(check(5, 207), 1);
	assert_string_equal(lerr, "the domains need 208 MiB of memory, the "
				  "host has 207 MiB for them");
	/* A standby needs its driver domain's memory once more. */
	mk(3, "net.cfg",
	   NET "pci=['00:02.0']\non_crash='restart'\nstandby=1\n");
	assert_int_equal(check(5, 240), 0);
	assert_int_equal(check(5, 239), 1);
	assert_string_equal(lerr, "the domains need 240 MiB of memory, the "
				  "host has 239 MiB for them");
}

static void test_layout_report(void **state)
{
	char small[80];

	(void)state;
	mk_system();
	mk(4, "g2.cfg", G1 "pci=['00:02.0']\n"); /* name g1, pci, not driver */
	assert_int_equal(check(5, 100), 4);
	assert_string_equal(lerr,
			    "g1.cfg and g2.cfg both name their domain 'g1'\n"
			    "pci 0000:00:02.0 is given to both 'net' (net.cfg) "
			    "and 'g1' (g2.cfg)\n"
			    "g2.cfg: 'g1' has pci devices but is not a "
			    "driver domain (driver_domain = 1)\n"
			    "the domains need 208 MiB of memory, the host has "
			    "100 MiB for them");
	/* Whole lines only: the second does not fit, nor any after it. */
	assert_int_equal(cfg_check_layout(sys, 5, 100, small, sizeof(small)),
			 4);
	assert_string_equal(small,
			    "g1.cfg and g2.cfg both name their domain 'g1'");
	assert_int_equal(cfg_check_layout(sys, 5, 100, NULL, 0), 4);
}

static void test_boot_order_groups(void **state)
{
	unsigned int order[6];

	(void)state;
	mk(0, "a", G1);
	mk(1, "b", NET);
	mk(2, "c", G2);
	mk(3, "d", BLK);
	mk(4, "e", XS);
	mk(5, "f", "name='x'\nkernel='k'\nmemory=1\ndriver_domain=1\n");
	cfg_boot_order(sys, 6, order);
	assert_int_equal(order[0], 4);
	assert_int_equal(order[1], 1);
	assert_int_equal(order[2], 3);
	assert_int_equal(order[3], 5);
	assert_int_equal(order[4], 0);
	assert_int_equal(order[5], 2);
}

static void test_mac_and_sbdf_helpers(void **state)
{
	uint8_t a[6], b[6];
	char buf[CFG_MAC_STR_LEN], sbuf[CFG_SBDF_STR_LEN];

	(void)state;
	cfg_default_mac("guest1", 0, a);
	cfg_default_mac("guest1", 0, b);
	assert_memory_equal(a, b, 6);
	assert_memory_equal(a, "\x00\x16\x3e", 3);
	assert_int_equal(a[3] & 0x80, 0);
	cfg_default_mac("guest1", 1, b);
	assert_memory_not_equal(a, b, 6);
	cfg_default_mac("guest2", 0, b);
	assert_memory_not_equal(a, b, 6);
	cfg_format_mac((const uint8_t *)"\x00\x16\x3e\x7f\xa0\x05", buf);
	assert_string_equal(buf, "00:16:3e:7f:a0:05");
	cfg_format_sbdf(0x12345, sbuf);
	assert_string_equal(sbuf, "0001:23:08.5");
	/* cfg_vif_mac: the configured one, or the generated one. */
	mk_system();
	cfg_vif_mac(&sys[4], 1, a);
	assert_memory_equal(a, "\x00\x16\x3e\x00\x00\x01", 6);
	cfg_vif_mac(&sys[4], 0, a);
	cfg_default_mac("g2", 0, b);
	assert_memory_equal(a, b, 6);
}

/* ---- The default configs
 * ------------------------------------------------------- */

#ifndef CFG_DOMAINS_DIR
#define CFG_DOMAINS_DIR "configs/domains"
#endif

static void load(unsigned int i, const char *name)
{
	char path[512], text[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", CFG_DOMAINS_DIR, name);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text), f);
	assert_true(n < sizeof(text));
	fclose(f);
	text[n] = '\0';
	mk(i, name, text);
}

static int find(unsigned int n, const char *name)
{
	for (unsigned int i = 0; i < n; i++)
		if (!strcmp(sys[i].name, name))
			return (int)i;
	return -1;
}

static void test_default_configs(void **state)
{
	DIR *d = opendir(CFG_DOMAINS_DIR);
	struct dirent *e;
	unsigned int n = 0, order[8];
	int net, blk;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len < 5 || strcmp(e->d_name + len - 4, ".cfg"))
			continue;
		assert_true(n < ARRAY_SIZE(sys));
		load(n++, e->d_name);
	}
	closedir(d);
	assert_int_equal(n, 5);
	assert_int_equal(check(n, 2048), 0);
	net = find(n, "netdom");
	blk = find(n, "blkdom");
	assert_true(net >= 0 && blk >= 0 && find(n, "xenstore") >= 0);
	assert_true(find(n, "guest1") >= 0 && find(n, "guest2") >= 0);
	/* The QEMU machine's e1000e and NVMe (tools/qemu.py). */
	assert_int_equal(sys[net].pci[0], 0x10);
	assert_int_equal(sys[blk].pci[0], 0x18);
	cfg_boot_order(sys, n, order);
	assert_true(sys[order[0]].xenstore_domain);
	assert_true(sys[order[1]].driver_domain && sys[order[2]].driver_domain);
	assert_false(sys[order[3]].driver_domain ||
		     sys[order[4]].driver_domain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_and_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_no_final_newline_and_length),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_actions_and_flags),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_vcpus_and_cap),
		cmocka_unit_test(test_missing_and_empty),
		cmocka_unit_test(test_text_limits),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_name_kernel_extra),
		cmocka_unit_test(test_pci),
		cmocka_unit_test(test_vif),
		cmocka_unit_test(test_disk),
		cmocka_unit_test(test_layout_good),
		cmocka_unit_test(test_layout_names_and_xenstore),
		cmocka_unit_test(test_layout_pci),
		cmocka_unit_test(test_layout_backends),
		cmocka_unit_test(test_layout_macs),
		cmocka_unit_test(test_layout_vdev_and_memory),
		cmocka_unit_test(test_layout_report),
		cmocka_unit_test(test_boot_order_groups),
		cmocka_unit_test(test_mac_and_sbdf_helpers),
		cmocka_unit_test(test_default_configs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
