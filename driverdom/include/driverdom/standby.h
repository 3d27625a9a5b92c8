/*
 * A driver domain built as a standby (the control domain's config key
 * "standby = 1"; see stubdom/control/standby.c) has "standby=1" on its
 * command line. It does the start-up that needs no device (its memory,
 * the store, its watches), then waits, holding no device and serving
 * nothing, until the control domain has handed it the devices of a
 * crashed instance and written "1" to its DD_TAKEOVER_NODE. Opening the
 * devices and serving are then all a restart waits for.
 */
#ifndef DRIVERDOM_STANDBY_H
#define DRIVERDOM_STANDBY_H

#include <stub/events.h>
#include <stub/xenbus.h>

#define DD_TAKEOVER_NODE "control/takeover" /* relative: our home */

/* Returns at once without "standby=1"; else once told to take over. */
void dd_standby_wait(struct xenbus *xb, const char *cmdline);

/*
 * A driver domain's start-up between its memory and its devices: xb
 * connected to the store (a panic naming name if it cannot be), the
 * store's port bound to on_store (which calls stub_xenbus_event()), the
 * fault node watched, and a standby's wait.
 */
void dd_store_start(struct xenbus *xb, const char *name, stub_event_fn on_store,
		    const char *cmdline);

#endif
