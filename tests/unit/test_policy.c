/*
 * The default policy, operation by operation: what the control domain,
 * a driver domain, the xenstore domain and a plain guest may do to
 * themselves and to each other.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <xen/errno.h>
#include <xen/policy.h>
#include <xen/sched.h>

static struct domain control = { .domain_id = 0, .roles = DOMROLE_CONTROL };
static struct domain store = { .domain_id = 1, .roles = DOMROLE_XENSTORE };
static struct domain driver = { .domain_id = 2, .roles = DOMROLE_DRIVER };
static struct domain guest = { .domain_id = 3 };

static void test_domctl_is_control_on_others(void **state)
{
	(void)state;
	assert_int_equal(policy_check(&control, POLICY_DOMCTL, &guest), 0);
	assert_int_equal(policy_check(&control, POLICY_DOMCTL, &driver), 0);
	assert_int_equal(policy_check(&control, POLICY_DOMCTL, &control),
			 -EPERM);
	assert_int_equal(policy_check(&driver, POLICY_DOMCTL, &guest), -EPERM);
	assert_int_equal(policy_check(&store, POLICY_DOMCTL, &guest), -EPERM);
	assert_int_equal(policy_check(&guest, POLICY_DOMCTL, &guest), -EPERM);
	assert_int_equal(policy_check(&guest, POLICY_SHUTDOWN_OTHER, &driver),
			 -EPERM);
	assert_int_equal(policy_check(&control, POLICY_SHUTDOWN_OTHER, &driver),
			 0);
}

static void test_console_input_is_control_only(void **state)
{
	(void)state;
	assert_int_equal(policy_check(&control, POLICY_CONSOLE_READ, NULL), 0);
	assert_int_equal(policy_check(&store, POLICY_CONSOLE_READ, NULL),
			 -EPERM);
	assert_int_equal(policy_check(&driver, POLICY_CONSOLE_READ, NULL),
			 -EPERM);
	assert_int_equal(policy_check(&guest, POLICY_CONSOLE_READ, NULL),
			 -EPERM);
	assert_int_equal(policy_check(&guest, POLICY_CONSOLE_WRITE, NULL), 0);
}

/* The host's figures and the hypervisor's log: the control domain's. */
static void test_sysctl_is_control_only(void **state)
{
	(void)state;
	assert_int_equal(policy_check(&control, POLICY_SYSCTL, NULL), 0);
	assert_int_equal(policy_check(&store, POLICY_SYSCTL, NULL), -EPERM);
	assert_int_equal(policy_check(&driver, POLICY_SYSCTL, NULL), -EPERM);
	assert_int_equal(policy_check(&guest, POLICY_SYSCTL, NULL), -EPERM);
}

static void test_events_open_to_all(void **state)
{
	(void)state;
	assert_int_equal(
	    policy_check(&guest, POLICY_EVTCHN_INTERDOMAIN, &driver), 0);
	assert_int_equal(policy_check(&guest, POLICY_EVTCHN_UNBOUND, &store),
			 0);
	assert_int_equal(policy_check(&control, POLICY_EVTCHN_FOR_OTHER, NULL),
			 0);
	assert_int_equal(policy_check(&driver, POLICY_EVTCHN_FOR_OTHER, NULL),
			 -EPERM);
}

static void test_unknown_op_refused(void **state)
{
	(void)state;
	assert_int_equal(policy_check(&control, (enum policy_op)99, &guest),
			 -EPERM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domctl_is_control_on_others),
		cmocka_unit_test(test_console_input_is_control_only),
		cmocka_unit_test(test_sysctl_is_control_only),
		cmocka_unit_test(test_events_open_to_all),
		cmocka_unit_test(test_unknown_op_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
