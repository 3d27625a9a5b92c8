/*
 * Hypervisor command line options. Each is declared next to what it sets,
 * with one of the macros below, and collected by the linker.
 */
#ifndef XEN_PARAM_H
#define XEN_PARAM_H

#include <xen/types.h>

enum param_type {
	PARAM_BOOL,   /* "name", "name=yes|no|on|off|1|0", "no-name" */
	PARAM_UINT,   /* "name=N", decimal or 0x hex, within [min, max] */
	PARAM_CUSTOM, /* "name=value" handed to a parse function */
};

struct cmdline_param {
	const char *name;
	enum param_type type;
	union {
		bool *b;
		unsigned int *u;
		/* Returns 0, or -EINVAL when the value is not understood. */
		int (*parse)(const char *value);
	} to;
	unsigned int min, max;
};

#define PARAM_SECTION_ __used __section("cmdline_params") __aligned(8)

#define BOOL_PARAM(name_, var_)                                           \
	static const struct cmdline_param param_##var_ PARAM_SECTION_ = { \
		.name = name_, .type = PARAM_BOOL, .to.b = &var_          \
	}
#define UINT_PARAM(name_, var_, min_, max_)                               \
	static const struct cmdline_param param_##var_ PARAM_SECTION_ = { \
		.name = name_,                                            \
		.type = PARAM_UINT,                                       \
		.to.u = &var_,                                            \
		.min = min_,                                              \
		.max = max_                                               \
	}
#define CUSTOM_PARAM(name_, fn_)                                         \
	static const struct cmdline_param param_##fn_ PARAM_SECTION_ = { \
		.name = name_, .type = PARAM_CUSTOM, .to.parse = fn_     \
	}

/*
 * Apply the options in cmdline ("a b=c ..."). Unknown options and bad
 * values are reported and ignored. Returns how many were ignored.
 */
unsigned int cmdline_parse(const char *cmdline);

/*
 * The part of a loader's command line meant for us: QEMU, SYSLINUX and
 * GRUB legacy put the image's file name first, GRUB 2 does not.
 */
const char *cmdline_skip_image(const char *cmdline, const char *loader);

/* Parse an unsigned number (decimal or 0x hex) that fills all of s. */
int param_parse_uint(const char *s, uint64_t *out);

#endif
