/* Event channels in a small domain: ports bound to vCPU 0, upcalls. */
#ifndef STUB_EVENTS_H
#define STUB_EVENTS_H

#include <public/event_channel.h>

typedef void (*stub_event_fn)(evtchn_port_t port, void *data);

/* Install the upcall handler and enable events on vCPU 0. */
void stub_events_init(void);
/* Call fn for each event on port, and unmask it. */
void stub_event_bind(evtchn_port_t port, stub_event_fn fn, void *data);
/*
 * Block until an event has been handled. With upcalls masked (the usual
 * way: see stub_wait_until) it polls the bound ports and runs the
 * handlers itself, returning with upcalls still masked; with them
 * unmasked, SCHEDOP_block unmasks and sleeps in one step and the upcall
 * runs the handlers.
 */
void stub_event_block(void);
/*
 * Hold upcalls back while testing a wake condition; unmasking takes one
 * that came meanwhile at once.
 */
void stub_events_mask(void);
void stub_events_unmask(void);

/*
 * Block until cond holds. Testing cond with upcalls masked is what makes
 * this safe: an event whose handler would make cond true, landing after
 * the test, leaves evtchn_upcall_pending set, and SCHEDOP_block returns at
 * once instead of sleeping through it.
 */
#define stub_wait_until(cond)               \
	do {                                \
		stub_events_mask();         \
		while (!(cond)) {           \
			stub_event_block(); \
			stub_events_mask(); \
		}                           \
		stub_events_unmask();       \
	} while (0)
long stub_evtchn_op(unsigned int cmd, void *arg);

#endif
