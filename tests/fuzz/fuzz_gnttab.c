/*
 * The hypervisor's grant tables (xen/common/grant_table.c) on the real
 * frame allocator (page_alloc.c), under three domains that write any
 * entries into their grant frames (any flags, grantee and frame: their
 * own, another domain's, a frame of the hypervisor's) and map, unmap
 * (alone and in batches), copy and seed with any arguments; domains
 * with and without an IOMMU table, destroyed while mapped and made
 * again; pages and IOMMU entries running out. What must hold:
 *
 * - a mapping or a copy reaches only a domain's frame (never the
 *   hypervisor's), and only while a reference holds it; a copy stays
 *   inside its frames (each a heap page of its own here: see
 *   tests/fuzz/shadow/asm/page.h);
 * - a domain's IOMMU table lets its devices read exactly the other
 *   domains' frames it maps, and write those it maps writable;
 * - no ASSERT fails; once every domain is gone, every frame is back
 *   with the allocator, none referenced, and no domain reference is
 *   left.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/errno.h>
#include <xen/grant_table.h>
#include <xen/iommu.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/sched.h>
#include <asm/page.h>
#include "fuzz.h"

#define NFRAMES	   160
#define FIRST_RAM  8 /* frames below are reserved */
#define NDOMS	   3
#define DOM_FRAMES 6
#define MAX_MAPS   256 /* two maptrack frames of 128 */
#define REFS	   24  /* refs the script names mostly */
#define ENTRIES	   (PAGE_SIZE / sizeof(struct grant_entry_v1))

static const domid_t ids[NDOMS] = { 1, 2, 3 };

static uint8_t *frame_va[NFRAMES];
static struct page_info table[NFRAMES];

/* A mapping the script holds: its handle and what it maps. */
struct held {
	grant_handle_t handle;
	uint64_t va;
	uint32_t mfn;
	bool ro;
};

static struct dom {
	struct domain *d; /* NULL: not made, or destroyed */
	uint32_t frames[DOM_FRAMES];
	unsigned int nframes;
	xen_pfn_t gframes[4];
	unsigned int ngframes;
	bool iommu;
	uint8_t perm[NFRAMES]; /* what its IOMMU table lets devices do */
	struct held maps[MAX_MAPS];
	unsigned int nmaps;
} D[NDOMS];

static int refs_held;
static long pages_left = -1;
static bool iommu_full;

/* ---- What grant_table.c and page_alloc.c ask of the rest ------------ */

void assert_failed(const char *expr, const char *file, int line, bool *seen)
{
	fprintf(stderr, "%s:%d: ASSERT(%s)\n", file, line, expr);
	abort();
}

void bug_at(const char *file, int line)
{
	fprintf(stderr, "%s:%d: BUG\n", file, line);
	abort();
}

void panic(const char *fmt, ...)
{
	abort();
}

static int dom_index(const struct domain *d)
{
	for (int i = 0; i < NDOMS; i++)
		if (D[i].d == d)
			return i;
	FUZZ_CHECK(!"a domain the script did not make");
	return 0;
}

/* Only a copy uses it: both frames a domain's, and referenced. */
void *fake_maddr_to_virt(paddr_t pa)
{
	uint64_t mfn = paddr_x(pa) >> PAGE_SHIFT;

	FUZZ_CHECK(mfn < NFRAMES);
	FUZZ_CHECK(table[mfn].use == PGU_DOMAIN ||
		   table[mfn].use == PGU_ORPHAN);
	FUZZ_CHECK(table[mfn].count > 0);
	return frame_va[mfn] + (paddr_x(pa) & (PAGE_SIZE - 1));
}

paddr_t fake_virt_to_maddr(const void *p)
{
	uintptr_t page = (uintptr_t)p & ~(uintptr_t)(PAGE_SIZE - 1);

	for (unsigned int mfn = 0; mfn < NFRAMES; mfn++)
		if ((uintptr_t)frame_va[mfn] == page)
			return _paddr((uint64_t)mfn << PAGE_SHIFT |
				      ((uintptr_t)p - page));
	FUZZ_CHECK(!"an address outside the frames");
	return _paddr(0);
}

void page_zero(mfn_t mfn)
{
	memset(frame_va[mfn_x(mfn)], 0, PAGE_SIZE);
}

void *alloc_xen_page(void)
{
	struct page_info *pg;

	if (pages_left == 0)
		return NULL;
	if (pages_left > 0)
		pages_left--;
	pg = page_alloc(0, DOMID_XEN, PGU_XEN, NULL);
	if (!pg)
		return NULL;
	memset(frame_va[mfn_x(page_to_mfn(pg))], 0, PAGE_SIZE);
	return frame_va[mfn_x(page_to_mfn(pg))];
}

void free_xen_page(void *p)
{
	uint64_t mfn = paddr_x(fake_virt_to_maddr(p)) >> PAGE_SHIFT;

	FUZZ_CHECK(page_free(mfn_to_page(_mfn(mfn)), 0, NULL) == 0);
}

struct domain *domain_get(domid_t id)
{
	for (int i = 0; i < NDOMS; i++)
		if (D[i].d && D[i].d->domain_id == id) {
			refs_held++;
			return D[i].d;
		}
	return NULL;
}

void domain_put(struct domain *d)
{
	FUZZ_CHECK(d && refs_held > 0);
	refs_held--;
}

/* A mapping in ld's page tables: a domain's referenced frame. */
int16_t arch_gnttab_map(struct domain *ld, uint64_t va, mfn_t mfn,
			bool readonly)
{
	uint64_t m = mfn_x(mfn);

	FUZZ_CHECK(m < NFRAMES && table[m].count > 0);
	FUZZ_CHECK(table[m].use == PGU_DOMAIN || table[m].use == PGU_ORPHAN);
	if (va % PAGE_SIZE || va >= (1ull << 47))
		return GNTST_bad_virt_addr;
	return GNTST_okay;
}

void arch_gnttab_unmap(struct domain *ld, uint64_t va, mfn_t mfn)
{
	FUZZ_CHECK(mfn_x(mfn) < NFRAMES && table[mfn_x(mfn)].count > 0);
}

bool iommu_has_table(const struct domain *d)
{
	return D[dom_index(d)].iommu;
}

int iommu_grant_frame_deferred(struct domain *d, uint64_t mfn,
			       unsigned int perm, bool *flush)
{
	struct dom *m = &D[dom_index(d)];

	FUZZ_CHECK(mfn < NFRAMES && perm <= (IOMMU_READ | IOMMU_WRITE));
	/* Only a new entry needs room (iommu.h): a change never fails. */
	if (perm && !m->perm[mfn] && iommu_full)
		return -ENOMEM;
	m->perm[mfn] = (uint8_t)perm;
	*flush = true;
	return 0;
}

void iommu_flush(struct domain *d)
{
}

/* ---- Domains ----------------------------------------------------------- */

static void make(struct fuzz_in *in, int i)
{
	struct dom *m = &D[i];
	struct domain *d = calloc(1, sizeof(*d));
	uint8_t b = fuzz_u8(in);

	FUZZ_CHECK(d);
	memset(m, 0, sizeof(*m));
	d->domain_id = ids[i];
	m->d = d;
	m->iommu = b & 1;
	for (unsigned int k = 0; k < DOM_FRAMES; k++) {
		struct page_info *pg = page_alloc(0, ids[i], PGU_DOMAIN, NULL);

		if (pg)
			m->frames[m->nframes++] =
			    (uint32_t)mfn_x(page_to_mfn(pg));
	}
	if (gnttab_domain_init(d, 1 + (b >> 1) % 4, 1 + (b >> 3) % 2) == 0 &&
	    gnttab_setup(d, 1 + (b >> 4) % 2, m->gframes) == GNTST_okay)
		m->ngframes = 1 + (b >> 4) % 2;
}

/* The domain goes: its mappings, its memory, then its table. */
static void destroy(int i)
{
	struct dom *m = &D[i];

	gnttab_domain_destroy(m->d);
	for (unsigned int k = 0; k < m->nframes; k++)
		FUZZ_CHECK(page_free_or_orphan(mfn_to_page(_mfn(m->frames[k])),
					       NULL) == 0);
	gnttab_domain_free(m->d);
	free(m->d);
	memset(m, 0, sizeof(*m));
}

/* What its devices may do: exactly what its mappings give. */
static void check_iommu(int i)
{
	const struct dom *m = &D[i];
	uint8_t want[NFRAMES] = { 0 };

	if (!m->d || !m->iommu)
		return;
	for (unsigned int k = 0; k < m->nmaps; k++)
		want[m->maps[k].mfn] |=
		    m->maps[k].ro ? IOMMU_READ : IOMMU_READ | IOMMU_WRITE;
	for (unsigned int f = 0; f < NFRAMES; f++) {
		if (table[f].owner == ids[i] || m->perm[f] == want[f])
			continue;
		fprintf(stderr,
			"dom%u frame %u (owner %u use %u count %u): "
			"devices may %u, mappings give %u\n",
			ids[i], f, table[f].owner, table[f].use, table[f].count,
			m->perm[f], want[f]);
		FUZZ_CHECK(m->perm[f] == want[f]);
	}
}

/* ---- What the domains do ------------------------------------------- */

/* A frame to name: the domain's own, another's, the hypervisor's, any. */
static uint32_t some_frame(struct fuzz_in *in, int i)
{
	uint8_t b = fuzz_u8(in);
	const struct dom *m = &D[(b >> 2) % NDOMS];

	switch (b % 4) {
	case 0:
		return m->nframes ? m->frames[(b >> 4) % m->nframes] : 0;
	case 1:
		return D[i].nframes ? D[i].frames[(b >> 4) % D[i].nframes] : 0;
	case 2:
		return m->ngframes ? (uint32_t)m->gframes[0] : 0;
	default:
		return fuzz_u32(in) % (NFRAMES + 8);
	}
}

static domid_t some_domid(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);

	return b < 200 ? ids[b % NDOMS] : b < 230 ? DOMID_SELF : b;
}

static grant_ref_t some_ref(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);

	return b < 240 ? b % REFS : fuzz_u16(in);
}

static void write_entry(struct fuzz_in *in, int i)
{
	struct dom *m = &D[i];
	grant_ref_t ref = some_ref(in);
	uint8_t f = fuzz_u8(in);
	struct grant_entry_v1 *e;

	if (ref >= m->ngframes * ENTRIES)
		return;
	e = (struct grant_entry_v1 *)frame_va[m->gframes[ref / ENTRIES]] +
	    ref % ENTRIES;
	e->domid = some_domid(in);
	e->frame = some_frame(in, i);
	e->flags =
	    f < 200 ? (uint16_t)(GTF_permit_access | (f & 1 ? GTF_readonly : 0))
		    : fuzz_u16(in);
}

static void do_map(struct fuzz_in *in, int i)
{
	static const uint32_t kinds[] = {
		GNTMAP_host_map,
		GNTMAP_device_map,
		GNTMAP_host_map | GNTMAP_readonly,
		GNTMAP_device_map | GNTMAP_readonly,
		GNTMAP_host_map | GNTMAP_device_map,
	};
	struct dom *m = &D[i];
	uint8_t k = fuzz_u8(in);
	uint32_t flags = k < 250 ? kinds[k % 5] : fuzz_u32(in);
	uint64_t va = (uint64_t)(1 + fuzz_u8(in)) << PAGE_SHIFT, bus;
	domid_t rd = some_domid(in);
	grant_ref_t ref = some_ref(in);
	grant_handle_t h;

	if (k & 0x80)
		va += k & 7; /* not page-aligned */
	if (gnttab_map(m->d, rd, ref, flags, va, &h, &bus) != GNTST_okay)
		return;
	FUZZ_CHECK(bus % PAGE_SIZE == 0 && bus >> PAGE_SHIFT < NFRAMES);
	FUZZ_CHECK(m->nmaps < MAX_MAPS);
	m->maps[m->nmaps++] =
	    (struct held){ h, flags & GNTMAP_host_map ? va : 0,
			   (uint32_t)(bus >> PAGE_SHIFT),
			   flags & GNTMAP_readonly };
}

/* Unmap held mapping k (or any handle); true when it went. */
static bool unmap_one(struct fuzz_in *in, int i, struct gnttab_unmap_batch *b)
{
	struct dom *m = &D[i];
	uint8_t k = fuzz_u8(in);
	grant_handle_t h =
	    m->nmaps && k < 240 ? m->maps[k % m->nmaps].handle : fuzz_u16(in);
	uint64_t va = 0;
	int16_t rc;

	for (unsigned int j = 0; j < m->nmaps; j++)
		if (m->maps[j].handle == h && (k & 1))
			va = m->maps[j].va + (k & 2 ? PAGE_SIZE : 0);
	rc = gnttab_unmap_batched(b, h, va);
	if (rc != GNTST_okay)
		return false;
	for (unsigned int j = 0; j < m->nmaps; j++)
		if (m->maps[j].handle == h) {
			m->maps[j] = m->maps[--m->nmaps];
			return true;
		}
	FUZZ_CHECK(!"unmapped a handle it never gave");
	return false;
}

static void do_unmap(struct fuzz_in *in, int i)
{
	struct gnttab_unmap_batch b;
	unsigned int n = 1 + fuzz_u8(in) % 20;

	gnttab_unmap_batch_start(&b, D[i].d);
	for (unsigned int k = 0; k < n; k++)
		unmap_one(in, i, &b);
	gnttab_unmap_batch_end(&b);
}

static void copy_ptr(struct fuzz_in *in, int i, bool gref,
		     struct gnttab_copy_ptr *p)
{
	p->domid = some_domid(in);
	if (gref)
		p->u.ref = some_ref(in);
	else
		p->u.gmfn = some_frame(in, i);
	p->offset = fuzz_u16(in) % (PAGE_SIZE + 16);
}

static void do_copy(struct fuzz_in *in, int i)
{
	struct gnttab_copy_batch b;
	unsigned int n = 1 + fuzz_u8(in) % 4;

	gnttab_copy_batch_start(&b, D[i].d);
	for (unsigned int k = 0; k < n; k++) {
		struct gnttab_copy op = { 0 };
		uint8_t f = fuzz_u8(in);

		op.flags = f < 250 ? f & 3 : f;
		copy_ptr(in, i, op.flags & GNTCOPY_source_gref, &op.source);
		copy_ptr(in, i, op.flags & GNTCOPY_dest_gref, &op.dest);
		op.len = fuzz_u16(in) % (PAGE_SIZE + 16);
		gnttab_copy_batched(&b, &op);
	}
	gnttab_copy_batch_end(&b);
}

static void step(struct fuzz_in *in)
{
	uint8_t op = fuzz_u8(in);
	int i = (op >> 4) % NDOMS;

	if (!D[i].d) {
		make(in, i);
		return;
	}
	switch (op % 9) {
	case 0:
	case 1:
		write_entry(in, i);
		break;
	case 2:
		do_map(in, i);
		break;
	case 3:
		do_unmap(in, i);
		break;
	case 4:
		do_copy(in, i);
		break;
	case 5: {
		grant_ref_t ref = some_ref(in);
		domid_t to = some_domid(in);
		uint32_t frame = some_frame(in, i);

		gnttab_seed(D[i].d, ref, to, frame, fuzz_u8(in) & 1);
		break;
	}
	case 6: {
		xen_pfn_t out[GNTTAB_MAX_FRAMES];
		unsigned int nr = fuzz_u8(in) % 6;

		uint32_t have, max, f = some_frame(in, i);
		bool grant_frame = false;

		if (gnttab_setup(D[i].d, nr, out) == GNTST_okay && nr <= 4 &&
		    nr > D[i].ngframes) {
			memcpy(D[i].gframes, out, nr * sizeof(out[0]));
			D[i].ngframes = nr;
		}
		/* Its grant frames are what setup said, and no others. */
		gnttab_query(D[i].d, &have, &max);
		FUZZ_CHECK(have >= D[i].ngframes && have <= max);
		for (unsigned int k = 0; k < D[i].ngframes; k++)
			grant_frame |= D[i].gframes[k] == f;
		if (grant_frame)
			FUZZ_CHECK(gnttab_is_frame(D[i].d, _mfn(f)));
		if (gnttab_is_frame(D[i].d, _mfn(f)))
			FUZZ_CHECK(f < NFRAMES && table[f].use == PGU_XEN);
		break;
	}
	case 7:
		destroy(i);
		break;
	default: /* pages or IOMMU entries run out, or do not */
		pages_left = fuzz_u8(in) % 4 == 0 ? fuzz_u8(in) % 3 : -1;
		iommu_full = fuzz_u8(in) % 4 == 0;
		break;
	}
	FUZZ_CHECK(refs_held == 0);
	for (int k = 0; k < NDOMS; k++)
		check_iommu(k);
}

static void check_all_free(void)
{
	struct page_alloc_stats st;

	for (unsigned int f = 0; f < NFRAMES; f++) {
		FUZZ_CHECK(table[f].count == 0);
		FUZZ_CHECK(table[f].use != PGU_ORPHAN &&
			   table[f].use != PGU_XEN &&
			   table[f].use != PGU_DOMAIN);
	}
	page_alloc_get_stats(&st);
	FUZZ_CHECK(st.free + st.dirty == st.total);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	for (unsigned int f = 0; f < NFRAMES; f++)
		if (!frame_va[f])
			FUZZ_CHECK(frame_va[f] =
				       aligned_alloc(PAGE_SIZE, PAGE_SIZE));
	memset(table, 0, sizeof(table));
	page_alloc_init(table, NFRAMES);
	FUZZ_CHECK(page_alloc_add(_mfn(FIRST_RAM), NFRAMES - FIRST_RAM) == 0);
	memset(D, 0, sizeof(D));
	refs_held = 0;
	pages_left = -1;
	iommu_full = false;
	for (int i = 0; i < NDOMS; i++)
		make(&in, i);
	while (in.len)
		step(&in);
	pages_left = -1;
	for (int i = 0; i < NDOMS; i++)
		if (D[i].d)
			destroy(i);
	FUZZ_CHECK(refs_held == 0);
	check_all_free();
	return 0;
}
