/*
 * Which resets a function supports, read from its config space: what a
 * restarted driver domain's device can be brought back to a clean state
 * with.
 */
#ifndef HOSTSCAN_RESETS_H
#define HOSTSCAN_RESETS_H

#include <stddef.h>

#include "pciscan.h"

struct pci_dev;

#define RESET_FLR     (1u << 0) /* PCIe Device Capabilities bit 28 */
#define RESET_AF_FLR  (1u << 1) /* Advanced Features capability */
#define RESET_PM      (1u << 2) /* D3hot -> D0 without No_Soft_Reset */
#define RESET_BUS     (1u << 3) /* secondary bus reset of the parent */
#define RESET_UNKNOWN (1u << 4) /* capabilities not readable */

/* The resets the function's own capabilities give (not RESET_BUS). */
unsigned int resets_probe(struct pci_dev *d);

/*
 * Adds RESET_BUS to every function behind a bridge, and records which
 * other functions share its bus (and so its bus reset).
 */
void resets_find_bus(struct pcifn *fns, size_t n);

/* "flr pm", "bus (shared with 0000:02:00.1)", "none", ... */
void resets_describe(const struct pcifn *f, char *buf, size_t len);

#endif
