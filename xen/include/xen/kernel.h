/* The hypervisor's life cycle: banner, self-tests, halt. */
#ifndef XEN_KERNEL_H
#define XEN_KERNEL_H

/*
 * Print "Citadel <version>" and the build's configuration, once: a crash
 * report before the normal banner prints it too.
 */
void kernel_banner(void);

/* Check library code as compiled for the hypervisor (CONFIG_SELFTEST). */
void kernel_selftest(void);

/* Nothing left to do: stop cleanly (or leave QEMU when testing). */
void kernel_halt(void) __noreturn;

/*
 * The test device (CONFIG_TEST_EXIT): leave QEMU with a status, and do
 * what the test= option asked for. Stubs when the option is off.
 */
#define TESTDEV_HALTED 0x10 /* QEMU exits with status 33 */
#define TESTDEV_PANIC  0x11 /* QEMU exits with status 35 */
void testdev_exit(unsigned int code);
void testdev_run(void);

#endif
