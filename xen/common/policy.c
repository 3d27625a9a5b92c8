/*
 * The default policy. The control domain manages every other domain but
 * not itself; any domain may set up event channels with any other (the
 * toolstack decides who is told about whom); the console is open to all
 * (domains have no other output until PV consoles exist); serial input
 * is the control domain's, as are host-wide queries (sysctl: the host's
 * CPUs and memory, the hypervisor's log).
 */
#include <xen/errno.h>
#include <xen/policy.h>
#include <xen/sched.h>

static bool policy_is_control(const struct domain *d)
{
	return d->roles & DOMROLE_CONTROL;
}

int policy_check(const struct domain *src, enum policy_op op,
		 const struct domain *target)
{
	switch (op) {
	case POLICY_CONSOLE_READ:
	case POLICY_EVTCHN_FOR_OTHER:
	case POLICY_SYSCTL:
		return policy_is_control(src) ? 0 : -EPERM;
	case POLICY_DOMCTL:
	case POLICY_SHUTDOWN_OTHER:
		return policy_is_control(src) && target != src ? 0 : -EPERM;
	case POLICY_EVTCHN_INTERDOMAIN:
	case POLICY_EVTCHN_UNBOUND:
	case POLICY_CONSOLE_WRITE:
		return 0;
	}
	return -EPERM;
}
