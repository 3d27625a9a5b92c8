/*
 * Hypercalls through the hypercall page: entry nr is at hypercall_page +
 * 32 * nr; arguments in rdi rsi rdx r10 r8, the result in rax. The page's
 * stubs keep rcx and r11, the hypervisor every other register.
 */
#ifndef STUB_HYPERCALL_H
#define STUB_HYPERCALL_H

#include <public/xen.h>

extern char hypercall_page[];

#define STUB_STR_(x) #x
#define STUB_STR(x)  STUB_STR_(x)

static inline long hypercall5(unsigned int nr, long a1, long a2, long a3,
			      long a4, long a5)
{
	register long r1 __asm__("rdi") = a1;
	register long r2 __asm__("rsi") = a2;
	register long r3 __asm__("rdx") = a3;
	register long r4 __asm__("r10") = a4;
	register long r5 __asm__("r8") = a5;
	long ret;

	__asm__ volatile("call *%[fn]"
			 : "=a"(ret), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4),
			   "+r"(r5)
			 : [fn] "r"(hypercall_page + nr * 32)
			 : "memory");
	return ret;
}

static inline long hypercall2(unsigned int nr, long a1, long a2)
{
	return hypercall5(nr, a1, a2, 0, 0, 0);
}

static inline long hypercall3(unsigned int nr, long a1, long a2, long a3)
{
	return hypercall5(nr, a1, a2, a3, 0, 0);
}

#endif
