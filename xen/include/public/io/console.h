/*
 * The PV console ring page: one byte ring each way, with free-running
 * indices; the guest writes out[] and reads in[].
 */
#ifndef XEN_PUBLIC_IO_CONSOLE_H
#define XEN_PUBLIC_IO_CONSOLE_H

#include <stdint.h>
#include "../xen-compat.h"

typedef uint32_t XENCONS_RING_IDX;

#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))

struct xencons_interface {
	char in[1024];	/* backend -> guest */
	char out[2048]; /* guest -> backend */
	XENCONS_RING_IDX in_cons, in_prod;
	XENCONS_RING_IDX out_cons, out_prod;
};
XEN_ABI_SIZE(struct xencons_interface, 3088);
XEN_ABI_OFFSET(struct xencons_interface, out, 1024);
XEN_ABI_OFFSET(struct xencons_interface, in_cons, 3072);
XEN_ABI_OFFSET(struct xencons_interface, in_prod, 3076);
XEN_ABI_OFFSET(struct xencons_interface, out_cons, 3080);
XEN_ABI_OFFSET(struct xencons_interface, out_prod, 3084);

#endif /* XEN_PUBLIC_IO_CONSOLE_H */
