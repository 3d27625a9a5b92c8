#!/usr/bin/python3
"""The configuration front end: every target works, and a broken
configuration stops the build with kconfiglib's message before anything
is compiled.

usage: config_test.py --out DIR
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys


class Tree:
    def __init__(self, out, name):
        self.dir = os.path.join(out, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.config = os.path.join(self.dir, ".config")

    def make(self, *goals):
        p = subprocess.run(["make", "--no-print-directory", "O=" + self.dir]
                           + list(goals), capture_output=True, text=True,
                           stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout + p.stderr

    def options(self):
        with open(self.config) as f:
            return {l.split("=", 1)[0]: l.split("=", 1)[1].strip()
                    for l in f if l.startswith("CONFIG_")}

    def objects(self):
        return glob.glob(os.path.join(self.dir, "xen", "**", "*.o"),
                         recursive=True)

    def edit(self, old, new):
        with open(self.config) as f:
            text = f.read()
        assert old in text, old
        with open(self.config, "w") as f:
            f.write(text.replace(old, new))


def check_broken(out, name, old, new, message):
    t = Tree(out, name)
    rc, _ = t.make("qemu_defconfig")
    assert rc == 0
    t.edit(old, new)
    rc, log = t.make("xen")
    assert rc != 0, "a broken .config built"
    assert message in log, "no %r in:\n%s" % (message, log)
    assert not t.objects(), "objects were built: %s" % t.objects()


def test_bad_value(out):
    check_broken(out, "bad-value", "CONFIG_SERIAL_BAUD=115200",
                 "CONFIG_SERIAL_BAUD=fast",
                 "the value 'fast' is invalid for SERIAL_BAUD")


def test_out_of_range(out):
    check_broken(out, "out-of-range", "CONFIG_NR_CPUS=8",
                 "CONFIG_NR_CPUS=100000", "NR_CPUS")


def test_malformed_line(out):
    check_broken(out, "malformed", "CONFIG_NR_CPUS=8",
                 "CONFIG_NR_CPUS=8\nthis is not a config line",
                 "ignoring malformed line")


def test_unknown_symbol(out):
    check_broken(out, "unknown", "CONFIG_NR_CPUS=8",
                 "CONFIG_NR_CPUS=8\nCONFIG_NO_SUCH_OPTION=y",
                 "NO_SUCH_OPTION")


def test_defconfig_rot_detected(out):
    """A defconfig setting an option its dependencies forbid is an error."""
    t = Tree(out, "rot")
    bad = os.path.join(t.dir, "rotten_defconfig")
    with open(bad, "w") as f:
        f.write("# CONFIG_ASSERTIONS is not set\nCONFIG_ASSERT_PANIC=y\n")
    rc, log = t.make("defconfig", "DEFCONFIG=" + bad)
    assert rc != 0 and "ASSERT_PANIC cannot be y" in log, log
    assert not os.path.exists(t.config)


def test_defconfig_is_qemu(out):
    t = Tree(out, "defconfig")
    assert t.make("defconfig")[0] == 0
    o = t.options()
    assert o["CONFIG_TEST_EXIT"] == "y" and o["CONFIG_DEBUG"] == "y", o


def test_hardened(out):
    t = Tree(out, "hardened")
    assert t.make("hardened_defconfig")[0] == 0
    o = t.options()
    for sym in ("CONFIG_TEST_EXIT", "CONFIG_DEBUG", "CONFIG_ASSERT_PANIC"):
        assert sym not in o, sym
    assert o["CONFIG_ASSERTIONS"] == "y"


def test_all_no_yes(out):
    t = Tree(out, "allno")
    assert t.make("allnoconfig")[0] == 0
    assert not any(v == "y" for k, v in t.options().items()
                   if k != "CONFIG_PANIC_HALT"), t.options()
    t = Tree(out, "allyes")
    assert t.make("allyesconfig")[0] == 0
    o = t.options()
    for sym in ("CONFIG_DEBUG", "CONFIG_SELFTEST", "CONFIG_ASSERT_PANIC",
                "CONFIG_TEST_EXIT"):
        assert o.get(sym) == "y", sym


def test_savedefconfig_round_trip(out):
    t = Tree(out, "save")
    assert t.make("hardened_defconfig")[0] == 0
    before = t.options()
    assert t.make("savedefconfig")[0] == 0
    saved = os.path.join(t.dir, "defconfig")
    os.remove(t.config)
    shutil.copy(saved, os.path.join(t.dir, "saved_defconfig"))
    rc, log = t.make("olddefconfig")
    assert rc != 0, "olddefconfig without a .config succeeded"
    shutil.copy(saved, t.config)
    assert t.make("olddefconfig")[0] == 0
    assert t.options() == before


def test_missing_config_uses_default(out):
    t = Tree(out, "missing")
    rc, log = t.make("xen")
    assert rc == 0, log
    assert "using configs/qemu_defconfig" in log, log
    assert os.path.exists(os.path.join(t.dir, "xen", "citadel.elf"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    opts = ap.parse_args()
    tests = [v for k, v in sorted(globals().items()) if k.startswith("test_")]
    passed = failed = 0
    for test in tests:
        try:
            test(opts.out)
            passed += 1
            print("PASS %s" % test.__name__)
        except AssertionError as e:
            failed += 1
            print("FAIL %s: %s" % (test.__name__, e))
    print("config: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
