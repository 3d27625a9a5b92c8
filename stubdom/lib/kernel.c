/* From the entry point to the application, and out again. */
#include <public/sched.h>
#include <stub/hypercall.h>
#include <stub/mm.h>
#include <stub/stub.h>

struct start_info *start_info;
volatile struct shared_info *shared_info;

/* Below the image (which starts at 4 MiB): free in every small domain. */
#define SHARED_INFO_VA 0x3ff000ul

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

static void stub_map_shared_info(void)
{
	long pte = (long)(start_info->shared_info & ~0xfffull) | 0x3;

	if (hypercall3(__HYPERVISOR_update_va_mapping, SHARED_INFO_VA, pte,
		       UVMF_INVLPG) < 0)
		stub_panic("cannot map shared_info");
	shared_info = (volatile struct shared_info *)SHARED_INFO_VA;
}

void stub_start(struct start_info *si)
{
	start_info = si;
	stub_map_shared_info();
	stub_mm_init();
	stub_console_init();
	stub_shutdown((unsigned int)app_main((const char *)si->cmd_line));
}
