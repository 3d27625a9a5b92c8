# make test: host unit tests, QEMU boot tests, the configuration build
# matrix and the format check. Each prints its own summary line; any
# failure fails the target.

TEST_OUT := $(O)/tests
# The Python runners start make themselves, outside this make's job server.
TEST_PY := env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $(PYTHON)

# ---- Host unit tests: the real sources on a fake arch, sanitized ----------

UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -include tests/unit/config.h \
	-include xen/include/xen/compiler.h -Ixen/include \
	-Ixen/arch/x86/include -Itests/unit
UNIT_PRINTK := xen/common/printk.c xen/common/console.c xen/common/console-tx.c \
	xen/common/vsnprintf.c xen/common/cmdline.c tests/unit/fake_arch.c

unit-fmt := xen/common/vsnprintf.c
unit-cmdline := $(UNIT_PRINTK)
unit-multiboot := $(UNIT_PRINTK) xen/common/multiboot.c xen/common/bootinfo.c
unit-memrange := xen/common/memrange.c
unit-page_alloc := $(UNIT_PRINTK) xen/common/page_alloc.c
unit-acpi := $(UNIT_PRINTK) $(wildcard xen/drivers/acpi/*.c)
unit-timer_queue := xen/common/timer_queue.c
# timer.c masks interrupts and asks which CPU it runs on: tests/unit/shadow
# has host versions of those two headers.
unit-timer := xen/common/timer.c xen/common/timer_queue.c
$(TEST_OUT)/unit/test_timer: UNIT_CFLAGS := -Itests/unit/shadow $(UNIT_CFLAGS)
unit-locks := -lpthread
unit-elf := xen/common/elf.c xen/common/vsnprintf.c
unit-sched := $(UNIT_PRINTK) xen/common/sched_core.c -lpthread
unit-evtchn := xen/common/event_channel.c tests/unit/fake_evtchn.c -lpthread
unit-policy := xen/common/policy.c
unit-ratelimit := xen/common/ratelimit.c
unit-nvme := driverdom/nvme_prp.c driverdom/nvme_io.c
$(TEST_OUT)/unit/test_nvme: UNIT_CFLAGS += -Idriverdom/include -Istubdom/include
unit-pci := $(UNIT_PRINTK) $(addprefix xen/drivers/pci/,alias.c bar.c cap.c \
	conf.c dev.c print.c scan.c)
unit-xenstore := $(addprefix stubdom/xenstore/,blob.c outq.c perms.c path.c \
	store.c tree.c txn.c watch.c domain.c proto.c request.c) \
	xen/common/vsnprintf.c tests/unit/fake_xs_env.c
unit-xenbus := stubdom/lib/xenbus.c $(addprefix stubdom/xenstore/,blob.c \
	outq.c perms.c path.c store.c tree.c txn.c watch.c domain.c proto.c \
	request.c) xen/common/vsnprintf.c tests/unit/fake_xs_env.c
unit-net := $(addprefix stubdom/net/,eth.c arp.c ipv4.c icmp.c udp.c csum.c)
unit-netfront := stubdom/lib/netfront.c stubdom/lib/xenbus_front.c $(unit-xenbus)
unit-blkfront := stubdom/lib/blkfront.c stubdom/lib/blkfront_io.c \
	stubdom/lib/xenbus_front.c \
	$(unit-xenbus)
unit-netback := $(addprefix netback/,vif.c tx.c rx.c switch.c rate.c csum.c)
unit-netdom := driverdom/netdom_vifs.c $(unit-netback) $(unit-netfront)
$(TEST_OUT)/unit/test_netdom: UNIT_CFLAGS += -Idriverdom/include \
	-Inetback/include -Istubdom/include
unit-blkback := $(addprefix blkback/,vbd.c take.c io.c copy.c persist.c check.c \
	gpt.c crc32.c target.c xenbus.c) $(unit-xenbus)
$(TEST_OUT)/unit/test_blkback: UNIT_CFLAGS += -Istubdom/include
unit-shell := $(addprefix stubdom/control/,shell.c shell_cmds.c shell_fmt.c) \
	xen/common/vsnprintf.c
$(TEST_OUT)/unit/test_shell: UNIT_CFLAGS += -Istubdom/control
# The control domain's domain configs; the test reads configs/domains too.
unit-cfg := stubdom/control/cfg_parse.c stubdom/control/cfg_check.c \
	xen/common/vsnprintf.c
$(TEST_OUT)/unit/test_cfg: UNIT_CFLAGS += -Istubdom/control \
	-DCFG_DOMAINS_DIR=\"$(CURDIR)/configs/domains\"

UNIT_TESTS := fmt cmdline multiboot memrange page_alloc acpi timer_queue timer \
	locks elf \
	sched evtchn policy pci xenstore xenbus net ratelimit netfront netback netdom \
	blkback
UNIT_TESTS += nvme
UNIT_TESTS += blkfront
UNIT_TESTS += shell
UNIT_TESTS += cfg
UNIT_BINS := $(addprefix $(TEST_OUT)/unit/test_,$(UNIT_TESTS))

$(TEST_OUT)/unit/test_%: tests/unit/test_%.c $(DEPS_STAMP) \
		tests/unit/fake_arch.h tests/unit/config.h
	@echo "  HOSTCC  $@"
	@mkdir -p $(@D)
	$(Q)$(CC) $(UNIT_CFLAGS) -o $@ $< $(unit-$*) -lcmocka
	$(Q)$(CC) $(UNIT_CFLAGS) -MM -MP -MT $@ $< $(unit-$*) > $@.d

# Each program's unit-<name> sources are listed above. Its .d names the
# headers of every one of them (-MMD with several sources kept only the
# last one's, so a header the test itself included rebuilt nothing).
$(foreach t,$(UNIT_TESTS),$(eval $(TEST_OUT)/unit/test_$(t): $(unit-$(t))))

# cmocka prints each program's summary; the last line adds them up.
test-unit: $(UNIT_BINS)
	$(Q)pass=0; fail=0; for t in $(UNIT_BINS); do \
		$$t > $$t.log 2>&1; rc=$$?; cat $$t.log; \
		p=$$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' $$t.log); \
		f=$$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' $$t.log); \
		[ $$rc -eq 0 ] || [ -n "$$f" ] || f=1; \
		pass=$$((pass + $${p:-0})); fail=$$((fail + $${f:-0})); \
	done; echo "unit: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]

-include $(UNIT_BINS:=.d)

# ---- QEMU boot tests, on their own build of qemu_defconfig ----------------

QTEST_CONFIGS := qemu hardened
QTEST_TIMEOUT ?= 60

test-qemu: $(DEPS_STAMP)
	$(Q)for c in $(QTEST_CONFIGS); do \
		$(MAKE) --no-print-directory O=$(TEST_OUT)/$$c-build \
			$${c}_defconfig >/dev/null && \
		$(MAKE) --no-print-directory O=$(TEST_OUT)/$$c-build xen \
			stubdom || exit 1; \
	done
	$(Q)$(TEST_PY) tests/qemu/run.py --out $(TEST_OUT)/qemu \
		$(foreach c,$(QTEST_CONFIGS),--$(c)-build $(TEST_OUT)/$(c)-build) \
		--timeout $(QTEST_TIMEOUT)

# ---- Benchmarks (make bench): figures, not pass/fail; not part of test ----

bench: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory O=$(TEST_OUT)/qemu-build \
		qemu_defconfig >/dev/null
	$(Q)$(MAKE) --no-print-directory O=$(TEST_OUT)/qemu-build xen stubdom \
		>/dev/null
	$(Q)$(TEST_PY) tests/bench.py --build $(TEST_OUT)/qemu-build \
		--out $(TEST_OUT)/bench

# ---- The public ABI headers stand alone, as C99 and as C++ ------------------

test-headers: $(DEPS_STAMP)
	$(Q)bash tests/headers_check.sh | grep -v '^PASS'

# ---- The configuration front end, broken configurations included ----------

test-config: $(DEPS_STAMP)
	$(Q)$(TEST_PY) tests/config_test.py --out $(TEST_OUT)/config

# ---- The network test peer, against a fake QEMU on loopback ---------------

.PHONY: test-netpeer
test-netpeer: $(DEPS_STAMP)
	$(Q)$(TEST_PY) tests/netpeer/test_netpeer.py

# ---- Fuzzing: libFuzzer targets on the host (tests/fuzz), sanitized -------
#
# make fuzz runs each target FUZZ_TIME seconds on a corpus kept in the
# build directory; what it finds is written next to it. make test runs
# each one on its seeds (tests/fuzz/corpus/<target>: inputs that broke
# it once), then FUZZ_RUNS more inputs from a fixed seed, or as many as
# FUZZ_SMOKE_TIME seconds take (the hypervisor's targets are slower).

FUZZ_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -D_GNU_SOURCE -include tests/unit/config.h \
	-include xen/include/xen/compiler.h -Ixen/include \
	-Ixen/arch/x86/include -Itests/unit
FUZZ_TIME ?= 300
FUZZ_RUNS ?= 100000
FUZZ_SMOKE_TIME ?= 8

fuzz-blkback := $(addprefix blkback/,vbd.c take.c io.c copy.c persist.c \
	check.c)
fuzz-gpt := $(addprefix blkback/,gpt.c crc32.c target.c)
fuzz-elf := xen/common/elf.c xen/common/vsnprintf.c
fuzz-netback := $(addprefix netback/,vif.c tx.c rx.c switch.c rate.c csum.c)
fuzz-evtchn := xen/common/event_channel.c tests/unit/fake_evtchn.c
fuzz-gnttab := xen/common/grant_table.c xen/common/page_alloc.c $(UNIT_PRINTK)
fuzz-cfg := stubdom/control/cfg_parse.c stubdom/control/cfg_check.c \
	xen/common/vsnprintf.c
fuzz-xenstore := $(unit-xenstore)

FUZZ_TARGETS := blkback gpt elf xenstore netback cfg evtchn gnttab
FUZZ_DIR := $(TEST_OUT)/fuzz
FUZZ_BINS := $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_TARGETS))
# Its copies reach frames through a table: tests/fuzz/shadow/asm/page.h.
$(FUZZ_DIR)/fuzz_gnttab: FUZZ_CFLAGS := -Itests/fuzz/shadow $(FUZZ_CFLAGS)

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(DEPS_STAMP)
	@echo "  FUZZCC  $@"
	@mkdir -p $(@D)
	$(Q)clang $(FUZZ_CFLAGS) -o $@ $< $(fuzz-$*)
	$(Q)clang $(FUZZ_CFLAGS) -MM -MP -MT $@ $< $(fuzz-$*) > $@.d
$(foreach t,$(FUZZ_TARGETS),$(eval $(FUZZ_DIR)/fuzz_$(t): $(fuzz-$(t))))
-include $(FUZZ_BINS:=.d)

fuzz: $(FUZZ_BINS)
	$(Q)for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/found/$$t; \
		echo "==== fuzz_$$t: $(FUZZ_TIME) s"; \
		$(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_TIME) \
			-artifact_prefix=$(FUZZ_DIR)/found/$$t/ \
			$(FUZZ_DIR)/corpus/$$t $$([ -d tests/fuzz/corpus/$$t ] \
			&& echo tests/fuzz/corpus/$$t) \
			2>&1 | grep -E '^Done|^SUMMARY|does not hold|^==[0-9]+=='; \
		[ $${PIPESTATUS[0]} -eq 0 ] || exit 1; \
	done

test-fuzz: $(FUZZ_BINS)
	$(Q)pass=0; fail=0; for t in $(FUZZ_TARGETS); do \
		rm -rf $(FUZZ_DIR)/smoke/$$t; mkdir -p $(FUZZ_DIR)/smoke/$$t; \
		seeds=; [ -d tests/fuzz/corpus/$$t ] && seeds=tests/fuzz/corpus/$$t; \
		if $(FUZZ_DIR)/fuzz_$$t -runs=$(FUZZ_RUNS) -seed=1 \
			-max_total_time=$(FUZZ_SMOKE_TIME) \
			-artifact_prefix=$(FUZZ_DIR)/fuzz_$$t- \
			$(FUZZ_DIR)/smoke/$$t $$seeds \
			> $(FUZZ_DIR)/fuzz_$$t.log 2>&1; then \
			pass=$$((pass + 1)); echo "PASS fuzz_$$t"; \
		else \
			fail=$$((fail + 1)); tail -30 $(FUZZ_DIR)/fuzz_$$t.log; \
			echo "FAIL fuzz_$$t"; \
		fi; \
	done; echo "fuzz: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]

# ---- Every defconfig, allnoconfig and allyesconfig must build -------------

MATRIX := $(DEFCONFIGS) allnoconfig allyesconfig

test-matrix: $(DEPS_STAMP)
	$(Q)$(TEST_PY) tests/matrix.py --out $(TEST_OUT)/matrix $(MATRIX)

# ---- All C is formatted by .clang-format -----------------------------------

test-format: $(DEPS_STAMP)
	$(Q)clang-format --dry-run --Werror $(C_SOURCES) && \
		echo "format: $(words $(C_SOURCES)) passed, 0 failed"

# Every part runs even when an earlier one fails; the target fails if any did.
TEST_PARTS := test-unit test-qemu test-headers test-config test-matrix \
	test-format test-hostscan test-netpeer test-fuzz

# The last line sums the parts' summaries; a part that failed without
# counting its failures (a build error, say) counts as one.
test:
	$(Q)mkdir -p $(TEST_OUT); nfail=0; failed=; for t in $(TEST_PARTS); do \
		echo "==== $$t"; \
		$(MAKE) --no-print-directory $$t 2>&1 | tee $(TEST_OUT)/$$t.log; \
		[ $${PIPESTATUS[0]} -eq 0 ] && continue; \
		failed="$$failed $$t"; \
		grep -Eq '^[a-z]+: [0-9]+ passed, [1-9][0-9]* failed$$' \
			$(TEST_OUT)/$$t.log || nfail=$$((nfail + 1)); \
	done; \
	[ -z "$$failed" ] || echo "==== failed:$$failed"; \
	cat $(addprefix $(TEST_OUT)/,$(addsuffix .log,$(TEST_PARTS))) | awk \
		-v extra=$$nfail \
		'/^[a-z]+: [0-9]+ passed, [0-9]+ failed$$/ { p += $$2; f += $$4 } \
		END { printf "total: %d passed, %d failed\n", p, f + extra }'; \
	[ -z "$$failed" ]
