/*
 * A guest with a disk through blkfront and the block driver domain's
 * blkback (xvda, device/vbd/51712). It writes a pattern over the whole
 * disk, flushes, reads it all back and compares; then checks the
 * refusals it must get: past the end, and (" ro") any write. The
 * pattern names the guest ("tag=N") and each sector's number, so the
 * host can tell from the disk image whose data landed where. Prints
 * "blkguest: ..." lines and "blkguest: N passed, M failed".
 */
#include <public/errno.h>
#include <public/sched.h>
#include <xen/lib.h>
#include <xen/string.h>
#include <stub/blkfront.h>
#include <stub/check.h>
#include <stub/events.h>
#include <stub/gnttab.h>
#include <stub/mm.h>
#include <stub/stub.h>
#include <stub/time.h>
#include <stub/xenbus_glue.h>

#define MS     1000000ull
#define SECTOR 512
#define CHUNK  64 /* sectors per request */
#define DEVICE "device/vbd/51712"

static struct xenbus xb;
static struct blkfront bf;
static volatile unsigned long blk_events;
static unsigned int tag; /* "tag=N": whose pattern, for the host's check */
static uint8_t buf[CHUNK * SECTOR] __attribute__((aligned(4096)));
static uint8_t back[CHUNK * SECTOR] __attribute__((aligned(4096)));

static long g_grant(void *env, domid_t domid, unsigned long mfn, bool ro)
{
	return stub_grant_access(domid, mfn, ro);
}

static long g_grant_end(void *env, grant_ref_t ref)
{
	return stub_grant_end(ref);
}

static void *g_page(void *env, unsigned long *mfn)
{
	void *p = stub_alloc_page();

	if (p)
		*mfn = stub_virt_to_mfn(p);
	return p;
}

static void on_event(evtchn_port_t port, void *data)
{
	blk_events++;
}

static long g_port(void *env, domid_t remote)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF,
					   .remote_dom = remote };
	long rc = stub_evtchn_op(EVTCHNOP_alloc_unbound, &au);

	if (rc < 0)
		return rc;
	stub_event_bind(au.port, on_event, NULL);
	return au.port;
}

static void g_close(void *env, evtchn_port_t port)
{
	struct evtchn_close cl = { .port = port };

	stub_evtchn_op(EVTCHNOP_close, &cl);
}

static void g_notify(void *env, evtchn_port_t port)
{
	struct evtchn_send send = { .port = port };

	stub_evtchn_op(EVTCHNOP_send, &send);
}

static void g_done(void *env, void *cookie, int status)
{
}

/* The next event on the disk's port, or a millisecond. */
static void g_wait(void *env)
{
	unsigned long seen = blk_events;

	xenbus_poll(&xb);
	xenbus_dispatch(&xb);
	stub_timer_arm(stub_now() + MS);
	stub_wait_until(blk_events != seen || stub_timer_fired());
}

/* Sector s as this guest writes it: who, where, then a mix of both. */
static void pattern(uint8_t *p, uint64_t s)
{
	memset(p, 0, 32);
	fmt_snprintf((char *)p, 32, "CITADEL t%u s%llu", tag,
		     (unsigned long long)s);
	for (unsigned int i = 32; i < SECTOR; i++)
		p[i] = (uint8_t)(s * 31 + i + tag);
}

static bool connect(void)
{
	for (uint64_t until = stub_now() + 5000 * MS;
	     !blkfront_connected(&bf) && stub_now() < until;) {
		blkfront_poll(&bf);
		g_wait(NULL);
	}
	return blkfront_connected(&bf);
}

/* Write the pattern over [0, sectors), flush, read back: bad sectors. */
static uint64_t write_verify(uint64_t sectors)
{
	uint64_t bad = 0;

	for (uint64_t s = 0; s < sectors; s += CHUNK) {
		uint32_t n = sectors - s < CHUNK ? sectors - s : CHUNK;

		for (uint32_t i = 0; i < n; i++)
			pattern(buf + i * SECTOR, s + i);
		if (blkfront_write_sync(&bf, s, n, buf))
			return sectors;
	}
	stub_check("flush", blkfront_flush_sync(&bf), 0);
	for (uint64_t s = 0; s < sectors; s += CHUNK) {
		uint32_t n = sectors - s < CHUNK ? sectors - s : CHUNK;

		if (blkfront_read_sync(&bf, s, n, back))
			return sectors;
		for (uint32_t i = 0; i < n; i++) {
			pattern(buf, s + i);
			bad += memcmp(buf, back + i * SECTOR, SECTOR) != 0;
		}
	}
	return bad;
}

int app_main(const char *cmdline)
{
	const struct blkfront_ops ops = {
		.grant_access = g_grant,
		.grant_end = g_grant_end,
		.page_alloc = g_page,
		.evtchn_alloc_unbound = g_port,
		.evtchn_close = g_close,
		.notify = g_notify,
		.done = g_done,
		.wait = g_wait,
		.xb = &xb,
	};
	struct blkfront_info info = { 0 };
	bool ro = stub_arg_has(cmdline, " ro");

	tag = stub_arg_uint(cmdline, "tag=");
	stub_events_init();
	stub_check("grant table", stub_gnttab_init(1), 0);
	stub_check("xenstore", stub_xenbus_connect_store(&xb), 0);
	stub_check("blkfront", blkfront_init(&bf, &ops, DEVICE), 0);
	stub_check("connected", connect(), 1);
	blkfront_info(&bf, &info);
	printf("blkguest: xvda %llu sectors of %u bytes%s\n",
	       (unsigned long long)info.sectors, info.sector_size,
	       (info.info & VDISK_READONLY) ? ", read-only" : "");
	if (!ro && info.sectors) {
		uint64_t bad = write_verify(info.sectors);

		stub_check("every sector read back as written", bad, 0);
		printf("blkguest: wrote, flushed and read back %llu sectors: "
		       "%llu bad\n",
		       (unsigned long long)info.sectors,
		       (unsigned long long)bad);
	}
	if (ro)
		stub_check("a write to a read-only disk",
			   blkfront_write_sync(&bf, 0, 1, buf), -XEN_EROFS);
	stub_check("a read past the end",
		   blkfront_read_sync(&bf, info.sectors, 1, back), -XEN_EINVAL);
	stub_check_report("blkguest");
	return SHUTDOWN_poweroff;
}
