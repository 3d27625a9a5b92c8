/* The hypervisor's own symbols, embedded for crash reports. */
#ifndef XEN_SYMBOLS_H
#define XEN_SYMBOLS_H

#include <xen/types.h>

/*
 * The function containing the text address addr: its name, the offset of
 * addr in it and its size; NULL when addr is not in our text.
 */
const char *symbols_lookup(uint64_t addr, uint64_t *offset, uint64_t *size);

/*
 * "<addr> name+off/size" (or just the address) into buf. A return
 * address (ret) is looked up one byte back: a call to a function that
 * does not return may be the last instruction of its caller.
 */
int symbols_format(char *buf, size_t len, uint64_t addr, bool ret);

#endif
