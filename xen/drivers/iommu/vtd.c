/*
 * Intel VT-d, DMA remapping. Every unit gets a root table whose context
 * entries are all absent, so turning translation on blocks every device;
 * assigning a device writes its context entry, pointing at its domain's
 * second-level table (one table per domain, shared by the units) with
 * the domain's id + 1 as the unit's domain id.
 */
#include <xen/acpi.h>
#include <xen/errno.h>
#include <xen/iommu.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/sched.h>
#include <xen/softirq.h>
#include <xen/string.h>
#include <xen/time.h>
#include <asm/mm.h>
#include <asm/page.h>

#include "vtd.h"

#define GCMD_TIMEOUT MILLISECS(100)

unsigned int vtd_nr_units;
unsigned int vtd_levels;
struct vtd_unit *vtd_units[VTD_UNITS_MAX];
static bool vtd_on;
bool vtd_noncoherent;
static bool vtd_ir_wanted; /* every unit and the DMAR offer it */

void vtd_ir_invalidate(unsigned int index)
{
	for (unsigned int i = 0; i < vtd_nr_units; i++) {
		spin_lock(&vtd_units[i]->lock);
		vtd_qi_iec(vtd_units[i], index, false);
		spin_unlock(&vtd_units[i]->lock);
	}
}

uint32_t vtd_read32(const struct vtd_unit *u, unsigned int reg)
{
	return *(volatile uint32_t *)(u->regs + reg);
}

uint64_t vtd_read64(const struct vtd_unit *u, unsigned int reg)
{
	return *(volatile uint64_t *)(u->regs + reg);
}

void vtd_write32(struct vtd_unit *u, unsigned int reg, uint32_t v)
{
	*(volatile uint32_t *)(u->regs + reg) = v;
}

void vtd_write64(struct vtd_unit *u, unsigned int reg, uint64_t v)
{
	*(volatile uint64_t *)(u->regs + reg) = v;
}

void vtd_flush(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p & ~63ul;

	if (!vtd_noncoherent)
		return;
	for (; a < (uintptr_t)p + len; a += 64)
		__asm__ volatile("clflush (%0)" : : "r"(a) : "memory");
	__asm__ volatile("mfence" : : : "memory");
}

/* Set or clear an enable (or issue a one-shot command) and wait for it. */
int vtd_gcmd(struct vtd_unit *u, uint32_t cmd, bool on)
{
	uint32_t keep = vtd_read32(u, VTD_GSTS) & VTD_GCMD_KEEP;
	s_time_t deadline = NOW() + GCMD_TIMEOUT;

	vtd_write32(u, VTD_GCMD, on ? keep | cmd : keep & ~cmd);
	while (!!(vtd_read32(u, VTD_GSTS) & cmd) != on)
		if (NOW() > deadline) {
			log_err("IOMMU: command %#x not done\n", cmd);
			return -EIO;
		}
	return 0;
}

static int vtd_unit_start(struct vtd_unit *u)
{
	int rc;

	if (vtd_read32(u, VTD_GSTS) & VTD_GCMD_TE)
		vtd_gcmd(u, VTD_GCMD_TE, false); /* firmware's: ours now */
	vtd_write64(u, VTD_RTADDR, paddr_x(virt_to_maddr(u->root)));
	rc = vtd_gcmd(u, VTD_GCMD_SRTP, true);
	if (!rc)
		rc = vtd_qi_enable(u);
	if (!rc)
		rc = vtd_gcmd(u, VTD_GCMD_QIE, true);
	if (!rc)
		rc = vtd_qi_global(u);
	if (!rc)
		rc = vtd_fault_init(u);
	if (!rc && vtd_ir_wanted)
		rc = vtd_ir_enable(u);
	if (!rc)
		rc = vtd_gcmd(u, VTD_GCMD_TE, true);
	return rc;
}

static int vtd_unit_probe(const struct acpi_drhd *d, struct vtd_unit **out)
{
	struct vtd_unit *u = alloc_xen_page();

	if (!u)
		return -ENOMEM;
	u->regs = ioremap(d->base, PAGE_SIZE);
	u->root = alloc_xen_page();
	if (!u->regs || !u->root)
		return -ENOMEM;
	u->cap = vtd_read64(u, VTD_CAP);
	u->ecap = vtd_read64(u, VTD_ECAP);
	u->segment = d->segment;
	u->include_all = d->include_all;
	for (unsigned int i = 0; i < d->nr_scopes && i < 16; i++) {
		u->scopes[i].type = d->scopes[i].type;
		u->scopes[i].bus = d->scopes[i].bus;
		u->scopes[i].devfn = d->scopes[i].devfn;
		u->nr_scopes++;
	}
	u->lock = SPIN_LOCK_UNLOCKED;
	if (!(u->ecap & VTD_ECAP_QI) || !(VTD_CAP_SAGAW(u->cap) & 6)) {
		log_err("IOMMU: unit at %#llx lacks queued invalidation or a "
			"3/4-level table format\n",
			(unsigned long long)paddr_x(d->base));
		return -ENODEV;
	}
	if (!(u->ecap & VTD_ECAP_C))
		vtd_noncoherent = true;
	*out = u;
	return 0;
}

static void vtd_softirq(void)
{
	for (unsigned int i = 0; i < vtd_nr_units; i++)
		vtd_fault_poll(vtd_units[i]);
}

int iommu_init(const struct acpi_info *ai)
{
	unsigned int sagaw = 6; /* 39 and 48 bits: what all units take */
	int rc = 0;

	if (!ai->have_dmar || !ai->nr_drhd) {
		log_warn("IOMMU: none (no DMAR): devices cannot be isolated\n");
		return -ENODEV;
	}
	for (unsigned int i = 0; i < ai->nr_drhd && !rc; i++) {
		rc = vtd_unit_probe(&ai->drhd[i], &vtd_units[i]);
		if (!rc)
			sagaw &= VTD_CAP_SAGAW(vtd_units[i]->cap);
	}
	if (rc)
		return rc;
	if (!sagaw) {
		log_err("IOMMU: the units share no table format\n");
		return -ENODEV;
	}
	vtd_levels = (sagaw & 4) ? 4 : 3;
	vtd_ir_wanted = ai->dmar_flags & ACPI_DMAR_INTR_REMAP;
	for (unsigned int i = 0; i < ai->nr_drhd; i++)
		if (!(vtd_units[i]->ecap & VTD_ECAP_IR))
			vtd_ir_wanted = false;
	vtd_nr_units = ai->nr_drhd;
	if ((page_alloc_max_mfn() + 1) >> (vtd_levels == 4 ? 36 : 27)) {
		log_err("IOMMU: memory beyond its address width\n");
		return -ENODEV;
	}
	open_softirq(IOMMU_SOFTIRQ, vtd_softirq);
	for (unsigned int i = 0; i < vtd_nr_units && !rc; i++) {
		rc = vtd_unit_start(vtd_units[i]);
		log_info(
		    "IOMMU: unit %u at %#llx: VT-d %u.%u, %u-level tables, "
		    "%u fault records%s%s: %s\n",
		    i, (unsigned long long)paddr_x(ai->drhd[i].base),
		    vtd_read32(vtd_units[i], VTD_VER) >> 4 & 0xf,
		    vtd_read32(vtd_units[i], VTD_VER) & 0xf, vtd_levels,
		    (unsigned int)VTD_CAP_NFR(vtd_units[i]->cap),
		    vtd_noncoherent ? ", cache flushes" : "",
		    vtd_ir_wanted ? ", interrupt remapping" : "",
		    rc ? "failed" : "DMA blocked until assigned");
	}
	vtd_on = !rc;
	return rc;
}

bool iommu_enabled(void)
{
	return vtd_on;
}

void iommu_poll_faults(void)
{
	vtd_softirq();
}

unsigned long iommu_fault_count(void)
{
	return vtd_fault_total();
}
