/* Console input: the UART's receive interrupt, through the IO-APIC. */
#include <xen/console.h>
#include <xen/keyhandler.h>
#include <xen/lib.h>
#include <xen/serial.h>
#include <asm/ioapic.h>
#include <asm/irq.h>
#include <asm/percpu.h>

static void serial_interrupt(struct cpu_regs *regs, void *data)
{
	char c;

	while (serial_getc(console_cfg.port, &c))
		if (!keyhandler_input(c))
			console_input_push(c);
}

/* COM1 and COM3 use ISA IRQ 4, COM2 and COM4 IRQ 3. */
void serial_input_init(void)
{
	unsigned int irq = (console_cfg.port & 0x100) ? 4 : 3;
	int vector;

	if (!console_cfg.enabled)
		return;
	vector = irq_vector_alloc(serial_interrupt, NULL);
	if (vector < 0 || ioapic_route_isa(irq, (unsigned int)vector,
					   this_cpu()->apic_id) < 0) {
		log_warn("console: no interrupt for serial input\n");
		return;
	}
	serial_rx_enable(console_cfg.port);
}
