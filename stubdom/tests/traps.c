/*
 * Exceptions reach the domain's own handlers: a page fault with its
 * address (the handler maps a page there and the access is retried), an
 * invalid opcode (the handler skips it), and a handler's return through
 * the iret hypercall with registers intact.
 * Prints "traps: N passed, M failed" and powers off.
 */
#include <public/sched.h>
#include <stub/hypercall.h>
#include <stub/stub.h>
#include <stub/traps.h>

#define FAULT_VA 0x30000000ul

static unsigned int passed, failed;
static uint64_t pf_address, pf_error, ud_rip;
static unsigned int pf_count, ud_count;

static void check(const char *what, long got, long want)
{
	if (got == want) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL %s: got %#lx, expected %#lx\n", what, got, want);
}

/* A frame of ours nobody uses: the first free page after the boot area. */
static unsigned long spare_mfn(void)
{
	unsigned long *p2m = (unsigned long *)start_info->mfn_list;
	unsigned long pfn = (start_info->pt_base - 0x400000) >> 12;

	return p2m[pfn + start_info->nr_pt_frames];
}

static int on_page_fault(struct stub_regs *regs)
{
	pf_count++;
	pf_address = stub_fault_address();
	pf_error = regs->error_code;
	if (pf_address != FAULT_VA)
		return 0;
	return hypercall3(__HYPERVISOR_update_va_mapping, FAULT_VA,
			  (long)(spare_mfn() << 12) | 0x3, UVMF_INVLPG) == 0;
}

static int on_invalid_op(struct stub_regs *regs)
{
	ud_count++;
	ud_rip = regs->rip;
	regs->rip += 2; /* ud2 */
	return 1;
}

int app_main(const char *cmdline)
{
	volatile unsigned long *p = (volatile unsigned long *)FAULT_VA;
	unsigned long r12 = 0x1234567890abcdeful, after;

	stub_traps_init();
	stub_set_trap_handler(14, on_page_fault);
	stub_set_trap_handler(6, on_invalid_op);

	*p = 42; /* faults once; the handler maps the page */
	check("page faults", pf_count, 1);
	check("fault address", (long)pf_address, FAULT_VA);
	check("fault error (user write, not present)", (long)pf_error, 0x6);
	check("value after the retry", (long)*p, 42);

	__asm__ volatile("mov %1, %%r12\n\tud2\n\tmov %%r12, %0"
			 : "=r"(after)
			 : "r"(r12)
			 : "r12");
	check("invalid opcodes", ud_count, 1);
	check("registers survive the handler", (long)after, (long)r12);
	printf("traps: %u passed, %u failed\n", passed, failed);
	return SHUTDOWN_poweroff;
}
