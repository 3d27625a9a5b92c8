/* The small-domain runtime: what an application domain gets. */
#ifndef STUB_STUB_H
#define STUB_STUB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <public/xen.h>

extern struct start_info *start_info;
/* Mapped by the runtime at start, below the image. */
extern volatile struct shared_info *shared_info;

/* The application: called with the domain's command line. Its return
 * value is the shutdown reason (0 powers the domain off). */
int app_main(const char *cmdline);

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
/* Write raw bytes to the hypervisor console. */
void console_write(const char *s, size_t len);
/*
 * fn runs before every console_write() (also its own: it guards itself),
 * e.g. to end a prompt's line before other output lands on it.
 */
void stub_console_before_write(void (*fn)(void));
/* Use the console ring start_info names, if any (from stub_start). */
void stub_console_init(void);
/* Input from the console ring: up to max bytes, without waiting. */
size_t stub_console_read(char *buf, size_t max);
/* The console ring's port (to bind a handler for input), or 0. */
uint32_t stub_console_port(void);

void stub_shutdown(unsigned int reason) __attribute__((noreturn));
/* Print the reason and crash the domain. */
void stub_panic(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

#endif
