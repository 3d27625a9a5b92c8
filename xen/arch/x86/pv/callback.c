/*
 * Into the domain and back: bounce frames for event upcalls and for
 * exceptions the domain handles, the hypercalls that register the
 * handlers, and iret, by which a handler returns.
 *
 * A bounce frame is built on the domain's stack, 16-byte aligned, as
 * Xen's x86-64 PV ABI has it (low to high): rcx, r11, [error code], rip,
 * cs, rflags, rsp, ss. The handler pops rcx and r11, and later returns
 * through HYPERVISOR_iret with flags, rip, cs, rflags, rsp, ss on its
 * stack (the iret stub pushes rcx, r11, rax above them).
 */
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/sched.h>
#include <xen/string.h>
#include <public/callback.h>
#include <public/sched.h>
#include <public/xen.h>
#include <asm/guest_access.h>
#include <asm/pv.h>
#include <asm/regs.h>
#include <asm/x86-defs.h>

#define X86_EFLAGS_IF 0x00000200ull
/* What a domain may set in its rflags from ring 3 (no IOPL, NT, VM, RF). */
#define GUEST_RFLAGS   0x00250fd5ull
#define TI_MASK_EVENTS 4 /* trap_info flags: events masked on entry */

static bool pv_has_error_code(unsigned int vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17;
}

/*
 * Enter the domain at target with a bounce frame. The frame's rflags.IF
 * tells whether events were unmasked. Returns -EFAULT when the stack is
 * not writable: the caller crashes the domain.
 */
static int pv_bounce(struct vcpu *v, struct cpu_regs *regs, uint64_t target,
		     bool has_error, uint64_t error, bool mask_events)
{
	uint64_t frame[8], sp = regs->rsp & ~15ull;
	unsigned int n = 0;
	uint64_t rflags = regs->rflags & ~X86_EFLAGS_IF;

	if (!v->vcpu_info->evtchn_upcall_mask)
		rflags |= X86_EFLAGS_IF;
	frame[n++] = regs->rcx;
	frame[n++] = regs->r11;
	if (has_error)
		frame[n++] = error;
	frame[n++] = regs->rip;
	frame[n++] = regs->cs;
	frame[n++] = rflags;
	frame[n++] = regs->rsp;
	frame[n++] = regs->ss;
	sp -= n * 8;
	if (copy_to_guest(v->domain, sp, frame, n * 8) < 0)
		return -EFAULT;
	if (mask_events)
		v->vcpu_info->evtchn_upcall_mask = 1;
	regs->rip = target;
	regs->rsp = sp;
	regs->cs = FLAT_RING3_CS64;
	regs->ss = FLAT_RING3_DS;
	return 0;
}

void pv_deliver_events(struct vcpu *v, struct cpu_regs *regs)
{
	struct vcpu_info *vi = v->vcpu_info;

	if (!vi || !v->arch.event_callback ||
	    !__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE) ||
	    vi->evtchn_upcall_mask)
		return;
	if (pv_bounce(v, regs, v->arch.event_callback, false, 0, true) < 0) {
		log_err("domain %u: event upcall stack at %#llx not writable\n",
			v->domain->domain_id, (unsigned long long)regs->rsp);
		domain_shutdown(v->domain, SHUTDOWN_crash);
	}
}

bool pv_bounce_exception(struct vcpu *v, struct cpu_regs *regs, uint64_t cr2)
{
	unsigned int vec = (unsigned int)regs->vector;

	if (vec >= PV_TRAPS || !v->arch.trap_address[vec] || !v->vcpu_info)
		return false;
	if (vec == 14)
		v->vcpu_info->arch.cr2 = cr2;
	return pv_bounce(v, regs, v->arch.trap_address[vec],
			 pv_has_error_code(vec), regs->error_code,
			 v->arch.trap_flags[vec] & TI_MASK_EVENTS) == 0;
}

static bool pv_canonical(uint64_t va)
{
	return va < GUEST_VA_END;
}

long pv_do_set_callbacks(uint64_t event, uint64_t failsafe, uint64_t syscall,
			 uint64_t a4, uint64_t a5)
{
	struct vcpu *v = pv_current();

	if (!pv_canonical(event) || !pv_canonical(failsafe))
		return -EINVAL;
	v->arch.event_callback = event;
	v->arch.failsafe_callback = failsafe;
	return 0;
}

long pv_do_callback_op(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	struct vcpu *v = pv_current();
	struct callback_register cb;

	if (cmd != CALLBACKOP_register)
		return -ENOSYS;
	if (copy_from_guest(v->domain, &cb, arg, sizeof(cb)) < 0)
		return -EFAULT;
	if (!pv_canonical(cb.address))
		return -EINVAL;
	switch (cb.type) {
	case CALLBACKTYPE_event:
		v->arch.event_callback = cb.address;
		return 0;
	case CALLBACKTYPE_failsafe:
		v->arch.failsafe_callback = cb.address;
		return 0;
	default:
		return -ENOSYS;
	}
}

/* A table of trap_info ending with address 0; NULL clears every entry. */
long pv_do_set_trap_table(uint64_t table, uint64_t a2, uint64_t a3, uint64_t a4,
			  uint64_t a5)
{
	struct vcpu *v = pv_current();
	uint64_t addr[PV_TRAPS] = { 0 };
	uint8_t flags[PV_TRAPS] = { 0 };

	for (unsigned int i = 0; table; i++) {
		struct trap_info ti;

		if (i == 256)
			return -EINVAL;
		if (copy_from_guest(v->domain, &ti, table + i * sizeof(ti),
				    sizeof(ti)) < 0)
			return -EFAULT;
		if (ti.address == 0)
			break;
		if (ti.vector >= PV_TRAPS || !pv_canonical(ti.address))
			return -EINVAL;
		addr[ti.vector] = ti.address;
		flags[ti.vector] = ti.flags;
	}
	memcpy(v->arch.trap_address, addr, sizeof(addr));
	memcpy(v->arch.trap_flags, flags, sizeof(flags));
	return 0;
}

/*
 * Back from a handler: the iret_context on the domain's stack says where
 * to; rflags.IF there says whether events are unmasked. Returns the rax
 * to restore (the dispatcher writes it), having set everything else.
 */
long pv_do_iret(struct cpu_regs *regs)
{
	struct vcpu *v = pv_current();
	struct iret_context ctx;

	if (copy_from_guest(v->domain, &ctx, regs->rsp, sizeof(ctx)) < 0 ||
	    (ctx.cs & 3) != 3 || !pv_canonical(ctx.rip)) {
		log_err("domain %u: bad iret frame at %#llx\n",
			v->domain->domain_id, (unsigned long long)regs->rsp);
		domain_shutdown(v->domain, SHUTDOWN_crash);
		return regs->rax;
	}
	v->vcpu_info->evtchn_upcall_mask = !(ctx.rflags & X86_EFLAGS_IF);
	regs->r11 = ctx.r11;
	regs->rcx = ctx.rcx;
	regs->rip = ctx.rip;
	regs->cs = FLAT_RING3_CS64;
	regs->rflags = (ctx.rflags & GUEST_RFLAGS) | X86_EFLAGS_IF | 2;
	regs->rsp = ctx.rsp;
	regs->ss = FLAT_RING3_DS;
	return (long)ctx.rax;
}
