/* The hypervisor console on a serial line, and the console= option. */
#include <xen/console.h>
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/param.h>
#include <xen/serial.h>
#include <xen/string.h>

_Static_assert(115200 % CONFIG_SERIAL_BAUD == 0,
	       "CONFIG_SERIAL_BAUD must divide 115200");

struct console_cfg console_cfg = {
	.enabled = true,
	.port = CONFIG_SERIAL_PORT,
	.baud = CONFIG_SERIAL_BAUD,
};

static bool console_up;	  /* console_init() has run */
static bool console_live; /* and a UART answered */

static const struct {
	const char *name;
	uint16_t port;
} console_ports[] = {
	{ "com1", 0x3f8 },
	{ "com2", 0x2f8 },
	{ "com3", 0x3e8 },
	{ "com4", 0x2e8 },
};

static int console_parse_port(const char *s, size_t len, uint16_t *port)
{
	char num[16];
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(console_ports); i++) {
		if (len == strlen(console_ports[i].name) &&
		    !strncmp(s, console_ports[i].name, len)) {
			*port = console_ports[i].port;
			return 0;
		}
	}
	if (len == 0 || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len);
	num[len] = '\0';
	if (param_parse_uint(num, &v) < 0 || v < 0x100 || v > 0xfff8)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* The UART divides 115200 by an integer, so only its divisors work. */
static bool console_baud_ok(uint64_t baud)
{
	return baud >= 50 && baud <= 115200 && 115200 % baud == 0;
}

/* console=none | com1..com4 | <port>, optionally followed by ,<baud> */
static int console_parse(const char *v)
{
	const char *comma = strchr(v, ',');
	size_t len = comma ? (size_t)(comma - v) : strlen(v);
	uint64_t baud = console_cfg.baud;
	uint16_t port;

	if (!strcmp(v, "none")) {
		console_cfg.enabled = false;
		return 0;
	}
	if (console_parse_port(v, len, &port) < 0)
		return -EINVAL;
	if (comma &&
	    (param_parse_uint(comma + 1, &baud) < 0 || !console_baud_ok(baud)))
		return -EINVAL;
	console_cfg.enabled = true;
	console_cfg.port = port;
	console_cfg.baud = (uint32_t)baud;
	return 0;
}
CUSTOM_PARAM("console", console_parse);

void console_init(void)
{
	if (console_up)
		return;
	console_up = true;
	if (console_cfg.enabled)
		console_live = serial_init(console_cfg.port, console_cfg.baud);
}

bool console_ready(void)
{
	return console_up;
}

void console_write(const char *s, size_t len)
{
	if (console_live)
		console_tx_write(s, len);
}
