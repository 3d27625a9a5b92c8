/*
 * The boot bundle: the modules the boot loader handed the control domain
 * (start_info's multiboot module list). An image or config is found by
 * its file name, the last path element of the module's first word, so
 * "boot/netdom.elf" and "netdom.elf" name the same file.
 */
#include <xen/string.h>
#include <stub/stub.h>
#include "control.h"

static const struct xen_multiboot_mod_list *ctl_mods(void)
{
	if (!(start_info->flags & SIF_MULTIBOOT_MOD))
		return NULL;
	return (const void *)start_info->mod_start;
}

unsigned long ctl_bundle_count(void)
{
	const struct xen_multiboot_mod_list *m = ctl_mods();
	unsigned long n = 0;

	while (m && m[n].mod_start)
		n++;
	return n;
}

/* The module's file name: start and length, within its command line. */
static const char *ctl_mod_name(const struct xen_multiboot_mod_list *m,
				size_t *len)
{
	const char *s = (const char *)start_info->mod_start + m->cmdline;
	const char *name = s;

	for (; *s && *s != ' '; s++)
		if (*s == '/')
			name = s + 1;
	*len = (size_t)(s - name);
	return name;
}

const void *ctl_bundle_file(const char *name, unsigned long *len)
{
	const struct xen_multiboot_mod_list *m = ctl_mods();
	const char *pkg = (const char *)start_info->mod_start;

	for (unsigned long i = 0; m && m[i].mod_start; i++) {
		size_t n;
		const char *s = ctl_mod_name(&m[i], &n);

		if (n == strlen(name) && !memcmp(s, name, n)) {
			*len = m[i].mod_end - m[i].mod_start + 1;
			return pkg + m[i].mod_start;
		}
	}
	return NULL;
}

void ctl_bundle_configs(void (*fn)(const char *name, const char *text,
				   unsigned long len))
{
	const struct xen_multiboot_mod_list *m = ctl_mods();
	const char *pkg = (const char *)start_info->mod_start;

	for (unsigned long i = 0; m && m[i].mod_start; i++) {
		char name[CFG_FILE_MAX + 1];
		size_t n;
		const char *s = ctl_mod_name(&m[i], &n);

		if (n < 5 || n > CFG_FILE_MAX || memcmp(s + n - 4, ".cfg", 4))
			continue;
		memcpy(name, s, n);
		name[n] = '\0';
		fn(name, pkg + m[i].mod_start,
		   m[i].mod_end - m[i].mod_start + 1);
	}
}
