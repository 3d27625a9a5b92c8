/* netguest's modes that live in files of their own. */
#ifndef STUBDOM_TESTS_NETGUEST_H
#define STUBDOM_TESTS_NETGUEST_H

/*
 * "hostile": a frontend that breaks the netif protocol on purpose
 * (netguest_hostile.c). Returns the domain's shutdown reason.
 */
int netguest_hostile(const char *cmdline);

#endif
