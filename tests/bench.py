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

# Requests per random workload of the block benchmark (an eighth as many
# of 256 KiB for the sequential ones), each run by the driver domain and
# by the guest: both within the 20 s xsctl gives its guests. The guest's
# buffer is registered with its blkfront: over persistent grants, its
# requests reach the device in its own pages, as the driver domain's do. Under
# -icount the disk's host I/O takes no virtual time, but a wait for it
# with every vCPU blocked jumps the clock to the next timer: how many
# jumps depends on the host's I/O, so these figures are instructions
# plus those jumps (most of the time per request at queue depth 1) and
# do not repeat exactly. Under TCG 12000 (with 3000 the driver domain's
# own QD32 runs lasted ~40 ms, and single runs' QD32 read ratios spread
# from 57% to 95%; with 12000, 75-81%); under -icount 3000 (a request at
# queue depth 1 takes ~0.8 ms of virtual time there: 12000 would outlast
# the 20 s).
BLOCK_OPS = {"wall": 12000, "icount": 3000}

# Datagrams of each network stream. 2000 lasted 10-20 ms under TCG, less
# than the host's own hiccups: single runs' 1 KiB ratios spread from 44%
# to 132% (10 runs). 20000 last 100-200 ms each (a run takes ~9 s).
NET_PACKETS = 20000

# Domain configs of the restart benchmarks (absolute: os.path.join keeps
# them as they are).
DOMAINS = os.path.join(os.path.abspath(os.path.dirname(__file__)), "qemu",
                       "domains") + os.sep
SYSTEM = os.path.join(os.path.abspath(os.path.dirname(__file__)), "..",
                      "configs", "domains") + os.sep
# Benchmarks whose machine runs on: stopped at this line.
UNTIL = {"boot": r"control: \[ *[\d.]+ ms\] every device connected"}

# name, the modules (stubdom images and their command lines), CPUs, and
# the console lines that carry the figures.
BENCHES = [
    ("hypercall", ["bench.elf"], 1, r"^\(d0\) (bench: .*)$"),
    ("evtchn", ["toolstack.elf", "pingpong.elf role=a peer=2 rounds=2000",
                "pingpong.elf role=b peer=1 rounds=2000"], 2,
     r"^\(d1\) (pingpong: .*)$"),
    ("create", ["toolstack.elf", "spin.elf weight=256"], 1, None),
    ("grantcopy", ["toolstack.elf", "grantpeer.elf role=granter peer=2 "
                   "bench=4000", "grantpeer.elf role=mapper peer=1 "
                   "bench=4000"], 2, r"^\(d2\) (grantcopy: .*)$"),
    ("xenstore", ["xsctl.elf", "xenstored.elf", "xsclient.elf bench=2000"], 2,
     r"^\(d0\) \[xsclient\] (xenstore: .*)$"),
    ("network", ["xsctl.elf", "xenstored.elf",
                 "netdom.elf sbdf=16 netdom stream=%d size=1024 small=%d" % (
                     NET_PACKETS, NET_PACKETS),
                 "netguest.elf ip=21 peer=22 vif stream=%d size=1024 "
                 "small=%d" % (NET_PACKETS, NET_PACKETS),
                 "netguest.elf ip=22 peer=21 vif sink"], 2, "netstream"),
    ("block", ["xsctl.elf", "xenstored.elf",
               "blkdom.elf sbdf=24 blkdom bench={ops}",
               "blkguest.elf vbd=1:16384+16384 tag=1 bench={ops}"],
     2, "blockbench"),
    # The restart tests' systems (tests/qemu/domains): boot to every
    # device connected, then 20 crashes of the driver domain while the
    # guest's pings or writes go on.
    # The default system (configs/domains), as make run boots it: up to
    # every device connected.
    ("boot", ["control.elf", "xenstored.elf", "netdom.elf", "blkdom.elf",
              "netguest.elf", "blkguest.elf"] +
     [SYSTEM + c + ".cfg" for c in ("xenstore", "netdom", "blkdom", "guest1",
                                    "guest2")], 2, "restart"),
    ("restart-net", ["control.elf halt crash=netdom:20", "xenstored.elf",
                     "netdom.elf", "netguest.elf", DOMAINS + "xenstore.cfg",
                     DOMAINS + "netdom.cfg", DOMAINS + "netsurvivor.cfg"],
     2, "restart"),
    ("restart-blk", ["control.elf halt crash=blkdom:20", "xenstored.elf",
                     "blkdom.elf", "blkguest.elf", DOMAINS + "xenstore.cfg",
                     DOMAINS + "blkdom.cfg", DOMAINS + "blksurvivor.cfg"],
     2, "restart"),
]

# The host peer of the network benchmark: QEMU's gateway address, a sink.
PEERS = {"network": ["--ip", "10.0.2.2/24", "--mac", "52:55:0a:00:02:02",
                     "--sink", "9"]}
PEERS["boot"] = ["--ip", "10.0.2.2/24", "--mac", "52:55:0a:00:02:02"]
PEERS["restart-net"] = ["--ip", "10.0.2.2/24", "--mac", "52:55:0a:00:02:02",
                        "--sink", "9"]
# The peer stands for another machine on the wire: at the lowest
# priority it takes only what the machine under test leaves of the host's
# CPUs. Checking every frame of a stream costs it about a CPU, which the
# guest's path (a guest and the driver domain busy at once) would
# otherwise lose and the driver domain's own stream (one busy vCPU) not.
PEER_NICE = 19


def netstream(console):
    """The streams' lines, and the guest's throughput as a share of the
    driver domain's own through the same driver (per-packet times)."""
    lines = re.findall(r"^\(d0\) \[\w+\] (netstream: .*)$", console, re.M)
    lines += re.findall(r"^\(d0\) \[netdom\] netdom: (uplink stats: .*)$",
                        console, re.M)
    dd = dict(re.findall(r"driver domain sent \d+ x (\d+) bytes in \d+ us: "
                         r"(\d+) ns", console))
    guest = dict(re.findall(r"guest sent \d+ x (\d+) bytes to 10\.0\.2\.2 in "
                            r"\d+ us: (\d+) ns", console))
    for size in sorted(set(dd) & set(guest), key=int, reverse=True):
        if int(guest[size]) and int(dd[size]):
            lines.append("netstream: %s-byte datagrams: guest through "
                         "netback at %d%% of the driver domain's own rate "
                         "(%d against %d packets a second)" % (
                             size, 100 * int(dd[size]) // int(guest[size]),
                             10**9 // int(guest[size]),
                             10**9 // int(dd[size])))
    # Guest to guest: what the sender sent is not what the sink got (a
    # frame finding no posted buffer is dropped), so both are printed.
    sent = re.search(r"guest sent (\d+) x \d+ bytes to 10\.0\.2\.22 in "
                     r"(\d+) us", console)
    got = re.search(r"guest received (\d+) packets", console)
    if sent and got and int(sent.group(1)) and int(sent.group(2)):
        n, us, m = int(sent.group(1)), int(sent.group(2)), int(got.group(1))
        lines.append("netstream: guest to guest: %d of %d datagrams "
                     "received (%d%%), %d a second sent, %d a second "
                     "received" % (m, n, 100 * m // n, n * 10**6 // us,
                                   m * 10**6 // us))
    return lines


def blockbench(console, icount):
    """The block benchmark's lines, and per workload the guest's rate as
    a share of the driver domain's own through the same driver, with the
    time per request at queue depth 1. Under -icount the clock jumps over
    the time every CPU waits for QEMU's disk, so there the comparison is
    of the time some CPU was busy: instructions per request."""
    lines = re.findall(r"^\(d0\) \[\w+\] (blkbench: .*)$", console, re.M)
    figures = (r"blkbench: %s ([^:]+): \d+ ops in \d+ us: (\d+) ns per op"
               r"(?:, \d+ MB/s)?(?:, (\d+) ns busy per op)?")
    dd = {n: (t, b) for n, t, b in
          re.findall(figures % "driver domain", console)}
    guest = {n: (t, b) for n, t, b in re.findall(figures % "guest", console)}
    for name in [n for n in dd if n in guest]:
        if icount:
            g, d = guest[name][1], dd[name][1]
            if g and d and int(g):
                lines.append("blkbench: %s: %s instructions per request "
                             "through blkback, %s in the driver domain "
                             "alone (%d%%)" % (name, g, d,
                                                100 * int(d) // int(g)))
            continue
        g, d = int(guest[name][0]), int(dd[name][0])
        if not g or not d:
            continue
        lines.append("blkbench: %s: guest through blkback at %d%% of the "
                     "driver domain's own rate (%d against %d ns per "
                     "request)" % (name, 100 * d // g, g, d))
        if name.endswith(" QD1"):
            lines.append("blkbench: %s: latency %.1f us through blkback, "
                         "%.1f us in the driver domain" % (name, g / 1000,
                                                          d / 1000))
    return lines


def restart(console):
    """Boot to every device connected, the crash cycles' times (fault to
    every device connected again: median and worst of 20) and the gap
    the guest saw (its longest silence or stall)."""
    lines = []
    boot = re.search(r"^\(d0\) control: \[ *([\d.]+) ms\] every device "
                     r"connected$", console, re.M)
    if boot:
        lines.append("boot: every domain built and every device connected "
                     "%s ms after the control domain started" % boot.group(1))
    lines += re.findall(r"^\(d0\) control: (\w+ crashed \d+ times: .*)$",
                        console, re.M)
    rebuilt = sorted(int(t) for t in re.findall(
        r"^\(d0\) control: \w+ restarted .*: rebuilt in (\d+) us", console,
        re.M))
    if rebuilt:
        lines.append("of which destroying and rebuilding the domain: median "
                     "%d us, worst %d us" % (rebuilt[len(rebuilt) // 2],
                                             rebuilt[-1]))
    lines += re.findall(r"^\(d0\) \[survivor\] \w+: ((?:survived|streamed) "
                        r".*)$", console, re.M)
    return lines


def creation_time(console):
    """From the toolstack's "creating d1 at T0" to the domain's first
    words, "spin started at T1": both in system time."""
    t0 = re.search(r"^\(d0\) creating d1 at (\d+) ns$", console, re.M)
    t1 = re.search(r"^\(d1\) spin started at (\d+) ns$", console, re.M)
    if not t0 or not t1:
        return []
    return ["domain creation to its first instruction: %d us (the "
            "toolstack building from an ELF module, 4 MiB)"
            % ((int(t1.group(1)) - int(t0.group(1))) // 1000)]
ICOUNT = ["-icount", "shift=0,align=off,sleep=off"]


def run(build, out, name, images, cpus, pattern, extra, label, tag):
    disk = os.path.join(out, "disk.img")
    workdir = os.path.join(out, name + "-" + tag)
    peer, net = None, "user"
    with open(disk, "wb") as f:
        f.truncate(16 << 20)
    if name in PEERS:
        peer, net = qemu.peer_start(PEERS[name], workdir, nice=PEER_NICE)
    args = qemu.machine_args(disk, exit_port="0xf4", cpus=cpus,
                             net=net) + extra
    images = [i.replace("{ops}", str(BLOCK_OPS[tag])) for i in images]
    args += ["-kernel", os.path.join(build, "xen", "citadel.elf"),
             "-initrd", ",".join(os.path.join(build, "stubdom", i)
                                 for i in images)]
    try:
        result = qemu.boot(args, workdir, 300, until=UNTIL.get(name))
    finally:
        summary = qemu.peer_stop(peer) if peer else ""
    if pattern is None:
        lines = creation_time(result.console)
    elif pattern == "netstream":
        lines = netstream(result.console) + ([summary] if summary else [])
    elif pattern == "blockbench":
        lines = blockbench(result.console, ICOUNT[0] in extra)
    elif pattern == "restart":
        lines = restart(result.console)
    else:
        lines = [m.group(1) for m in (re.match(pattern, l)
                                      for l in result.console.splitlines())
                 if m]
    stopped = name in UNTIL and result.status == qemu.STILL_RUNNING
    if (result.status != qemu.EXIT_HALTED and not stopped) or not lines:
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
