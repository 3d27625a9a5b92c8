/* Debug keys on the serial console (CONFIG_DEBUG_KEYS; stubs otherwise). */
#ifndef XEN_KEYHANDLER_H
#define XEN_KEYHANDLER_H

/*
 * A character typed on the console, from interrupt context. Three
 * Ctrl-A in a row switch the console input to the hypervisor and back.
 */
void keyhandler_input(char c);

/* Set up the softirq that runs key handlers; say how to switch input. */
void keyhandler_init(void);

#endif
