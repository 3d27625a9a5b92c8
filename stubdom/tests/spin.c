/*
 * A CPU-bound domain for the scheduler tests, built by the toolstack:
 * checks that it may not use domctl, then spins until destroyed.
 */
#include <public/domctl.h>
#include <stub/hypercall.h>
#include <stub/stub.h>
#include <stub/time.h>

int app_main(const char *cmdline)
{
	struct xen_domctl op = { .cmd = XEN_DOMCTL_getdomaininfo,
				 .interface_version =
				     XEN_DOMCTL_INTERFACE_VERSION,
				 .domain = 0 };
	uint64_t started = stub_now();
	long rc = hypercall2(__HYPERVISOR_domctl, (long)&op, 0);

	printf("spin started at %llu ns\n", (unsigned long long)started);
	printf("spin '%s': domctl as a guest gives %ld\n", cmdline, rc);
	for (volatile unsigned long i = 0;; i++)
		;
	return 0;
}
