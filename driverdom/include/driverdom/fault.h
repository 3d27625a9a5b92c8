/*
 * Faults on request, for the restart tests: a driver domain watches its
 * "control/fault" node; the control domain writes "wild" (a store
 * through a wild pointer: a page fault the domain has no handler for)
 * or "hang" (spin with events masked until the watchdog fires). Only in
 * builds with CONFIG_FAULT_INJECT; otherwise dd_fault_watch() does
 * nothing and the node is ignored.
 */
#ifndef DRIVERDOM_FAULT_H
#define DRIVERDOM_FAULT_H

#include <stub/xenbus.h>

#define DD_FAULT_NODE "control/fault"

/* Watch our fault node (relative: our home); the fault comes from
 * xenbus_dispatch(), in the middle of whatever the main loop does. */
void dd_fault_watch(struct xenbus *xb);

/*
 * The watchdog: "watchdog=N" on the command line arms one of N seconds
 * (0 or absent: none); dd_watchdog_kick() from the main loop pets it,
 * at most every quarter of its timeout.
 */
void dd_watchdog_start(const char *cmdline);
void dd_watchdog_kick(uint64_t now);

#endif
