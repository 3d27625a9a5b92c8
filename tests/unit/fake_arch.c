/* The fake arch layer (see fake_arch.h). */
#include <stdlib.h>
#include <string.h>

#include <xen/arch.h>
#include <xen/serial.h>
#include <xen/softirq.h>
#include <xen/timer.h>

#include "fake_arch.h"

uint8_t *fake_mem;
char fake_serial_out[FAKE_SERIAL_MAX];
size_t fake_serial_len;
uint16_t fake_serial_port;
uint32_t fake_serial_baud;
bool fake_serial_absent;
unsigned int fake_serial_room = 16;
unsigned long fake_serial_polls;
s_time_t fake_now;
static void (*fake_softirq_fn[NR_SOFTIRQS])(void);
static unsigned int fake_softirq_raised;
static struct timer *fake_timer;

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
	fake_serial_room = 16;
	fake_serial_polls = 0;
}

bool serial_init(uint16_t port, uint32_t baud)
{
	fake_serial_port = port;
	fake_serial_baud = baud;
	return !fake_serial_absent;
}

unsigned int serial_tx_room(uint16_t port)
{
	(void)port;
	fake_serial_polls++;
	return fake_serial_room;
}

void serial_tx_byte(uint16_t port, char c)
{
	(void)port;
	if (fake_serial_len + 1 < sizeof(fake_serial_out)) {
		fake_serial_out[fake_serial_len++] = c;
		fake_serial_out[fake_serial_len] = '\0';
	}
}

s_time_t NOW(void)
{
	return fake_now;
}

void open_softirq(enum softirq nr, void (*fn)(void))
{
	fake_softirq_fn[nr] = fn;
}

void raise_softirq(enum softirq nr)
{
	fake_softirq_raised |= 1u << nr;
}

bool fake_softirq_is_raised(enum softirq nr)
{
	return fake_softirq_raised & (1u << nr);
}

void fake_softirq_run(void)
{
	for (unsigned int nr = 0; nr < NR_SOFTIRQS; nr++) {
		if (!(fake_softirq_raised & (1u << nr)))
			continue;
		fake_softirq_raised &= ~(1u << nr);
		if (fake_softirq_fn[nr])
			fake_softirq_fn[nr]();
	}
}

void timer_init(struct timer *t, void (*fn)(void *), void *data,
		unsigned int cpu)
{
	*t = (struct timer){ .fn = fn, .data = data, .cpu = cpu };
}

void timer_set(struct timer *t, s_time_t expires)
{
	t->expires = expires;
	t->heap_pos = 1;
	fake_timer = t;
}

bool timer_active(const struct timer *t)
{
	return t->heap_pos != 0;
}

struct timer *fake_timer_armed(void)
{
	return fake_timer && fake_timer->heap_pos ? fake_timer : NULL;
}

bool fake_timer_run(void)
{
	struct timer *t = fake_timer_armed();

	if (!t)
		return false;
	t->heap_pos = 0;
	if (fake_now < t->expires)
		fake_now = t->expires;
	t->fn(t->data);
	return true;
}
