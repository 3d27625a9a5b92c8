/*
 * The domain builder. Layout of a new domain's address space, from the
 * image's start: the image, start_info, the p2m list, the xenstore ring
 * page, the console ring page, four pages of boot stack; then the page
 * tables the hypervisor made (pt_base). Everything up to there is the
 * boot area the domain keeps; the rest of its pages are free memory.
 */
#include <public/errno.h>
#include <public/grant_table.h>
#include <xen/elf.h>
#include <xen/string.h>
#include <stub/builder.h>
#include <stub/events.h>
#include <stub/hypercall.h>
#include <stub/stub.h>
#include <stub/time.h>

#define DEFAULT_PAGES 1024
#define MAX_PAGES     4096
#define PT_RESERVE    24	   /* the hypervisor's page tables for it */
#define WINDOW	      0x60000000ul /* where the new domain's pages appear */
#define STACK_PAGES   4

struct layout {
	uint64_t base, start_info, p2m, store, console, stack_top;
	unsigned long nr_pages, boot_pages;
};

static xen_pfn_t p2m[MAX_PAGES];
static struct elf_image img;

long stub_domctl(struct xen_domctl *op, uint32_t cmd, domid_t dom)
{
	op->cmd = cmd;
	op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
	op->domain = dom;
	return hypercall2(__HYPERVISOR_domctl, (long)op, 0);
}

long stub_destroy_domain(domid_t dom)
{
	uint64_t give_up = stub_now() + STUB_DESTROY_WAIT_NS;
	struct xen_domctl op;
	long rc;

	/* -EAGAIN: a vCPU is still leaving its CPU; let it. */
	while ((rc = stub_domctl(&op, XEN_DOMCTL_destroydomain, dom)) ==
		   -XEN_EAGAIN &&
	       stub_now() < give_up)
		stub_sleep(STUB_DESTROY_RETRY_NS);
	return rc;
}

static void *window(const struct layout *l, uint64_t va)
{
	return (char *)WINDOW + (va - l->base);
}

static int window_copy(void *ctx, uint64_t va, const void *src, uint64_t len)
{
	memcpy(window(ctx, va), src, len);
	return 0;
}

static int window_zero(void *ctx, uint64_t va, uint64_t len)
{
	memset(window(ctx, va), 0, len);
	return 0;
}

/* Map (or unmap) the new domain's first n pages at WINDOW. */
static long window_map(domid_t dom, unsigned long n, bool map)
{
	struct xen_domctl op;

	for (unsigned long i = 0; i < n; i++) {
		op.u.map_foreign.mfn = p2m[i];
		op.u.map_foreign.va = WINDOW + i * 4096;
		op.u.map_foreign.flags = 0;
		if (stub_domctl(&op,
				map ? XEN_DOMCTL_map_foreign
				    : XEN_DOMCTL_unmap_foreign,
				dom) < 0)
			return -1;
	}
	return 0;
}

static void layout_make(struct layout *l, unsigned long pages)
{
	l->base = img.virt_start;
	l->nr_pages = pages - PT_RESERVE;
	l->start_info = img.virt_end;
	l->p2m = l->start_info + 4096;
	l->store = (l->p2m + l->nr_pages * 8 + 4095) & ~4095ul;
	l->console = l->store + 4096;
	l->stack_top = l->console + (1 + STACK_PAGES) * 4096;
	l->boot_pages = (l->stack_top - l->base) / 4096;
}

static xen_pfn_t layout_mfn(const struct layout *l, uint64_t va)
{
	return p2m[(va - l->base) / 4096];
}

static void write_start_info(const struct layout *l, struct stub_build *b,
			     uint64_t shared_info_frame)
{
	struct start_info *si = window(l, l->start_info);

	memcpy(si->magic, "xen-3.0-x86_64", 15);
	si->nr_pages = l->nr_pages;
	si->shared_info = shared_info_frame << 12;
	si->pt_base = l->stack_top;
	si->mfn_list = l->p2m;
	si->store_mfn = b->store_mfn;
	si->store_evtchn = b->store_port;
	si->console.domU.mfn = b->console_mfn;
	si->console.domU.evtchn = b->console_port;
	memcpy(si->cmd_line, b->cmdline, strnlen(b->cmdline, 1000));
	memcpy(window(l, l->p2m), p2m, l->nr_pages * sizeof(p2m[0]));
	memset(window(l, l->store), 0, 2 * 4096);
}

/* A port in the new domain, offered to the backend, and the ring's ref. */
static long wire_ring(struct stub_build *b, domid_t backend, grant_ref_t ref,
		      xen_pfn_t mfn, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound au = { .dom = b->domid,
					   .remote_dom = backend };
	struct xen_domctl op = { 0 };

	if (backend == DOMID_INVALID)
		return 0;
	if (stub_evtchn_op(EVTCHNOP_alloc_unbound, &au) < 0)
		return -1;
	*port = au.port;
	op.u.gnttab_seed.frame = mfn;
	op.u.gnttab_seed.ref = ref;
	op.u.gnttab_seed.to = backend;
	return stub_domctl(&op, XEN_DOMCTL_gnttab_seed, b->domid);
}

static long set_context(const struct layout *l, domid_t dom)
{
	static struct vcpu_guest_context ctx;
	struct xen_domctl op;

	op.u.map_foreign.va = img.note_hypercall_page;
	if (stub_domctl(&op, XEN_DOMCTL_hypercall_page, dom) < 0)
		return -1;
	memset(&ctx, 0, sizeof(ctx));
	ctx.user_regs.rip = img.has_entry ? img.note_entry : img.entry;
	ctx.user_regs.rsp = l->stack_top;
	ctx.user_regs.rsi = l->start_info;
	ctx.user_regs.rflags = 0x202;
	op.u.vcpucontext.vcpu = 0;
	op.u.vcpucontext.ctxt.p = &ctx;
	return stub_domctl(&op, XEN_DOMCTL_setvcpucontext, dom);
}

/* Everything after creation; on failure b->error says which step. */
static long build_steps(struct stub_build *b, struct layout *l)
{
	struct xen_domctl op = { 0 };

	b->error = "populate";
	op.u.populate.nr_pages = l->nr_pages;
	op.u.populate.mfn_list.p = p2m;
	op.u.populate.va = l->base;
	if (stub_domctl(&op, XEN_DOMCTL_populate, b->domid) < 0)
		return -1;
	b->first_mfn = p2m[0];
	b->store_mfn =
	    b->store_domid != DOMID_INVALID ? layout_mfn(l, l->store) : 0;
	b->console_mfn =
	    b->console_domid != DOMID_INVALID ? layout_mfn(l, l->console) : 0;
	b->error = "event channels and grants";
	if (wire_ring(b, b->store_domid, GNTTAB_RESERVED_XENSTORE, b->store_mfn,
		      &b->store_port) < 0 ||
	    wire_ring(b, b->console_domid, GNTTAB_RESERVED_CONSOLE,
		      b->console_mfn, &b->console_port) < 0)
		return -1;
	b->error = "loading the image";
	if (stub_domctl(&op, XEN_DOMCTL_getdomaininfo, b->domid) < 0 ||
	    window_map(b->domid, l->boot_pages, true) < 0)
		return -1;
	if (elf_load(&img, window_copy, window_zero, l) < 0)
		return -1;
	write_start_info(l, b, op.u.getdomaininfo.shared_info_frame);
	if (window_map(b->domid, l->boot_pages, false) < 0)
		return -1;
	b->error = "vCPU context";
	return set_context(l, b->domid);
}

long stub_build_domain(struct stub_build *b)
{
	struct xen_domctl op = { 0 };
	struct layout l;
	unsigned long pages = b->pages ? b->pages : DEFAULT_PAGES;

	if (elf_parse(&img, b->image, b->len) < 0) {
		b->error = img.error;
		return -1;
	}
	layout_make(&l, pages);
	if (pages > MAX_PAGES || l.boot_pages + 16 > l.nr_pages) {
		b->error = "memory size";
		return -1;
	}
	memcpy(op.u.createdomain.name, b->name, strnlen(b->name, 31));
	op.u.createdomain.flags = b->flags;
	op.u.createdomain.max_vcpus = b->max_vcpus ? b->max_vcpus : 1;
	op.u.createdomain.max_pages = pages;
	if (b->handle)
		memcpy(op.u.createdomain.handle, b->handle,
		       sizeof(op.u.createdomain.handle));
	if (stub_domctl(&op, XEN_DOMCTL_createdomain, 0) < 0) {
		b->error = "create";
		return -1;
	}
	b->domid = op.u.createdomain.domid;
	if (build_steps(b, &l) < 0) {
		stub_destroy_domain(b->domid);
		return -1;
	}
	b->error = NULL;
	return 0;
}
