/* The C entry point: from the boot code to a running hypervisor. */
#include <xen/arch.h>
#include <xen/bootinfo.h>
#include <xen/console.h>
#include <xen/kernel.h>
#include <xen/lib.h>
#include <xen/multiboot.h>
#include <xen/param.h>
#include <asm/layout.h>
#include <asm/traps.h>

void __start_xen(uint32_t magic, uint32_t mbi_pa) __noreturn;

extern char __image_start[], __image_end[];

/* Static: it is too big for the boot stack and must outlive this call. */
static struct boot_info boot_info;

static paddr_t virt_to_phys_image(const void *p)
{
	return _paddr((uintptr_t)p - XEN_VIRT_START + XEN_LOAD_PHYS);
}

void __start_xen(uint32_t magic, uint32_t mbi_pa)
{
	traps_init_early();

	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		panic("not started by a Multiboot loader (EAX %#x)", magic);
	if (multiboot_parse(&boot_info, _paddr(mbi_pa),
			    virt_to_phys_image(__image_start),
			    virt_to_phys_image(__image_end)) < 0)
		panic("bad Multiboot information: %s", boot_info.error);

	cmdline_parse(boot_info.cmdline);
	console_init();
	kernel_banner();
	printk_flush_early();

	boot_info_print(&boot_info);
	kernel_selftest();
	testdev_run();
	kernel_halt();
}
