/*
 * Included first in every hypervisor translation unit (-include).
 *
 * Hidden visibility lets the compiler reach every symbol RIP-relative:
 * the image is linked far above 4 GiB, so absolute 32-bit references
 * would not fit, and no GOT is wanted.
 */
#ifndef XEN_COMPILER_H
#define XEN_COMPILER_H

#ifndef __ASSEMBLY__

#if defined(__XEN__)
#pragma GCC visibility push(hidden)
#endif

#define __noreturn	__attribute__((noreturn))
#define __used		__attribute__((used))
#define __unused	__attribute__((unused))
#define __packed	__attribute__((packed))
#define __aligned(a)	__attribute__((aligned(a)))
#define __section(s)	__attribute__((section(s)))
#define __printf(f, a)	__attribute__((format(printf, f, a)))
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)

/*
 * IS_ENABLED(CONFIG_X) is 1 when CONFIG_X is defined to 1 and 0 when it is
 * not defined at all, so options can be tested in C expressions.
 */
#define IS_ENABLED(option)	       is_enabled_1_(option)
#define is_enabled_1_(value)	       is_enabled_2_(is_enabled_arg_##value)
#define is_enabled_arg_1	       0,
#define is_enabled_2_(arg_or_junk)     is_enabled_3_(arg_or_junk 1, 0)
#define is_enabled_3_(ignored, v, ...) v

#endif /* __ASSEMBLY__ */
#endif
