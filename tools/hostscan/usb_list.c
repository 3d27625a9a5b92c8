/*
 * The list of USB devices, and reading one from a file: what the tests
 * feed hostscan instead of this machine's USB.
 */
#include "usb.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int usblist_add(struct usblist *l, const struct usbdev *d)
{
	struct usbdev *grown;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap ? 2 * l->cap : 16;
		grown = realloc(l->dev, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		l->dev = grown;
		l->cap = cap;
	}
	l->dev[l->n++] = *d;
	return 0;
}

void usblist_free(struct usblist *l)
{
	free(l->dev);
	l->dev = NULL;
	l->n = l->cap = 0;
}

/* A decimal number in [lo, hi], the whole of @s. */
static bool parse_uint(const char *s, unsigned long lo, unsigned long hi,
		       unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return !errno && !*end && *v >= lo && *v <= hi;
}

/* "1.4.2": the root port first, each port 1..255. */
static bool parse_ports(char *s, struct usbdev *u)
{
	unsigned long v;
	char *p;

	u->nports = 0;
	while ((p = strsep(&s, "."))) {
		if (u->nports == USB_MAX_PORTS || !parse_uint(p, 1, 255, &v))
			return false;
		u->ports[u->nports++] = (uint8_t)v;
	}
	return u->nports > 0;
}

/* "0627:0001", exactly. */
static bool parse_ids(const char *s, struct usbdev *u)
{
	unsigned int vid, pid;
	int end = 0;

	if (strlen(s) != 9 || s[4] != ':' ||
	    strspn(s, "0123456789abcdefABCDEF:") != 9)
		return false;
	if (sscanf(s, "%4x:%4x%n", &vid, &pid, &end) != 2 || end != 9)
		return false;
	u->vendor = (uint16_t)vid;
	u->product = (uint16_t)pid;
	return true;
}

static void copy_string(char *dst, const char *src)
{
	if (!src || !strcmp(src, "-"))
		src = "";
	snprintf(dst, USB_STR_LEN, "%s", src);
}

/* One non-comment line, split at tabs. Returns NULL or what is wrong. */
static const char *usb_list_line(char *line, struct usbdev *u)
{
	char *bus, *ports, *ids;
	unsigned long v;

	memset(u, 0, sizeof(*u));
	bus = strsep(&line, "\t");
	ports = strsep(&line, "\t");
	ids = strsep(&line, "\t");
	if (!ids)
		return "want bus, ports and vendor:product, tab-separated";
	if (!parse_uint(bus, 1, 255, &v))
		return "bad bus number";
	u->bus = (unsigned int)v;
	if (!parse_ports(ports, u))
		return "bad port path";
	if (!parse_ids(ids, u))
		return "bad vendor:product";
	copy_string(u->manufacturer, strsep(&line, "\t"));
	copy_string(u->product_name, strsep(&line, "\t"));
	if (line)
		return "too many fields";
	return NULL;
}

int usb_list_read(const char *path, struct usblist *l, char *err, size_t errlen)
{
	char buf[1024];
	const char *why;
	struct usbdev u;
	unsigned int lineno = 0;
	int rc = -1;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		lineno++;
		buf[strcspn(buf, "\r\n")] = '\0';
		if (!buf[0] || buf[0] == '#')
			continue;
		why = usb_list_line(buf, &u);
		if (!why && usblist_add(l, &u))
			why = "out of memory";
		if (why) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
			goto out;
		}
	}
	rc = 0;
out:
	fclose(f);
	return rc;
}
