/* Crash reports: panic(), BUG() and failed assertions. */
#include <xen/arch.h>
#include <xen/console.h>
#include <xen/kernel.h>
#include <xen/lib.h>

static bool panicking;

void vpanic_regs(const struct cpu_regs *regs, const void *caller,
		 const char *fmt, va_list ap)
{
	/* A fault while reporting must not recurse forever. */
	if (panicking)
		arch_halt();
	panicking = true;

	arch_stop_others();
	printk_lock_bust();
	console_init();
	console_tx_sync();
	kernel_banner();
	printk_flush_early();
	log_always("\n**** Citadel panic ****\n");
	log_always("Panic: ");
	vprintk_level(LOG_ALWAYS, fmt, ap);
	log_always("\n");
	arch_show_crash_regs(regs, caller);

	log_always("%s\n",
		   IS_ENABLED(CONFIG_PANIC_REBOOT) ? "Rebooting." : "Halting.");
	testdev_exit(TESTDEV_PANIC);
	if (IS_ENABLED(CONFIG_PANIC_REBOOT))
		arch_reboot();
	arch_halt();
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic_regs(NULL, __builtin_return_address(0), fmt, ap);
}

void bug_at(const char *file, int line)
{
	panic("BUG at %s:%d", file, line);
}

/* Without CONFIG_ASSERT_PANIC a site reports once, then stays quiet. */
void assert_failed(const char *expr, const char *file, int line, bool *seen)
{
	if (IS_ENABLED(CONFIG_ASSERT_PANIC))
		panic("Assertion '%s' failed at %s:%d", expr, file, line);
	if (*seen)
		return;
	*seen = true;
	log_err("Assertion '%s' failed at %s:%d (reported once)\n", expr, file,
		line);
}
