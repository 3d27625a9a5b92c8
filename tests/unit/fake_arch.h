/*
 * The fake arch layer for host unit tests: machine memory is a buffer the
 * test fills, and the serial line is a buffer the test reads.
 */
#ifndef FAKE_ARCH_H
#define FAKE_ARCH_H

#include <xen/softirq.h>
#include <xen/time.h>
#include <xen/types.h>

#define FAKE_MEM_BASE 0x10000ull
#define FAKE_MEM_SIZE (256 * 1024)

/* Fake machine memory: [FAKE_MEM_BASE, FAKE_MEM_BASE + FAKE_MEM_SIZE). */
extern uint8_t *fake_mem;
void fake_mem_reset(void);
void *fake_mem_at(uint64_t pa);

/* Everything written to the serial line since the last reset. */
#define FAKE_SERIAL_MAX 65536
extern char fake_serial_out[FAKE_SERIAL_MAX];
extern size_t fake_serial_len;
extern uint16_t fake_serial_port;
extern uint32_t fake_serial_baud;
extern bool fake_serial_absent;		/* serial_init() finds no UART */
extern unsigned int fake_serial_room;	/* the UART takes per poll */
extern unsigned long fake_serial_polls; /* serial_tx_room() calls */
void fake_serial_reset(void);

/*
 * Time, softirqs and timers: NOW() is fake_now; a raised softirq runs
 * at fake_softirq_run(); the last timer set runs at fake_timer_run(),
 * which moves fake_now to its expiry (false when none is armed).
 */
struct timer;
extern s_time_t fake_now;
bool fake_softirq_is_raised(enum softirq nr);
void fake_softirq_run(void);
struct timer *fake_timer_armed(void);
bool fake_timer_run(void);

#endif
