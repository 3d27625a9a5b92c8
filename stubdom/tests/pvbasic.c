/*
 * First PV test domain: says hello, then calls the hypercalls the
 * hypervisor has so far with good and bad arguments and checks each
 * result. Prints "pvbasic: N passed, M failed" and powers off.
 */
#include <public/errno.h>
#include <public/memory.h>
#include <public/vcpu.h>
#include <public/sched.h>
#include <public/version.h>
#include <xen/string.h>
#include <stub/hypercall.h>
#include <stub/mm.h>
#include <stub/check.h>
#include <stub/stub.h>

/* An address the domain has not mapped. */
#define UNMAPPED 0x10000000l
/* An address in the hypervisor's half, never the domain's. */
#define HYPERVISOR_VA ((long)0xffff82d040000000ul)

static void test_version(void)
{
	xen_extraversion_t extra;
	struct xen_feature_info fi = { .submap_idx = 0 };

	stub_check("xen_version",
		   hypercall2(__HYPERVISOR_xen_version, XENVER_version, 0),
		   (4 << 16) | 17);
	stub_check("extraversion",
		   hypercall2(__HYPERVISOR_xen_version, XENVER_extraversion,
			      (long)extra),
		   0);
	stub_check("extraversion text", extra[0] == '-', 1);
	stub_check("extraversion bad pointer",
		   hypercall2(__HYPERVISOR_xen_version, XENVER_extraversion,
			      HYPERVISOR_VA),
		   -XEN_EFAULT);
	stub_check("get_features",
		   hypercall2(__HYPERVISOR_xen_version, XENVER_get_features,
			      (long)&fi),
		   0);
	fi.submap_idx = 99;
	stub_check("get_features bad index",
		   hypercall2(__HYPERVISOR_xen_version, XENVER_get_features,
			      (long)&fi),
		   -XEN_EINVAL);
	stub_check("xen_version unknown",
		   hypercall2(__HYPERVISOR_xen_version, 12345, 0), -XEN_ENOSYS);
}

static void test_console(void)
{
	static const char msg[] = "console_io: \x1b[31mno escapes\n";

	stub_check("console write",
		   hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write,
			      sizeof(msg) - 1, (long)msg),
		   0);
	stub_check(
	    "console bad pointer",
	    hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, 10, UNMAPPED),
	    -XEN_EFAULT);
	stub_check("console hypervisor pointer",
		   hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, 10,
			      HYPERVISOR_VA),
		   -XEN_EFAULT);
	stub_check("console huge count",
		   hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write,
			      1l << 40, (long)msg),
		   -XEN_EINVAL);
	stub_check("console unknown command",
		   hypercall3(__HYPERVISOR_console_io, 77, 0, 0), -XEN_ENOSYS);
}

static void test_sched_and_unknown(void)
{
	struct sched_shutdown bad = { .reason = 99 };

	stub_check("yield", hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0),
		   0);
	stub_check(
	    "shutdown bad reason",
	    hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (long)&bad),
	    -XEN_EINVAL);
	stub_check(
	    "shutdown bad pointer",
	    hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, UNMAPPED),
	    -XEN_EFAULT);
	stub_check("sched_op unknown",
		   hypercall2(__HYPERVISOR_sched_op, 1000, 0), -XEN_ENOSYS);
	stub_check("hypercall 60", hypercall2(60, 0, 0), -XEN_ENOSYS);
	stub_check("hypercall 127", hypercall2(127, 0, 0), -XEN_ENOSYS);
}

/* An address free in our layout: the builder maps from 4 MiB up. */
#define SPARE_VA 0x20000000l
#define PTE_P	 0x1l
#define PTE_RW	 0x2l
#define PTE_PSE	 0x80l

static long update_va(long va, long pte)
{
	return hypercall3(__HYPERVISOR_update_va_mapping, va, pte, UVMF_INVLPG);
}

/* Map our shared_info and one of our own frames; refuse others' frames. */
static void test_mappings(void)
{
	unsigned long si_mfn = start_info->shared_info >> 12;
	unsigned long *p2m = (unsigned long *)start_info->mfn_list;
	static volatile unsigned int marker = 0x1234;
	unsigned long own = p2m[((unsigned long)&marker - 0x400000) >> 12];
	volatile struct shared_info *si = (void *)SPARE_VA;
	volatile unsigned int *alias;
	struct mmuext_op op = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };

	stub_check("map shared_info",
		   update_va(SPARE_VA, si_mfn << 12 | PTE_P | PTE_RW), 0);
	stub_check("shared_info readable", si->evtchn_pending[0] == 0, 1);
	stub_check("map own frame",
		   update_va(SPARE_VA + 4096, own << 12 | PTE_P | PTE_RW), 0);
	alias = (volatile unsigned int *)(SPARE_VA + 4096 +
					  ((unsigned long)&marker & 4095));
	stub_check("alias sees data", *alias, 0x1234);
	stub_check("map frame 0", update_va(SPARE_VA, PTE_P), -XEN_EPERM);
	stub_check("map large page",
		   update_va(SPARE_VA, own << 12 | PTE_P | PTE_PSE),
		   -XEN_EINVAL);
	stub_check("map unaligned va",
		   update_va(SPARE_VA + 8, own << 12 | PTE_P), -XEN_EINVAL);
	stub_check("map hypervisor va",
		   update_va(HYPERVISOR_VA, own << 12 | PTE_P), -XEN_EINVAL);
	stub_check("unmap", update_va(SPARE_VA + 4096, 0), 0);
	stub_check(
	    "mmuext flush",
	    hypercall5(__HYPERVISOR_mmuext_op, (long)&op, 1, 0, DOMID_SELF, 0),
	    0);
	op.cmd = 999;
	stub_check(
	    "mmuext bad cmd",
	    hypercall5(__HYPERVISOR_mmuext_op, (long)&op, 1, 0, DOMID_SELF, 0),
	    -XEN_ENOSYS);
	stub_check("mmuext other domain",
		   hypercall5(__HYPERVISOR_mmuext_op, (long)&op, 1, 0, 5, 0),
		   -XEN_EINVAL);
	stub_check(
	    "mmuext bad pointer",
	    hypercall5(__HYPERVISOR_mmuext_op, UNMAPPED, 1, 0, DOMID_SELF, 0),
	    -XEN_EFAULT);
}

/*
 * The hypervisor reads and writes our memory as our page tables allow:
 * a write into a read-only page, or a copy running off the end of a
 * mapped page into an unmapped one, fails -EFAULT and nothing else.
 */
static void test_guest_copies(void)
{
	unsigned long *p2m = (unsigned long *)start_info->mfn_list;
	static volatile unsigned int marker = 0x5678;
	unsigned long own = p2m[((unsigned long)&marker - 0x400000) >> 12];
	long ro = SPARE_VA + 2 * 4096, end = ro + 4096; /* end: unmapped */
	static const char msg[] = "guest copy: console write\n";

	stub_check("map own frame read-only", update_va(ro, own << 12 | PTE_P),
		   0);
	stub_check(
	    "write into a read-only page",
	    hypercall2(__HYPERVISOR_xen_version, XENVER_extraversion, ro),
	    -XEN_EFAULT);
	stub_check("read from a read-only page",
		   hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, 4, ro),
		   0);
	stub_check(
	    "write running off a mapped page",
	    hypercall2(__HYPERVISOR_xen_version, XENVER_extraversion, end - 8),
	    -XEN_EFAULT);
	stub_check(
	    "read running off a mapped page",
	    hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, 10, end - 4),
	    -XEN_EFAULT);
	stub_check(
	    "read ending at the mapped page's end",
	    hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, 4, end - 4),
	    0);
	stub_check("read running past the guest half",
		   hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, 16,
			      0x00007ffffffffff8l),
		   -XEN_EFAULT);
	stub_check("console write after the faults",
		   hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write,
			      sizeof(msg) - 1, (long)msg),
		   0);
	stub_check("unmap read-only", update_va(ro, 0), 0);
}

static void test_memory_op(void)
{
	domid_t self = DOMID_SELF, other = 5;
	long cur = hypercall2(__HYPERVISOR_memory_op,
			      XENMEM_current_reservation, (long)&self);

	stub_check("current reservation covers nr_pages",
		   cur >= (long)start_info->nr_pages, 1);
	stub_check("maximum reservation >= current",
		   hypercall2(__HYPERVISOR_memory_op,
			      XENMEM_maximum_reservation, (long)&self) >= cur,
		   1);
	stub_check("another domain's reservation",
		   hypercall2(__HYPERVISOR_memory_op,
			      XENMEM_current_reservation, (long)&other),
		   -XEN_EPERM);
	stub_check("reservation bad pointer",
		   hypercall2(__HYPERVISOR_memory_op,
			      XENMEM_current_reservation, UNMAPPED),
		   -XEN_EFAULT);
	stub_check("maximum_ram_page",
		   hypercall2(__HYPERVISOR_memory_op, XENMEM_maximum_ram_page,
			      0) > (long)(start_info->shared_info >> 12),
		   1);
	stub_check("memory_op unknown",
		   hypercall2(__HYPERVISOR_memory_op, 999, 0), -XEN_ENOSYS);
}

/* The boot modules after ours, handed over read-only as a package. */
static void test_modules(void)
{
	const char *pkg = (const char *)start_info->mod_start;
	const struct xen_multiboot_mod_list *m = (const void *)pkg;
	unsigned int n = 0;

	if (!(start_info->flags & SIF_MULTIBOOT_MOD)) {
		printf("modules: none\n");
		return;
	}
	for (; m->mod_start; m++, n++) {
		unsigned long len = m->mod_end - m->mod_start + 1;
		const char *data = pkg + m->mod_start;

		printf("module %u: %lu bytes, '%s', starts '%.5s'\n", n, len,
		       pkg + m->cmdline, data);
	}
	printf("modules: %u\n", n);
}

/* Last: our vcpu_info moves out of shared_info, into a page of ours. */
static void test_register_vcpu_info(void)
{
	static volatile struct vcpu_info area[2] __attribute__((aligned(4096)));
	unsigned long *p2m = (unsigned long *)start_info->mfn_list;
	struct vcpu_register_vcpu_info r = {
		.mfn = p2m[((unsigned long)area - 0x400000) >> 12],
		.offset = 64,
	};

	r.offset = 4090;
	stub_check("vcpu_info past the page",
		   hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info,
			      0, (long)&r),
		   -XEN_EINVAL);
	r.offset = 64;
	r.mfn = 0;
	stub_check("vcpu_info in a frame not ours",
		   hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info,
			      0, (long)&r),
		   -XEN_EINVAL);
	r.mfn = p2m[((unsigned long)area - 0x400000) >> 12];
	stub_check("register vcpu_info",
		   hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info,
			      0, (long)&r),
		   0);
	stub_check("register twice",
		   hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info,
			      0, (long)&r),
		   -XEN_EINVAL);
	hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0);
	stub_check("upcall mask came along", area[1].evtchn_upcall_mask, 1);
}

/* The runtime's allocator: pages and malloc, and running out. */
static void test_allocator(void)
{
	unsigned long before = stub_free_pages(), n = 0;
	void *first = stub_alloc_page(), *p, *last = NULL;
	char *a = malloc(100), *b = malloc(3000), *c;

	stub_check("a page", first && !((unsigned long)first & 4095), 1);
	stub_check("malloc", a && b && a != b && !((unsigned long)a & 15), 1);
	memset(a, 'a', 100);
	memset(b, 'b', 3000);
	stub_check("blocks apart", a[99] == 'a' && b[0] == 'b', 1);
	free(a);
	c = malloc(64);
	stub_check("freed block reused", c == a, 1);
	stub_check("too big for malloc", malloc(8192) == NULL, 1);
	free(b);
	free(c);
	stub_free_page(first);
	while ((p = stub_alloc_page())) { /* exhaust, then give it all back */
		*(void **)p = last;
		last = p;
		n++;
	}
	stub_check("every free page handed out", n + 1 >= before, 1);
	while (last) {
		p = *(void **)last;
		stub_free_page(last);
		last = p;
	}
	stub_check("all pages back", stub_free_pages() + 1 >= before, 1);
}

int app_main(const char *cmdline)
{
	printf("Hello from a PV domain: nr_pages %lu, command line '%s'\n",
	       (unsigned long)start_info->nr_pages, cmdline);
	test_version();
	test_console();
	test_sched_and_unknown();
	test_mappings();
	test_guest_copies();
	test_memory_op();
	test_modules();
	test_allocator();
	test_register_vcpu_info();
	stub_check_report("pvbasic");
	return SHUTDOWN_poweroff;
}
