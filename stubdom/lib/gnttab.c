/*
 * Grant tables in a small domain. The domain's entries live in frames the
 * hypervisor hands out (setup_table) and the domain maps below its image.
 * An entry is written frame and domid first, flags last, so the
 * hypervisor never sees a half-made grant; it is taken back with a
 * compare-and-swap that fails while the grantee has it pinned.
 */
#include <public/errno.h>
#include <public/xen.h>
#include <stub/gnttab.h>
#include <stub/hypercall.h>
#include <stub/stub.h>

#define GNTTAB_VA  0x380000ul /* up to 64 frames, below shared_info */
#define MAX_FRAMES 64
#define PER_FRAME  (4096 / sizeof(struct grant_entry_v1))

static volatile struct grant_entry_v1 *entries;
static unsigned int nr_entries;
static unsigned long used[MAX_FRAMES * PER_FRAME / 64];

long stub_gnttab_op(unsigned int cmd, void *arg, unsigned int count)
{
	return hypercall3(__HYPERVISOR_grant_table_op, cmd, (long)arg, count);
}

long stub_gnttab_init(unsigned int nr_frames)
{
	xen_pfn_t frames[MAX_FRAMES];
	struct gnttab_setup_table op = { .dom = DOMID_SELF,
					 .nr_frames = nr_frames };
	long rc;

	if (nr_frames == 0 || nr_frames > MAX_FRAMES)
		return -XEN_EINVAL;
	set_xen_guest_handle(op.frame_list, frames);
	rc = stub_gnttab_op(GNTTABOP_setup_table, &op, 1);
	if (rc < 0)
		return rc;
	if (op.status != GNTST_okay)
		return op.status;
	for (unsigned int i = 0; i < nr_frames; i++) {
		rc = hypercall3(__HYPERVISOR_update_va_mapping,
				(long)(GNTTAB_VA + i * 4096),
				(long)(frames[i] << 12 | 0x3), UVMF_INVLPG);
		if (rc < 0)
			return rc;
	}
	entries = (volatile struct grant_entry_v1 *)GNTTAB_VA;
	nr_entries = nr_frames * PER_FRAME;
	for (unsigned int r = 0; r < STUB_GNTTAB_RESERVED; r++)
		used[r / 64] |= 1ul << (r % 64);
	return 0;
}

volatile struct grant_entry_v1 *stub_gnttab_entry(grant_ref_t ref)
{
	return ref < nr_entries ? &entries[ref] : NULL;
}

/*
 * The lowest free entry, found a word (64 entries) at a time: a block
 * frontend with hundreds of grants in use walked them one by one for
 * every page it granted. The reserved entries' bits are set at init,
 * and nr_entries is a whole number of words.
 */
long stub_grant_access(domid_t domid, unsigned long mfn, bool readonly)
{
	for (unsigned int w = 0; w < nr_entries / 64; w++) {
		grant_ref_t r;

		if (!~used[w])
			continue;
		r = w * 64 + (grant_ref_t)__builtin_ctzl(~used[w]);
		used[w] |= 1ul << (r % 64);
		entries[r].frame = (uint32_t)mfn;
		entries[r].domid = domid;
		__atomic_store_n(&entries[r].flags,
				 (uint16_t)(GTF_permit_access |
					    (readonly ? GTF_readonly : 0)),
				 __ATOMIC_RELEASE);
		return (long)r;
	}
	return -XEN_ENOSPC;
}

long stub_grant_end(grant_ref_t ref)
{
	uint16_t flags;

	if (ref < STUB_GNTTAB_RESERVED || ref >= nr_entries)
		return -XEN_EINVAL;
	flags = __atomic_load_n(&entries[ref].flags, __ATOMIC_ACQUIRE);
	do {
		if (flags & (GTF_reading | GTF_writing))
			return -XEN_EBUSY;
	} while (!__atomic_compare_exchange_n(&entries[ref].flags, &flags, 0,
					      false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	used[ref / 64] &= ~(1ul << (ref % 64));
	return 0;
}

long stub_grant_map_bus(domid_t domid, grant_ref_t ref, unsigned long va,
			bool readonly, grant_handle_t *handle, uint64_t *bus)
{
	struct gnttab_map_grant_ref op = {
		.host_addr = va,
		.flags = GNTMAP_host_map | GNTMAP_device_map |
			 (readonly ? GNTMAP_readonly : 0),
		.ref = ref,
		.dom = domid,
	};
	long rc = stub_gnttab_op(GNTTABOP_map_grant_ref, &op, 1);

	if (rc < 0)
		return rc;
	*handle = op.handle;
	if (bus)
		*bus = op.dev_bus_addr;
	return op.status;
}

long stub_grant_map(domid_t domid, grant_ref_t ref, unsigned long va,
		    bool readonly, grant_handle_t *handle)
{
	return stub_grant_map_bus(domid, ref, va, readonly, handle, NULL);
}

long stub_grant_unmap(grant_handle_t handle, unsigned long va)
{
	struct gnttab_unmap_grant_ref op = { .host_addr = va,
					     .handle = handle };
	long rc = stub_gnttab_op(GNTTABOP_unmap_grant_ref, &op, 1);

	return rc < 0 ? rc : op.status;
}

long stub_grant_copy(struct gnttab_copy *ops, unsigned int n)
{
	return stub_gnttab_op(GNTTABOP_copy, ops, n);
}
