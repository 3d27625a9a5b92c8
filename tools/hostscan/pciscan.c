/*
 * Scanning PCI functions through libpci, from this machine's config space
 * or from an lspci dump, and printing what was found.
 */
#include "pciscan.h"
#include "resets.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

/* libpci calls this on a fatal error and must not get control back. */
__attribute__((noreturn, format(printf, 1, 2))) static void
pciscan_error(char *msg, ...)
{
	va_list ap;

	fputs("hostscan: libpci: ", stderr);
	va_start(ap, msg);
	vfprintf(stderr, msg, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

__attribute__((format(printf, 1, 2))) static void pciscan_warning(char *msg,
								  ...)
{
	va_list ap;

	fputs("hostscan: libpci: ", stderr);
	va_start(ap, msg);
	vfprintf(stderr, msg, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Names from pci.ids (or udev's hwdb); numbers where it has none, or is
 * not there at all.
 */
static void pciscan_names(struct pci_access *a, struct pcifn *f, int flags)
{
	flags |= PCI_LOOKUP_NO_NUMBERS;
	if (!pci_lookup_name(a, f->vendor_name, NAME_LEN,
			     flags | PCI_LOOKUP_VENDOR, f->vendor))
		snprintf(f->vendor_name, NAME_LEN, "vendor %04x", f->vendor);
	if (!pci_lookup_name(a, f->device_name, NAME_LEN,
			     flags | PCI_LOOKUP_DEVICE, f->vendor, f->device))
		snprintf(f->device_name, NAME_LEN, "device %04x", f->device);
	if (!pci_lookup_name(a, f->class_name, NAME_LEN,
			     flags | PCI_LOOKUP_CLASS, f->class >> 8))
		snprintf(f->class_name, NAME_LEN, "class %04x", f->class >> 8);
}

static void pciscan_fill(struct pci_access *a, struct pci_dev *d,
			 struct pcifn *f, int flags)
{
	memset(f, 0, sizeof(*f));
	pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS);
	f->domain = (unsigned int)d->domain;
	f->bus = d->bus;
	f->dev = d->dev;
	f->fn = d->func;
	snprintf(f->bdf, BDF_LEN, "%04x:%02x:%02x.%x", f->domain, f->bus,
		 f->dev, f->fn);
	f->vendor = d->vendor_id;
	f->device = d->device_id;
	f->class =
	    (uint32_t)d->device_class << 8 | pci_read_byte(d, PCI_CLASS_PROG);
	f->hdrtype = pci_read_byte(d, PCI_HEADER_TYPE) & 0x7f;
	if (pcifn_has_sec_bus(f))
		f->sec_bus = pci_read_byte(d, PCI_SECONDARY_BUS);
	f->resets = resets_probe(d);
	strcpy(f->iommu_group, "none");
	pciscan_names(a, f, flags);
}

static int pciscan_cmp(const void *x, const void *y)
{
	const struct pcifn *a = x, *b = y;

	if (a->domain != b->domain)
		return a->domain < b->domain ? -1 : 1;
	if (a->bus != b->bus)
		return a->bus < b->bus ? -1 : 1;
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	return (int)a->fn - (int)b->fn;
}

/* Sets up libpci's access method and name database from @o. */
static struct pci_access *pciscan_open(const struct pciscan_opts *o, int *flags)
{
	struct pci_access *a = pci_alloc();

	a->error = pciscan_error;
	a->warning = pciscan_warning;
	*flags = 0;
	if (o->dump) {
		a->method = PCI_ACCESS_DUMP;
		pci_set_param(a, "dump.name", (char *)o->dump);
	}
	if (o->ids) {
		/* The file given is the whole truth: no hwdb over it. */
		pci_set_name_list_path(a, (char *)o->ids, 0);
		*flags |= PCI_LOOKUP_NO_HWDB;
	}
	pci_init(a);
	return a;
}

int pciscan_run(const struct pciscan_opts *o, struct pcifn **fns, size_t *n)
{
	struct pci_access *a;
	struct pci_dev *d;
	size_t count = 0, i = 0;
	int flags, rc = 0;

	a = pciscan_open(o, &flags);
	pci_scan_bus(a);
	for (d = a->devices; d; d = d->next)
		count++;
	*fns = calloc(count ? count : 1, sizeof(**fns));
	if (!*fns) {
		rc = -ENOMEM;
		goto out;
	}
	for (d = a->devices; d; d = d->next)
		pciscan_fill(a, d, &(*fns)[i++], flags);
	qsort(*fns, count, sizeof(**fns), pciscan_cmp);
	*n = count;
out:
	pci_cleanup(a);
	return rc;
}

bool pcifn_is_bridge(const struct pcifn *f)
{
	return (f->class >> 16) == 0x06;
}

bool pcifn_has_sec_bus(const struct pcifn *f)
{
	return f->hdrtype == PCI_HEADER_TYPE_BRIDGE ||
	       f->hdrtype == PCI_HEADER_TYPE_CARDBUS;
}

const struct pcifn *pciscan_find(const struct pcifn *fns, size_t n,
				 const char *bdf)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(fns[i].bdf, bdf))
			return &fns[i];
	return NULL;
}

static void pciscan_print_one(const struct pcifn *f)
{
	char resets[256];

	printf("%s [%06x] %s: %s %s [%04x:%04x]\n", f->bdf, f->class,
	       f->class_name, f->vendor_name, f->device_name, f->vendor,
	       f->device);
	printf("  iommu group: %s\n", f->iommu_group);
	resets_describe(f, resets, sizeof(resets));
	printf("  resets: %s\n", resets);
	if (pcifn_is_bridge(f))
		printf("  assign: no (bridge)\n");
	else if (f->drvdom)
		printf("  assign: %s\n", f->drvdom);
	else
		printf("  assign: none (no driver domain takes class %04x)\n",
		       f->class >> 8);
}

void pciscan_print(const struct pcifn *fns, size_t n)
{
	size_t i;

	printf("PCI functions:\n");
	for (i = 0; i < n; i++)
		pciscan_print_one(&fns[i]);
}
