/*
 * PCI at boot: choose how configuration space is reached, then find and
 * log every function. It runs on the boot CPU before the others start
 * and before interrupts are on, so BAR sizing (decoding off for a
 * moment) races nothing.
 */
#include <xen/acpi.h>
#include <xen/lib.h>

#include "pci-private.h"

void pci_init(const struct acpi_info *ai)
{
	struct pci_root roots[ACPI_MCFG_MAX];
	const struct pci_conf_ops *ops = &pci_ecam_ops;
	unsigned int nr = 0;

	if (ai->have_mcfg)
		nr = pci_ecam_setup(ai, roots, ARRAY_SIZE(roots));
	if (!nr) {
		/* No MCFG, or none of it usable: the ports reach bus 0. */
		ops = &pci_port_ops;
		roots[0] = (struct pci_root){ 0, 0 };
		nr = 1;
	}
	pci_conf_set_ops(ops);
	log_info("PCI: configuration space through %s\n", ops->name);
	pci_scan(roots, nr);
	pci_print();
}
