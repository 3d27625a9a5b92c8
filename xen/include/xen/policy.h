/*
 * The policy module: the one place that decides whether a domain may do
 * an operation to another (in the spirit of Xen's XSM). Every privileged
 * path asks here; nothing else tests domain ids or roles for permission.
 */
#ifndef XEN_POLICY_H
#define XEN_POLICY_H

struct domain;

enum policy_op {
	POLICY_DOMCTL,		   /* create, destroy, pause, build others */
	POLICY_CONSOLE_WRITE,	   /* write to the hypervisor console */
	POLICY_CONSOLE_READ,	   /* read serial console input */
	POLICY_EVTCHN_INTERDOMAIN, /* bind to a port of the target */
	POLICY_EVTCHN_UNBOUND,	   /* offer a port to the target */
	POLICY_EVTCHN_FOR_OTHER,   /* make a port in another domain */
	POLICY_SHUTDOWN_OTHER,	   /* shut the target down */
	POLICY_SYSCTL,		   /* host-wide queries: physinfo, the log */
};

/* 0 if src may do op to target (NULL when there is none), else -EPERM. */
int policy_check(const struct domain *src, enum policy_op op,
		 const struct domain *target);

#endif
