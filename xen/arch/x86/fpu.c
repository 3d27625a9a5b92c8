/* vCPU FPU/SSE/AVX state with XSAVE where the CPU has it, FXSAVE else. */
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/sched.h>
#include <xen/string.h>
#include <asm/cpufeature.h>
#include <asm/fpu.h>

#define X86_CR4_OSFXSR	   (1ull << 9)
#define X86_CR4_OSXMMEXCPT (1ull << 10)
#define X86_CR4_OSXSAVE	   (1ull << 18)
#define XSTATE_X87	   (1ull << 0)
#define XSTATE_SSE	   (1ull << 1)
#define XSTATE_AVX	   (1ull << 2)
#define FXSAVE_FCW	   0
#define FXSAVE_MXCSR	   24
#define MXCSR_DEFAULT	   0x1f80
#define FCW_DEFAULT	   0x037f

static uint64_t xcr0; /* 0: FXSAVE only */
static unsigned int state_size = 512;

static void xsetbv(uint32_t reg, uint64_t v)
{
	__asm__ volatile("xsetbv"
			 :
			 : "c"(reg), "a"((uint32_t)v),
			   "d"((uint32_t)(v >> 32)));
}

void fpu_cpu_init(void)
{
	uint64_t cr4;
	uint32_t a, b, c, d;

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	if (cpu_has(X86_FEATURE_XSAVE))
		cr4 |= X86_CR4_OSXSAVE;
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
	if (!cpu_has(X86_FEATURE_XSAVE))
		return;
	cpuid_count(0xd, 0, &a, &b, &c, &d);
	xcr0 = XSTATE_X87 | XSTATE_SSE | (a & XSTATE_AVX);
	xsetbv(0, xcr0);
	cpuid_count(0xd, 0, &a, &b, &c, &d);
	state_size = b; /* for the features now enabled */
	if (state_size > PAGE_SIZE)
		panic("XSAVE area of %u bytes does not fit a page", state_size);
}

unsigned int fpu_state_size(void)
{
	return state_size;
}

/* The legacy area's control words; XSTATE_BV 0 means "initial" anyway. */
int fpu_vcpu_init(struct vcpu *v)
{
	uint8_t *area = alloc_xen_page();

	if (!area)
		return -ENOMEM;
	*(uint16_t *)(area + FXSAVE_FCW) = FCW_DEFAULT;
	*(uint32_t *)(area + FXSAVE_MXCSR) = MXCSR_DEFAULT;
	v->arch.fpu = area;
	return 0;
}

void fpu_vcpu_free(struct vcpu *v)
{
	if (v->arch.fpu)
		free_xen_page(v->arch.fpu);
	v->arch.fpu = NULL;
}

void fpu_save(struct vcpu *v)
{
	if (xcr0)
		__asm__ volatile("xsave64 (%0)"
				 :
				 : "r"(v->arch.fpu), "a"((uint32_t)xcr0),
				   "d"((uint32_t)(xcr0 >> 32))
				 : "memory");
	else
		__asm__ volatile("fxsave64 (%0)"
				 :
				 : "r"(v->arch.fpu)
				 : "memory");
}

void fpu_restore(struct vcpu *v)
{
	if (xcr0)
		__asm__ volatile("xrstor64 (%0)"
				 :
				 : "r"(v->arch.fpu), "a"((uint32_t)xcr0),
				   "d"((uint32_t)(xcr0 >> 32))
				 : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)"
				 :
				 : "r"(v->arch.fpu)
				 : "memory");
}
