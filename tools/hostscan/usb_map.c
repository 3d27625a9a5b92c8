/*
 * Which PCI controller a USB bus hangs from, and the USB section of the
 * report grouped by controller.
 */
#include "usb.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HEX "0123456789abcdef"

/* "0000:00:14.0": a domain of 4 or more hex digits, bus, device, fn. */
static bool usb_is_bdf(const char *s)
{
	size_t dom = strspn(s, HEX);

	if (dom < 4 || s[dom] != ':')
		return false;
	s += dom + 1;
	if (strspn(s, HEX) != 2 || s[2] != ':')
		return false;
	s += 3;
	if (strspn(s, HEX) != 2 || s[2] != '.')
		return false;
	s += 3;
	return s[0] >= '0' && s[0] <= '7' && !s[1];
}

int usb_controller_of_bus(const char *sysfs, unsigned int bus, char *bdf,
			  size_t len)
{
	char path[PATH_MAX], target[PATH_MAX], hub[16];
	char *last, *parent;
	ssize_t r;

	snprintf(hub, sizeof(hub), "usb%u", bus);
	snprintf(path, sizeof(path), "%s/bus/usb/devices/%s", sysfs, hub);
	r = readlink(path, target, sizeof(target) - 1);
	if (r <= 0)
		return -1;
	target[r] = '\0';
	while (r > 1 && target[r - 1] == '/')
		target[--r] = '\0';
	last = strrchr(target, '/');
	if (!last || strcmp(last + 1, hub))
		return -1;
	*last = '\0';
	parent = strrchr(target, '/');
	parent = parent ? parent + 1 : target;
	if (!usb_is_bdf(parent))
		return -1; /* a platform or virtual controller */
	snprintf(bdf, len, "%s", parent);
	return 0;
}

struct usb_entry {
	const struct usbdev *dev;
	char ctl[BDF_LEN]; /* "" when not found */
};

static int usb_entry_cmp(const void *x, const void *y)
{
	const struct usb_entry *a = x, *b = y;
	unsigned int i;
	int c;

	if (!a->ctl[0] != !b->ctl[0])
		return a->ctl[0] ? -1 : 1; /* unknown controller last */
	c = strcmp(a->ctl, b->ctl);
	if (c)
		return c;
	if (a->dev->bus != b->dev->bus)
		return a->dev->bus < b->dev->bus ? -1 : 1;
	for (i = 0; i < a->dev->nports && i < b->dev->nports; i++)
		if (a->dev->ports[i] != b->dev->ports[i])
			return a->dev->ports[i] < b->dev->ports[i] ? -1 : 1;
	return (int)a->dev->nports - (int)b->dev->nports;
}

static void usb_print_header(const char *ctl, const struct pcifn *fns, size_t n)
{
	const struct pcifn *f;

	if (!ctl[0]) {
		printf("unknown controller:\n");
		return;
	}
	f = pciscan_find(fns, n, ctl);
	if (f)
		printf("controller %s (%s):\n", ctl, f->device_name);
	else
		printf("controller %s (not in the PCI scan):\n", ctl);
}

static void usb_print_dev(const struct usbdev *u)
{
	unsigned int i;

	printf("  %u-", u->bus);
	for (i = 0; i < u->nports; i++)
		printf("%s%u", i ? "." : "", u->ports[i]);
	printf(" %04x:%04x", u->vendor, u->product);
	if (u->manufacturer[0])
		printf(" manufacturer \"%s\"", u->manufacturer);
	if (u->product_name[0])
		printf(" product \"%s\"", u->product_name);
	printf("\n");
}

void usb_print(const struct usblist *l, const char *sysfs,
	       const struct pcifn *fns, size_t n)
{
	struct usb_entry *e;
	size_t i;

	if (!l->n) {
		printf("USB devices: none found\n");
		return;
	}
	e = calloc(l->n, sizeof(*e));
	if (!e) {
		printf("USB devices: out of memory\n");
		return;
	}
	for (i = 0; i < l->n; i++) {
		e[i].dev = &l->dev[i];
		if (usb_controller_of_bus(sysfs, l->dev[i].bus, e[i].ctl,
					  BDF_LEN))
			e[i].ctl[0] = '\0';
	}
	qsort(e, l->n, sizeof(*e), usb_entry_cmp);
	printf("USB devices:\n");
	for (i = 0; i < l->n; i++) {
		if (!i || strcmp(e[i].ctl, e[i - 1].ctl))
			usb_print_header(e[i].ctl, fns, n);
		usb_print_dev(e[i].dev);
	}
	free(e);
}
