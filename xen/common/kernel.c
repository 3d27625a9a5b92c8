/* Banner and orderly halt. */
#include <xen/arch.h>
#include <xen/console.h>
#include <xen/kernel.h>
#include <xen/lib.h>
#include <xen/sched.h>
#include <public/sched.h>
#include <generated/version.h>

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

void kernel_banner(void)
{
	static bool printed;

	if (printed)
		return;
	printed = true;
	log_always("Citadel %s\n", CITADEL_VERSION);
	log_always("Config: serial %#x %u baud, log level %d, max CPUs %d, "
		   "panic %s\n",
		   CONFIG_SERIAL_PORT, CONFIG_SERIAL_BAUD, CONFIG_LOG_LEVEL,
		   CONFIG_NR_CPUS,
		   IS_ENABLED(CONFIG_PANIC_REBOOT) ? "reboots" : "halts");
	log_always("Config: debug %s, self-tests %s, assertions %s, "
		   "test exit device %s\n",
		   yes_no(IS_ENABLED(CONFIG_DEBUG)),
		   yes_no(IS_ENABLED(CONFIG_SELFTEST)),
		   IS_ENABLED(CONFIG_ASSERT_PANIC) ? "panic"
		   : IS_ENABLED(CONFIG_ASSERTIONS) ? "log"
						   : "off",
		   yes_no(IS_ENABLED(CONFIG_TEST_EXIT)));
	if (console_cfg.port != CONFIG_SERIAL_PORT ||
	    console_cfg.baud != CONFIG_SERIAL_BAUD)
		log_always("Console: serial %#x %u baud (command line)\n",
			   console_cfg.port, console_cfg.baud);
}

static void __noreturn kernel_stop_machine(unsigned int code)
{
	arch_stop_others();
	console_tx_sync();
	testdev_exit(code);
	arch_halt();
}

void kernel_domains_changed(void)
{
	struct domain *d = domain_get(DOMID_CONTROL);
	unsigned int code;
	bool stopped;

	if (!d)
		return;
	stopped = d->state == DOMSTATE_SHUTDOWN;
	code = d->shutdown_code;
	domain_put(d);
	if (!stopped)
		return;
	switch (code) {
	case SHUTDOWN_reboot:
		log_always("Control domain asked for a reboot.\n");
		arch_stop_others();
		console_tx_sync();
		arch_reboot();
	case SHUTDOWN_poweroff:
		log_always("Control domain powered off: halting.\n");
		kernel_stop_machine(TESTDEV_HALTED);
	default:
		log_always("Control domain stopped (reason %u): halting.\n",
			   code);
		kernel_stop_machine(TESTDEV_CONTROL_CRASHED);
	}
}

void kernel_run(void)
{
	console_tx_start();
	schedule_start();
	arch_idle();
}

void kernel_boot_done(void)
{
	if (testdev_exit_after_boot()) {
		log_always("Nothing more to do: halting.\n");
		arch_stop_others();
		testdev_exit(TESTDEV_HALTED);
		arch_halt();
	}
	log_always("Nothing more to do: idling.\n");
	console_tx_start();
	arch_idle();
}
