/*
 * The hypervisor's string functions, freestanding: byte loops, but for
 * memcpy and memset, which use x86's string instructions (one
 * instruction for a whole page, fast on current CPUs and under TCG).
 * Host unit tests use the C library's instead of these.
 */
#include <xen/string.h>

/*
 * gcc recognises these loops as memset/memcpy patterns and would compile
 * them into calls to the very function being defined, recursing forever.
 */
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep movsb"
			 : "+D"(d), "+S"(src), "+c"(n)
			 :
			 : "memory");
	return dst;
}

NO_LIBCALL void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	/* Apart (the usual case, grant copies): as fast as memcpy. */
	if ((uintptr_t)d - (uintptr_t)s >= n &&
	    (uintptr_t)s - (uintptr_t)d >= n)
		return memcpy(dst, src, n);
	/* Copy backwards when dst overlaps the tail of src. */
	if ((uintptr_t)d - (uintptr_t)s < n) {
		while (n--)
			d[n] = s[n];
	} else {
		while (n--)
			*d++ = *s++;
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++) {
		if (*p != *q)
			return *p - *q;
	}
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	/* Test the bound first: s need not be terminated within max. */
	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p && *p == *q) {
		p++;
		q++;
	}
	return *p - *q;
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	for (; n; n--, p++, q++) {
		if (*p != *q || !*p)
			return *p - *q;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	/* The terminator itself can be searched for, as in C. */
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (size_t i = 0; i < n; i++)
		if (p[i] == (unsigned char)c)
			return (void *)(p + i);
	return NULL;
}
