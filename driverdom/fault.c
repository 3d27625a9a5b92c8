/*
 * Fault injection (CONFIG_FAULT_INJECT): see fault.h. The fault is real:
 * a store to an address no page table maps, or a loop that never
 * yields, so the hypervisor and the control domain see what they would
 * see of a buggy driver.
 */
#include <xen/string.h>
#include <stub/stub.h>
#include <stub/events.h>
#include <driverdom/fault.h>

/* Canonical, in the lower half, and far from anything the runtime maps. */
#define DD_FAULT_WILD_VA 0x00007f0000000000ul

static void dd_fault_fn(struct xenbus *xb, const char *path, const char *token,
			void *data)
{
	char what[16];

	if (xenbus_read(xb, XENBUS_NO_TX, DD_FAULT_NODE, what, sizeof(what)) <
	    0)
		return;
	if (!strcmp(what, "wild")) {
		printf("fault: a store through a wild pointer\n");
		*(volatile unsigned long *)DD_FAULT_WILD_VA = 0xdead;
	} else if (!strcmp(what, "hang")) {
		printf("fault: hanging with events masked\n");
		stub_events_mask();
		for (;;)
			__asm__ volatile("pause");
	}
}

void dd_fault_watch(struct xenbus *xb)
{
	int rc = xenbus_watch(xb, DD_FAULT_NODE, "fault", dd_fault_fn, NULL);

	if (rc)
		printf("fault: cannot watch " DD_FAULT_NODE " (%d)\n", rc);
}
