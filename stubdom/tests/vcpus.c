/*
 * vCPUs brought up and down at run time: vCPU 0 starts every other vCPU
 * the domain may have (VCPUOP_initialise, then up); each says hello,
 * counts itself in and takes itself down. Bad requests get errors.
 * Then vCPU 1 comes up again to read through a mapping that vCPU 0
 * changes under it: it must see the new frame, on whatever CPU it runs,
 * and again after it went down and its CPU idled with our page tables.
 * Prints "vcpus: N passed, M failed" and powers off.
 */
#include <public/errno.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <stub/hypercall.h>
#include <stub/check.h>
#include <stub/stub.h>

#define MAX_VCPUS  32
#define STACK_SIZE 4096
#define SPARE_VA   0x20000000l
#define PTE_P	   0x1l
#define PTE_RW	   0x2l

static volatile unsigned int arrived, seen[MAX_VCPUS];
static unsigned char stacks[MAX_VCPUS][STACK_SIZE] __attribute__((aligned(16)));
static struct vcpu_guest_context ctx;
static void (*volatile task)(void); /* for vCPU 1 when up again */

static long vcpu_op(unsigned int cmd, long id, void *arg)
{
	return hypercall3(__HYPERVISOR_vcpu_op, cmd, id, (long)arg);
}

static void __attribute__((noreturn)) secondary(unsigned long id)
{
	seen[id]++;
	__atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		vcpu_op(VCPUOP_down, (long)id, NULL);
		/* Brought up again: there is work. */
		if (task)
			task();
		task = NULL;
	}
}

static volatile unsigned int frame_a[1024] __attribute__((aligned(4096)));
static volatile unsigned int frame_b[1024] __attribute__((aligned(4096)));
static volatile unsigned int reads, remapped, seen_after;

static long map_spare(volatile unsigned int *frame)
{
	unsigned long *p2m = (unsigned long *)start_info->mfn_list;
	unsigned long mfn = p2m[((unsigned long)frame - 0x400000) >> 12];

	return hypercall3(__HYPERVISOR_update_va_mapping, SPARE_VA,
			  (long)(mfn << 12 | PTE_P | PTE_RW), UVMF_INVLPG);
}

/* vCPU 1: keep the translation hot until vCPU 0 has changed it. */
static void tlb_reader(void)
{
	volatile unsigned int *spare = (volatile unsigned int *)SPARE_VA;

	while (!remapped)
		if (*spare == 0xaaaa)
			reads++;
	seen_after = *spare;
}

static void test_remote_flush(void)
{
	frame_a[0] = 0xaaaa;
	frame_b[0] = 0xbbbb;
	stub_check("map frame A", map_spare(frame_a), 0);
	task = tlb_reader;
	stub_check("vCPU 1 up again", vcpu_op(VCPUOP_up, 1, NULL), 0);
	for (unsigned long spins = 0; reads < 100000 && spins < 500000000;
	     spins++)
		;
	stub_check("vCPU 1 reads frame A", reads >= 100000, 1);
	stub_check("map frame B", map_spare(frame_b), 0);
	remapped = 1;
	while (task)
		hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0);
	stub_check("vCPU 1 sees frame B", seen_after, 0xbbbb);
}

/* vCPU 1: one read through the spare mapping. */
static void spare_reader(void)
{
	seen_after = *(volatile unsigned int *)SPARE_VA;
}

/*
 * vCPU 1 reads through the spare mapping and goes down, which leaves its
 * CPU idle with our page tables in CR3 and the translation in its TLB.
 * vCPU 0 points the mapping at the other frame; vCPU 1 runs again (on
 * that CPU, as a rule) and must read the new frame, not the stale one.
 */
static void test_idle_flush(void)
{
	unsigned int right = 0;

	for (unsigned int i = 0; i < 8; i++) {
		volatile unsigned int *frame = i & 1 ? frame_b : frame_a;

		if (map_spare(frame) != 0)
			break;
		seen_after = 0;
		task = spare_reader;
		if (vcpu_op(VCPUOP_up, 1, NULL) != 0)
			break;
		while (task || vcpu_op(VCPUOP_is_up, 1, NULL))
			hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0);
		right += seen_after == frame[0];
	}
	stub_check("vCPU 1 reads the new frame after idling", right, 8);
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

	stub_check("vCPU 0 is up", vcpu_op(VCPUOP_is_up, 0, NULL), 1);
	stub_check("up without a context", vcpu_op(VCPUOP_up, 1, NULL),
		   n > 1 ? -XEN_EINVAL : -XEN_ENOENT);
	stub_check("initialise, bad pointer",
		   vcpu_op(VCPUOP_initialise, 1, (void *)0x10),
		   n > 1 ? -XEN_EFAULT : -XEN_ENOENT);
	stub_check("beyond max_vcpus", vcpu_op(VCPUOP_up, MAX_VCPUS + 5, NULL),
		   -XEN_ENOENT);
	stub_check("unknown op", vcpu_op(99, 0, NULL), -XEN_ENOSYS);
	for (unsigned int id = 1; id < n; id++)
		stub_check("start", start_vcpu(id), 0);
	wait_for(n - 1);
	for (unsigned int id = 1; id < n; id++)
		up += seen[id] == 1;
	stub_check("every vCPU ran once", up, n - 1);
	stub_check("initialise twice",
		   n > 1 ? vcpu_op(VCPUOP_initialise, 1, &ctx) : -XEN_EEXIST,
		   -XEN_EEXIST);
	for (unsigned int id = 1; id < n; id++) /* they took themselves down */
		while (vcpu_op(VCPUOP_is_up, id, NULL))
			hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0);
	if (n > 1) {
		test_remote_flush();
		test_idle_flush();
	}
	printf("%u vCPUs came up and went down\n", up);
	stub_check_report("vcpus");
	return SHUTDOWN_poweroff;
}
