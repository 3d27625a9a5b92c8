/*
 * A guest with a disk through blkfront and the block driver domain's
 * blkback (xvda, device/vbd/51712). It writes a pattern over the whole
 * disk, flushes, reads it all back and compares; then checks the
 * refusals it must get: past the end, and (" ro") any write. The
 * pattern names the guest ("tag=N") and each sector's number, so the
 * host can tell from the disk image whose data landed where. Prints
 * "blkguest: ..." lines and "blkguest: N passed, M failed".
 *
 * "bench=N" runs the block benchmark instead of the pattern: the
 * workloads the driver domain ran natively (driverdom/blkdom_bench.c),
 * over the same sectors in the same order, N requests each (sequential:
 * N / 8), asynchronously; prints "blkbench: guest ..." lines.
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
/* A fallback only: connect() wakes on the events that move it on. */
#define CONNECT_POLL (100 * MS)
#define DEVICE	     "device/vbd/51712"

static struct xenbus xb;
static struct blkfront bf;
static volatile unsigned long blk_events;
static unsigned int tag; /* "tag=N": whose pattern, for the host's check */
static uint64_t booted_at;
static uint8_t buf[CHUNK * SECTOR] __attribute__((aligned(4096)));
static uint8_t back[CHUNK * SECTOR] __attribute__((aligned(4096)));

/* The benchmark's; as in blkdom_bench.c. */
#define PAGE	    4096
#define SEQ_SECTORS BLKFRONT_MAX_SECTORS /* 256 KiB, the largest request */
#define MAX_QD	    32
#define STALL_NS    (2000 * MS) /* nothing completes: give up */
#define SEED	    0x9e3779b97f4a7c15ull

struct workload {
	const char *name;
	bool write;
	uint32_t sectors; /* per request */
	unsigned int qd;
	bool random;
};

/* The driver domain's list, name for name: bench.py pairs them. */
static const struct workload loads[] = {
	{ "4 KiB random read QD32", false, PAGE / SECTOR, 32, true },
	{ "4 KiB random read QD1", false, PAGE / SECTOR, 1, true },
	{ "4 KiB random write QD32", true, PAGE / SECTOR, 32, true },
	{ "4 KiB random write QD1", true, PAGE / SECTOR, 1, true },
	{ "sequential read 256 KiB QD2", false, SEQ_SECTORS, 2, false },
	{ "sequential write 256 KiB QD2", true, SEQ_SECTORS, 2, false },
};

static bool bench_busy[MAX_QD];
static unsigned long bench_completed, bench_failed;
static uint8_t bench_buf[2 * SEQ_SECTORS * SECTOR]
    __attribute__((aligned(4096)));

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

/* Our buffers' frames: blkfront grants whole pages of them directly. */
static unsigned long g_mfn(void *env, const void *va)
{
	return stub_virt_to_mfn(va);
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

/* Only the benchmark's requests complete here (the rest are _sync). */
static void g_done(void *env, void *cookie, int status)
{
	bool *busy = cookie;

	*busy = false;
	bench_completed++;
	bench_failed += status != 0;
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

/*
 * Connecting waits for the backend's steps, which come as watch events
 * on the xenstore port: it sleeps until one comes (or the disk's port has
 * one), not on a millisecond's poll. Benchmarking, the driver domain runs
 * its own part meanwhile, and a guest waking a thousand times a second
 * would take its CPU from under it and slow the figure it is compared to.
 */
static bool connect(uint64_t timeout)
{
	for (uint64_t until = stub_now() + timeout;
	     !blkfront_connected(&bf) && stub_now() < until;) {
		unsigned long seen = blk_events, xs = stub_xenbus_events();

		blkfront_poll(&bf);
		xenbus_poll(&xb);
		xenbus_dispatch(&xb);
		stub_timer_arm(stub_now() + CONNECT_POLL);
		stub_wait_until(blk_events != seen ||
				stub_xenbus_events() != xs ||
				stub_timer_fired());
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

static uint64_t next_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

/* Completions, or block until the disk's event. */
static void bench_wait(void)
{
	unsigned long seen = blk_events;

	if (blkfront_poll(&bf) || !blkfront_pending(&bf))
		return;
	stub_timer_arm(stub_now() + MS);
	stub_wait_until(blk_events != seen || stub_timer_fired());
}

/* Fill the free slots: false when blkfront refuses a request. */
static bool fill(const struct workload *w, uint64_t sectors, unsigned long ops,
		 unsigned long *issued, uint64_t *rnd)
{
	uint64_t places = sectors / w->sectors;

	for (unsigned int i = 0; i < w->qd && *issued < ops; i++) {
		uint8_t *p = bench_buf + (size_t)i * w->sectors * SECTOR;
		uint64_t before = *rnd, at;
		int rc;

		if (bench_busy[i])
			continue;
		at = w->random ? next_rand(rnd) % places : *issued % places;
		rc = w->write ? blkfront_write(&bf, at * w->sectors, w->sectors,
					       p, &bench_busy[i])
			      : blkfront_read(&bf, at * w->sectors, w->sectors,
					      p, &bench_busy[i]);
		if (rc == -XEN_ENOBUFS) {
			*rnd = before; /* the same place again, later */
			return true;
		}
		if (rc)
			return false;
		bench_busy[i] = true;
		(*issued)++;
	}
	return true;
}

static void bench_print(const struct workload *w, unsigned long ops,
			uint64_t ns, long halted0)
{
	uint64_t busy;

	printf("blkbench: guest %s: %lu ops in %llu us: %llu ns per op",
	       w->name, ops, (unsigned long long)(ns / 1000),
	       (unsigned long long)(ns / ops));
	if (!w->random)
		printf(", %llu MB/s", (unsigned long long)(ops * w->sectors *
							   SECTOR * 1000 / ns));
	if (stub_busy_since(halted0, ns, &busy))
		printf(", %llu ns busy per op",
		       (unsigned long long)(busy / ops));
	printf("\n");
}

/* ops requests of workload w, qd of them in flight, over [0, sectors). */
static void bench_run(const struct workload *w, uint64_t sectors,
		      unsigned long ops)
{
	unsigned long issued = 0, done0 = bench_completed, seen;
	unsigned long failed0 = bench_failed;
	long halted0 = stub_all_halted_ns();
	uint64_t rnd = SEED, t0 = stub_now(), last = t0;
	bool ok = ops > 0;

	while (bench_completed - done0 < ops && ok) {
		seen = bench_completed;
		ok = fill(w, sectors, ops, &issued, &rnd);
		bench_wait();
		if (bench_completed != seen)
			last = stub_now();
		ok &= stub_now() - last < STALL_NS;
	}
	while (blkfront_pending(&bf) && stub_now() - last < STALL_NS)
		bench_wait();
	if (ok && bench_failed == failed0)
		bench_print(w, ops, stub_now() - t0, halted0);
	else
		printf("blkbench: guest %s: stopped after %lu ops, %lu "
		       "failed\n",
		       w->name, bench_completed - done0,
		       bench_failed - failed0);
}

static void bench(const struct blkfront_info *info, unsigned int n)
{
	for (unsigned int i = 0; i < sizeof(loads) / sizeof(loads[0]); i++) {
		const struct workload *w = &loads[i];

		if (info->sectors < w->sectors || info->sector_size > PAGE ||
		    (info->info & VDISK_READONLY)) {
			printf("blkbench: guest %s: does not fit\n", w->name);
			continue;
		}
		bench_run(w, info->sectors, w->random ? n : n / 8);
	}
}

/* ---- "survive=MS": write and verify while the backend comes and goes ---- */

#define SV_QD	  8
#define SV_REGION 1024 /* sectors rewritten each round */

/* Sector s as round r writes it: an older round's data shows. */
static void sv_pattern(uint8_t *p, uint64_t s, unsigned int r)
{
	memset(p, 0, 48);
	fmt_snprintf((char *)p, 48, "CITADEL t%u s%llu r%u", tag,
		     (unsigned long long)s, r);
	for (unsigned int i = 48; i < SECTOR; i++)
		p[i] = (uint8_t)(s * 7 + r * 13 + i);
}

static uint64_t sv_last, sv_stall; /* last completion; longest wait */

/*
 * A request completed now: the wait since the last one may be the
 * longest. From the first completion on: the first requests' wait is the
 * disk's start, not a stall.
 */
static void sv_completed(void)
{
	if (sv_last && stub_now() - sv_last > sv_stall)
		sv_stall = stub_now() - sv_last;
	sv_last = stub_now();
}

static void sv_wait(void)
{
	unsigned long done = bench_completed;

	bench_wait();
	if (bench_completed != done)
		sv_completed();
}

/* Round r's writes, SV_QD in flight: false if one was refused. */
static bool sv_write_round(uint64_t region, unsigned int r)
{
	uint64_t s = 0;

	while (s < region || blkfront_pending(&bf)) {
		for (unsigned int i = 0; i < SV_QD && s < region; i++) {
			uint8_t *p = bench_buf + (size_t)i * CHUNK * SECTOR;
			uint32_t n = region - s < CHUNK ? region - s : CHUNK;
			int rc;

			if (bench_busy[i])
				continue;
			for (uint32_t k = 0; k < n; k++)
				sv_pattern(p + k * SECTOR, s + k, r);
			rc = blkfront_write(&bf, s, n, p, &bench_busy[i]);
			if (rc == -XEN_ENOBUFS)
				break;
			if (rc)
				return false;
			bench_busy[i] = true;
			s += n;
		}
		sv_wait();
	}
	return true;
}

/* Every sector of the region as round r wrote it: the bad ones. */
static uint64_t sv_verify(uint64_t region, unsigned int r)
{
	uint64_t bad = 0;

	for (uint64_t s = 0; s < region; s += CHUNK) {
		uint32_t n = region - s < CHUNK ? region - s : CHUNK;

		if (blkfront_read_sync(&bf, s, n, back))
			return region;
		sv_completed();
		for (uint32_t k = 0; k < n; k++) {
			sv_pattern(buf, s + k, r);
			bad += memcmp(buf, back + k * SECTOR, SECTOR) != 0;
		}
	}
	return bad;
}

/* "report=S": how it goes every S seconds as well. */
static void survive(const struct blkfront_info *info, unsigned int ms,
		    unsigned int report_s)
{
	uint64_t region = info->sectors < SV_REGION ? info->sectors : SV_REGION;
	uint64_t t0 = stub_now(), bad = 0;
	uint64_t report = report_s ? t0 + report_s * 1000 * MS : 0;
	unsigned long failed0 = bench_failed, done0 = bench_completed;
	unsigned int r = 0;
	bool ok = true;

	sv_last = 0;
	while (ok && stub_now() - t0 < ms * MS) {
		ok = sv_write_round(region, ++r);
		if (ok && r % 4 == 0) {
			ok = blkfront_flush_sync(&bf) == 0;
			sv_completed();
		}
		if (ok)
			bad += sv_verify(region, r);
		if (report && stub_now() >= report) {
			printf("blkguest: %u rounds written and read back so "
			       "far, %llu bad sectors, longest stall %llu ms\n",
			       r, (unsigned long long)bad,
			       (unsigned long long)(sv_stall / MS));
			report += report_s * 1000 * MS;
		}
	}
	printf("blkguest: survived %u ms: %u rounds of %llu sectors written "
	       "and read back, %lu writes, %lu failed, %llu bad sectors, "
	       "longest stall %llu ms, up %llu ms\n",
	       ms, r, (unsigned long long)region, bench_completed - done0,
	       bench_failed - failed0, (unsigned long long)bad,
	       (unsigned long long)(sv_stall / MS),
	       (unsigned long long)((stub_now() - booted_at) / MS));
	printf("blkguest: %llu ring requests in the registered buffer, over "
	       "%llu connections\n",
	       (unsigned long long)blkfront_stats(&bf)->registered,
	       (unsigned long long)blkfront_stats(&bf)->connects);
	stub_check("no request failed", ok && bench_failed == failed0, 1);
	stub_check("every sector as last written", bad, 0);
}

/* The pattern over the whole disk, then the refusals. */
static void check_disk(const struct blkfront_info *info, bool ro)
{
	if (!ro && info->sectors) {
		uint64_t bad = write_verify(info->sectors);

		stub_check("every sector read back as written", bad, 0);
		printf("blkguest: wrote, flushed and read back %llu sectors: "
		       "%llu bad\n",
		       (unsigned long long)info->sectors,
		       (unsigned long long)bad);
	}
	if (ro)
		stub_check("a write to a read-only disk",
			   blkfront_write_sync(&bf, 0, 1, buf), -XEN_EROFS);
	stub_check("a read past the end",
		   blkfront_read_sync(&bf, info->sectors, 1, back),
		   -XEN_EINVAL);
}

int app_main(const char *cmdline)
{
	const struct blkfront_ops ops = {
		.grant_access = g_grant,
		.grant_end = g_grant_end,
		.page_alloc = g_page,
		.virt_to_mfn = g_mfn,
		.evtchn_alloc_unbound = g_port,
		.evtchn_close = g_close,
		.notify = g_notify,
		.done = g_done,
		.wait = g_wait,
		.xb = &xb,
	};
	struct blkfront_info info = { 0 };
	unsigned int n = stub_arg_uint(cmdline, "bench=");

	booted_at = stub_now();
	tag = stub_arg_uint(cmdline, "tag=");
	stub_events_init();
	stub_check("grant table", stub_gnttab_init(1), 0);
	stub_check("xenstore", stub_xenbus_connect_store(&xb), 0);
	stub_check("blkfront", blkfront_init(&bf, &ops, DEVICE), 0);
	/* Their writes go out of bench_buf: no copy where grants are kept. */
	if (n || stub_arg_has(cmdline, "survive="))
		stub_check("registered",
			   blkfront_register(&bf, bench_buf, sizeof(bench_buf)),
			   0);
	/* Benchmarking, the driver domain runs its own part first. */
	stub_check("connected", connect((n ? 20000 : 5000) * MS), 1);
	blkfront_info(&bf, &info);
	printf("blkguest: xvda %llu sectors of %u bytes%s\n",
	       (unsigned long long)info.sectors, info.sector_size,
	       (info.info & VDISK_READONLY) ? ", read-only" : "");
	if (n)
		bench(&info, n);
	else if (stub_arg_has(cmdline, "survive="))
		survive(&info, stub_arg_uint(cmdline, "survive="),
			stub_arg_uint(cmdline, "report="));
	else
		check_disk(&info, stub_arg_has(cmdline, " ro"));
	stub_check_report("blkguest");
	return SHUTDOWN_poweroff;
}
