/*
 * Time from the TSC: calibrated once against the HPET (or the PIT when
 * there is none), scaled to nanoseconds with a 32.32 fixed-point factor.
 */
#include <xen/lib.h>
#include <xen/time.h>
#include <asm/apic.h>
#include <asm/cpufeature.h>
#include <asm/io.h>
#include <asm/irq.h>
#include <asm/mm.h>
#include <asm/msr.h>
#include <asm/time.h>

#define CALIBRATE_MS 20
#define HPET_GCAP    0x000
#define HPET_CONFIG  0x010
#define HPET_COUNTER 0x0f0
#define HPET_ENABLE  1
#define PIT_HZ	     1193182
#define PIT_CH2	     0x42
#define PIT_MODE     0x43
#define PIT_GATE     0x61
#define FS_PER_NS    1000000ull

uint64_t tsc_khz;
static uint64_t tsc_at_zero;	    /* TSC value at system time 0 */
static uint64_t ns_per_tsc;	    /* 32.32 fixed point */
static uint64_t tsc_per_ns;	    /* 32.32 fixed point */
static uint64_t apic_ticks_per_tsc; /* 32.32, for the one-shot timer */

static uint64_t mul_frac(uint64_t a, uint64_t frac32)
{
	return (uint64_t)(((unsigned __int128)a * frac32) >> 32);
}

s_time_t NOW(void)
{
	return mul_frac(rdtsc() - tsc_at_zero, ns_per_tsc);
}

static uint64_t time_ns_to_tsc(s_time_t t)
{
	return tsc_at_zero + mul_frac(t, tsc_per_ns);
}

void time_delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + us * tsc_khz / 1000;

	while (rdtsc() < end)
		__builtin_ia32_pause();
}

/* TSC ticks in CALIBRATE_MS of HPET time, or 0 if the HPET is unusable. */
static uint64_t time_calibrate_hpet(paddr_t addr)
{
	volatile uint64_t *hpet = ioremap(addr, 0x400);
	uint64_t period_fs, target, h0, t0;

	if (!hpet)
		return 0;
	period_fs = hpet[HPET_GCAP / 8] >> 32;
	if (period_fs == 0 || period_fs > 100000000) /* > 100 ns: broken */
		return 0;
	hpet[HPET_CONFIG / 8] |= HPET_ENABLE;
	target = MILLISECS(CALIBRATE_MS) * FS_PER_NS / period_fs;
	h0 = hpet[HPET_COUNTER / 8];
	t0 = rdtsc_ordered();
	while (hpet[HPET_COUNTER / 8] - h0 < target)
		__builtin_ia32_pause();
	return rdtsc_ordered() - t0;
}

/* The same against PIT channel 2, counting down once from its gate. */
static uint64_t time_calibrate_pit(void)
{
	uint16_t count = PIT_HZ * CALIBRATE_MS / 1000;
	uint64_t t0;

	outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01);
	outb(PIT_MODE, 0xb0); /* channel 2, lobyte/hibyte, mode 0 */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	t0 = rdtsc_ordered();
	while (!(inb(PIT_GATE) & 0x20))
		;
	return rdtsc_ordered() - t0;
}

static void time_calibrate_apic_timer(void)
{
	uint64_t t0, ticks;

	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | TIMER_VECTOR);
	apic_write(APIC_TMICT, 0xffffffff);
	t0 = rdtsc();
	time_delay_us(10000);
	ticks = 0xffffffffu - apic_read(APIC_TMCCT);
	apic_write(APIC_TMICT, 0);
	apic_ticks_per_tsc = (ticks << 32) / (rdtsc() - t0);
}

uint32_t time_tsc_to_apic_ticks(uint64_t deadline)
{
	uint64_t now = rdtsc(), ticks;

	if (deadline <= now)
		return 1;
	ticks = mul_frac(deadline - now, apic_ticks_per_tsc) + 1;
	return ticks > 0xffffffffu ? 0xffffffffu : (uint32_t)ticks;
}

void time_init(const struct acpi_info *ai)
{
	uint64_t ticks = 0;
	const char *source = "HPET";

	if (ai->have_hpet)
		ticks = time_calibrate_hpet(ai->hpet_addr);
	if (!ticks) {
		source = "PIT";
		ticks = time_calibrate_pit();
	}
	tsc_khz = ticks / CALIBRATE_MS;
	if (!tsc_khz)
		panic("TSC calibration against the %s failed", source);
	ns_per_tsc = (1000000ull << 32) / tsc_khz;
	tsc_per_ns = (tsc_khz << 32) / 1000000ull;
	tsc_at_zero = rdtsc();
	if (!cpu_has(X86_FEATURE_TSC_DEADLINE))
		time_calibrate_apic_timer();
	log_info("Time: TSC at %llu.%03llu MHz (calibrated against the %s)%s\n",
		 (unsigned long long)(tsc_khz / 1000),
		 (unsigned long long)(tsc_khz % 1000), source,
		 cpu_has(X86_FEATURE_INVTSC) ? ", invariant" : "");
}

/*
 * The TSC scale as a pvclock gives it: ns = ((tsc delta << shift) * mul)
 * >> 32, with mul normalised into [2^31, 2^32).
 */
void time_pvclock_scale(uint32_t *mul, int8_t *shift)
{
	uint64_t m = ns_per_tsc;
	int s = 0;

	while (m >= (1ull << 32)) {
		m >>= 1;
		s++;
	}
	while (m && m < (1ull << 31)) {
		m <<= 1;
		s--;
	}
	*mul = (uint32_t)m;
	*shift = (int8_t)s;
}

void arch_timer_program(s_time_t t)
{
	apic_timer_set(t ? time_ns_to_tsc(t) : 0);
}
