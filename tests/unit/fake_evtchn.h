/*
 * The rest of the hypervisor as xen/common/event_channel.c sees it, faked
 * for host programs (tests/unit/test_evtchn.c, tests/fuzz/fuzz_evtchn.c):
 * three domains with two vCPUs each (max_vcpus 3, the third never made)
 * and their own shared_info, interrupts as a nesting depth, pages
 * counted, a policy that refuses one operation on demand, and kicks
 * counted per vCPU. What breaks a rule of the interface (a kick with
 * interrupts on, a second kick for one upcall, an unbalanced restore, an
 * ASSERT) is noted as a violation: it happens under the code's locks,
 * where stopping at once would leave one held.
 */
#ifndef TESTS_FAKE_EVTCHN_H
#define TESTS_FAKE_EVTCHN_H

#include <stdbool.h>
#include <xen/event.h>
#include <xen/sched.h>

#define NDOM	  3
#define NVCPU	  2 /* vCPUs made; max_vcpus is NVCPU + 1 */
#define PAGES	  5 /* a domain's table: a header and four record pages */
#define WORD_BITS (sizeof(xen_ulong_t) * 8)

struct fake_dom {
	struct domain *d;
	struct shared_info *s;
	struct vcpu *v[NVCPU];
};

/* Ids out of order, so that locking by id is not locking by index. */
extern const domid_t ids[NDOM];
extern struct fake_dom dom[NDOM];
extern unsigned int kicks[NDOM][NVCPU];
extern bool may_kick[NDOM][NVCPU]; /* upcall_pending clear since a kick */
extern _Thread_local unsigned long irq_depth; /* per thread, as per CPU */
extern long live_pages, pages_until_fail;
extern int refuse_op; /* policy_check() refuses this op: -EPERM */
extern const struct domain *last_target;
extern int refs_held; /* domain_get() not yet put back */
extern unsigned int violations;
extern char first_violation[160];
/* The last pirq port closed, as the arch hook heard it. */
extern int unbound_dom;
extern unsigned int unbound_pirq;
extern evtchn_port_t unbound_port;

void violation(const char *what, int a, int b);
/* Domain i made (its table initialised: that call's result) or freed. */
int make_domain(int i);
void free_domain(int i);
/* Back to no violations, no pages, no references, nothing refused. */
void fake_evtchn_reset(void);

#endif
