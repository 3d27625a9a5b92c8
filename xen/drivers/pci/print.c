/*
 * One boot line per function, in a fixed format tests and people can
 * read (fields after the class appear only when there is something to
 * say, always in this order):
 *
 *   PCI ssss:bb:dd.f vvvv:dddd class cccccc [host-bridge | bridge ss-uu]
 *       [BARn io|mem|mem64[-pf] 0xaddr size]... [caps NAME...]
 *       [caps-malformed] [owner xen]
 */
#include <stdarg.h>

#include <xen/lib.h>

#include "pci-private.h"

#define PCI_LINE_MAX 384 /* six 64-bit BARs and every capability fit */

struct pci_line {
	char *buf;
	size_t size;
	size_t len; /* as if nothing were cut, like snprintf's */
};

static void __printf(2, 3) pci_put(struct pci_line *l, const char *fmt, ...)
{
	size_t at = l->len < l->size ? l->len : l->size;
	va_list ap;

	va_start(ap, fmt);
	l->len +=
	    fmt_vsnprintf(l->buf ? l->buf + at : NULL, l->size - at, fmt, ap);
	va_end(ap);
}

/* Sizes are powers of two: the largest unit that divides them. */
static void pci_put_size(struct pci_line *l, uint64_t size)
{
	static const char units[] = "BKMGTPE";
	unsigned int u = 0;

	while (size >= 1024 && !(size % 1024)) {
		size /= 1024;
		u++;
	}
	pci_put(l, " %llu%c", (unsigned long long)size, units[u]);
}

static const char *pci_bar_kind(const struct pci_bar *b)
{
	if (b->io)
		return "io";
	return b->mem64 ? "mem64" : "mem";
}

static void pci_put_bars(struct pci_line *l, const struct pci_dev *d)
{
	for (unsigned int i = 0; i < d->nr_bars; i++) {
		const struct pci_bar *b = &d->bars[i];

		if (!b->size)
			continue;
		pci_put(l, " BAR%u %s%s %#llx", i, pci_bar_kind(b),
			b->prefetch ? "-pf" : "", (unsigned long long)b->addr);
		pci_put_size(l, b->size);
	}
}

static const char *pci_msi_flags(const struct pci_dev *d)
{
	if (d->msi_64bit && d->msi_maskable)
		return "(64,mask)";
	if (d->msi_64bit)
		return "(64)";
	return d->msi_maskable ? "(mask)" : "";
}

static void pci_put_caps(struct pci_line *l, const struct pci_dev *d)
{
	if (d->pm_cap || d->msi_cap || d->pcie_cap || d->msix_cap)
		pci_put(l, " caps");
	if (d->pm_cap)
		pci_put(l, " PM%s", d->pm_no_soft_reset ? "(NSR)" : "");
	if (d->msi_cap)
		pci_put(l, " MSI%s", pci_msi_flags(d));
	if (d->pcie_cap)
		pci_put(l, " PCIe%s", d->pcie_flr ? "(FLR)" : "");
	if (d->msix_cap)
		pci_put(l, " MSI-X(%u)", d->msix_size);
	if (d->caps_bad)
		pci_put(l, " caps-malformed");
}

int pci_format(const struct pci_dev *d, char *buf, size_t size)
{
	struct pci_line l = { buf, size, 0 };
	pci_sbdf_t s = d->sbdf;

	if (size)
		buf[0] = '\0';
	pci_put(&l, "PCI %04x:%02x:%02x.%u %04x:%04x class %06x",
		pci_sbdf_seg(s), pci_sbdf_bus(s), pci_sbdf_dev(s),
		pci_sbdf_fn(s), d->vendor, d->device, d->class);
	if (d->host_bridge)
		pci_put(&l, " host-bridge");
	if (d->bridge)
		pci_put(&l, " bridge %02x-%02x", d->sec_bus, d->sub_bus);
	pci_put_bars(&l, d);
	pci_put_caps(&l, d);
	if (d->owner == PCI_OWNER_HYPERVISOR)
		pci_put(&l, " owner xen");
	return l.len;
}

void pci_print(void)
{
	char line[PCI_LINE_MAX];

	for (unsigned int i = 0; i < pci_dev_count(); i++) {
		pci_format(pci_dev_at(i), line, sizeof(line));
		log_info("%s\n", line);
	}
	if (pci_devs_dropped())
		log_warn("PCI: %u functions beyond the first %u ignored\n",
			 pci_devs_dropped(), PCI_DEVS_MAX);
}
