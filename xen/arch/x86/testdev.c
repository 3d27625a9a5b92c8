/*
 * The test device (CONFIG_TEST_EXIT, testing only): QEMU's isa-debug-exit
 * ends the run with status (code << 1) | 1, and test= provokes failures
 * that a test needs to see reported.
 */
#include <xen/errno.h>
#include <xen/kernel.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/param.h>
#include <xen/smp.h>
#include <xen/spinlock.h>
#include <xen/time.h>
#include <xen/string.h>
#include <asm/io.h>
#include <asm/irq.h>
#include <asm/msr.h>

enum testdev_action {
	TEST_NONE,
	TEST_PANIC,
	TEST_PAGE_FAULT,
	TEST_INVALID_OPCODE,
	TEST_ASSERT,
	TEST_IDLE,
	TEST_WRITE_TEXT,
	TEST_EXEC_DATA,
	TEST_STACK_OVERFLOW,
	TEST_IOMMU,
};

static enum testdev_action testdev_action;

static int testdev_parse(const char *v)
{
	static const char *const names[] = {
		[TEST_PANIC] = "panic",
		[TEST_PAGE_FAULT] = "pagefault",
		[TEST_INVALID_OPCODE] = "ud",
		[TEST_ASSERT] = "assert",
		[TEST_IDLE] = "idle",
		[TEST_WRITE_TEXT] = "writetext",
		[TEST_EXEC_DATA] = "execdata",
		[TEST_STACK_OVERFLOW] = "stackoverflow",
		[TEST_IOMMU] = "iommu",
	};

	for (unsigned int i = TEST_PANIC; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(v, names[i])) {
			testdev_action = (enum testdev_action)i;
			return 0;
		}
	}
	return -EINVAL;
}
CUSTOM_PARAM("test", testdev_parse);

static void testdev_nothing(void *unused)
{
}

static long testdev_ipi_round_trip(uint64_t n)
{
	unsigned int self = smp_processor_id(), target = self ? 0 : 1;
	s_time_t t0;

	if (!cpu_online(target) || n == 0 || n > 1000000)
		return -EINVAL;
	t0 = NOW();
	for (uint64_t i = 0; i < n; i++)
		on_cpu(target, testdev_nothing, NULL);
	return (long)((NOW() - t0) / n);
}

/* The baseline of the grant copy benchmark: n page copies, ns each. */
static long testdev_memcpy(uint64_t n)
{
	void *a = alloc_xen_page(), *b = alloc_xen_page();
	s_time_t t0;
	long rc = -ENOMEM;

	if (a && b && n && n <= 1000000) {
		t0 = NOW();
		for (uint64_t i = 0; i < n; i++) {
			memcpy(i & 1 ? a : b, i & 1 ? b : a, PAGE_SIZE);
			__asm__ volatile("" : : : "memory");
		}
		rc = (long)((NOW() - t0) / (s_time_t)n);
	} else if (a && b) {
		rc = -EINVAL;
	}
	if (a)
		free_xen_page(a);
	if (b)
		free_xen_page(b);
	return rc;
}

/*
 * How long every online CPU has been halted at once, in all. Under
 * QEMU's -icount nothing executes then and the clock jumps to the next
 * event, so a benchmark's elapsed time less this is the instructions
 * every CPU executed meanwhile (one a nanosecond at shift=0), not the
 * waits for the device emulation.
 */
static DEFINE_SPINLOCK(testdev_idle_lock);
static unsigned int testdev_halted;
static s_time_t testdev_all_since, testdev_all_total;

void testdev_idle_enter(void)
{
	spin_lock(&testdev_idle_lock);
	if (++testdev_halted == nr_cpus_online)
		testdev_all_since = NOW();
	spin_unlock(&testdev_idle_lock);
}

void testdev_idle_exit(void)
{
	unsigned long flags = local_irq_save();

	spin_lock(&testdev_idle_lock);
	if (testdev_halted-- == nr_cpus_online)
		testdev_all_total += NOW() - testdev_all_since;
	spin_unlock(&testdev_idle_lock);
	local_irq_restore(flags);
}

static long testdev_all_halted(void)
{
	long ns;

	spin_lock(&testdev_idle_lock);
	ns = (long)testdev_all_total;
	spin_unlock(&testdev_idle_lock);
	return ns;
}

/*
 * __HYPERVISOR_arch_7 in test builds: 1 points this CPU's syscall entry
 * at the bare stub (for the benchmark's baseline), 2 puts it back, 3
 * times n IPI round trips (a function run on another CPU and waited for)
 * and returns the nanoseconds of one, 4 the same for a 4 KiB memcpy, 5
 * returns the nanoseconds every CPU has been halted at once.
 */
long testdev_hypercall(uint64_t cmd, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	extern const char testdev_bare_syscall[], x86_syscall_entry[];

	switch (cmd) {
	case 1:
		wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)testdev_bare_syscall);
		return 0;
	case 2:
		wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)x86_syscall_entry);
		return 0;
	case 3:
		return testdev_ipi_round_trip(a2);
	case 4:
		return testdev_memcpy(a2);
	case 5:
		return testdev_all_halted();
	default:
		return -EINVAL;
	}
}

void testdev_exit(unsigned int code)
{
	outl(CONFIG_TEST_EXIT_PORT, code);
}

/* An address in the lower half that the boot page tables leave unmapped. */
#define TESTDEV_UNMAPPED 0x0000700000000000ull

bool testdev_exit_after_boot(void)
{
	return testdev_action != TEST_IDLE;
}

/* W^X: text must not be writable, data not executable. */
static void testdev_write_text(void)
{
	*(volatile uint8_t *)(uintptr_t)testdev_run = 0xc3;
}

static void testdev_exec_data(void)
{
	static uint8_t ret_insn = 0xc3;

	((void (*)(void))(uintptr_t)&ret_insn)();
}

/* Recursion that never ends must hit the guard page, not other memory. */
static unsigned int testdev_recurse(unsigned int depth);
static unsigned int (*volatile testdev_recurse_ptr)(unsigned int) =
    testdev_recurse;

static unsigned int testdev_recurse(unsigned int depth)
{
	volatile char pad[256];

	pad[0] = (char)depth;
	return testdev_recurse_ptr(depth + 1) + pad[0];
}

void testdev_run(void)
{
	if (testdev_action != TEST_NONE)
		log_info("Test device: action %d\n", testdev_action);
	switch (testdev_action) {
	case TEST_NONE:
	case TEST_IDLE:
		break;
	case TEST_WRITE_TEXT:
		testdev_write_text();
		break;
	case TEST_EXEC_DATA:
		testdev_exec_data();
		break;
	case TEST_STACK_OVERFLOW:
		testdev_recurse(0);
		break;
	case TEST_PANIC:
		panic("test panic requested on the command line");
	case TEST_PAGE_FAULT:
		(void)*(volatile uint64_t *)(uintptr_t)TESTDEV_UNMAPPED;
		break;
	case TEST_INVALID_OPCODE:
		__asm__ volatile("ud2");
		break;
	case TEST_ASSERT:
		ASSERT(testdev_action != TEST_ASSERT);
		break;
	case TEST_IOMMU:
		testdev_iommu();
		break;
	}
}
