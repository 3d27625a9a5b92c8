/*
 * The IOMMU (Intel VT-d, xen/drivers/iommu/): once it is on, a device
 * reaches memory only through the second-level page table of the domain
 * it is assigned to, which maps exactly that domain's frames at their
 * machine addresses (bus address = machine address, as for Xen PV).
 * Unassigned devices reach nothing: their DMA faults, and the fault is
 * logged with the device and the address.
 */
#ifndef XEN_IOMMU_H
#define XEN_IOMMU_H

#include <xen/types.h>

struct acpi_info;
struct domain;
struct iommu_domain;

/*
 * Find the remapping units in the DMAR and turn DMA remapping on, every
 * device blocked. 0, -ENODEV without a usable IOMMU, -EIO when a unit
 * does not do what it is told (then it stays off).
 */
int iommu_init(const struct acpi_info *ai);
bool iommu_enabled(void);

/* d's table, mapping every frame d holds now; later ones as they come. */
int iommu_domain_init(struct domain *d);
/* Devices taken away first: the table goes. */
void iommu_domain_destroy(struct domain *d);
/* Keep d's table in step with its memory (no-ops without a table). */
int iommu_map_frame(struct domain *d, uint64_t mfn);
void iommu_unmap_frame(struct domain *d, uint64_t mfn);

/*
 * A frame of another domain that d has grant-mapped: d's devices may
 * read it (IOMMU_READ), and write it too (IOMMU_WRITE); 0 takes it away,
 * the IOTLB flushed before this returns. No-op without a table. Fails
 * (-ENOMEM) only where it adds an entry: changing or removing one never
 * fails, which grant unmaps rely on.
 */
#define IOMMU_READ  1u
#define IOMMU_WRITE 2u
bool iommu_has_table(const struct domain *d);
int iommu_grant_frame(struct domain *d, uint64_t mfn, unsigned int perm);
/*
 * The same, the IOTLB flush it needs left to the caller: *flush is set,
 * and the change holds for devices only after iommu_flush(d).
 */
int iommu_grant_frame_deferred(struct domain *d, uint64_t mfn,
			       unsigned int perm, bool *flush);
void iommu_flush(struct domain *d);

/*
 * Let segment:bus:devfn reach d's memory (d must have a table), or
 * block it again. -ENODEV if no unit covers the device, -EBUSY if it
 * is assigned to another domain.
 */
int iommu_assign(struct domain *d, uint16_t seg, uint8_t bus, uint8_t devfn);
int iommu_deassign(uint16_t seg, uint8_t bus, uint8_t devfn);

/*
 * Interrupt remapping (when the IOMMU offers it): an interrupt entry
 * for vector on apic_id, raised only by requester sid when verify.
 * iommu_msi_compose() gives the MSI address and data to program: through
 * a new entry (*index; free it with iommu_irte_free()) when remapping is
 * on, else the compatibility format (*index IOMMU_NO_IRTE).
 */
#define IOMMU_NO_IRTE (~0u)
bool iommu_intremap_enabled(void);
int iommu_irte_alloc(uint16_t sid, bool verify, unsigned int vector,
		     uint32_t apic_id, unsigned int *index);
void iommu_irte_free(unsigned int index);
int iommu_msi_compose(uint16_t sid, unsigned int vector, uint32_t apic_id,
		      uint64_t *addr, uint32_t *data, unsigned int *index);

/* DMA faults logged since boot, and logging them now (for tests). */
unsigned long iommu_fault_count(void);
void iommu_poll_faults(void);

#endif
