/*
 * vCPUs brought up and down at run time: vCPU 0 starts every other vCPU
 * the domain may have (VCPUOP_initialise, then up); each says hello,
 * counts itself in and takes itself down. Bad requests get errors.
 * Prints "vcpus: N passed, M failed" and powers off.
 */
#include <public/errno.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <stub/hypercall.h>
#include <stub/stub.h>

#define MAX_VCPUS  32
#define STACK_SIZE 4096

static unsigned int passed, failed;
static volatile unsigned int arrived, seen[MAX_VCPUS];
static unsigned char stacks[MAX_VCPUS][STACK_SIZE] __attribute__((aligned(16)));
static struct vcpu_guest_context ctx;

static void check(const char *what, long got, long want)
{
	if (got == want) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL %s: got %ld, expected %ld\n", what, got, want);
}

static long vcpu_op(unsigned int cmd, long id, void *arg)
{
	return hypercall3(__HYPERVISOR_vcpu_op, cmd, id, (long)arg);
}

static void __attribute__((noreturn)) secondary(unsigned long id)
{
	seen[id]++;
	__atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
	vcpu_op(VCPUOP_down, (long)id, NULL);
	for (;;) /* only if brought up again without a new context */
		hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0);
}

static long start_vcpu(unsigned int id)
{
	long rc;

	ctx.user_regs.rip = (unsigned long)secondary;
	ctx.user_regs.rsp = (unsigned long)&stacks[id][STACK_SIZE - 8];
	ctx.user_regs.rdi = id;
	ctx.user_regs.rflags = 0x202;
	rc = vcpu_op(VCPUOP_initialise, id, &ctx);
	return rc ? rc : vcpu_op(VCPUOP_up, id, NULL);
}

/* Give the others time to run: yield until they are all counted. */
static void wait_for(unsigned int n)
{
	for (unsigned long spins = 0; arrived < n && spins < 50000000; spins++)
		hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0);
}

static unsigned int count_vcpus(void)
{
	unsigned int n = 1;

	while (n < MAX_VCPUS &&
	       vcpu_op(VCPUOP_initialise, n, (void *)0x10) != -XEN_ENOENT)
		n++;
	return n;
}

int app_main(const char *cmdline)
{
	unsigned int n = count_vcpus(), up = 0;

	check("vCPU 0 is up", vcpu_op(VCPUOP_is_up, 0, NULL), 1);
	check("up without a context", vcpu_op(VCPUOP_up, 1, NULL),
	      n > 1 ? -XEN_EINVAL : -XEN_ENOENT);
	check("initialise, bad pointer",
	      vcpu_op(VCPUOP_initialise, 1, (void *)0x10),
	      n > 1 ? -XEN_EFAULT : -XEN_ENOENT);
	check("beyond max_vcpus", vcpu_op(VCPUOP_up, MAX_VCPUS + 5, NULL),
	      -XEN_ENOENT);
	check("unknown op", vcpu_op(99, 0, NULL), -XEN_ENOSYS);
	for (unsigned int id = 1; id < n; id++)
		check("start", start_vcpu(id), 0);
	wait_for(n - 1);
	for (unsigned int id = 1; id < n; id++)
		up += seen[id] == 1;
	check("every vCPU ran once", up, n - 1);
	check("initialise twice",
	      n > 1 ? vcpu_op(VCPUOP_initialise, 1, &ctx) : -XEN_EEXIST,
	      -XEN_EEXIST);
	for (unsigned int id = 1; id < n; id++) /* they took themselves down */
		while (vcpu_op(VCPUOP_is_up, id, NULL))
			hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0);
	printf("%u vCPUs came up and went down\n", up);
	printf("vcpus: %u passed, %u failed\n", passed, failed);
	return SHUTDOWN_poweroff;
}
