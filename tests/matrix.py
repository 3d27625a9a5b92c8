#!/usr/bin/python3
"""Build every configuration given (a configs/*_defconfig name,
allnoconfig or allyesconfig), each in its own output directory, two at a
time, so that no option rots.

usage: matrix.py --out DIR CONFIG...
"""

import argparse
import concurrent.futures
import os
import subprocess
import sys
import time


def build(out, config):
    odir = os.path.join(out, config)
    log = os.path.join(odir, "build.log")
    os.makedirs(odir, exist_ok=True)
    start = time.monotonic()
    with open(log, "w") as f:
        ok = all(subprocess.run(["make", "--no-print-directory", "O=" + odir]
                                + goals, stdout=f, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL).returncode == 0
                 for goals in ([config], ["xen", "image"]))
    return config, ok, time.monotonic() - start, log


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("configs", nargs="+")
    opts = ap.parse_args()
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for config, ok, secs, log in pool.map(lambda c: build(opts.out, c),
                                              opts.configs):
            print("%s %-22s %5.1f s" % ("PASS" if ok else "FAIL", config,
                                        secs))
            if ok:
                passed += 1
                continue
            failed += 1
            with open(log) as f:
                for line in f.read().splitlines()[-20:]:
                    print("     | " + line)
    print("matrix: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
