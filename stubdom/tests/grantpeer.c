/*
 * Grants between two domains, built by the toolstack with
 * "role=granter peer=<mapper's id>" and "role=mapper peer=<granter's id>".
 * The granter offers a read-write and a read-only page; the mapper maps
 * both, checks what it may do, writes, unmaps; the granter sees the
 * entries in use and then idle. Then the granter grants one more page,
 * the mapper maps it, and the granter powers off and is destroyed: the
 * mapper's mapping must keep the frame, contents and all, until it
 * unmaps. Each prints "grantpeer <role>: N passed, M failed".
 *
 * With "dies" the mapper instead powers off holding its mapping: once
 * the toolstack has destroyed it, the granter's entry must be idle again.
 *
 * With "bench=N" both instead time N grant copies of a 4 KiB page from
 * the granter into the mapper, one and 16 per call, against N page
 * copies by memcpy in the hypervisor (the test device), in the same run.
 */
#include <public/errno.h>
#include <public/sched.h>
#include <xen/string.h>
#include <stub/events.h>
#include <stub/gnttab.h>
#include <stub/hypercall.h>
#include <stub/check.h>
#include <stub/stub.h>
#include <stub/time.h>

#define VA_RW  0x22000000ul
#define VA_RO  0x22001000ul
#define VA_OLD 0x22002000ul
#define MS     1000000ull

static volatile unsigned int received;
static volatile unsigned char page_g[4096] __attribute__((aligned(4096)));
static volatile unsigned char page_r[4096] __attribute__((aligned(4096)));
static volatile unsigned char page_h[4096] __attribute__((aligned(4096)));

static void on_event(evtchn_port_t port, void *data)
{
	received++;
}

static void wait_for(unsigned int n)
{
	stub_wait_until(received >= n);
}

static unsigned long mfn_of(volatile unsigned char *p)
{
	return stub_virt_to_mfn((const void *)p);
}

static uint16_t in_use(grant_ref_t ref)
{
	return stub_gnttab_entry(ref)->flags & (GTF_reading | GTF_writing);
}

static void granter(domid_t peer, struct evtchn_send *send)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF,
					   .remote_dom = peer };
	long rw, ro;

	page_r[0] = 0x77;
	page_h[0] = 0x42;
	rw = stub_grant_access(peer, mfn_of(page_g), false);
	ro = stub_grant_access(peer, mfn_of(page_r), true);
	stub_check("refs as agreed", rw == 8 && ro == 9, 1);
	stub_check("offer a port", stub_evtchn_op(EVTCHNOP_alloc_unbound, &au),
		   0);
	stub_event_bind(au.port, on_event, NULL);
	send->port = au.port;
	wait_for(1); /* mapped */
	stub_check("rw entry in use", in_use(rw), GTF_reading | GTF_writing);
	stub_check("ro entry in use", in_use(ro), GTF_reading);
	stub_check("no revoking while mapped", stub_grant_end(rw), -XEN_EBUSY);
	stub_evtchn_op(EVTCHNOP_send, send);
	wait_for(2); /* unmapped */
	stub_check("entries idle", in_use(rw) | in_use(ro), 0);
	stub_check("the mapper's writes",
		   page_g[0] == 0xab && page_g[4095] == 0xab, 1);
	stub_check("revoke rw", stub_grant_end(rw), 0);
	stub_check("revoke ro", stub_grant_end(ro), 0);
	stub_check("grant the last page",
		   stub_grant_access(peer, mfn_of(page_h), false), 8);
	stub_evtchn_op(EVTCHNOP_send, send);
	wait_for(3); /* mapped again: now go away */
}

/* The granter's port closes when the granter is destroyed. */
static bool peer_gone(evtchn_port_t port)
{
	struct evtchn_status st = { .dom = DOMID_SELF, .port = port };
	uint64_t deadline = stub_now() + 10000 * MS;

	while (stub_now() < deadline) {
		if (stub_evtchn_op(EVTCHNOP_status, &st) == 0 &&
		    st.status == EVTCHNSTAT_unbound)
			return true;
		stub_sleep(10 * MS);
	}
	return false;
}

static void mapper(domid_t peer, struct evtchn_send *send)
{
	struct evtchn_bind_interdomain bi = { .remote_dom = peer,
					      .remote_port = 1 };
	volatile unsigned char *rwp = (volatile unsigned char *)VA_RW;
	volatile unsigned char *old = (volatile unsigned char *)VA_OLD;
	grant_handle_t h_rw, h_ro, h_old, h;

	while (stub_evtchn_op(EVTCHNOP_bind_interdomain, &bi) < 0)
		hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0);
	stub_event_bind(bi.local_port, on_event, NULL);
	send->port = bi.local_port;
	stub_check("map rw", stub_grant_map(peer, 8, VA_RW, false, &h_rw),
		   GNTST_okay);
	stub_check("map ro", stub_grant_map(peer, 9, VA_RO, true, &h_ro),
		   GNTST_okay);
	stub_check("read through ro", *(volatile unsigned char *)VA_RO, 0x77);
	stub_check("ro grant mapped rw",
		   stub_grant_map(peer, 9, VA_OLD, false, &h),
		   GNTST_permission_denied);
	stub_check("grant of another domain",
		   stub_grant_map(peer + 5, 8, VA_OLD, true, &h),
		   GNTST_bad_domain);
	stub_check("unused ref", stub_grant_map(peer, 10, VA_OLD, true, &h),
		   GNTST_permission_denied);
	stub_check(
	    "a port in another domain",
	    stub_evtchn_op(EVTCHNOP_alloc_unbound,
			   &(struct evtchn_alloc_unbound){ .dom = peer }),
	    -XEN_EPERM);
	for (unsigned int i = 0; i < 4096; i++)
		rwp[i] = 0xab;
	stub_evtchn_op(EVTCHNOP_send, send);
	wait_for(1);
	stub_check("unmap rw", stub_grant_unmap(h_rw, VA_RW), GNTST_okay);
	stub_check("unmap ro", stub_grant_unmap(h_ro, VA_RO), GNTST_okay);
	stub_evtchn_op(EVTCHNOP_send, send);
	wait_for(2);
	stub_check("map the last page",
		   stub_grant_map(peer, 8, VA_OLD, false, &h_old), GNTST_okay);
	stub_evtchn_op(EVTCHNOP_send, send);
	stub_check("granter destroyed", peer_gone(send->port), 1);
	/*
	 * Its ports close early in its destruction, its frames go last:
	 * give that time to end, so the frame we map is the one it left.
	 */
	stub_sleep(500 * MS);
	stub_check("frame kept by the mapping", old[0], 0x42);
	old[1] = 1; /* still ours to write, and nobody else's */
	stub_check("unmap after the granter went",
		   stub_grant_unmap(h_old, VA_OLD), GNTST_okay);
	printf("grantpeer: mapping outlived its granter\n");
}

static void dies_granter(domid_t peer)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF,
					   .remote_dom = peer };
	uint64_t deadline;
	long ref = stub_grant_access(peer, mfn_of(page_g), false);

	stub_check("offer a port", stub_evtchn_op(EVTCHNOP_alloc_unbound, &au),
		   0);
	stub_event_bind(au.port, on_event, NULL);
	wait_for(1); /* mapped, and about to go */
	stub_check("entry in use", in_use(ref), GTF_reading | GTF_writing);
	deadline = stub_now() + 10000 * MS;
	while (in_use(ref) && stub_now() < deadline)
		stub_sleep(10 * MS);
	stub_check("entry idle once the mapper is gone", in_use(ref), 0);
	stub_check("revoke", stub_grant_end(ref), 0);
	printf("grantpeer: entry idle after its mapper was destroyed\n");
}

static void dies_mapper(domid_t peer)
{
	struct evtchn_bind_interdomain bi = { .remote_dom = peer,
					      .remote_port = 1 };
	struct evtchn_send send;
	grant_handle_t h;

	while (stub_evtchn_op(EVTCHNOP_bind_interdomain, &bi) < 0)
		hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0);
	stub_check("map", stub_grant_map(peer, 8, VA_RW, false, &h),
		   GNTST_okay);
	send.port = bi.local_port;
	stub_evtchn_op(EVTCHNOP_send, &send);
}

static void bench_granter(domid_t peer)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF,
					   .remote_dom = peer };

	stub_grant_access(peer, mfn_of(page_g), true);
	stub_evtchn_op(EVTCHNOP_alloc_unbound, &au);
	stub_event_bind(au.port, on_event, NULL);
	wait_for(1); /* the mapper is done */
}

/* n copies of the granter's ref 8 into our page, batch at a time: ns each. */
static uint64_t bench_copies(domid_t peer, unsigned int n, unsigned int batch)
{
	static struct gnttab_copy ops[16];
	uint64_t t0;

	for (unsigned int i = 0; i < batch; i++) {
		ops[i] = (struct gnttab_copy){ .len = 4096,
					       .flags = GNTCOPY_source_gref };
		ops[i].source.u.ref = 8;
		ops[i].source.domid = peer;
		ops[i].dest.u.gmfn = mfn_of(page_h);
		ops[i].dest.domid = DOMID_SELF;
	}
	t0 = stub_now();
	for (unsigned int i = 0; i < n; i += batch)
		if (stub_grant_copy(ops, batch) < 0 || ops[0].status)
			stub_panic("grant copy failed: %d", ops[0].status);
	return (stub_now() - t0) / n;
}

static void bench_mapper(domid_t peer, unsigned int n)
{
	struct evtchn_bind_interdomain bi = { .remote_dom = peer,
					      .remote_port = 1 };
	struct evtchn_send send;
	uint64_t one, sixteen;
	long base;

	while (stub_evtchn_op(EVTCHNOP_bind_interdomain, &bi) < 0)
		hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0);
	bench_copies(peer, 64, 1); /* warm up */
	one = bench_copies(peer, n, 1);
	sixteen = bench_copies(peer, n, 16);
	base = hypercall2(__HYPERVISOR_arch_7, 4, n);
	if (base <= 0)
		stub_panic("no test device memcpy: %ld", base);
	printf(
	    "grantcopy: 4 KiB grant copy %llu ns (%llu ns in batches of "
	    "16), hypervisor memcpy %ld ns, ratio %llu.%02llu (%llu.%02llu)\n",
	    (unsigned long long)one, (unsigned long long)sixteen, base,
	    (unsigned long long)(one / (uint64_t)base),
	    (unsigned long long)(one * 100 / (uint64_t)base % 100),
	    (unsigned long long)(sixteen / (uint64_t)base),
	    (unsigned long long)(sixteen * 100 / (uint64_t)base % 100));
	send.port = bi.local_port;
	stub_evtchn_op(EVTCHNOP_send, &send);
}

/*
 * "dmapage": a writable page (the first free ref) and a read-only one
 * (the next) for the peer's device. The peer checks its device's data
 * landed in the first, clears it and leaves "DONE" through its mapping,
 * and unmaps it; from then on its device must write neither page (the
 * read-only one never).
 */
static void dma_granter(domid_t peer)
{
	uint64_t until = stub_now() + 5000 * MS;
	bool wrote;

	memset((void *)page_g, 0, sizeof(page_g));
	memset((void *)page_r, 0, sizeof(page_r));
	stub_check(
	    "grant a page for DMA",
	    stub_grant_access(peer, stub_virt_to_mfn((void *)page_g), false),
	    STUB_GNTTAB_RESERVED);
	stub_check(
	    "grant a read-only one",
	    stub_grant_access(peer, stub_virt_to_mfn((void *)page_r), true),
	    STUB_GNTTAB_RESERVED + 1);
	while (!(wrote = !memcmp((const void *)page_g, "DONE", 4)) &&
	       stub_now() < until)
		stub_sleep(MS);
	printf("grantpeer: the peer %s with our granted page\n",
	       wrote ? "is done" : "never finished");
	stub_check("the peer used the granted page", wrote, 1);
	stub_sleep(1500 * MS);
	stub_check("nothing after it was unmapped", page_g[24], 0);
	stub_check("nothing in the read-only page", page_r[24], 0);
}

int app_main(const char *cmdline)
{
	bool is_granter = stub_arg_has(cmdline, "role=granter");
	domid_t peer = (domid_t)stub_arg_uint(cmdline, "peer=");
	struct evtchn_send send;

	unsigned int bench = stub_arg_uint(cmdline, "bench=");

	stub_events_init();
	stub_check("gnttab init", stub_gnttab_init(1), 0);
	if (stub_arg_has(cmdline, "dies")) {
		if (is_granter)
			dies_granter(peer);
		else
			dies_mapper(peer);
		stub_check_report(is_granter ? "grantpeer granter"
					     : "grantpeer mapper");
		return SHUTDOWN_poweroff; /* the mapper, still mapping */
	}
	if (stub_arg_has(cmdline, "dmapage")) {
		dma_granter(peer);
		stub_check_report("grantpeer granter");
		return SHUTDOWN_poweroff;
	}
	if (bench) {
		if (is_granter)
			bench_granter(peer);
		else
			bench_mapper(peer, bench);
		return SHUTDOWN_poweroff;
	}
	if (is_granter)
		granter(peer, &send);
	else
		mapper(peer, &send);
	stub_check_report(is_granter ? "grantpeer granter"
				     : "grantpeer mapper");
	return SHUTDOWN_poweroff;
}
