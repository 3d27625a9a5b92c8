/*
 * The network driver domain: owns the NIC its command line names
 * ("sbdf=N"), hosts netback and its switch, and serves the vifs the
 * control domain announces below our backend/vif (driverdom/netdom.h
 * has the conventions; netdom_vifs.c the state machine).
 *
 * The data path: frames from the NIC go to the switch
 * (nb_switch_from_nic), frames the switch sends out go to the NIC
 * (netdrv_send_more, started together after each round's tx); netback copies to
 * and from the guests with GNTTABOP_copy through NB_LOCAL_BUFS pages of ours.
 * Without a usable NIC the domain still runs, a switch between the vifs alone.
 *
 * The main loop: each round polls the NIC, every connected vif's tx ring
 * (not before a rate limit lets it) and the xenstore ring, then blocks
 * until an event (a vif's port, the NIC's MSI-X, xenstore) or a timer:
 * at most IDLE_NS, sooner when a rate limit lifts. Events only count
 * (kicks); the work is done in the loop. A round that used its whole
 * budget somewhere runs again at once.
 */
#include <stdarg.h>
#include <public/errno.h>
#include <public/event_channel.h>
#include <public/grant_table.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <xen/lib.h>
#include <xen/string.h>
#include <driverdom/fault.h>
#include <driverdom/netdom.h>
#include <driverdom/netdrv.h>
#include <driverdom/pci.h>
#include <driverdom/standby.h>
#include <netback/netback.h>
#include <stub/events.h>
#include <stub/gnttab.h>
#include <stub/hypercall.h>
#include <stub/mm.h>
#include <stub/check.h>
#include <stub/stub.h>
#include <stub/time.h>
#include <stub/xenbus_glue.h>

#define MS	   1000000ull
#define IDLE_NS	   (10 * MS)	/* longest block without a look */
#define TICK_NS	   (1000 * MS)	/* link state */
#define RESYNC_NS  (5000 * MS)	/* every vif's store nodes read again */
#define NIC_BUDGET 64		/* frames from the NIC per round */
#define TX_BUDGET  64		/* packets per vif per round */
#define MAP_VA	   0x32000000ul /* ND_WINDOWS pairs of ring pages */
#define STUB_PORTS 1024		/* events.c's table: ports it can bind */
#define LOG_LINE   256

static struct xenbus xb;
static struct netdom vifs;
static struct nb_switch sw;
static struct nb_env env;
static struct dd_pci pci;
static struct netdrv nic;
static bool have_nic;
static struct nb_buf bufs[NB_LOCAL_BUFS];
static volatile unsigned long kicks; /* events on vif and xenstore ports */

static void on_kick(evtchn_port_t port, void *data)
{
	kicks++;
}

static void on_store(evtchn_port_t port, void *data)
{
	kicks++;
	stub_xenbus_event();
}

/* ---- netback's environment ---- */

/*
 * Our page at frame mfn, or NULL: a local buffer, or a NIC transmit
 * buffer's page lent as a tx frame. Every copy of a stream asks, so the
 * pages last named are kept direct-mapped by frame number (a page, once
 * ours, stays ours: an entry is never wrong, only overwritten); the
 * local buffers are looked through when that misses.
 */
#define OWN_SLOTS 64 /* more than a tx batch's pages (NB_TX_BATCH frames) */

static struct {
	unsigned long mfn;
	uint8_t *page;
} own[OWN_SLOTS];

static void own_note(unsigned long mfn, uint8_t *page)
{
	own[mfn % OWN_SLOTS].mfn = mfn;
	own[mfn % OWN_SLOTS].page = page;
}

static uint8_t *own_page(unsigned long mfn)
{
	if (own[mfn % OWN_SLOTS].page && own[mfn % OWN_SLOTS].mfn == mfn)
		return own[mfn % OWN_SLOTS].page;
	for (unsigned int i = 0; i < NB_LOCAL_BUFS; i++)
		if (bufs[i].mfn == mfn)
			return bufs[i].va;
	return NULL;
}

static long env_grant_copy(void *ctx, struct gnttab_copy *ops, unsigned int n)
{
	return nd_gcache_copy(ops, n, own_page);
}

static void env_notify(void *ctx, struct nb_vif *vif, enum nb_ring ring)
{
	struct evtchn_send send = { .port = nd_vif_of(vif)->port[ring] };

	stub_evtchn_op(EVTCHNOP_send, &send);
}

static uint64_t env_now(void *ctx)
{
	return stub_now();
}

static void env_log(void *ctx, const char *fmt, ...)
{
	char line[LOG_LINE];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printf("netdom: %s", line);
}

/*
 * A tx batch's frame i is built in the NIC's own transmit buffer when it
 * lends one: a frame for the uplink is then copied once, from the
 * guest's page into the buffer the NIC sends from.
 */
static struct nb_buf env_local_buf(void *ctx, unsigned int i)
{
	uint64_t bus;
	uint8_t *va;

	if (i >= NB_TX_BATCH)
		return bufs[i < NB_LOCAL_BUFS ? i : 0];
	va = have_nic ? netdrv_tx_buf(&nic, i, &bus) : NULL;
	if (!va)
		return bufs[i];
	own_note(bus >> 12, va - (bus & (XEN_PAGE_SIZE - 1)));
	return (struct nb_buf){ .va = va,
				.mfn = bus >> 12,
				.offset =
				    (uint16_t)(bus & (XEN_PAGE_SIZE - 1)) };
}

static long env_send_to_nic(void *ctx, const void *frame, size_t len)
{
	/* A tx round's frames: the main loop flushes after the round. */
	return netdrv_send_more(&nic, frame, len);
}

static void on_nic_rx(void *ctx, const uint8_t *frame, size_t len)
{
	if (!nd_stream_rx(frame, len))
		nb_switch_from_nic(&sw, frame, len);
}

/* ---- The vif manager's operations ---- */

static long op_map(void *ctx, unsigned int w, enum nb_ring ring, domid_t domid,
		   grant_ref_t ref, void **va, uint32_t *handle)
{
	unsigned long a = MAP_VA + (w * 2ul + (unsigned long)ring) * 4096ul;
	grant_handle_t h;
	long rc;

	if (w >= ND_WINDOWS)
		return -XEN_EINVAL;
	rc = stub_grant_map(domid, ref, a, false, &h);
	if (rc == GNTST_okay) {
		*va = (void *)a;
		*handle = h;
	}
	return rc;
}

static long op_unmap(void *ctx, void *va, uint32_t handle)
{
	return stub_grant_unmap(handle, (unsigned long)va);
}

static void op_forget(void *ctx, domid_t domid)
{
	nd_gcache_forget(domid);
}

static void op_close(void *ctx, evtchn_port_t port)
{
	struct evtchn_close c = { .port = port };

	/* Its handler stays: it only counts, and a new bind replaces it. */
	stub_evtchn_op(EVTCHNOP_close, &c);
}

static long op_bind(void *ctx, domid_t domid, evtchn_port_t remote)
{
	struct evtchn_bind_interdomain b = { .remote_dom = domid,
					     .remote_port = remote };
	long rc = stub_evtchn_op(EVTCHNOP_bind_interdomain, &b);

	if (rc < 0)
		return rc;
	if (b.local_port >= STUB_PORTS) {
		op_close(ctx, b.local_port);
		return -XEN_ENOSPC;
	}
	stub_event_bind(b.local_port, on_kick, NULL);
	return b.local_port;
}

/* ---- Setup ---- */

static void open_nic(const char *cmdline)
{
	uint8_t mac[NETDRV_MAC_LEN];
	long rc = dd_pci_open(&pci, cmdline);

	if (!rc)
		rc = netdrv_open(&nic, &pci, on_nic_rx, NULL);
	if (rc) {
		printf("netdom: no uplink (%ld): the vifs reach only each "
		       "other\n",
		       rc);
		return;
	}
	have_nic = true;
	netdrv_mac(&nic, mac);
	printf("netdom: uplink %s at %u:%02x:%02x.%u, mac "
	       "%02x:%02x:%02x:%02x:%02x:%02x\n",
	       nic.ops->name, pci.sbdf >> 16, (pci.sbdf >> 8) & 0xff,
	       (pci.sbdf >> 3) & 0x1f, pci.sbdf & 7, mac[0], mac[1], mac[2],
	       mac[3], mac[4], mac[5]);
}

static void setup(const char *cmdline)
{
	const struct nd_ops ops = {
		.map = op_map,
		.unmap = op_unmap,
		.bind = op_bind,
		.close = op_close,
		.forget = op_forget,
		.xb = &xb,
		.nb = &env,
		.sw = &sw,
	};
	long rc;

	stub_events_init();
	/* Binds VIRQ_TIMER, which the main loop's timer needs. */
	stub_sleep(1000);
	for (unsigned int i = 0; i < NB_LOCAL_BUFS; i++) {
		bufs[i].va = stub_alloc_page();
		if (!bufs[i].va)
			stub_panic("netdom: out of pages");
		bufs[i].mfn = stub_virt_to_mfn(bufs[i].va);
		own_note(bufs[i].mfn, bufs[i].va);
	}
	env = (struct nb_env){
		.grant_copy = env_grant_copy,
		.notify = env_notify,
		.now_ns = env_now,
		.log = env_log,
		.local_buf = env_local_buf,
		.send_to_nic = env_send_to_nic,
	};
	nb_switch_init(&sw, &env);
	dd_store_start(&xb, "netdom", on_store, cmdline);
	open_nic(cmdline);
	if (!have_nic)
		env.send_to_nic = NULL;
	else if (stub_arg_has(cmdline, "stream=")) {
		nd_stream(&nic, stub_arg_uint(cmdline, "stream="),
			  stub_arg_uint(cmdline, "size="));
		/* Small frames: 18 bytes of UDP make a minimum-size frame. */
		nd_stream(&nic, stub_arg_uint(cmdline, "small="), 18);
	}
	dd_watchdog_start(cmdline);
	rc = nd_start(&vifs, &ops);
	if (rc)
		stub_panic("netdom: cannot watch " ND_BE_ROOT " (%ld)", rc);
	printf("netdom: serving " ND_BE_ROOT " (at most %u vifs)\n",
	       ND_MAX_VIFS);
}

/* When the last vif goes: what crossed the uplink, and what was refused. */
static void uplink_stats(void)
{
	const struct nb_switch_stats *s = &sw.stats;
	const struct nd_gcache_stats *g = nd_gcache_stats();

	printf("netdom: uplink stats: to the NIC %lu frames (%lu refused), "
	       "from it %lu; NIC tx %lu frames (%lu times its ring was "
	       "full), rx %lu frames\n",
	       s->uplink_tx, s->uplink_tx_errors, s->uplink_rx,
	       have_nic ? nic.stats.tx_frames : 0,
	       have_nic ? nic.stats.tx_busy : 0,
	       have_nic ? nic.stats.rx_frames : 0);
	printf("netdom: transmit copies: %lu from kept mappings, %lu "
	       "mappings made, %lu grants copied as they would not map, %lu "
	       "unmaps failed\n",
	       g->hits, g->maps, g->refused, g->unmap_errors);
}

static void tick(bool *link)
{
	bool up;

	if (!have_nic)
		return;
	up = netdrv_link_up(&nic);
	if (up != *link)
		printf("netdom: uplink link %s\n", up ? "up" : "down");
	*link = up;
}

int app_main(const char *cmdline)
{
	uint64_t next_tick = 0, next_resync;
	unsigned int connected = 0;
	bool link = false;

	setup(cmdline);
	next_resync = stub_now() + RESYNC_NS;
	for (;;) {
		uint64_t now = stub_now(), wake = now + IDLE_NS;
		unsigned long k = kicks, irqs = have_nic ? nic.irq.count : 0;
		bool more = false;

		dd_watchdog_kick(now);

		if (have_nic)
			more |= netdrv_poll(&nic, NIC_BUDGET) >= NIC_BUDGET;
		more |= nd_poll(&vifs, TX_BUDGET, now, &wake);
		if (have_nic)
			netdrv_flush(&nic);
		if (xenbus_poll(&xb) > 0)
			xenbus_dispatch(&xb);
		if (now >= next_resync) {
			nd_resync(&vifs);
			next_resync = now + RESYNC_NS;
		}
		nd_update(&vifs);
		if (connected && !nd_connected(&vifs))
			uplink_stats();
		connected = nd_connected(&vifs);
		if (now >= next_tick) {
			tick(&link);
			next_tick = now + TICK_NS;
		}
		/* Until an event, unless one came since the round began. */
		if (!more)
			stub_block_until(
			    wake,
			    kicks != k || (have_nic && nic.irq.count != irqs));
	}
}
