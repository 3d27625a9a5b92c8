/* The fake arch layer (see fake_arch.h). */
#include <stdlib.h>
#include <string.h>

#include <xen/arch.h>
#include <xen/serial.h>

#include "fake_arch.h"

uint8_t *fake_mem;
char fake_serial_out[16384];
size_t fake_serial_len;
uint16_t fake_serial_port;
uint32_t fake_serial_baud;
bool fake_serial_absent;

/*
 * A fresh heap block each time, so AddressSanitizer catches a parser
 * that reads past what arch_phys_map() allowed.
 */
void fake_mem_reset(void)
{
	free(fake_mem);
	fake_mem = calloc(1, FAKE_MEM_SIZE);
}

void *fake_mem_at(uint64_t pa)
{
	return fake_mem + (pa - FAKE_MEM_BASE);
}

const void *arch_phys_map(paddr_t pa, size_t len)
{
	uint64_t a = paddr_x(pa);

	if (a < FAKE_MEM_BASE || a - FAKE_MEM_BASE > FAKE_MEM_SIZE ||
	    len > FAKE_MEM_SIZE - (a - FAKE_MEM_BASE))
		return NULL;
	return fake_mem_at(a);
}

unsigned long arch_irq_save(void)
{
	return 0;
}

void arch_irq_restore(unsigned long flags)
{
	(void)flags;
}

void fake_serial_reset(void)
{
	fake_serial_len = 0;
	fake_serial_out[0] = '\0';
	fake_serial_port = 0;
	fake_serial_baud = 0;
	fake_serial_absent = false;
}

bool serial_init(uint16_t port, uint32_t baud)
{
	fake_serial_port = port;
	fake_serial_baud = baud;
	return !fake_serial_absent;
}

void serial_putc(uint16_t port, char c)
{
	(void)port;
	if (fake_serial_len + 1 < sizeof(fake_serial_out)) {
		fake_serial_out[fake_serial_len++] = c;
		fake_serial_out[fake_serial_len] = '\0';
	}
}
