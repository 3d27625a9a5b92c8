/*
 * Benchmark: a null hypercall (xen_version through the hypercall page)
 * against a bare syscall round trip to a ring-0 stub that returns at
 * once (the test device's), in the same run. Under QEMU's -icount
 * shift=0 the pvclock counts one nanosecond per instruction, so the same
 * figures are then instruction counts.
 */
#include <public/sched.h>
#include <public/version.h>
#include <stub/hypercall.h>
#include <stub/stub.h>
#include <stub/time.h>

#define ROUNDS		  20000
#define TESTDEV_HYPERCALL __HYPERVISOR_arch_7

static uint64_t bench_hypercall(void)
{
	uint64_t t0 = stub_now();

	for (int i = 0; i < ROUNDS; i++)
		hypercall2(__HYPERVISOR_xen_version, XENVER_version, 0);
	return stub_now() - t0;
}

static uint64_t bench_bare_syscall(void)
{
	uint64_t t0;

	if (hypercall2(TESTDEV_HYPERCALL, 1, 0) < 0)
		stub_panic("no test device: build with CONFIG_TEST_EXIT");
	t0 = stub_now();
	for (int i = 0; i < ROUNDS; i++) {
		long nr = 0;

		__asm__ volatile("syscall"
				 : "+a"(nr)
				 :
				 : "rcx", "r11", "memory");
	}
	t0 = stub_now() - t0;
	hypercall2(TESTDEV_HYPERCALL, 2, 0);
	return t0;
}

int app_main(const char *cmdline)
{
	uint64_t hyp, bare;

	bench_hypercall(); /* warm up */
	hyp = bench_hypercall();
	bare = bench_bare_syscall();
	printf("bench: null hypercall %llu ns, bare syscall %llu ns, ratio "
	       "%llu.%02llu\n",
	       (unsigned long long)(hyp / ROUNDS),
	       (unsigned long long)(bare / ROUNDS),
	       (unsigned long long)(hyp / bare),
	       (unsigned long long)(hyp * 100 / bare % 100));
	return SHUTDOWN_poweroff;
}
