/*
 * The fake arch layer for host unit tests: machine memory is a buffer the
 * test fills, and the serial line is a buffer the test reads.
 */
#ifndef FAKE_ARCH_H
#define FAKE_ARCH_H

#include <xen/types.h>

#define FAKE_MEM_BASE 0x10000ull
#define FAKE_MEM_SIZE (256 * 1024)

/* Fake machine memory: [FAKE_MEM_BASE, FAKE_MEM_BASE + FAKE_MEM_SIZE). */
extern uint8_t *fake_mem;
void fake_mem_reset(void);
void *fake_mem_at(uint64_t pa);

/* Everything written to the serial line since the last reset. */
extern char fake_serial_out[16384];
extern size_t fake_serial_len;
extern uint16_t fake_serial_port;
extern uint32_t fake_serial_baud;
extern bool fake_serial_absent; /* serial_init() finds no UART */
void fake_serial_reset(void);

#endif
