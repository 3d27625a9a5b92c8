/* Physical interrupts of driver domains (xen/arch/x86/pirq.c). */
#ifndef ASM_PIRQ_H
#define ASM_PIRQ_H

#include <xen/types.h>
#include <public/event_channel.h>

struct domain;

/* PHYSDEVOP_map_pirq, _unmap_pirq, _eoi with their copied argument. */
long pirq_physdev_op(struct domain *d, unsigned int cmd, void *arg);
/* EVTCHNOP_bind_pirq: a port for a pirq d mapped. */
int pirq_bind(struct domain *d, unsigned int pirq, evtchn_port_t *port);
/* The interrupts of dev stopped: it is leaving d. */
struct pci_dev;
void pirq_device_gone(struct domain *d, const struct pci_dev *dev);
/* Interrupts stopped and the table gone (before its event channels). */
void pirq_domain_destroy(struct domain *d);

#endif
