/*
 * Queued invalidation: descriptors go into a ring page the unit reads;
 * each batch ends with a wait descriptor that writes a status word, which
 * we poll (bounded: a unit that never answers is reported, not waited
 * for forever).
 */
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/time.h>
#include <asm/mm.h>
#include <asm/page.h>

#include "vtd.h"

#define QI_TIMEOUT MILLISECS(100)

static void qi_put(struct vtd_unit *u, uint64_t lo, uint64_t hi)
{
	u->queue[u->qtail * 2] = lo;
	u->queue[u->qtail * 2 + 1] = hi;
	vtd_flush(&u->queue[u->qtail * 2], 16);
	u->qtail = (u->qtail + 1) % VTD_QI_ENTRIES;
}

/* Submit what was queued and wait until the unit has done it. */
static int qi_sync(struct vtd_unit *u)
{
	s_time_t deadline = NOW() + QI_TIMEOUT;

	u->qstatus = 0;
	qi_put(u, VTD_QI_WAIT | VTD_QI_WAIT_SW | (uint64_t)1 << 32,
	       paddr_x(virt_to_maddr((void *)&u->qstatus)));
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vtd_write64(u, VTD_IQT, (uint64_t)u->qtail << 4);
	while (__atomic_load_n(&u->qstatus, __ATOMIC_ACQUIRE) != 1) {
		if (vtd_read32(u, VTD_FSTS) & VTD_FSTS_IQE) {
			log_err("IOMMU: invalidation queue error\n");
			return -EIO;
		}
		if (NOW() > deadline) {
			log_err("IOMMU: invalidation timed out\n");
			return -EIO;
		}
		__builtin_ia32_pause();
	}
	return 0;
}

int vtd_qi_enable(struct vtd_unit *u)
{
	u->queue = alloc_xen_page();
	if (!u->queue)
		return -ENOMEM;
	u->qtail = 0;
	vtd_write64(u, VTD_IQT, 0);
	/* 128-bit descriptors, one page (queue size 0). */
	vtd_write64(u, VTD_IQA, paddr_x(virt_to_maddr(u->queue)));
	return 0;
}

int vtd_qi_context(struct vtd_unit *u, uint16_t did, uint16_t sid)
{
	qi_put(u,
	       VTD_QI_CC | VTD_QI_DEVICE | (uint64_t)did << 16 |
		   (uint64_t)sid << 32,
	       0);
	qi_put(u,
	       VTD_QI_IOTLB | VTD_QI_DOMAIN | VTD_QI_IOTLB_DR |
		   VTD_QI_IOTLB_DW | (uint64_t)did << 16,
	       0);
	return qi_sync(u);
}

int vtd_qi_iotlb(struct vtd_unit *u, uint16_t did)
{
	qi_put(u,
	       VTD_QI_IOTLB | VTD_QI_DOMAIN | VTD_QI_IOTLB_DR |
		   VTD_QI_IOTLB_DW | (uint64_t)did << 16,
	       0);
	return qi_sync(u);
}

int vtd_qi_iec(struct vtd_unit *u, unsigned int index, bool all)
{
	/* Granularity bit 4: 1 selects the entry at bits 47:32. */
	qi_put(u,
	       all ? VTD_QI_IEC
		   : VTD_QI_IEC | 1ull << 4 | (uint64_t)index << 32,
	       0);
	return qi_sync(u);
}

int vtd_qi_global(struct vtd_unit *u)
{
	qi_put(u, VTD_QI_CC | VTD_QI_GLOBAL, 0);
	qi_put(u,
	       VTD_QI_IOTLB | VTD_QI_GLOBAL | VTD_QI_IOTLB_DR | VTD_QI_IOTLB_DW,
	       0);
	qi_put(u, VTD_QI_IEC, 0); /* global */
	return qi_sync(u);
}
