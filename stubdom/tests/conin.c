/*
 * Serial console input in the control domain: VIRQ_CONSOLE says there is
 * input, CONSOLEIO_read takes it in small pieces; a read into a bad
 * buffer fails and loses nothing. Reads one line typed on the console.
 */
#include <public/errno.h>
#include <public/sched.h>
#include <stub/events.h>
#include <stub/hypercall.h>
#include <stub/check.h>
#include <stub/stub.h>

static unsigned int events;

static long conin_read(char *buf, long count)
{
	return hypercall3(__HYPERVISOR_console_io, CONSOLEIO_read, count,
			  (long)buf);
}

static void conin_event(evtchn_port_t port, void *data)
{
	events++;
}

int app_main(const char *cmdline)
{
	struct evtchn_bind_virq virq = { .virq = VIRQ_CONSOLE, .vcpu = 0 };
	char line[64], piece[7];
	unsigned int len = 0, reads = 0;
	long n;

	stub_events_init();
	stub_check("bind VIRQ_CONSOLE",
		   stub_evtchn_op(EVTCHNOP_bind_virq, &virq), 0);
	stub_event_bind(virq.port, conin_event, NULL);
	stub_check("nothing typed yet", conin_read(piece, sizeof(piece)), 0);
	printf("conin: type a line\n");
	stub_wait_until(events);
	/* Input is waiting: a bad buffer must not eat it. */
	stub_check("read to a bad buffer", conin_read((char *)8, 4),
		   -XEN_EFAULT);
	while (len < sizeof(line) - 1) {
		/* Cleared before reading, so a character after it wakes us. */
		events = 0;
		n = conin_read(piece, sizeof(piece));
		if (n <= 0) {
			stub_wait_until(events);
			continue;
		}
		reads++;
		for (long i = 0; i < n && len < sizeof(line) - 1; i++)
			line[len++] = piece[i];
		if (line[len - 1] == '\r' || line[len - 1] == '\n')
			break;
	}
	line[len ? len - 1 : 0] = '\0';
	stub_check("line read whole", len, 13);
	printf("conin: got '%s' in %u reads\n", line, reads);
	stub_check_report("conin");
	return SHUTDOWN_poweroff;
}
