/*
 * Exceptions at boot: any of the 32 architectural vectors is fatal and
 * becomes a crash report with the saved registers.
 */
#include <xen/lib.h>
#include <asm/regs.h>
#include <asm/traps.h>
#include <asm/x86-defs.h>

#define IDT_GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define X86_VEC_PF	   14
#define NR_EXCEPTIONS	   32

struct idt_gate {
	uint16_t offset0;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset1;
	uint32_t offset2;
	uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "idt_gate");

struct __packed idt_ptr {
	uint16_t limit;
	uint64_t base;
};

extern const uint64_t exception_stubs[NR_EXCEPTIONS];
void do_early_exception(struct cpu_regs *regs) __noreturn;

static struct idt_gate idt[NR_EXCEPTIONS] __aligned(16);

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

void traps_init_early(void)
{
	struct idt_ptr ptr = { .limit = sizeof(idt) - 1,
			       .base = (uint64_t)(uintptr_t)idt };

	for (unsigned int v = 0; v < NR_EXCEPTIONS; v++) {
		uint64_t a = exception_stubs[v];

		idt[v] = (struct idt_gate){
			.offset0 = (uint16_t)a,
			.selector = GDT_SEL_CODE64,
			.type = IDT_GATE_INTERRUPT,
			.offset1 = (uint16_t)(a >> 16),
			.offset2 = (uint32_t)(a >> 32),
		};
	}
	__asm__ volatile("lidt %0" : : "m"(ptr));
}

static uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static void early_exception_panic(const struct cpu_regs *regs, const char *fmt,
				  ...) __noreturn __printf(2, 3);

static void early_exception_panic(const struct cpu_regs *regs, const char *fmt,
				  ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic_regs(regs, NULL, fmt, ap);
}

void do_early_exception(struct cpu_regs *regs)
{
	unsigned int v = (unsigned int)regs->vector;
	const char *name = exception_names[v] ? exception_names[v] : "reserved";

	if (v == X86_VEC_PF)
		early_exception_panic(regs,
				      "fatal exception %u (%s), error %#llx, "
				      "address %#llx",
				      v, name,
				      (unsigned long long)regs->error_code,
				      (unsigned long long)read_cr2());
	early_exception_panic(regs, "fatal exception %u (%s), error %#llx", v,
			      name, (unsigned long long)regs->error_code);
}
