/* Port I/O. */
#ifndef ASM_IO_H
#define ASM_IO_H

#include <xen/types.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* A read or write of len 1, 2 or 4 bytes. */
static inline uint32_t port_in(uint16_t port, unsigned int len)
{
	return len == 1 ? inb(port) : len == 2 ? inw(port) : inl(port);
}

static inline void port_out(uint16_t port, unsigned int len, uint32_t v)
{
	if (len == 1)
		outb(port, (uint8_t)v);
	else if (len == 2)
		outw(port, (uint16_t)v);
	else
		outl(port, v);
}

#endif
