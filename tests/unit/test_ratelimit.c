/* Fixed-window counting, as the interrupt-storm limiter uses it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <xen/ratelimit.h>

#define WINDOW 10000000 /* 10 ms */
#define MAX    5000

static void test_exceeded_once_per_window(void **state)
{
	struct ratelimit r = { 0 };
	unsigned int over = 0;

	(void)state;
	for (unsigned int i = 0; i < MAX; i++)
		over += ratelimit_exceeded(&r, 1000 + i, WINDOW, MAX);
	assert_int_equal(over, 0);
	assert_true(ratelimit_exceeded(&r, 9000000, WINDOW, MAX));
	/* Told once: the rest of the window stays quiet. */
	assert_false(ratelimit_exceeded(&r, 9000001, WINDOW, MAX));
	/* A new window starts counting again. */
	assert_false(ratelimit_exceeded(&r, 1000 + WINDOW, WINDOW, MAX));
	assert_int_equal(r.count, 1);
}

static void test_slow_source_never_exceeds(void **state)
{
	struct ratelimit r = { 0 };

	(void)state;
	/* 4999 events in every window, for a hundred windows. */
	for (int64_t t = 0; t < 100LL * WINDOW; t += WINDOW / (MAX - 1) + 1)
		assert_false(ratelimit_exceeded(&r, t, WINDOW, MAX));
}

static void test_clock_going_back_restarts(void **state)
{
	struct ratelimit r = { .window_start = 5 * WINDOW, .count = MAX };

	(void)state;
	assert_false(ratelimit_exceeded(&r, WINDOW, WINDOW, MAX));
	assert_int_equal(r.count, 1);
}

static void test_count_saturates(void **state)
{
	struct ratelimit r = { .window_start = 0, .count = UINT32_MAX };

	(void)state;
	assert_false(ratelimit_exceeded(&r, 1, WINDOW, MAX));
	assert_int_equal(r.count, UINT32_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exceeded_once_per_window),
		cmocka_unit_test(test_slow_source_never_exceeds),
		cmocka_unit_test(test_clock_going_back_restarts),
		cmocka_unit_test(test_count_saturates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
