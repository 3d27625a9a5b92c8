/*
 * Reset support, judged as Linux's pci_reset_function() would: FLR from
 * the PCIe or the Advanced Features capability, a D3hot -> D0 cycle, or
 * a secondary bus reset by the bridge above.
 */
#include "resets.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <pci/pci.h>

/* PMCSR bit 3: the function keeps its state across D3hot -> D0. */
#define PM_CTRL_NO_SOFT_RESET 0x0008
/* An AF FLR needs Transactions Pending too, to know when it is done. */
#define AF_CAP_FLR_TP (PCI_AF_CAP_FLR | PCI_AF_CAP_TP)
/* Capabilities start after the 64-byte header. */
#define CAPS_START 0x40

static bool resets_has_flr(struct pci_dev *d)
{
	struct pci_cap *c = pci_find_cap(d, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);

	return c && (pci_read_long(d, c->addr + PCI_EXP_DEVCAP) &
		     PCI_EXP_DEVCAP_FLRESET);
}

static bool resets_has_af_flr(struct pci_dev *d)
{
	struct pci_cap *c = pci_find_cap(d, PCI_CAP_ID_AF, PCI_CAP_NORMAL);

	return c && (pci_read_byte(d, c->addr + PCI_AF_CAP) & AF_CAP_FLR_TP) ==
			AF_CAP_FLR_TP;
}

static bool resets_has_pm(struct pci_dev *d)
{
	struct pci_cap *c = pci_find_cap(d, PCI_CAP_ID_PM, PCI_CAP_NORMAL);

	return c && !(pci_read_word(d, c->addr + PCI_PM_CTRL) &
		      PM_CTRL_NO_SOFT_RESET);
}

/*
 * Past the header, config space may be out of reach: Linux's sysfs shows
 * only 64 bytes to non-root, and "lspci -x" dumps only those. Then the
 * capabilities, and so the resets, are unknown rather than absent.
 */
unsigned int resets_probe(struct pci_dev *d)
{
	unsigned int r = 0;
	u8 probe;

	if (!(pci_read_word(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	if (!pci_read_block(d, CAPS_START, &probe, 1))
		return RESET_UNKNOWN;
	if (resets_has_flr(d))
		r |= RESET_FLR;
	if (resets_has_af_flr(d))
		r |= RESET_AF_FLR;
	if (resets_has_pm(d))
		r |= RESET_PM;
	return r;
}

static bool same_bus(const struct pcifn *a, const struct pcifn *b)
{
	return a->domain == b->domain && a->bus == b->bus;
}

/*
 * A function is behind a bridge when one of the scanned bridges leads to
 * its bus, or, the bridge being out of sight, when its bus is not 0 and no
 * host bridge sits on it (which would make it a root bus).
 */
static bool resets_behind_bridge(const struct pcifn *fns, size_t n,
				 const struct pcifn *f)
{
	bool host_bridge = false;
	size_t i;

	for (i = 0; i < n; i++) {
		if (pcifn_has_sec_bus(&fns[i]) && fns[i].domain == f->domain &&
		    fns[i].sec_bus == f->bus)
			return true;
		if (same_bus(&fns[i], f) && (fns[i].class >> 8) == 0x0600)
			host_bridge = true;
	}
	return f->bus != 0 && !host_bridge;
}

/*
 * A bridge's own bus reset would take down everything below it too, so,
 * as Linux does, only functions without a secondary bus get one.
 */
void resets_find_bus(struct pcifn *fns, size_t n)
{
	struct pcifn *f;
	size_t i, j;

	for (i = 0; i < n; i++) {
		f = &fns[i];
		if (pcifn_has_sec_bus(f) || !resets_behind_bridge(fns, n, f))
			continue;
		f->resets |= RESET_BUS;
		for (j = 0; j < n; j++) {
			if (j == i || !same_bus(&fns[j], f))
				continue;
			if (!f->bus_peers++)
				strcpy(f->bus_peer, fns[j].bdf);
		}
	}
}

static void append(char *buf, size_t len, const char *s)
{
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, "%s%s", used ? " " : "", s);
}

void resets_describe(const struct pcifn *f, char *buf, size_t len)
{
	char shared[128];

	buf[0] = '\0';
	if (f->resets & RESET_FLR)
		append(buf, len, "flr");
	if (f->resets & RESET_AF_FLR)
		append(buf, len, "af-flr");
	if (f->resets & RESET_PM)
		append(buf, len, "pm");
	if ((f->resets & RESET_BUS) && !f->bus_peers)
		append(buf, len, "bus");
	if ((f->resets & RESET_BUS) && f->bus_peers) {
		if (f->bus_peers == 1)
			snprintf(shared, sizeof(shared),
				 "shared-bus (also resets %s)", f->bus_peer);
		else
			snprintf(shared, sizeof(shared),
				 "shared-bus (also resets %s and %u more)",
				 f->bus_peer, f->bus_peers - 1);
		append(buf, len, shared);
	}
	if (f->resets & RESET_UNKNOWN)
		append(buf, len,
		       "unknown (capabilities not readable: run as root,"
		       " or dump with lspci -xxx)");
	if (!buf[0])
		append(buf, len, "none");
}
