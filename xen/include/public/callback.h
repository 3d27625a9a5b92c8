/*
 * Registering the entry points of a PV domain: callback_op(cmd, arg)
 * (hypercall 30).
 */
#ifndef XEN_PUBLIC_CALLBACK_H
#define XEN_PUBLIC_CALLBACK_H

#include <stdint.h>
#include "xen-compat.h"
#include "xen.h"

#define CALLBACKTYPE_event		 0 /* event upcall */
#define CALLBACKTYPE_failsafe		 1 /* state could not be restored */
#define CALLBACKTYPE_syscall		 2 /* SYSCALL from 64-bit user code */
#define CALLBACKTYPE_sysenter_deprecated 3 /* old x86-32 only */
#define CALLBACKTYPE_nmi		 4 /* NMI delivery */
#define CALLBACKTYPE_sysenter		 5 /* SYSENTER from 32-bit user code */
#define CALLBACKTYPE_syscall32		 7 /* SYSCALL from 32-bit user code */

/* Mask events on entry (ignored for event and NMI callbacks, which do). */
#define _CALLBACKF_mask_events 0
#define CALLBACKF_mask_events  (1U << _CALLBACKF_mask_events)

#define CALLBACKOP_register 0
struct callback_register {
	uint16_t type;	/* CALLBACKTYPE_* */
	uint16_t flags; /* CALLBACKF_* */
	uint32_t _pad0;
	xen_callback_t address;
};
typedef struct callback_register callback_register_t;
DEFINE_XEN_GUEST_HANDLE(callback_register_t);
XEN_ABI_SIZE(struct callback_register, 16);
XEN_ABI_OFFSET(struct callback_register, flags, 2);
XEN_ABI_OFFSET(struct callback_register, address, 8);

#define CALLBACKOP_unregister 1
struct callback_unregister {
	uint16_t type;
	uint16_t _unused;
};
typedef struct callback_unregister callback_unregister_t;
DEFINE_XEN_GUEST_HANDLE(callback_unregister_t);
XEN_ABI_SIZE(struct callback_unregister, 4);

#endif /* XEN_PUBLIC_CALLBACK_H */
