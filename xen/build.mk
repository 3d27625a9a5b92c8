# The hypervisor: $(O)/xen/citadel.elf, a Multiboot v1 ELF.

XEN_OUT := $(O)/xen
XEN_ELF := $(XEN_OUT)/citadel.elf
VERSION_H := $(O)/include/generated/version.h

xen-y := \
	xen/arch/x86/boot/head.o \
	xen/arch/x86/boot/trampoline.o \
	xen/arch/x86/acpi.o \
	xen/arch/x86/apic.o \
	xen/arch/x86/cpu/cpuid.o \
	xen/arch/x86/cpu/features.o \
	xen/arch/x86/crash.o \
	xen/arch/x86/desc.o \
	xen/arch/x86/entry.o \
	xen/arch/x86/fpu.o \
	xen/arch/x86/ioapic.o \
	xen/arch/x86/irq.o \
	xen/arch/x86/machine.o \
	xen/arch/x86/mm.o \
	xen/arch/x86/mm/heap.o \
	xen/arch/x86/mm/mm-init.o \
	xen/arch/x86/mm/pagetable.o \
	xen/arch/x86/rtc.o \
	xen/arch/x86/pirq.o \
	xen/arch/x86/pv/build.o \
	xen/arch/x86/pv/callback.o \
	xen/arch/x86/pv/control.o \
	xen/arch/x86/pv/copy-guest.o \
	xen/arch/x86/pv/domain.o \
	xen/arch/x86/pv/domctl.o \
	xen/arch/x86/pv/evtchn.o \
	xen/arch/x86/pv/grant.o \
	xen/arch/x86/pv/guest-access.o \
	xen/arch/x86/pv/hypercall.o \
	xen/arch/x86/pv/mm.o \
	xen/arch/x86/pv/physdev.o \
	xen/arch/x86/pv/time.o \
	xen/arch/x86/pv/tlb.o \
	xen/arch/x86/pv/traps.o \
	xen/arch/x86/pv/vcpu.o \
	xen/arch/x86/serial-input.o \
	xen/arch/x86/setup.o \
	xen/arch/x86/smp.o \
	xen/arch/x86/smpboot.o \
	xen/arch/x86/time.o \
	xen/arch/x86/traps.o \
	xen/common/bootinfo.o \
	xen/common/cmdline.o \
	xen/common/console.o \
	xen/common/console-tx.o \
	xen/common/console-input.o \
	xen/common/domain.o \
	xen/common/policy.o \
	xen/common/elf.o \
	xen/common/event_channel.o \
	xen/common/grant_table.o \
	xen/common/kernel.o \
	xen/common/memrange.o \
	xen/common/multiboot.o \
	xen/common/page_alloc.o \
	xen/common/panic.o \
	xen/common/printk.o \
	xen/common/ratelimit.o \
	xen/common/runstate.o \
	xen/common/sched_core.o \
	xen/common/schedule.o \
	xen/common/softirq.o \
	xen/common/string.o \
	xen/common/symbols.o \
	xen/common/sysctl.o \
	xen/common/timer.o \
	xen/common/timer_queue.o \
	xen/common/vsnprintf.o \
	xen/common/watchdog.o \
	xen/drivers/acpi/dmar.o \
	xen/drivers/acpi/hpet.o \
	xen/drivers/acpi/madt.o \
	xen/drivers/acpi/mcfg.o \
	xen/drivers/acpi/print.o \
	xen/drivers/acpi/tables.o \
	xen/drivers/iommu/iopt.o \
	xen/drivers/iommu/vtd.o \
	xen/drivers/iommu/vtd-domain.o \
	xen/drivers/iommu/vtd-fault.o \
	xen/drivers/iommu/vtd-ir.o \
	xen/drivers/iommu/vtd-qi.o \
	xen/drivers/char/ns16550.o \
	xen/drivers/pci/access.o \
	xen/drivers/pci/alias.o \
	xen/drivers/pci/assign.o \
	xen/drivers/pci/bar.o \
	xen/drivers/pci/cap.o \
	xen/drivers/pci/conf.o \
	xen/drivers/pci/dev.o \
	xen/drivers/pci/ecam.o \
	xen/drivers/pci/init.o \
	xen/drivers/pci/msix.o \
	xen/drivers/pci/port.o \
	xen/drivers/pci/print.o \
	xen/drivers/pci/reset.o \
	xen/drivers/pci/scan.o

# A feature that is off is replaced by its stub file.
xen-$(CONFIG_SELFTEST) += xen/common/selftest.o
xen-$(if $(CONFIG_SELFTEST),n,y) += xen/common/selftest-stub.o
xen-$(CONFIG_DEBUG_KEYS) += xen/common/keyhandler.o
xen-$(if $(CONFIG_DEBUG_KEYS),n,y) += xen/common/keyhandler-stub.o
xen-$(CONFIG_TEST_EXIT) += xen/arch/x86/testdev.o xen/arch/x86/testdev-entry.o \
	xen/arch/x86/testdev-iommu.o
xen-$(if $(CONFIG_TEST_EXIT),n,y) += xen/arch/x86/testdev-stub.o

XEN_OBJS := $(addprefix $(O)/,$(xen-y))

XEN_INCLUDES := -Ixen/include -Ixen/arch/x86/include -I$(O)/include
XEN_CPPFLAGS := -D__XEN__ -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-include $(AUTOCONF_H) -include xen/include/xen/compiler.h $(XEN_INCLUDES)
XEN_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -Wmissing-prototypes \
	-Wstrict-prototypes -Wno-unused-parameter -ffreestanding \
	-fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-omit-frame-pointer -mno-red-zone -mgeneral-regs-only -fpie \
	-fno-plt -fcf-protection=none $(if $(CONFIG_DEBUG),-g)
XEN_LDFLAGS := -m elf_x86_64 -nostdlib -static -no-pie -z max-page-size=0x1000 \
	-z noexecstack --no-warn-rwx-segments --build-id=none

xen: $(XEN_ELF)

# Two links: the first with an empty symbol table, from which the real
# one is generated for the second. The table sits after all code, and the
# second link is checked to have moved no function.
$(XEN_OUT)/citadel-syms0: $(XEN_OBJS) $(O)/xen/common/symbols-empty.o \
		$(XEN_OUT)/xen.lds
	@echo "  LD      $@"
	$(Q)$(LD) $(XEN_LDFLAGS) -T $(XEN_OUT)/xen.lds -o $@ $(XEN_OBJS) \
		$(O)/xen/common/symbols-empty.o

$(XEN_OUT)/symbols.S: $(XEN_OUT)/citadel-syms0 tools/symbols.py
	$(Q)nm -n $< > $(XEN_OUT)/syms0.nm
	$(Q)$(PYTHON) tools/symbols.py gen $(XEN_OUT)/syms0.nm $@

$(XEN_OUT)/symbols.o: $(XEN_OUT)/symbols.S
	$(Q)$(CC) -c -o $@ $<

$(XEN_ELF): $(XEN_OBJS) $(XEN_OUT)/symbols.o $(XEN_OUT)/xen.lds
	@echo "  LD      $@"
	$(Q)$(LD) $(XEN_LDFLAGS) -T $(XEN_OUT)/xen.lds -o $@ $(XEN_OBJS) \
		$(XEN_OUT)/symbols.o
	$(Q)nm -n $@ > $(XEN_OUT)/syms1.nm
	$(Q)$(PYTHON) tools/symbols.py same $(XEN_OUT)/syms0.nm \
		$(XEN_OUT)/syms1.nm

$(XEN_OUT)/xen.lds: xen/arch/x86/xen.lds.S $(AUTOCONF_H)
	@mkdir -p $(@D)
	$(Q)$(CC) -E -P -x c -D__ASSEMBLY__ -D__LINKER__ $(XEN_INCLUDES) \
		-MMD -MP -MT $@ -MF $@.d -o $@ $<

$(O)/xen/%.o: xen/%.c $(AUTOCONF_H)
	@echo "  CC      $@"
	@mkdir -p $(@D)
	$(Q)$(CC) $(XEN_CPPFLAGS) $(XEN_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/xen/%.o: xen/%.S $(AUTOCONF_H)
	@echo "  AS      $@"
	@mkdir -p $(@D)
	$(Q)$(CC) $(XEN_CPPFLAGS) -D__ASSEMBLY__ $(if $(CONFIG_DEBUG),-g) \
		-MMD -MP -c -o $@ $<

$(O)/xen/common/kernel.o: $(VERSION_H)

# Rewritten only when the version changes, so nothing rebuilds needlessly.
$(VERSION_H): FORCE
	@mkdir -p $(@D)
	$(Q)echo '#define CITADEL_VERSION "$(CITADEL_VERSION)"' > $@.tmp
	$(Q)cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

-include $(XEN_OBJS:.o=.d) $(XEN_OUT)/xen.lds.d
