/*
 * physdev_op for PV domains: for now only Citadel's configuration space
 * access to the PCI functions a domain owns (xen/drivers/pci/access.c
 * decides what a write may change).
 */
#include <xen/errno.h>
#include <xen/pci.h>
#include <xen/sched.h>
#include <public/physdev.h>
#include <asm/guest_access.h>
#include <asm/pv.h>

long pv_do_physdev_op(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	struct domain *d = pv_current()->domain;
	struct physdev_citadel_pci_conf c;
	long rc;

	if (cmd != PHYSDEVOP_citadel_pci_conf_read &&
	    cmd != PHYSDEVOP_citadel_pci_conf_write)
		return -ENOSYS;
	if (copy_from_guest(d, &c, arg, sizeof(c)) < 0)
		return -EFAULT;
	if (cmd == PHYSDEVOP_citadel_pci_conf_write)
		return pci_guest_conf_write(d, _pci_sbdf(c.sbdf), c.reg, c.len,
					    c.value);
	rc = pci_guest_conf_read(d, _pci_sbdf(c.sbdf), c.reg, c.len, &c.value);
	if (rc < 0)
		return rc;
	return copy_to_guest(d, arg, &c, sizeof(c));
}
