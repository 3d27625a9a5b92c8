/* Choosing a NIC driver for the assigned function, and its interrupt. */
#include <public/errno.h>
#include <driverdom/netdrv.h>

static const struct netdrv_ops *const netdrv_drivers[] = {
	&e1000e_netdrv_ops,
};

static void netdrv_irq(void *data)
{
	struct netdrv *nd = data;

	nd->ops->irq(nd);
}

/*
 * One MSI-X vector (entry 0) for every cause: a driver domain serves one
 * device at the rates of a small host, and one vector keeps the pirq,
 * port and acknowledgement logic in one place. The vector is bound
 * before init() so that no interrupt of the new configuration is lost;
 * a driver's irq() ignores calls before its init() is done.
 */
long netdrv_open(struct netdrv *nd, struct dd_pci *pci, netdrv_rx_fn rx,
		 void *ctx)
{
	const struct netdrv_ops *ops = NULL;
	long rc;

	for (unsigned int i = 0;
	     i < sizeof(netdrv_drivers) / sizeof(netdrv_drivers[0]); i++)
		if (netdrv_drivers[i]->vendor == pci->vendor &&
		    netdrv_drivers[i]->device == pci->device)
			ops = netdrv_drivers[i];
	if (!ops)
		return -XEN_ENODEV;
	*nd =
	    (struct netdrv){ .ops = ops, .pci = pci, .rx = rx, .rx_ctx = ctx };
	rc = dd_irq_bind_msix(pci, 0, &nd->irq, netdrv_irq, nd);
	if (rc)
		return rc;
	return ops->init(nd);
}
