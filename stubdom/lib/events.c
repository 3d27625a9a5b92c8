/*
 * The 2-level event channel ABI from the domain's side: the upcall
 * clears evtchn_upcall_pending, takes the selector word, and handles
 * each pending, unmasked port, clearing its pending bit first so that a
 * new event during the handler is not lost.
 */
#include <stdbool.h>
#include <public/sched.h>
#include <public/version.h>
#include <stub/events.h>
#include <stub/hypercall.h>
#include <stub/stub.h>
#include <stub/traps.h>

#define STUB_PORTS 1024

static struct {
	stub_event_fn fn;
	void *data;
} bindings[STUB_PORTS];

/*
 * The ports bound here, which stub_event_block() polls. Waiting with
 * upcalls masked, as its callers do, SCHEDOP_poll returns without an
 * upcall and the handlers run here: no bounce frame and no iret
 * hypercall on the way back, which cost more than the handlers at most
 * wakes. poll_off: more ports than one poll takes, or a poll refused;
 * then SCHEDOP_block, as before.
 */
#define STUB_POLL_MAX 128
static evtchn_port_t poll_ports[STUB_POLL_MAX];
static unsigned int nr_poll;
static bool poll_off;

long stub_evtchn_op(unsigned int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_event_channel_op, cmd, (long)arg);
}

static void stub_handle_word(unsigned int w)
{
	volatile xen_ulong_t *pending = &shared_info->evtchn_pending[w];
	xen_ulong_t ready = *pending & ~shared_info->evtchn_mask[w];

	while (ready) {
		unsigned int bit = (unsigned int)__builtin_ctzl(ready);
		evtchn_port_t port = w * 64 + bit;

		ready &= ready - 1;
		__atomic_fetch_and(pending, ~(1ul << bit), __ATOMIC_SEQ_CST);
		if (port < STUB_PORTS && bindings[port].fn)
			bindings[port].fn(port, bindings[port].data);
	}
}

/* The handlers of every pending, unmasked port (events masked or not). */
static void stub_dispatch(void)
{
	volatile struct vcpu_info *vi = &shared_info->vcpu_info[0];
	xen_ulong_t sel;

	vi->evtchn_upcall_pending = 0;
	sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	while (sel) {
		unsigned int w = (unsigned int)__builtin_ctzl(sel);

		sel &= sel - 1;
		stub_handle_word(w);
	}
}

static int stub_upcall(struct stub_regs *regs)
{
	stub_dispatch();
	return 1;
}

void stub_event_bind(evtchn_port_t port, stub_event_fn fn, void *data)
{
	struct evtchn_unmask unmask = { .port = port };

	if (port >= STUB_PORTS)
		stub_panic("port %u beyond the runtime's table", port);
	if (!bindings[port].fn && fn && nr_poll < STUB_POLL_MAX)
		poll_ports[nr_poll++] = port;
	else if (!bindings[port].fn && fn)
		poll_off = true;
	bindings[port].data = data;
	bindings[port].fn = fn;
	stub_evtchn_op(EVTCHNOP_unmask, &unmask);
}

void stub_event_block(void)
{
	volatile struct vcpu_info *vi = &shared_info->vcpu_info[0];
	struct sched_poll p = { .nr_ports = nr_poll };

	if (!__atomic_load_n(&vi->evtchn_upcall_mask, __ATOMIC_SEQ_CST) ||
	    !nr_poll || poll_off) {
		hypercall2(__HYPERVISOR_sched_op, SCHEDOP_block, 0);
		return;
	}
	/*
	 * An event flagged already: its handlers now, and the caller looks
	 * again. (Polling with the flag up would sleep through the next
	 * event: only the flag's rise wakes a vCPU for an unlisted port.)
	 */
	if (!__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST)) {
		set_xen_guest_handle(p.ports, poll_ports);
		/* Refused (it returns at once): block from now on, not spin. */
		if (hypercall2(__HYPERVISOR_sched_op, SCHEDOP_poll, (long)&p) <
		    0) {
			poll_off = true;
			hypercall2(__HYPERVISOR_sched_op, SCHEDOP_block, 0);
			return;
		}
	}
	if (__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST))
		stub_dispatch();
}

void stub_events_mask(void)
{
	__atomic_store_n(&shared_info->vcpu_info[0].evtchn_upcall_mask, 1,
			 __ATOMIC_SEQ_CST);
}

/* Any hypercall's return delivers a pending upcall: xen_version is cheap. */
void stub_events_unmask(void)
{
	volatile struct vcpu_info *vi = &shared_info->vcpu_info[0];

	__atomic_store_n(&vi->evtchn_upcall_mask, 0, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST))
		hypercall2(__HYPERVISOR_xen_version, XENVER_version, 0);
}

void stub_events_init(void)
{
	stub_traps_init();
	stub_set_trap_handler(STUB_VECTOR_EVENT, stub_upcall);
	shared_info->vcpu_info[0].evtchn_upcall_mask = 0;
}
