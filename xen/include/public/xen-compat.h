/*
 * Glue shared by every header in public/, Citadel's guest-visible ABI.
 *
 * The ABI follows Xen's published x86-64 interface (Xen 4.17) number for
 * number and byte for byte. Every header here stands alone: it needs only
 * <stdint.h>, <stddef.h> and its siblings, and compiles as C99 and C++11.
 * Every struct that crosses the guest boundary spells out its padding and
 * pins its size and key offsets with XEN_ABI_SIZE/XEN_ABI_OFFSET, so a
 * layout mistake stops the build instead of a guest.
 */
#ifndef XEN_PUBLIC_XEN_COMPAT_H
#define XEN_PUBLIC_XEN_COMPAT_H

#if !defined(__x86_64__)
#error "Citadel's public headers describe the x86-64 ABI only"
#endif

/* Typed integer constants, also usable from assembly. */
#ifdef __ASSEMBLY__
#define xen_mk_uint(x)	 x
#define xen_mk_ulong(x)	 x
#define xen_mk_ullong(x) x
#else
#define xen_mk_uint(x)	 x##U
#define xen_mk_ulong(x)	 x##UL
#define xen_mk_ullong(x) x##ULL
#endif

/* Shared rings and hypercall buffers always use 4 KiB pages. */
#ifndef XEN_PAGE_SHIFT
#define XEN_PAGE_SHIFT 12
#endif
#ifndef XEN_PAGE_SIZE
#define XEN_PAGE_SIZE (xen_mk_ulong(1) << XEN_PAGE_SHIFT)
#endif

/*
 * xen.h, arch-x86/, elfnote.h, errno.h, features.h and the macro-only
 * headers may be included from assembly (with __ASSEMBLY__ defined) for
 * their constants; the others are C only.
 */
#ifndef __ASSEMBLY__

#include <stddef.h>
#include <stdint.h>

/*
 * A compile-time assertion usable at file scope. C99 has none of its own;
 * GCC and Clang accept C11's _Static_assert there as an extension, which
 * __extension__ keeps quiet under -pedantic.
 */
#if defined(__cplusplus)
#define XEN_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define XEN_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#elif defined(__GNUC__)
#define XEN_STATIC_ASSERT(cond, msg) __extension__ _Static_assert(cond, msg)
#else
#error "public headers need C11, C++11, or C99 with GNU extensions"
#endif

/* Pin a type's size, or a member's offset, to the number the ABI fixes. */
#define XEN_ABI_SIZE(type, size) \
	XEN_STATIC_ASSERT(sizeof(type) == (size), "ABI size of " #type)
#define XEN_ABI_OFFSET(type, member, off)                  \
	XEN_STATIC_ASSERT(offsetof(type, member) == (off), \
			  "ABI offset of " #type "." #member)

/*
 * Dimension of a trailing variable-length array. C99 has flexible array
 * members; C++ does not, so there the array gets one element. Never take
 * sizeof such a struct: use offsetof of the array instead.
 */
#if defined(__cplusplus)
#define XEN_FLEX_ARRAY_DIM 1
#else
#define XEN_FLEX_ARRAY_DIM
#endif

#endif /* !__ASSEMBLY__ */

#endif /* XEN_PUBLIC_XEN_COMPAT_H */
