/*
 * USB devices and the PCI controllers they hang from. Where the list comes
 * from (libusb, or a file for tests) is kept apart from how a bus is
 * mapped to its controller (sysfs), so each can be tested alone.
 */
#ifndef HOSTSCAN_USB_H
#define HOSTSCAN_USB_H

#include <stddef.h>
#include <stdint.h>

#include "pciscan.h"

#define USB_MAX_PORTS 7 /* the USB 3 limit on hub depth */
#define USB_STR_LEN   128

struct usbdev {
	unsigned int bus;
	unsigned int nports;
	uint8_t ports[USB_MAX_PORTS]; /* root port first */
	uint16_t vendor, product;
	char manufacturer[USB_STR_LEN]; /* "" when not readable */
	char product_name[USB_STR_LEN];
};

struct usblist {
	struct usbdev *dev;
	size_t n, cap;
};

int usblist_add(struct usblist *l, const struct usbdev *d);
void usblist_free(struct usblist *l);

/*
 * Reads a device list from @path, one device a line, fields separated by
 * tabs: bus, port path ("1.4"), vendor:product in hex, manufacturer,
 * product ("" or "-" when unreadable). Blank lines and '#' lines are
 * skipped. Returns 0, or -1 with a message in @err.
 */
int usb_list_read(const char *path, struct usblist *l, char *err,
		  size_t errlen);

/*
 * Lists this machine's USB devices, root hubs left out, through libusb.
 * Returns 0, or -1 with a message in @err.
 */
int usb_libusb_scan(struct usblist *l, char *err, size_t errlen);

/*
 * Writes the address of the PCI function USB bus @bus hangs from into
 * @bdf: <sysfs>/bus/usb/devices/usb<bus> links to .../<bdf>/usb<bus>.
 * Returns 0, or -1 when the link is missing or leads elsewhere.
 */
int usb_controller_of_bus(const char *sysfs, unsigned int bus, char *bdf,
			  size_t len);

/* The "USB devices:" section: @l grouped under their controllers. */
void usb_print(const struct usblist *l, const char *sysfs,
	       const struct pcifn *fns, size_t n);

#endif
