/*
 * printk: levels, the "(XEN) " line prefix, and a buffer for what is
 * printed before the console is up (options are parsed before the serial
 * line can be chosen, and their warnings must not be lost).
 */
#include <xen/arch.h>
#include <xen/console.h>
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/param.h>
#include <xen/spinlock.h>
#include <xen/string.h>

#define PRINTK_LINE_MAX 512
#define EARLY_BUF_SIZE	4096
#define LINE_PREFIX	"(XEN) "
#define LOG_SIZE	8192 /* the log ring: a power of two */

int log_level = CONFIG_LOG_LEVEL;

/* Records of <level byte><text>\0, in the order printed. */
static char early_buf[EARLY_BUF_SIZE];
static size_t early_used;
static unsigned int early_lost;
static bool at_line_start = true;
/* Whole messages from different CPUs do not interleave. */
static DEFINE_SPINLOCK(printk_lock);
/*
 * The log: the last LOG_SIZE bytes of the hypervisor's own lines, as
 * printed, for the control domain (sysctl readconsole). log_prod counts
 * every byte ever logged; log_floor is where a clear left it.
 */
static char log_ring[LOG_SIZE];
static uint32_t log_prod, log_floor;
static DEFINE_SPINLOCK(log_lock);

static void printk_log(const char *s, size_t len)
{
	spin_lock(&log_lock);
	for (size_t i = 0; i < len; i++)
		log_ring[log_prod++ % LOG_SIZE] = s[i];
	spin_unlock(&log_lock);
}

size_t printk_log_read(uint32_t *index, bool incremental, char *buf, size_t len,
		       bool clear)
{
	unsigned long flags = arch_irq_save();
	uint32_t oldest, from = *index;
	size_t n = 0;

	spin_lock(&log_lock);
	oldest =
	    log_prod - log_floor > LOG_SIZE ? log_prod - LOG_SIZE : log_floor;
	if (!incremental || (int32_t)(from - oldest) < 0 ||
	    (int32_t)(log_prod - from) < 0)
		from = oldest;
	while (n < len && from + n != log_prod) {
		buf[n] = log_ring[(from + n) % LOG_SIZE];
		n++;
	}
	*index = from + (uint32_t)n;
	if (clear)
		log_floor = log_prod;
	spin_unlock(&log_lock);
	arch_irq_restore(flags);
	return n;
}

static const char *const log_level_names[] = { "error", "warning", "info",
					       "debug" };

static int loglevel_parse(const char *v)
{
	uint64_t n;

	for (size_t i = 0; i < ARRAY_SIZE(log_level_names); i++) {
		if (!strcmp(v, log_level_names[i])) {
			log_level = (int)i;
			return 0;
		}
	}
	if (param_parse_uint(v, &n) < 0 || n > LOG_DEBUG)
		return -EINVAL;
	log_level = (int)n;
	return 0;
}
CUSTOM_PARAM("loglevel", loglevel_parse);

/* An unbuffered domain's line left open, which the next line ends. */
static struct console_line *printk_open_guest;

/* With printk_lock held: such a line ended, before another line starts. */
static void printk_end_open_guest(void)
{
	if (!printk_open_guest)
		return;
	console_write("\n", 1);
	printk_open_guest->open = false;
	printk_open_guest = NULL;
}

/* Write text, starting each line with the prefix. */
static void printk_emit(const char *s)
{
	if (*s)
		printk_end_open_guest();
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) + 1 : strlen(s);

		if (at_line_start) {
			console_write(LINE_PREFIX, sizeof(LINE_PREFIX) - 1);
			printk_log(LINE_PREFIX, sizeof(LINE_PREFIX) - 1);
		}
		console_write(s, len);
		printk_log(s, len);
		at_line_start = nl != NULL;
		s += len;
	}
}

static void printk_store_early(int level, const char *msg)
{
	size_t len = strlen(msg) + 1;

	if (early_used + 1 + len > sizeof(early_buf)) {
		early_lost++;
		return;
	}
	early_buf[early_used] = (char)(level + 2); /* never 0 */
	memcpy(&early_buf[early_used + 1], msg, len);
	early_used += 1 + len;
}

void printk_flush_early(void)
{
	size_t off = 0;

	while (off < early_used) {
		int level = early_buf[off] - 2;
		const char *msg = &early_buf[off + 1];

		if (level <= log_level)
			printk_emit(msg);
		off += 1 + strlen(msg) + 1;
	}
	early_used = 0;
	if (early_lost)
		printk_level(LOG_WARN, "%u early messages lost\n", early_lost);
	early_lost = 0;
}

void vprintk_level(int level, const char *fmt, va_list ap)
{
	char msg[PRINTK_LINE_MAX];
	unsigned long flags;

	if (fmt_vsnprintf(msg, sizeof(msg), fmt, ap) >= (int)sizeof(msg))
		memcpy(&msg[sizeof(msg) - 5], "...\n", 5);
	if (level > log_level && console_ready())
		return;
	flags = arch_irq_save();
	spin_lock(&printk_lock);
	if (!console_ready())
		printk_store_early(level, msg);
	else
		printk_emit(msg);
	spin_unlock(&printk_lock);
	arch_irq_restore(flags);
}

static char printk_clean(char c)
{
	return (c == '\n' || c == '\t' || (c >= ' ' && c <= '~')) ? c : '?';
}

/* Unbuffered: s (one line at most) as it comes. */
static void printk_guest_direct(const char *prefix, const char *s, size_t n,
				struct console_line *l)
{
	char clean[64];

	if (!l->open)
		console_write(prefix, strlen(prefix));
	while (n) {
		size_t k = n < sizeof(clean) ? n : sizeof(clean);

		for (size_t i = 0; i < k; i++)
			clean[i] = printk_clean(s[i]);
		console_write(clean, k);
		l->open = clean[k - 1] != '\n';
		s += k;
		n -= k;
	}
	if (l->open)
		printk_open_guest = l;
	else if (printk_open_guest == l)
		printk_open_guest = NULL;
}

/* With printk_lock held: the buffered line out, ended. */
static void printk_guest_emit(const char *prefix, struct console_line *l)
{
	printk_end_open_guest();
	console_write(prefix, strlen(prefix));
	console_write(l->buf, l->len);
	console_write("\n", 1);
	l->len = 0;
}

static void printk_guest_buffered(const char *prefix, const char *s, size_t n,
				  struct console_line *l)
{
	for (size_t i = 0; i < n; i++) {
		char c = printk_clean(s[i]);

		if (c == '\n') {
			printk_guest_emit(prefix, l);
			continue;
		}
		l->buf[l->len++] = c;
		if (l->len == sizeof(l->buf))
			printk_guest_emit(prefix, l);
	}
}

void printk_guest(const char *prefix, const char *s, size_t len,
		  struct console_line *l)
{
	unsigned long flags = arch_irq_save();

	spin_lock(&printk_lock);
	/* A hypervisor line left open is closed first. */
	if (!at_line_start) {
		console_write("\n", 1);
		at_line_start = true;
	}
	if (l->buffered) {
		printk_guest_buffered(prefix, s, len, l);
	} else {
		while (len) {
			const char *nl = memchr(s, '\n', len);
			size_t n = nl ? (size_t)(nl - s) + 1 : len;

			printk_guest_direct(prefix, s, n, l);
			s += n;
			len -= n;
		}
	}
	spin_unlock(&printk_lock);
	arch_irq_restore(flags);
}

void printk_guest_flush(const char *prefix, struct console_line *l)
{
	unsigned long flags = arch_irq_save();

	spin_lock(&printk_lock);
	if (l->buffered && l->len) {
		if (!at_line_start) {
			console_write("\n", 1);
			at_line_start = true;
		}
		printk_guest_emit(prefix, l);
	}
	if (printk_open_guest == l)
		printk_end_open_guest();
	l->open = false;
	spin_unlock(&printk_lock);
	arch_irq_restore(flags);
}

void printk_lock_bust(void)
{
	printk_lock = SPIN_LOCK_UNLOCKED;
}

void printk_level(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk_level(level, fmt, ap);
	va_end(ap);
}
