/*
 * The xenstore domain: the store core (this directory) served over each
 * domain's ring page and event channel. Its own start_info names the ring
 * the control domain talks to it through (a page of its own, which the
 * builder granted to the control domain, and a port offered to it).
 * Every other domain's ring is mapped through that domain's reserved
 * grant ref when the control domain introduces it, never by privilege.
 *
 * Ring bytes are copied out of the shared page before the core looks at
 * them; indexes the other side wrote are checked before use, and a
 * domain that breaks the protocol loses only its own connection.
 */
#include <public/errno.h>
#include <public/event_channel.h>
#include <public/grant_table.h>
#include <public/io/xs_wire.h>
#include <public/sched.h>
#include <xen/string.h>
#include <stub/events.h>
#include <stub/gnttab.h>
#include <stub/hypercall.h>
#include <stub/mm.h>
#include <stub/stub.h>
#include "xenstore.h"
#include "xs_env.h"

#define MAX_CONNS 64
#define RING_VA	  0x30000000ul /* introduced domains' rings, a page each */
#define RING_SIZE XENSTORE_RING_SIZE
#define RING_MASK (RING_SIZE - 1)

struct ring_conn {
	struct xs_conn *conn;
	volatile struct xenstore_domain_interface *ring;
	grant_handle_t handle; /* of the mapped ring; none for the control */
	evtchn_port_t port;    /* ours */
	bool mapped, used, error_set;
};

static struct xs_store *store;
static struct ring_conn conns[MAX_CONNS];
static volatile unsigned int events;

void *xs_malloc(size_t size)
{
	return malloc(size);
}

void xs_free(void *p)
{
	free(p);
}

/* The core's messages are lines without their newline. */
void xs_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void on_event(evtchn_port_t port, void *data)
{
	events++;
}

static void notify(const struct ring_conn *rc)
{
	struct evtchn_send send = { .port = rc->port };

	stub_evtchn_op(EVTCHNOP_send, &send);
}

/* A ring the other side made nonsense of: say so, serve it no more. */
static void ring_fail(struct ring_conn *rc, uint32_t error)
{
	if (rc->error_set)
		return;
	rc->error_set = true;
	rc->ring->error = error;
	xs_log("xenstore: domain %u: ring error %u, connection stopped",
	       xs_conn_domid(rc->conn), error);
	notify(rc);
}

/* Requests from the ring into the core; true if any were taken. */
static bool ring_take(struct ring_conn *rc)
{
	static char buf[RING_SIZE];
	uint32_t cons = rc->ring->req_cons;
	uint32_t prod = __atomic_load_n(&rc->ring->req_prod, __ATOMIC_ACQUIRE);
	uint32_t start = cons;

	if (prod - cons > RING_SIZE) {
		ring_fail(rc, XENSTORE_ERROR_RINGIDX);
		return false;
	}
	while (cons != prod) {
		uint32_t off = cons & RING_MASK, n = prod - cons;
		size_t fed;

		if (n > RING_SIZE - off)
			n = RING_SIZE - off;
		memcpy(buf, (const char *)rc->ring->req + off, n);
		fed = xs_conn_feed(rc->conn, buf, n);
		cons += (uint32_t)fed;
		if (fed < n)
			break; /* its output is full: later */
	}
	__atomic_store_n(&rc->ring->req_cons, cons, __ATOMIC_RELEASE);
	return cons != start;
}

/* Replies and watch events from the core into the ring. */
static bool ring_give(struct ring_conn *rc)
{
	uint32_t prod = rc->ring->rsp_prod, start = prod;
	uint32_t cons = __atomic_load_n(&rc->ring->rsp_cons, __ATOMIC_ACQUIRE);

	if (prod - cons > RING_SIZE) {
		ring_fail(rc, XENSTORE_ERROR_RINGIDX);
		return false;
	}
	while (prod - cons < RING_SIZE && xs_conn_pending_output(rc->conn)) {
		uint32_t off = prod & RING_MASK,
			 room = RING_SIZE - (prod - cons);

		if (room > RING_SIZE - off)
			room = RING_SIZE - off;
		prod += (uint32_t)xs_conn_pull(
		    rc->conn, (char *)rc->ring->rsp + off, room);
	}
	__atomic_store_n(&rc->ring->rsp_prod, prod, __ATOMIC_RELEASE);
	return prod != start;
}

static bool service(struct ring_conn *rc)
{
	bool took, gave;

	if (rc->error_set)
		return false;
	took = ring_take(rc);
	gave = ring_give(rc);
	/* Room made in the output may let waiting requests in. */
	if (gave && ring_take(rc)) {
		took = true;
		ring_give(rc);
	}
	if (xs_conn_broken(rc->conn))
		ring_fail(rc, XENSTORE_ERROR_PROTO);
	if (took || gave)
		notify(rc);
	return took || gave;
}

static struct ring_conn *slot_new(void)
{
	for (unsigned int i = 0; i < MAX_CONNS; i++)
		if (!conns[i].used) {
			memset(&conns[i], 0, sizeof(conns[i]));
			conns[i].used = true;
			return &conns[i];
		}
	return NULL;
}

static unsigned long slot_va(const struct ring_conn *rc)
{
	return RING_VA + (unsigned long)(rc - conns) * 4096;
}

static void slot_free(struct ring_conn *rc)
{
	struct evtchn_close cl = { .port = rc->port };

	if (rc->port)
		stub_evtchn_op(EVTCHNOP_close, &cl);
	if (rc->mapped)
		stub_grant_unmap(rc->handle, slot_va(rc));
	rc->used = false;
}

/* XS_INTRODUCE: map the domain's ring through its reserved grant. */
static int hook_introduce(void *opaque, struct xs_conn *conn, uint64_t mfn,
			  uint32_t port)
{
	struct ring_conn *rc = xs_conn_priv(conn);
	struct evtchn_bind_interdomain bi = { .remote_dom =
						  (domid_t)xs_conn_domid(conn),
					      .remote_port = port };

	if (rc)
		return 0; /* introduced again: the ring is ours already */
	rc = slot_new();
	if (!rc)
		return -XEN_ENOSPC;
	if (stub_grant_map(bi.remote_dom, GNTTAB_RESERVED_XENSTORE, slot_va(rc),
			   false, &rc->handle) != GNTST_okay) {
		rc->used = false;
		return -XEN_EINVAL;
	}
	rc->mapped = true;
	if (stub_evtchn_op(EVTCHNOP_bind_interdomain, &bi) < 0) {
		slot_free(rc);
		return -XEN_EINVAL;
	}
	rc->port = bi.local_port;
	rc->ring = (volatile struct xenstore_domain_interface *)slot_va(rc);
	rc->conn = conn;
	xs_conn_set_priv(conn, rc);
	stub_event_bind(rc->port, on_event, NULL);
	return 0;
}

static void hook_release(void *opaque, struct xs_conn *conn)
{
	struct ring_conn *rc = xs_conn_priv(conn);

	if (rc)
		slot_free(rc);
}

/* Our own page at store_mfn is the control domain's ring. */
static void control_connect(void)
{
	struct ring_conn *rc = slot_new();

	if (!rc || !stub_mfn_to_virt(start_info->store_mfn))
		stub_panic("no ring for the control domain");
	rc->ring = stub_mfn_to_virt(start_info->store_mfn);
	rc->ring->server_features = XENSTORE_SERVER_FEATURE_ERROR;
	rc->port = start_info->store_evtchn;
	rc->conn = xs_conn_new(store, 0);
	if (!rc->conn)
		stub_panic("no connection for the control domain");
	xs_conn_set_priv(rc->conn, rc);
	stub_event_bind(rc->port, on_event, NULL);
}

int app_main(const char *cmdline)
{
	const struct xs_hooks hooks = { hook_introduce, hook_release, NULL };
	bool busy;

	stub_events_init();
	if (stub_gnttab_init(1) < 0)
		stub_panic("no grant table");
	store = xs_store_create(NULL);
	if (!store)
		stub_panic("no memory for the store");
	xs_store_set_hooks(store, &hooks);
	control_connect();
	printf("xenstored: serving\n");
	for (;;) {
		events = 0;
		/* Until a full pass moves nothing: one domain's write may
		 * queue watch events for another. */
		do {
			busy = false;
			for (unsigned int i = 0; i < MAX_CONNS; i++)
				if (conns[i].used)
					busy |= service(&conns[i]);
		} while (busy);
		stub_wait_until(events);
	}
}
