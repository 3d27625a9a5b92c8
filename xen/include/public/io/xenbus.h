/*
 * The states a split-driver end publishes in its xenstore "state" node;
 * each side moves through them in order and watches the other's.
 */
#ifndef XEN_PUBLIC_IO_XENBUS_H
#define XEN_PUBLIC_IO_XENBUS_H

#include "../xen-compat.h"

#ifndef __ASSEMBLY__
enum xenbus_state {
	XenbusStateUnknown = 0,
	XenbusStateInitialising = 1,
	XenbusStateInitWait = 2,    /* backend: waiting for frontend details */
	XenbusStateInitialised = 3, /* frontend: details written */
	XenbusStateConnected = 4,
	XenbusStateClosing = 5, /* the device is going away */
	XenbusStateClosed = 6,
	XenbusStateReconfiguring = 7,
	XenbusStateReconfigured = 8
};
typedef enum xenbus_state XenbusState;
#endif

#endif /* XEN_PUBLIC_IO_XENBUS_H */
