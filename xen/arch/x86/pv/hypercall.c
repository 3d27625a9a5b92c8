/*
 * Hypercalls: number in rax, arguments in rdi rsi rdx r10 r8, result in
 * rax (Xen's x86-64 PV convention). Every handler checks all of its
 * arguments before acting; guest memory is reached only through
 * copy_from_guest/copy_to_guest; an unknown number gets -ENOSYS.
 */
#include <xen/console.h>
#include <xen/errno.h>
#include <xen/event.h>
#include <xen/kernel.h>
#include <xen/lib.h>
#include <xen/policy.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/sysctl.h>
#include <public/sched.h>
#include <public/version.h>
#include <public/xen.h>
#include <asm/guest_access.h>
#include <asm/pv.h>
#include <asm/regs.h>

/* A whole stub printf() line at once: nobody's line gets in between. */
#define CONSOLE_CHUNK	  512
#define CONSOLE_WRITE_MAX 4096 /* bytes per hypercall */

typedef long (*hypercall_fn_t)(uint64_t a1, uint64_t a2, uint64_t a3,
			       uint64_t a4, uint64_t a5);

static struct domain *current_domain(void)
{
	return pv_current()->domain;
}

static long console_io_write(struct domain *d, uint64_t count, uint64_t buf)
{
	char chunk[CONSOLE_CHUNK];
	char prefix[16];

	if (policy_check(d, POLICY_CONSOLE_WRITE, NULL) < 0)
		return -EPERM;
	if (count > CONSOLE_WRITE_MAX)
		return -EINVAL;
	fmt_snprintf(prefix, sizeof(prefix), "(d%u) ", d->domain_id);
	for (uint64_t done = 0; done < count;) {
		size_t n =
		    count - done > CONSOLE_CHUNK ? CONSOLE_CHUNK : count - done;

		if (copy_from_guest(d, chunk, buf + done, n) < 0)
			return -EFAULT;
		printk_guest(prefix, chunk, n, &d->console);
		done += n;
	}
	return 0;
}

static long do_console_io(uint64_t cmd, uint64_t count, uint64_t buf,
			  uint64_t a4, uint64_t a5)
{
	switch (cmd) {
	case CONSOLEIO_write:
		return console_io_write(current_domain(), count, buf);
	case CONSOLEIO_read:
		return console_input_read(current_domain(), count, buf);
	default:
		return -ENOSYS;
	}
}

/*
 * Block with events enabled until one is pending. Blocking first and
 * checking second, a kick between the two cannot be lost.
 */
static void sched_block_for_events(struct vcpu *v)
{
	v->vcpu_info->evtchn_upcall_mask = 0;
	vcpu_block(v);
	if (__atomic_load_n(&v->vcpu_info->evtchn_upcall_pending,
			    __ATOMIC_ACQUIRE))
		vcpu_wake(v);
}

#define POLL_PORTS_MAX 128

static bool poll_any_pending(struct domain *d, const evtchn_port_t *ports,
			     unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (__atomic_load_n(
			&d->shared_info->evtchn_pending[ports[i] / 64],
			__ATOMIC_ACQUIRE) &
		    (1ull << (ports[i] % 64)))
			return true;
	return false;
}

/*
 * SCHEDOP_poll: block until one of the ports is pending (masked or not)
 * or the absolute timeout passes (0: none). Polling is set before the
 * check, so a port raised in between wakes the vCPU.
 */
static long sched_poll(struct vcpu *v, uint64_t arg)
{
	struct domain *d = v->domain;
	evtchn_port_t ports[POLL_PORTS_MAX];
	struct sched_poll p;

	if (copy_from_guest(d, &p, arg, sizeof(p)) < 0)
		return -EFAULT;
	if (p.nr_ports == 0 || p.nr_ports > POLL_PORTS_MAX)
		return -EINVAL;
	if (copy_from_guest(d, ports, (uint64_t)(uintptr_t)p.ports.p,
			    p.nr_ports * sizeof(ports[0])) < 0)
		return -EFAULT;
	for (unsigned int i = 0; i < p.nr_ports; i++)
		if (ports[i] >= EVTCHN_MAX_PORTS)
			return -EINVAL;
	__atomic_store_n(&v->polling, true, __ATOMIC_SEQ_CST);
	vcpu_block(v);
	if (poll_any_pending(d, ports, p.nr_ports) ||
	    (p.timeout && p.timeout <= NOW())) {
		__atomic_store_n(&v->polling, false, __ATOMIC_RELEASE);
		vcpu_wake(v);
		return 0;
	}
	if (p.timeout) {
		/* The timer may still be queued from an earlier poll. */
		timer_stop(&v->poll_timer);
		v->poll_timer.cpu = smp_processor_id();
		timer_set(&v->poll_timer, p.timeout);
	}
	return 0;
}

static long do_sched_op(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4,
			uint64_t a5)
{
	struct sched_shutdown shutdown;
	struct sched_watchdog watchdog;

	switch (cmd) {
	case SCHEDOP_yield:
		vcpu_yield(pv_current());
		return 0;
	case SCHEDOP_poll:
		return sched_poll(pv_current(), arg);
	case SCHEDOP_block:
		sched_block_for_events(pv_current());
		return 0;
	case SCHEDOP_watchdog:
		if (copy_from_guest(current_domain(), &watchdog, arg,
				    sizeof(watchdog)) < 0)
			return -EFAULT;
		return domain_watchdog(current_domain(), watchdog.id,
				       watchdog.timeout);
	case SCHEDOP_shutdown:
		if (copy_from_guest(current_domain(), &shutdown, arg,
				    sizeof(shutdown)) < 0)
			return -EFAULT;
		if (shutdown.reason > SHUTDOWN_watchdog)
			return -EINVAL;
		domain_shutdown(current_domain(), shutdown.reason);
		return 0;
	default:
		return -ENOSYS;
	}
}

static long do_xen_version(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4,
			   uint64_t a5)
{
	static const xen_extraversion_t extra = "-citadel";
	struct xen_feature_info fi;
	struct domain *d = current_domain();

	switch (cmd) {
	case XENVER_version:
		return (4 << 16) | 17;
	case XENVER_extraversion:
		return copy_to_guest(d, arg, extra, sizeof(extra));
	case XENVER_pagesize:
		return PAGE_SIZE;
	case XENVER_get_features:
		if (copy_from_guest(d, &fi, arg, sizeof(fi)) < 0)
			return -EFAULT;
		if (fi.submap_idx != 0)
			return -EINVAL;
		fi.submap = 0;
		return copy_to_guest(d, arg, &fi, sizeof(fi));
	default:
		return -ENOSYS;
	}
}

static long do_sysctl(uint64_t arg, uint64_t a2, uint64_t a3, uint64_t a4,
		      uint64_t a5)
{
	return sysctl(current_domain(), arg);
}

static const hypercall_fn_t hypercall_table[] = {
	[__HYPERVISOR_console_io] = do_console_io,
	[__HYPERVISOR_sched_op] = do_sched_op,
	[__HYPERVISOR_xen_version] = do_xen_version,
	[__HYPERVISOR_update_va_mapping] = pv_do_update_va_mapping,
	[__HYPERVISOR_mmuext_op] = pv_do_mmuext_op,
	[__HYPERVISOR_memory_op] = pv_do_memory_op,
	[__HYPERVISOR_set_callbacks] = pv_do_set_callbacks,
	[__HYPERVISOR_callback_op] = pv_do_callback_op,
	[__HYPERVISOR_set_trap_table] = pv_do_set_trap_table,
	[__HYPERVISOR_vcpu_op] = pv_do_vcpu_op,
	[__HYPERVISOR_set_timer_op] = pv_do_set_timer_op,
	[__HYPERVISOR_event_channel_op] = pv_do_event_channel_op,
	[__HYPERVISOR_arch_7] = testdev_hypercall,
	[__HYPERVISOR_sysctl] = do_sysctl,
	[__HYPERVISOR_domctl] = pv_do_domctl,
	[__HYPERVISOR_grant_table_op] = pv_do_grant_table_op,
	[__HYPERVISOR_physdev_op] = pv_do_physdev_op,
};

void pv_hypercall(struct cpu_regs *regs)
{
	uint64_t nr = regs->rax;
	hypercall_fn_t fn =
	    nr < ARRAY_SIZE(hypercall_table) ? hypercall_table[nr] : NULL;

	/* iret changes the whole frame, not only rax. */
	if (nr == __HYPERVISOR_iret) {
		regs->rax = (uint64_t)pv_do_iret(regs);
		return;
	}
	regs->rax = fn ? (uint64_t)fn(regs->rdi, regs->rsi, regs->rdx,
				      regs->r10, regs->r8)
		       : (uint64_t)-ENOSYS;
}
