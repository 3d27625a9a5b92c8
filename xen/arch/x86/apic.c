/* The local APIC: registers, end of interrupt, IPIs and the timer. */
#include <xen/lib.h>
#include <asm/apic.h>
#include <asm/cpufeature.h>
#include <asm/irq.h>
#include <asm/mm.h>
#include <asm/msr.h>
#include <asm/time.h>

#define APIC_BASE_EXTD	 (1u << 10)
#define APIC_BASE_ENABLE (1u << 11)
#define APIC_SVR_ENABLE	 (1u << 8)
#define APIC_TDCR_DIV_1	 0xb

static bool x2apic;
static volatile uint32_t *xapic_regs;
static bool tsc_deadline;

bool apic_x2apic_mode(void)
{
	return x2apic;
}

uint32_t apic_read(unsigned int reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC_FIRST + (reg >> 4));
	return xapic_regs[reg / 4];
}

void apic_write(unsigned int reg, uint32_t v)
{
	if (x2apic)
		wrmsr(MSR_X2APIC_FIRST + (reg >> 4), v);
	else
		xapic_regs[reg / 4] = v;
}

uint32_t apic_current_id(void)
{
	uint32_t id = apic_read(APIC_ID);

	return x2apic ? id : id >> 24;
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

static void apic_icr(uint32_t dest, uint32_t low)
{
	if (x2apic) {
		wrmsr(MSR_X2APIC_FIRST + (APIC_ICR >> 4),
		      ((uint64_t)dest << 32) | low);
		return;
	}
	while (xapic_regs[APIC_ICR / 4] & APIC_ICR_BUSY)
		__builtin_ia32_pause();
	xapic_regs[APIC_ICR2 / 4] = dest << 24;
	xapic_regs[APIC_ICR / 4] = low;
}

void apic_send_ipi(uint32_t apic_id, unsigned int vector)
{
	apic_icr(apic_id, vector);
}

void apic_send_ipi_allbutself(unsigned int vector)
{
	apic_icr(0, APIC_DEST_ALLBUT | vector);
}

void apic_init_bsp(paddr_t lapic_addr)
{
	x2apic = cpu_has(X86_FEATURE_X2APIC);
	tsc_deadline = cpu_has(X86_FEATURE_TSC_DEADLINE);
	if (!x2apic) {
		xapic_regs = ioremap(lapic_addr, 0x1000);
		if (!xapic_regs)
			panic("cannot map the local APIC");
	}
	log_info("APIC: %s mode, %s timer\n", x2apic ? "x2APIC" : "xAPIC",
		 tsc_deadline ? "TSC deadline" : "one-shot APIC");
}

void apic_cpu_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;

	wrmsr(MSR_APIC_BASE, base);
	if (x2apic)
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | SPURIOUS_VECTOR);
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	apic_write(APIC_LVT_LINT1, APIC_LVT_MASKED);
	apic_write(APIC_LVT_ERROR, ERROR_VECTOR);
	apic_write(APIC_ESR, 0);
	apic_write(APIC_TDCR, APIC_TDCR_DIV_1);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | TIMER_VECTOR);
	apic_eoi();
}

void apic_wake_cpu(uint32_t apic_id, paddr_t trampoline)
{
	uint32_t page = (uint32_t)(paddr_x(trampoline) >> 12);

	apic_icr(apic_id, APIC_ICR_INIT | APIC_ICR_LEVEL | APIC_ICR_ASSERT);
	time_delay_us(10000);
	for (int i = 0; i < 2; i++) {
		apic_icr(apic_id, APIC_ICR_STARTUP | page);
		time_delay_us(200);
	}
}

void apic_timer_set(uint64_t deadline)
{
	if (tsc_deadline) {
		apic_write(APIC_LVT_TIMER, APIC_TIMER_DEADLINE | TIMER_VECTOR);
		wrmsr(MSR_TSC_DEADLINE, deadline);
		return;
	}
	apic_write(APIC_LVT_TIMER, TIMER_VECTOR);
	apic_write(APIC_TMICT, deadline ? time_tsc_to_apic_ticks(deadline) : 0);
}
