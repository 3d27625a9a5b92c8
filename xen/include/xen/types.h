#ifndef XEN_TYPES_H
#define XEN_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/const.h>

/*
 * Addresses and frame numbers are one-field structs, so a machine frame,
 * a physical address and a virtual address cannot be mixed up by
 * accident: _T() makes one from a number, T_x() gives the number back.
 */
#define TYPESAFE_(name, type)                                \
	typedef struct {                                     \
		type name##_v;                               \
	} name##_t;                                          \
	static inline name##_t _##name(type v)               \
	{                                                    \
		return (name##_t){ v };                      \
	}                                                    \
	static inline type name##_x(name##_t t)              \
	{                                                    \
		return t.name##_v;                           \
	}                                                    \
	static inline bool name##_eq(name##_t a, name##_t b) \
	{                                                    \
		return a.name##_v == b.name##_v;             \
	}

/* A machine physical address. */
TYPESAFE_(paddr, uint64_t)
/* A machine frame number: a physical address >> PAGE_SHIFT. */
TYPESAFE_(mfn, uint64_t)
/* A virtual (linear) address that is not a C pointer of ours. */
TYPESAFE_(vaddr, uint64_t)

#define INVALID_MFN _mfn(~0ull)

static inline paddr_t paddr_add(paddr_t p, uint64_t off)
{
	return _paddr(paddr_x(p) + off);
}

static inline mfn_t mfn_add(mfn_t m, uint64_t n)
{
	return _mfn(mfn_x(m) + n);
}

static inline paddr_t mfn_to_paddr(mfn_t m)
{
	return _paddr(mfn_x(m) << PAGE_SHIFT);
}

/* The frame holding p. */
static inline mfn_t paddr_to_mfn(paddr_t p)
{
	return _mfn(paddr_x(p) >> PAGE_SHIFT);
}

#endif
