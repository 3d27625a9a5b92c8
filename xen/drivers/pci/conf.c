/*
 * Configuration space access: every read and write is checked here, so
 * a backend (ECAM, the 0xcf8 ports, a host test's fake) only ever sees
 * aligned accesses of 1, 2 or 4 bytes inside the space it reaches.
 */
#include <xen/errno.h>
#include <xen/pci.h>

static const struct pci_conf_ops *pci_conf_ops;

void pci_conf_set_ops(const struct pci_conf_ops *ops)
{
	pci_conf_ops = ops;
}

unsigned int pci_conf_size(void)
{
	return pci_conf_ops ? pci_conf_ops->size : 0;
}

static int pci_conf_check(unsigned int reg, unsigned int len)
{
	if (!pci_conf_ops)
		return -ENOENT;
	if ((len != 1 && len != 2 && len != 4) || (reg & (len - 1)) ||
	    reg >= pci_conf_ops->size || len > pci_conf_ops->size - reg)
		return -EINVAL;
	return 0;
}

int pci_conf_read(pci_sbdf_t sbdf, unsigned int reg, unsigned int len,
		  uint32_t *val)
{
	int rc = pci_conf_check(reg, len);

	*val = rc ? ~0u : pci_conf_ops->read(sbdf, reg, len);
	if (len == 1 || len == 2)
		*val &= (1u << (len * 8)) - 1;
	return rc;
}

int pci_conf_write(pci_sbdf_t sbdf, unsigned int reg, unsigned int len,
		   uint32_t val)
{
	int rc = pci_conf_check(reg, len);

	if (!rc)
		pci_conf_ops->write(sbdf, reg, len, val);
	return rc;
}

uint8_t pci_conf_read8(pci_sbdf_t sbdf, unsigned int reg)
{
	uint32_t v;

	pci_conf_read(sbdf, reg, 1, &v);
	return v;
}

uint16_t pci_conf_read16(pci_sbdf_t sbdf, unsigned int reg)
{
	uint32_t v;

	pci_conf_read(sbdf, reg, 2, &v);
	return v;
}

uint32_t pci_conf_read32(pci_sbdf_t sbdf, unsigned int reg)
{
	uint32_t v;

	pci_conf_read(sbdf, reg, 4, &v);
	return v;
}

int pci_conf_write8(pci_sbdf_t sbdf, unsigned int reg, uint8_t val)
{
	return pci_conf_write(sbdf, reg, 1, val);
}

int pci_conf_write16(pci_sbdf_t sbdf, unsigned int reg, uint16_t val)
{
	return pci_conf_write(sbdf, reg, 2, val);
}

int pci_conf_write32(pci_sbdf_t sbdf, unsigned int reg, uint32_t val)
{
	return pci_conf_write(sbdf, reg, 4, val);
}
