/* Without CONFIG_FAULT_INJECT: crash= is refused, nothing is injected. */
#include <stub/check.h>
#include <stub/stub.h>
#include "control.h"

void ctl_faults_init(const char *cmdline)
{
	if (stub_arg_has(cmdline, "crash="))
		printf("control: crash= needs CONFIG_FAULT_INJECT\n");
}

void ctl_faults_poll(uint64_t now)
{
}
