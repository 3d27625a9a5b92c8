# Driver domains: the driverdom library (PCI access, NIC and disk
# drivers) on the stubdom runtime, and the test domains built from it:
# $(O)/stubdom/<name>.elf, next to the other small domains. Included
# after stubdom/build.mk, whose flags, runtime objects, linker script and
# compile rules it uses.

DD_LIB_SRCS := driverdom/pci.c driverdom/netdrv.c driverdom/e1000e.c \
	driverdom/blkdrv.c driverdom/nvme.c driverdom/nvme_ctrl.c \
	driverdom/nvme_io.c driverdom/nvme_prp.c driverdom/watchdog.c \
	driverdom/standby.c \
	driverdom/fault$(if $(CONFIG_FAULT_INJECT),,-stub).c
DD_APPS := nictest nvmetest

DD_LIB_OBJS := $(patsubst %.c,$(STUB_OUT)/%.o,$(DD_LIB_SRCS))
DD_APP_OBJS := $(patsubst %,$(STUB_OUT)/driverdom/tests/%.o,$(DD_APPS))
DD_ELFS := $(addprefix $(STUB_OUT)/,$(addsuffix .elf,$(DD_APPS)))
.SECONDARY: $(DD_APP_OBJS)

# stubdom/build.mk's compile rule, with our headers added.
$(DD_LIB_OBJS) $(DD_APP_OBJS): STUB_CFLAGS += -Idriverdom/include

stubdom: $(DD_ELFS)

$(DD_ELFS): $(STUB_OUT)/%.elf: $(STUB_OUT)/driverdom/tests/%.o \
		$(DD_LIB_OBJS) $(STUB_LIB_OBJS) stubdom/stubdom.lds
	@echo "  LD      $@"
	$(Q)$(LD) $(STUB_LDFLAGS) -T stubdom/stubdom.lds -o $@ \
		$(STUB_LIB_OBJS) $(DD_LIB_OBJS) $<

# The network driver domain: the NIC, netback and the vifs it serves.
NETDOM_SRCS := driverdom/netdom.c driverdom/netdom_vifs.c \
	driverdom/netdom_stream.c driverdom/netdom_gcache.c \
	$(addprefix netback/,vif.c tx.c rx.c switch.c rate.c csum.c)
NETDOM_OBJS := $(patsubst %.c,$(STUB_OUT)/%.o,$(NETDOM_SRCS))

$(NETDOM_OBJS): STUB_CFLAGS += -Idriverdom/include -Inetback/include

stubdom: $(STUB_OUT)/netdom.elf

$(STUB_OUT)/netdom.elf: $(NETDOM_OBJS) $(DD_LIB_OBJS) $(STUB_LIB_OBJS) \
		stubdom/stubdom.lds
	@echo "  LD      $@"
	$(Q)$(LD) $(STUB_LDFLAGS) -T stubdom/stubdom.lds -o $@ \
		$(STUB_LIB_OBJS) $(DD_LIB_OBJS) $(NETDOM_OBJS)

-include $(DD_LIB_OBJS:.o=.d) $(DD_APP_OBJS:.o=.d) $(NETDOM_OBJS:.o=.d)

# The block driver domain: the disk controller, blkback and its vbds.
BLKDOM_SRCS := driverdom/blkdom.c driverdom/blkdom_vbds.c \
	driverdom/blkdom_disk.c driverdom/blkdom_bench.c \
	$(addprefix blkback/,check.c copy.c crc32.c gpt.c io.c persist.c take.c \
	target.c vbd.c xenbus.c)
BLKDOM_OBJS := $(patsubst %.c,$(STUB_OUT)/%.o,$(BLKDOM_SRCS))

$(BLKDOM_OBJS): STUB_CFLAGS += -Idriverdom/include -Iblkback/include

stubdom: $(STUB_OUT)/blkdom.elf

$(STUB_OUT)/blkdom.elf: $(BLKDOM_OBJS) $(DD_LIB_OBJS) $(STUB_LIB_OBJS) \
		stubdom/stubdom.lds
	@echo "  LD      $@"
	$(Q)$(LD) $(STUB_LDFLAGS) -T stubdom/stubdom.lds -o $@ \
		$(STUB_LIB_OBJS) $(DD_LIB_OBJS) $(BLKDOM_OBJS)

-include $(BLKDOM_OBJS:.o=.d)
