/*
 * Console output, and printf. The control domain writes through the
 * console_io hypercall; a domain built with a console backend writes to
 * its console ring (xencons_interface) and kicks the backend. A backend
 * that stops draining the ring costs output, never progress: after a
 * bounded wait the rest of the line is dropped.
 */
#include <public/io/console.h>
#include <public/sched.h>
#include <xen/lib.h>
#include <stub/events.h>
#include <stub/hypercall.h>
#include <stub/mm.h>
#include <stub/stub.h>

#define PRINTF_MAX 512
#define RING_WAIT  10000 /* yields before output is dropped */
#define OUT_SIZE   sizeof(((struct xencons_interface *)0)->out)
#define IN_SIZE	   sizeof(((struct xencons_interface *)0)->in)

static volatile struct xencons_interface *cons_ring;
static evtchn_port_t cons_port;

void stub_console_init(void)
{
	if (start_info->flags & SIF_INITDOMAIN)
		return;
	if (!start_info->console.domU.mfn || !start_info->console.domU.evtchn)
		return;
	cons_ring = stub_mfn_to_virt(start_info->console.domU.mfn);
	cons_port = start_info->console.domU.evtchn;
}

static void ring_kick(void)
{
	struct evtchn_send send = { .port = cons_port };

	stub_evtchn_op(EVTCHNOP_send, &send);
}

static void ring_write(const char *s, size_t len)
{
	unsigned int waited = 0;

	while (len) {
		XENCONS_RING_IDX prod = cons_ring->out_prod;
		XENCONS_RING_IDX cons =
		    __atomic_load_n(&cons_ring->out_cons, __ATOMIC_ACQUIRE);

		if (prod - cons >= OUT_SIZE) {
			ring_kick();
			if (++waited > RING_WAIT)
				return;
			hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0);
			continue;
		}
		cons_ring->out[prod % OUT_SIZE] = *s++;
		len--;
		__atomic_store_n(&cons_ring->out_prod, prod + 1,
				 __ATOMIC_RELEASE);
	}
	ring_kick();
}

size_t stub_console_read(char *buf, size_t max)
{
	XENCONS_RING_IDX cons, prod;
	size_t n = 0;

	if (!cons_ring)
		return 0;
	cons = cons_ring->in_cons;
	prod = __atomic_load_n(&cons_ring->in_prod, __ATOMIC_ACQUIRE);
	if (prod - cons > IN_SIZE)
		cons = prod - IN_SIZE; /* a confused back end: skip ahead */
	while (cons != prod && n < max)
		buf[n++] = cons_ring->in[cons++ % IN_SIZE];
	__atomic_store_n(&cons_ring->in_cons, cons, __ATOMIC_RELEASE);
	if (n)
		ring_kick();
	return n;
}

uint32_t stub_console_port(void)
{
	return cons_ring ? cons_port : 0;
}

static void (*console_before)(void);

void stub_console_before_write(void (*fn)(void))
{
	console_before = fn;
}

void console_write(const char *s, size_t len)
{
	if (console_before)
		console_before();
	if (cons_ring) {
		ring_write(s, len);
		return;
	}
	hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, (long)len,
		   (long)s);
}

int vprintf(const char *fmt, va_list ap)
{
	char buf[PRINTF_MAX];
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);

	console_write(buf, n < PRINTF_MAX ? (size_t)n : PRINTF_MAX - 1);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
