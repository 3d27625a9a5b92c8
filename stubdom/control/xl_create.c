/*
 * xl create: a domain from a config file of the boot bundle, at run
 * time. The config is checked as the boot checks its configs, against
 * the system's other domains: a second domain of the same name, a PCI
 * function a running one holds, a MAC another one has, a backend the
 * system does not have or memory beyond the host's are refused with the
 * reason, before anything is built.
 */
#include <public/errno.h>
#include <xen/lib.h>
#include <xen/string.h>
#include <stub/stub.h>
#include "control.h"
#include "xl.h"

static struct dom_cfg xl_new, xl_cfgs[CTL_MAX_DOMS + 1];
static char xl_check_err[512];

/* The bundle's file: as typed, or with ".cfg" added. */
static const char *xl_find(const char *file, char *name, size_t len,
			   unsigned long *size)
{
	const char *text;
	size_t n = strlen(file);

	fmt_snprintf(name, len, "%s", file);
	text = ctl_bundle_file(name, size);
	if (!text && (n < 4 || strcmp(file + n - 4, ".cfg"))) {
		fmt_snprintf(name, len, "%s.cfg", file);
		text = ctl_bundle_file(name, size);
	}
	return text;
}

/* One line of what the check said, into err. */
static void xl_first_line(const char *text, char *err, size_t errlen)
{
	size_t n = 0;

	while (text[n] && text[n] != '\n')
		n++;
	fmt_snprintf(err, errlen, "%.*s", (int)n, text);
}

int xl_create(const char *file, uint64_t host_mib, char *err, size_t errlen)
{
	char name[CFG_FILE_MAX + 1];
	unsigned long size;
	const char *text = xl_find(file, name, sizeof(name), &size);
	struct ctl_dom *d;
	unsigned int n = 0;
	const void *image;
	unsigned long image_len;

	if (!text || strchr(file, '/')) {
		fmt_snprintf(err, errlen,
			     "%s: no such config in the boot bundle", file);
		return -XEN_ENOENT;
	}
	if (cfg_parse(name, text, size, &xl_new, err, errlen) < 0)
		return -XEN_EINVAL;
	d = ctl_dom_by_name(xl_new.name);
	if (d && d->state != CTL_DOWN) {
		fmt_snprintf(err, errlen, "domain '%s' already exists (id %u)",
			     xl_new.name, d->domid);
		return -XEN_EEXIST;
	}
	if (!d && ctl_nr_doms == CTL_MAX_DOMS) {
		fmt_snprintf(err, errlen, "no room for more than %u domains",
			     CTL_MAX_DOMS);
		return -XEN_ENOSPC;
	}
	image = ctl_bundle_file(xl_new.kernel, &image_len);
	if (!image) {
		fmt_snprintf(err, errlen,
			     "%s: kernel '%s' is not in the boot bundle", name,
			     xl_new.kernel);
		return -XEN_ENOENT;
	}
	/*
	 * The system with the new domain in it. A domain that is down holds
	 * no PCI function and no memory, but it is still the system's: a
	 * guest whose backend is down waits for it, and the backend's own
	 * config may name that guest's devices.
	 */
	for (unsigned int i = 0; i < ctl_nr_doms; i++) {
		if (&ctl_doms[i] == d)
			continue;
		xl_cfgs[n] = ctl_doms[i].cfg;
		if (ctl_doms[i].state == CTL_DOWN) {
			xl_cfgs[n].nr_pci = 0;
			xl_cfgs[n].memory_mib = 0;
		}
		n++;
	}
	xl_cfgs[n++] = xl_new;
	if (cfg_check_layout(xl_cfgs, n, host_mib, xl_check_err,
			     sizeof(xl_check_err))) {
		xl_first_line(xl_check_err, err, errlen);
		return -XEN_EINVAL;
	}
	if (!d)
		d = &ctl_doms[ctl_nr_doms++];
	memset(d, 0, sizeof(*d));
	d->cfg = xl_new;
	d->image = image;
	d->image_len = image_len;
	d->domid = DOMID_INVALID;
	d->standby = DOMID_INVALID;
	d->unforgotten = DOMID_INVALID;
	d->state = CTL_DOWN;
	if (ctl_dom_build(d) < 0) {
		fmt_snprintf(err, errlen,
			     "%s was not built (the reason is logged above)",
			     d->cfg.name);
		return -XEN_EIO;
	}
	if (ctl_dom_unpause(d) < 0) {
		ctl_dom_destroy(d);
		fmt_snprintf(err, errlen, "%s could not be unpaused",
			     d->cfg.name);
		return -XEN_EIO;
	}
	printf("control: %s created from the shell (domain %u)\n", d->cfg.name,
	       d->domid);
	return 0;
}
