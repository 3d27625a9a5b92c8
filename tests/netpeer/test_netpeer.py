#!/usr/bin/python3
"""The network test peer (netpeer.py) against a fake QEMU: a UDP socket on
loopback that sends raw Ethernet frames, one per datagram, as QEMU's
dgram netdev does, and checks each reply byte for byte. The expected
frames are built here from the protocol specs (with this file's own
checksum), not with netpeer's helpers.

Prints "netpeer: N passed, M failed" last; exits non-zero on a failure.
"""

import os
import random
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "netpeer.py")

PEER_MAC = bytes.fromhex("020000000301")
PEER_IP = bytes([10, 0, 3, 1])
GUEST_MAC = bytes.fromhex("02163e000002")
GUEST_IP = bytes([10, 0, 3, 2])
BCAST = b"\xff" * 6


def cksum(data, init=0):
    s = init
    for i in range(0, len(data), 2):
        s += data[i] << 8 | (data[i + 1] if i + 1 < len(data) else 0)
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def pad(frame):
    return frame + bytes(max(0, 60 - len(frame)))


def ipv4(src, dst, proto, payload, ident=0, flags=0x4000, ttl=64):
    h = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload),
                              ident, flags, ttl, proto, 0, src, dst))
    h[10:12] = struct.pack("!H", cksum(bytes(h)))
    return bytes(h) + payload


def eth(dst, src, etype, payload):
    return pad(dst + src + struct.pack("!H", etype) + payload)


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + spa + tha + tpa


def icmp_echo(typ, ident, seq, data):
    m = bytearray(struct.pack("!BBHHH", typ, 0, 0, ident, seq) + data)
    m[2:4] = struct.pack("!H", cksum(bytes(m)))
    return bytes(m)


def udp(src, dst, sport, dport, data):
    n = 8 + len(data)
    u = bytearray(struct.pack("!HHHH", sport, dport, n, 0) + data)
    ph = src + dst + struct.pack("!BBH", 0, 17, n)
    c = cksum(ph + bytes(u))
    u[6:8] = struct.pack("!H", c or 0xffff)
    return bytes(u)


class Peer:
    """netpeer.py in a subprocess, with the fake QEMU's socket."""

    def __init__(self, *args):
        self.qemu = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.qemu.bind(("127.0.0.1", 0))
        self.qemu.settimeout(2.0)
        self.dir = tempfile.TemporaryDirectory()
        self.log = os.path.join(self.dir.name, "peer.log")
        self.proc = subprocess.Popen(
            [sys.executable, PEER, "--qemu-port",
             str(self.qemu.getsockname()[1]), "--log", self.log] +
            list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("netpeer: listening on 127.0.0.1:"):
            self.proc.kill()
            raise AssertionError("peer did not start: %r %r" %
                                 (line, self.proc.stderr.read()))
        self.addr = ("127.0.0.1", int(line.rsplit(":", 1)[1]))

    def send(self, frame):
        self.qemu.sendto(frame, self.addr)

    def recv(self, timeout=2.0):
        self.qemu.settimeout(timeout)
        data, addr = self.qemu.recvfrom(65536)
        assert addr == self.addr, addr
        return data

    def nothing(self, wait=0.3):
        self.qemu.settimeout(wait)
        try:
            data = self.qemu.recvfrom(65536)[0]
        except socket.timeout:
            return True
        raise AssertionError("unexpected frame %s" % data.hex())

    def stop(self):
        """SIGTERM; the output after the listening line, and the status."""
        self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=5)
        self.qemu.close()
        with open(self.log) as f:
            self.log_text = f.read()
        self.dir.cleanup()
        return out, err, self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


class NetPeerTest(unittest.TestCase):
    def setUp(self):
        self.peer = None

    def tearDown(self):
        if self.peer:
            self.peer.kill()

    def start(self, *args):
        self.peer = Peer(*args)
        return self.peer

    def summary(self):
        out, err, rc = self.peer.stop()
        self.assertEqual(rc, 0, err)
        lines = out.strip().splitlines()
        self.assertTrue(lines and lines[-1].startswith("netpeer: rx "), out)
        return lines[-1]

    def arp_for_peer(self, p):
        p.send(eth(BCAST, GUEST_MAC, 0x0806,
                   arp(1, GUEST_MAC, GUEST_IP, bytes(6), PEER_IP)))
        return p.recv()

    def test_arp_reply(self):
        p = self.start()
        got = self.arp_for_peer(p)
        want = eth(GUEST_MAC, PEER_MAC, 0x0806,
                   arp(2, PEER_MAC, PEER_IP, GUEST_MAC, GUEST_IP))
        self.assertEqual(got.hex(), want.hex())
        self.assertEqual(len(got), 60)
        # A request for another address is not answered.
        other = bytes([10, 0, 3, 9])
        p.send(eth(BCAST, GUEST_MAC, 0x0806,
                   arp(1, GUEST_MAC, GUEST_IP, bytes(6), other)))
        p.nothing()
        self.assertIn("arp 1,", self.summary())

    def test_ping_reply(self):
        p = self.start()
        data = bytes(range(37))     # odd length
        p.send(eth(PEER_MAC, GUEST_MAC, 0x0800,
                   ipv4(GUEST_IP, PEER_IP, 1, icmp_echo(8, 0x1234, 7, data),
                        ident=99)))
        got = p.recv()
        want = eth(GUEST_MAC, PEER_MAC, 0x0800,
                   ipv4(PEER_IP, GUEST_IP, 1, icmp_echo(0, 0x1234, 7, data)))
        self.assertEqual(got.hex(), want.hex())
        # Checksums, recomputed over what came back.
        self.assertEqual(cksum(got[14:34]), 0)
        self.assertEqual(cksum(got[34:34 + 8 + len(data)]), 0)
        self.assertIn("ping 1,", self.summary())

    def test_udp_echo(self):
        p = self.start()
        for data in (b"hello, peer", b"", bytes(range(256)) * 5):
            p.send(eth(PEER_MAC, GUEST_MAC, 0x0800,
                       ipv4(GUEST_IP, PEER_IP, 17,
                            udp(GUEST_IP, PEER_IP, 40000, 7, data))))
            got = p.recv()
            want = eth(GUEST_MAC, PEER_MAC, 0x0800,
                       ipv4(PEER_IP, GUEST_IP, 17,
                            udp(PEER_IP, GUEST_IP, 7, 40000, data)))
            self.assertEqual(got.hex(), want.hex())
            n = 8 + len(data)
            ph = PEER_IP + GUEST_IP + struct.pack("!BBH", 0, 17, n)
            self.assertEqual(cksum(ph + got[34:34 + n]), 0)
        self.assertIn("echo 3,", self.summary())

    def test_bad_frames_dropped(self):
        p = self.start()
        good = ipv4(GUEST_IP, PEER_IP, 1, icmp_echo(8, 1, 1, b"abcd"))
        bad_ip = bytearray(good)
        bad_ip[10] ^= 1
        bad_icmp = bytearray(good)
        bad_icmp[-1] ^= 1
        frag = ipv4(GUEST_IP, PEER_IP, 1, icmp_echo(8, 1, 1, b"abcd"),
                    flags=0x2000)
        other = bytes([10, 0, 3, 77])
        frames = [
            b"\x02" * 10,                                   # short
            eth(PEER_MAC, GUEST_MAC, 0x0800, bytes(bad_ip)),
            eth(PEER_MAC, GUEST_MAC, 0x0800, bytes(bad_icmp)),
            eth(PEER_MAC, GUEST_MAC, 0x0800, frag),
            eth(PEER_MAC, GUEST_MAC, 0x0800, good[:30]),    # truncated
            eth(PEER_MAC, GUEST_MAC, 0x86dd, good),
            eth(bytes.fromhex("020000000999"), GUEST_MAC, 0x0800, good),
            eth(PEER_MAC, GUEST_MAC, 0x0800,
                ipv4(GUEST_IP, other, 1, icmp_echo(8, 1, 1, b""))),
            # Truncated ARP, not padded (padding would complete it).
            BCAST + GUEST_MAC + b"\x08\x06" +
            arp(1, GUEST_MAC, GUEST_IP, bytes(6), PEER_IP)[:20],
            eth(BCAST, GUEST_MAC, 0x0806,
                b"\x00\x06" + arp(1, GUEST_MAC, GUEST_IP, bytes(6),
                                  PEER_IP)[2:]),
        ]
        for f in frames:
            p.send(f)
        p.nothing()
        line = self.summary()
        self.assertIn("rx %d frames (%d dropped), tx 0 frames"
                      % (len(frames), len(frames)), line)

    def test_sink(self):
        p = self.start("--sink", "5001")
        for i in range(10):
            p.send(eth(PEER_MAC, GUEST_MAC, 0x0800,
                       ipv4(GUEST_IP, PEER_IP, 17,
                            udp(GUEST_IP, PEER_IP, 40000, 5001,
                                bytes(100)))))
        p.nothing()
        self.assertIn("sink 10 packets 1000 bytes", self.summary())

    def test_sink_burst_and_bad_checksum(self):
        """A burst larger than one drain is all counted; a datagram whose
        checksum is wrong (one bit) is dropped, not sunk."""
        p = self.start("--sink", "5001")
        # Small datagrams: 101 of them fit the socket's default buffer
        # (about 1 KiB each as the kernel counts) however late the peer
        # reads, so the burst is there whole for the drains.
        good = udp(GUEST_IP, PEER_IP, 40000, 5001, bytes(range(16)))
        bad = bytearray(good)
        bad[9] ^= 1
        for u in [good] * 100 + [bytes(bad)]:
            p.send(eth(PEER_MAC, GUEST_MAC, 0x0800,
                       ipv4(GUEST_IP, PEER_IP, 17, u)))
        p.nothing()
        line = self.summary()
        self.assertIn("rx 101 frames (1 dropped)", line)
        self.assertIn("sink 100 packets 1600 bytes", line)
        self.assertIn("bad UDP checksum", p.log_text)

    def test_checksum_is_the_word_sum(self):
        """netpeer's checksum against the word-by-word definition, with
        the sums that fold to 0xffff (a correct packet's) and to 0."""
        sys.path.insert(0, HERE)
        import netpeer
        rnd = random.Random(7)
        cases = [(b"", 0), (bytes(8), 0), (b"\xff\xff", 0),
                 (b"\xff\xff\xff\xff", 0), (b"\x00\x01", 0xfffe),
                 (b"\x12", 0), (b"\xff\xfe", 1)]
        for _ in range(500):
            data = bytes(rnd.getrandbits(8)
                         for _ in range(rnd.choice((1, 2, 3, 20, 1471))))
            cases.append((data, rnd.choice((0, 1, 0xffff, 0x2ffff))))
        for data, init in cases:
            self.assertEqual(netpeer.csum(data, init), cksum(data, init),
                             (data[:8].hex(), len(data), init))
        u = udp(GUEST_IP, PEER_IP, 1, 2, bytes(range(200)))
        ph = GUEST_IP + PEER_IP + struct.pack("!BBH", 0, 17, len(u))
        self.assertEqual(netpeer.csum(ph + u), 0)

    def test_source(self):
        p = self.start("--source", "10.0.3.2:9000", "--count", "5",
                       "--rate", "200", "--size", "20")
        # The peer first asks for the guest's MAC.
        got = p.recv()
        want = eth(BCAST, PEER_MAC, 0x0806,
                   arp(1, PEER_MAC, PEER_IP, bytes(6), GUEST_IP))
        self.assertEqual(got.hex(), want.hex())
        p.send(eth(PEER_MAC, GUEST_MAC, 0x0806,
                   arp(2, GUEST_MAC, GUEST_IP, PEER_MAC, PEER_IP)))
        for seq in range(5):
            got = p.recv()
            data = struct.pack("!Q", seq) + bytes((seq + i) & 0xff
                                                  for i in range(12))
            want = eth(GUEST_MAC, PEER_MAC, 0x0800,
                       ipv4(PEER_IP, GUEST_IP, 17,
                            udp(PEER_IP, GUEST_IP, 9001, 9000, data)))
            self.assertEqual(got.hex(), want.hex())
        p.nothing()
        self.assertIn("source 5 packets", self.summary())

    def test_log_and_summary(self):
        p = self.start()
        self.arp_for_peer(p)
        line = self.summary()
        self.assertRegex(line, r"^netpeer: rx 1 frames \(0 dropped\), "
                         r"tx 1 frames, arp 1, ping 0, echo 0, sink 0 "
                         r"packets 0 bytes, source 0 packets$")
        self.assertIn("rx arp op 1 10.0.3.2", p.log_text)
        self.assertIn("tx 60 arp reply", p.log_text)

    def test_refuses_non_loopback(self):
        for args in (["--host", "10.0.0.1"], ["--host", "192.168.1.1"],
                     ["--host", "0.0.0.0"], ["--host", "example.org"],
                     ["--source", "192.0.2.1:9"]):
            r = subprocess.run([sys.executable, PEER, "--qemu-port", "9"] +
                               args, capture_output=True, text=True,
                               timeout=10)
            self.assertNotEqual(r.returncode, 0, args)
            self.assertNotIn("listening", r.stdout, args)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(NetPeerTest)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(
        suite)
    failed = len(result.failures) + len(result.errors)
    print("netpeer: %d passed, %d failed" % (result.testsRun - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
