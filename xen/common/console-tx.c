/*
 * The console's transmit ring, as Xen's serial transmit buffer: a CPU
 * that prints leaves its text here and goes on, instead of waiting for
 * the UART a character at a time (87 us each at 115200 baud; under QEMU
 * a host write each, 10-16 us). Idle CPUs drain the ring, and a timer
 * keeps it moving on a machine that is never idle. Nothing is dropped
 * while the line works: a writer finding the ring full drains it itself,
 * as every write did before. The console is synchronous (a write returns
 * once its text is out) until boot is done, with sync_console on the
 * command line, and from a panic or a halt on.
 */
#include <xen/arch.h>
#include <xen/console.h>
#include <xen/lib.h>
#include <xen/param.h>
#include <xen/serial.h>
#include <xen/softirq.h>
#include <xen/spinlock.h>
#include <xen/timer.h>

#define TX_SIZE	  16384 /* a power of two */
#define TX_PERIOD MILLISECS(1)
#define TX_STUCK  1000000 /* polls of a UART taking nothing: drop a byte */

static char tx_ring[TX_SIZE];
static uint32_t tx_prod;     /* writers, serialised by printk's lock */
static uint32_t tx_cons;     /* whoever holds tx_busy */
static unsigned int tx_room; /* likewise: bytes the UART takes unasked */
static bool tx_busy;
static bool tx_async;
static bool sync_console;
BOOL_PARAM("sync_console", sync_console);
static struct timer tx_timer;

static uint32_t tx_used(void)
{
	return __atomic_load_n(&tx_prod, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(&tx_cons, __ATOMIC_ACQUIRE);
}

bool console_tx_pending(void)
{
	return tx_used() != 0;
}

static bool tx_claim(void)
{
	return !__atomic_exchange_n(&tx_busy, true, __ATOMIC_ACQUIRE);
}

static void tx_unclaim(void)
{
	__atomic_store_n(&tx_busy, false, __ATOMIC_RELEASE);
}

enum tx_step { TX_SENT, TX_BUSY, TX_FULL, TX_EMPTY };

/*
 * One byte to the UART. tx_busy is held only for the byte, with
 * interrupts off: an interrupt on this CPU never finds it held (and
 * waits for it forever), no CPU is stopped (a halt's or a panic's IPI)
 * between writing a byte and moving tx_cons past it, which would have
 * the byte written twice, and interrupts wait for one byte at most (a
 * host write under an emulator: 10-16 us under QEMU), not a burst.
 * With drop, a byte the UART will not take is dropped instead.
 */
static enum tx_step tx_step(bool drop)
{
	unsigned long flags = arch_irq_save();
	enum tx_step r = TX_BUSY;

	if (tx_claim()) {
		if (tx_cons == __atomic_load_n(&tx_prod, __ATOMIC_ACQUIRE))
			r = TX_EMPTY;
		else if (!tx_room &&
			 !(tx_room = serial_tx_room(console_cfg.port)))
			r = TX_FULL;
		else {
			serial_tx_byte(console_cfg.port,
				       tx_ring[tx_cons % TX_SIZE]);
			tx_room--;
			r = TX_SENT;
		}
		if (r == TX_SENT || (r == TX_FULL && drop))
			__atomic_store_n(&tx_cons, tx_cons + 1,
					 __ATOMIC_RELEASE);
		tx_unclaim();
	}
	arch_irq_restore(flags);
	return r;
}

unsigned int console_tx_drain(unsigned int max)
{
	unsigned int n = 0;

	while (n < max && tx_step(false) == TX_SENT)
		n++;
	return n;
}

/*
 * Until at most keep bytes wait: drain, or let the other drainer go on.
 * Called with interrupts off (under printk's lock, or stopping).
 */
static void tx_wait(uint32_t keep)
{
	unsigned int stuck = 0;

	while (tx_used() > keep) {
		/* A stuck line loses characters, not the machine. */
		enum tx_step r = tx_step(stuck == TX_STUCK);

		if (r == TX_FULL)
			stuck = stuck == TX_STUCK ? 0 : stuck + 1;
		else if (r == TX_SENT)
			stuck = 0;
		else
			cpu_relax();
	}
}

static void tx_put(char c)
{
	if (tx_used() == TX_SIZE)
		tx_wait(TX_SIZE - CONSOLE_TX_BURST);
	tx_ring[tx_prod % TX_SIZE] = c;
	__atomic_store_n(&tx_prod, tx_prod + 1, __ATOMIC_RELEASE);
}

void console_tx_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			tx_put('\r');
		tx_put(s[i]);
	}
	if (!__atomic_load_n(&tx_async, __ATOMIC_ACQUIRE))
		tx_wait(0);
	else if (!timer_active(&tx_timer))
		raise_softirq(CONSOLE_TX_SOFTIRQ); /* which sets it */
}

static void tx_tick(void *unused)
{
	console_tx_drain(CONSOLE_TX_BURST);
	if (console_tx_pending())
		timer_set(&tx_timer, NOW() + TX_PERIOD);
}

/*
 * Not from console_tx_write(): its callers may hold a timer lock (the
 * timer debug key prints under it).
 */
static void tx_softirq(void)
{
	if (console_tx_pending() && !timer_active(&tx_timer))
		timer_set(&tx_timer, NOW() + TX_PERIOD);
}

void console_tx_start(void)
{
	/* On the boot CPU, which is never taken offline. */
	timer_init(&tx_timer, tx_tick, NULL, 0);
	tx_room = 0; /* asked afresh */
	open_softirq(CONSOLE_TX_SOFTIRQ, tx_softirq);
	__atomic_store_n(&tx_async, !sync_console, __ATOMIC_RELEASE);
}

void console_tx_sync(void)
{
	unsigned long flags = arch_irq_save();

	__atomic_store_n(&tx_async, false, __ATOMIC_RELEASE);
	/* The other CPUs are stopped; a panic may have come mid-drain. */
	tx_unclaim();
	tx_wait(0);
	arch_irq_restore(flags);
}
