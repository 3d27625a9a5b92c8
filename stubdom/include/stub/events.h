/* Event channels in a small domain: ports bound to vCPU 0, upcalls. */
#ifndef STUB_EVENTS_H
#define STUB_EVENTS_H

#include <public/event_channel.h>

typedef void (*stub_event_fn)(evtchn_port_t port, void *data);

/* Install the upcall handler and enable events on vCPU 0. */
void stub_events_init(void);
/* Call fn for each event on port, and unmask it. */
void stub_event_bind(evtchn_port_t port, stub_event_fn fn, void *data);
/* Block until an event has been handled (SCHEDOP_block). */
void stub_event_block(void);
long stub_evtchn_op(unsigned int cmd, void *arg);

#endif
