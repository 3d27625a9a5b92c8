/*
 * Crash tests (CONFIG_FAULT_INJECT): "crash=<domain>:<n>[:hang]" on the
 * control domain's command line makes it fault that driver domain n
 * times, each time once every device it serves is connected again
 * and "crash_gap=MS" (default 600) has passed, so the guests' I/O is
 * flowing when the fault comes. The fault is the domain's own (see
 * driverdom/include/driverdom/fault.h), asked for through its
 * control/fault node. Each cycle's time from the fault to every device
 * connected again is printed, and at the end the median and the worst.
 * "crash_standby=1" also faults the domain's standby, once, as soon as
 * there is one, before the first of those faults.
 */
#include <xen/lib.h>
#include <xen/string.h>
#include <stub/check.h>
#include <stub/stub.h>
#include <stub/time.h>
#include "control.h"

#define CTL_FAULTS_MAX 64

static struct {
	struct ctl_dom *d;
	unsigned int want, done;
	bool hang, pending, standby;
	uint64_t gap, inject_at, ready_at;
	uint64_t took[CTL_FAULTS_MAX];
} ctl_ft;

void ctl_faults_init(const char *cmdline)
{
	char arg[48], *p;

	if (!stub_arg_has(cmdline, "crash="))
		return;
	stub_arg_word(cmdline, "crash=", arg, sizeof(arg));
	p = strchr(arg, ':');
	if (!p) {
		printf("control: crash=<domain>:<count>[:hang]\n");
		return;
	}
	*p++ = '\0';
	ctl_ft.d = ctl_dom_by_name(arg);
	for (; *p >= '0' && *p <= '9' && ctl_ft.want < CTL_FAULTS_MAX; p++)
		ctl_ft.want = ctl_ft.want * 10 + (unsigned int)(*p - '0');
	if (ctl_ft.want > CTL_FAULTS_MAX)
		ctl_ft.want = CTL_FAULTS_MAX;
	ctl_ft.hang = !strcmp(p, ":hang");
	ctl_ft.gap = (stub_arg_has(cmdline, "crash_gap=")
			  ? stub_arg_uint(cmdline, "crash_gap=")
			  : 600) *
		     CTL_MS;
	ctl_ft.standby = stub_arg_has(cmdline, "crash_standby=1");
	if (!ctl_ft.d)
		printf("control: crash=: no domain '%s'\n", arg);
}

static void ctl_fault(domid_t id, const char *how)
{
	char path[64];

	fmt_snprintf(path, sizeof(path), "/local/domain/%u/control/fault", id);
	xenbus_write(&ctl_xb, XENBUS_NO_TX, path, how);
}

static void ctl_inject(uint64_t now)
{
	ctl_ft.inject_at = now;
	ctl_ft.pending = true;
	ctl_timeline("fault injected");
	ctl_fault(ctl_ft.d->domid, ctl_ft.hang ? "hang" : "wild");
}

static void ctl_faults_report(void)
{
	uint64_t *t = ctl_ft.took, worst = 0;
	unsigned int n = ctl_ft.done;

	/* Insertion sort: n is small. */
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j && t[j - 1] > t[j]; j--) {
			uint64_t x = t[j];

			t[j] = t[j - 1];
			t[j - 1] = x;
		}
	if (n)
		worst = t[n - 1];
	printf("control: %s crashed %u times: fault to every device "
	       "connected median %llu us, worst %llu us\n",
	       ctl_ft.d->cfg.name, n,
	       (unsigned long long)(n ? t[n / 2] / 1000 : 0),
	       (unsigned long long)(worst / 1000));
}

void ctl_faults_poll(uint64_t now)
{
	struct ctl_dom *d = ctl_ft.d;

	if (!d || ctl_ft.done == ctl_ft.want)
		return;
	if (ctl_ft.standby && d->standby != DOMID_INVALID) {
		printf("control: faulting %s's standby (domain %u)\n",
		       d->cfg.name, d->standby);
		ctl_fault(d->standby, "wild");
		ctl_ft.standby = false;
		return;
	}
	if (ctl_ft.pending) {
		if (d->back_at <= ctl_ft.inject_at)
			return;
		ctl_ft.took[ctl_ft.done++] = d->back_at - ctl_ft.inject_at;
		ctl_ft.pending = false;
		ctl_ft.ready_at = 0;
		if (ctl_ft.done == ctl_ft.want)
			ctl_faults_report();
		return;
	}
	/* A fault only matters while the domain serves a guest. */
	if (!ctl_ft.ready_at) {
		unsigned int up, n = 0;

		if (d->state == CTL_RUNNING)
			n = ctl_backend_devices(d, &up);
		if (n && up == n)
			ctl_ft.ready_at = now;
		return;
	}
	if (now - ctl_ft.ready_at >= ctl_ft.gap)
		ctl_inject(now);
}
