/*
 * Configuration mechanism #1: an address written to port 0xcf8 selects
 * a dword of segment 0's conventional space, read or written at 0xcfc.
 * The two steps must not interleave between CPUs, hence the lock; it is
 * never taken from an interrupt handler.
 */
#include <xen/spinlock.h>
#include <asm/io.h>

#include "pci-private.h"

#define PCI_PORT_ADDR	 0xcf8
#define PCI_PORT_DATA	 0xcfc
#define PCI_PORT_ENABLE	 (1u << 31)
#define PCI_PORT_BDF_POS 8 /* bus, device, function in bits 23:8 */

static DEFINE_SPINLOCK(pci_port_lock);

static uint32_t pci_port_addr(pci_sbdf_t s, unsigned int reg)
{
	return PCI_PORT_ENABLE | (pci_sbdf_x(s) & 0xffff) << PCI_PORT_BDF_POS |
	       (reg & 0xfc);
}

static uint32_t pci_port_read(pci_sbdf_t s, unsigned int reg, unsigned int len)
{
	uint32_t v;

	if (pci_sbdf_seg(s))
		return ~0u;
	spin_lock(&pci_port_lock);
	outl(PCI_PORT_ADDR, pci_port_addr(s, reg));
	v = port_in(PCI_PORT_DATA + (reg & 3), len);
	spin_unlock(&pci_port_lock);
	return v;
}

static void pci_port_write(pci_sbdf_t s, unsigned int reg, unsigned int len,
			   uint32_t v)
{
	if (pci_sbdf_seg(s))
		return;
	spin_lock(&pci_port_lock);
	outl(PCI_PORT_ADDR, pci_port_addr(s, reg));
	port_out(PCI_PORT_DATA + (reg & 3), len, v);
	spin_unlock(&pci_port_lock);
}

const struct pci_conf_ops pci_port_ops = {
	.name = "ports 0xcf8/0xcfc",
	.size = PCI_CONF_SIZE,
	.read = pci_port_read,
	.write = pci_port_write,
};
