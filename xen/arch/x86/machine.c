/* Halt and reboot. */
#include <xen/arch.h>
#include <xen/lib.h>
#include <asm/io.h>

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
