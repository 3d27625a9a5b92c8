/*
 * The hypervisor's string functions, freestanding: byte loops, but for
 * memcpy and memset, which use x86's string instructions eight bytes at
 * a time, then the tail a byte at a time. A byte-wide rep moves a byte
 * per iteration where the CPU does not fast-path it (QEMU's TCG among
 * them: a 4 KiB copy is 4096 iterations there, 512 with quadwords).
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
	size_t q = n >> 3, r = n & 7;

	__asm__ volatile("rep movsq\n\t"
			 "mov %3, %%rcx\n\t"
			 "rep movsb"
			 : "+D"(d), "+S"(src), "+c"(q)
			 : "r"(r)
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
	size_t q = n >> 3, r = n & 7;
	uint64_t v = (uint8_t)c * 0x0101010101010101ull;

	__asm__ volatile("rep stosq\n\t"
			 "mov %2, %%rcx\n\t"
			 "rep stosb"
			 : "+D"(d), "+c"(q)
			 : "r"(r), "a"(v)
			 : "memory");
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
