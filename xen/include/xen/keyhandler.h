/* Debug keys on the serial console (CONFIG_DEBUG_KEYS; stubs otherwise). */
#ifndef XEN_KEYHANDLER_H
#define XEN_KEYHANDLER_H

#include <xen/types.h>

/*
 * A character typed on the console, from interrupt context: true if the
 * hypervisor took it, false if it is the control domain's. Three Ctrl-A
 * in a row switch the console input to the hypervisor and back.
 */
bool keyhandler_input(char c);

/* Set up the softirq that runs key handlers; say how to switch input. */
void keyhandler_init(void);

#endif
