/* A domain that faults with no handler: the hypervisor must crash it. */
#include <stub/stub.h>

int app_main(const char *cmdline)
{
	printf("about to touch an unmapped page\n");
	*(volatile int *)0x10000000 = 1;
	printf("still alive: the fault was not caught\n");
	return 0;
}
