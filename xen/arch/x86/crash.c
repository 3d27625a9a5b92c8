/* The x86 part of a crash report: registers and a symbolised stack trace. */
#include <xen/arch.h>
#include <xen/lib.h>
#include <xen/symbols.h>
#include <asm/layout.h>
#include <asm/percpu.h>
#include <asm/regs.h>

#define STACK_TRACE_MAX 32

void x86_capture_regs(struct cpu_regs *regs);

#define read_cr(n)                                                 \
	({                                                         \
		uint64_t v_;                                       \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v_)); \
		v_;                                                \
	})

static void crash_show_gprs(const struct cpu_regs *r)
{
	log_always("rax: %016llx  rbx: %016llx  rcx: %016llx\n",
		   (unsigned long long)r->rax, (unsigned long long)r->rbx,
		   (unsigned long long)r->rcx);
	log_always("rdx: %016llx  rsi: %016llx  rdi: %016llx\n",
		   (unsigned long long)r->rdx, (unsigned long long)r->rsi,
		   (unsigned long long)r->rdi);
	log_always("rbp: %016llx  rsp: %016llx  r8:  %016llx\n",
		   (unsigned long long)r->rbp, (unsigned long long)r->rsp,
		   (unsigned long long)r->r8);
	log_always("r9:  %016llx  r10: %016llx  r11: %016llx\n",
		   (unsigned long long)r->r9, (unsigned long long)r->r10,
		   (unsigned long long)r->r11);
	log_always("r12: %016llx  r13: %016llx  r14: %016llx\n",
		   (unsigned long long)r->r12, (unsigned long long)r->r13,
		   (unsigned long long)r->r14);
	log_always("r15: %016llx  cs: %04llx  ss: %04llx\n",
		   (unsigned long long)r->r15, (unsigned long long)r->cs,
		   (unsigned long long)r->ss);
	log_always(
	    "cr0: %016llx  cr2: %016llx  cr3: %016llx  cr4: %016llx\n",
	    (unsigned long long)read_cr(0), (unsigned long long)read_cr(2),
	    (unsigned long long)read_cr(3), (unsigned long long)read_cr(4));
}

/*
 * The stack rsp is on: one page of a CPU's slot for an IST stack, the
 * main stack at the top of the slot, or the boot stack (STACK_SIZE
 * aligned). Empty (lo == hi) for a guard page or anything else.
 */
static void crash_stack_bounds(uint64_t rsp, uint64_t *lo, uint64_t *hi)
{
	uint64_t off = rsp - STACKS_VIRT_START, slot, page;

	*lo = *hi = 0;
	if (rsp < STACKS_VIRT_START ||
	    off >= (uint64_t)CONFIG_NR_CPUS * STACKS_SLOT_SIZE) {
		*lo = rsp & ~(uint64_t)(STACK_SIZE - 1);
		*hi = rsp >= XEN_VIRT_START &&
			      rsp < XEN_VIRT_START + XEN_IMAGE_MAX
			  ? *lo + STACK_SIZE
			  : *lo;
		return;
	}
	slot = rsp - off % STACKS_SLOT_SIZE;
	page = (off % STACKS_SLOT_SIZE) / PAGE_SIZE;
	if (page >= STACK_PAGE_MAIN) {
		*lo = slot + STACK_PAGE_MAIN * PAGE_SIZE;
		*hi = slot + STACKS_SLOT_SIZE;
	} else if (page == STACK_PAGE_NMI || page == STACK_PAGE_DF ||
		   page == STACK_PAGE_MC) {
		*lo = slot + page * PAGE_SIZE;
		*hi = *lo + PAGE_SIZE;
	}
}

/*
 * Follow the frame pointer chain (the hypervisor keeps frame pointers),
 * staying inside the stack that rsp is on, so that a corrupt chain or a
 * fault on a guard page cannot fault again here.
 */
static void crash_show_trace(const struct cpu_regs *r)
{
	uint64_t lo, hi, fp = r->rbp;
	char line[160];

	crash_stack_bounds(r->rsp, &lo, &hi);

	log_always("Call trace:\n");
	symbols_format(line, sizeof(line), r->rip,
		       r->vector == CPU_REGS_NO_VECTOR);
	log_always("  [<%s>]\n", line);
	for (unsigned int depth = 0; depth < STACK_TRACE_MAX; depth++) {
		const uint64_t *frame = (const uint64_t *)(uintptr_t)fp;

		if (fp < lo || fp > hi - 16 || (fp & 7))
			break;
		symbols_format(line, sizeof(line), frame[1], true);
		log_always("  [<%s>]\n", line);
		if (frame[0] <= fp)
			break;
		fp = frame[0];
	}
}

void arch_show_crash_regs(const struct cpu_regs *regs, const void *caller)
{
	struct cpu_regs now;
	char rip[160];

	if (!regs) {
		x86_capture_regs(&now);
		now.rip = (uint64_t)(uintptr_t)caller;
		/* The trace starts here and runs through panic(). */
		now.rbp = (uint64_t)(uintptr_t)__builtin_frame_address(0);
		regs = &now;
	}
	/* Captured registers hold a return address, an exception's do not. */
	symbols_format(rip, sizeof(rip), regs->rip,
		       regs->vector == CPU_REGS_NO_VECTOR);
	log_always("RIP: %s  RFLAGS: %016llx\n", rip,
		   (unsigned long long)regs->rflags);
	crash_show_gprs(regs);
	crash_show_trace(regs);
}
