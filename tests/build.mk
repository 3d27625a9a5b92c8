# make test: host unit tests, QEMU boot tests, the configuration build
# matrix and the format check. Each prints its own summary line; any
# failure fails the target.

TEST_OUT := $(O)/tests

# ---- Host unit tests: the real sources on a fake arch, sanitized ----------

UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -include tests/unit/config.h \
	-include xen/include/xen/compiler.h -Ixen/include -Itests/unit
UNIT_PRINTK := xen/common/printk.c xen/common/console.c \
	xen/common/vsnprintf.c xen/common/cmdline.c tests/unit/fake_arch.c

unit-fmt := xen/common/vsnprintf.c
unit-cmdline := $(UNIT_PRINTK)
unit-multiboot := $(UNIT_PRINTK) xen/common/multiboot.c xen/common/bootinfo.c

UNIT_TESTS := fmt cmdline multiboot
UNIT_BINS := $(addprefix $(TEST_OUT)/unit/test_,$(UNIT_TESTS))

$(TEST_OUT)/unit/test_%: tests/unit/test_%.c $(DEPS_STAMP) \
		tests/unit/fake_arch.h tests/unit/config.h
	@echo "  HOSTCC  $@"
	@mkdir -p $(@D)
	$(Q)$(CC) $(UNIT_CFLAGS) -MMD -MP -o $@ $< $(unit-$*) -lcmocka

# Each program's unit-<name> sources are listed above.
$(foreach t,$(UNIT_TESTS),$(eval $(TEST_OUT)/unit/test_$(t): $(unit-$(t))))

test-unit: $(UNIT_BINS)
	$(Q)fail=0; for t in $(UNIT_BINS); do \
		$$t || fail=1; \
	done; exit $$fail

-include $(UNIT_BINS:=.d)

# ---- QEMU boot tests, on their own build of qemu_defconfig ----------------

QTEST_O := $(TEST_OUT)/qemu-build
QTEST_TIMEOUT ?= 60

test-qemu: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory O=$(QTEST_O) qemu_defconfig >/dev/null
	$(Q)$(MAKE) --no-print-directory O=$(QTEST_O) xen
	$(Q)$(PYTHON) tests/qemu/run.py --build $(QTEST_O) \
		--out $(TEST_OUT)/qemu --timeout $(QTEST_TIMEOUT)

# ---- Every defconfig, allnoconfig and allyesconfig must build -------------

MATRIX := $(DEFCONFIGS) allnoconfig allyesconfig

test-matrix: $(DEPS_STAMP)
	$(Q)$(PYTHON) tests/matrix.py --out $(TEST_OUT)/matrix $(MATRIX)

# ---- All C is formatted by .clang-format -----------------------------------

test-format: $(DEPS_STAMP)
	$(Q)clang-format --dry-run --Werror $(C_SOURCES) && \
		echo "format: $(words $(C_SOURCES)) passed, 0 failed"

test: test-unit test-qemu test-matrix test-format
