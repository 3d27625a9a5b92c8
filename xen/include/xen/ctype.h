/* Character classes the hypervisor and the small domains share. */
#ifndef XEN_CTYPE_H
#define XEN_CTYPE_H

/* The value of hex digit c (either case), or -1. */
static inline int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
