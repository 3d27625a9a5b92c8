/* The command line parser, console= and loglevel=, and printk's output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <xen/console.h>
#include <xen/lib.h>
#include <xen/param.h>

#include "fake_arch.h"

static bool test_flag;
static unsigned int test_count = 3;
BOOL_PARAM("flag", test_flag);
UINT_PARAM("count", test_count, 1, 10);

static int setup(void **state)
{
	(void)state;
	fake_serial_reset();
	test_flag = false;
	test_count = 3;
	log_level = LOG_INFO;
	console_cfg = (struct console_cfg){ true, 0x3f8, 115200 };
	return 0;
}

static bool serial_has(const char *s)
{
	return strstr(fake_serial_out, s) != NULL;
}

/* Runs first: what is printed before the console is up waits for it. */
static void test_printk_early_then_flush(void **state)
{
	(void)state;
	log_info("early info\n");
	log_debug("early debug\n");
	assert_false(console_ready());
	assert_int_equal(fake_serial_len, 0);
	console_init();
	assert_int_equal(fake_serial_port, 0x3f8);
	log_always("banner\n");
	printk_flush_early();
	assert_string_equal(fake_serial_out,
			    "(XEN) banner\r\n(XEN) early info\r\n");
}

static void test_printk_levels_and_prefix(void **state)
{
	(void)state;
	log_level = LOG_WARN;
	log_info("hidden\n");
	log_warn("two\nlines\n");
	printk_level(LOG_ERR, "part ");
	printk_level(LOG_ERR, "whole\n");
	assert_string_equal(fake_serial_out, "(XEN) two\r\n(XEN) lines\r\n"
					     "(XEN) part whole\r\n");
}

/*
 * A domain's console: a buffered one's lines go out whole, whatever
 * the hypervisor prints between its writes; the control domain's as they
 * come (its prompt has no newline); never a control character.
 */
static void test_guest_console_lines(void **state)
{
	struct console_line g = { .buffered = true }, c = { 0 };
	char big[CONSOLE_LINE_MAX + 10];

	(void)state;
	log_level = LOG_INFO;
	printk_guest("(d1) ", "panic: ", 7, &g);
	log_info("taken back\n");
	printk_guest("(d1) ", "bad\x1b[2J\n", 8, &g);
	printk_guest("(d0) ", "citadel> ", 9, &c);
	log_info("between\n");
	printk_guest("(d0) ", "list\nx", 6, &c);
	assert_string_equal(fake_serial_out,
			    "(XEN) taken back\r\n(d1) panic: bad?[2J\r\n"
			    "(d0) citadel> \r\n(XEN) between\r\n(d0) list\r\n"
			    "(d0) x");
	printk_guest_flush("(d0) ", &c);
	assert_true(serial_has("(d0) x\r\n"));
	fake_serial_reset();
	/* A line longer than the buffer is cut; what is left ends later. */
	memset(big, 'y', sizeof(big));
	printk_guest("(d2) ", big, sizeof(big), &g);
	assert_int_equal(fake_serial_len, 5 + CONSOLE_LINE_MAX + 2);
	printk_guest_flush("(d2) ", &g);
	assert_true(serial_has("\r\n(d2) yyyyyyyyyy\r\n"));
	assert_int_equal(g.len, 0);
}

static void test_printk_long_line_truncated(void **state)
{
	char big[2000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_info("%s\n", big);
	assert_true(fake_serial_len < 600);
	assert_true(serial_has("xxx...\r\n"));
}

static void test_parse_uint(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(param_parse_uint("42", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(param_parse_uint("0x2F8", &v), 0);
	assert_int_equal(v, 0x2f8);
	assert_int_equal(param_parse_uint("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_true(param_parse_uint("18446744073709551616", &v) < 0);
	assert_true(param_parse_uint("", &v) < 0);
	assert_true(param_parse_uint("0x", &v) < 0);
	assert_true(param_parse_uint("12a", &v) < 0);
	assert_true(param_parse_uint("-1", &v) < 0);
}

static void test_unknown_option_reported(void **state)
{
	(void)state;
	assert_int_equal(cmdline_parse("frobnicate=1 flag"), 1);
	assert_true(serial_has("unknown option 'frobnicate' ignored"));
	assert_true(test_flag);
}

static void test_bool_forms(void **state)
{
	(void)state;
	assert_int_equal(cmdline_parse("flag"), 0);
	assert_true(test_flag);
	assert_int_equal(cmdline_parse("no-flag"), 0);
	assert_false(test_flag);
	assert_int_equal(cmdline_parse("flag=on"), 0);
	assert_true(test_flag);
	assert_int_equal(cmdline_parse("flag=false"), 0);
	assert_false(test_flag);
	assert_int_equal(cmdline_parse("flag=maybe no-flag=1"), 2);
	assert_false(test_flag);
	assert_true(serial_has("bad value 'maybe' for option 'flag'"));
}

static void test_uint_range(void **state)
{
	(void)state;
	assert_int_equal(cmdline_parse("count=10"), 0);
	assert_int_equal(test_count, 10);
	assert_int_equal(cmdline_parse("count=11 count=0 count count=x"), 4);
	assert_int_equal(test_count, 10);
	assert_int_equal(cmdline_parse("no-count"), 1);
}

static void test_whitespace_and_empty(void **state)
{
	(void)state;
	assert_int_equal(cmdline_parse(""), 0);
	assert_int_equal(cmdline_parse("   \t "), 0);
	assert_int_equal(cmdline_parse("\tflag   count=4  "), 0);
	assert_true(test_flag);
	assert_int_equal(test_count, 4);
	assert_int_equal(fake_serial_len, 0);
}

static void test_overlong_word(void **state)
{
	char line[600];

	(void)state;
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	memcpy(line + sizeof(line) - 6, " flag", 5);
	assert_int_equal(cmdline_parse(line), 1);
	assert_true(test_flag);
	assert_true(serial_has("longer than 255 bytes ignored"));
}

static void test_loglevel(void **state)
{
	(void)state;
	assert_int_equal(cmdline_parse("loglevel=debug"), 0);
	assert_int_equal(log_level, LOG_DEBUG);
	assert_int_equal(cmdline_parse("loglevel=0"), 0);
	assert_int_equal(log_level, LOG_ERR);
	assert_int_equal(cmdline_parse("loglevel=warning"), 0);
	assert_int_equal(cmdline_parse("loglevel=4 loglevel=loud loglevel"), 3);
	assert_int_equal(log_level, LOG_WARN);
}

static void test_console_option(void **state)
{
	(void)state;
	assert_int_equal(cmdline_parse("console=com2,9600"), 0);
	assert_int_equal(console_cfg.port, 0x2f8);
	assert_int_equal(console_cfg.baud, 9600);
	assert_int_equal(cmdline_parse("console=0x3e8"), 0);
	assert_int_equal(console_cfg.port, 0x3e8);
	assert_int_equal(console_cfg.baud, 9600);
	assert_int_equal(cmdline_parse("console=none"), 0);
	assert_false(console_cfg.enabled);
	assert_int_equal(cmdline_parse("console=com4"), 0);
	assert_true(console_cfg.enabled);
	assert_int_equal(console_cfg.port, 0x2e8);
}

static void test_console_bad_values(void **state)
{
	(void)state;
	assert_int_equal(cmdline_parse("console=com9 console=com1,1234 "
				       "console=com1,abc console=0x10 "
				       "console=, console=com1,0"),
			 6);
	assert_int_equal(console_cfg.port, 0x3f8);
	assert_int_equal(console_cfg.baud, 115200);
	assert_true(console_cfg.enabled);
}

/*
 * After boot the console queues: a CPU that prints does not wait for
 * the UART. Idle CPUs drain a FIFO's worth at a time, and a timer goes on
 * while bytes wait; none of it is lost or reordered.
 */
static void test_console_tx_queued(void **state)
{
	(void)state;
	console_tx_start();
	log_info("queued line\n");
	assert_int_equal(fake_serial_len, 0);
	assert_true(console_tx_pending());
	assert_true(fake_softirq_is_raised(CONSOLE_TX_SOFTIRQ));
	fake_softirq_run();
	assert_non_null(fake_timer_armed());
	/* An idle CPU's step: one FIFO. */
	assert_int_equal(console_tx_drain(CONSOLE_TX_BURST), CONSOLE_TX_BURST);
	assert_string_equal(fake_serial_out, "(XEN) queued lin");
	/* The timer's step drains the rest and stops. */
	assert_true(fake_timer_run());
	assert_string_equal(fake_serial_out, "(XEN) queued line\r\n");
	assert_false(console_tx_pending());
	assert_null(fake_timer_armed());
	/*
	 * The UART is asked for room once its last answer is used up: 13
	 * of the 16 bytes it took after the 16 first are left. Then it takes
	 * nothing (its FIFO full); the other bytes wait.
	 */
	fake_serial_room = 0;
	log_info("later, longer\n");
	assert_int_equal(console_tx_drain(CONSOLE_TX_BURST), 13);
	assert_int_equal(console_tx_drain(CONSOLE_TX_BURST), 0);
	assert_true(console_tx_pending());
	fake_softirq_run();
	assert_true(fake_timer_run());
	assert_non_null(fake_timer_armed());
	fake_serial_room = 1;
	while (fake_timer_run())
		;
	assert_string_equal(fake_serial_out,
			    "(XEN) queued line\r\n(XEN) later, longer\r\n");
	console_tx_sync();
}

/* More than the ring holds: the writer drains it itself, in order. */
static void test_console_tx_full_ring(void **state)
{
	char want[32];
	size_t at = 0;

	(void)state;
	console_tx_start();
	for (unsigned int i = 0; i < 1200; i++)
		log_info("line %04u\n", i);
	/* 1200 lines of 17 bytes: the ring kept no more than it holds. */
	assert_true(fake_serial_len >= 1200 * 17 - 16384);
	assert_true(console_tx_pending());
	console_tx_sync();
	assert_false(console_tx_pending());
	assert_int_equal(fake_serial_len, 1200 * 17);
	for (unsigned int i = 0; i < 1200; i++, at += 17) {
		fmt_snprintf(want, sizeof(want), "(XEN) line %04u\r\n", i);
		assert_memory_equal(&fake_serial_out[at], want, 17);
	}
}

/* sync_console: every write waits until it is out, as during boot. */
static void test_console_tx_sync_option(void **state)
{
	(void)state;
	assert_int_equal(cmdline_parse("sync_console"), 0);
	console_tx_start();
	log_info("at once\n");
	assert_string_equal(fake_serial_out, "(XEN) at once\r\n");
	assert_false(console_tx_pending());
	assert_int_equal(cmdline_parse("sync_console=0"), 0);
	console_tx_sync();
}

/* A line that takes nothing loses bytes, not the machine. */
static void test_console_tx_stuck_line(void **state)
{
	(void)state;
	console_tx_start();
	log_info("x\n");
	fake_serial_room = 0;
	console_tx_sync();
	assert_false(console_tx_pending());
	assert_int_equal(fake_serial_len, 0);
	assert_true(fake_serial_polls >= 9 * 1000000ul);
	fake_serial_room = 16;
	log_info("then\n");
	assert_string_equal(fake_serial_out, "(XEN) then\r\n");
}

static void test_skip_image(void **state)
{
	(void)state;
	assert_string_equal(
	    cmdline_skip_image("/boot/citadel.elf a=b c", "qemu"), "a=b c");
	assert_string_equal(cmdline_skip_image("citadel.elf", "SYSLINUX 6.04"),
			    "");
	assert_string_equal(cmdline_skip_image("  x.elf   a", ""), "a");
	assert_string_equal(cmdline_skip_image("a=b", "GRUB 2.06"), "a=b");
	assert_string_equal(cmdline_skip_image("", ""), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printk_early_then_flush),
		cmocka_unit_test_setup(test_printk_levels_and_prefix, setup),
		cmocka_unit_test_setup(test_printk_long_line_truncated, setup),
		cmocka_unit_test_setup(test_guest_console_lines, setup),
		cmocka_unit_test_setup(test_parse_uint, setup),
		cmocka_unit_test_setup(test_unknown_option_reported, setup),
		cmocka_unit_test_setup(test_bool_forms, setup),
		cmocka_unit_test_setup(test_uint_range, setup),
		cmocka_unit_test_setup(test_whitespace_and_empty, setup),
		cmocka_unit_test_setup(test_overlong_word, setup),
		cmocka_unit_test_setup(test_loglevel, setup),
		cmocka_unit_test_setup(test_console_option, setup),
		cmocka_unit_test_setup(test_console_bad_values, setup),
		cmocka_unit_test_setup(test_skip_image, setup),
		cmocka_unit_test_setup(test_console_tx_queued, setup),
		cmocka_unit_test_setup(test_console_tx_full_ring, setup),
		cmocka_unit_test_setup(test_console_tx_sync_option, setup),
		cmocka_unit_test_setup(test_console_tx_stuck_line, setup),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
