/*
 * The control domain's domain configs (stubdom/control/cfg_parse.c and
 * cfg_check.c) on any text: raw bytes, or lines of known keys with
 * values of any shape. Each file is parsed from a buffer of exactly its
 * bytes, not NUL-terminated. What must hold: a config refused says so
 * in one NUL-terminated line naming its file; one taken is within every
 * limit cfg.h states; the layout check of the taken ones writes only
 * whole, terminated lines into a buffer of any size; the boot order is
 * a permutation with the xenstore domain first.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../stubdom/control/cfg.h"
#include "fuzz.h"

#define NFILES	 4
#define TEXT_MAX 2048

static const char *const KEYS[] = {
	"name",
	"type",
	"kernel",
	"extra",
	"memory",
	"vcpus",
	"maxvcpus",
	"cpus",
	"weight",
	"cap",
	"pci",
	"vif",
	"disk",
	"on_crash",
	"on_poweroff",
	"on_reboot",
	"standby",
	"driver_domain",
	"xenstore_domain",
};

static const char *const VALUES[] = {
	"\"blkdom\"",
	"\"pv\"",
	"\"guest1\"",
	"1",
	"0",
	"0x10",
	"64",
	"\"restart\"",
	"\"0-3,5\"",
	"[ \"0000:00:03.0\" ]",
	"[ \"0000:00:02.0\", ]",
	"[ \"mac=00:16:3e:00:00:01,backend=netdom\" ]",
	"[ \"backend=blkdom,vdev=xvda,target=1:0+65536,access=ro\" ]",
	"[ 'backend=blkdom, vdev=xvdb, target=1:gpt:2' ]",
	"[\n \"a\",\n \"b\"\n]",
	"\"x.elf\"",
	"",
	"\"",
	"[",
	"012",
	"99999999999999999999",
};

static size_t put(char *buf, size_t at, const char *s)
{
	size_t n = strlen(s);

	if (n > TEXT_MAX - at)
		n = TEXT_MAX - at;
	memcpy(buf + at, s, n);
	return at + n;
}

/* Lines of known keys and values, or raw bytes, as the input says. */
static size_t text_of(struct fuzz_in *in, char *buf)
{
	unsigned int lines = fuzz_u8(in) % 24;
	size_t n = 0;

	if (lines == 0) { /* raw */
		n = fuzz_u16(in) % TEXT_MAX;
		fuzz_bytes(in, buf, n);
		return n;
	}
	for (unsigned int l = 0; l < lines; l++) {
		uint8_t k = fuzz_u8(in), v = fuzz_u8(in);

		n = put(buf, n, KEYS[k % (sizeof(KEYS) / sizeof(KEYS[0]))]);
		n = put(buf, n, k & 0x80 ? "=" : " = ");
		if (v < 2 * (sizeof(VALUES) / sizeof(VALUES[0]))) {
			n = put(buf, n, VALUES[v / 2]);
		} else {
			size_t raw = fuzz_u8(in) % 40;

			if (raw > TEXT_MAX - n)
				raw = TEXT_MAX - n;
			fuzz_bytes(in, buf + n, raw);
			n += raw;
		}
		n = put(buf, n, v & 1 ? "\r\n" : "\n");
	}
	return n;
}

static void check_str(const char *s, size_t size)
{
	FUZZ_CHECK(memchr(s, 0, size) != NULL);
}

static void check_cfg(const struct dom_cfg *c)
{
	check_str(c->name, sizeof(c->name));
	check_str(c->kernel, sizeof(c->kernel));
	check_str(c->extra, sizeof(c->extra));
	FUZZ_CHECK(c->name[0]);
	for (const char *p = c->name; *p; p++)
		FUZZ_CHECK((*p >= 'a' && *p <= 'z') ||
			   (*p >= 'A' && *p <= 'Z') ||
			   (*p >= '0' && *p <= '9') || *p == '_' || *p == '-');
	FUZZ_CHECK(c->memory_mib <= CFG_MEMORY_MAX);
	FUZZ_CHECK(c->vcpus >= 1 && c->vcpus <= CFG_VCPUS_MAX);
	FUZZ_CHECK(c->maxvcpus >= c->vcpus && c->maxvcpus <= CFG_VCPUS_MAX);
	FUZZ_CHECK(c->weight >= 1 && c->weight <= 65535);
	FUZZ_CHECK(c->nr_pci <= CFG_PCI_MAX);
	FUZZ_CHECK(c->nr_vifs <= CFG_VIFS_MAX);
	FUZZ_CHECK(c->nr_disks <= CFG_DISKS_MAX);
	for (unsigned int i = 0; i < c->nr_vifs; i++)
		check_str(c->vifs[i].backend, sizeof(c->vifs[i].backend));
	for (unsigned int i = 0; i < c->nr_disks; i++) {
		check_str(c->disks[i].backend, sizeof(c->disks[i].backend));
		check_str(c->disks[i].target, sizeof(c->disks[i].target));
	}
}

/* Whole lines, terminated, within len; none when it can boot. */
static void check_layout(const struct dom_cfg *cfgs, unsigned int n, size_t len)
{
	char *err = malloc(len ? len : 1);
	unsigned int problems;

	FUZZ_CHECK(err);
	memset(err, 'X', len);
	problems = cfg_check_layout(cfgs, n, 4096, err, len);
	if (len) {
		FUZZ_CHECK(memchr(err, 0, len) != NULL);
		if (!problems)
			FUZZ_CHECK(err[0] == 0);
	}
	free(err);
}

static void check_order(const struct dom_cfg *cfgs, unsigned int n)
{
	unsigned int order[NFILES], seen = 0;

	cfg_boot_order(cfgs, n, order);
	for (unsigned int i = 0; i < n; i++) {
		FUZZ_CHECK(order[i] < n && !(seen & 1u << order[i]));
		seen |= 1u << order[i];
		if (i > 0 && cfgs[order[i]].xenstore_domain)
			FUZZ_CHECK(cfgs[order[i - 1]].xenstore_domain);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	static struct dom_cfg cfgs[NFILES];
	static char text[TEXT_MAX];
	unsigned int taken = 0;
	size_t errlen = fuzz_u8(&in);

	for (unsigned int f = 0; f < NFILES && in.len; f++) {
		size_t n = text_of(&in, text);
		char *exact = malloc(n ? n : 1);
		char err[128];

		FUZZ_CHECK(exact);
		memcpy(exact, text, n);
		memset(err, 'X', sizeof(err));
		if (cfg_parse("fuzz.cfg", exact, n, &cfgs[taken], err,
			      sizeof(err)) == 0) {
			check_cfg(&cfgs[taken]);
			taken++;
		} else {
			check_str(err, sizeof(err));
			FUZZ_CHECK(!strncmp(err, "fuzz.cfg", 8));
		}
		free(exact);
	}
	check_layout(cfgs, taken, errlen);
	check_order(cfgs, taken);
	return 0;
}
