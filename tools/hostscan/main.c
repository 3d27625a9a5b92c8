/*
 * hostscan: survey a Linux machine that is to be converted to Citadel.
 *
 * Run on the machine's own Linux (as root, so that config space past the
 * 64-byte header can be read), it lists:
 *
 *   - every PCI function: address, class, names, IOMMU group, the resets
 *     it supports (FLR, Advanced Features FLR, PM D3hot->D0, secondary
 *     bus) and whether it can be given to a driver domain;
 *   - the USB devices, grouped under the PCI controller they hang from;
 *   - suggested pci = [ ... ] lines for configs/domains/{net,blk,usb}dom.cfg,
 *     with a "# warning:" line for each IOMMU group split between
 *     domains, each function with no reset, or no IOMMU group.
 *
 * usage: hostscan [--dump FILE] [--sysfs DIR] [--ids FILE]
 *                 [--no-usb] [--usb-list FILE]
 *
 *   --dump FILE      read config space from an "lspci -xxx" (or -x,
 *                    -xxxx) dump instead of this machine
 *   --sysfs DIR      where sysfs is (default /sys): IOMMU groups and the
 *                    USB root hubs' links are read from there (config
 *                    space still comes from libpci, or --dump)
 *   --ids FILE       the pci.ids file to name devices from
 *   --no-usb         do not ask libusb for this machine's USB devices
 *   --usb-list FILE  take the USB devices from FILE instead (tab-separated:
 *                    bus, port path, vendor:product, manufacturer, product)
 *
 * Exit status: 0 on success, 2 on a bad option or an unreadable input.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "iommu.h"
#include "pciscan.h"
#include "resets.h"
#include "suggest.h"
#include "usb.h"

struct hostscan_opts {
	struct pciscan_opts pci;
	const char *sysfs;
	const char *usb_list;
	bool no_usb;
};

static const char usage[] =
    "usage: hostscan [--dump FILE] [--sysfs DIR] [--ids FILE]\n"
    "                [--no-usb] [--usb-list FILE]\n"
    "\n"
    "Lists PCI functions (class, names, IOMMU group, resets), USB devices\n"
    "by controller, and suggested Citadel driver-domain configs.\n"
    "\n"
    "  --dump FILE      config space from an lspci -x/-xxx/-xxxx dump\n"
    "  --sysfs DIR      sysfs root for IOMMU groups and USB (default /sys)\n"
    "  --ids FILE       pci.ids file to take names from\n"
    "  --no-usb         do not enumerate USB devices through libusb\n"
    "  --usb-list FILE  USB devices from FILE, one a line, tab-separated:\n"
    "                   bus, ports (1.4), vvvv:pppp, manufacturer, product\n"
    "  -h, --help       this text\n"
    "\n"
    "Exit status: 0 on success, 2 on bad options or unreadable input.\n";

static const struct option long_opts[] = {
	{ "dump", required_argument, NULL, 'd' },
	{ "sysfs", required_argument, NULL, 's' },
	{ "ids", required_argument, NULL, 'i' },
	{ "no-usb", no_argument, NULL, 'n' },
	{ "usb-list", required_argument, NULL, 'u' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

__attribute__((noreturn)) static void bad_usage(const char *why)
{
	if (why)
		fprintf(stderr, "hostscan: %s\n", why);
	fputs(usage, stderr);
	exit(2);
}

/* getopt has just stepped over the offending argument. */
static void bad_option(int c, char **argv)
{
	char why[256];

	snprintf(why, sizeof(why), "%s '%s'",
		 c == ':' ? "missing argument to" : "bad option",
		 argv[optind - 1]);
	bad_usage(why);
}

static void parse_opts(int argc, char **argv, struct hostscan_opts *o)
{
	int c;

	o->sysfs = "/sys";
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->pci.dump = optarg;
			break;
		case 's':
			o->sysfs = optarg;
			break;
		case 'i':
			o->pci.ids = optarg;
			break;
		case 'n':
			o->no_usb = true;
			break;
		case 'u':
			o->usb_list = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			bad_option(c, argv);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hostscan: unexpected argument '%s'\n",
			argv[optind]);
		bad_usage(NULL);
	}
}

/*
 * Gathers the USB devices before anything is printed, so that a bad list
 * file stops hostscan with nothing but the message. Returns NULL when
 * they were listed, or why they were not.
 */
static const char *hostscan_usb(const struct hostscan_opts *o,
				struct usblist *l, char *err, size_t errlen)
{
	if (o->usb_list) {
		if (usb_list_read(o->usb_list, l, err, errlen)) {
			fprintf(stderr, "hostscan: %s\n", err);
			exit(2);
		}
		return NULL;
	}
	if (o->no_usb)
		return "--no-usb";
	if (usb_libusb_scan(l, err, errlen)) {
		fprintf(stderr, "hostscan: %s\n", err);
		return err; /* the PCI survey is still worth having */
	}
	return NULL;
}

/* What only the whole scan tells: groups, owners, shared bus resets. */
static void hostscan_judge(struct pcifn *fns, size_t n, const char *sysfs)
{
	size_t i;

	for (i = 0; i < n; i++) {
		iommu_group_of(sysfs, fns[i].bdf, fns[i].iommu_group,
			       sizeof(fns[i].iommu_group));
		if (!pcifn_is_bridge(&fns[i]))
			fns[i].drvdom = suggest_domain(fns[i].class);
	}
	resets_find_bus(fns, n);
}

int main(int argc, char **argv)
{
	struct hostscan_opts o = { 0 };
	struct usblist usb = { 0 };
	const char *no_usb;
	struct pcifn *fns;
	char err[512];
	size_t n;
	int rc = 0;

	parse_opts(argc, argv, &o);
	no_usb = hostscan_usb(&o, &usb, err, sizeof(err));
	if (pciscan_run(&o.pci, &fns, &n)) {
		fprintf(stderr, "hostscan: out of memory\n");
		rc = 2;
		goto out_usb;
	}
	if (!n && o.pci.dump) {
		fprintf(stderr,
			"hostscan: %s: no PCI functions in it (not an"
			" lspci -x dump?)\n",
			o.pci.dump);
		rc = 2;
		goto out;
	}
	hostscan_judge(fns, n, o.sysfs);
	pciscan_print(fns, n);
	printf("\n");
	if (no_usb)
		printf("USB devices: not scanned (%s)\n", no_usb);
	else
		usb_print(&usb, o.sysfs, fns, n);
	printf("\n");
	suggest_print(fns, n);
out:
	free(fns);
out_usb:
	usblist_free(&usb);
	return rc;
}
