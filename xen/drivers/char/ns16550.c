/*
 * A 16550-compatible UART, polled for output: the console must work with
 * IRQs off. Its transmit FIFO, when it has one, takes 16 bytes at a time.
 */
#include <xen/serial.h>
#include <asm/io.h>

#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1 /* interrupt enable (DLAB=0) */
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_IIR 2 /* interrupt identification (read) */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */
#define UART_SCR 7 /* scratch */

#define LCR_DLAB    0x80
#define LCR_8N1	    0x03
#define FCR_ENABLE  0x07 /* enable, clear receive and transmit FIFOs */
#define MCR_DTR_RTS 0x03
#define LSR_DR	    0x01
#define LSR_THRE    0x20
#define IER_RDA	    0x01
#define MCR_OUT2    0x08   /* gates the UART interrupt line */
#define IIR_FIFO    0xc0   /* both set: the FIFOs are on (a 16550A) */
#define UART_CLOCK  115200 /* 1.8432 MHz / 16 */
#define FIFO_DEPTH  16

static unsigned int ns16550_tx_depth = 1;

/* A UART keeps what is written to its scratch register; nothing else does. */
static bool ns16550_present(uint16_t port)
{
	outb(port + UART_SCR, 0x5a);
	if (inb(port + UART_SCR) != 0x5a)
		return false;
	outb(port + UART_SCR, 0xa5);
	return inb(port + UART_SCR) == 0xa5;
}

bool serial_init(uint16_t port, uint32_t baud)
{
	uint32_t divisor = UART_CLOCK / (baud ? baud : UART_CLOCK);

	if (!ns16550_present(port))
		return false;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, divisor & 0xff);
	outb(port + UART_DLM, divisor >> 8);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, FCR_ENABLE);
	outb(port + UART_MCR, MCR_DTR_RTS);
	/* A 16450 or a 16550 with broken FIFOs: a byte at a time. */
	if ((inb(port + UART_IIR) & IIR_FIFO) == IIR_FIFO)
		ns16550_tx_depth = FIFO_DEPTH;
	return true;
}

/* THRE with the FIFOs on means the whole transmit FIFO is empty. */
unsigned int serial_tx_room(uint16_t port)
{
	return (inb(port + UART_LSR) & LSR_THRE) ? ns16550_tx_depth : 0;
}

void serial_tx_byte(uint16_t port, char c)
{
	outb(port + UART_THR, (uint8_t)c);
}

void serial_rx_enable(uint16_t port)
{
	outb(port + UART_MCR, MCR_DTR_RTS | MCR_OUT2);
	outb(port + UART_IER, IER_RDA);
}

bool serial_getc(uint16_t port, char *c)
{
	if (!(inb(port + UART_LSR) & LSR_DR))
		return false;
	*c = (char)inb(port + UART_THR);
	return true;
}
