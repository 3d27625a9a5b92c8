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

#endif
