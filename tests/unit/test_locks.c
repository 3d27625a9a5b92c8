/* Spinlocks and reader-writer locks, under real contention from threads. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <xen/spinlock.h>

#define THREADS 2 /* no more than the CPUs: a preempted holder stalls all */
#define ROUNDS	10000

static DEFINE_SPINLOCK(lock);
static rwlock_t rw = RW_LOCK_UNLOCKED;
static volatile uint64_t counter, pair_a, pair_b;
static volatile unsigned int torn_reads;

static void *spin_worker(void *arg)
{
	(void)arg;
	for (unsigned int i = 0; i < ROUNDS; i++) {
		spin_lock(&lock);
		counter =
		    counter + 1; /* not atomic: the lock must make it so */
		spin_unlock(&lock);
	}
	return NULL;
}

static void run_threads(void *(*fn)(void *))
{
	pthread_t t[THREADS];

	for (uintptr_t i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, fn, (void *)i), 0);
	for (unsigned int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
}

static void test_spinlock_mutual_exclusion(void **state)
{
	(void)state;
	counter = 0;
	run_threads(spin_worker);
	assert_int_equal(counter, THREADS * ROUNDS);
	assert_false(spin_is_locked(&lock));
}

static void test_trylock(void **state)
{
	spinlock_t l = SPIN_LOCK_UNLOCKED;

	(void)state;
	assert_true(spin_trylock(&l));
	assert_true(spin_is_locked(&l));
	assert_false(spin_trylock(&l));
	spin_unlock(&l);
	assert_false(spin_is_locked(&l));
	assert_true(spin_trylock(&l));
	spin_unlock(&l);
}

/* Thread 0 writes a pair that must always be equal; the rest read it. */
static void *rw_worker(void *arg)
{
	for (unsigned int i = 0; i < ROUNDS; i++) {
		if ((uintptr_t)arg == 0 || i % 16 == 0) {
			write_lock(&rw);
			pair_a = pair_a + 1;
			pair_b = pair_b + 1;
			write_unlock(&rw);
		} else {
			read_lock(&rw);
			if (pair_a != pair_b)
				__atomic_fetch_add(&torn_reads, 1,
						   __ATOMIC_RELAXED);
			read_unlock(&rw);
		}
	}
	return NULL;
}

static void test_rwlock(void **state)
{
	(void)state;
	run_threads(rw_worker);
	assert_int_equal(torn_reads, 0);
	assert_int_equal(pair_a, ROUNDS + (THREADS - 1) * (ROUNDS / 16));
	assert_int_equal(rw.cnts, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spinlock_mutual_exclusion),
		cmocka_unit_test(test_trylock),
		cmocka_unit_test(test_rwlock),
	};

	return cmocka_run_group_tests_name("locks", tests, NULL, NULL);
}
