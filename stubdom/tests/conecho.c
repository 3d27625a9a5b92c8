/*
 * Console input through the console ring: reads one line typed on the
 * attached console and says what it got. Prints "conecho: ready" first.
 */
#include <public/sched.h>
#include <stub/events.h>
#include <stub/stub.h>

static void on_event(evtchn_port_t port, void *data)
{
}

int app_main(const char *cmdline)
{
	char line[64];
	size_t len = 0;

	stub_events_init();
	if (!stub_console_port())
		stub_panic("no console ring");
	stub_event_bind(stub_console_port(), on_event, NULL);
	printf("conecho: ready\n");
	/* Masked while reading, so input after an empty read wakes us. */
	stub_events_mask();
	while (len < sizeof(line) - 1) {
		size_t n =
		    stub_console_read(line + len, sizeof(line) - 1 - len);

		len += n;
		if (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
			break;
		if (!n) {
			stub_event_block();
			stub_events_mask();
		}
	}
	stub_events_unmask();
	line[len ? len - 1 : 0] = '\0';
	printf("conecho: got '%s'\n", line);
	return SHUTDOWN_poweroff;
}
