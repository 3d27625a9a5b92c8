/* System time: nanoseconds since boot, monotonic, the same on every CPU. */
#ifndef XEN_TIME_H
#define XEN_TIME_H

#include <xen/types.h>

typedef uint64_t s_time_t;

#define MICROSECS(us) ((s_time_t)(us)*1000ull)
#define MILLISECS(ms) ((s_time_t)(ms)*1000000ull)
#define SECONDS(s)    ((s_time_t)(s)*1000000000ull)

/* Now, in nanoseconds since the time source was calibrated. */
s_time_t NOW(void);

/*
 * Ask for this CPU's timer interrupt at system time t (0: none); the
 * interrupt may come late but never early.
 */
void arch_timer_program(s_time_t t);

#endif
