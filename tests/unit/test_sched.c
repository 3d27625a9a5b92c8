/*
 * The scheduler's policy core, driven by a deterministic simulator: N CPUs
 * and time in 1 ms steps. Each step blocks units whose burst is over,
 * wakes units whose sleep is over, calls sched_pick() on every CPU whose
 * slice ended or that was told to reschedule, checks the invariants, and
 * lets each CPU run its unit for 1 ms. A last test drives the core from
 * two threads at once, for the locking.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <xen/console.h>
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/sched-core.h>

#include "fake_arch.h"

#define MS   MILLISECS(1)
#define US   MICROSECS(1)
#define MAXU 40
#define MAXC CONFIG_NR_CPUS

/* The core's ASSERT()s fail the test (panic.c is not linked in). */
void assert_failed(const char *expr, const char *file, int line, bool *seen)
{
	(void)seen;
	fail_msg("Assertion '%s' failed at %s:%d", expr, file, line);
}

struct sim_unit {
	struct sched_unit u;
	struct cpumask mask; /* as the test last set it */
	bool live;	     /* set up and not removed */
	bool blocked;	     /* blocked by the test */
	s_time_t burst_len;  /* runs this long, then sleeps; 0: CPU-bound */
	s_time_t sleep_len;
	s_time_t burst_left, wake_at;
	s_time_t ran, ran_on[MAXC]; /* as the simulator saw it */
	s_time_t total;		    /* ran, never reset */
	bool waiting;		    /* woken, not yet picked */
	s_time_t woke_at, max_latency;
	unsigned int wakes, wakes_kicking_own_cpu;
};

static struct sim_unit su[MAXU];
static unsigned int nr_units, ncpu;
static struct sched_unit *cur[MAXC];
static s_time_t until[MAXC], busy[MAXC], now;
static bool resched[MAXC];
static unsigned int idle_timer_picks;

static struct sim_unit *sim_of(struct sched_unit *u)
{
	return u->data;
}

static unsigned int idx(const struct sim_unit *s)
{
	return (unsigned int)(s - su);
}

static struct cpumask mask_of(uint64_t bits)
{
	struct cpumask m;

	cpumask_zero(&m);
	m.bits[0] = bits;
	return m;
}

static void sim_reset(unsigned int n)
{
	memset(su, 0, sizeof(su));
	memset(cur, 0, sizeof(cur));
	memset(until, 0, sizeof(until));
	memset(busy, 0, sizeof(busy));
	memset(resched, 0, sizeof(resched));
	nr_units = 0;
	ncpu = n;
	now = 0;
	idle_timer_picks = 0;
	sched_core_init(n);
}

static int setup(void **state)
{
	(void)state;
	sim_reset(1);
	return 0;
}

static unsigned int sim_add(unsigned int weight, unsigned int cap,
			    uint64_t cpus)
{
	struct sim_unit *s = &su[nr_units];

	s->mask = mask_of(cpus);
	assert_int_equal(
	    sched_unit_init(&s->u, nr_units, s, weight, cap, &s->mask), 0);
	assert_int_equal(sched_unit_state(&s->u), SCHED_BLOCKED);
	s->live = s->blocked = true;
	return nr_units++;
}

/* A CPU the core asked to reschedule. */
static void sim_kick(int r)
{
	if (r < 0) {
		assert_int_equal(r, -1);
		return;
	}
	assert_true((unsigned int)r < ncpu);
	resched[r] = true;
}

static void sim_wake(unsigned int i)
{
	struct sim_unit *s = &su[i];
	int r;

	s->blocked = false;
	s->burst_left = s->burst_len;
	r = sched_wake(&s->u, now);
	if (sched_unit_state(&s->u) == SCHED_RUNNABLE) {
		s->waiting = true;
		s->woke_at = now;
		s->wakes++;
		if (r == (int)sched_unit_cpu(&s->u))
			s->wakes_kicking_own_cpu++;
	}
	sim_kick(r);
}

static void sim_block(unsigned int i)
{
	su[i].blocked = true;
	su[i].waiting = false;
	sim_kick(sched_block(&su[i].u, now));
}

static void sim_pick(unsigned int c)
{
	struct sched_pick p = sched_pick(c, now);

	cur[c] = p.next;
	until[c] = p.until;
	if (p.until)
		assert_true(p.until > now);
	if (!p.next && p.until)
		idle_timer_picks++;
	if (p.next) {
		struct sim_unit *s = sim_of(p.next);

		assert_true(s->live && !s->blocked);
		assert_true(cpumask_test(&s->mask, c));
		assert_int_equal(sched_unit_state(p.next), SCHED_RUNNING);
		assert_int_equal(sched_unit_cpu(p.next), c);
		for (unsigned int o = 0; o < ncpu; o++)
			assert_true(o == c || cur[o] != p.next);
		if (s->waiting && now - s->woke_at > s->max_latency)
			s->max_latency = now - s->woke_at;
		s->waiting = false;
	}
	sim_kick(p.kick);
}

/*
 * A unit the core says is running is the pick of exactly one CPU, the one
 * it says it is on; a CPU's pick is running there or blocking.
 */
static void check_running(void)
{
	assert_int_equal(sched_check(), 0);
	for (unsigned int i = 0; i < nr_units; i++) {
		enum sched_state st = sched_unit_state(&su[i].u);
		unsigned int n = 0;

		for (unsigned int c = 0; c < ncpu; c++) {
			if (cur[c] != &su[i].u)
				continue;
			n++;
			assert_int_equal(sched_unit_cpu(&su[i].u), c);
		}
		if (st == SCHED_RUNNING)
			assert_int_equal(n, 1);
		else if (n)
			assert_int_equal(st, SCHED_BLOCKED);
		if (!su[i].live)
			assert_int_equal(st, SCHED_OFFLINE);
		else if (su[i].blocked)
			assert_int_equal(st, SCHED_BLOCKED);
		else
			assert_int_not_equal(st, SCHED_BLOCKED);
	}
}

static void sim_picks(void)
{
	for (unsigned int round = 0;; round++) {
		bool any = false;

		assert_true(round < 4 * MAXC);
		for (unsigned int c = 0; c < ncpu; c++) {
			if (!resched[c] && !(until[c] && now >= until[c]))
				continue;
			resched[c] = false;
			sim_pick(c);
			any = true;
		}
		if (!any)
			return;
	}
}

static void sim_step(void)
{
	for (unsigned int c = 0; c < ncpu; c++) {
		struct sim_unit *s = cur[c] ? sim_of(cur[c]) : NULL;

		if (s && s->burst_len && !s->burst_left && !s->blocked) {
			sim_block(idx(s));
			s->wake_at = now + s->sleep_len;
		}
	}
	for (unsigned int i = 0; i < nr_units; i++) {
		if (su[i].live && su[i].blocked && su[i].wake_at &&
		    now >= su[i].wake_at) {
			su[i].wake_at = 0;
			sim_wake(i);
		}
	}
	sim_picks();
	check_running();
	for (unsigned int c = 0; c < ncpu; c++) {
		struct sim_unit *s = cur[c] ? sim_of(cur[c]) : NULL;

		if (!s)
			continue;
		s->ran += MS;
		s->total += MS;
		s->ran_on[c] += MS;
		busy[c] += MS;
		if (s->burst_left)
			s->burst_left -= MS;
	}
	now += MS;
}

static void sim_run(unsigned int ms)
{
	for (unsigned int i = 0; i < ms; i++)
		sim_step();
}

static void wake_all(void)
{
	for (unsigned int i = 0; i < nr_units; i++)
		sim_wake(i);
}

/* ran within pct percent of want; the core's own count agrees. */
static void expect_ran(unsigned int i, s_time_t ran, s_time_t want,
		       unsigned int pct)
{
	s_time_t tol = want * pct / 100;
	s_time_t rt = sched_unit_runtime(&su[i].u);

	print_message("    unit %2u (weight %5u): %6llu ms, want %6llu ms\n", i,
		      su[i].u.weight, (unsigned long long)(ran / MS),
		      (unsigned long long)(want / MS));
	assert_true(ran + tol >= want && ran <= want + tol);
	assert_true(rt <= su[i].total && su[i].total - rt <= SCHED_SLICE);
}

/* CPU-bound units on ncpu CPUs for ms: each share ∝ its weight. */
static void expect_weighted_shares(unsigned int ms, unsigned int pct)
{
	uint64_t total = 0;

	for (unsigned int i = 0; i < nr_units; i++)
		total += su[i].u.weight;
	for (unsigned int i = 0; i < nr_units; i++)
		expect_ran(i, su[i].ran,
			   (s_time_t)ms * MS * ncpu * su[i].u.weight / total,
			   pct);
}

/* ---- CPU masks and arguments ---- */

static void test_cpumask(void **state)
{
	struct cpumask m;

	(void)state;
	cpumask_zero(&m);
	assert_true(cpumask_empty(&m));
	assert_int_equal(cpumask_first(&m), CPUMASK_NR);
	cpumask_set(&m, 200);
	cpumask_set(&m, 300); /* out of range: ignored */
	assert_false(cpumask_empty(&m));
	assert_true(cpumask_test(&m, 200));
	assert_false(cpumask_test(&m, 300));
	assert_false(cpumask_test(&m, 199));
	assert_int_equal(cpumask_first(&m), 200);
	cpumask_set(&m, 64);
	assert_int_equal(cpumask_first(&m), 64);
	cpumask_clear(&m, 64);
	cpumask_clear(&m, 200);
	assert_true(cpumask_empty(&m));
	cpumask_setall(&m);
	assert_true(cpumask_test(&m, 0) && cpumask_test(&m, 255));
	m = cpumask_of(3);
	assert_int_equal(cpumask_first(&m), 3);
	assert_false(cpumask_test(&m, 2));
}

static void test_bad_arguments(void **state)
{
	struct sched_unit u;
	struct cpumask none = mask_of(0), far = mask_of(1ull << 5);
	struct cpumask one = mask_of(1), high;
	struct sched_pick p;

	(void)state;
	sim_reset(2);
	cpumask_zero(&high);
	cpumask_set(&high, 255);
	assert_int_equal(sched_unit_init(NULL, 0, NULL, 256, 0, &one), -EINVAL);
	assert_int_equal(sched_unit_init(&u, 0, NULL, 256, 0, NULL), -EINVAL);
	assert_int_equal(sched_unit_init(&u, 0, NULL, 0, 0, &one), -EINVAL);
	assert_int_equal(sched_unit_init(&u, 0, NULL, 65536, 0, &one), -EINVAL);
	assert_int_equal(sched_unit_init(&u, 0, NULL, 256, 101, &one), -EINVAL);
	assert_int_equal(sched_unit_init(&u, 0, NULL, 256, 0, &none), -EINVAL);
	assert_int_equal(sched_unit_init(&u, 0, NULL, 256, 0, &far), -EINVAL);
	assert_int_equal(sched_unit_init(&u, 0, NULL, 256, 0, &high), -EINVAL);
	assert_int_equal(sched_unit_init(&u, 0, NULL, 1, 100, &one), 0);
	assert_int_equal(sched_unit_init(&u, 0, NULL, 65535, 0, &one), 0);

	assert_int_equal(sched_set_params(&u, 0, 0), -EINVAL);
	assert_int_equal(sched_set_params(&u, 256, 101), -EINVAL);
	assert_int_equal(sched_set_params(NULL, 256, 0), -EINVAL);
	assert_int_equal(sched_set_affinity(&u, &none), -EINVAL);
	assert_int_equal(sched_set_affinity(&u, &far), -EINVAL);
	assert_int_equal(sched_set_affinity(&u, NULL), -EINVAL);
	assert_int_equal(sched_set_affinity(NULL, &one), -EINVAL);
	assert_int_equal(sched_wake(NULL, 0), -EINVAL);
	assert_int_equal(sched_block(NULL, 0), -EINVAL);
	assert_int_equal(sched_unit_remove(NULL), -EINVAL);

	p = sched_pick(2, 0); /* no such CPU */
	assert_null(p.next);
	assert_int_equal(p.until, 0);
	assert_int_equal(p.kick, -1);
	p = sched_pick(0, 0); /* nothing runnable: idle, no timer */
	assert_null(p.next);
	assert_int_equal(p.until, 0);
	assert_int_equal(sched_check(), 0);
}

/* ---- Shares on one CPU ---- */

/*
 * A unit stays "on a CPU" from the pick that chose it until that CPU
 * says it switched away, whatever happens to it meanwhile: its vCPU may
 * not be freed before (domain_free_vcpus() waits for it).
 */
static void test_on_cpu_until_switched_out(void **state)
{
	struct cpumask one = mask_of(1);
	struct sched_unit u;
	struct sched_pick p;

	(void)state;
	sim_reset(1);
	assert_int_equal(sched_unit_init(&u, 0, NULL, 256, 0, &one), 0);
	assert_false(sched_unit_on_cpu(&u));
	sched_wake(&u, 0);
	p = sched_pick(0, 0);
	assert_ptr_equal(p.next, &u);
	assert_true(sched_unit_on_cpu(&u));
	/* Chosen again while it runs: one more switch away to come. */
	p = sched_pick(0, 1000);
	assert_ptr_equal(p.next, &u);
	sched_unit_switched_out(&u);
	assert_true(sched_unit_on_cpu(&u));
	/* Removed (its domain destroyed): its CPU still has it. */
	assert_int_equal(sched_unit_remove(&u), 0);
	assert_true(sched_unit_on_cpu(&u));
	p = sched_pick(0, 2000);
	assert_null(p.next);
	assert_true(sched_unit_on_cpu(&u));
	sched_unit_switched_out(&u);
	assert_false(sched_unit_on_cpu(&u));
}

static void test_weights_1_2(void **state)
{
	(void)state;
	sim_add(256, 0, 1);
	sim_add(512, 0, 1);
	wake_all();
	sim_run(10000);
	print_message("    ratio %.3f\n",
		      (double)su[1].ran / (double)su[0].ran);
	expect_weighted_shares(10000, 10);
	assert_int_equal(busy[0], SECONDS(10));
}

static void test_weights_1_1_2(void **state)
{
	(void)state;
	sim_add(256, 0, 1);
	sim_add(256, 0, 1);
	sim_add(512, 0, 1);
	wake_all();
	sim_run(10000);
	expect_weighted_shares(10000, 10);
}

static void test_equal_weights(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < 5; i++)
		sim_add(1000, 0, 1);
	wake_all();
	sim_run(10000);
	expect_weighted_shares(10000, 5);
}

/* Extreme weights: the light unit still runs, in proportion. */
static void test_extreme_weights(void **state)
{
	(void)state;
	sim_add(SCHED_WEIGHT_MIN, 0, 1);
	sim_add(100, 0, 1);
	wake_all();
	sim_run(10000);
	expect_weighted_shares(10000, 10);
	assert_true(su[0].ran > 0);
}

/*
 * A unit that ran a slice at weight 1 is a long way ahead in vruntime;
 * made weight 256, it keeps a lead of at most a slice, not 256 of them.
 */
static void test_reweight_keeps_lead_in_time(void **state)
{
	(void)state;
	sim_add(SCHED_WEIGHT_MIN, 0, 1);
	sim_add(256, 0, 1);
	wake_all();
	sim_run(20); /* unit 0 ran a slice, unit 1 now runs */
	assert_int_equal(su[0].ran, SCHED_SLICE);
	assert_int_equal(sched_set_params(&su[0].u, 256, 0), 0);
	su[0].ran = su[1].ran = 0;
	sim_run(1000);
	expect_ran(0, su[0].ran, MILLISECS(500), 5);
}

/* ---- Several CPUs ---- */

static void test_weights_two_cpus(void **state)
{
	(void)state;
	sim_reset(2);
	sim_add(256, 0, 3);
	sim_add(512, 0, 3);
	sim_add(256, 0, 3);
	sim_add(512, 0, 3);
	wake_all();
	sim_run(10000);
	expect_weighted_shares(10000, 10);
	assert_int_equal(busy[0] + busy[1], SECONDS(20));
}

static void test_32_units_two_cpus(void **state)
{
	(void)state;
	sim_reset(2);
	for (unsigned int i = 0; i < 32; i++)
		sim_add(256, 0, 3);
	wake_all();
	sim_run(10000);
	for (unsigned int i = 0; i < 32; i++)
		assert_true(su[i].ran > 0);
	expect_weighted_shares(10000, 10);
}

/* Three equal units on two CPUs: they take turns on the lighter CPU. */
static void test_three_on_two(void **state)
{
	(void)state;
	sim_reset(2);
	for (unsigned int i = 0; i < 3; i++)
		sim_add(256, 0, 3);
	wake_all();
	sim_run(10000);
	expect_weighted_shares(10000, 10);
}

/* Woken all at once, units spread over the idle CPUs at once. */
static void test_wake_spreads(void **state)
{
	(void)state;
	sim_reset(4);
	for (unsigned int i = 0; i < 4; i++)
		sim_add(256, 0, 0xf);
	wake_all();
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(sched_unit_cpu(&su[i].u), i);
	sim_run(100);
	for (unsigned int c = 0; c < 4; c++)
		assert_int_equal(busy[c], MILLISECS(100));
}

/* Woken on CPU 0, then allowed everywhere: CPU 1 is kicked and pulls. */
static void test_balance_pulls(void **state)
{
	(void)state;
	sim_reset(2);
	for (unsigned int i = 0; i < 4; i++)
		sim_add(256, 0, 1);
	wake_all();
	sim_run(5);
	for (unsigned int i = 0; i < 4; i++) {
		su[i].mask = mask_of(3);
		assert_int_equal(sched_set_affinity(&su[i].u, &su[i].mask), -1);
	}
	sim_run(1995);
	print_message("    busy: CPU 0 %llu ms, CPU 1 %llu ms of 2000\n",
		      (unsigned long long)(busy[0] / MS),
		      (unsigned long long)(busy[1] / MS));
	assert_true(busy[0] > MILLISECS(1800) && busy[1] > MILLISECS(1800));
	assert_true(busy[1] >= MILLISECS(1980)); /* pulled within a slice */
	for (unsigned int i = 0; i < 4; i++)
		su[i].ran = 0;
	sim_run(4000);
	expect_weighted_shares(4000, 10);
}

/* Unit 0 woken at time 0 and running on CPU 0. */
static void run_unit0(void)
{
	assert_int_equal(sched_wake(&su[0].u, 0), 0);
	assert_ptr_equal(sched_pick(0, 0).next, &su[0].u);
}

/*
 * A wake from an idle CPU (an interrupt or a timer in its idle loop)
 * runs the unit there, on a CPU already awake; from one the unit may not
 * use, or from no CPU, it goes where it would anyway (its own CPU, idle).
 */
static void test_wake_from_idle_cpu(void **state)
{
	(void)state;
	sim_reset(3);
	sim_add(256, 0, 7);
	sim_add(256, 0, 3);
	run_unit0();
	assert_int_equal(sched_block(&su[0].u, MS), 0);
	assert_null(sched_pick(0, MS).next);
	/* CPU 2 idles: 0 is woken there. */
	assert_int_equal(sched_wake_from(&su[0].u, 2 * MS, 2), 2);
	assert_int_equal(sched_unit_cpu(&su[0].u), 2);
	assert_ptr_equal(sched_pick(2, 2 * MS).next, &su[0].u);
	assert_int_equal(sched_block(&su[0].u, 3 * MS), 2);
	assert_null(sched_pick(2, 3 * MS).next);
	/* From CPU 2, idle, but 1 may not run there. */
	assert_int_equal(sched_wake_from(&su[1].u, 4 * MS, 2), 0);
	assert_int_equal(sched_unit_cpu(&su[1].u), 0);
	/* A CPU that does not exist is no idle CPU. */
	assert_int_equal(sched_wake_from(&su[0].u, 5 * MS, 9), 2);
	assert_int_equal(sched_check(), 0);
}

/*
 * A wake from a busy CPU, where its own is idle: the unit waits behind
 * the waker (no preemption, no IPI) and runs when the waker blocks; if
 * the waker runs on, sched_handoff() gives it an idle CPU to move to.
 */
static void test_wake_behind(void **state)
{
	(void)state;
	sim_reset(2);
	sim_add(256, 0, 3);
	sim_add(256, 0, 3);
	run_unit0();
	assert_int_equal(sched_handoff(0), -1); /* nothing waits */
	/* From CPU 0, busy with 0: 1 waits there, CPU 1 stays asleep. */
	assert_int_equal(sched_wake_from(&su[1].u, 10 * US, 0), SCHED_BEHIND);
	assert_int_equal(sched_unit_cpu(&su[1].u), 0);
	assert_int_equal(sched_unit_state(&su[1].u), SCHED_RUNNABLE);
	/* The waker blocks: 1 runs on CPU 0. */
	assert_int_equal(sched_block(&su[0].u, 20 * US), 0);
	assert_ptr_equal(sched_pick(0, 20 * US).next, &su[1].u);
	/* 1 wakes 0, then runs on: the hand-off sends 0 to CPU 1. */
	assert_int_equal(sched_wake_from(&su[0].u, 30 * US, 0), SCHED_BEHIND);
	assert_int_equal(sched_handoff(0), 1);
	assert_ptr_equal(sched_pick(1, 40 * US).next, &su[0].u);
	assert_int_equal(sched_unit_cpu(&su[0].u), 1);
	assert_int_equal(sched_handoff(0), -1);
	assert_int_equal(sched_handoff(7), -1); /* no such CPU */
	assert_int_equal(sched_check(), 0);
}

/*
 * Not behind: when a unit already waits on the waker's CPU, or the woken
 * unit may not run there, it goes to its idle CPU as before; when no CPU
 * idles, to the least loaded one.
 */
static void test_wake_not_behind(void **state)
{
	(void)state;
	sim_reset(2);
	sim_add(256, 0, 3);
	sim_add(256, 0, 3);
	sim_add(256, 0, 3);
	sim_add(256, 0, 2);
	run_unit0();
	/* 3 may not run on CPU 0: it goes to CPU 1, idle. */
	assert_int_equal(sched_wake_from(&su[3].u, 10 * US, 0), 1);
	assert_int_equal(sched_unit_cpu(&su[3].u), 1);
	assert_ptr_equal(sched_pick(1, 10 * US).next, &su[3].u);
	assert_int_equal(sched_block(&su[3].u, 20 * US), 1);
	assert_null(sched_pick(1, 20 * US).next);
	/* 1 waits behind 0; 2 finds it there and goes to idle CPU 1. */
	assert_int_equal(sched_wake_from(&su[1].u, 30 * US, 0), SCHED_BEHIND);
	assert_int_equal(sched_wake_from(&su[2].u, 30 * US, 0), 1);
	assert_int_equal(sched_unit_cpu(&su[2].u), 1);
	assert_ptr_equal(sched_pick(1, 30 * US).next, &su[2].u);
	/* Both CPUs busy: 3 waits on its only CPU, no hand-off owed. */
	assert_true(sched_wake_from(&su[3].u, 40 * US, 0) != SCHED_BEHIND);
	assert_int_equal(sched_unit_cpu(&su[3].u), 1);
	assert_int_equal(sched_check(), 0);
}

/*
 * A waker that runs on long after its wakes (a producer streaming to its
 * consumer) has them woken on the idle CPU, beside it; once it gives its
 * CPU up soon after its wakes again, they wait behind it again.
 */
static void test_wake_beside_runner(void **state)
{
	s_time_t t = 2020 * US;
	unsigned int beside = 0;

	(void)state;
	sim_reset(2);
	sim_add(256, 0, 3);
	sim_add(256, 0, 3);
	run_unit0();
	assert_int_equal(sched_wake_from(&su[1].u, 10 * US, 0), SCHED_BEHIND);
	assert_int_equal(sched_handoff(0), 1);
	assert_ptr_equal(sched_pick(1, 1010 * US).next, &su[1].u);
	/* 0 ran on 2 ms after its wake: 500 us on average now. */
	assert_ptr_equal(sched_pick(0, 2010 * US).next, &su[0].u);
	assert_int_equal(sched_block(&su[1].u, t), 1);
	assert_null(sched_pick(1, t).next);
	/* Each round 0 blocks 5 us after its wake: a quarter closer. */
	for (int kick; (kick = sched_wake_from(&su[1].u, t, 0)) == 1;) {
		beside++;
		assert_ptr_equal(sched_pick(1, t).next, &su[1].u);
		assert_int_equal(sched_block(&su[0].u, t + 5 * US), 0);
		assert_null(sched_pick(0, t + 5 * US).next);
		assert_int_equal(sched_block(&su[1].u, t + 6 * US), 1);
		assert_null(sched_pick(1, t + 6 * US).next);
		assert_int_equal(sched_wake(&su[0].u, t + 7 * US), 0);
		assert_ptr_equal(sched_pick(0, t + 7 * US).next, &su[0].u);
		t += 100 * US;
	}
	/* 500, 376, 283, 213 us: beside; 161 us: behind again. */
	assert_int_equal(beside, 4);
	assert_int_equal(sched_unit_cpu(&su[1].u), 0);
	assert_int_equal(sched_unit_state(&su[1].u), SCHED_RUNNABLE);
	assert_int_equal(sched_check(), 0);
}

/* ---- Caps ---- */

static void test_cap_alone(void **state)
{
	struct sched_pick p;

	(void)state;
	sim_add(256, 25, 1);
	wake_all();
	sim_run(10000);
	expect_ran(0, su[0].ran, SECONDS(10) / 4, 3 * 4); /* 25% +- 3% */
	assert_true(idle_timer_picks >= 99);
	/* Its 25 ms spent, the CPU idles until the refill. */
	sim_run(30);
	assert_null(cur[0]);
	assert_int_equal(until[0], SECONDS(10) + SCHED_CAP_PERIOD);
	assert_int_equal(sched_unit_state(&su[0].u), SCHED_PARKED);
	p = sched_pick(0, until[0]);
	assert_ptr_equal(p.next, &su[0].u);
	assert_int_equal(p.until, SECONDS(10) + SCHED_CAP_PERIOD + SCHED_SLICE);
}

/* A capped unit beside an uncapped one: the cap holds, nothing idles. */
static void test_cap_with_competitor(void **state)
{
	(void)state;
	sim_add(4096, 10, 1);
	sim_add(256, 0, 1);
	wake_all();
	sim_run(10000);
	expect_ran(0, su[0].ran, SECONDS(1), 30);
	assert_true(su[0].ran <= SECONDS(1) + MILLISECS(300));
	assert_int_equal(busy[0], SECONDS(10));
	/* Uncapped again: it takes its weight's share. */
	assert_int_equal(sched_set_params(&su[0].u, 256, 0), 0);
	su[0].ran = su[1].ran = 0;
	sim_run(4000);
	expect_ran(0, su[0].ran, SECONDS(2), 10);
}

/* A cap set later, on a waiting unit, applies from the next period. */
static void test_cap_set_later(void **state)
{
	(void)state;
	sim_add(256, 0, 1);
	wake_all();
	sim_run(1000);
	assert_int_equal(sched_set_params(&su[0].u, 256, 50), 0);
	su[0].ran = 0;
	sim_run(10000);
	expect_ran(0, su[0].ran, SECONDS(5), 6);
}

/* ---- Affinity ---- */

static void test_affinity_pinned(void **state)
{
	(void)state;
	sim_reset(2);
	sim_add(256, 0, 2); /* pinned to CPU 1 */
	for (unsigned int i = 0; i < 3; i++)
		sim_add(256, 0, 3);
	wake_all();
	sim_run(3000);
	assert_int_equal(su[0].ran_on[0], 0);
	assert_true(su[0].ran_on[1] > MILLISECS(500));
	assert_int_equal(sched_unit_cpu(&su[0].u), 1);

	/* Now only CPU 0: it moves there and never runs on CPU 1 again. */
	s_time_t on1 = su[0].ran_on[1];

	su[0].mask = mask_of(1);
	sim_kick(sched_set_affinity(&su[0].u, &su[0].mask));
	sim_run(3000);
	assert_true(su[0].ran_on[1] <= on1 + MS);
	assert_true(su[0].ran_on[0] > MILLISECS(500));
	assert_int_equal(sched_unit_cpu(&su[0].u), 0);
}

/* Affinity that excludes the CPU moves a waiting unit at once. */
static void test_affinity_moves_waiting(void **state)
{
	struct sched_unit *waiting;
	unsigned int w;

	(void)state;
	sim_reset(2);
	sim_add(256, 0, 1);
	sim_add(256, 0, 1);
	wake_all();
	sim_run(3); /* one runs on CPU 0, the other waits there */
	waiting = cur[0] == &su[0].u ? &su[1].u : &su[0].u;
	w = idx(sim_of(waiting));
	assert_int_equal(sched_unit_state(waiting), SCHED_RUNNABLE);
	su[w].mask = mask_of(2);
	/* CPU 1 is idle: it is told to pick. */
	assert_int_equal(sched_set_affinity(waiting, &su[w].mask), 1);
	assert_int_equal(sched_unit_cpu(waiting), 1);
	resched[1] = true;
	sim_run(1);
	assert_ptr_equal(cur[1], waiting);

	/* The running one: its CPU is returned, its pick moves it. */
	unsigned int r = 1 - w;

	su[r].mask = mask_of(2);
	assert_int_equal(sched_set_affinity(&su[r].u, &su[r].mask), 0);
	assert_int_equal(sched_unit_state(&su[r].u), SCHED_RUNNING);
	resched[0] = true;
	sim_run(1);
	assert_null(cur[0]);
	assert_int_equal(sched_unit_cpu(&su[r].u), 1);
	sim_run(1000);
	assert_true(su[r].ran_on[1] > MILLISECS(400));
	assert_true(su[w].ran_on[1] > MILLISECS(400));
}

/* A blocked unit's new affinity applies when it wakes. */
static void test_affinity_blocked(void **state)
{
	(void)state;
	sim_reset(3);
	sim_add(256, 0, 1);
	su[0].mask = mask_of(4);
	assert_int_equal(sched_set_affinity(&su[0].u, &su[0].mask), -1);
	sim_wake(0);
	assert_int_equal(sched_unit_cpu(&su[0].u), 2);
	sim_run(10);
	assert_int_equal(su[0].ran_on[2], MILLISECS(10));
}

/* ---- Wake-up boost ---- */

static void test_wake_boost(void **state)
{
	(void)state;
	sim_add(256, 0, 1);
	sim_add(256, 0, 1);
	sim_add(256, 0, 1); /* the I/O unit */
	su[2].burst_len = MS;
	su[2].sleep_len = MILLISECS(20);
	su[2].wake_at = MILLISECS(55); /* first woken while the others run */
	sim_wake(0);
	sim_wake(1);
	sim_run(3000);
	print_message("    %u wakes, %u kicked its CPU, max latency %llu ns\n",
		      su[2].wakes, su[2].wakes_kicking_own_cpu,
		      (unsigned long long)su[2].max_latency);
	assert_true(su[2].wakes > 100);
	assert_int_equal(su[2].wakes_kicking_own_cpu, su[2].wakes);
	assert_true(su[2].max_latency <= MS);

	/* CPU-bound from now on: a third, not more. */
	su[2].burst_len = 0;
	if (su[2].blocked)
		sim_wake(2);
	for (unsigned int i = 0; i < 3; i++)
		su[i].ran = 0;
	sim_run(6000);
	expect_weighted_shares(6000, 10);
}

/* The boost works on a CPU shared with other CPUs' units too. */
static void test_wake_boost_two_cpus(void **state)
{
	(void)state;
	sim_reset(2);
	for (unsigned int i = 0; i < 4; i++)
		sim_add(256, 0, 3);
	sim_add(256, 0, 3);
	su[4].burst_len = 2 * MS;
	su[4].sleep_len = MILLISECS(20);
	su[4].wake_at = MILLISECS(55);
	for (unsigned int i = 0; i < 4; i++)
		sim_wake(i);
	sim_run(3000);
	print_message("    %u wakes, max latency %llu ns\n", su[4].wakes,
		      (unsigned long long)su[4].max_latency);
	assert_true(su[4].wakes > 100);
	assert_true(su[4].max_latency <= MS);
}

/* ---- Block, wake, remove ---- */

static void test_block_wake(void **state)
{
	(void)state;
	sim_add(256, 0, 1);
	sim_add(256, 0, 1);
	assert_int_equal(sched_block(&su[0].u, 0), -1); /* already blocked */
	wake_all();
	assert_int_equal(sched_wake(&su[0].u, 0), -1); /* already runnable */
	sim_run(2);
	unsigned int r = cur[0] == &su[0].u ? 0 : 1, w = 1 - r;

	/* Block the waiting one: it is not picked until woken. */
	assert_int_equal(sched_block(&su[w].u, now), -1);
	su[w].blocked = true;
	sim_run(100);
	assert_int_equal(su[w].ran, 0);
	sim_wake(w);
	sim_run(100);
	assert_true(su[w].ran >= MILLISECS(40));

	/* Block the running one: its CPU is returned. */
	r = cur[0] == &su[0].u ? 0 : 1;
	assert_int_equal(sched_block(&su[r].u, now), 0);
	su[r].blocked = true;
	assert_int_equal(sched_unit_state(&su[r].u), SCHED_BLOCKED);
	resched[0] = true;
	sim_run(1);
	assert_ptr_equal(cur[0], &su[1 - r].u);
}

/* Woken again before its CPU picked: it is still that CPU's pick. */
static void test_wake_while_blocking(void **state)
{
	struct sched_pick p;

	(void)state;
	sim_add(256, 0, 1);
	sim_wake(0);
	sim_run(3);
	assert_int_equal(sched_block(&su[0].u, now), 0);
	assert_int_equal(sched_wake(&su[0].u, now), -1);
	assert_int_equal(sched_unit_state(&su[0].u), SCHED_RUNNING);
	assert_int_equal(sched_check(), 0);
	p = sched_pick(0, now + MS);
	assert_ptr_equal(p.next, &su[0].u);
	assert_int_equal(sched_unit_runtime(&su[0].u), 4 * MS);
	/* Blocked, then picked: the CPU idles. */
	assert_int_equal(sched_block(&su[0].u, now + 2 * MS), 0);
	p = sched_pick(0, now + 3 * MS);
	assert_null(p.next);
	assert_int_equal(p.until, 0);
	assert_int_equal(sched_check(), 0);
}

/* Removed running or waiting: never picked again, every call refused. */
static void test_remove(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < 3; i++)
		sim_add(256, 0, 1);
	wake_all();
	sim_run(2);
	/* The running one: its CPU is returned and never picks it again. */
	unsigned int r = idx(sim_of(cur[0])), w = 0;

	assert_int_equal(sched_unit_remove(&su[r].u), 0);
	su[r].live = false;
	cur[0] = NULL;
	assert_int_equal(sched_unit_state(&su[r].u), SCHED_OFFLINE);
	resched[0] = true;
	sim_run(1);
	assert_ptr_not_equal(cur[0], &su[r].u);
	/* A waiting one. */
	while (w == r || cur[0] == &su[w].u)
		w++;
	assert_int_equal(sched_unit_remove(&su[w].u), -1);
	su[w].live = false;
	s_time_t ran_r = su[r].ran, ran_w = su[w].ran;

	sim_run(200);
	assert_int_equal(su[r].ran, ran_r);
	assert_int_equal(su[w].ran, ran_w);
	assert_int_equal(busy[0], MILLISECS(203));
	/* Gone for good. */
	assert_int_equal(sched_unit_remove(&su[r].u), -EINVAL);
	assert_int_equal(sched_wake(&su[r].u, now), -EINVAL);
	assert_int_equal(sched_block(&su[r].u, now), -EINVAL);
	assert_int_equal(sched_set_params(&su[r].u, 256, 0), -EINVAL);
	assert_int_equal(sched_set_affinity(&su[r].u, &su[r].mask), -EINVAL);
}

/* Blocking, then removed before its CPU picked: the CPU idles. */
static void test_remove_blocking(void **state)
{
	struct sched_pick p;

	(void)state;
	sim_add(256, 0, 1);
	sim_wake(0);
	sim_run(2);
	assert_int_equal(sched_block(&su[0].u, now), 0);
	assert_int_equal(sched_unit_remove(&su[0].u), 0);
	p = sched_pick(0, now);
	assert_null(p.next);
	assert_int_equal(sched_check(), 0);
	/* Set up again, it runs again. */
	assert_int_equal(
	    sched_unit_init(&su[0].u, 0, &su[0], 256, 0, &su[0].mask), 0);
	assert_int_equal(sched_wake(&su[0].u, now), 0);
	p = sched_pick(0, now);
	assert_ptr_equal(p.next, &su[0].u);
}

/* A parked unit (out of cap budget) can be blocked and removed. */
static void test_remove_parked(void **state)
{
	(void)state;
	sim_add(256, 10, 1);
	sim_add(256, 10, 1);
	wake_all();
	sim_run(50);
	assert_int_equal(sched_unit_state(&su[0].u), SCHED_PARKED);
	assert_int_equal(sched_block(&su[0].u, now), -1);
	su[0].blocked = true;
	sim_wake(0); /* still out of budget: parked again */
	assert_int_equal(sched_unit_state(&su[0].u), SCHED_PARKED);
	assert_int_equal(sched_unit_remove(&su[1].u), -1);
	su[1].live = false;
	sim_run(1000);
	assert_int_equal(su[1].ran, MILLISECS(10));
	expect_ran(0, su[0].ran, MILLISECS(110), 10);
}

/* ---- Robustness ---- */

/*
 * A caller very late to pick: vruntime and budget saturate, the order
 * survives, and the debt of a capped unit is forgiven after long enough.
 */
static void test_late_caller(void **state)
{
	struct sched_pick p;

	(void)state;
	sim_add(SCHED_WEIGHT_MIN, 0, 1);
	sim_add(SCHED_WEIGHT_MAX, 0, 1);
	sim_add(256, 50, 1);
	sim_wake(0);
	p = sched_pick(0, 0);
	assert_ptr_equal(p.next, &su[0].u);
	now = SECONDS(86400ull * 365 * 100); /* a century */
	sim_wake(1);
	assert_int_equal(sched_check(), 0);
	p = sched_pick(0, now);
	assert_ptr_equal(p.next, &su[1].u);
	assert_int_equal(sched_unit_runtime(&su[0].u), now);
	p = sched_pick(0, now + SCHED_SLICE);
	assert_ptr_equal(p.next, &su[1].u);
	assert_int_equal(sched_block(&su[1].u, now + SCHED_SLICE), 0);
	assert_int_equal(sched_block(&su[0].u, now + SCHED_SLICE), -1);
	now += SCHED_SLICE;
	sim_wake(2);
	p = sched_pick(0, now);
	assert_ptr_equal(p.next, &su[2].u);
	/* Late by another century: the debt saturates, and is forgiven. */
	now *= 2;
	p = sched_pick(0, now);
	assert_ptr_equal(p.next, &su[2].u);
	/* Late by 350 ms: 300 ms of debt, paid back at 50 ms a period. */
	now = (now / SCHED_CAP_PERIOD + 1) * SCHED_CAP_PERIOD;
	p = sched_pick(0, now);
	assert_ptr_equal(p.next, &su[2].u);
	assert_int_equal(p.until, now + SCHED_SLICE);
	s_time_t rt0 = sched_unit_runtime(&su[2].u);

	p = sched_pick(0, now + MILLISECS(350));
	for (unsigned int n = 0; !p.next; n++) {
		assert_int_equal(p.until, now + (n + 4) * SCHED_CAP_PERIOD);
		p = sched_pick(0, p.until);
	}
	assert_int_equal(p.until, now + MILLISECS(700) + SCHED_SLICE);
	assert_int_equal(sched_unit_runtime(&su[2].u), rt0 + MILLISECS(350));
	assert_int_equal(sched_check(), 0);
	(void)sched_pick(0, now + MILLISECS(700) + MS);
	assert_int_equal(sched_unit_runtime(&su[2].u), rt0 + MILLISECS(351));
}

static void test_dump(void **state)
{
	(void)state;
	fake_serial_reset();
	console_init();
	sim_reset(2);
	sim_add(256, 0, 1);
	sim_add(300, 20, 1);
	sim_add(256, 0, 2);
	wake_all();
	sim_run(15);
	fake_serial_reset();
	sched_dump(0);
	sched_dump(1);
	sched_dump(7); /* no such CPU: nothing */
	assert_non_null(strstr(fake_serial_out, "CPU 0: load"));
	assert_non_null(strstr(fake_serial_out, "CPU 1: load 256"));
	assert_non_null(strstr(fake_serial_out, "running unit"));
	assert_non_null(strstr(fake_serial_out, "weight 300 cap 20"));
	assert_null(strstr(fake_serial_out, "CPU 7"));
}

/* Random operations, with the invariants checked after each. */
static void random_params(struct sim_unit *s)
{
	unsigned int w = (unsigned int)rand() % 70000;
	unsigned int cap =
	    (unsigned int)rand() % 3 ? 0 : (unsigned int)rand() % 110;
	bool ok = w >= 1 && w <= 65535 && cap <= 100;

	assert_int_equal(sched_set_params(&s->u, w, cap), ok ? 0 : -EINVAL);
}

static void random_affinity(struct sim_unit *s)
{
	struct cpumask m = mask_of((uint64_t)rand() & 0x3f);
	int r = sched_set_affinity(&s->u, &m);

	if (!(m.bits[0] & 0xf)) {
		assert_int_equal(r, -EINVAL); /* no existing CPU */
		return;
	}
	s->mask = m;
	sim_kick(r);
}

static void random_remove(struct sim_unit *s)
{
	int r = sched_unit_remove(&s->u);

	s->live = false;
	if (r < 0) {
		assert_int_equal(r, -1);
		return;
	}
	/* The caller switches away at once. */
	assert_ptr_equal(cur[r], &s->u);
	cur[r] = NULL;
	resched[r] = false;
	sim_pick((unsigned int)r);
}

/* A CPU told to reschedule, or any. */
static void random_pick(void)
{
	unsigned int c = 0;

	while (c < ncpu && !resched[c])
		c++;
	if (c == ncpu || rand() % 4 == 0)
		c = (unsigned int)rand() % ncpu;
	resched[c] = false;
	sim_pick(c);
}

static void random_op(void)
{
	unsigned int i = (unsigned int)rand() % nr_units;
	struct sim_unit *s = &su[i];
	unsigned int op = (unsigned int)rand() % 100;

	if (!s->live) {
		if (op < 10) {
			assert_int_equal(
			    sched_unit_init(&s->u, i, s, 256, 0, &s->mask), 0);
			s->live = s->blocked = true;
		}
	} else if (op < 25) {
		sim_wake(i);
	} else if (op < 40) {
		sim_block(i);
	} else if (op < 48) {
		random_params(s);
	} else if (op < 58) {
		random_affinity(s);
	} else if (op < 60) {
		random_remove(s);
	} else if (op < 90) {
		random_pick();
	} else {
		now += (s_time_t)(rand() % 3000) * MICROSECS(1);
	}
}

static void test_random(void **state)
{
	(void)state;
	srand(11);
	sim_reset(4);
	for (unsigned int i = 0; i < 24; i++)
		sim_add(256, 0, (uint64_t)(rand() % 15) + 1);
	for (unsigned int n = 0; n < 30000; n++) {
		random_op();
		check_running();
	}
	/* Then everything live runs, caps lifted: every unit gets its turn. */
	for (unsigned int i = 0; i < nr_units; i++) {
		if (!su[i].live)
			continue;
		assert_int_equal(sched_set_params(&su[i].u, 256, 0), 0);
		if (su[i].blocked)
			sim_wake(i);
		su[i].ran = 0;
	}
	for (unsigned int c = 0; c < ncpu; c++)
		resched[c] = true;
	now += MS;
	sim_run(2000);
	for (unsigned int i = 0; i < nr_units; i++)
		if (su[i].live)
			assert_true(su[i].ran > 0);
}

/*
 * Real concurrency: two threads (no more than the host's CPUs: a preempted
 * lock holder stalls the rest) each act as two of four CPUs, picking on
 * them and waking, blocking, moving, re-weighting, removing and re-adding
 * their own units, which the other thread's CPUs pull and push around.
 */
#define SMP_THREADS 2
#define SMP_UNITS   24
#define SMP_ROUNDS  20000

static s_time_t smp_clock;
static unsigned int smp_failures;

static void smp_op(unsigned int t, unsigned int *seed)
{
	unsigned int i = t + SMP_THREADS * ((unsigned int)rand_r(seed) %
					    (SMP_UNITS / SMP_THREADS));
	unsigned int c = t + SMP_THREADS * ((unsigned int)rand_r(seed) % 2);
	struct sim_unit *s = &su[i];
	s_time_t t_now =
	    __atomic_add_fetch(&smp_clock, MICROSECS(100), __ATOMIC_RELAXED);
	unsigned int op = (unsigned int)rand_r(seed) % 100;
	struct cpumask m = mask_of((uint64_t)rand_r(seed) % 15 + 1);
	int r = 0;

	if (!s->live) {
		s->live = sched_unit_init(&s->u, i, s, 256, 0, &s->mask) == 0;
		s->blocked = true;
	} else if (op < 30) {
		r = sched_wake(&s->u, t_now);
		s->blocked = false;
	} else if (op < 45) {
		r = sched_block(&s->u, t_now);
		s->blocked = true;
	} else if (op < 55) {
		r = sched_set_affinity(&s->u, &m);
		s->mask = m;
	} else if (op < 60) {
		r = sched_set_params(&s->u,
				     (unsigned int)rand_r(seed) % 1000 + 1,
				     (unsigned int)rand_r(seed) % 2 ? 0 : 30);
	} else if (op < 62) {
		r = sched_unit_remove(&s->u);
		s->live = false;
	} else {
		struct sched_pick p = sched_pick(c, t_now);

		cur[c] = p.next;
		r = p.kick;
	}
	if (r < -1 || r >= 4)
		__atomic_add_fetch(&smp_failures, 1, __ATOMIC_RELAXED);
}

static void *smp_worker(void *arg)
{
	unsigned int t = (unsigned int)(uintptr_t)arg, seed = 17 + t;

	for (unsigned int n = 0; n < SMP_ROUNDS; n++) {
		smp_op(t, &seed);
		if (n % 512 == 0 && sched_check())
			__atomic_add_fetch(&smp_failures, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void test_smp(void **state)
{
	pthread_t th[SMP_THREADS];

	(void)state;
	sim_reset(4);
	for (unsigned int i = 0; i < SMP_UNITS; i++)
		sim_add(256, 0, 0xf);
	smp_clock = 0;
	smp_failures = 0;
	for (uintptr_t t = 0; t < SMP_THREADS; t++)
		assert_int_equal(
		    pthread_create(&th[t], NULL, smp_worker, (void *)t), 0);
	for (unsigned int t = 0; t < SMP_THREADS; t++)
		pthread_join(th[t], NULL);
	assert_int_equal(smp_failures, 0);
	assert_int_equal(sched_check(), 0);

	/*
	 * Single-threaded from here: every live unit gets to run. A CPU whose
	 * unit was removed by the other thread never switched away from it:
	 * forget those, and let every CPU pick.
	 */
	now = smp_clock + MS;
	memset(cur, 0, sizeof(cur));
	for (unsigned int c = 0; c < ncpu; c++)
		sim_pick(c);
	for (unsigned int i = 0; i < nr_units; i++) {
		if (su[i].live)
			assert_int_equal(sched_set_params(&su[i].u, 256, 0), 0);
		if (su[i].live && su[i].blocked)
			sim_wake(i);
		su[i].ran = 0;
	}
	sim_run(2000);
	for (unsigned int i = 0; i < nr_units; i++)
		if (su[i].live)
			assert_true(su[i].ran > 0);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_cpumask),
		T(test_bad_arguments),
		T(test_on_cpu_until_switched_out),
		T(test_weights_1_2),
		T(test_weights_1_1_2),
		T(test_equal_weights),
		T(test_extreme_weights),
		T(test_reweight_keeps_lead_in_time),
		T(test_weights_two_cpus),
		T(test_32_units_two_cpus),
		T(test_three_on_two),
		T(test_wake_spreads),
		T(test_balance_pulls),
		T(test_wake_from_idle_cpu),
		T(test_wake_behind),
		T(test_wake_not_behind),
		T(test_wake_beside_runner),
		T(test_cap_alone),
		T(test_cap_with_competitor),
		T(test_cap_set_later),
		T(test_affinity_pinned),
		T(test_affinity_moves_waiting),
		T(test_affinity_blocked),
		T(test_wake_boost),
		T(test_wake_boost_two_cpus),
		T(test_block_wake),
		T(test_wake_while_blocking),
		T(test_remove),
		T(test_remove_blocking),
		T(test_remove_parked),
		T(test_late_caller),
		T(test_dump),
		T(test_random),
		T(test_smp),
	};

	return cmocka_run_group_tests_name("sched", tests, NULL, NULL);
}
