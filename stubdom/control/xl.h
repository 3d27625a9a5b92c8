/*
 * The admin shell's side in the control domain: the shell_ops that
 * answer its commands from ctl_doms[], domctl, sysctl and xenstore
 * (xl_ops.c), creating a domain from a config of the boot bundle at run
 * time (xl_create.c), and the serial line: input read as in Xen
 * (VIRQ_CONSOLE, CONSOLEIO_read), output written through console_io
 * (xl_console.c).
 */
#ifndef CONTROL_XL_H
#define CONTROL_XL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "shell.h"

extern const struct shell_ops xl_ops;

/*
 * Create a domain from the bundle's config file (by file name, ".cfg"
 * optional): parsed, checked against the domains now running (its name
 * free, its PCI functions, MACs and memory not taken, its backends
 * running) within host_mib, then built and unpaused. A known config whose
 * domain is down is built again. 0, or a negative errno with one line in
 * err.
 */
int xl_create(const char *file, uint64_t host_mib, char *err, size_t errlen);

/* The host's memory the layout check allows (main.c sets it). */
extern uint64_t xl_host_mib;

/*
 * The serial line: bind VIRQ_CONSOLE and start the shell (its first
 * prompt); then, from the main loop, xl_poll() hands it what was typed
 * and the time, and ends a console whose domain went away.
 */
/* The shell's write op: the serial line, through console_io. */
void xl_console_write(void *ctx, const char *s, size_t n);
void xl_start(void);
void xl_poll(uint64_t now);
bool xl_started(void);

#endif
