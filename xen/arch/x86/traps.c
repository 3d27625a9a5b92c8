/*
 * Where every interrupt and exception lands. An exception in the
 * hypervisor is fatal: it becomes a crash report, except for a page fault
 * in a copy to or from a domain's memory (pv/copy-guest.S), which ends
 * that copy with an error.
 */
#include <xen/lib.h>
#include <asm/guest_access.h>
#include <asm/irq.h>
#include <asm/pv.h>
#include <asm/regs.h>
#include <asm/traps.h>

#define X86_VEC_PF    14
#define NR_EXCEPTIONS 32

void x86_dispatch(struct cpu_regs *regs);

static const char *const exception_names[NR_EXCEPTIONS] = {
	"divide error",
	"debug",
	"NMI",
	"breakpoint",
	"overflow",
	"bound range",
	"invalid opcode",
	"device not available",
	"double fault",
	"coprocessor overrun",
	"invalid TSS",
	"segment not present",
	"stack fault",
	"general protection",
	"page fault",
	"reserved",
	"x87 FPU error",
	"alignment check",
	"machine check",
	"SIMD error",
	"virtualisation",
	"control protection",
	[28] = "hypervisor injection",
	"VMM communication",
	"security",
};

static uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static void exception_panic(const struct cpu_regs *regs, const char *fmt,
			    ...) __noreturn __printf(2, 3);

static void exception_panic(const struct cpu_regs *regs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic_regs(regs, NULL, fmt, ap);
}

static void __noreturn do_exception(struct cpu_regs *regs)
{
	unsigned int v = (unsigned int)regs->vector;
	const char *name = exception_names[v] ? exception_names[v] : "reserved";

	if (v == X86_VEC_PF)
		exception_panic(regs,
				"fatal exception %u (%s), error %#llx, "
				"address %#llx",
				v, name, (unsigned long long)regs->error_code,
				(unsigned long long)read_cr2());
	exception_panic(regs, "fatal exception %u (%s), error %#llx", v, name,
			(unsigned long long)regs->error_code);
}

/*
 * A page fault on a domain's address inside x86_copy_guest: the domain's
 * pointer was bad, not the hypervisor. Resume at the copy's fixup. A
 * fault on the hypervisor's side of the copy stays fatal.
 */
static bool copy_guest_fixup(struct cpu_regs *regs)
{
	if (regs->vector != X86_VEC_PF ||
	    regs->rip < (uint64_t)(uintptr_t)x86_copy_guest_start ||
	    regs->rip >= (uint64_t)(uintptr_t)x86_copy_guest_end ||
	    read_cr2() >= GUEST_VA_END)
		return false;
	regs->rip = (uint64_t)(uintptr_t)x86_copy_guest_fixup;
	return true;
}

/* From ring 3 (a PV domain) or ring 0 (the hypervisor). */
static bool from_guest(const struct cpu_regs *regs)
{
	return regs->cs & 3;
}

void x86_dispatch(struct cpu_regs *regs)
{
	if (regs->vector == SYSCALL_VECTOR) {
		local_irq_enable();
		pv_hypercall(regs);
	} else if (regs->vector < NR_EXCEPTIONS) {
		if (from_guest(regs))
			pv_guest_exception(regs);
		else if (!copy_guest_fixup(regs))
			do_exception(regs);
		return;
	} else {
		irq_dispatch(regs);
	}
	if (from_guest(regs))
		pv_exit_to_guest(regs);
}
