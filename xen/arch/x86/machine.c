/* Registers in crash reports, halt and reboot. */
#include <xen/arch.h>
#include <xen/lib.h>
#include <asm/io.h>
#include <asm/regs.h>

void x86_capture_regs(struct cpu_regs *regs);

#define read_cr(n)                                                 \
	({                                                         \
		uint64_t v_;                                       \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v_)); \
		v_;                                                \
	})

static void x86_show_regs(const struct cpu_regs *r)
{
	log_always("RIP: %04llx:%016llx  RFLAGS: %016llx\n",
		   (unsigned long long)r->cs, (unsigned long long)r->rip,
		   (unsigned long long)r->rflags);
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
	log_always("r15: %016llx  ss: %04llx\n", (unsigned long long)r->r15,
		   (unsigned long long)r->ss);
	log_always(
	    "cr0: %016llx  cr2: %016llx  cr3: %016llx  cr4: %016llx\n",
	    (unsigned long long)read_cr(0), (unsigned long long)read_cr(2),
	    (unsigned long long)read_cr(3), (unsigned long long)read_cr(4));
}

void arch_show_crash_regs(const struct cpu_regs *regs, const void *caller)
{
	struct cpu_regs now;

	if (!regs) {
		x86_capture_regs(&now);
		now.rip = (uint64_t)(uintptr_t)caller;
		regs = &now;
	}
	x86_show_regs(regs);
}

void arch_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/*
 * The chipset reset register first (PC-compatible and q35), then the
 * keyboard controller, then a triple fault, which resets any PC.
 */
void arch_reboot(void)
{
	static const struct __packed {
		uint16_t limit;
		uint64_t base;
	} no_idt = { 0, 0 };

	outb(0xcf9, 0x02);
	outb(0xcf9, 0x06);
	for (unsigned int i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
		;
	outb(0x64, 0xfe);
	__asm__ volatile("lidt %0; int3" : : "m"(no_idt));
	arch_halt();
}
