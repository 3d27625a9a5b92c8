/* The xenbus client on a PV domain's event channel (stubdom/lib/xenbus_glue.c).
 */
#ifndef STUB_XENBUS_GLUE_H
#define STUB_XENBUS_GLUE_H

#include <public/event_channel.h>
#include <stub/xenbus.h>

/* Connect xb to ring with our port: events on it wake its waits. */
void stub_xenbus_connect(struct xenbus *xb, void *ring, evtchn_port_t port);
/*
 * For a domain that binds its own handler to the xenstore port: call
 * this from it, or the client's waits miss the event.
 */
void stub_xenbus_event(void);
/*
 * Events the xenstore port has had so far: a loop that waits for the
 * other end (a watch firing) reads it before it looks at the store and
 * waits until it moves, instead of polling on a short timer.
 */
unsigned long stub_xenbus_events(void);
/* The ring and port start_info names (a domain the toolstack built). */
long stub_xenbus_connect_store(struct xenbus *xb);

/* The control domain's requests to xenstored. */
int stub_xenbus_introduce(struct xenbus *xb, domid_t domid, uint64_t mfn,
			  evtchn_port_t port);
int stub_xenbus_release(struct xenbus *xb, domid_t domid);

#endif
