/*
 * The layout check over all domain configs, and the boot order.
 *
 * Policy, beyond what xl checks:
 * - PCI functions go to driver domains only. Xen would pass them
 *   through to a guest as well, but here a device in a guest is exactly
 *   what the design keeps out: a guest's drivers are never trusted with
 *   hardware, so "pci" in a domain without driver_domain = 1 is refused.
 * - A vif's or disk's backend is another domain with driver_domain = 1:
 *   a guest cannot serve devices, and a domain cannot serve itself.
 * - MACs are compared after the generated ones are filled in, so a
 *   configured MAC that happens to equal a generated one is caught.
 *
 * Every problem is reported, one line each, so one run of the check
 * shows the whole of what is wrong with a set of files.
 */
#include <stdarg.h>
#include <xen/lib.h>
#include <xen/string.h>

#include "cfg.h"

/* The problems found so far, and as many of their lines as fit. */
struct cfg_report {
	char *buf;
	size_t len;
	size_t used;
	bool full; /* a line did not fit: later ones are dropped too */
	unsigned int count;
};

static void cfg_problem(struct cfg_report *r, const char *fmt, ...)
    __printf(2, 3);
static void cfg_problem(struct cfg_report *r, const char *fmt, ...)
{
	char line[256];
	size_t n, sep = r->count > 0;
	va_list ap;

	r->count++;
	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	/* Whole lines only, so no reader mistakes a cut line for a reason. */
	if (r->full || r->used + sep + n + 1 > r->len) {
		r->full = true;
		return;
	}
	if (sep)
		r->buf[r->used++] = '\n';
	memcpy(r->buf + r->used, line, n + 1);
	r->used += n;
}

static int cfg_find(const struct dom_cfg *cfgs, unsigned int n,
		    const char *name)
{
	for (unsigned int i = 0; i < n; i++)
		if (!strcmp(cfgs[i].name, name))
			return (int)i;
	return -1;
}

static void cfg_check_names(struct cfg_report *r, const struct dom_cfg *cfgs,
			    unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = i + 1; j < n; j++)
			if (!strcmp(cfgs[i].name, cfgs[j].name))
				cfg_problem(r,
					    "%s and %s both name their domain "
					    "'%s'",
					    cfgs[i].file, cfgs[j].file,
					    cfgs[i].name);
}

static void cfg_check_xenstore(struct cfg_report *r, const struct dom_cfg *cfgs,
			       unsigned int n)
{
	int first = -1;

	for (unsigned int i = 0; i < n; i++) {
		if (!cfgs[i].xenstore_domain)
			continue;
		if (first < 0)
			first = (int)i;
		else
			cfg_problem(r,
				    "%s and %s both set xenstore_domain = 1: "
				    "there is one xenstore domain",
				    cfgs[first].file, cfgs[i].file);
	}
	if (first < 0)
		cfg_problem(r, "no domain sets xenstore_domain = 1: one must "
			       "run xenstored");
}

/* One PCI function in two domains (each domain's own list is unique). */
static void cfg_check_pci_pair(struct cfg_report *r, const struct dom_cfg *a,
			       const struct dom_cfg *b)
{
	char buf[CFG_SBDF_STR_LEN];

	for (unsigned int i = 0; i < a->nr_pci; i++)
		for (unsigned int j = 0; j < b->nr_pci; j++) {
			if (a->pci[i] != b->pci[j])
				continue;
			cfg_format_sbdf(a->pci[i], buf);
			cfg_problem(r,
				    "pci %s is given to both '%s' (%s) and "
				    "'%s' (%s)",
				    buf, a->name, a->file, b->name, b->file);
		}
}

static void cfg_check_pci(struct cfg_report *r, const struct dom_cfg *cfgs,
			  unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (cfgs[i].nr_pci && !cfgs[i].driver_domain)
			cfg_problem(r,
				    "%s: '%s' has pci devices but is not a "
				    "driver domain (driver_domain = 1)",
				    cfgs[i].file, cfgs[i].name);
		for (unsigned int j = i + 1; j < n; j++)
			cfg_check_pci_pair(r, &cfgs[i], &cfgs[j]);
	}
}

/* A vif's or disk's backend: another domain, and a driver domain. */
static void cfg_check_backend(struct cfg_report *r, const struct dom_cfg *cfgs,
			      unsigned int n, const struct dom_cfg *cfg,
			      const char *dev, const char *backend)
{
	int b = cfg_find(cfgs, n, backend);

	if (!strcmp(backend, cfg->name))
		cfg_problem(r, "%s: %s of '%s' names its own domain as backend",
			    cfg->file, dev, cfg->name);
	else if (b < 0)
		cfg_problem(r, "%s: %s of '%s': backend '%s' is no domain",
			    cfg->file, dev, cfg->name, backend);
	else if (!cfgs[b].driver_domain)
		cfg_problem(r,
			    "%s: %s of '%s': backend '%s' (%s) is not a driver "
			    "domain",
			    cfg->file, dev, cfg->name, backend, cfgs[b].file);
}

/* "xvda" for a vdev of CFG_VDEV_XVD(). */
static void cfg_vdev_name(uint32_t vdev, char buf[8])
{
	fmt_snprintf(buf, 8, "xvd%c", (char)('a' + CFG_VDEV_INDEX(vdev)));
}

static void cfg_check_devices(struct cfg_report *r, const struct dom_cfg *cfgs,
			      unsigned int n, const struct dom_cfg *cfg)
{
	char dev[16];

	for (unsigned int v = 0; v < cfg->nr_vifs; v++) {
		fmt_snprintf(dev, sizeof(dev), "vif %u", v);
		cfg_check_backend(r, cfgs, n, cfg, dev, cfg->vifs[v].backend);
	}
	for (unsigned int d = 0; d < cfg->nr_disks; d++) {
		char name[8];

		cfg_vdev_name(cfg->disks[d].vdev, name);
		fmt_snprintf(dev, sizeof(dev), "disk %s", name);
		cfg_check_backend(r, cfgs, n, cfg, dev, cfg->disks[d].backend);
		for (unsigned int e = d + 1; e < cfg->nr_disks; e++)
			if (cfg->disks[e].vdev == cfg->disks[d].vdev)
				cfg_problem(r,
					    "%s: vdev %s is given twice in "
					    "'%s'",
					    cfg->file, name, cfg->name);
	}
}

/* vif j of b against every vif of a before it (all of a when a != b). */
static void cfg_check_mac_of(struct cfg_report *r, const struct dom_cfg *a,
			     const struct dom_cfg *b, unsigned int j)
{
	uint8_t ma[6], mb[6];
	char buf[CFG_MAC_STR_LEN];
	unsigned int end = a == b ? j : a->nr_vifs;

	cfg_vif_mac(b, j, mb);
	for (unsigned int i = 0; i < end; i++) {
		cfg_vif_mac(a, i, ma);
		if (memcmp(ma, mb, 6))
			continue;
		cfg_format_mac(ma, buf);
		cfg_problem(r,
			    "MAC %s is used twice: vif %u of '%s' (%s)%s and "
			    "vif %u of '%s' (%s)%s",
			    buf, i, a->name, a->file,
			    a->vifs[i].mac_set ? "" : " generated", j, b->name,
			    b->file, b->vifs[j].mac_set ? "" : " generated");
	}
}

static void cfg_check_macs(struct cfg_report *r, const struct dom_cfg *cfgs,
			   unsigned int n)
{
	for (unsigned int b = 0; b < n; b++)
		for (unsigned int j = 0; j < cfgs[b].nr_vifs; j++)
			for (unsigned int a = 0; a <= b; a++)
				cfg_check_mac_of(r, &cfgs[a], &cfgs[b], j);
}

static void cfg_check_memory(struct cfg_report *r, const struct dom_cfg *cfgs,
			     unsigned int n, uint64_t host_mem_mib)
{
	uint64_t sum = 0;

	/* A standby is one more instance's memory. */
	for (unsigned int i = 0; i < n; i++)
		sum += cfgs[i].memory_mib * (cfgs[i].standby ? 2u : 1u);
	if (sum > host_mem_mib)
		cfg_problem(r,
			    "the domains need %llu MiB of memory, the host has "
			    "%llu MiB for them",
			    (unsigned long long)sum,
			    (unsigned long long)host_mem_mib);
}

unsigned int cfg_check_layout(const struct dom_cfg *cfgs, unsigned int n,
			      uint64_t host_mem_mib, char *err, size_t len)
{
	struct cfg_report r = { .buf = err, .len = len };

	if (len)
		err[0] = '\0';
	cfg_check_names(&r, cfgs, n);
	cfg_check_xenstore(&r, cfgs, n);
	cfg_check_pci(&r, cfgs, n);
	for (unsigned int i = 0; i < n; i++)
		cfg_check_devices(&r, cfgs, n, &cfgs[i]);
	cfg_check_macs(&r, cfgs, n);
	cfg_check_memory(&r, cfgs, n, host_mem_mib);
	return r.count;
}

/* 0: the xenstore domain, 1: driver domains, 2: guests. */
static unsigned int cfg_boot_group(const struct dom_cfg *cfg)
{
	if (cfg->xenstore_domain)
		return 0;
	return cfg->driver_domain ? 1 : 2;
}

void cfg_boot_order(const struct dom_cfg *cfgs, unsigned int n,
		    unsigned int *order)
{
	unsigned int k = 0;

	for (unsigned int g = 0; g < 3; g++)
		for (unsigned int i = 0; i < n; i++)
			if (cfg_boot_group(&cfgs[i]) == g)
				order[k++] = i;
}
