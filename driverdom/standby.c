/* A standby driver domain's wait for its takeover (driverdom/standby.h). */
#include <xen/string.h>
#include <stub/check.h>
#include <stub/events.h>
#include <stub/stub.h>
#include <stub/time.h>
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
