# Citadel: the one build. Outputs, the configuration included, go to $(O).
#
#   make [all]         hypervisor and boot image for $(O)/.config
#   make run           boot the image in QEMU, console on this terminal
#   make test          unit tests, QEMU boot tests, the config build matrix
#   make menuconfig    and the other configuration targets (make help)

CITADEL_VERSION := 0.1.0
O ?= build
override O := $(patsubst %/,%,$(O))
KCONFIG_CONFIG := $(O)/.config
DEFCONFIG ?= configs/qemu_defconfig
PYTHON := /usr/bin/python3
SHELL := /bin/bash
CC := gcc
LD := ld
OBJCOPY := objcopy

ifeq ($(V),1)
Q :=
else
Q := @
endif

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:
.PHONY: all xen stubdom image run bench test test-unit test-qemu test-headers \
	test-config test-matrix \
	test-format fuzz test-fuzz \
	format clean distclean help deps FORCE

# ---- Dependencies --------------------------------------------------------

DEPS_STAMP := $(O)/.deps-ok
$(DEPS_STAMP): tools/deps.sh
	$(Q)mkdir -p $(@D)
	$(Q)tools/deps.sh
	$(Q)touch $@
deps: $(DEPS_STAMP)

# ---- Configuration -------------------------------------------------------

KCONFIG_FILES := Kconfig $(shell find xen driverdom tools tests -name Kconfig 2>/dev/null)
KCONFIG := CITADEL_VERSION=$(CITADEL_VERSION) KCONFIG_CONFIG=$(KCONFIG_CONFIG) \
	   $(PYTHON) tools/kconfig/kconfig.py Kconfig $(KCONFIG_CONFIG)
DEFCONFIGS := $(notdir $(wildcard configs/*_defconfig))
AUTO_CONF := $(O)/include/config/auto.conf
AUTOCONF_H := $(O)/include/generated/autoconf.h

.PHONY: menuconfig defconfig olddefconfig savedefconfig allnoconfig \
	allyesconfig $(DEFCONFIGS)

menuconfig: $(DEPS_STAMP)
	$(Q)test -f $(KCONFIG_CONFIG) || $(KCONFIG) defconfig $(DEFCONFIG)
	$(Q)CITADEL_VERSION=$(CITADEL_VERSION) KCONFIG_CONFIG=$(KCONFIG_CONFIG) \
		$(PYTHON) -m menuconfig Kconfig
defconfig: $(DEPS_STAMP)
	$(Q)$(KCONFIG) defconfig $(DEFCONFIG)
$(DEFCONFIGS): %: $(DEPS_STAMP)
	$(Q)$(KCONFIG) defconfig configs/$@
olddefconfig allnoconfig allyesconfig: $(DEPS_STAMP)
	$(Q)$(KCONFIG) $@
savedefconfig: $(DEPS_STAMP)
	$(Q)$(KCONFIG) savedefconfig $(O)/defconfig

# Goals that need a configuration read it through auto.conf, which the
# checked .config generates together with the C header. A missing
# .config is made from the default defconfig.
NO_CONFIG_GOALS := menuconfig defconfig %_defconfig olddefconfig \
	savedefconfig allnoconfig allyesconfig clean distclean help deps \
	format test test-unit test-qemu test-headers test-config test-matrix \
	test-format test-hostscan hostscan test-netpeer bench fuzz test-fuzz
ifneq ($(filter-out $(NO_CONFIG_GOALS),$(or $(MAKECMDGOALS),all)),)
include $(AUTO_CONF)
endif

$(KCONFIG_CONFIG): | $(DEPS_STAMP)
	@echo "No $(KCONFIG_CONFIG): using $(DEFCONFIG)"
	$(Q)$(KCONFIG) defconfig $(DEFCONFIG)

$(AUTO_CONF): $(KCONFIG_CONFIG) $(KCONFIG_FILES) tools/kconfig/kconfig.py \
		| $(DEPS_STAMP)
	$(Q)$(KCONFIG) genconfig $(AUTOCONF_H) $@
$(AUTOCONF_H): $(AUTO_CONF) ;

# ---- Components ----------------------------------------------------------

include xen/build.mk
include stubdom/build.mk
include driverdom/build.mk
include tools/build.mk
include tools/hostscan/build.mk
include tests/build.mk

all: xen stubdom image hostscan

# ---- Housekeeping --------------------------------------------------------

C_SOURCES = $(shell git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null || \
	find xen stubdom driverdom tests tools -name '*.[ch]')

format:
	$(Q)clang-format -i $(C_SOURCES)

clean:
	rm -rf $(O)/xen $(O)/stubdom $(O)/tests $(O)/boot $(O)/citadel.iso

distclean:
	rm -rf $(O)

help:
	@echo 'Build:   make [all] | xen | image | run [QEMU_EXTRA="..."]'
	@echo 'Test:    make test (test-unit, test-qemu, test-headers, test-config, test-matrix, test-format, test-hostscan, test-netpeer, test-fuzz)'
	@echo 'Bench:   make bench (figures under TCG and -icount)'
	@echo 'Fuzz:    make fuzz [FUZZ_TIME=seconds per target] (tests/fuzz)'
	@echo 'Config:  make menuconfig | defconfig | olddefconfig | savedefconfig'
	@echo '         make allnoconfig | allyesconfig | <name>_defconfig:'
	@echo '         $(DEFCONFIGS)'
	@echo 'Options: O=<dir> output directory (default build), V=1 verbose'
