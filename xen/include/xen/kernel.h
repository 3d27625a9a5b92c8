/* The hypervisor's life cycle: banner, self-tests, halt. */
#ifndef XEN_KERNEL_H
#define XEN_KERNEL_H

#include <xen/types.h>

/*
 * Print "Citadel <version>" and the build's configuration, once: a crash
 * report before the normal banner prints it too.
 */
void kernel_banner(void);

/* Check library code as compiled for the hypervisor (CONFIG_SELFTEST). */
void kernel_selftest(void);

/*
 * Boot is over. With nothing to run yet, the CPUs idle (answering debug
 * keys); under the test device the machine halts and QEMU exits.
 */
void kernel_boot_done(void) __noreturn;

/* Boot is over and there are domains: schedule them, for good. */
void kernel_run(void) __noreturn;

/*
 * A vCPU stopped running because its domain stopped: act for a control
 * domain that is gone (halt, reboot, report a crash).
 */
void kernel_domains_changed(void);

/*
 * The test device (CONFIG_TEST_EXIT): leave QEMU with a status, and do
 * what the test= option asked for. Stubs when the option is off.
 */
#define TESTDEV_HALTED		0x10 /* QEMU exits with status 33 */
#define TESTDEV_PANIC		0x11 /* QEMU exits with status 35 */
#define TESTDEV_CONTROL_CRASHED 0x12 /* status 37 */
void testdev_exit(unsigned int code);
void testdev_run(void);
/* test=iommu (xen/arch/x86/testdev-iommu.c). */
void testdev_iommu(void);
/* Test-only hypercall (__HYPERVISOR_arch_7); -ENOSYS without the device. */
long testdev_hypercall(uint64_t cmd, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5);
/* Whether boot should end by leaving QEMU (not with test=idle). */
bool testdev_exit_after_boot(void);
/* A CPU halts (interrupts off) and is back (testdev_hypercall 5). */
void testdev_idle_enter(void);
void testdev_idle_exit(void);

#endif
