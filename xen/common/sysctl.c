/*
 * sysctl: host-wide queries for the control domain (Xen's hypercall 35):
 * physinfo (CPUs, memory) for xl info, readconsole (the hypervisor's
 * log) for xl dmesg. The policy module decides who may ask; guest memory
 * is reached through copy_from_guest/copy_to_guest only.
 */
#include <xen/console.h>
#include <xen/errno.h>
#include <xen/iommu.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/policy.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/string.h>
#include <xen/sysctl.h>
#include <public/sysctl.h>
#include <asm/guest_access.h>
#include <asm/time.h>

#define SYSCTL_CHUNK 256 /* log bytes copied to the guest at a time */

static void sysctl_physinfo(struct xen_sysctl_physinfo *pi)
{
	struct page_alloc_stats st;
	unsigned int cpus = __atomic_load_n(&nr_cpus_online, __ATOMIC_ACQUIRE);

	page_alloc_get_stats(&st);
	memset(pi, 0, sizeof(*pi));
	/* No topology is read from the CPUs: one core per CPU, one node. */
	pi->threads_per_core = 1;
	pi->cores_per_socket = cpus;
	pi->nr_cpus = cpus;
	pi->max_cpu_id = cpus ? cpus - 1 : 0;
	pi->nr_nodes = 1;
	pi->cpu_khz = (uint32_t)tsc_khz;
	pi->capabilities = XEN_SYSCTL_PHYSCAP_pv |
			   XEN_SYSCTL_PHYSCAP_gnttab_v1 |
			   (iommu_enabled() ? XEN_SYSCTL_PHYSCAP_directio : 0);
	pi->total_pages = st.total;
	/* As Xen: frames waiting to be zeroed count as free, and apart. */
	pi->free_pages = st.free + st.dirty;
	pi->scrub_pages = st.dirty;
	pi->max_mfn = page_alloc_max_mfn();
}

static long sysctl_readconsole(struct domain *d,
			       struct xen_sysctl_readconsole *rc)
{
	char chunk[SYSCTL_CHUNK];
	uint64_t buf = (uint64_t)(uintptr_t)rc->buffer.p;
	uint32_t index = rc->index, done = 0;
	bool incremental = rc->incremental;

	while (done < rc->count) {
		uint32_t want = rc->count - done < SYSCTL_CHUNK
				    ? rc->count - done
				    : SYSCTL_CHUNK;
		uint32_t at = index;
		size_t n =
		    printk_log_read(&index, incremental, chunk, want, false);

		if (!n)
			break;
		if (copy_to_guest(d, buf + done, chunk, n) < 0) {
			/* Not consumed: the caller may read it again. */
			index = at;
			if (!done)
				return -EFAULT;
			break;
		}
		done += (uint32_t)n;
		incremental = true;
	}
	if (rc->clear)
		printk_log_read(&index, true, chunk, 0, true);
	rc->index = index;
	rc->count = done;
	return 0;
}

long sysctl(struct domain *d, uint64_t arg)
{
	struct xen_sysctl op;
	long rc;

	if (policy_check(d, POLICY_SYSCTL, NULL) < 0)
		return -EPERM;
	if (copy_from_guest(d, &op, arg, sizeof(op)) < 0)
		return -EFAULT;
	if (op.interface_version != XEN_SYSCTL_INTERFACE_VERSION)
		return -EACCES;
	switch (op.cmd) {
	case XEN_SYSCTL_physinfo:
		sysctl_physinfo(&op.u.physinfo);
		rc = 0;
		break;
	case XEN_SYSCTL_readconsole:
		if (op.u.readconsole.pad0 || op.u.readconsole.pad1)
			return -EINVAL;
		rc = sysctl_readconsole(d, &op.u.readconsole);
		break;
	default:
		return -ENOSYS;
	}
	if (rc == 0 && copy_to_guest(d, arg, &op, sizeof(op)) < 0)
		return -EFAULT;
	return rc;
}
