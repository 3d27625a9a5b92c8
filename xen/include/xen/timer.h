/*
 * One-shot timers. Each CPU keeps its timers in a binary min-heap ordered
 * by expiry, and its timer interrupt is programmed for the earliest one.
 */
#ifndef XEN_TIMER_H
#define XEN_TIMER_H

#include <xen/time.h>
#include <xen/types.h>

struct timer {
	s_time_t expires;
	void (*fn)(void *data);
	void *data;
	unsigned int heap_pos; /* 1-based position in its queue; 0: idle */
	unsigned int cpu;
};

struct timer_queue {
	struct timer **heap; /* heap[1..nr]; heap[0] unused */
	unsigned int nr, max;
};

/* A queue holding up to max timers in storage[0..max] (max + 1 slots). */
void timer_queue_init(struct timer_queue *q, struct timer **storage,
		      unsigned int max);
/* Queue t, or move it if queued; -ENOSPC when full (t unchanged). */
int timer_queue_add(struct timer_queue *q, struct timer *t);
/* Take t out; false if it was not queued. */
bool timer_queue_remove(struct timer_queue *q, struct timer *t);
/* The earliest expiry, or 0 when the queue is empty. */
s_time_t timer_queue_next(const struct timer_queue *q);
/*
 * Take out and run every timer expired at now, earliest first. A handler
 * may add timers, itself included. Returns how many ran.
 */
unsigned int timer_queue_run(struct timer_queue *q, s_time_t now);

/* Per-CPU timers (xen/common/timer.c). */
void timer_init(struct timer *t, void (*fn)(void *), void *data,
		unsigned int cpu);
/* (Re)arm t for system time expires on its CPU. */
void timer_set(struct timer *t, s_time_t expires);
/* Arm t to expire by expires: one already armed earlier stays as it is. */
void timer_set_by(struct timer *t, s_time_t expires);
void timer_stop(struct timer *t);
bool timer_active(const struct timer *t);
/* Start the timer subsystem (boot CPU, before any timer_set). */
void timer_subsys_init(void);
/* Print the timers queued on every CPU (for the debug keys). */
void timer_print_queues(void);

#endif
