#ifndef ASM_RTC_H
#define ASM_RTC_H

#include <xen/types.h>

/* Seconds since 1970 by the CMOS clock (taken as UTC), 0 if unreadable. */
uint64_t rtc_read_epoch(void);

#endif
