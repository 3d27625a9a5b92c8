/* The serial line under the console (drivers/char/ns16550.c). */
#ifndef XEN_SERIAL_H
#define XEN_SERIAL_H

#include <xen/types.h>

/*
 * Program the UART at port for baud, 8N1. Returns false when no UART
 * answers there, so the console never waits on a missing device.
 */
bool serial_init(uint16_t port, uint32_t baud);
/*
 * How many bytes the UART takes now without waiting (its FIFO's depth
 * when empty, else 0), and one such byte.
 */
unsigned int serial_tx_room(uint16_t port);
void serial_tx_byte(uint16_t port, char c);

/* Interrupt on received data; read it one character at a time. */
void serial_rx_enable(uint16_t port);
bool serial_getc(uint16_t port, char *c);

#endif
