/*
 * grant_table_op for PV domains: argument copying and batching around
 * xen/common/grant_table.c, and the page-table side of grant mappings.
 * Each operation of a batch is copied in, done and its status copied
 * out before the next, except copies (see gnttab_op_copy); a bad pointer
 * stops the batch with -EFAULT.
 */
#include <xen/errno.h>
#include <xen/grant_table.h>
#include <xen/lib.h>
#include <xen/sched.h>
#include <public/grant_table.h>
#include <asm/guest_access.h>
#include <asm/page.h>
#include <asm/pv.h>

/* Longest batch in one call (there are no continuations). */
#define GNTTAB_BATCH_MAX 4096
/* Copies read in, and written back, at a time. */
#define GNTTAB_COPY_CHUNK 16

int16_t arch_gnttab_map(struct domain *ld, uint64_t va, mfn_t mfn,
			bool readonly)
{
	const struct pt_alloc alloc = { pv_alloc_pt, ld };
	uint64_t pte =
	    mfn_x(mfn) << PAGE_SHIFT | PTE_P | PTE_US | PTE_NX | PTE_GRANT;

	if ((va & (PAGE_SIZE - 1)) || va < PAGE_SIZE || va >= GUEST_VA_END)
		return GNTST_bad_virt_addr;
	/* Never over another grant mapping: its pin would go astray. */
	if (pv_va_maps_grant(ld, va))
		return GNTST_bad_virt_addr;
	if (!readonly)
		pte |= PTE_RW;
	if (pv_set_leaf(ld, va, pte, &alloc) < 0)
		return GNTST_no_space;
	return GNTST_okay;
}

void arch_gnttab_unmap(struct domain *ld, uint64_t va, mfn_t mfn)
{
	unsigned int level;
	uint64_t e = pt_lookup(ld->arch.pt_root, va, &level);

	if (!(e & PTE_P) || !(e & PTE_GRANT) || level != 1 ||
	    (e & PTE_ADDR) >> PAGE_SHIFT != mfn_x(mfn))
		return; /* the control domain put a foreign map there */
	pt_set_leaf(ld->arch.pt_root, va, 0, NULL, NULL);
	/* Gone from every CPU before the pin (and the frame) can go. */
	pv_flush_tlb(ld, va);
}

static bool gnttab_is_self(const struct domain *d, domid_t dom)
{
	return dom == DOMID_SELF || dom == d->domain_id;
}

static long gnttab_op_setup(struct domain *d, uint64_t uop)
{
	struct gnttab_setup_table op;
	xen_pfn_t frames[GNTTAB_MAX_FRAMES];

	if (copy_from_guest(d, &op, uop, sizeof(op)) < 0)
		return -EFAULT;
	if (!gnttab_is_self(d, op.dom))
		op.status = GNTST_permission_denied;
	else
		op.status = gnttab_setup(d, op.nr_frames, frames);
	if (op.status == GNTST_okay &&
	    copy_to_guest(d, (uint64_t)(uintptr_t)op.frame_list.p, frames,
			  op.nr_frames * sizeof(frames[0])) < 0)
		return -EFAULT;
	return copy_to_guest(d, uop, &op, sizeof(op));
}

static long gnttab_op_query(struct domain *d, uint64_t uop)
{
	struct gnttab_query_size op;

	if (copy_from_guest(d, &op, uop, sizeof(op)) < 0)
		return -EFAULT;
	op.status = GNTST_okay;
	if (!gnttab_is_self(d, op.dom))
		op.status = GNTST_permission_denied;
	else
		gnttab_query(d, &op.nr_frames, &op.max_nr_frames);
	return copy_to_guest(d, uop, &op, sizeof(op));
}

/* Version 1 is the only one: asking for it succeeds, others fail. */
static long gnttab_op_version(struct domain *d, unsigned int cmd, uint64_t uop)
{
	struct gnttab_get_version gv;
	struct gnttab_set_version sv;

	if (cmd == GNTTABOP_set_version) {
		if (copy_from_guest(d, &sv, uop, sizeof(sv)) < 0)
			return -EFAULT;
		if (sv.version != 1)
			return -EINVAL;
		return copy_to_guest(d, uop, &sv, sizeof(sv));
	}
	if (copy_from_guest(d, &gv, uop, sizeof(gv)) < 0)
		return -EFAULT;
	if (!gnttab_is_self(d, gv.dom))
		return -EPERM;
	gv.version = 1;
	return copy_to_guest(d, uop, &gv, sizeof(gv));
}

static long gnttab_op_status_frames(struct domain *d, uint64_t uop)
{
	struct gnttab_get_status_frames op;

	if (copy_from_guest(d, &op, uop, sizeof(op)) < 0)
		return -EFAULT;
	op.status = GNTST_general_error; /* v2 only */
	return copy_to_guest(d, uop, &op, sizeof(op));
}

static long gnttab_op_map(struct domain *d, uint64_t uop, uint64_t count)
{
	struct gnttab_map_grant_ref op;

	for (uint64_t i = 0; i < count; i++) {
		uint64_t at = uop + i * sizeof(op);

		if (copy_from_guest(d, &op, at, sizeof(op)) < 0)
			return -EFAULT;
		op.status =
		    gnttab_map(d, op.dom, op.ref, op.flags, op.host_addr,
			       &op.handle, &op.dev_bus_addr);
		if (copy_to_guest(d, at, &op, sizeof(op)) < 0)
			return -EFAULT;
	}
	return 0;
}

/* The batch's unmaps share their IOTLB flushes (gnttab_unmap_batched). */
static long gnttab_op_unmap(struct domain *d, uint64_t uop, uint64_t count)
{
	struct gnttab_unmap_grant_ref op;
	struct gnttab_unmap_batch b;
	long rc = 0;

	gnttab_unmap_batch_start(&b, d);
	for (uint64_t i = 0; i < count && !rc; i++) {
		uint64_t at = uop + i * sizeof(op);

		if (copy_from_guest(d, &op, at, sizeof(op)) < 0) {
			rc = -EFAULT;
			break;
		}
		op.status = gnttab_unmap_batched(&b, op.handle, op.host_addr);
		if (copy_to_guest(d, at, &op, sizeof(op)) < 0)
			rc = -EFAULT;
	}
	gnttab_unmap_batch_end(&b);
	return rc;
}

/*
 * Copies go a chunk at a time: read in with one guest access, done, and
 * written back whole with their statuses, the other fields as they were
 * read (what a guest changes in a chunk while it is in flight is lost).
 * A copy's cost is mostly fixed per op, and two guest accesses an op
 * (the op in, its status out) were nearly a third of that.
 */
static long gnttab_op_copy(struct domain *d, uint64_t uop, uint64_t count)
{
	struct gnttab_copy ops[GNTTAB_COPY_CHUNK];
	struct gnttab_copy_batch b;
	long rc = 0;

	gnttab_copy_batch_start(&b, d);
	for (uint64_t i = 0; i < count && !rc; i += GNTTAB_COPY_CHUNK) {
		uint64_t at = uop + i * sizeof(ops[0]);
		size_t n = count - i < GNTTAB_COPY_CHUNK ? count - i
							 : GNTTAB_COPY_CHUNK;

		if (copy_from_guest(d, ops, at, n * sizeof(ops[0])) < 0) {
			rc = -EFAULT;
			break;
		}
		for (size_t j = 0; j < n; j++)
			ops[j].status = gnttab_copy_batched(&b, &ops[j]);
		if (copy_to_guest(d, at, ops, n * sizeof(ops[0])) < 0)
			rc = -EFAULT;
	}
	gnttab_copy_batch_end(&b);
	return rc;
}

long pv_do_grant_table_op(uint64_t cmd, uint64_t uop, uint64_t count,
			  uint64_t a4, uint64_t a5)
{
	struct domain *d = pv_current()->domain;

	if (count > GNTTAB_BATCH_MAX)
		return -EINVAL;
	switch (cmd) {
	case GNTTABOP_map_grant_ref:
		return gnttab_op_map(d, uop, count);
	case GNTTABOP_unmap_grant_ref:
		return gnttab_op_unmap(d, uop, count);
	case GNTTABOP_copy:
		return gnttab_op_copy(d, uop, count);
	}
	/* The rest take one argument struct. */
	if (count != 1)
		return -EINVAL;
	switch (cmd) {
	case GNTTABOP_setup_table:
		return gnttab_op_setup(d, uop);
	case GNTTABOP_query_size:
		return gnttab_op_query(d, uop);
	case GNTTABOP_set_version:
	case GNTTABOP_get_version:
		return gnttab_op_version(d, (unsigned int)cmd, uop);
	case GNTTABOP_get_status_frames:
		return gnttab_op_status_frames(d, uop);
	default:
		return -ENOSYS;
	}
}
