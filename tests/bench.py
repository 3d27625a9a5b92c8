#!/usr/bin/python3
"""make bench: the benchmarks, printing figures (not pass/fail).

Each benchmark domain runs twice on the target machine: under plain TCG
(wall-clock figures) and under -icount shift=0,align=off,sleep=off, where
the domain's clock counts one nanosecond per instruction, so the same
figures are instruction counts and repeat exactly from run to run.

usage: bench.py --build DIR --out DIR
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
import qemu  # noqa: E402

# name, the modules (stubdom images and their command lines), CPUs, and
# the console lines that carry the figures.
BENCHES = [
    ("hypercall", ["bench.elf"], 1, r"^\(d0\) (bench: .*)$"),
    ("evtchn", ["toolstack.elf", "pingpong.elf role=a peer=2 rounds=2000",
                "pingpong.elf role=b peer=1 rounds=2000"], 2,
     r"^\(d1\) (pingpong: .*)$"),
]
ICOUNT = ["-icount", "shift=0,align=off,sleep=off"]


def run(build, out, name, images, cpus, pattern, extra, label, tag):
    disk = os.path.join(out, "disk.img")
    with open(disk, "wb") as f:
        f.truncate(16 << 20)
    args = qemu.machine_args(disk, exit_port="0xf4", cpus=cpus) + extra
    args += ["-kernel", os.path.join(build, "xen", "citadel.elf"),
             "-initrd", ",".join(os.path.join(build, "stubdom", i)
                                 for i in images)]
    result = qemu.boot(args, os.path.join(out, name + "-" + tag), 300)
    lines = [m.group(1) for m in (re.match(pattern, l)
                                  for l in result.console.splitlines()) if m]
    if result.status != qemu.EXIT_HALTED or not lines:
        print("%-10s %-22s no figures (%s)" % (name, label,
              qemu.describe_status(result.status)))
        return False
    for line in lines:
        print("%-10s %-22s %s" % (name, label, line))
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--out", required=True)
    opts = ap.parse_args()
    os.makedirs(opts.out, exist_ok=True)
    ok = True
    for name, images, cpus, pattern in BENCHES:
        ok &= run(opts.build, opts.out, name, images, cpus, pattern, [],
                  "wall (TCG, ns)", "wall")
        ok &= run(opts.build, opts.out, name, images, cpus, pattern, ICOUNT,
                  "icount (instructions)", "icount")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
