/* The hypervisor's own pages: heap pages, fresh mappings, device mappings. */
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/spinlock.h>
#include <xen/string.h>
#include <asm/mm.h>
#include <asm/page.h>

static DEFINE_SPINLOCK(ioremap_lock);
static uint64_t ioremap_next = IOREMAP_VIRT_START;

void *alloc_xen_page(void)
{
	struct page_info *pg = page_alloc(0, DOMID_XEN, PGU_XEN, NULL);
	void *p;

	if (!pg)
		return NULL;
	p = maddr_to_virt(mfn_to_paddr(page_to_mfn(pg)));
	memset(p, 0, PAGE_SIZE);
	return p;
}

void page_zero(mfn_t mfn)
{
	memset(maddr_to_virt(mfn_to_paddr(mfn)), 0, PAGE_SIZE);
}

void free_xen_page(void *p)
{
	struct page_info *pg = mfn_to_page(paddr_to_mfn(virt_to_maddr(p)));

	BUG_ON(!pg || page_free(pg, 0, NULL) < 0);
}

static paddr_t heap_pt_alloc(void *ctx)
{
	struct page_info *pg = page_alloc(0, DOMID_XEN, PGU_PAGETABLE, NULL);
	paddr_t pa;

	if (!pg)
		return _paddr(0);
	pa = mfn_to_paddr(page_to_mfn(pg));
	memset(maddr_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

static const struct pt_alloc heap_alloc = { heap_pt_alloc, NULL };

int map_fresh_pages(uint64_t va, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++) {
		void *p = alloc_xen_page();
		int rc;

		if (!p)
			return -ENOMEM;
		rc = pt_map(idle_pg_table, va + i * PAGE_SIZE, virt_to_maddr(p),
			    PAGE_SIZE, PAGE_HV_RW, false, &heap_alloc);
		if (rc) {
			free_xen_page(p);
			return rc;
		}
	}
	return 0;
}

int map_page(uint64_t va, paddr_t pa, uint64_t flags)
{
	return pt_map(idle_pg_table, va, pa, PAGE_SIZE, flags, false,
		      &heap_alloc);
}

/* Device mappings are never taken down, so a bump pointer is enough. */
void *ioremap(paddr_t pa, uint64_t size)
{
	uint64_t offset = paddr_x(pa) & (PAGE_SIZE - 1), va;
	uint64_t len = (offset + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1ull);
	int rc;

	spin_lock(&ioremap_lock);
	va = ioremap_next;
	if (len > IOREMAP_VIRT_START + IOREMAP_VIRT_SIZE - va) {
		spin_unlock(&ioremap_lock);
		return NULL;
	}
	ioremap_next += len;
	rc = pt_map(idle_pg_table, va, _paddr(paddr_x(pa) - offset), len,
		    PAGE_HV_UC, false, &heap_alloc);
	spin_unlock(&ioremap_lock);
	return rc ? NULL : (void *)(uintptr_t)(va + offset);
}
