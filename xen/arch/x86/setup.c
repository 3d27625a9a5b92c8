/*
 * The boot CPU's path from the boot code to a running hypervisor: first
 * on the boot stack until memory management runs, then on its own
 * guarded stack for everything else.
 */
#include <xen/arch.h>
#include <xen/bootinfo.h>
#include <xen/console.h>
#include <xen/iommu.h>
#include <xen/kernel.h>
#include <xen/keyhandler.h>
#include <xen/lib.h>
#include <xen/multiboot.h>
#include <xen/param.h>
#include <xen/pci.h>
#include <xen/smp.h>
#include <xen/sched.h>
#include <xen/timer.h>
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/cpufeature.h>
#include <asm/ioapic.h>
#include <asm/irq.h>
#include <asm/mm.h>
#include <asm/page.h>
#include <asm/percpu.h>
#include <asm/pv.h>
#include <asm/time.h>
#include <asm/traps.h>

#define LAPIC_DEFAULT_ADDR 0xfee00000

void __start_xen(uint32_t magic, uint32_t mbi_pa) __noreturn;

extern char __image_start[], __image_end[];

/* Static: it is too big for the boot stack and must outlive this call. */
static struct boot_info boot_info;

/* Interrupts, time and the other CPUs, on the boot CPU's own stack. */
static void __noreturn start_xen_on_stack(void)
{
	acpi_boot_init();
	/* Masked first, so the 8259s drop any request still pending. */
	pic_disable();
	apic_init_bsp(acpi_info.have_madt ? acpi_info.lapic_addr
					  : _paddr(LAPIC_DEFAULT_ADDR));
	apic_cpu_init();
	ioapic_init(&acpi_info);
	time_init(&acpi_info);
	pv_time_init();
	timer_subsys_init();
	smp_init_ipis();
	pci_init(&acpi_info);
	iommu_init(&acpi_info);
	local_irq_enable();
	smp_boot_cpus(&acpi_info);
	schedule_init();
	mm_print_usage();
	keyhandler_init();
	console_input_init();
	serial_input_init();
	kernel_selftest();
	testdev_run();
	if (pv_start_control_domain(&boot_info))
		kernel_run();
	kernel_boot_done();
}

static void start_console(uint32_t magic, uint32_t mbi_pa)
{
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		panic("not started by a Multiboot loader (EAX %#x)", magic);
	if (multiboot_parse(&boot_info, _paddr(mbi_pa),
			    virt_to_maddr(__image_start),
			    virt_to_maddr(__image_end)) < 0)
		panic("bad Multiboot information: %s", boot_info.error);
	cmdline_parse(boot_info.cmdline);
	console_init();
	kernel_banner();
	printk_flush_early();
}

void __start_xen(uint32_t magic, uint32_t mbi_pa)
{
	traps_init_early();
	percpu_early_init();
	cpu_identify(&boot_cpu_data);
	start_console(magic, mbi_pa);
	boot_info_print(&boot_info);
	cpu_print(&boot_cpu_data);
	mm_init(&boot_info);
	cpu_init_features();
	cpu_print_features();
	if (percpu_map_stacks(0) < 0)
		panic("no memory for the boot CPU's stacks");
	percpu_cpu_init(0);
	switch_stack(stack_top_va(0), start_xen_on_stack);
}
