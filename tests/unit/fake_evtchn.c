/*
 * The rest of the hypervisor, faked for event_channel.c: see
 * fake_evtchn.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/arch.h>
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/policy.h>
#include "fake_evtchn.h"

const domid_t ids[NDOM] = { 7, 0, 3 };
struct fake_dom dom[NDOM];
unsigned int kicks[NDOM][NVCPU];
bool may_kick[NDOM][NVCPU];
_Thread_local unsigned long irq_depth;
long live_pages, pages_until_fail = -1;
int refuse_op = -1;
const struct domain *last_target;
unsigned int violations;
char first_violation[160];
int refs_held;
int unbound_dom = -1;
unsigned int unbound_pirq;
evtchn_port_t unbound_port;

/* ---- What the event channel code asks of the rest of the hypervisor ---- */

/*
 * Called under the code's locks, where failing the test at once would
 * leave a lock held (and the teardown spinning): noted, reported after.
 */
void violation(const char *what, int a, int b)
{
	if (__atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED) == 0)
		snprintf(first_violation, sizeof(first_violation),
			 "%s (%d, %d)", what, a, b);
}

void assert_failed(const char *expr, const char *file, int line, bool *seen)
{
	(void)seen;
	(void)file;
	violation(expr, line, 0);
}

/* Interrupt "flags" are the nesting depth, so restores must nest. */
unsigned long arch_irq_save(void)
{
	return irq_depth++;
}

void arch_irq_restore(unsigned long flags)
{
	if (irq_depth == 0 || flags != irq_depth - 1)
		violation("unbalanced interrupt restore", (int)flags,
			  (int)irq_depth);
	irq_depth = flags;
}

void *alloc_xen_page(void)
{
	if (pages_until_fail == 0)
		return NULL;
	if (pages_until_fail > 0)
		pages_until_fail--;
	live_pages++;
	return calloc(1, PAGE_SIZE);
}

void free_xen_page(void *p)
{
	live_pages--;
	free(p);
}

int policy_check(const struct domain *src, enum policy_op op,
		 const struct domain *target)
{
	__atomic_store_n(&last_target, target, __ATOMIC_RELAXED);
	return (int)op == refuse_op ? -EPERM : 0;
}

/* References are counted, so that a test sees every get put back. */

struct domain *domain_get(domid_t id)
{
	for (int i = 0; i < NDOM; i++)
		if (dom[i].d && dom[i].d->domain_id == id) {
			__atomic_add_fetch(&refs_held, 1, __ATOMIC_RELAXED);
			return dom[i].d;
		}
	return NULL;
}

void domain_put(struct domain *d)
{
	if (!d)
		violation("domain_put(NULL)", 0, 0);
	__atomic_sub_fetch(&refs_held, 1, __ATOMIC_RELAXED);
}

static int index_of(const struct domain *d)
{
	for (int i = 0; i < NDOM; i++)
		if (dom[i].d == d)
			return i;
	violation("kick for an unknown domain", 0, 0);
	return 0;
}

/* One kick per 0 -> 1 of upcall_pending, with interrupts off. */

void arch_pirq_unbound(struct domain *d, unsigned int pirq, evtchn_port_t port)
{
	if (irq_depth == 0)
		violation("pirq unbound with interrupts on", index_of(d),
			  (int)pirq);
	unbound_dom = index_of(d);
	unbound_pirq = pirq;
	unbound_port = port;
}

void arch_vcpu_kick(struct vcpu *v)
{
	int i = index_of(v->domain);

	if (irq_depth == 0)
		violation("kick with interrupts on", i, (int)v->vcpu_id);
	if (v->vcpu_info->evtchn_upcall_pending != 1)
		violation("kick without upcall_pending", i, (int)v->vcpu_id);
	if (!may_kick[i][v->vcpu_id])
		violation("second kick for one upcall", i, (int)v->vcpu_id);
	may_kick[i][v->vcpu_id] = false;
	kicks[i][v->vcpu_id]++;
}

/* ---- Fake domains ---- */

int make_domain(int i)
{
	struct fake_dom *f = &dom[i];

	f->d = calloc(1, sizeof(*f->d));
	f->s = calloc(1, sizeof(*f->s));
	f->d->domain_id = ids[i];
	f->d->max_vcpus = NVCPU + 1;
	f->d->shared_info = f->s;
	for (unsigned int v = 0; v < NVCPU; v++) {
		f->v[v] = calloc(1, sizeof(*f->v[v]));
		f->v[v]->vcpu_id = v;
		f->v[v]->domain = f->d;
		f->v[v]->vcpu_info = &f->s->vcpu_info[v];
		f->d->vcpus[v] = f->v[v];
		may_kick[i][v] = true;
		kicks[i][v] = 0;
	}
	return evtchn_domain_init(f->d);
}

void free_domain(int i)
{
	struct fake_dom *f = &dom[i];

	if (!f->d)
		return;
	evtchn_domain_destroy(f->d);
	for (unsigned int v = 0; v < NVCPU; v++)
		free(f->v[v]);
	free(f->s);
	free(f->d);
	memset(f, 0, sizeof(*f));
}

void fake_evtchn_reset(void)
{
	refuse_op = -1;
	pages_until_fail = -1;
	irq_depth = 0;
	violations = 0;
	live_pages = 0;
	refs_held = 0;
	unbound_dom = -1;
}
