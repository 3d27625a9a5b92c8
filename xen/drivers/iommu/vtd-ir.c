/*
 * Interrupt remapping. With it on, a device cannot make up an interrupt
 * by writing to the MSI address range: only interrupts in the remappable
 * format reach a CPU, through an entry of ours that names the vector,
 * the CPU and (for device MSIs) the requester allowed to raise it; the
 * compatibility format is blocked. Every unit shares one table.
 */
#include <xen/errno.h>
#include <xen/iommu.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/spinlock.h>
#include <asm/apic.h>
#include <asm/page.h>

#include "vtd.h"

#define IRT_ENTRIES   256 /* one page of 16-byte entries */
#define IRT_SIZE_BITS 7	  /* 2^(7+1) entries */
#define IRTA_EIME     (1ull << 11)
#define IRTE_P	      (1ull << 0)
#define IRTE_SVT_SID  (1ull << 18) /* verify the requester id */
#define MSI_ADDR_BASE 0xfee00000u
#define MSI_ADDR_RF   (1u << 4) /* remappable format */

static uint64_t *irt;
static bool irt_used[IRT_ENTRIES];
static DEFINE_SPINLOCK(irt_lock);
static bool ir_on;

int vtd_ir_enable(struct vtd_unit *u)
{
	uint64_t irta;
	int rc;

	if (!irt) {
		irt = alloc_xen_page();
		if (!irt)
			return -ENOMEM;
		vtd_flush(irt, PAGE_SIZE);
	}
	irta = paddr_x(virt_to_maddr(irt)) | IRT_SIZE_BITS;
	if (apic_x2apic_mode())
		irta |= IRTA_EIME;
	vtd_write64(u, VTD_IRTA, irta);
	rc = vtd_gcmd(u, VTD_GCMD_SIRTP, true);
	if (!rc)
		rc = vtd_qi_iec(u, 0, true);
	if (!rc)
		rc = vtd_gcmd(u, VTD_GCMD_IRE, true);
	if (!rc)
		ir_on = true;
	return rc;
}

bool iommu_intremap_enabled(void)
{
	return ir_on;
}

static uint64_t irte_dest(uint32_t apic_id)
{
	return (uint64_t)(apic_x2apic_mode() ? apic_id : apic_id << 8) << 32;
}

int iommu_irte_alloc(uint16_t sid, bool verify, unsigned int vector,
		     uint32_t apic_id, unsigned int *index)
{
	unsigned int i;

	spin_lock(&irt_lock);
	for (i = 0; i < IRT_ENTRIES && irt_used[i]; i++)
		;
	if (i == IRT_ENTRIES) {
		spin_unlock(&irt_lock);
		return -ENOSPC;
	}
	irt_used[i] = true;
	/* Fixed delivery, physical destination, edge: all zero fields. */
	irt[i * 2 + 1] = verify ? sid | IRTE_SVT_SID : 0;
	__atomic_store_n(&irt[i * 2],
			 irte_dest(apic_id) | (uint64_t)vector << 16 | IRTE_P,
			 __ATOMIC_RELEASE);
	vtd_flush(&irt[i * 2], 16);
	spin_unlock(&irt_lock);
	vtd_ir_invalidate(i);
	*index = i;
	return 0;
}

void iommu_irte_free(unsigned int index)
{
	if (index >= IRT_ENTRIES)
		return;
	spin_lock(&irt_lock);
	__atomic_store_n(&irt[index * 2], 0, __ATOMIC_RELEASE);
	irt[index * 2 + 1] = 0;
	vtd_flush(&irt[index * 2], 16);
	irt_used[index] = false;
	spin_unlock(&irt_lock);
	vtd_ir_invalidate(index);
}

int iommu_msi_compose(uint16_t sid, unsigned int vector, uint32_t apic_id,
		      uint64_t *addr, uint32_t *data, unsigned int *index)
{
	int rc;

	*index = IOMMU_NO_IRTE;
	if (!ir_on) {
		*addr = MSI_ADDR_BASE | apic_id << 12;
		*data = vector;
		return 0;
	}
	rc = iommu_irte_alloc(sid, true, vector, apic_id, index);
	if (rc)
		return rc;
	*addr = MSI_ADDR_BASE | (*index & 0x7fff) << 5 | MSI_ADDR_RF |
		((*index >> 15) & 1) << 2;
	*data = 0;
	return 0;
}
