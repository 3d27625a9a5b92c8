#!/usr/bin/python3
"""Boot Citadel in QEMU on the target machine.

The machine is DESIGN.md's: q35 with an Intel IOMMU, an e1000e NIC on
restricted user networking (no guest traffic leaves the machine; or, with
net=("dgram", P1, P2), on a loopback UDP link to tests/netpeer) and an
NVMe disk. Under TCG only: this host's KVM cannot run ring-0 code right.

  qemu.py run --iso X --disk D [--exit-port P] [-- EXTRA...]
      console on this terminal; exits when the hypervisor halts or the
      user quits (Ctrl-A X)

The test runner imports boot() from here: one boot, a hard timeout, the
console read through a socket chardev with a log file, QEMU killed by its
PID.
"""

import argparse
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time

QEMU = "qemu-system-x86_64"

# What the isa-debug-exit device makes of the hypervisor's exit codes:
# QEMU exits with (code << 1) | 1. Status 0 is a reset: a reboot, or a
# triple fault, never success.
EXIT_HALTED = 33
EXIT_PANIC = 35
EXIT_CONTROL_CRASHED = 37
EXIT_RESET = 0
STILL_RUNNING = "still running"


def netdev_arg(net):
    """The -netdev value for the NIC's backend, id net0. net is "user"
    (restricted user networking: nothing leaves the machine) or
    ("dgram", P1, P2): one Ethernet frame per UDP datagram between
    QEMU's 127.0.0.1:P1 and a peer's 127.0.0.1:P2 (tests/netpeer), on
    loopback only."""
    if net == "user":
        return "user,id=net0,restrict=on"
    if (isinstance(net, (tuple, list)) and len(net) == 3
            and net[0] == "dgram"
            and all(isinstance(p, int) and 0 < p < 65536 for p in net[1:])):
        return ("dgram,id=net0,local.type=inet,local.host=127.0.0.1,"
                "local.port=%d,remote.type=inet,remote.host=127.0.0.1,"
                "remote.port=%d" % (net[1], net[2]))
    raise ValueError("net: \"user\" or (\"dgram\", P1, P2), not %r"
                     % (net,))


def machine_args(disk, exit_port=None, memory="512M", cpus=2, pc=False,
                 cpu="max", board_opts="", net="user"):
    """The target machine; with pc, an i440FX PC instead (no IOMMU, no
    PCI Express, so no MCFG or DMAR table). cpu and board_opts (",..."
    after the machine type) vary the CPU model and the board; net the
    NIC's backend (netdev_arg())."""
    board = ["-machine", "pc" + board_opts] if pc else [
        "-machine", "q35" + board_opts, "-device", "intel-iommu"]
    args = [QEMU, "-accel", "tcg", "-cpu", cpu] + board + [
            "-m", memory, "-smp", str(cpus),
            "-netdev", netdev_arg(net),
            "-device", "e1000e,netdev=net0",
            "-drive", "file=%s,if=none,id=disk0,format=raw" % disk,
            "-device", "nvme,serial=citadel0,drive=disk0",
            "-display", "none", "-no-reboot"]
    if exit_port is not None:
        args += ["-device", "isa-debug-exit,iobase=%s,iosize=4" % exit_port]
    return args


def describe_status(status):
    return {EXIT_HALTED: "the hypervisor halted",
            STILL_RUNNING: "still running when the expected line came",
            EXIT_PANIC: "the hypervisor panicked",
            EXIT_CONTROL_CRASHED: "the control domain crashed",
            EXIT_RESET: "the machine reset (reboot, triple fault or quit)",
            None: "no exit before the timeout",
            }.get(status, "QEMU exited with status %s" % status)


class BootResult:
    def __init__(self, status, console, timed_out, seconds):
        self.status = status        # QEMU's exit status, None on timeout
        self.console = console      # everything the serial line carried
        self.timed_out = timed_out
        self.seconds = seconds


def _connect(path, proc, deadline):
    """QEMU creates the socket and waits (wait=on) until we connect."""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return None
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except (FileNotFoundError, ConnectionRefusedError):
            s.close()
            time.sleep(0.02)
    return None


def _console_text(data):
    return data.replace(b"\r", b"").decode("utf-8", "replace")


def _read_console(sock, proc, deadline, until, script, linger, data):
    """Read into data until QEMU closes the line or the deadline. script
    is a list of (regex, bytes): once a line matches the regex, the bytes
    are typed. After the script, stop at a line matching until, or linger
    seconds after the last keys. Returns whether QEMU was stopped that
    way."""
    script = list(script)
    stop_at = None
    sock.settimeout(0.1)
    while time.monotonic() < deadline:
        if stop_at and time.monotonic() > stop_at:
            return True
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            if proc.poll() is not None:
                break
            continue
        if not chunk:
            break
        data += chunk
        text = _console_text(data)
        while script and re.search(script[0][0], text, re.MULTILINE):
            sock.sendall(script.pop(0)[1])
            if not script and linger is not None:
                stop_at = time.monotonic() + linger
        if not script and until and re.search(until, text, re.MULTILINE):
            return True
    return False


def boot(args, workdir, timeout, until=None, script=(), linger=None):
    """Run QEMU with the console on the next -serial (COM1 unless args
    already hold -serial options), or on the device args give chardev
    con0 (a PCI serial card, say). Returns a BootResult; QEMU never
    outlives the call. until, script and linger: see _read_console; a
    machine stopped by them has status STILL_RUNNING."""
    os.makedirs(workdir, exist_ok=True)
    sock_path = os.path.join(workdir, "console.sock")
    log_path = os.path.join(workdir, "console.log")
    for p in (sock_path, log_path):
        if os.path.exists(p):
            os.unlink(p)
    on_device = any("chardev=con0" in a for a in args)
    args = args + [
        "-chardev", "socket,id=con0,path=%s,server=on,wait=on,logfile=%s"
        % (sock_path, log_path)] + (
        [] if on_device else ["-serial", "chardev:con0"]) + [
        "-monitor", "none"]
    with open(os.path.join(workdir, "qemu.cmd"), "w") as f:
        f.write(shlex.join(args) + "\n")
    start = time.monotonic()
    deadline = start + timeout
    with open(os.path.join(workdir, "qemu.stderr"), "wb") as err:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                stdout=err, stderr=err)
    try:
        sock = _connect(sock_path, proc, deadline)
        seen = False
        data = bytearray()
        if sock:
            with sock:
                seen = _read_console(sock, proc, deadline, until, script,
                                     linger, data)
        if seen:
            proc.kill()
        try:
            status = proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            status = None
        if seen:
            status = STILL_RUNNING
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    seconds = time.monotonic() - start
    # What came through the socket is what counts: QEMU 7.2 can write a
    # character twice to the log file when a socket write is retried.
    return BootResult(status, _console_text(data), status is None, seconds)


# The host-side peer of make run: 10.0.2.2 on the NIC's loopback link,
# answering ARP, ping and UDP echo (the demo guest1 talks to it).
RUN_PEER = ["--ip", "10.0.2.2/24", "--mac", "52:55:0a:00:02:02"]


def run(opts, extra):
    peer, net = None, "user"
    if not opts.no_peer:
        peer, net = peer_start(RUN_PEER, os.path.dirname(
            os.path.abspath(opts.disk)))
    args = machine_args(opts.disk, opts.exit_port, net=net)
    args += ["-cdrom", opts.iso, "-boot", "d", "-serial", "mon:stdio"]
    args += extra
    print("+ " + shlex.join(args), flush=True)
    try:
        status = subprocess.call(args)
    except KeyboardInterrupt:
        status = "interrupted"
    finally:
        summary = peer_stop(peer) if peer else ""
    print("\nqemu: %s" % (status if status == "interrupted"
                          else describe_status(status)))
    if summary:
        print(summary)
    return 0 if status in (EXIT_HALTED, EXIT_RESET) else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="boot the ISO, console on this terminal")
    r.add_argument("--iso", required=True)
    r.add_argument("--disk", required=True)
    r.add_argument("--exit-port")
    r.add_argument("--no-peer", action="store_true",
                   help="restricted user networking instead of the "
                   "host-side peer on loopback")
    r.add_argument("extra", nargs="*", help="more QEMU options, after --")
    opts = ap.parse_args()
    extra = []
    for e in opts.extra:
        extra += shlex.split(e)
    return run(opts, extra)



def _free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def peer_start(options, workdir, nice=0):
    """tests/netpeer/netpeer.py on loopback with these options, for the
    machine's NIC: (process, net) where net goes to machine_args(). With
    nice, the peer runs at that lower priority."""
    os.makedirs(workdir, exist_ok=True)
    qport = _free_udp_port()
    peer = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "tests", "netpeer", "netpeer.py")
    proc = subprocess.Popen(
        [sys.executable, peer, "--qemu-port", str(qport), "--port", "0",
         "--log", os.path.join(workdir, "netpeer.log")] + list(options),
        stdout=subprocess.PIPE, text=True,
        preexec_fn=(lambda: os.nice(nice)) if nice else None)
    line = proc.stdout.readline()
    m = re.match(r"netpeer: listening on 127\.0\.0\.1:(\d+)", line)
    if not m:
        proc.kill()
        raise RuntimeError("netpeer did not start: %r" % line)
    return proc, ("dgram", qport, int(m.group(1)))


def peer_stop(proc):
    """Stop the peer; its summary line ("" if it printed none)."""
    proc.send_signal(signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    lines = [l for l in out.splitlines() if l.startswith("netpeer:")]
    return lines[-1] if lines else ""


if __name__ == "__main__":
    sys.exit(main())
