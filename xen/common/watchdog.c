/*
 * Domain watchdogs (SCHEDOP_watchdog): a domain arms a timer and must
 * pet it within the timeout, or it is shut down with SHUTDOWN_watchdog
 * and the control domain hears of it. Id 0 asks for a new watchdog; a
 * known id with timeout 0 stops it.
 */
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/timer.h>
#include <public/sched.h>

static void watchdog_fired(void *data)
{
	struct domain *d = data;

	log_err("domain %u (%s): watchdog expired\n", d->domain_id, d->name);
	domain_shutdown(d, SHUTDOWN_watchdog);
}

static int watchdog_new(struct domain *d, uint32_t timeout)
{
	for (unsigned int i = 0; i < DOMAIN_WATCHDOGS; i++) {
		if (__atomic_exchange_n(&d->watchdog_used[i], true,
					__ATOMIC_ACQ_REL))
			continue;
		timer_init(&d->watchdog[i], watchdog_fired, d,
			   smp_processor_id());
		timer_set(&d->watchdog[i], NOW() + SECONDS(timeout));
		return (int)i + 1;
	}
	return -ENOSPC;
}

long domain_watchdog(struct domain *d, uint32_t id, uint32_t timeout)
{
	struct timer *t;

	if (id == 0)
		return timeout ? watchdog_new(d, timeout) : -EINVAL;
	if (id > DOMAIN_WATCHDOGS || !d->watchdog_used[id - 1])
		return -EINVAL;
	t = &d->watchdog[id - 1];
	timer_stop(t);
	if (timeout == 0) {
		__atomic_store_n(&d->watchdog_used[id - 1], false,
				 __ATOMIC_RELEASE);
		return 0;
	}
	timer_set(t, NOW() + SECONDS(timeout));
	return 0;
}

void domain_watchdogs_stop(struct domain *d)
{
	for (unsigned int i = 0; i < DOMAIN_WATCHDOGS; i++)
		if (d->watchdog_used[i])
			timer_stop(&d->watchdog[i]);
}
