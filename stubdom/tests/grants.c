/*
 * Grant tables, from the control domain granting to itself: the table
 * operations, map and unmap (read-write, read-only, pinned twice),
 * copies each way, batches of copies longer than the hypervisor reads in
 * at a time, and every kind of bad request, each with its status.
 * Prints "grants: N passed, M failed".
 */
#include <public/errno.h>
#include <public/grant_table.h>
#include <public/sched.h>
#include <xen/string.h>
#include <stub/gnttab.h>
#include <stub/hypercall.h>
#include <stub/check.h>
#include <stub/stub.h>

#define MAP_VA	 0x21000000ul
#define MAP_VA2	 0x21001000ul
#define HYPER_VA 0xffff830000000000ul
#define SELF	 0 /* the control domain's id */

static volatile unsigned char page_a[4096] __attribute__((aligned(4096)));
static volatile unsigned char page_b[4096] __attribute__((aligned(4096)));
static volatile unsigned char page_c[4096] __attribute__((aligned(4096)));
/* Two pages, for an ops array across the boundary between them. */
static struct gnttab_copy ops_area[2 * 4096 / sizeof(struct gnttab_copy) + 1]
    __attribute__((aligned(4096)));

static void test_table_ops(void)
{
	struct gnttab_query_size q = { .dom = DOMID_SELF };
	struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 99 };
	struct gnttab_set_version sv = { .version = 2 };
	struct gnttab_get_version gv = { .dom = DOMID_SELF };
	xen_pfn_t frames[4];

	stub_check("gnttab init", stub_gnttab_init(2), 0);
	stub_check("query_size", stub_gnttab_op(GNTTABOP_query_size, &q, 1), 0);
	stub_check("query nr_frames", q.nr_frames, 2);
	stub_check("query max_nr_frames", q.max_nr_frames, 4);
	set_xen_guest_handle(st.frame_list, frames);
	stub_check("setup too many",
		   stub_gnttab_op(GNTTABOP_setup_table, &st, 1), 0);
	stub_check("setup too many status", st.status, GNTST_general_error);
	st.nr_frames = 1;
	st.dom = 5;
	stub_gnttab_op(GNTTABOP_setup_table, &st, 1);
	stub_check("setup for another domain", st.status,
		   GNTST_permission_denied);
	st.dom = DOMID_SELF;
	set_xen_guest_handle(st.frame_list, (xen_pfn_t *)0x10);
	stub_check("setup bad frame list",
		   stub_gnttab_op(GNTTABOP_setup_table, &st, 1), -XEN_EFAULT);
	stub_check("set_version 2",
		   stub_gnttab_op(GNTTABOP_set_version, &sv, 1), -XEN_EINVAL);
	sv.version = 1;
	stub_check("set_version 1",
		   stub_gnttab_op(GNTTABOP_set_version, &sv, 1), 0);
	stub_check("get_version", stub_gnttab_op(GNTTABOP_get_version, &gv, 1),
		   0);
	stub_check("version is 1", gv.version, 1);
	stub_check("unknown op", stub_gnttab_op(99, &gv, 1), -XEN_ENOSYS);
	stub_check("table op bad pointer",
		   stub_gnttab_op(GNTTABOP_query_size, (void *)0x10, 1),
		   -XEN_EFAULT);
}

static void test_map_unmap(void)
{
	volatile struct grant_entry_v1 *e;
	volatile unsigned char *m = (volatile unsigned char *)MAP_VA;
	grant_handle_t h, h2;
	long ref = stub_grant_access(
	    SELF, stub_virt_to_mfn((const void *)page_a), false);

	stub_check("grant access", ref >= STUB_GNTTAB_RESERVED, 1);
	e = stub_gnttab_entry((grant_ref_t)ref);
	page_a[100] = 0x5a;
	stub_check("map rw", stub_grant_map(SELF, ref, MAP_VA, false, &h),
		   GNTST_okay);
	stub_check("mapping sees the frame", m[100], 0x5a);
	m[200] = 0xa5;
	stub_check("frame sees the write", page_a[200], 0xa5);
	stub_check("entry in use", e->flags & (GTF_reading | GTF_writing),
		   GTF_reading | GTF_writing);
	stub_check("end access while mapped", stub_grant_end(ref), -XEN_EBUSY);
	stub_check(
	    "update_va over a grant",
	    hypercall3(__HYPERVISOR_update_va_mapping, MAP_VA, 0, UVMF_INVLPG),
	    -XEN_EBUSY);
	stub_check("map over a grant mapping",
		   stub_grant_map(SELF, ref, MAP_VA, false, &h2),
		   GNTST_bad_virt_addr);
	stub_check("map again, read-only",
		   stub_grant_map(SELF, ref, MAP_VA2, true, &h2), GNTST_okay);
	stub_check("unmap at the wrong address", stub_grant_unmap(h, MAP_VA2),
		   GNTST_bad_virt_addr);
	stub_check("unmap rw", stub_grant_unmap(h, MAP_VA), GNTST_okay);
	stub_check("still read", e->flags & (GTF_reading | GTF_writing),
		   GTF_reading);
	stub_check("unmap twice", stub_grant_unmap(h, MAP_VA),
		   GNTST_bad_handle);
	stub_check("unmap ro", stub_grant_unmap(h2, 0), GNTST_okay);
	stub_check("entry free", e->flags & (GTF_reading | GTF_writing), 0);
	stub_check("end access", stub_grant_end(ref), 0);
	stub_check("map after end",
		   stub_grant_map(SELF, ref, MAP_VA, false, &h),
		   GNTST_permission_denied);
}

static void test_bad_maps(void)
{
	long ro = stub_grant_access(
	    SELF, stub_virt_to_mfn((const void *)page_b), true);
	long other =
	    stub_grant_access(7, stub_virt_to_mfn((const void *)page_b), false);
	long wild = stub_grant_access(SELF, 0, false);
	struct gnttab_map_grant_ref op = { .host_addr = MAP_VA,
					   .flags = GNTMAP_host_map |
						    GNTMAP_contains_pte,
					   .ref = (grant_ref_t)ro,
					   .dom = DOMID_SELF };
	grant_handle_t h;

	stub_check("map read-only grant rw",
		   stub_grant_map(SELF, ro, MAP_VA, false, &h),
		   GNTST_permission_denied);
	stub_check("map granted to another",
		   stub_grant_map(SELF, other, MAP_VA, true, &h),
		   GNTST_permission_denied);
	stub_check("map frame not the granter's",
		   stub_grant_map(SELF, wild, MAP_VA, true, &h),
		   GNTST_bad_page);
	stub_check("map bad ref", stub_grant_map(SELF, 99999, MAP_VA, true, &h),
		   GNTST_bad_gntref);
	stub_check("map from no domain",
		   stub_grant_map(777, ro, MAP_VA, true, &h), GNTST_bad_domain);
	stub_check("map at hypervisor va",
		   stub_grant_map(SELF, ro, HYPER_VA, true, &h),
		   GNTST_bad_virt_addr);
	stub_check("map unaligned",
		   stub_grant_map(SELF, ro, MAP_VA + 8, true, &h),
		   GNTST_bad_virt_addr);
	stub_gnttab_op(GNTTABOP_map_grant_ref, &op, 1);
	stub_check("map contains_pte", op.status, GNTST_general_error);
	stub_check("unmap bad handle", stub_grant_unmap(12345, 0),
		   GNTST_bad_handle);
	stub_check("map bad pointer",
		   stub_gnttab_op(GNTTABOP_map_grant_ref, (void *)0x10, 1),
		   -XEN_EFAULT);
	stub_check("map huge batch",
		   stub_gnttab_op(GNTTABOP_map_grant_ref, &op, 1000000),
		   -XEN_EINVAL);
	stub_check("flags of refused maps clear",
		   stub_gnttab_entry(ro)->flags & (GTF_reading | GTF_writing),
		   0);
	stub_grant_end(ro);
	stub_grant_end(other);
	stub_grant_end(wild);
}

static void copy_op(struct gnttab_copy *op, long src, bool src_gref, long dst,
		    bool dst_gref, unsigned int len)
{
	*op = (struct gnttab_copy){ .len = (uint16_t)len };
	op->source.domid = DOMID_SELF;
	op->dest.domid = DOMID_SELF;
	if (src_gref)
		op->source.u.ref = (grant_ref_t)src;
	else
		op->source.u.gmfn = (xen_pfn_t)src;
	if (dst_gref)
		op->dest.u.ref = (grant_ref_t)dst;
	else
		op->dest.u.gmfn = (xen_pfn_t)dst;
	op->flags = (src_gref ? GNTCOPY_source_gref : 0) |
		    (dst_gref ? GNTCOPY_dest_gref : 0);
}

static void test_copy(void)
{
	long ra = stub_grant_access(
	    SELF, stub_virt_to_mfn((const void *)page_a), false);
	long rb_ro = stub_grant_access(
	    SELF, stub_virt_to_mfn((const void *)page_b), true);
	struct gnttab_copy ops[4];

	for (unsigned int i = 0; i < 4096; i++)
		page_b[i] = (unsigned char)(i * 7);
	/* b (gref, read-only is fine to read) -> a (own frame), batched. */
	copy_op(&ops[0], rb_ro, true,
		(long)stub_virt_to_mfn((const void *)page_a), false, 2048);
	copy_op(&ops[1], (long)stub_virt_to_mfn((const void *)page_b), false,
		ra, true, 2048);
	ops[1].source.offset = 2048;
	ops[1].dest.offset = 2048;
	copy_op(&ops[2], ra, true, rb_ro, true, 16); /* to read-only */
	copy_op(&ops[3], ra, true, (long)stub_virt_to_mfn((const void *)page_b),
		false, 4000);
	ops[3].dest.offset = 200; /* crosses the page */
	stub_check("copy batch", stub_grant_copy(ops, 4), 0);
	stub_check("copy gref to frame", ops[0].status, GNTST_okay);
	stub_check("copy frame to gref", ops[1].status, GNTST_okay);
	stub_check("copy to read-only grant", ops[2].status,
		   GNTST_permission_denied);
	stub_check("copy across a page", ops[3].status, GNTST_bad_copy_arg);
	stub_check("copied bytes",
		   memcmp((const void *)page_a, (const void *)page_b, 4096), 0);
	copy_op(&ops[0], 0, false, ra, true, 8); /* frame 0: not ours */
	stub_grant_copy(ops, 1);
	stub_check("copy from a frame not ours", ops[0].status, GNTST_bad_page);
	copy_op(&ops[0], 99999, true, ra, true, 8);
	stub_grant_copy(ops, 1);
	stub_check("copy bad ref", ops[0].status, GNTST_bad_gntref);
	stub_check("entries idle after copies",
		   stub_gnttab_entry(ra)->flags & (GTF_reading | GTF_writing),
		   0);
	stub_grant_end(ra);
	stub_grant_end(rb_ro);
}

#define LONG_BATCH 40 /* copies: more than two of the hypervisor's chunks */
#define NO_DOMAIN  999

/*
 * 40 copies of 64-byte slices, the ops array across a page boundary, the
 * source's domain named in turn as DOMID_SELF, by id, and as one that
 * does not exist: each op gets its own status and moves its own slice.
 */
static void test_long_batch(void)
{
	long rb = stub_grant_access(
	    SELF, stub_virt_to_mfn((const void *)page_b), true);
	struct gnttab_copy *ops =
	    &ops_area[4096 / sizeof(struct gnttab_copy) - 7];
	unsigned long a = stub_virt_to_mfn((const void *)page_a);
	unsigned int bad = 0, wrong = 0;
	static const domid_t doms[] = { DOMID_SELF, SELF, NO_DOMAIN };

	for (unsigned int i = 0; i < 4096; i++) {
		page_a[i] = 0xee;
		page_b[i] = (unsigned char)(i * 13 + 1);
	}
	for (unsigned int i = 0; i < LONG_BATCH; i++) {
		copy_op(&ops[i], rb, true, (long)a, false, 64);
		ops[i].source.domid = doms[i % 3];
		ops[i].source.offset = (uint16_t)(i * 64);
		ops[i].dest.offset = (uint16_t)(i * 64);
		ops[i].status = 99;
	}
	stub_check("long batch", stub_grant_copy(ops, LONG_BATCH), 0);
	for (unsigned int i = 0; i < LONG_BATCH; i++) {
		bool done = i % 3 != 2;

		bad += ops[i].status != (done ? GNTST_okay : GNTST_bad_domain);
		for (unsigned int j = i * 64; j < i * 64 + 64; j++)
			wrong += page_a[j] != (done ? page_b[j] : 0xee);
	}
	stub_check("long batch statuses", bad, 0);
	stub_check("long batch slices", wrong, 0);
	stub_check("long batch entry idle",
		   stub_gnttab_entry(rb)->flags & (GTF_reading | GTF_writing),
		   0);
	stub_grant_end(rb);
}

/*
 * A batch whose ops run off the end of a mapping into nothing: the ones
 * in the mapping are done with their statuses, the call fails -EFAULT.
 */
static void test_batch_fault(void)
{
	long ref = stub_grant_access(
	    SELF, stub_virt_to_mfn((const void *)page_c), false);
	struct gnttab_copy *ops = (struct gnttab_copy *)(MAP_VA + 4096) - 16;
	unsigned long b = stub_virt_to_mfn((const void *)page_b);
	unsigned long a = stub_virt_to_mfn((const void *)page_a);
	unsigned int bad = 0;
	grant_handle_t h;

	stub_check("map the ops page",
		   stub_grant_map(SELF, (grant_ref_t)ref, MAP_VA, false, &h),
		   GNTST_okay);
	for (unsigned int i = 0; i < 4096; i++)
		page_a[i] = 0;
	for (unsigned int i = 0; i < 16; i++) {
		copy_op(&ops[i], (long)b, false, (long)a, false, 64);
		ops[i].source.offset = ops[i].dest.offset = (uint16_t)(i * 64);
		ops[i].status = 99;
	}
	stub_check("batch into nothing", stub_grant_copy(ops, 20), -XEN_EFAULT);
	for (unsigned int i = 0; i < 16; i++)
		bad += ops[i].status != GNTST_okay;
	stub_check("ops before the fault done", bad, 0);
	stub_check("their data",
		   memcmp((const void *)page_a, (const void *)page_b, 1024), 0);
	stub_check("unmap the ops page", stub_grant_unmap(h, MAP_VA),
		   GNTST_okay);
	stub_grant_end(ref);
}

int app_main(const char *cmdline)
{
	test_table_ops();
	test_map_unmap();
	test_bad_maps();
	test_copy();
	test_long_batch();
	test_batch_fault();
	stub_check_report("grants");
	return SHUTDOWN_poweroff;
}
