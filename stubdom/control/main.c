/*
 * The control domain's main loop: boot the system, then serve consoles,
 * xenstore watches and the supervisor, blocking between events.
 *
 * Once the system is up (every device connected, or CTL_SHELL_WAIT after
 * the domains were built), the admin shell takes the serial line's input
 * and prints its "citadel> " prompt (xl_console.c).
 *
 * Command line: "host_mem=MiB" (the memory the layout check allows the
 * domains; default CTL_HOST_MIB), "halt" (once every guest has powered
 * off and any crash test is done, take the system down and power off:
 * for tests; no shell then), and the crash test's options (faults.c).
 */
#include <public/domctl.h>
#include <public/sched.h>
#include <xen/lib.h>
#include <xen/string.h>
#include <stub/check.h>
#include <stub/consback.h>
#include <stub/events.h>
#include <stub/gnttab.h>
#include <stub/stub.h>
#include <stub/time.h>
#include "control.h"
#include "xl.h"

#define CTL_HOST_MIB 1024
#define CTL_IDLE_NS  (5 * CTL_MS) /* longest block without a look */
/* The shell starts at the latest this long after the domains are built. */
#define CTL_SHELL_WAIT (5000 * CTL_MS)

/* Guests (not the xenstore or driver domains) that are still up. */
static bool ctl_guests_up(void)
{
	for (unsigned int i = 0; i < ctl_nr_doms; i++) {
		const struct ctl_dom *d = &ctl_doms[i];

		if (!d->cfg.driver_domain && !d->cfg.xenstore_domain &&
		    d->state != CTL_DOWN)
			return true;
	}
	return false;
}

/* Guests first, then driver domains, then xenstored: the reverse. */
static void ctl_teardown(void)
{
	for (int pass = 0; pass < 3; pass++)
		for (unsigned int i = 0; i < ctl_nr_doms; i++) {
			struct ctl_dom *d = &ctl_doms[i];
			int p = d->cfg.xenstore_domain ? 2
				: d->cfg.driver_domain ? 1
						       : 0;

			if (p == pass)
				ctl_standby_destroy(d);
			if (p == pass && d->state != CTL_DOWN)
				ctl_dom_destroy(d);
		}
}

/* A word of its own on the command line. */
static bool ctl_flag(const char *cmdline, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = cmdline; *p; p++)
		if ((p == cmdline || p[-1] == ' ') && !strncmp(p, word, n) &&
		    (!p[n] || p[n] == ' '))
			return true;
	return false;
}

/* Whether the boot timeline is over: every driver domain serves all. */
static bool ctl_system_up(void)
{
	for (unsigned int i = 0; i < ctl_nr_doms; i++) {
		struct ctl_dom *d = &ctl_doms[i];

		if (d->cfg.driver_domain &&
		    (d->state != CTL_RUNNING || !ctl_backend_connected(d)))
			return false;
	}
	return true;
}

int app_main(const char *cmdline)
{
	bool halt = ctl_flag(cmdline, "halt");
	uint64_t host = stub_arg_has(cmdline, "host_mem=")
			    ? stub_arg_uint(cmdline, "host_mem=")
			    : CTL_HOST_MIB;
	uint64_t shell_at;

	stub_events_init();
	if (stub_gnttab_init(1))
		stub_panic("control: no grant table");
	ctl_supervisor_init();
	if (ctl_boot(host) < 0) {
		printf("control: the system was not started\n");
		return SHUTDOWN_poweroff;
	}
	ctl_faults_init(cmdline);
	xl_host_mib = host;
	shell_at = stub_now() + CTL_SHELL_WAIT;
	for (;;) {
		uint64_t now = stub_now(), wake = now + CTL_IDLE_NS;
		uint64_t t = ctl_supervisor_deadline();

		if (xenbus_poll(&ctl_xb) > 0)
			xenbus_dispatch(&ctl_xb);
		consback_poll();
		ctl_supervise(now);
		ctl_boot_poll();
		ctl_faults_poll(now);
		if (!halt && !xl_started() &&
		    (now >= shell_at || ctl_system_up()))
			xl_start();
		xl_poll(now);
		/* With the guests gone, a crash test cannot go on either. */
		if (halt && !ctl_guests_up())
			break;
		/* Until an event: the steps above look at what it did. */
		stub_block_until(t && t < wake ? t : wake, false);
	}
	consback_poll();
	ctl_teardown();
	printf("control: every domain is down\n");
	return SHUTDOWN_poweroff;
}
