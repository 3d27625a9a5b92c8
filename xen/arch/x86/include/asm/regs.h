/*
 * Registers as the exception entry code saves them: general registers
 * pushed by the stub, then vector and error code, then the CPU's frame.
 * entry.S builds exactly this layout.
 */
#ifndef ASM_REGS_H
#define ASM_REGS_H

#include <xen/types.h>
#include <asm/x86-defs.h>

/* The vector of registers captured outside any exception. */
#define CPU_REGS_NO_VECTOR (~0ull)

struct cpu_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

#endif
