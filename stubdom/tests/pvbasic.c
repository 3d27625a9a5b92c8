/*
 * First PV test domain: says hello, then calls the hypercalls the
 * hypervisor has so far with good and bad arguments and checks each
 * result. Prints "pvbasic: N passed, M failed" and powers off.
 */
#include <public/errno.h>
#include <public/sched.h>
#include <public/version.h>
#include <stub/hypercall.h>
#include <stub/stub.h>

static unsigned int passed, failed;

static void check(const char *what, long got, long want)
{
	if (got == want) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL %s: got %ld, expected %ld\n", what, got, want);
}

/* An address the domain has not mapped. */
#define UNMAPPED 0x10000000l
/* An address in the hypervisor's half, never the domain's. */
#define HYPERVISOR_VA ((long)0xffff82d040000000ul)

static void test_version(void)
{
	xen_extraversion_t extra;
	struct xen_feature_info fi = { .submap_idx = 0 };

	check("xen_version",
	      hypercall2(__HYPERVISOR_xen_version, XENVER_version, 0),
	      (4 << 16) | 17);
	check("extraversion",
	      hypercall2(__HYPERVISOR_xen_version, XENVER_extraversion,
			 (long)extra),
	      0);
	check("extraversion text", extra[0] == '-', 1);
	check("extraversion bad pointer",
	      hypercall2(__HYPERVISOR_xen_version, XENVER_extraversion,
			 HYPERVISOR_VA),
	      -XEN_EFAULT);
	check("get_features",
	      hypercall2(__HYPERVISOR_xen_version, XENVER_get_features,
			 (long)&fi),
	      0);
	fi.submap_idx = 99;
	check("get_features bad index",
	      hypercall2(__HYPERVISOR_xen_version, XENVER_get_features,
			 (long)&fi),
	      -XEN_EINVAL);
	check("xen_version unknown",
	      hypercall2(__HYPERVISOR_xen_version, 12345, 0), -XEN_ENOSYS);
}

static void test_console(void)
{
	static const char msg[] = "console_io: \x1b[31mno escapes\n";

	check("console write",
	      hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write,
			 sizeof(msg) - 1, (long)msg),
	      0);
	check(
	    "console bad pointer",
	    hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, 10, UNMAPPED),
	    -XEN_EFAULT);
	check("console hypervisor pointer",
	      hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, 10,
			 HYPERVISOR_VA),
	      -XEN_EFAULT);
	check("console huge count",
	      hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, 1l << 40,
			 (long)msg),
	      -XEN_EINVAL);
	check("console unknown command",
	      hypercall3(__HYPERVISOR_console_io, 77, 0, 0), -XEN_ENOSYS);
}

static void test_sched_and_unknown(void)
{
	struct sched_shutdown bad = { .reason = 99 };

	check("yield", hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0), 0);
	check("shutdown bad reason",
	      hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (long)&bad),
	      -XEN_EINVAL);
	check("shutdown bad pointer",
	      hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, UNMAPPED),
	      -XEN_EFAULT);
	check("sched_op unknown", hypercall2(__HYPERVISOR_sched_op, 1000, 0),
	      -XEN_ENOSYS);
	check("hypercall 60", hypercall2(60, 0, 0), -XEN_ENOSYS);
	check("hypercall 127", hypercall2(127, 0, 0), -XEN_ENOSYS);
}

int app_main(const char *cmdline)
{
	printf("Hello from a PV domain: nr_pages %lu, command line '%s'\n",
	       (unsigned long)start_info->nr_pages, cmdline);
	test_version();
	test_console();
	test_sched_and_unknown();
	printf("pvbasic: %u passed, %u failed\n", passed, failed);
	return SHUTDOWN_poweroff;
}
