/* From the entry point to the application, and out again. */
#include <public/sched.h>
#include <stub/hypercall.h>
#include <stub/stub.h>

struct start_info *start_info;

void stub_start(struct start_info *si) __attribute__((noreturn));

void stub_shutdown(unsigned int reason)
{
	struct sched_shutdown s = { .reason = reason };

	for (;;)
		hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (long)&s);
}

void stub_panic(const char *fmt, ...)
{
	va_list ap;

	printf("panic: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	stub_shutdown(SHUTDOWN_crash);
}

void stub_start(struct start_info *si)
{
	start_info = si;
	stub_shutdown((unsigned int)app_main((const char *)si->cmd_line));
}
