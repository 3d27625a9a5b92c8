/* Logging, formatting, panic and assertions. */
#ifndef XEN_LIB_H
#define XEN_LIB_H

#include <stdarg.h>
#include <xen/types.h>

/* Log levels: a message is printed when its level <= the console's. */
#define LOG_ERR	   0
#define LOG_WARN   1
#define LOG_INFO   2
#define LOG_DEBUG  3
#define LOG_ALWAYS (-1) /* banners and crash reports */

/* Current threshold; set from CONFIG_LOG_LEVEL and loglevel=. */
extern int log_level;

void vprintk_level(int level, const char *fmt, va_list ap);
void printk_level(int level, const char *fmt, ...) __printf(2, 3);
#define printk(...)	printk_level(LOG_INFO, __VA_ARGS__)
#define log_err(...)	printk_level(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	printk_level(LOG_WARN, __VA_ARGS__)
#define log_info(...)	printk_level(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	printk_level(LOG_DEBUG, __VA_ARGS__)
#define log_always(...) printk_level(LOG_ALWAYS, __VA_ARGS__)

/*
 * Format into buf (C99 snprintf semantics: the result is always
 * terminated when size > 0; the return value is the length the full
 * output would have had).
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Print a crash report and stop the machine as configured. */
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;

struct cpu_regs;
/*
 * The same, for an exception (regs as saved on entry) or, with regs NULL,
 * for the current state with caller as the faulting code.
 */
void vpanic_regs(const struct cpu_regs *regs, const void *caller,
		 const char *fmt, va_list ap) __noreturn;

void assert_failed(const char *expr, const char *file, int line, bool *seen);
void bug_at(const char *file, int line) __noreturn;

/*
 * ASSERT() states an invariant of the hypervisor's own state; values a
 * domain controls are validated and answered with an error instead.
 */
#define ASSERT(p)                                                             \
	do {                                                                  \
		static bool assert_seen_;                                     \
		if (IS_ENABLED(CONFIG_ASSERTIONS) && unlikely(!(p)))          \
			assert_failed(#p, __FILE__, __LINE__, &assert_seen_); \
	} while (0)

#define BUG() bug_at(__FILE__, __LINE__)
#define BUG_ON(p)                \
	do {                     \
		if (unlikely(p)) \
			BUG();   \
	} while (0)

#endif
