/*
 * The console back end. A guest's ring is untrusted: its indexes are
 * checked (a producer more than the ring ahead resets it and is noted),
 * bytes are copied out before they are looked at, a line is cut at
 * LINE_MAX, and characters that are not printable become '?' (the
 * hypervisor console filters them too).
 */
#include <public/errno.h>
#include <public/grant_table.h>
#include <public/io/console.h>
#include <xen/string.h>
#include <stub/consback.h>
#include <stub/events.h>
#include <stub/gnttab.h>
#include <stub/hypercall.h>
#include <stub/stub.h>

#define MAX_CONS 32
#define CONS_VA	 0x31000000ul /* a page per console */
#define LINE_MAX 320
#define NAME_MAX 32
#define OUT_SIZE sizeof(((struct xencons_interface *)0)->out)
#define IN_SIZE	 sizeof(((struct xencons_interface *)0)->in)

struct console {
	bool used;
	domid_t domid;
	char name[NAME_MAX];
	volatile struct xencons_interface *ring;
	grant_handle_t handle;
	evtchn_port_t port;
	char line[LINE_MAX + 1];
	unsigned int len;
	bool bad_noted;
};

static struct console consoles[MAX_CONS];

static struct console *cons_find(domid_t domid)
{
	for (unsigned int i = 0; i < MAX_CONS; i++)
		if (consoles[i].used && consoles[i].domid == domid)
			return &consoles[i];
	return NULL;
}

static void on_event(evtchn_port_t port, void *data)
{
}

long consback_add(domid_t domid, const char *name, evtchn_port_t port)
{
	struct evtchn_bind_interdomain bi = { .remote_dom = domid,
					      .remote_port = port };
	struct console *c = NULL;
	unsigned long va;

	if (cons_find(domid))
		return -XEN_EEXIST;
	for (unsigned int i = 0; i < MAX_CONS && !c; i++)
		if (!consoles[i].used)
			c = &consoles[i];
	if (!c)
		return -XEN_ENOSPC;
	memset(c, 0, sizeof(*c));
	va = CONS_VA + (unsigned long)(c - consoles) * 4096;
	if (stub_grant_map(domid, GNTTAB_RESERVED_CONSOLE, va, false,
			   &c->handle) != GNTST_okay)
		return -XEN_EINVAL;
	if (stub_evtchn_op(EVTCHNOP_bind_interdomain, &bi) < 0) {
		stub_grant_unmap(c->handle, va);
		return -XEN_EINVAL;
	}
	c->used = true;
	c->domid = domid;
	memcpy(c->name, name, strnlen(name, NAME_MAX - 1));
	c->ring = (volatile struct xencons_interface *)va;
	c->port = bi.local_port;
	stub_event_bind(c->port, on_event, NULL);
	return 0;
}

static void cons_flush_line(struct console *c)
{
	c->line[c->len] = '\0';
	printf("[%s] %s\n", c->name, c->line);
	c->len = 0;
}

static void cons_take(struct console *c, char ch)
{
	if (ch == '\r')
		return;
	if (ch == '\n') {
		cons_flush_line(c);
		return;
	}
	c->line[c->len++] = ch >= ' ' && ch <= '~' ? ch : '?';
	if (c->len == LINE_MAX)
		cons_flush_line(c);
}

/* Drain one ring; true if it held anything. */
static bool cons_drain(struct console *c)
{
	XENCONS_RING_IDX cons = c->ring->out_cons;
	XENCONS_RING_IDX prod =
	    __atomic_load_n(&c->ring->out_prod, __ATOMIC_ACQUIRE);
	char buf[OUT_SIZE];
	unsigned int n = 0;

	if (prod - cons > OUT_SIZE) {
		if (!c->bad_noted)
			printf("[%s] console ring index out of range: "
			       "skipping ahead\n",
			       c->name);
		c->bad_noted = true;
		cons = prod - OUT_SIZE;
	}
	while (cons != prod)
		buf[n++] = c->ring->out[cons++ % OUT_SIZE];
	__atomic_store_n(&c->ring->out_cons, cons, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < n; i++)
		cons_take(c, buf[i]);
	if (n) {
		struct evtchn_send send = { .port = c->port };

		stub_evtchn_op(EVTCHNOP_send, &send); /* room again */
	}
	return n != 0;
}

bool consback_poll(void)
{
	bool any = false;

	for (unsigned int i = 0; i < MAX_CONS; i++)
		if (consoles[i].used)
			any |= cons_drain(&consoles[i]);
	return any;
}

void consback_remove(domid_t domid)
{
	struct console *c = cons_find(domid);
	struct evtchn_close cl;

	if (!c)
		return;
	cons_drain(c);
	if (c->len)
		cons_flush_line(c);
	cl.port = c->port;
	stub_evtchn_op(EVTCHNOP_close, &cl);
	stub_grant_unmap(c->handle, (unsigned long)c->ring);
	c->used = false;
}

long consback_input(domid_t domid, const char *s, size_t len)
{
	struct console *c = cons_find(domid);
	XENCONS_RING_IDX prod, cons;
	size_t done = 0;

	if (!c)
		return -XEN_ENOENT;
	prod = c->ring->in_prod;
	cons = __atomic_load_n(&c->ring->in_cons, __ATOMIC_ACQUIRE);
	if (prod - cons > IN_SIZE)
		return -XEN_EIO;
	while (done < len && prod - cons < IN_SIZE)
		c->ring->in[prod++ % IN_SIZE] = s[done++];
	__atomic_store_n(&c->ring->in_prod, prod, __ATOMIC_RELEASE);
	if (done) {
		struct evtchn_send send = { .port = c->port };

		stub_evtchn_op(EVTCHNOP_send, &send);
	}
	return (long)done;
}

static domid_t attached = DOMID_INVALID;
static bool virq_bound;

long consback_attach(domid_t domid)
{
	struct evtchn_bind_virq virq = { .virq = VIRQ_CONSOLE };
	struct console *c = cons_find(domid);

	if (!c)
		return -XEN_ENOENT;
	if (!virq_bound) {
		if (stub_evtchn_op(EVTCHNOP_bind_virq, &virq) < 0)
			return -XEN_EIO;
		stub_event_bind(virq.port, on_event, NULL);
		virq_bound = true;
	}
	attached = domid;
	printf("attached to %s's console (Ctrl-] leaves)\n", c->name);
	return 0;
}

void consback_detach(void)
{
	struct console *c = cons_find(attached);

	if (c)
		printf("left %s's console\n", c->name);
	attached = DOMID_INVALID;
}

void consback_pump(void)
{
	char buf[64];
	long n;

	if (attached == DOMID_INVALID)
		return;
	while ((n = hypercall3(__HYPERVISOR_console_io, CONSOLEIO_read,
			       sizeof(buf), (long)buf)) > 0) {
		char *ctrl = memchr(buf, CONSBACK_DETACH, (size_t)n);

		consback_input(attached, buf,
			       ctrl ? (size_t)(ctrl - buf) : (size_t)n);
		if (ctrl) {
			consback_detach();
			return;
		}
	}
}
