# hostscan: the survey run on a machine's own Linux before it is converted
# to Citadel (usage atop tools/hostscan/main.c). A host program, built with
# the host's gcc against libpci and libusb-1.0; no configuration needed.

HOSTSCAN := $(O)/tools/hostscan
HOSTSCAN_OBJDIR := $(O)/tools/hostscan-obj
HOSTSCAN_SRCS := $(wildcard tools/hostscan/*.c)
HOSTSCAN_OBJS := $(patsubst tools/hostscan/%.c,$(HOSTSCAN_OBJDIR)/%.o, \
	$(HOSTSCAN_SRCS))
HOSTSCAN_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -O2 -g -Wall -Wextra -Werror
HOSTSCAN_LIBS := -lpci -lusb-1.0

.PHONY: hostscan test-hostscan

hostscan: $(HOSTSCAN)

$(HOSTSCAN_OBJS): $(HOSTSCAN_OBJDIR)/%.o: tools/hostscan/%.c $(DEPS_STAMP)
	@echo "  HOSTCC  $@"
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOSTSCAN_CFLAGS) -MMD -MP -c -o $@ $<

$(HOSTSCAN): $(HOSTSCAN_OBJS)
	@echo "  HOSTLD  $@"
	$(Q)$(CC) -o $@ $(HOSTSCAN_OBJS) $(HOSTSCAN_LIBS)

-include $(HOSTSCAN_OBJS:.o=.d)

# Saved lspci dumps, a fake sysfs and a fake USB list: no hardware needed.
test-hostscan: $(HOSTSCAN)
	$(Q)tests/hostscan/run.sh $(HOSTSCAN) $(O)/tests/hostscan

.PHONY: clean-hostscan
clean: clean-hostscan
clean-hostscan:
	rm -rf $(HOSTSCAN) $(HOSTSCAN_OBJDIR)
