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

/* Write raw bytes; "\n" becomes "\r\n". Drops output before init. */
void console_write(const char *s, size_t len);

/*
 * A domain's console output: each line starts with prefix, characters
 * that are not printable become '?', so a domain cannot drive the
 * terminal. *line_start keeps the domain's place between calls.
 */
void printk_guest(const char *prefix, const char *s, size_t len,
		  bool *line_start);

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
