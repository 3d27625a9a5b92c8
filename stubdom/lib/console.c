/* Console output through the console_io hypercall, and printf. */
#include <xen/lib.h>
#include <stub/hypercall.h>
#include <stub/stub.h>

#define PRINTF_MAX 512

void console_write(const char *s, size_t len)
{
	hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, (long)len,
		   (long)s);
}

int vprintf(const char *fmt, va_list ap)
{
	char buf[PRINTF_MAX];
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);

	console_write(buf, n < PRINTF_MAX ? (size_t)n : PRINTF_MAX - 1);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
