/*
 * A guest's view of xenstore, through the xenbus client: its own nodes
 * (relative paths, under its home), what it may not touch, a watch and
 * its events, transactions, and the device state helpers. Its output
 * goes through its console ring. Prints "xsclient: N passed, M failed".
 * With "bench=N" it instead times N READs and N WRITEs of one node.
 */
#include <public/errno.h>
#include <public/sched.h>
#include <xen/string.h>
#include <stub/events.h>
#include <stub/check.h>
#include <stub/stub.h>
#include <stub/time.h>
#include <stub/xenbus_glue.h>

static struct xenbus xb;
static unsigned int fired;
static char last_path[128];

static void on_watch(struct xenbus *x, const char *path, const char *token,
		     void *data)
{
	fired++;
	memcpy(last_path, path, strnlen(path, sizeof(last_path) - 1) + 1);
}

/* Wait (bounded) until n watch events have been delivered. */
static void wait_fired(unsigned int n)
{
	for (unsigned int i = 0; i < 1000 && fired < n; i++) {
		xenbus_poll(&xb);
		xenbus_dispatch(&xb);
		if (fired >= n)
			break;
		/* Look again masked: what came since wakes the block. */
		stub_events_mask();
		if (xenbus_poll(&xb) == 0)
			stub_event_block();
		stub_events_unmask();
	}
}

static int tx_body(struct xenbus *x, uint32_t tx, void *data)
{
	unsigned long v = 0;

	xenbus_read_uint(x, tx, "data/count", &v);
	return xenbus_printf(x, tx, "data/count", "%lu", v + 1);
}

static void test_nodes(void)
{
	char buf[64];

	stub_check("write", xenbus_write(&xb, XENBUS_NO_TX, "data/x", "1"), 0);
	stub_check("read", xenbus_read(&xb, XENBUS_NO_TX, "data/x", buf, 64),
		   1);
	stub_check("read value", buf[0], '1');
	stub_check("missing",
		   xenbus_read(&xb, XENBUS_NO_TX, "data/none", buf, 64),
		   -XEN_ENOENT);
	stub_check("the control domain's node",
		   xenbus_read(&xb, XENBUS_NO_TX, "/tool/secret", buf, 64),
		   -XEN_EACCES);
	stub_check("write there",
		   xenbus_write(&xb, XENBUS_NO_TX, "/tool/secret", "mine"),
		   -XEN_EACCES);
	stub_check("bad path", xenbus_write(&xb, XENBUS_NO_TX, "data/a b", "1"),
		   -XEN_EINVAL);
	stub_check("directory",
		   xenbus_directory(&xb, XENBUS_NO_TX, "data", buf, 64), 1);
}

static void test_watch_and_tx(void)
{
	uint32_t tx;
	char buf[16];

	stub_check("watch", xenbus_watch(&xb, "data", "tok", on_watch, NULL),
		   0);
	wait_fired(1);
	stub_check("first event", fired, 1);
	stub_check("write watched",
		   xenbus_write(&xb, XENBUS_NO_TX, "data/y", "2"), 0);
	wait_fired(2);
	stub_check("event on change", fired, 2);
	stub_check("its path, as watched", strcmp(last_path, "data/y"), 0);
	stub_check("tx start", xenbus_transaction_start(&xb, &tx), 0);
	stub_check("tx write", xenbus_write(&xb, tx, "data/t", "3"), 0);
	stub_check("tx end", xenbus_transaction_end(&xb, tx, false), 0);
	stub_check("tx committed",
		   xenbus_read(&xb, XENBUS_NO_TX, "data/t", buf, 16), 1);
	stub_check("tx helper", xenbus_transaction(&xb, tx_body, NULL, 5), 0);
	stub_check("unwatch", xenbus_unwatch(&xb, "data", "tok"), 0);
	stub_check("state",
		   xenbus_switch_state(&xb, XENBUS_NO_TX, "device/vif/0",
				       XenbusStateInitialising),
		   0);
	stub_check("state back", xenbus_read_state(&xb, "device/vif/0"),
		   XenbusStateInitialising);
}

/* Round trips per second, from the guest's clock. */
static unsigned long long per_second(unsigned int n, uint64_t ns)
{
	return ns ? (unsigned long long)n * 1000000000ull / ns : 0;
}

static void bench(unsigned int n)
{
	char buf[32];
	uint64_t t0, reads, writes;

	xenbus_write(&xb, XENBUS_NO_TX, "bench", "0123456789");
	t0 = stub_now();
	for (unsigned int i = 0; i < n; i++)
		if (xenbus_read(&xb, XENBUS_NO_TX, "bench", buf, 32) != 10)
			stub_panic("bench read failed");
	reads = stub_now() - t0;
	t0 = stub_now();
	for (unsigned int i = 0; i < n; i++)
		if (xenbus_write(&xb, XENBUS_NO_TX, "bench", "9876543210"))
			stub_panic("bench write failed");
	writes = stub_now() - t0;
	printf("xenstore: READ %llu ns (%llu/s), WRITE %llu ns (%llu/s)\n",
	       (unsigned long long)(reads / n), per_second(n, reads),
	       (unsigned long long)(writes / n), per_second(n, writes));
}

int app_main(const char *cmdline)
{
	unsigned int n = stub_arg_uint(cmdline, "bench=");

	stub_events_init();
	if (stub_xenbus_connect_store(&xb) < 0)
		stub_panic("no xenstore ring in start_info");
	if (n) {
		bench(n);
		return SHUTDOWN_poweroff;
	}
	test_nodes();
	test_watch_and_tx();
	stub_check_report("xsclient");
	return SHUTDOWN_poweroff;
}
