/* Exceptions and event upcalls in a small domain. */
#ifndef STUB_TRAPS_H
#define STUB_TRAPS_H

#include <stdint.h>

/* The registers at the exception, as traps.S saves them. */
struct stub_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

#define STUB_VECTOR_EVENT 256

/*
 * A handler returns nonzero when it dealt with the exception; the
 * domain then continues at regs->rip (which it may change).
 */
typedef int (*stub_trap_fn)(struct stub_regs *regs);

/* Install the trap table (divide error, #UD, #GP, #PF) and callbacks. */
void stub_traps_init(void);
void stub_set_trap_handler(unsigned int vector, stub_trap_fn fn);
/* The address of the last page fault (from vcpu_info). */
uint64_t stub_fault_address(void);

#endif
