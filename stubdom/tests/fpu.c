/*
 * Each vCPU keeps its own SSE registers: vCPUs 0 and 1 share one CPU,
 * each loads its own pattern into xmm0 and checks it after every yield
 * (a switch to the other). Prints "fpu: N passed, M failed".
 */
#include <public/sched.h>
#include <public/vcpu.h>
#include <stub/hypercall.h>
#include <stub/stub.h>

#define ROUNDS 200

static unsigned int passed, failed;
static volatile unsigned int done1, bad1;
static unsigned char stack1[8192] __attribute__((aligned(16)));
static struct vcpu_guest_context ctx;

/* The compiler keeps out of SSE registers here (-mgeneral-regs-only). */
static void xmm0_set(uint64_t v)
{
	__asm__ volatile("movq %0, %%xmm0" : : "r"(v));
}

static uint64_t xmm0_get(void)
{
	uint64_t v;

	__asm__ volatile("movq %%xmm0, %0" : "=r"(v));
	return v;
}

static void yield(void)
{
	hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0);
}

static void __attribute__((noreturn)) second(unsigned long unused)
{
	xmm0_set(0xbbbbbbbbbbbbbbbbull);
	for (int i = 0; i < ROUNDS; i++) {
		yield();
		if (xmm0_get() != 0xbbbbbbbbbbbbbbbbull)
			bad1++;
	}
	done1 = 1;
	hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_down, 1, 0);
	for (;;)
		;
}

int app_main(const char *cmdline)
{
	unsigned int bad0 = 0;

	ctx.user_regs.rip = (unsigned long)second;
	ctx.user_regs.rsp = (unsigned long)&stack1[sizeof(stack1) - 8];
	ctx.user_regs.rflags = 0x202;
	xmm0_set(0xaaaaaaaaaaaaaaaaull);
	if (hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_initialise, 1,
		       (long)&ctx) ||
	    hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_up, 1, 0))
		stub_panic("cannot start vCPU 1");
	for (int i = 0; i < ROUNDS || !done1; i++) {
		yield();
		if (xmm0_get() != 0xaaaaaaaaaaaaaaaaull)
			bad0++;
	}
	if (bad0 == 0 && bad1 == 0)
		passed++;
	else
		failed++;
	printf("xmm0 lost %u times on vCPU 0, %u on vCPU 1\n", bad0, bad1);
	printf("fpu: %u passed, %u failed\n", passed, failed);
	return SHUTDOWN_poweroff;
}
