/*
 * The console back end, in the control domain: each domain's console
 * ring, mapped through its reserved grant ref, printed line by line on
 * the hypervisor console with the domain's name in front; and input for
 * the one domain the console is attached to.
 */
#ifndef STUB_CONSBACK_H
#define STUB_CONSBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <public/event_channel.h>
#include <public/xen.h>

/* Serve domid's console: its ring through grant ref 0, port in it. */
long consback_add(domid_t domid, const char *name, evtchn_port_t port);
/* Stop serving it (it is gone or going): print what is left, unmap. */
void consback_remove(domid_t domid);
/* Print what every ring holds; true if anything was there. */
bool consback_poll(void);
/* Send keyboard input to domid's ring: bytes taken, or -errno. */
long consback_input(domid_t domid, const char *s, size_t len);

/*
 * The serial console's input (VIRQ_CONSOLE, CONSOLEIO_read) goes to
 * the attached domain's ring; Ctrl-] detaches. consback_attach() binds
 * VIRQ_CONSOLE the first time; consback_pump() moves what was typed.
 */
#define CONSBACK_DETACH 0x1d /* Ctrl-] */
long consback_attach(domid_t domid);
void consback_detach(void);
void consback_pump(void);

#endif
