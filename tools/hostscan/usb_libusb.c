/* This machine's USB devices, through libusb. */
#include "usb.h"

#include <stdio.h>

#include <libusb-1.0/libusb.h>

static void usb_libusb_string(libusb_device_handle *h, uint8_t index, char *buf)
{
	int r = 0;

	if (index)
		r = libusb_get_string_descriptor_ascii(
		    h, index, (unsigned char *)buf, USB_STR_LEN);
	if (r <= 0)
		buf[0] = '\0';
}

/* Opening needs rights on /dev/bus/usb; without them strings stay blank. */
static void usb_libusb_strings(libusb_device *dev,
			       const struct libusb_device_descriptor *desc,
			       struct usbdev *u)
{
	libusb_device_handle *h;

	if (libusb_open(dev, &h))
		return;
	usb_libusb_string(h, desc->iManufacturer, u->manufacturer);
	usb_libusb_string(h, desc->iProduct, u->product_name);
	libusb_close(h);
}

static int usb_libusb_one(libusb_device *dev, struct usblist *l)
{
	struct libusb_device_descriptor desc;
	struct usbdev u = { 0 };
	int np;

	np = libusb_get_port_numbers(dev, u.ports, USB_MAX_PORTS);
	if (np <= 0)
		return 0; /* a root hub: its bus is its controller */
	if (libusb_get_device_descriptor(dev, &desc))
		return 0;
	u.nports = (unsigned int)np;
	u.bus = libusb_get_bus_number(dev);
	u.vendor = desc.idVendor;
	u.product = desc.idProduct;
	usb_libusb_strings(dev, &desc, &u);
	return usblist_add(l, &u);
}

int usb_libusb_scan(struct usblist *l, char *err, size_t errlen)
{
	libusb_context *ctx;
	libusb_device **devs;
	ssize_t n, i;
	int rc;

	rc = libusb_init(&ctx);
	if (rc) {
		snprintf(err, errlen, "libusb: %s", libusb_strerror(rc));
		return -1;
	}
	n = libusb_get_device_list(ctx, &devs);
	if (n < 0) {
		snprintf(err, errlen, "libusb: %s", libusb_strerror((int)n));
		rc = -1;
		goto out;
	}
	for (i = 0; i < n && !rc; i++)
		rc = usb_libusb_one(devs[i], l);
	if (rc)
		snprintf(err, errlen, "libusb: out of memory");
	libusb_free_device_list(devs, 1);
out:
	libusb_exit(ctx);
	return rc ? -1 : 0;
}
