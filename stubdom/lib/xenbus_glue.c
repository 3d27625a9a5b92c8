/*
 * The xenbus client's environment in a PV domain: notify is a send on
 * the xenstore port, wait blocks until the port has had an event since
 * the last wait. The upcall may run (and take the event) between the
 * library's last look at the ring and its wait: the handler leaves a
 * mark, so that wait returns at once instead of blocking for good.
 */
#include <public/errno.h>
#include <xen/lib.h>
#include <xen/string.h>
#include <stub/events.h>
#include <stub/mm.h>
#include <stub/stub.h>
#include <stub/xenbus_glue.h>

static void glue_notify(void *env)
{
	struct evtchn_send send = { .port = (evtchn_port_t)(uintptr_t)env };

	stub_evtchn_op(EVTCHNOP_send, &send);
}

/* Events on the xenstore port so far, and as many as the last wait saw. */
static volatile unsigned long glue_events;
static unsigned long glue_seen;

static void glue_wait(void *env)
{
	stub_wait_until(glue_events != glue_seen);
	glue_seen = glue_events;
}

void stub_xenbus_event(void)
{
	glue_events++;
}

unsigned long stub_xenbus_events(void)
{
	return glue_events;
}

static void glue_event(evtchn_port_t port, void *data)
{
	stub_xenbus_event();
}

void stub_xenbus_connect(struct xenbus *xb, void *ring, evtchn_port_t port)
{
	const struct xenbus_ops ops = { glue_notify, glue_wait,
					(void *)(uintptr_t)port };

	stub_event_bind(port, glue_event, NULL);
	xenbus_init(xb, ring, &ops);
}

long stub_xenbus_connect_store(struct xenbus *xb)
{
	void *ring = start_info->store_mfn
			 ? stub_mfn_to_virt(start_info->store_mfn)
			 : NULL;

	if (!ring || !start_info->store_evtchn)
		return -XEN_ENOENT;
	stub_xenbus_connect(xb, ring, start_info->store_evtchn);
	return 0;
}

int stub_xenbus_introduce(struct xenbus *xb, domid_t domid, uint64_t mfn,
			  evtchn_port_t port)
{
	char msg[64], reply[8];
	size_t n = 0;

	/* "domid\0mfn\0port\0" */
	n += (size_t)fmt_snprintf(msg + n, sizeof(msg) - n, "%u", domid) + 1;
	n += (size_t)fmt_snprintf(msg + n, sizeof(msg) - n, "%llu",
				  (unsigned long long)mfn) +
	     1;
	n += (size_t)fmt_snprintf(msg + n, sizeof(msg) - n, "%u", port) + 1;
	int rc = xenbus_request(xb, XS_INTRODUCE, XENBUS_NO_TX, msg, n, reply,
				sizeof(reply));

	return rc < 0 ? rc : 0;
}

int stub_xenbus_release(struct xenbus *xb, domid_t domid)
{
	char msg[8], reply[8];
	int n = fmt_snprintf(msg, sizeof(msg), "%u", domid);

	int rc = xenbus_request(xb, XS_RELEASE, XENBUS_NO_TX, msg,
				(size_t)n + 1, reply, sizeof(reply));

	return rc < 0 ? rc : 0;
}
