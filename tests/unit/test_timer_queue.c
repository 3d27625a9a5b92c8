/* The timer heap: order, removal from anywhere, re-arming, handlers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <xen/errno.h>
#include <xen/timer.h>

#define MAX 64

static struct timer_queue q;
static struct timer *storage[MAX + 1];
static struct timer timers[MAX + 1];
static s_time_t fired[4 * MAX];
static unsigned int nr_fired;

static void record(void *data)
{
	struct timer *t = data;

	fired[nr_fired++] = t->expires;
}

static int setup(void **state)
{
	(void)state;
	timer_queue_init(&q, storage, MAX);
	memset(timers, 0, sizeof(timers));
	for (unsigned int i = 0; i <= MAX; i++) {
		timers[i].fn = record;
		timers[i].data = &timers[i];
	}
	nr_fired = 0;
	return 0;
}

static void add(unsigned int i, s_time_t when)
{
	timers[i].expires = when;
	assert_int_equal(timer_queue_add(&q, &timers[i]), 0);
}

static void test_empty(void **state)
{
	(void)state;
	assert_int_equal(timer_queue_next(&q), 0);
	assert_int_equal(timer_queue_run(&q, 1000), 0);
	assert_false(timer_queue_remove(&q, &timers[0]));
}

static void test_runs_in_order_up_to_now(void **state)
{
	static const s_time_t when[] = { 50, 10, 40, 30, 20, 60 };

	(void)state;
	for (unsigned int i = 0; i < 6; i++)
		add(i, when[i]);
	assert_int_equal(timer_queue_next(&q), 10);
	assert_int_equal(timer_queue_run(&q, 40), 4);
	assert_int_equal(fired[0], 10);
	assert_int_equal(fired[3], 40);
	assert_int_equal(timer_queue_next(&q), 50);
	assert_int_equal(timers[1].heap_pos, 0);
	assert_int_equal(timer_queue_run(&q, 100), 2);
	assert_int_equal(q.nr, 0);
}

static void test_rearm_moves(void **state)
{
	(void)state;
	add(0, 100);
	add(1, 200);
	add(0, 300); /* re-arming moves, never duplicates */
	assert_int_equal(q.nr, 2);
	assert_int_equal(timer_queue_next(&q), 200);
	assert_int_equal(timer_queue_run(&q, 1000), 2);
	assert_int_equal(fired[1], 300);
}

static void test_remove_middle(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < 20; i++)
		add(i, 1000 - i * 7);
	assert_true(timer_queue_remove(&q, &timers[5]));
	assert_false(timer_queue_remove(&q, &timers[5]));
	assert_int_equal(timer_queue_run(&q, 10000), 19);
	for (unsigned int i = 1; i < 19; i++)
		assert_true(fired[i - 1] <= fired[i]);
}

static void test_full(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < MAX; i++)
		add(i, i + 1);
	timers[MAX].expires = 5;
	assert_int_equal(timer_queue_add(&q, &timers[MAX]), -ENOSPC);
	assert_int_equal(timers[MAX].heap_pos, 0);
	assert_int_equal(q.nr, MAX);
}

/* A handler that re-arms itself runs once per call, not forever. */
static unsigned int periodic_runs;

static void periodic(void *data)
{
	struct timer *t = data;

	periodic_runs++;
	t->expires += 10;
	timer_queue_add(&q, t);
}

static void test_handler_rearms(void **state)
{
	(void)state;
	timers[0].fn = periodic;
	add(0, 10);
	assert_int_equal(timer_queue_run(&q, 35), 3);
	assert_int_equal(periodic_runs, 3);
	assert_int_equal(timer_queue_next(&q), 40);
}

/* Random adds, re-arms and removes against a simple model. */
static void test_random_against_model(void **state)
{
	s_time_t model[MAX];
	bool queued[MAX] = { false };

	(void)state;
	srand(7);
	for (unsigned int round = 0; round < 20000; round++) {
		unsigned int i = (unsigned int)rand() % MAX;

		if (rand() % 3) {
			model[i] = (s_time_t)(rand() % 5000) + 1;
			add(i, model[i]);
			queued[i] = true;
		} else {
			assert_int_equal(timer_queue_remove(&q, &timers[i]),
					 queued[i]);
			queued[i] = false;
		}
		s_time_t min = 0;
		for (unsigned int j = 0; j < MAX; j++)
			if (queued[j] && (!min || model[j] < min))
				min = model[j];
		assert_int_equal(timer_queue_next(&q), min);
	}
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_empty),
		T(test_runs_in_order_up_to_now),
		T(test_rearm_moves),
		T(test_remove_middle),
		T(test_full),
		T(test_handler_rearms),
		T(test_random_against_model),
	};

	return cmocka_run_group_tests_name("timer_queue", tests, NULL, NULL);
}
