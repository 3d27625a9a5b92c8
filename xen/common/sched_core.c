/*
 * The scheduler's policy core (see xen/sched-core.h for the policy and the
 * locking rules). Run queues are vruntime-sorted doubly linked lists:
 * O(1) pick and removal, O(n) insertion, which is cheap for the few tens
 * of units a CPU runs.
 */
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/sched-core.h>
#include <xen/spinlock.h>
#include <xen/string.h>

/* vruntime advances this many units per ns at the default weight. */
#define SCHED_WEIGHT_BASE SCHED_WEIGHT_DEFAULT
/*
 * The most vruntime one accounting step adds, however late the caller:
 * vruntimes are compared modulo 2^64, which is right while they are less
 * than 2^63 apart.
 */
#define SCHED_VT_STEP_MAX (1ull << 52)
/* A unit moving to another queue lands within this of its minimum... */
#define SCHED_MIGRATE_LAG (4 * SCHED_SLICE)
/* ...and no further ahead than this, so it neither hogs nor starves. */
#define SCHED_MIGRATE_LEAD SCHED_SLICE
/* A unit takes its turn on a lighter CPU when this far behind its units. */
#define SCHED_ROTATE_LAG (2 * SCHED_SLICE)
/* A unit asleep this long has a vruntime too old to compare. */
#define SCHED_LONG_SLEEP SECONDS(86400)
/* How many waiting units a CPU checks for one an idle CPU could run. */
#define SCHED_KICK_SCAN 8
/* No cap period accounted yet. */
#define SCHED_NO_PERIOD (~0ull)

struct sched_rq {
	spinlock_t lock;
	struct sched_unit *head;   /* waiting, by vruntime, FIFO among equals */
	struct sched_unit *parked; /* out of budget */
	struct sched_unit *curr;   /* picked: running, or blocking */
	s_time_t since;		   /* curr is accounted up to here */
	uint64_t min_vruntime;	   /* never goes back */
	/* The first wake from this CPU since curr's pick; this CPU's only. */
	s_time_t woke_at;
	/* Written under the lock, read without it as hints by other CPUs. */
	unsigned int nr_queued;
	uint64_t load;	/* weights of the waiting and the running unit */
	bool curr_sync; /* curr gives its CPU up soon after its wakes */
} __aligned(64);

static struct sched_rq sched_rqs[CONFIG_NR_CPUS];
static unsigned int sched_nr_cpus;

/* ---- Small helpers ---- */

static bool vt_before(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0;
}

/* The vruntime that running ns at weight is worth, saturated. */
static uint64_t sched_vt_delta(s_time_t ns, unsigned int weight)
{
	uint64_t scaled;

	if (__builtin_mul_overflow(ns, (uint64_t)SCHED_WEIGHT_BASE, &scaled))
		return SCHED_VT_STEP_MAX;
	scaled /= weight;
	return scaled < SCHED_VT_STEP_MAX ? scaled : SCHED_VT_STEP_MAX;
}

static bool sched_allowed(const struct sched_unit *u, unsigned int cpu)
{
	return cpu < sched_nr_cpus && cpumask_test(&u->affinity, cpu);
}

static bool sched_mask_ok(const struct cpumask *m)
{
	for (unsigned int c = 0; c < sched_nr_cpus; c++)
		if (cpumask_test(m, c))
			return true;
	return false;
}

static bool sched_params_ok(unsigned int weight, unsigned int cap)
{
	return weight >= SCHED_WEIGHT_MIN && weight <= SCHED_WEIGHT_MAX &&
	       cap <= SCHED_CAP_MAX;
}

static int64_t sched_quota(const struct sched_unit *u)
{
	return (int64_t)(SCHED_CAP_PERIOD / 100) * u->cap;
}

/* Fields other CPUs read without the lock are written atomically. */
static void sched_set_state(struct sched_unit *u, enum sched_state s)
{
	__atomic_store_n(&u->state, s, __ATOMIC_RELAXED);
}

static void sched_set_cpu(struct sched_unit *u, unsigned int cpu)
{
	__atomic_store_n(&u->cpu, cpu, __ATOMIC_RELAXED);
}

static void sched_load_add(struct sched_rq *rq, uint64_t w)
{
	__atomic_store_n(&rq->load, rq->load + w, __ATOMIC_RELAXED);
}

static void sched_load_sub(struct sched_rq *rq, uint64_t w)
{
	__atomic_store_n(&rq->load, rq->load - w, __ATOMIC_RELAXED);
}

static uint64_t sched_load_of(unsigned int cpu)
{
	return __atomic_load_n(&sched_rqs[cpu].load, __ATOMIC_RELAXED);
}

/* ---- Locks ---- */

/* Both queues, lower CPU first; a == b takes one lock. */
static void sched_lock_pair(unsigned int a, unsigned int b)
{
	spin_lock(&sched_rqs[a < b ? a : b].lock);
	if (a != b)
		spin_lock(&sched_rqs[a < b ? b : a].lock);
}

static void sched_unlock_pair(unsigned int a, unsigned int b)
{
	spin_unlock(&sched_rqs[a].lock);
	if (a != b)
		spin_unlock(&sched_rqs[b].lock);
}

/*
 * Lock u's queue and cpu's; returns u's CPU, which cannot change while the
 * locks are held (moving u needs its queue's lock).
 */
static unsigned int sched_lock_unit_with(struct sched_unit *u, unsigned int cpu)
{
	for (;;) {
		unsigned int c = __atomic_load_n(&u->cpu, __ATOMIC_RELAXED);

		sched_lock_pair(c, cpu);
		if (__atomic_load_n(&u->cpu, __ATOMIC_RELAXED) == c)
			return c;
		sched_unlock_pair(c, cpu);
	}
}

static unsigned int sched_lock_unit(struct sched_unit *u)
{
	for (;;) {
		unsigned int c = __atomic_load_n(&u->cpu, __ATOMIC_RELAXED);

		spin_lock(&sched_rqs[c].lock);
		if (__atomic_load_n(&u->cpu, __ATOMIC_RELAXED) == c)
			return c;
		spin_unlock(&sched_rqs[c].lock);
	}
}

/* ---- Queues (caller holds the queue's lock) ---- */

static void sched_list_del(struct sched_unit **head, struct sched_unit *u)
{
	if (u->prev)
		u->prev->next = u->next;
	else
		*head = u->next;
	if (u->next)
		u->next->prev = u->prev;
	u->prev = u->next = NULL;
}

/* After every unit not behind u, so equals take turns in arrival order. */
static void sched_enqueue(struct sched_rq *rq, struct sched_unit *u)
{
	struct sched_unit *p = NULL, *n = rq->head;

	while (n && !vt_before(u->vruntime, n->vruntime)) {
		p = n;
		n = n->next;
	}
	u->prev = p;
	u->next = n;
	if (p)
		p->next = u;
	else
		rq->head = u;
	if (n)
		n->prev = u;
	sched_set_state(u, SCHED_RUNNABLE);
	__atomic_store_n(&rq->nr_queued, rq->nr_queued + 1, __ATOMIC_RELAXED);
	sched_load_add(rq, u->weight);
}

static void sched_dequeue(struct sched_rq *rq, struct sched_unit *u)
{
	sched_list_del(&rq->head, u);
	__atomic_store_n(&rq->nr_queued, rq->nr_queued - 1, __ATOMIC_RELAXED);
	sched_load_sub(rq, u->weight);
}

static void sched_park(struct sched_rq *rq, struct sched_unit *u)
{
	u->prev = NULL;
	u->next = rq->parked;
	if (rq->parked)
		rq->parked->prev = u;
	rq->parked = u;
	sched_set_state(u, SCHED_PARKED);
}

/* The unit picked on rq (running or blocking) is no longer. */
static void sched_drop_curr(struct sched_rq *rq)
{
	if (rq->curr->state == SCHED_RUNNING)
		sched_load_sub(rq, rq->curr->weight);
	rq->curr = NULL;
}

/* Take a waiting or parked u off rq's lists. */
static void sched_detach(struct sched_rq *rq, struct sched_unit *u)
{
	if (u->state == SCHED_PARKED)
		sched_list_del(&rq->parked, u);
	else
		sched_dequeue(rq, u);
}

/* ---- Accounting ---- */

/* Raise the floor to the smallest vruntime of the running and waiting. */
static void sched_update_min(struct sched_rq *rq)
{
	struct sched_unit *c = rq->curr;
	uint64_t m;

	if (c && c->state != SCHED_RUNNING)
		c = NULL;
	if (!c && !rq->head)
		return;
	if (c && rq->head)
		m = vt_before(c->vruntime, rq->head->vruntime)
			? c->vruntime
			: rq->head->vruntime;
	else
		m = c ? c->vruntime : rq->head->vruntime;
	if (vt_before(rq->min_vruntime, m))
		rq->min_vruntime = m;
}

static void sched_charge_budget(struct sched_unit *u, s_time_t ns)
{
	const int64_t floor = -(1ll << 62);

	if (ns > (1ull << 61) || u->budget - (int64_t)ns < floor)
		u->budget = floor;
	else
		u->budget -= (int64_t)ns;
}

/* Charge the picked unit for its time since the last accounting. */
static void sched_account(struct sched_rq *rq, s_time_t now)
{
	struct sched_unit *u = rq->curr;
	s_time_t ns;

	if (!u || now <= rq->since)
		return;
	ns = now - rq->since;
	rq->since = now;
	__atomic_store_n(&u->runtime, u->runtime + ns, __ATOMIC_RELAXED);
	u->vruntime += sched_vt_delta(ns, u->weight);
	if (u->cap)
		sched_charge_budget(u, ns);
	sched_update_min(rq);
}

/*
 * Budgets refill at fixed period boundaries; debt (a caller late to pick)
 * carries over, but no more than one period's quota is ever saved up.
 */
static void sched_refill(struct sched_unit *u, s_time_t now)
{
	uint64_t per = now / SCHED_CAP_PERIOD;
	int64_t q = sched_quota(u);

	if (!u->cap)
		return;
	if (u->period == SCHED_NO_PERIOD) {
		u->period = per; /* the full budget it was given is for now */
		return;
	}
	if (per <= u->period)
		return;
	if (per - u->period > 1000)
		u->budget = q;
	else
		u->budget += q * (int64_t)(per - u->period);
	if (u->budget > q)
		u->budget = q;
	u->period = per;
}

static bool sched_has_budget(const struct sched_unit *u)
{
	return !u->cap || u->budget > 0;
}

static s_time_t sched_next_period(s_time_t now)
{
	return (now / SCHED_CAP_PERIOD + 1) * SCHED_CAP_PERIOD;
}

/*
 * Put u's vruntime no more than lag behind rq's minimum (all of it with
 * reset), and, when lead is not 0, no more than lead ahead.
 */
static void sched_place(struct sched_rq *rq, struct sched_unit *u, uint64_t lag,
			uint64_t lead, bool reset)
{
	uint64_t lo = rq->min_vruntime - lag, hi = rq->min_vruntime + lead;

	if (reset || vt_before(u->vruntime, lo))
		u->vruntime = lo;
	if (lead && vt_before(hi, u->vruntime))
		u->vruntime = hi;
}

/* u, runnable, joins rq: waiting, or parked if out of budget. */
static void sched_join(struct sched_rq *rq, struct sched_unit *u, s_time_t now)
{
	sched_refill(u, now);
	if (sched_has_budget(u))
		sched_enqueue(rq, u);
	else
		sched_park(rq, u);
}

/* ---- Placement ---- */

static bool sched_in(const struct cpumask *m, unsigned int cpu)
{
	return cpu < sched_nr_cpus && cpumask_test(m, cpu);
}

/*
 * The CPU in m that u should wait on, woken from CPU 'awake' (the
 * caller's; UINT32_MAX for none). 'awake' if it idles there (an
 * interrupt or timer in its idle loop woke u: no IPI needed). Else its
 * own if idle, else the least loaded one (its own on ties); but where
 * that is an idle CPU and 'awake' runs a unit with none waiting, u waits
 * behind that unit instead (*behind set): a waker often blocks right
 * after its wake (a request sent, the answer awaited), and u then runs
 * there with no IPI and no second CPU woken (on an emulated machine each
 * costs more than the work itself); sched_handoff() bounds the wait of
 * one that runs on. Only behind one that has done so (curr_sync): one
 * that runs on after its wakes has work of its own, and u is better run
 * beside it. behind may be NULL (no waker). Loads are hints: the caller
 * holds u's lock only.
 */
static unsigned int sched_target(const struct sched_unit *u,
				 const struct cpumask *m, unsigned int awake,
				 bool *behind)
{
	unsigned int best = u->cpu;
	uint64_t best_load = UINT64_MAX;
	bool wait_behind;

	if (behind)
		*behind = false;
	if (sched_in(m, awake) && !sched_load_of(awake))
		return awake;
	if (sched_in(m, u->cpu))
		best_load = sched_load_of(u->cpu);
	for (unsigned int i = 1; i < sched_nr_cpus && best_load; i++) {
		unsigned int c = (u->cpu + i) % sched_nr_cpus;

		if (sched_in(m, c) && sched_load_of(c) < best_load) {
			best = c;
			best_load = sched_load_of(c);
		}
	}
	wait_behind =
	    !best_load && sched_in(m, awake) &&
	    !__atomic_load_n(&sched_rqs[awake].nr_queued, __ATOMIC_RELAXED) &&
	    __atomic_load_n(&sched_rqs[awake].curr_sync, __ATOMIC_RELAXED);
	if (behind)
		*behind = wait_behind;
	return wait_behind ? awake : best;
}

/* Whether cpu should pick now that u waits on its queue rq. */
static int sched_kick_for(struct sched_rq *rq, unsigned int cpu,
			  const struct sched_unit *u)
{
	const struct sched_unit *c = rq->curr;

	if (!c)
		return (int)cpu; /* idle: run u, or time its refill */
	if (u->state == SCHED_PARKED || c->state != SCHED_RUNNING)
		return -1; /* nothing to run yet, or a pick is coming */
	if (vt_before(u->vruntime + SCHED_WAKE_MARGIN, c->vruntime))
		return (int)cpu;
	return -1;
}

/* Move waiting or parked u from queue 'from' to queue 'to' (both locked). */
static void sched_migrate(struct sched_unit *u, unsigned int from,
			  unsigned int to)
{
	struct sched_rq *dst = &sched_rqs[to];
	bool parked = u->state == SCHED_PARKED;

	sched_detach(&sched_rqs[from], u);
	sched_set_cpu(u, to);
	sched_place(dst, u, SCHED_MIGRATE_LAG, SCHED_MIGRATE_LEAD, false);
	if (parked)
		sched_park(dst, u);
	else
		sched_enqueue(dst, u);
}

/* ---- Set-up ---- */

void sched_core_init(unsigned int nr_cpus)
{
	BUILD_BUG_ON(CONFIG_NR_CPUS > CPUMASK_NR);
	memset(sched_rqs, 0, sizeof(sched_rqs));
	if (nr_cpus < 1)
		nr_cpus = 1;
	if (nr_cpus > CONFIG_NR_CPUS)
		nr_cpus = CONFIG_NR_CPUS;
	__atomic_store_n(&sched_nr_cpus, nr_cpus, __ATOMIC_RELEASE);
}

int sched_unit_init(struct sched_unit *u, unsigned int id, void *data,
		    unsigned int weight, unsigned int cap,
		    const struct cpumask *affinity)
{
	unsigned int cpu = 0;

	if (!u || !affinity || !sched_params_ok(weight, cap) ||
	    !sched_mask_ok(affinity))
		return -EINVAL;
	while (!cpumask_test(affinity, cpu))
		cpu++;
	*u = (struct sched_unit){
		.id = id,
		.data = data,
		.weight = weight,
		.cap = cap,
		.affinity = *affinity,
		.cpu = cpu,
		.state = SCHED_BLOCKED,
		.fresh = true,
		.period = SCHED_NO_PERIOD,
	};
	u->budget = sched_quota(u);
	return 0;
}

/* ---- Wake, block, remove ---- */

/* With u's queue 'from' and 'to' locked, and u allowed on 'to'. */
static int sched_wake_locked(struct sched_unit *u, unsigned int from,
			     unsigned int to, s_time_t now)
{
	struct sched_rq *rq = &sched_rqs[to];
	bool reset = u->fresh || (now > u->blocked_at &&
				  now - u->blocked_at > SCHED_LONG_SLEEP);

	if (u->state == SCHED_OFFLINE)
		return -EINVAL;
	if (u->state != SCHED_BLOCKED)
		return -1;
	if (sched_rqs[from].curr == u) {
		/* Woken while blocking: it is still its CPU's pick. */
		sched_set_state(u, SCHED_RUNNING);
		sched_load_add(&sched_rqs[from], u->weight);
		return -1;
	}
	sched_account(rq, now); /* place and compare as of now */
	sched_set_cpu(u, to);
	sched_place(rq, u, SCHED_WAKE_BOOST,
		    to == from ? 0 : SCHED_MIGRATE_LEAD, reset);
	u->fresh = false;
	sched_join(rq, u, now);
	return sched_kick_for(rq, to, u);
}

/* Blocked and switched away from (not still its CPU's pick), u's lock held. */
static bool sched_asleep(const struct sched_unit *u, unsigned int cpu)
{
	return u->state == SCHED_BLOCKED && sched_rqs[cpu].curr != u;
}

/*
 * A wake from CPU waker (the caller's, interrupts off): the start of its
 * running unit's run-on, measured at the CPU's next pick. Only that CPU
 * reads or writes woke_at.
 */
static void sched_note_wake(unsigned int waker, s_time_t now)
{
	struct sched_rq *rq;

	if (waker >= sched_nr_cpus)
		return;
	rq = &sched_rqs[waker];
	if (!rq->woke_at && __atomic_load_n(&rq->curr, __ATOMIC_RELAXED))
		rq->woke_at = now;
}

int sched_wake_from(struct sched_unit *u, s_time_t now, unsigned int waker)
{
	if (!u)
		return -EINVAL;
	for (;;) {
		unsigned int from = sched_lock_unit(u), to = from;
		bool behind = false, woke;
		int ret;

		if (sched_asleep(u, from))
			to = sched_target(u, &u->affinity, waker, &behind);
		if (to != from) {
			/* Take both locks in order, then look again. */
			spin_unlock(&sched_rqs[from].lock);
			from = sched_lock_unit_with(u, to);
			if (!sched_allowed(u, to)) {
				sched_unlock_pair(from, to);
				continue;
			}
		}
		woke = sched_asleep(u, from);
		ret = sched_wake_locked(u, from, to, now);
		sched_unlock_pair(from, to);
		if (woke && ret >= -1)
			sched_note_wake(waker, now);
		/* Behind its waker it waits, however far ahead of it. */
		return behind && ret >= -1 ? SCHED_BEHIND : ret;
	}
}

int sched_wake(struct sched_unit *u, s_time_t now)
{
	return sched_wake_from(u, now, UINT32_MAX);
}

int sched_block(struct sched_unit *u, s_time_t now)
{
	struct sched_rq *rq;
	unsigned int cpu;
	int ret = -1;

	if (!u)
		return -EINVAL;
	cpu = sched_lock_unit(u);
	rq = &sched_rqs[cpu];
	if (u->state == SCHED_RUNNABLE || u->state == SCHED_PARKED) {
		sched_detach(rq, u);
	} else if (u->state == SCHED_RUNNING) {
		sched_account(rq, now);
		sched_load_sub(rq, u->weight);
		ret = (int)cpu;
	} else {
		ret = u->state == SCHED_OFFLINE ? -EINVAL : -1;
		spin_unlock(&rq->lock);
		return ret;
	}
	sched_set_state(u, SCHED_BLOCKED);
	u->blocked_at = now;
	spin_unlock(&rq->lock);
	return ret;
}

int sched_unit_remove(struct sched_unit *u)
{
	struct sched_rq *rq;
	unsigned int cpu;
	int ret = -1;

	if (!u)
		return -EINVAL;
	cpu = sched_lock_unit(u);
	rq = &sched_rqs[cpu];
	if (u->state == SCHED_OFFLINE)
		ret = -EINVAL;
	else if (u->state == SCHED_RUNNABLE || u->state == SCHED_PARKED)
		sched_detach(rq, u);
	if (rq->curr == u) {
		sched_drop_curr(rq);
		ret = (int)cpu;
	}
	if (ret != -EINVAL)
		sched_set_state(u, SCHED_OFFLINE);
	spin_unlock(&rq->lock);
	return ret;
}

/* ---- Picking ---- */

/* Take parked units whose budget came back off the parked list. */
static void sched_unpark_ready(struct sched_rq *rq, s_time_t now)
{
	struct sched_unit *u = rq->parked, *next;

	for (; u; u = next) {
		next = u->next;
		sched_refill(u, now);
		if (!sched_has_budget(u))
			continue;
		sched_list_del(&rq->parked, u);
		sched_place(rq, u, SCHED_WAKE_BOOST, 0, false);
		sched_enqueue(rq, u);
	}
}

/* An idle CPU, other than rq's, that one of rq's first waiting units allows. */
static int sched_idle_kick(const struct sched_rq *rq, unsigned int self)
{
	for (unsigned int c = 0; c < sched_nr_cpus && rq->head; c++) {
		const struct sched_unit *u = rq->head;

		if (c == self || sched_load_of(c))
			continue;
		for (unsigned int n = 0; u && n < SCHED_KICK_SCAN; n++) {
			if (sched_allowed(u, c))
				return (int)c;
			u = u->next;
		}
	}
	return -1;
}

int sched_handoff(unsigned int cpu)
{
	struct sched_rq *rq;
	int kick;

	if (cpu >= sched_nr_cpus)
		return -1;
	rq = &sched_rqs[cpu];
	spin_lock(&rq->lock);
	kick = rq->curr ? sched_idle_kick(rq, cpu) : (rq->head ? (int)cpu : -1);
	spin_unlock(&rq->lock);
	return kick;
}

/* With rq locked and nothing picked: choose and mark the next unit. */
static void sched_choose(struct sched_rq *rq, unsigned int cpu, s_time_t now,
			 struct sched_pick *p)
{
	struct sched_unit *u;

	sched_unpark_ready(rq, now);
	u = rq->head;
	p->next = u;
	p->until = 0;
	if (u) {
		ASSERT(sched_allowed(u, cpu) && sched_has_budget(u));
		sched_dequeue(rq, u);
		rq->curr = u;
		__atomic_fetch_add(&u->on_cpu, 1, __ATOMIC_ACQ_REL);
		rq->since = now;
		sched_set_state(u, SCHED_RUNNING);
		sched_load_add(rq, u->weight);
		sched_update_min(rq);
		p->until = now + SCHED_SLICE;
		__atomic_store_n(&rq->curr_sync, u->run_on < SCHED_SYNC_RUN,
				 __ATOMIC_RELAXED);
		if (u->cap && (s_time_t)u->budget < SCHED_SLICE)
			p->until = now + (s_time_t)u->budget;
	}
	if (rq->parked && (!p->until || sched_next_period(now) < p->until))
		p->until = sched_next_period(now);
	if (p->kick < 0)
		p->kick = sched_idle_kick(rq, cpu);
}

/*
 * Pull one unit from src to dst (both locked). An idle dst takes the first
 * it may run. A busy one takes the first that makes the loads more even;
 * failing that, where moving one just mirrors the imbalance (three equal
 * units on two CPUs), one that is well behind dst's units takes its turn
 * on the lighter CPU, so that shares even out across CPUs.
 */
static void sched_pull(unsigned int dst, unsigned int src, bool idle)
{
	struct sched_rq *d = &sched_rqs[dst], *s = &sched_rqs[src];
	int64_t diff = (int64_t)s->load - (int64_t)d->load;
	uint64_t behind = d->min_vruntime - SCHED_ROTATE_LAG;
	struct sched_unit *u;

	for (u = s->head; u; u = u->next) {
		if (!sched_allowed(u, dst))
			continue;
		if (idle || (int64_t)u->weight < diff)
			break;
		if ((int64_t)u->weight == diff &&
		    vt_before(u->vruntime, behind))
			break;
	}
	if (u)
		sched_migrate(u, src, dst);
}

/*
 * How long u ran on after it first woke a unit (until this pick), averaged
 * over such runs (a quarter each) and held to a slice. Wakes from its CPU
 * by an interrupt count as its own: either way the figure says how soon
 * a unit woken there could run there.
 */
static void sched_note_run_on(struct sched_unit *u, s_time_t ran)
{
	if (ran > SCHED_SLICE)
		ran = SCHED_SLICE;
	u->run_on = (3 * u->run_on + ran) / 4;
}

/*
 * With cpu's queue and peer's locked: put the previous unit back (or send
 * it to peer if it may no longer run here), pull from peer, and choose.
 * False when the previous unit must leave but may not go to peer.
 */
static bool sched_pick_locked(unsigned int cpu, unsigned int peer, s_time_t now,
			      struct sched_pick *p)
{
	struct sched_rq *rq = &sched_rqs[cpu];
	struct sched_unit *prev = rq->curr;
	bool running = prev && prev->state == SCHED_RUNNING;

	if (running && !sched_allowed(prev, cpu) && !sched_allowed(prev, peer))
		return false;
	if (prev && rq->woke_at)
		sched_note_run_on(prev, now - rq->woke_at);
	rq->woke_at = 0;
	sched_account(rq, now);
	if (prev)
		sched_drop_curr(rq);
	if (running && !sched_allowed(prev, cpu)) {
		sched_set_cpu(prev, peer);
		sched_place(&sched_rqs[peer], prev, SCHED_MIGRATE_LAG,
			    SCHED_MIGRATE_LEAD, false);
		sched_join(&sched_rqs[peer], prev, now);
		p->kick = sched_kick_for(&sched_rqs[peer], peer, prev);
	} else {
		if (running)
			sched_join(rq, prev, now);
		if (peer != cpu)
			sched_pull(cpu, peer, false);
	}
	sched_choose(rq, cpu, now, p);
	return true;
}

/*
 * The other queue a pick needs (lockless hint, with cpu's lock held): where
 * the running unit goes if it may no longer run here, else the most loaded
 * queue with units waiting, if it is more loaded than this one.
 */
static unsigned int sched_pick_peer(unsigned int cpu)
{
	struct sched_unit *prev = sched_rqs[cpu].curr;
	uint64_t best_load = sched_load_of(cpu);
	unsigned int best = cpu;

	if (prev && prev->state == SCHED_RUNNING && !sched_allowed(prev, cpu))
		return sched_target(prev, &prev->affinity, UINT32_MAX, NULL);
	for (unsigned int c = 0; c < sched_nr_cpus; c++) {
		if (c == cpu ||
		    !__atomic_load_n(&sched_rqs[c].nr_queued, __ATOMIC_RELAXED))
			continue;
		if (sched_load_of(c) > best_load) {
			best = c;
			best_load = sched_load_of(c);
		}
	}
	return best;
}

/* Still idle: take a waiting unit from any queue that has one for us. */
static void sched_idle_pull(unsigned int cpu, s_time_t now,
			    struct sched_pick *p)
{
	for (unsigned int i = 1; i < sched_nr_cpus && !p->next; i++) {
		unsigned int src = (cpu + i) % sched_nr_cpus;

		if (!__atomic_load_n(&sched_rqs[src].nr_queued,
				     __ATOMIC_RELAXED))
			continue;
		sched_lock_pair(cpu, src);
		sched_pull(cpu, src, true);
		sched_choose(&sched_rqs[cpu], cpu, now, p);
		sched_unlock_pair(cpu, src);
	}
}

struct sched_pick sched_pick(unsigned int cpu, s_time_t now)
{
	struct sched_pick p = { .next = NULL, .until = 0, .kick = -1 };

	if (cpu >= sched_nr_cpus)
		return p;
	for (;;) {
		unsigned int peer;

		spin_lock(&sched_rqs[cpu].lock);
		peer = sched_pick_peer(cpu);
		if (peer != cpu) {
			spin_unlock(&sched_rqs[cpu].lock);
			sched_lock_pair(cpu, peer);
		}
		if (sched_pick_locked(cpu, peer, now, &p)) {
			sched_unlock_pair(cpu, peer);
			break;
		}
		/* Its affinity changed meanwhile: look again. */
		sched_unlock_pair(cpu, peer);
	}
	if (!p.next)
		sched_idle_pull(cpu, now, &p);
	return p;
}

void sched_unit_switched_out(struct sched_unit *u)
{
	ASSERT(__atomic_load_n(&u->on_cpu, __ATOMIC_RELAXED));
	__atomic_fetch_sub(&u->on_cpu, 1, __ATOMIC_RELEASE);
}

bool sched_unit_on_cpu(const struct sched_unit *u)
{
	return __atomic_load_n(&u->on_cpu, __ATOMIC_ACQUIRE) != 0;
}

/* ---- Parameters ---- */

/*
 * A unit ahead of its queue keeps its lead in time, not in vruntime, when
 * its weight changes: one that ran a slice at weight 1 is not made to wait
 * 256 slices at weight 256. A fair lead is at most a slice's worth, so the
 * result is held to that: rescaling must not blow up a lead that placement
 * gave a heavy unit. One behind keeps its (bounded) credit.
 */
static void sched_rescale_lead(const struct sched_rq *rq, struct sched_unit *u,
			       unsigned int weight)
{
	int64_t lead = (int64_t)(u->vruntime - rq->min_vruntime);
	uint64_t scaled, most = sched_vt_delta(SCHED_SLICE, weight);

	if (lead <= 0)
		return;
	if (__builtin_mul_overflow((uint64_t)lead, (uint64_t)u->weight,
				   &scaled))
		scaled = UINT64_MAX;
	scaled /= weight;
	u->vruntime = rq->min_vruntime + (scaled < most ? scaled : most);
}

static void sched_set_cap(struct sched_unit *u, unsigned int cap)
{
	if (cap && !u->cap) {
		/* Newly capped: a full budget for the period it runs next. */
		u->cap = cap;
		u->budget = sched_quota(u);
		u->period = SCHED_NO_PERIOD;
	}
	u->cap = cap;
	if (u->budget > sched_quota(u))
		u->budget = sched_quota(u); /* stays > 0 if it was */
}

int sched_set_params(struct sched_unit *u, unsigned int weight,
		     unsigned int cap)
{
	struct sched_rq *rq;
	bool queued;

	if (!u || !sched_params_ok(weight, cap))
		return -EINVAL;
	rq = &sched_rqs[sched_lock_unit(u)];
	if (u->state == SCHED_OFFLINE) {
		spin_unlock(&rq->lock);
		return -EINVAL;
	}
	queued = u->state == SCHED_RUNNABLE;
	if (queued) {
		sched_dequeue(rq, u); /* its place in the queue changes */
	} else if (u->state == SCHED_RUNNING) {
		sched_load_sub(rq, u->weight);
		sched_load_add(rq, weight);
	}
	sched_rescale_lead(rq, u, weight);
	u->weight = weight;
	sched_set_cap(u, cap);
	if (queued)
		sched_enqueue(rq, u);
	spin_unlock(&rq->lock);
	return 0;
}

/* sched_set_affinity_locked() found it must look again. */
#define SCHED_RETRY (-3)

/*
 * With u's queue 'from' and 'to' locked. A waiting or parked unit that
 * may no longer stay moves to 'to' at once (if m allows it; else look
 * again); a running one moves when its CPU picks next: that CPU is
 * returned.
 */
static int sched_set_affinity_locked(struct sched_unit *u,
				     const struct cpumask *m, unsigned int from,
				     unsigned int to)
{
	enum sched_state s = u->state;
	bool waiting = s == SCHED_RUNNABLE || s == SCHED_PARKED;

	if (s == SCHED_OFFLINE)
		return -EINVAL;
	if (waiting && !cpumask_test(m, from) &&
	    (to == from || !cpumask_test(m, to)))
		return SCHED_RETRY;
	u->affinity = *m;
	if (waiting && !sched_allowed(u, from)) {
		sched_migrate(u, from, to);
		return sched_kick_for(&sched_rqs[to], to, u);
	}
	return s == SCHED_RUNNING && !sched_allowed(u, from) ? (int)from : -1;
}

int sched_set_affinity(struct sched_unit *u, const struct cpumask *m)
{
	if (!u || !m || !sched_mask_ok(m))
		return -EINVAL;
	for (;;) {
		unsigned int from = sched_lock_unit(u), to = from;
		enum sched_state s = u->state;
		int ret;

		if ((s == SCHED_RUNNABLE || s == SCHED_PARKED) &&
		    !cpumask_test(m, from)) {
			/* It must move: lock where to as well, in order. */
			to = sched_target(u, m, UINT32_MAX, NULL);
			spin_unlock(&sched_rqs[from].lock);
			from = sched_lock_unit_with(u, to);
		}
		ret = sched_set_affinity_locked(u, m, from, to);
		sched_unlock_pair(from, to);
		if (ret != SCHED_RETRY)
			return ret;
	}
}

/* ---- Queries and debugging ---- */

s_time_t sched_unit_runtime(const struct sched_unit *u)
{
	return __atomic_load_n(&u->runtime, __ATOMIC_RELAXED);
}

unsigned int sched_unit_cpu(const struct sched_unit *u)
{
	return __atomic_load_n(&u->cpu, __ATOMIC_RELAXED);
}

enum sched_state sched_unit_state(const struct sched_unit *u)
{
	return __atomic_load_n(&u->state, __ATOMIC_RELAXED);
}

static void sched_dump_unit(const char *what, const struct sched_unit *u,
			    uint64_t min)
{
	log_info("  %s unit %u: weight %u cap %u vruntime %+lld budget %lld "
		 "runtime %llu ns\n",
		 what, u->id, u->weight, u->cap, (long long)(u->vruntime - min),
		 u->cap ? (long long)u->budget : 0ll,
		 (unsigned long long)u->runtime);
}

void sched_dump(unsigned int cpu)
{
	struct sched_rq *rq;

	if (cpu >= sched_nr_cpus)
		return;
	rq = &sched_rqs[cpu];
	spin_lock(&rq->lock);
	log_info("CPU %u: load %llu, %u waiting, min vruntime %llu%s\n", cpu,
		 (unsigned long long)rq->load, rq->nr_queued,
		 (unsigned long long)rq->min_vruntime,
		 rq->curr ? "" : ", idle");
	if (rq->curr)
		sched_dump_unit(rq->curr->state == SCHED_RUNNING ? "running"
								 : "blocking",
				rq->curr, rq->min_vruntime);
	for (const struct sched_unit *u = rq->head; u; u = u->next)
		sched_dump_unit("waiting", u, rq->min_vruntime);
	for (const struct sched_unit *u = rq->parked; u; u = u->next)
		sched_dump_unit("parked", u, rq->min_vruntime);
	spin_unlock(&rq->lock);
}

#define SCHED_CHECK(cond, cpu, u, what)                                      \
	do {                                                                 \
		if (!(cond)) {                                               \
			log_err("sched: CPU %u unit %u: %s\n", cpu, (u)->id, \
				what);                                       \
			bad++;                                               \
		}                                                            \
	} while (0)

/* One unit on one of cpu's lists; gen marks the units already seen. */
static unsigned int sched_check_unit(const struct sched_unit *u,
				     struct sched_unit *prev, unsigned int cpu,
				     enum sched_state state, unsigned int gen)
{
	unsigned int bad = 0;

	SCHED_CHECK(u->seen != gen, cpu, u, "on two lists");
	SCHED_CHECK(u->state == state, cpu, u, "in the wrong state");
	SCHED_CHECK(u->cpu == cpu, cpu, u, "on another CPU's list");
	SCHED_CHECK(u->prev == prev, cpu, u, "broken links");
	SCHED_CHECK(sched_allowed(u, cpu), cpu, u,
		    "on a CPU it does not allow");
	SCHED_CHECK(state != SCHED_RUNNABLE || sched_has_budget(u), cpu, u,
		    "waiting without budget");
	SCHED_CHECK(!prev || state != SCHED_RUNNABLE ||
			!vt_before(u->vruntime, prev->vruntime),
		    cpu, u, "out of order");
	return bad;
}

static unsigned int sched_check_list(struct sched_unit *head, unsigned int cpu,
				     enum sched_state state, unsigned int gen,
				     uint64_t *load, unsigned int *nr)
{
	struct sched_unit *prev = NULL;
	unsigned int bad = 0;

	for (struct sched_unit *u = head; u; prev = u, u = u->next) {
		bad += sched_check_unit(u, prev, cpu, state, gen);
		u->seen = gen;
		*load += u->weight;
		(*nr)++;
	}
	return bad;
}

static unsigned int sched_check_rq(unsigned int cpu, unsigned int gen)
{
	struct sched_rq *rq = &sched_rqs[cpu];
	struct sched_unit *c = rq->curr;
	uint64_t load = 0, parked_load = 0;
	unsigned int bad = 0, nr = 0, nr_parked = 0;

	bad += sched_check_list(rq->head, cpu, SCHED_RUNNABLE, gen, &load, &nr);
	bad += sched_check_list(rq->parked, cpu, SCHED_PARKED, gen,
				&parked_load, &nr_parked);
	if (c) {
		SCHED_CHECK(c->seen != gen, cpu, c, "picked and listed");
		SCHED_CHECK(c->state == SCHED_RUNNING ||
				c->state == SCHED_BLOCKED,
			    cpu, c, "picked in the wrong state");
		SCHED_CHECK(c->cpu == cpu, cpu, c, "picked by another CPU");
		c->seen = gen;
		load += c->state == SCHED_RUNNING ? c->weight : 0;
	}
	if (load != rq->load || nr != rq->nr_queued) {
		log_err("sched: CPU %u: load %llu/%llu, %u/%u waiting\n", cpu,
			(unsigned long long)rq->load, (unsigned long long)load,
			rq->nr_queued, nr);
		bad++;
	}
	return bad;
}

int sched_check(void)
{
	static unsigned int gen;
	unsigned int bad = 0;

	for (unsigned int c = 0; c < sched_nr_cpus; c++)
		spin_lock(&sched_rqs[c].lock);
	gen++;
	for (unsigned int c = 0; c < sched_nr_cpus; c++)
		bad += sched_check_rq(c, gen);
	for (unsigned int c = 0; c < sched_nr_cpus; c++)
		spin_unlock(&sched_rqs[c].lock);
	return bad ? -EIO : 0;
}
