/* Choosing a disk controller driver for the assigned function. */
#include <public/errno.h>
#include <driverdom/blkdrv.h>

#define BLKDRV_PCI_CLASS 0x08 /* revision, then the 24-bit class code */

static const struct blkdrv_ops *const blkdrv_drivers[] = {
	&nvme_blkdrv_ops,
};

static void blkdrv_irq(void *data)
{
	struct blkdrv *bd = data;

	bd->ops->irq(bd);
}

static bool blkdrv_matches(const struct blkdrv_ops *ops,
			   const struct dd_pci *pci, uint32_t class_code)
{
	if (ops->vendor == 0xffff)
		return ops->class_code == class_code;
	return ops->vendor == pci->vendor && ops->device == pci->device;
}

/*
 * One MSI-X vector (entry 0), bound before init() so that no interrupt
 * of the new configuration is lost; a driver's irq() ignores calls
 * before its init() is done.
 */
long blkdrv_open(struct blkdrv *bd, struct dd_pci *pci)
{
	const struct blkdrv_ops *ops = NULL;
	uint32_t rev_class;
	long rc = dd_pci_read(pci, BLKDRV_PCI_CLASS, 4, &rev_class);

	if (rc)
		return rc;
	for (unsigned int i = 0;
	     !ops && i < sizeof(blkdrv_drivers) / sizeof(blkdrv_drivers[0]);
	     i++)
		if (blkdrv_matches(blkdrv_drivers[i], pci, rev_class >> 8))
			ops = blkdrv_drivers[i];
	if (!ops)
		return -XEN_ENODEV;
	*bd = (struct blkdrv){ .ops = ops, .pci = pci };
	rc = dd_irq_bind_msix(pci, 0, &bd->irq, blkdrv_irq, bd);
	if (rc)
		return rc;
	return ops->init(bd);
}
