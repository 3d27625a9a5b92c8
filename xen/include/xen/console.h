/* The hypervisor console: a serial line, with messages held until it is up. */
#ifndef XEN_CONSOLE_H
#define XEN_CONSOLE_H

#include <xen/types.h>

/* Where the console goes; set by defaults and the console= option. */
struct console_cfg {
	bool enabled;
	uint16_t port;
	uint32_t baud;
};
extern struct console_cfg console_cfg;

/* Bring the serial line up with console_cfg; later calls do nothing. */
void console_init(void);
bool console_ready(void);

/*
 * Write raw bytes; "\n" becomes "\r\n". Drops output before init.
 * Callers hold printk's lock (xen/common/printk.c).
 */
void console_write(const char *s, size_t len);

/*
 * The transmit ring under console_write (xen/common/console-tx.c).
 * Writes wait for the UART until console_tx_start() (boot is done; not
 * with sync_console), and again after console_tx_sync() (panic, halt,
 * reboot: the other CPUs stopped), which also waits for what is queued.
 * console_tx_drain() moves up to max queued bytes to the UART, returning
 * how many (0: the UART is full or another CPU drains).
 */
#define CONSOLE_TX_BURST 16 /* a 16550A's FIFO: a drain step */
void console_tx_write(const char *s, size_t len);
void console_tx_start(void);
void console_tx_sync(void);
bool console_tx_pending(void);
unsigned int console_tx_drain(unsigned int max);

/*
 * A domain's place in its console output. A buffered domain's line goes
 * out whole (or CONSOLE_LINE_MAX bytes of it), so lines of other CPUs
 * never cut into it; the control domain's is not buffered, as its
 * prompt waits for input without a newline.
 */
#define CONSOLE_LINE_MAX 160
struct console_line {
	bool buffered;
	bool open; /* unbuffered: a line was begun and not ended */
	unsigned int len;
	char buf[CONSOLE_LINE_MAX];
};

/*
 * A domain's console output: each line starts with prefix, characters
 * that are not printable become '?', so a domain cannot drive the
 * terminal.
 */
void printk_guest(const char *prefix, const char *s, size_t len,
		  struct console_line *l);
/* What is left of its line, ended (the domain is going). */
void printk_guest_flush(const char *prefix, struct console_line *l);

/* A panicking CPU must print even if another one died holding the lock. */
void printk_lock_bust(void);

/*
 * The log of the hypervisor's lines (the last 16 KiB): up to len bytes
 * into buf from *index (a count of bytes ever logged), or from the
 * oldest byte kept without incremental or when *index is older than
 * that; *index moves past them. clear empties the log after the read.
 * Returns how many bytes.
 */
size_t printk_log_read(uint32_t *index, bool incremental, char *buf, size_t len,
		       bool clear);

/* Print what printk held back before the console was up. */
void printk_flush_early(void);

/*
 * Serial input for the control domain (xen/common/console-input.c):
 * queue a character (interrupt context), and CONSOLEIO_read for d: up to
 * count characters to its buffer, returning how many, or -EPERM/-EFAULT.
 */
void console_input_init(void);
void console_input_push(char c);
struct domain;
long console_input_read(struct domain *d, uint64_t count, uint64_t buf);

#endif
