# The boot image and running it in QEMU.

IMAGE := $(O)/citadel.iso
DISK := $(O)/disk.img
DISK_SIZE ?= 64M
# The build's own configuration rides along as a module, so a booted host
# can tell what it was built from.
CONFIG_MODULE := $(O)/boot/citadel.config
# The control domain first (the hypervisor builds it from the first
# module), then every kernel the bundled domain configs name, then the
# configs.
DOMAIN_CFGS := $(foreach c,$(subst ",,$(CONFIG_DOMAIN_CONFIGS)), \
	configs/domains/$(c).cfg)
DOMAIN_KERNELS := $(addprefix $(STUB_OUT)/,$(sort $(foreach c,$(DOMAIN_CFGS), \
	$(shell sed -n 's/^kernel *= *["'"'"']\([^"'"'"']*\)["'"'"'].*/\1/p' $(c)))))
IMAGE_MODULES ?= $(STUB_OUT)/control.elf $(DOMAIN_KERNELS) $(DOMAIN_CFGS) \
	$(CONFIG_MODULE)
QEMU_EXTRA ?=

image: $(IMAGE)

$(CONFIG_MODULE): $(AUTO_CONF)
	@mkdir -p $(@D)
	$(Q)cp $(KCONFIG_CONFIG) $@

$(IMAGE): $(XEN_ELF) tools/mkimage.sh $(IMAGE_MODULES) $(AUTO_CONF)
	@echo "  IMAGE   $@"
	$(Q)tools/mkimage.sh -o $@ -k $(XEN_ELF) -c $(CONFIG_IMAGE_CMDLINE) \
		-t $(CONFIG_IMAGE_TIMEOUT) \
		-s $(CONFIG_SERIAL_PORT),$(CONFIG_SERIAL_BAUD) $(IMAGE_MODULES)

$(DISK):
	@mkdir -p $(@D)
	$(Q)truncate -s $(DISK_SIZE) $@

run: $(IMAGE) $(DISK)
	$(Q)$(PYTHON) tools/qemu.py run --iso $(IMAGE) --disk $(DISK) \
		$(if $(CONFIG_TEST_EXIT),--exit-port $(CONFIG_TEST_EXIT_PORT)) \
		-- $(QEMU_EXTRA)
