/*
 * The scheduler's policy core: per-CPU proportional-share scheduling of
 * "units" (one per vCPU) with weights, caps, affinity, a wake-up boost and
 * load balancing. It knows no vCPU and no arch: the caller passes the CPU
 * and the time, and acts on what it is told (switch to a unit, program a
 * timer, send a CPU a reschedule IPI). All of it is deterministic, so the
 * host tests can simulate CPUs and time.
 *
 * Policy, in short:
 *  - Each CPU has a run queue ordered by virtual runtime: running for d ns
 *    advances a unit's vruntime by d * SCHED_WEIGHT_DEFAULT / weight, and
 *    the unit with the smallest vruntime runs next, for at most
 *    SCHED_SLICE. Over time each unit's share of its CPU is weight / sum of
 *    the weights there. All integer: steps saturate, and vruntimes are
 *    compared modulo 2^64.
 *  - A woken unit is placed no further back than the queue's minimum minus
 *    SCHED_WAKE_BOOST, so one that slept (an I/O domain woken by an event)
 *    runs promptly; it preempts the running unit when it is behind it by
 *    more than SCHED_WAKE_MARGIN. The boost is spent on the first run, so
 *    a unit that turns CPU-bound gets its fair share and no more.
 *  - A cap is a percentage of one CPU per SCHED_CAP_PERIOD. Budgets refill
 *    at the boundaries of fixed periods (multiples of SCHED_CAP_PERIOD in
 *    system time); a unit out of budget is "parked" until the next one.
 *  - Affinity is a CPU mask; a unit is only ever queued on a CPU it allows.
 *  - Balancing moves units between queues so that the sum of runnable
 *    weights is even: an idle CPU pulls any waiting unit it may run (a CPU
 *    that picks while units wait kicks an idle CPU that may run one), a
 *    busy CPU pulls one that makes the sums more even, and where no move can
 *    (three equal units on two CPUs) units take turns on the lighter CPU,
 *    the one furthest behind in vruntime moving, so shares even out across
 *    CPUs too.
 *
 * Locking (for SMP; the host tests also drive it from two threads):
 *  - Each CPU's run queue has a spinlock. A unit's scheduling fields are
 *    guarded by the lock of the queue of the CPU it belongs to (u->cpu);
 *    changing u->cpu needs the locks of both queues.
 *  - Whoever holds two queue locks took them in increasing CPU order, so
 *    there is no deadlock. Peeks at other CPUs' load are lockless hints,
 *    checked again under the locks before anything is moved.
 *  - The locks do not disable interrupts: if any caller can run in
 *    interrupt context, every caller disables interrupts around these calls
 *    (the arch glue does).
 *  - sched_pick() runs for a given CPU on one CPU at a time (normally that
 *    CPU itself). sched_unit_init() and sched_unit_remove() do not run
 *    concurrently with any other call on the same unit, and after removal
 *    the unit is left alone until it is set up again.
 *
 * When sched_pick() gives a CPU a different unit, the one it took off may be
 * picked by another CPU at once: the caller must not run a vCPU on the new
 * CPU before its state has been saved on the old one.
 */
#ifndef XEN_SCHED_CORE_H
#define XEN_SCHED_CORE_H

#include <xen/time.h>
#include <xen/types.h>

#define SCHED_WEIGHT_DEFAULT 256
#define SCHED_WEIGHT_MIN     1
#define SCHED_WEIGHT_MAX     65535

/* A cap is a percentage of one CPU, 1..100; 0 means no cap. */
#define SCHED_CAP_MAX 100

/* The longest a unit runs before the CPU picks again. */
#define SCHED_SLICE MILLISECS(10)
/* Caps are accounted over periods this long. */
#define SCHED_CAP_PERIOD (10 * SCHED_SLICE)
/* How far behind its queue's minimum vruntime a woken unit may start. */
#define SCHED_WAKE_BOOST (SCHED_SLICE / 2)
/* How far behind the running unit a woken one must be to preempt it. */
#define SCHED_WAKE_MARGIN MILLISECS(1)
/* The longest a unit woken behind its waker waits before it may move. */
#define SCHED_HANDOFF MILLISECS(1)
/*
 * A unit that, on average, gives its CPU up sooner than this after it
 * woke another is one a woken unit may wait behind.
 */
#define SCHED_SYNC_RUN MICROSECS(200)

/* CPU masks: the scheduler handles up to CPUMASK_NR CPUs. */
#define CPUMASK_NR 256

struct cpumask {
	uint64_t bits[CPUMASK_NR / 64];
};

static inline void cpumask_zero(struct cpumask *m)
{
	for (unsigned int i = 0; i < CPUMASK_NR / 64; i++)
		m->bits[i] = 0;
}

/* Every CPU, the ones that do not exist included. */
static inline void cpumask_setall(struct cpumask *m)
{
	for (unsigned int i = 0; i < CPUMASK_NR / 64; i++)
		m->bits[i] = ~0ull;
}

/* CPUs at or above CPUMASK_NR are ignored (and never set). */
static inline void cpumask_set(struct cpumask *m, unsigned int cpu)
{
	if (cpu < CPUMASK_NR)
		m->bits[cpu / 64] |= 1ull << (cpu % 64);
}

static inline void cpumask_clear(struct cpumask *m, unsigned int cpu)
{
	if (cpu < CPUMASK_NR)
		m->bits[cpu / 64] &= ~(1ull << (cpu % 64));
}

static inline bool cpumask_test(const struct cpumask *m, unsigned int cpu)
{
	return cpu < CPUMASK_NR && (m->bits[cpu / 64] >> (cpu % 64)) & 1;
}

static inline bool cpumask_empty(const struct cpumask *m)
{
	for (unsigned int i = 0; i < CPUMASK_NR / 64; i++)
		if (m->bits[i])
			return false;
	return true;
}

/* The lowest CPU in m, or CPUMASK_NR when m is empty. */
static inline unsigned int cpumask_first(const struct cpumask *m)
{
	for (unsigned int i = 0; i < CPUMASK_NR / 64; i++)
		if (m->bits[i])
			return i * 64 +
			       (unsigned int)__builtin_ctzll(m->bits[i]);
	return CPUMASK_NR;
}

/* Just cpu. */
static inline struct cpumask cpumask_of(unsigned int cpu)
{
	struct cpumask m;

	cpumask_zero(&m);
	cpumask_set(&m, cpu);
	return m;
}

/*
 * Offline: not set up, or removed. Blocked: not runnable, on no queue.
 * Runnable: waiting on its CPU's queue. Running: the unit its CPU picked.
 * Parked: runnable but out of cap budget, waiting for the next period.
 */
enum sched_state {
	SCHED_OFFLINE,
	SCHED_BLOCKED,
	SCHED_RUNNABLE,
	SCHED_RUNNING,
	SCHED_PARKED,
};

/*
 * Embedded in the caller's vCPU. Only id and data are the caller's; the
 * rest belongs to sched_core.c and is read through the functions below.
 */
struct sched_unit {
	unsigned int id;
	void *data;

	unsigned int weight, cap;
	struct cpumask affinity;
	unsigned int cpu; /* whose queue lock guards us */
	enum sched_state state;
	bool fresh;		 /* never woken: no vruntime of its own yet */
	uint64_t vruntime;	 /* compared modulo 2^64 */
	int64_t budget;		 /* ns left in cap period 'period' */
	uint64_t period;	 /* index of that period; ~0: none yet */
	s_time_t runtime;	 /* total time run */
	s_time_t blocked_at;	 /* when it last blocked */
	s_time_t run_on;	 /* average run on after its wakes */
	struct sched_unit *prev; /* links on the queue or the parked list */
	struct sched_unit *next;
	unsigned int seen; /* for sched_check() */
	/*
	 * Picks by a CPU not yet followed by its switch away: while above
	 * 0, some CPU may still use the unit's vCPU (entering it, running
	 * it, saving it), whatever the unit's state or queue says.
	 */
	unsigned int on_cpu;
};

/*
 * What a CPU runs next: next NULL is idle. until is when to pick again
 * (slice end, cap budget spent, or a parked unit's refill), 0 for never.
 * kick is another CPU that should pick now (a unit was sent there, or it
 * is idle while units wait that it may run), or -1.
 */
struct sched_pick {
	struct sched_unit *next;
	s_time_t until;
	int kick;
};

/* Start with CPUs 0..nr_cpus-1 (at most CONFIG_NR_CPUS), all idle. */
void sched_core_init(unsigned int nr_cpus);

/*
 * Set up u, blocked and on no queue until it is woken. -EINVAL for a weight
 * outside SCHED_WEIGHT_MIN..MAX, a cap above SCHED_CAP_MAX (a unit never
 * uses more than one CPU) or an affinity naming no existing CPU.
 */
int sched_unit_init(struct sched_unit *u, unsigned int id, void *data,
		    unsigned int weight, unsigned int cap,
		    const struct cpumask *affinity);

/*
 * The functions that return a CPU return one that should call sched_pick()
 * now (to preempt, or because it is idle), or a negative value when none
 * need: -1 when all is well, -EINVAL when the call was refused.
 */

/* Make u runnable (no effect if it already is). */
int sched_wake(struct sched_unit *u, s_time_t now);
/*
 * The same from CPU 'waker' (the caller's): when that CPU is idle (an
 * interrupt or a timer in its idle loop woke u) and u may run there, u
 * is woken there, on a CPU already awake, rather than on another that
 * an IPI would have to wake. When it runs a unit with none waiting and u
 * would go to an idle CPU, u waits behind that unit instead (it does not
 * preempt it) and SCHED_BEHIND is returned: the caller calls
 * sched_handoff(waker) SCHED_HANDOFF later. Only behind a unit that has
 * given its CPU up within SCHED_SYNC_RUN of its wakes, on average: one
 * that runs on (a producer streaming to its consumer) would hold u back
 * from an idle CPU that could run the two side by side.
 */
#define SCHED_BEHIND (-2)
int sched_wake_from(struct sched_unit *u, s_time_t now, unsigned int waker);
/*
 * Units still waiting on busy CPU cpu may move: an idle CPU that should
 * pick now (and pull one) is returned, or cpu itself if it idles.
 */
int sched_handoff(unsigned int cpu);
/* u stops being runnable; if it was running, its CPU is returned. */
int sched_block(struct sched_unit *u, s_time_t now);
/*
 * u is gone for good (vCPU down, domain destroyed): the core keeps no
 * pointer to it, and no CPU picks it again. If it was running, its CPU is
 * returned: the caller must switch away from it there.
 */
int sched_unit_remove(struct sched_unit *u);

/*
 * On CPU cpu at time now: account the unit that ran there, choose the next
 * (maybe the same one) and mark it running. A cpu that does not exist gets
 * { NULL, 0, -1 }.
 */
struct sched_pick sched_pick(unsigned int cpu, s_time_t now);

/*
 * New weight and cap; 0 or -EINVAL. A unit ahead of its queue keeps its
 * lead in time (at most a slice's worth). A running unit's time since it
 * was last accounted is charged at the new weight (at most a slice); a new
 * cap applies from its CPU's next pick, and a parked unit whose cap is
 * lifted runs from then on.
 */
int sched_set_params(struct sched_unit *u, unsigned int weight,
		     unsigned int cap);
/*
 * New affinity: a waiting unit no longer allowed on its CPU moves at once,
 * a running one when its CPU picks next (that CPU is returned). -EINVAL if
 * m names no existing CPU.
 */
int sched_set_affinity(struct sched_unit *u, const struct cpumask *m);

/*
 * The CPU that picked u has switched away from it and no longer uses
 * its vCPU: one call per pick that chose u (a pick that chose the unit
 * already running there too).
 */
void sched_unit_switched_out(struct sched_unit *u);
/* Whether a CPU may still use u's vCPU: see on_cpu. */
bool sched_unit_on_cpu(const struct sched_unit *u);

/* Total time u has run, up to its CPU's last accounting. */
s_time_t sched_unit_runtime(const struct sched_unit *u);
/* The CPU u runs, waits or last ran on. */
unsigned int sched_unit_cpu(const struct sched_unit *u);
enum sched_state sched_unit_state(const struct sched_unit *u);

/* Log one CPU's queue (for the debug keys). */
void sched_dump(unsigned int cpu);
/*
 * Check every queue's invariants (links, order, states, affinity, load);
 * log what is wrong and return -EIO, or 0. For tests and self-tests: it
 * takes every queue lock.
 */
int sched_check(void);

#endif
