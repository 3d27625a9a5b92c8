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

#include <stub/xenbus.h>

#define DD_TAKEOVER_NODE "control/takeover" /* relative: our home */

/* Returns at once without "standby=1"; else once told to take over. */
void dd_standby_wait(struct xenbus *xb, const char *cmdline);

#endif
