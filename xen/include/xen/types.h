#ifndef XEN_TYPES_H
#define XEN_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A machine physical address. */
typedef uint64_t paddr_t;

#endif
