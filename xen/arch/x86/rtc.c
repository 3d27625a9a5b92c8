/* The CMOS real-time clock, read once at boot for the domains' wallclock. */
#include <xen/lib.h>
#include <asm/io.h>
#include <asm/rtc.h>

#define RTC_INDEX    0x70
#define RTC_DATA     0x71
#define RTC_STATUS_A 0x0a
#define RTC_STATUS_B 0x0b
#define RTC_UIP	     0x80 /* update in progress */
#define RTC_BINARY   0x04
#define RTC_24H	     0x02

static unsigned int rtc_read(unsigned int reg)
{
	outb(RTC_INDEX, (uint8_t)reg);
	return inb(RTC_DATA);
}

static unsigned int rtc_value(unsigned int reg, bool binary)
{
	unsigned int v = rtc_read(reg);

	return binary ? v : (v & 0x0f) + (v >> 4) * 10;
}

/* Days from 1970-01-01 to y-m-d (a proleptic Gregorian calendar). */
static uint64_t rtc_days(uint64_t y, unsigned int m, unsigned int d)
{
	if (m <= 2) {
		y--;
		m += 12;
	}
	return 365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 +
	       d - 719469;
}

uint64_t rtc_read_epoch(void)
{
	unsigned int b, sec, min, hour, day, mon, year;
	bool bin;

	for (unsigned int i = 0;
	     i < 100000 && (rtc_read(RTC_STATUS_A) & RTC_UIP); i++)
		;
	b = rtc_read(RTC_STATUS_B);
	bin = b & RTC_BINARY;
	sec = rtc_value(0, bin);
	min = rtc_value(2, bin);
	hour = rtc_read(4);
	hour = bin ? (hour & 0x7f) : rtc_value(4, false) & 0x7f;
	if (!(b & RTC_24H) && (rtc_read(4) & 0x80))
		hour = (hour % 12) + 12;
	day = rtc_value(7, bin);
	mon = rtc_value(8, bin);
	year = rtc_value(9, bin) + 2000;
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 ||
	    min > 59 || sec > 60)
		return 0;
	return rtc_days(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
}
