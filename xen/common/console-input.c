/*
 * Serial console input for the control domain, as in Xen: what the
 * hypervisor does not take for itself (debug keys) queues here,
 * VIRQ_CONSOLE tells the control domain, and it reads the characters with
 * CONSOLEIO_read. A full queue drops new characters (a reader that
 * stopped reading); none is lost between the queue and a reader.
 */
#include <xen/console.h>
#include <xen/errno.h>
#include <xen/event.h>
#include <xen/lib.h>
#include <xen/policy.h>
#include <xen/sched.h>
#include <xen/softirq.h>
#include <xen/spinlock.h>
#include <asm/guest_access.h>

#define CONIN_SIZE  1024 /* a power of two */
#define CONIN_CHUNK 64	 /* copied to the guest at a time */

static char conin_ring[CONIN_SIZE];
/* prod: the serial interrupt only; cons: readers, under conin_lock. */
static unsigned int conin_prod, conin_cons;
static DEFINE_SPINLOCK(conin_lock);

void console_input_push(char c)
{
	unsigned int cons = __atomic_load_n(&conin_cons, __ATOMIC_ACQUIRE);

	if (conin_prod - cons >= CONIN_SIZE)
		return;
	conin_ring[conin_prod % CONIN_SIZE] = c;
	__atomic_store_n(&conin_prod, conin_prod + 1, __ATOMIC_RELEASE);
	raise_softirq(CONSOLE_SOFTIRQ);
}

/* Out of interrupt context: event channel locks are not IRQ-safe. */
static void console_input_softirq(void)
{
	struct domain *d = domain_get(DOMID_CONTROL);

	if (!d)
		return;
	evtchn_send_global_virq(d, VIRQ_CONSOLE);
	domain_put(d);
}

/* Up to count characters to buf; how many, or an errno. */
long console_input_read(struct domain *d, uint64_t count, uint64_t buf)
{
	char chunk[CONIN_CHUNK];
	long done = 0;

	if (policy_check(d, POLICY_CONSOLE_READ, NULL) < 0)
		return -EPERM;
	spin_lock(&conin_lock);
	while ((uint64_t)done < count) {
		unsigned int prod =
		    __atomic_load_n(&conin_prod, __ATOMIC_ACQUIRE);
		unsigned int n = 0;

		while (n < CONIN_CHUNK && (uint64_t)done + n < count &&
		       conin_cons + n != prod) {
			chunk[n] = conin_ring[(conin_cons + n) % CONIN_SIZE];
			n++;
		}
		if (!n)
			break;
		/* Consumed only once the guest has them. */
		if (copy_to_guest(d, buf + (uint64_t)done, chunk, n) < 0) {
			if (!done)
				done = -EFAULT;
			break;
		}
		__atomic_store_n(&conin_cons, conin_cons + n, __ATOMIC_RELEASE);
		done += n;
	}
	spin_unlock(&conin_lock);
	return done;
}

void console_input_init(void)
{
	open_softirq(CONSOLE_SOFTIRQ, console_input_softirq);
}
