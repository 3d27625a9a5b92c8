/*
 * DMA faults: the unit records them in its fault recording registers and
 * raises its fault event interrupt; the interrupt only raises a softirq,
 * which reads, logs and clears the records (logging takes locks that
 * interrupt context must not).
 */
#include <xen/event.h>
#include <xen/lib.h>
#include <xen/sched.h>
#include <xen/softirq.h>
#include <xen/smp.h>
#include <asm/irq.h>
#include <asm/percpu.h>

#include "vtd.h"

#define VTD_MSI_ADDR 0xfee00000u

static unsigned long fault_total;

unsigned long vtd_fault_total(void)
{
	return __atomic_load_n(&fault_total, __ATOMIC_RELAXED);
}

static void vtd_fault_irq(struct cpu_regs *regs, void *data)
{
	raise_softirq(IOMMU_SOFTIRQ);
}

/* Logged, and the owning domain told (VIRQ_CITADEL_DMA_FAULT). */
static void vtd_fault_report(struct vtd_unit *u, uint16_t sid, uint64_t addr,
			     uint64_t hi)
{
	int owner = vtd_owner(u, sid);
	struct domain *d = owner >= 0 ? domain_get((domid_t)owner) : NULL;
	char who[24] = "unassigned";

	if (owner >= 0)
		fmt_snprintf(who, sizeof(who), "domain %d", owner);
	log_warn("IOMMU: DMA fault: device %02x:%02x.%u (%s) %s at %#llx, "
		 "reason %u\n",
		 sid >> 8, (sid >> 3) & 0x1f, sid & 7, who,
		 hi & VTD_FRCD_T ? "read" : "write", (unsigned long long)addr,
		 (unsigned int)VTD_FRCD_FR(hi));
	if (d) {
		evtchn_send_global_virq(d, VIRQ_CITADEL_DMA_FAULT);
		domain_put(d);
	}
}

void vtd_fault_poll(struct vtd_unit *u)
{
	unsigned int fro = VTD_CAP_FRO(u->cap), nfr = VTD_CAP_NFR(u->cap);
	uint32_t fsts = vtd_read32(u, VTD_FSTS);
	unsigned int i = VTD_FSTS_FRI(fsts) % nfr;

	for (unsigned int n = 0; n < nfr; n++, i = (i + 1) % nfr) {
		uint64_t hi = vtd_read64(u, fro + i * 16 + 8);
		uint64_t lo = vtd_read64(u, fro + i * 16);
		uint16_t sid = VTD_FRCD_SID(hi);

		if (!(hi & VTD_FRCD_F))
			continue;
		__atomic_add_fetch(&fault_total, 1, __ATOMIC_RELAXED);
		vtd_write64(u, fro + i * 16 + 8, VTD_FRCD_F); /* clear it */
		vtd_fault_report(u, sid, lo & ~0xfffull, hi);
	}
	vtd_write32(u, VTD_FSTS, VTD_FSTS_PFO);
}

int vtd_fault_init(struct vtd_unit *u)
{
	int vector = irq_vector_alloc(vtd_fault_irq, u);

	if (vector < 0)
		return vector;
	vtd_write32(u, VTD_FEDATA, (uint32_t)vector);
	vtd_write32(u, VTD_FEADDR, VTD_MSI_ADDR | this_cpu()->apic_id << 12);
	vtd_write32(u, VTD_FEUADDR, 0);
	vtd_write32(u, VTD_FECTL, 0); /* unmasked */
	vtd_fault_poll(u);	      /* what firmware left */
	return 0;
}
