/*
 * Exceptions and event upcalls: the hypervisor bounces them to traps.S,
 * which calls stub_trap(). Unhandled ones crash the domain with a report.
 */
#include <public/callback.h>
#include <public/sched.h>
#include <stub/hypercall.h>
#include <stub/stub.h>
#include <stub/traps.h>

#define STUB_TRAPS 32

void stub_trap(struct stub_regs *regs);
void stub_entry_divide(void);
void stub_entry_invalid_op(void);
void stub_entry_gp(void);
void stub_entry_page_fault(void);
void stub_entry_event(void);

static stub_trap_fn handlers[STUB_TRAPS + 1];

void stub_set_trap_handler(unsigned int vector, stub_trap_fn fn)
{
	handlers[vector == STUB_VECTOR_EVENT ? STUB_TRAPS : vector] = fn;
}

uint64_t stub_fault_address(void)
{
	return shared_info->vcpu_info[0].arch.cr2;
}

void stub_trap(struct stub_regs *regs)
{
	unsigned int v = regs->vector == STUB_VECTOR_EVENT
			     ? STUB_TRAPS
			     : (unsigned int)regs->vector;

	if (v <= STUB_TRAPS && handlers[v] && handlers[v](regs))
		return;
	stub_panic("unhandled exception %llu at %#llx, error %#llx",
		   (unsigned long long)regs->vector,
		   (unsigned long long)regs->rip,
		   (unsigned long long)regs->error_code);
}

void stub_traps_init(void)
{
	static struct trap_info table[] = {
		{ 0, 0, FLAT_RING3_CS64, 0, (uint64_t)stub_entry_divide },
		{ 6, 0, FLAT_RING3_CS64, 0, (uint64_t)stub_entry_invalid_op },
		{ 13, 0, FLAT_RING3_CS64, 0, (uint64_t)stub_entry_gp },
		{ 14, 0, FLAT_RING3_CS64, 0, (uint64_t)stub_entry_page_fault },
		{ 0, 0, 0, 0, 0 },
	};
	struct callback_register cb = {
		.type = CALLBACKTYPE_event,
		.address = (uint64_t)stub_entry_event,
	};

	if (hypercall2(__HYPERVISOR_set_trap_table, (long)table, 0) < 0)
		stub_panic("set_trap_table failed");
	if (hypercall2(__HYPERVISOR_callback_op, CALLBACKOP_register,
		       (long)&cb) < 0)
		stub_panic("event callback registration failed");
}
