/*
 * Building a PV domain from an ELF image, as Xen's x86-64 PV ABI has it:
 * the domain's frames mapped contiguously from the image base (pseudo-
 * physical frame i at base + i pages), then start_info, the p2m list and
 * a boot stack; rsi points at start_info on entry. The page tables are
 * the hypervisor's and not mapped in the domain (first stage).
 */
#include <xen/bootinfo.h>
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/sched.h>
#include <xen/string.h>
#include <public/xen.h>
#include <asm/mm.h>
#include <asm/page.h>
#include <asm/pv.h>
#include <asm/x86-defs.h>

#define BOOT_STACK_PAGES 4
#define HYPERCALL_STUB	 32
#define X86_EFLAGS_IF	 0x200
#define X86_EFLAGS_MBS	 0x2

struct pv_layout {
	uint64_t base, image_end, start_info, p2m, stack_top, boot_end;
	unsigned long nr_pages; /* the domain's frames, page tables apart */
};

static uint64_t round_up(uint64_t v)
{
	return (v + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1ull);
}

/*
 * Table pages for n mapped pages: L1s, L2s, an L3 and the L4, and a
 * reserve for the tables the domain's own later mappings need (they are
 * charged to it too).
 */
#define PT_RESERVE 16

static unsigned long pv_pt_pages(unsigned long n)
{
	return (n + 511) / 512 + (n + 512 * 512 - 1) / (512 * 512) + 2 +
	       PT_RESERVE;
}

static int pv_layout(struct domain *d, const struct elf_image *img,
		     struct pv_layout *l, const char **why)
{
	unsigned long total = d->mem.limit;

	l->nr_pages = total - pv_pt_pages(total);
	l->base = img->virt_start & ~(PAGE_SIZE - 1ull);
	l->image_end = round_up(img->virt_end);
	l->start_info = l->image_end;
	l->p2m = l->start_info + PAGE_SIZE;
	l->stack_top =
	    round_up(l->p2m + l->nr_pages * 8) + BOOT_STACK_PAGES * PAGE_SIZE;
	l->boot_end = l->stack_top;
	if (total <= pv_pt_pages(total) ||
	    (l->boot_end - l->base) / PAGE_SIZE > l->nr_pages) {
		*why = "the image needs more memory than the domain has";
		return -ENOMEM;
	}
	return 0;
}

paddr_t pv_alloc_pt(void *ctx)
{
	struct page_info *pg = domain_alloc_page(ctx);
	paddr_t pa;

	if (!pg)
		return _paddr(0);
	pg->use = PGU_PAGETABLE;
	pa = mfn_to_paddr(page_to_mfn(pg));
	memset(maddr_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

/* The hypervisor's half of the address space is in every domain's. */
int pv_build_root(struct domain *d)
{
	uint64_t *root, *idle = maddr_to_virt(idle_pg_table);

	d->arch.pt_root = pv_alloc_pt(d);
	if (!paddr_x(d->arch.pt_root))
		return -ENOMEM;
	root = maddr_to_virt(d->arch.pt_root);
	memcpy(&root[256], &idle[256], 256 * sizeof(*root));
	return 0;
}

/* Every frame: allocated, zeroed, listed in the p2m, mapped for ring 3. */
static int pv_populate(struct domain *d, struct pv_layout *l)
{
	const struct pt_alloc alloc = { pv_alloc_pt, d };

	for (unsigned long pfn = 0; pfn < l->nr_pages; pfn++) {
		struct page_info *pg = domain_alloc_page(d);
		paddr_t pa;
		int rc;

		if (!pg)
			return -ENOMEM;
		pa = mfn_to_paddr(page_to_mfn(pg));
		memset(maddr_to_virt(pa), 0, PAGE_SIZE);
		rc = pt_map(d->arch.pt_root, l->base + pfn * PAGE_SIZE, pa,
			    PAGE_SIZE, PTE_P | PTE_RW | PTE_US, false, &alloc);
		if (rc)
			return rc;
	}
	return 0;
}

/* The direct-map address of the domain's byte at va. */
void *pv_va(struct domain *d, uint64_t va)
{
	unsigned int level;
	uint64_t e = pt_lookup(d->arch.pt_root, va, &level);

	if (!(e & PTE_P) || level != 1)
		return NULL;
	return (char *)maddr_to_virt(_paddr(e & PTE_ADDR)) +
	       (va & (PAGE_SIZE - 1));
}

static int pv_copy_in(void *ctx, uint64_t va, const void *src, uint64_t len)
{
	while (len) {
		uint64_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		void *dst = pv_va(ctx, va);

		if (!dst)
			return -EFAULT;
		if (chunk > len)
			chunk = len;
		if (src)
			memcpy(dst, src, chunk);
		else
			memset(dst, 0, chunk);
		va += chunk;
		len -= chunk;
		src = src ? (const char *)src + chunk : NULL;
	}
	return 0;
}

static int pv_zero(void *ctx, uint64_t va, uint64_t len)
{
	return pv_copy_in(ctx, va, NULL, len);
}

/*
 * push rcx; push r11; mov $nr, eax; syscall; pop r11; pop rcx; ret.
 * iret's stub also pushes rax and never returns: the hypercall restores
 * the frame the handler left on its stack.
 */
void pv_write_hypercall_page(uint8_t *page)
{
	static const uint8_t iret[] = { 0x51, 0x41, 0x53,
					0x50, 0xb8, __HYPERVISOR_iret,
					0,    0,    0,
					0x0f, 0x05 };

	memset(page, 0xcc, PAGE_SIZE); /* int3 between the stubs */
	for (unsigned int nr = 0; nr < PAGE_SIZE / HYPERCALL_STUB; nr++) {
		uint8_t *p = page + nr * HYPERCALL_STUB;
		const uint8_t stub[] = { 0x51, 0x41, 0x53, 0xb8, (uint8_t)nr,
					 0,    0,    0,	   0x0f, 0x05,
					 0x41, 0x5b, 0x59, 0xc3 };

		memcpy(p, stub, sizeof(stub));
	}
	memcpy(page + __HYPERVISOR_iret * HYPERCALL_STUB, iret, sizeof(iret));
}

static void pv_fill_p2m(struct domain *d, const struct pv_layout *l)
{
	for (unsigned long pfn = 0; pfn < l->nr_pages; pfn++) {
		unsigned int level;
		uint64_t e = pt_lookup(d->arch.pt_root,
				       l->base + pfn * PAGE_SIZE, &level);
		uint64_t mfn = (e & PTE_ADDR) >> PAGE_SHIFT;

		pv_copy_in(d, l->p2m + pfn * 8, &mfn, 8);
	}
}

/*
 * The boot modules after the first, for the control domain: mapped
 * read-only after its memory, behind a list page, as the "multiboot
 * package" of Xen's ABI (SIF_MULTIBOOT_MOD): a xen_multiboot_mod_list
 * array ending with mod_start 0, then the command lines; every address
 * relative to the package start. Returns the package size, 0 if none.
 */
static uint64_t pv_map_modules(struct domain *d, const struct pv_layout *l,
			       const struct boot_info *bi, uint64_t *pkg_va)
{
	const struct pt_alloc alloc = { pv_alloc_pt, d };
	struct page_info *pg =
	    bi && bi->nr_modules > 1 ? domain_alloc_page(d) : NULL;
	uint64_t va = (l->base + l->nr_pages * PAGE_SIZE + (2ull << 20) - 1) &
		      ~((2ull << 20) - 1);
	struct xen_multiboot_mod_list *list;
	char *strings;
	uint64_t off = PAGE_SIZE, str = (bi ? bi->nr_modules : 0) * 16;

	if (!pg)
		return 0;
	list = maddr_to_virt(mfn_to_paddr(page_to_mfn(pg)));
	memset(list, 0, PAGE_SIZE);
	strings = (char *)list;
	for (unsigned int i = 1; i < bi->nr_modules; i++) {
		const struct boot_module *m = &bi->modules[i];
		uint64_t pages = (m->size + PAGE_SIZE - 1) / PAGE_SIZE;
		size_t len = strnlen(m->cmdline, 255);

		if (!m->size || str + len + 1 > PAGE_SIZE ||
		    pt_map(d->arch.pt_root, va + off, m->start,
			   pages * PAGE_SIZE, PTE_P | PTE_US | PTE_NX, false,
			   &alloc) < 0) {
			log_warn("control domain: module %u not handed over\n",
				 i);
			continue;
		}
		list[i - 1] = (struct xen_multiboot_mod_list){
			(uint32_t)off, (uint32_t)(off + m->size - 1),
			(uint32_t)str, 0
		};
		memcpy(strings + str, m->cmdline, len);
		str += len + 1;
		off += pages * PAGE_SIZE;
	}
	pt_map(d->arch.pt_root, va, mfn_to_paddr(page_to_mfn(pg)), PAGE_SIZE,
	       PTE_P | PTE_US | PTE_NX, false, &alloc);
	*pkg_va = va;
	return off;
}

static void pv_fill_start_info(struct domain *d, const struct pv_layout *l,
			       const char *cmdline, const struct boot_info *bi)
{
	uint64_t pkg_va = 0, pkg_len = pv_map_modules(d, l, bi, &pkg_va);

	static struct start_info si; /* too big for the stack; boot only */
	size_t len = strnlen(cmdline, sizeof(si.cmd_line) - 1);

	memset(&si, 0, sizeof(si));
	memcpy(si.magic, "xen-3.0-x86_64", sizeof("xen-3.0-x86_64"));
	si.nr_pages = l->nr_pages;
	si.shared_info = paddr_x(virt_to_maddr(d->shared_info));
	if (d->roles & DOMROLE_CONTROL)
		si.flags = SIF_PRIVILEGED | SIF_INITDOMAIN;
	/* Xen's convention: free memory starts at pt_base + nr_pt_frames. */
	si.pt_base = l->boot_end;
	si.nr_pt_frames = 0;
	si.mfn_list = l->p2m;
	if (pkg_len) {
		si.mod_start = pkg_va;
		si.mod_len = pkg_len;
		si.flags |= SIF_MULTIBOOT_MOD;
	}
	memcpy(si.cmd_line, cmdline, len);
	pv_copy_in(d, l->start_info, &si, sizeof(si));
}

static int pv_setup_vcpu0(struct domain *d, const struct elf_image *img,
			  const struct pv_layout *l)
{
	struct vcpu *v = vcpu_create(d, 0);
	struct cpu_regs *r;

	if (!v)
		return -ENOMEM;
	r = &v->arch.regs;
	r->rip = img->has_entry ? img->note_entry : img->entry;
	r->rsp = l->stack_top;
	r->rsi = l->start_info;
	r->cs = FLAT_RING3_CS64;
	r->ss = FLAT_RING3_DS;
	r->rflags = X86_EFLAGS_IF | X86_EFLAGS_MBS;
	r->vector = CPU_REGS_NO_VECTOR;
	v->vcpu_info = &d->shared_info->vcpu_info[0];
	pv_timer_init(v);
	pv_time_set_wallclock(d);
	v->vcpu_info->evtchn_upcall_mask = 1; /* until the domain is ready */
	v->online = true;
	return 0;
}

int pv_shared_info(struct domain *d)
{
	d->shared_info = alloc_xen_page();
	return d->shared_info ? 0 : -ENOMEM;
}

int pv_build(struct domain *d, const struct elf_image *img, const char *cmdline,
	     const struct boot_info *bi, const char **why)
{
	struct pv_layout l;
	int rc;

	*why = "out of memory";
	rc = pv_layout(d, img, &l, why);
	if (!rc && !img->has_hypercall_page) {
		*why = "the image has no hypercall page note";
		rc = -EINVAL;
	}
	if (!rc)
		rc = pv_shared_info(d);
	if (!rc)
		rc = pv_build_root(d);
	if (!rc)
		rc = pv_populate(d, &l);
	if (!rc) {
		*why = "the image does not fit its segments";
		rc = elf_load(img, pv_copy_in, pv_zero, d);
	}
	if (rc)
		return rc;
	pv_write_hypercall_page(pv_va(d, img->note_hypercall_page));
	pv_fill_p2m(d, &l);
	pv_fill_start_info(d, &l, cmdline, bi);
	*why = "out of memory";
	return pv_setup_vcpu0(d, img, &l);
}
