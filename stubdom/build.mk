# Small PV domains on the stubdom runtime: $(O)/stubdom/<name>.elf.

STUB_OUT := $(O)/stubdom
STUB_LIB_SRCS := stubdom/arch/x86_64/head.S stubdom/arch/x86_64/traps.S \
	stubdom/lib/kernel.c stubdom/lib/console.c stubdom/lib/traps.c \
	stubdom/lib/events.c stubdom/lib/time.c stubdom/lib/mm.c \
	stubdom/lib/gnttab.c stubdom/lib/builder.c stubdom/lib/consback.c \
	stubdom/lib/xenbus.c stubdom/lib/xenbus_glue.c stubdom/lib/check.c \
	stubdom/lib/xenbus_front.c stubdom/lib/netfront.c stubdom/lib/blkfront.c \
	stubdom/lib/blkfront_io.c \
	$(addprefix stubdom/net/,eth.c arp.c ipv4.c icmp.c udp.c csum.c)
# Library code shared with the hypervisor, compiled for ring 3.
STUB_SHARED_SRCS := xen/common/vsnprintf.c xen/common/string.c \
	xen/common/elf.c
STUB_APPS := pvbasic crash traps vcpus events time fpu bench watchdog \
	spin toolstack pingpong conin grants grantpeer xsclient xsctl xsevil conecho nvmedom nicdom netguest \
	blkguest blkhostile

STUB_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -fno-pie -fno-stack-protector -mno-red-zone \
	-mgeneral-regs-only -fno-asynchronous-unwind-tables \
	-fcf-protection=none -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) \
	-include xen/include/xen/compiler.h -Istubdom/include -Ixen/include
STUB_LDFLAGS := -m elf_x86_64 -nostdlib -static -no-pie \
	-z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments \
	--build-id=none

# An app's other files, besides stubdom/tests/<app>.c.
STUB_APP_SRCS_netguest := stubdom/tests/netguest_hostile.c
STUB_APP_OBJS = $(patsubst %.c,$(STUB_OUT)/%.o,$(STUB_APP_SRCS_$(1)))

STUB_LIB_OBJS := $(patsubst %,$(STUB_OUT)/%.o,$(basename $(STUB_LIB_SRCS) \
	$(STUB_SHARED_SRCS)))
STUB_ELFS := $(addprefix $(STUB_OUT)/,$(addsuffix .elf,$(STUB_APPS)))
# Each app's own objects: kept (not intermediates make deletes), and
# their dependency files read, so a header change rebuilds what uses it.
STUB_APP_ALL_OBJS := $(patsubst %,$(STUB_OUT)/stubdom/tests/%.o,$(STUB_APPS)) \
	$(foreach a,$(STUB_APPS),$(call STUB_APP_OBJS,$(a)))
.SECONDARY: $(STUB_APP_ALL_OBJS)

# The xenstore domain: the store core and its main loop.
XS_SRCS := $(addprefix stubdom/xenstore/,blob.c outq.c perms.c path.c \
	store.c tree.c txn.c watch.c domain.c proto.c request.c main.c)
XS_OBJS := $(patsubst %.c,$(STUB_OUT)/%.o,$(XS_SRCS))

# The control domain: configs, boot, supervisor, admin shell.
CTL_SRCS := $(addprefix stubdom/control/,main.c boot.c bundle.c domain.c \
	devices.c supervisor.c standby.c cfg_parse.c cfg_check.c \
	shell.c shell_cmds.c shell_fmt.c xl_ops.c xl_create.c xl_console.c \
	faults$(if $(CONFIG_FAULT_INJECT),,-stub).c)
CTL_OBJS := $(patsubst %.c,$(STUB_OUT)/%.o,$(CTL_SRCS))

stubdom: $(STUB_ELFS) $(STUB_OUT)/xenstored.elf $(STUB_OUT)/control.elf

$(STUB_OUT)/control.elf: $(CTL_OBJS) $(STUB_LIB_OBJS) stubdom/stubdom.lds
	@echo "  LD      $@"
	$(Q)$(LD) $(STUB_LDFLAGS) -T stubdom/stubdom.lds -o $@ \
		$(STUB_LIB_OBJS) $(CTL_OBJS)

$(STUB_OUT)/xenstored.elf: $(XS_OBJS) $(STUB_LIB_OBJS) stubdom/stubdom.lds
	@echo "  LD      $@"
	$(Q)$(LD) $(STUB_LDFLAGS) -T stubdom/stubdom.lds -o $@ \
		$(STUB_LIB_OBJS) $(XS_OBJS)

$(STUB_OUT)/netguest.elf: $(call STUB_APP_OBJS,netguest)

$(STUB_OUT)/%.elf: $(STUB_OUT)/stubdom/tests/%.o $(STUB_LIB_OBJS) \
		stubdom/stubdom.lds
	@echo "  LD      $@"
	$(Q)$(LD) $(STUB_LDFLAGS) -T stubdom/stubdom.lds -o $@ \
		$(STUB_LIB_OBJS) $< $(call STUB_APP_OBJS,$*)

$(STUB_OUT)/%.o: %.c $(DEPS_STAMP)
	@echo "  CC      $@"
	@mkdir -p $(@D)
	$(Q)$(CC) $(STUB_CFLAGS) -MMD -MP -c -o $@ $<

$(STUB_OUT)/%.o: %.S $(DEPS_STAMP)
	@echo "  AS      $@"
	@mkdir -p $(@D)
	$(Q)$(CC) $(STUB_CFLAGS) -D__ASSEMBLY__ -MMD -MP -c -o $@ $<

-include $(STUB_LIB_OBJS:.o=.d) $(STUB_APP_ALL_OBJS:.o=.d) $(XS_OBJS:.o=.d) \
	$(CTL_OBJS:.o=.d)
