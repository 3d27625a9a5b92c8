/*
 * Test device (CONFIG_TEST_EXIT): a bare ring-0 syscall target, the
 * benchmarks' baseline for a hypercall. It returns at once, except for
 * the hypercall that switches it off again, which takes the full path.
 */
#include <asm/x86-defs.h>

#define TESTDEV_HYPERCALL 55 /* __HYPERVISOR_arch_7 */

	.text
	.globl testdev_bare_syscall
testdev_bare_syscall:
	cmp	$TESTDEV_HYPERCALL, %eax
	je	x86_syscall_entry
	sysretq
