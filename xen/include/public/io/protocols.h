/*
 * Values of a frontend's "protocol" node: the ABI its ring structures
 * follow. A 64-bit x86 guest writes XEN_IO_PROTO_ABI_X86_64; a missing
 * node means the backend's native ABI.
 */
#ifndef XEN_PUBLIC_IO_PROTOCOLS_H
#define XEN_PUBLIC_IO_PROTOCOLS_H

#include "../xen-compat.h"

#define XEN_IO_PROTO_ABI_X86_32 "x86_32-abi"
#define XEN_IO_PROTO_ABI_X86_64 "x86_64-abi"
#define XEN_IO_PROTO_ABI_ARM	"arm-abi"

#define XEN_IO_PROTO_ABI_NATIVE XEN_IO_PROTO_ABI_X86_64

#endif /* XEN_PUBLIC_IO_PROTOCOLS_H */
