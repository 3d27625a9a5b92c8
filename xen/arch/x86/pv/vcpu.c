/*
 * VCPUOP for PV domains: a domain starts its other vCPUs (initialise
 * with a context, then up) and stops them (down). First stage: of the
 * context, the general registers and the event and failsafe callbacks
 * are taken; segments, trap table and control registers are ours.
 */
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/sched.h>
#include <xen/string.h>
#include <public/vcpu.h>
#include <public/xen.h>
#include <asm/guest_access.h>
#include <asm/page.h>
#include <asm/pv.h>
#include <asm/regs.h>
#include <asm/x86-defs.h>

#define CTX_OFF(f) __builtin_offsetof(struct vcpu_guest_context, f)

static void pv_regs_from_user(struct cpu_regs *r, const struct cpu_user_regs *u)
{
	r->r15 = u->r15, r->r14 = u->r14, r->r13 = u->r13, r->r12 = u->r12;
	r->r11 = u->r11, r->r10 = u->r10, r->r9 = u->r9, r->r8 = u->r8;
	r->rbp = u->rbp, r->rdi = u->rdi, r->rsi = u->rsi, r->rdx = u->rdx;
	r->rcx = u->rcx, r->rbx = u->rbx, r->rax = u->rax;
	r->rip = u->rip;
	r->rsp = u->rsp;
	r->rflags = (u->rflags & 0x00250fd5ull) | 0x202;
	r->cs = FLAT_RING3_CS64;
	r->ss = FLAT_RING3_DS;
	r->vector = CPU_REGS_NO_VECTOR;
}

/* Copy the parts of a vcpu_guest_context we use, and check them. */
static int pv_read_context(struct domain *d, uint64_t ctxp,
			   struct cpu_user_regs *regs, uint64_t *event,
			   uint64_t *failsafe)
{
	if (copy_from_guest(d, regs, ctxp + CTX_OFF(user_regs), sizeof(*regs)) <
		0 ||
	    copy_from_guest(d, event, ctxp + CTX_OFF(event_callback_eip),
			    sizeof(*event)) < 0 ||
	    copy_from_guest(d, failsafe, ctxp + CTX_OFF(failsafe_callback_eip),
			    sizeof(*failsafe)) < 0)
		return -EFAULT;
	if (regs->rip >= GUEST_VA_END || regs->rsp >= GUEST_VA_END ||
	    *event >= GUEST_VA_END || *failsafe >= GUEST_VA_END)
		return -EINVAL;
	return 0;
}

/*
 * Create vCPU id of d with the context at ctxp in src's memory (d itself
 * for VCPUOP_initialise, the control domain for XEN_DOMCTL_setvcpucontext).
 */
long pv_vcpu_create_with_context(struct domain *d, unsigned int id,
				 struct domain *src, uint64_t ctxp)
{
	struct cpu_user_regs regs;
	uint64_t event, failsafe;
	struct vcpu *v;
	int rc = pv_read_context(src, ctxp, &regs, &event, &failsafe);

	if (rc)
		return rc;
	if (id >= d->max_vcpus || id >= XEN_LEGACY_MAX_VCPUS)
		return -ENOENT;
	if (d->vcpus[id])
		return -EEXIST;
	v = vcpu_create(d, id);
	if (!v)
		return -ENOMEM;
	pv_regs_from_user(&v->arch.regs, &regs);
	pv_timer_init(v);
	v->arch.event_callback = event;
	v->arch.failsafe_callback = failsafe;
	v->vcpu_info = &d->shared_info->vcpu_info[id];
	v->vcpu_info->evtchn_upcall_mask = 1;
	return 0;
}

/*
 * Move v's vcpu_info into a frame of the domain's own, once (as Xen's
 * VCPUOP_register_vcpu_info). The contents come along; the frame stays
 * the domain's until it is destroyed, so the pointer stays good.
 */
static long pv_register_vcpu_info(struct vcpu *v, uint64_t arg)
{
	struct domain *d = v->domain;
	struct vcpu_register_vcpu_info r;
	struct page_info *pg;
	struct vcpu_info *vi;

	if (copy_from_guest(d, &r, arg, sizeof(r)) < 0)
		return -EFAULT;
	pg = mfn_to_page(_mfn(r.mfn));
	if (r.rsvd || r.offset > PAGE_SIZE - sizeof(*vi) || (r.offset & 7) ||
	    !pg || pg->owner != d->domain_id || pg->use != PGU_DOMAIN ||
	    pg->order == PAGE_ORDER_TAIL)
		return -EINVAL;
	if (v->vcpu_info != &d->shared_info->vcpu_info[v->vcpu_id])
		return -EINVAL; /* registered already */
	vi = (struct vcpu_info *)((char *)maddr_to_virt(
				      mfn_to_paddr(_mfn(r.mfn))) +
				  r.offset);
	memcpy(vi, v->vcpu_info, sizeof(*vi));
	__atomic_store_n(&v->vcpu_info, vi, __ATOMIC_RELEASE);
	return 0;
}

long pv_do_vcpu_op(uint64_t cmd, uint64_t id, uint64_t arg, uint64_t a4,
		   uint64_t a5)
{
	struct domain *d = pv_current()->domain;
	struct vcpu *v;

	if (id >= d->max_vcpus || id >= XEN_LEGACY_MAX_VCPUS)
		return -ENOENT;
	if (cmd == VCPUOP_initialise)
		return pv_vcpu_create_with_context(d, (unsigned int)id, d, arg);
	v = d->vcpus[id];
	switch (cmd) {
	case VCPUOP_up:
		if (!v)
			return -EINVAL;
		if (!__atomic_exchange_n(&v->online, true, __ATOMIC_ACQ_REL))
			vcpu_wake(v);
		return 0;
	case VCPUOP_down:
		if (v &&
		    __atomic_exchange_n(&v->online, false, __ATOMIC_ACQ_REL))
			vcpu_block(v);
		return 0;
	case VCPUOP_is_up:
		return v && __atomic_load_n(&v->online, __ATOMIC_ACQUIRE);
	case VCPUOP_register_vcpu_info:
		return v ? pv_register_vcpu_info(v, arg) : -ENOENT;
	case VCPUOP_get_runstate_info:
	case VCPUOP_register_runstate_memory_area:
		return v ? vcpu_runstate_op(v, (unsigned int)cmd, arg)
			 : -ENOENT;
	case VCPUOP_set_singleshot_timer:
	case VCPUOP_stop_singleshot_timer:
		/* Only for the calling vCPU, as in Xen. */
		if (v != pv_current())
			return -EINVAL;
		return pv_vcpu_timer_op(v, cmd, arg);
	default:
		return -ENOSYS;
	}
}
