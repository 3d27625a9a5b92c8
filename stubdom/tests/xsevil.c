/*
 * A hostile xenstore client, on its raw ring: an unknown message type, a
 * path without its NUL, a path with bad characters, then a length over
 * XENSTORE_PAYLOAD_MAX. Each of the first three gets an XS_ERROR reply
 * and the store goes on serving it; the last breaks its connection
 * (ring error XENSTORE_ERROR_PROTO) and nobody else's. Prints
 * "xsevil: N passed, M failed".
 */
#include <public/errno.h>
#include <public/io/xs_wire.h>
#include <public/sched.h>
#include <xen/string.h>
#include <stub/events.h>
#include <stub/mm.h>
#include <stub/check.h>
#include <stub/stub.h>

#define RING_MASK (XENSTORE_RING_SIZE - 1)

static volatile struct xenstore_domain_interface *ring;
static uint32_t req_prod, rsp_cons;

static void kick(void)
{
	struct evtchn_send send = { .port = start_info->store_evtchn };

	stub_evtchn_op(EVTCHNOP_send, &send);
}

static void on_event(evtchn_port_t port, void *data)
{
}

static void send_raw(uint32_t type, uint32_t len, const char *payload, size_t n)
{
	struct xsd_sockmsg h = { .type = type, .req_id = 7, .len = len };
	const char *p = (const char *)&h;

	for (size_t i = 0; i < sizeof(h); i++)
		ring->req[req_prod++ & RING_MASK] = p[i];
	for (size_t i = 0; i < n; i++)
		ring->req[req_prod++ & RING_MASK] = payload[i];
	__atomic_store_n(&ring->req_prod, req_prod, __ATOMIC_RELEASE);
	kick();
}

/* The next reply's type and payload (bounded wait); -1 for none. */
static long reply(char *payload, size_t size)
{
	struct xsd_sockmsg h;
	char *p = (char *)&h;

	stub_events_mask(); /* a reply after the look wakes the block */
	for (unsigned int i = 0; i < 1000; i++) {
		uint32_t prod =
		    __atomic_load_n(&ring->rsp_prod, __ATOMIC_ACQUIRE);

		if (prod - rsp_cons >= sizeof(h)) {
			for (size_t j = 0; j < sizeof(h); j++)
				p[j] = ring->rsp[(rsp_cons + j) & RING_MASK];
			if (h.len < size &&
			    prod - rsp_cons >= sizeof(h) + h.len)
				break;
		}
		stub_event_block();
		stub_events_mask();
	}
	stub_events_unmask();
	if (h.len >= size)
		return -1;
	for (size_t j = 0; j < h.len; j++)
		payload[j] = ring->rsp[(rsp_cons + sizeof(h) + j) & RING_MASK];
	payload[h.len] = '\0';
	rsp_cons += sizeof(h) + h.len;
	__atomic_store_n(&ring->rsp_cons, rsp_cons, __ATOMIC_RELEASE);
	kick();
	return h.type;
}

int app_main(const char *cmdline)
{
	char buf[64];

	stub_events_init();
	ring = stub_mfn_to_virt(start_info->store_mfn);
	if (!ring)
		stub_panic("no xenstore ring");
	stub_event_bind(start_info->store_evtchn, on_event, NULL);
	req_prod = ring->req_prod;
	rsp_cons = ring->rsp_cons;
	send_raw(999, 0, NULL, 0);
	stub_check("unknown type", reply(buf, sizeof(buf)), XS_ERROR);
	stub_check("unknown type: EINVAL", strcmp(buf, "EINVAL"), 0);
	send_raw(XS_READ, 4, "data", 4);
	stub_check("path without NUL", reply(buf, sizeof(buf)), XS_ERROR);
	send_raw(XS_WRITE, 8, "a b\0xyz", 8);
	stub_check("bad characters", reply(buf, sizeof(buf)), XS_ERROR);
	send_raw(XS_WRITE, 6, "fine\0v", 6);
	stub_check("still served", reply(buf, sizeof(buf)), XS_WRITE);
	send_raw(XS_READ, 5000, NULL, 0);
	stub_events_mask();
	for (unsigned int i = 0; i < 1000 && !ring->error; i++) {
		stub_event_block();
		stub_events_mask();
	}
	stub_events_unmask();
	stub_check("oversized: connection broken", ring->error,
		   XENSTORE_ERROR_PROTO);
	stub_check_report("xsevil");
	return SHUTDOWN_poweroff;
}
