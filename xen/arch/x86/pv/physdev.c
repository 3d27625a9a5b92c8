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
#include <asm/io.h>
#include <asm/pirq.h>
#include <asm/pv.h>

/* map_pirq, unmap_pirq, eoi: their argument in and out around pirq.c. */
static long physdev_pirq(struct domain *d, unsigned int cmd, uint64_t arg)
{
	union {
		struct physdev_map_pirq map;
		struct physdev_unmap_pirq unmap;
		struct physdev_eoi eoi;
	} a;
	size_t size = cmd == PHYSDEVOP_map_pirq	    ? sizeof(a.map)
		      : cmd == PHYSDEVOP_unmap_pirq ? sizeof(a.unmap)
						    : sizeof(a.eoi);
	long rc;

	if (copy_from_guest(d, &a, arg, size) < 0)
		return -EFAULT;
	rc = pirq_physdev_op(d, cmd, &a);
	if (rc == 0 && cmd == PHYSDEVOP_map_pirq &&
	    copy_to_guest(d, arg, &a, size) < 0)
		return -EFAULT;
	return rc;
}

static long physdev_pio(struct domain *d, unsigned int cmd, uint64_t arg)
{
	struct physdev_citadel_pio p;

	if (copy_from_guest(d, &p, arg, sizeof(p)) < 0)
		return -EFAULT;
	if (!pci_guest_pio_ok(d, p.port, p.len))
		return -EPERM;
	if (cmd == PHYSDEVOP_citadel_pio_write) {
		port_out(p.port, p.len, p.value);
		return 0;
	}
	p.value = port_in(p.port, p.len);
	return copy_to_guest(d, arg, &p, sizeof(p));
}

long pv_do_physdev_op(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	struct domain *d = pv_current()->domain;
	struct physdev_citadel_pci_conf c;
	long rc;

	if (cmd == PHYSDEVOP_citadel_pio_read ||
	    cmd == PHYSDEVOP_citadel_pio_write)
		return physdev_pio(d, (unsigned int)cmd, arg);
	if (cmd == PHYSDEVOP_map_pirq || cmd == PHYSDEVOP_unmap_pirq ||
	    cmd == PHYSDEVOP_eoi)
		return physdev_pirq(d, (unsigned int)cmd, arg);
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
