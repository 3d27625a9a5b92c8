/* A standby driver domain's wait for its takeover (driverdom/standby.h). */
#include <xen/string.h>
#include <stub/check.h>
#include <stub/events.h>
#include <stub/stub.h>
#include <stub/time.h>
#include <stub/xenbus_glue.h>
#include <driverdom/fault.h>
#include <driverdom/standby.h>

/* A poll of the store now and then, should an event be lost. */
#define DD_STANDBY_POLL_NS 1000000000ull

static bool dd_takeover;

static void dd_takeover_fn(struct xenbus *xb, const char *path,
			   const char *token, void *data)
{
	char v[8];

	if (xenbus_read(xb, XENBUS_NO_TX, DD_TAKEOVER_NODE, v, sizeof(v)) >=
		0 &&
	    !strcmp(v, "1"))
		dd_takeover = true;
}

void dd_standby_wait(struct xenbus *xb, const char *cmdline)
{
	int rc;

	if (!stub_arg_has(cmdline, "standby=1"))
		return;
	rc = xenbus_watch(xb, DD_TAKEOVER_NODE, "takeover", dd_takeover_fn,
			  NULL);
	if (rc) {
		/* Serving at once beats waiting for a word never heard. */
		printf("standby: cannot watch " DD_TAKEOVER_NODE
		       " (%d): starting now\n",
		       rc);
		return;
	}
	while (!dd_takeover) {
		stub_block_until(stub_now() + DD_STANDBY_POLL_NS,
				 xenbus_poll(xb) > 0);
		xenbus_dispatch(xb);
	}
	xenbus_unwatch(xb, DD_TAKEOVER_NODE, "takeover");
	printf("standby: taking over\n");
}

void dd_store_start(struct xenbus *xb, const char *name, stub_event_fn on_store,
		    const char *cmdline)
{
	long rc = stub_xenbus_connect_store(xb);

	if (rc)
		stub_panic("%s: no xenstore (%ld)", name, rc);
	/* Wakes the main loop too; the glue still hears of it. */
	stub_event_bind(start_info->store_evtchn, on_store, NULL);
	dd_fault_watch(xb);
	/* A standby is ready this far before it is needed. */
	dd_standby_wait(xb, cmdline);
}
