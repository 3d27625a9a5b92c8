/* Time in a small domain: the pvclock, the wallclock, sleeping. */
#ifndef STUB_TIME_H
#define STUB_TIME_H

#include <stdbool.h>
#include <stdint.h>

/* System time in ns (the hypervisor's NOW()), from vCPU 0's pvclock. */
uint64_t stub_now(void);
/* Wall time in ns since 1970. */
uint64_t stub_wallclock(void);
/* Sleep at least ns: a single-shot timer, then block until VIRQ_TIMER. */
void stub_sleep(uint64_t ns);
/*
 * The same timer, for waits that end at an event or a deadline:
 * stub_timer_arm(deadline), then stub_wait_until(something ||
 * stub_timer_fired()).
 */
void stub_timer_arm(uint64_t deadline);
bool stub_timer_fired(void);
/* The deadline armed and not yet fired, or 0. */
uint64_t stub_timer_deadline(void);
/*
 * For benchmarks, from a test build's hypervisor (its test device): the
 * ns every CPU has been halted at once, or a negative errno. Under
 * -icount, time less this is instructions executed.
 */
long stub_all_halted_ns(void);
/*
 * Of the ns since stub_all_halted_ns() read halted0, those some CPU was
 * busy, in *busy; false when the hypervisor does not count.
 */
bool stub_busy_since(long halted0, uint64_t ns, uint64_t *busy);

/*
 * A main loop's wait: unless cond already holds, block once, until an
 * event or deadline (the timer is armed for it unless it fires by then
 * anyway). cond and the timer are tested with upcalls masked, so an
 * event that made cond true, or the timer, landing just before the
 * block is not slept through. Needs <stub/events.h>.
 */
#define stub_block_until(deadline, cond)                  \
	do {                                              \
		uint64_t stub_d_ = (deadline);            \
		uint64_t stub_a_ = stub_timer_deadline(); \
		if (cond)                                 \
			break;                            \
		if (!stub_a_ || stub_a_ > stub_d_)        \
			stub_timer_arm(stub_d_);          \
		stub_events_mask();                       \
		if (!(cond) && !stub_timer_fired())       \
			stub_event_block();               \
		stub_events_unmask();                     \
	} while (0)

#endif
