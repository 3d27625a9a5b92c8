/*
 * Per-CPU timers (timer.c) on a fake CPU: the CPU's timer is written only
 * when its earliest expiry moves, timer_set_by() keeps an earlier expiry,
 * the timer softirq always rewrites it, and another CPU's timers reach it
 * through its softirq.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <xen/lib.h>
#include <xen/smp.h>
#include <xen/softirq.h>
#include <xen/timer.h>
#include <asm/irq.h>

unsigned int fake_cpu, nr_cpus_online = 2;
static s_time_t now, programmed;
static unsigned int writes, remote_raises, fired;
static void (*timer_softirq_fn)(void);

void assert_failed(const char *expr, const char *file, int line, bool *seen)
{
	(void)seen;
	fail_msg("Assertion '%s' failed at %s:%d", expr, file, line);
}

void panic(const char *fmt, ...)
{
	fail_msg("panic: %s", fmt);
	abort();
}

void printk_level(int level, const char *fmt, ...)
{
}

s_time_t NOW(void)
{
	return now;
}

void arch_timer_program(s_time_t t)
{
	programmed = t;
	writes++;
}

void irq_vector_set(unsigned int vector, irq_handler_t fn, void *data)
{
}

void open_softirq(enum softirq nr, void (*fn)(void))
{
	if (nr == TIMER_SOFTIRQ)
		timer_softirq_fn = fn;
}

void raise_softirq(enum softirq nr)
{
}

void cpu_raise_softirq(unsigned int cpu, enum softirq nr)
{
	if (cpu != fake_cpu && nr == TIMER_SOFTIRQ)
		remote_raises++;
}

static void count(void *data)
{
	fired++;
}

static struct timer a, b, c;

static int setup(void **state)
{
	static bool once;

	(void)state;
	if (!once)
		timer_subsys_init();
	once = true;
	timer_stop(&a);
	timer_stop(&b);
	timer_stop(&c);
	timer_init(&a, count, NULL, 0);
	timer_init(&b, count, NULL, 0);
	timer_init(&c, count, NULL, 1);
	fake_cpu = 0;
	now = 0;
	fired = 0;
	timer_softirq_fn();
	writes = remote_raises = 0;
	return 0;
}

static void test_written_when_earliest_moves(void **state)
{
	(void)state;
	timer_set(&a, 100);
	assert_int_equal(writes, 1);
	assert_int_equal(programmed, 100);
	timer_set(&b, 200); /* later: the timer stays at 100 */
	assert_int_equal(writes, 1);
	timer_set(&a, 100); /* the same again */
	assert_int_equal(writes, 1);
	timer_set(&a, 150); /* the earliest moves */
	assert_int_equal(writes, 2);
	assert_int_equal(programmed, 150);
	timer_set(&b, 50);
	assert_int_equal(writes, 3);
	assert_int_equal(programmed, 50);
	timer_stop(&b); /* left armed early: the softirq sorts it out */
	assert_int_equal(writes, 3);
}

static void test_set_by_keeps_earlier(void **state)
{
	(void)state;
	timer_set_by(&a, 100);
	assert_true(timer_active(&a));
	assert_int_equal(a.expires, 100);
	timer_set_by(&a, 300);
	assert_int_equal(a.expires, 100);
	assert_int_equal(writes, 1);
	timer_set_by(&a, 80);
	assert_int_equal(a.expires, 80);
	assert_int_equal(programmed, 80);
	timer_stop(&a);
	timer_set_by(&a, 300); /* not armed: armed anew */
	assert_int_equal(a.expires, 300);
}

static void test_softirq_always_writes(void **state)
{
	(void)state;
	timer_set(&a, 100);
	timer_set(&b, 200);
	now = 99; /* the interrupt came a little early: a stays queued */
	timer_softirq_fn();
	assert_int_equal(fired, 0);
	assert_int_equal(writes, 2);
	assert_int_equal(programmed, 100);
	now = 100;
	timer_softirq_fn();
	assert_int_equal(fired, 1);
	assert_int_equal(programmed, 200);
	now = 250;
	timer_softirq_fn();
	assert_int_equal(fired, 2);
	assert_int_equal(programmed, 0);
}

static void test_other_cpu(void **state)
{
	(void)state;
	timer_set(&c, 100); /* CPU 1's timer, set from CPU 0 */
	assert_int_equal(remote_raises, 1);
	assert_int_equal(writes, 0);
	fake_cpu = 1;
	timer_softirq_fn();
	assert_int_equal(writes, 1);
	assert_int_equal(programmed, 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_written_when_earliest_moves, setup),
		cmocka_unit_test_setup(test_set_by_keeps_earlier, setup),
		cmocka_unit_test_setup(test_softirq_always_writes, setup),
		cmocka_unit_test_setup(test_other_cpu, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
