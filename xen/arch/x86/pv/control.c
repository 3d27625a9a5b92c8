/*
 * The one domain the hypervisor builds itself: the control domain, from
 * the first Multiboot module. Every other domain is the control
 * domain's to build.
 */
#include <xen/grant_table.h>
#include <xen/bootinfo.h>
#include <xen/elf.h>
#include <xen/lib.h>
#include <xen/param.h>
#include <xen/sched.h>
#include <asm/page.h>
#include <asm/pv.h>

static struct elf_image control_image;
/* vCPUs the control domain may bring up (Xen's dom0_max_vcpus). */
static unsigned int control_max_vcpus = 1;
UINT_PARAM("dom0_max_vcpus", control_max_vcpus, 1, MAX_VIRT_CPUS);

/* The module's command line without its first word, the file name. */
static const char *control_cmdline(const struct boot_module *m)
{
	const char *s = m->cmdline;

	while (*s && *s != ' ')
		s++;
	while (*s == ' ')
		s++;
	return s;
}

static int control_build(const struct boot_info *bi, struct domain **out)
{
	const char *why = "";
	struct domain *d;
	int rc;

	rc = domain_create(DOMID_CONTROL, "control", control_max_vcpus,
			   (unsigned long)CONFIG_CONTROL_MEM_MB
			       << (20 - PAGE_SHIFT),
			   DOMROLE_CONTROL, &d);
	if (rc < 0) {
		log_err("control domain: cannot create it (%d)\n", rc);
		return rc;
	}
	rc = gnttab_domain_init(d, 0, GNTTAB_MAX_MAPTRACK);
	if (rc < 0)
		why = "no grant table";
	else
		rc = pv_build(d, &control_image,
			      control_cmdline(&bi->modules[0]), bi, &why);
	if (rc < 0) {
		log_err("control domain: %s (%d)\n", why, rc);
		domain_destroy(d);
		return rc;
	}
	*out = d;
	return 0;
}

bool pv_start_control_domain(const struct boot_info *bi)
{
	const struct boot_module *m = &bi->modules[0];
	struct domain *d;

	if (bi->nr_modules == 0) {
		log_info("No modules: no control domain\n");
		return false;
	}
	if (elf_parse(&control_image, maddr_to_virt(m->start), m->size) < 0) {
		log_info("Module 0 is no control domain: %s\n",
			 control_image.error);
		return false;
	}
	if (control_build(bi, &d) < 0)
		return false;
	log_always("Control domain: %lu MiB, entry %#llx\n",
		   d->mem.pages >> (20 - PAGE_SHIFT),
		   (unsigned long long)d->vcpus[0]->arch.regs.rip);
	d->pause_count = 0; /* built paused, like every domain; now it runs */
	vcpu_wake(d->vcpus[0]);
	return true;
}
