#!/usr/bin/python3
"""A host-side network peer for test domains, on a QEMU NIC's dgram netdev.

QEMU side (one Ethernet frame per UDP datagram, both ends on loopback):

  -netdev dgram,id=net0,local.type=inet,local.host=127.0.0.1,local.port=P1,
          remote.type=inet,remote.host=127.0.0.1,remote.port=P2

(tools/qemu.py: machine_args(..., net=("dgram", P1, P2)).) The peer binds
127.0.0.1:P2 (--port; 0 picks a free one) and sends only to 127.0.0.1:P1
(--qemu-port). It refuses any address that is not loopback, and takes
datagrams from loopback only.

It is a host on the guests' subnet with its own MAC and IPv4 address
(default 02:00:00:00:03:01, 10.0.3.1/24). It answers ARP for its
address, ICMP echo requests and UDP echo on --echo-port (7). On request
it also sinks a UDP port (--sink PORT: packets and bytes per second) or
sources a UDP stream (--source IP:PORT with --rate, --size, --count or
--seconds; each payload starts with a 64-bit big-endian sequence number).

Everything it sends is deterministic, so tests can compare bytes: frames
are padded with zeros to 60 bytes; IPv4 headers are 20 bytes, TTL 64, DF
set, identification 0 (RFC 6864: atomic datagrams); replies carry the
request's data unchanged.

Once bound it prints "netpeer: listening on 127.0.0.1:P2" on stdout. On
SIGTERM or SIGINT it stops and prints one summary line:
  netpeer: rx F frames (D dropped), tx T frames, arp A, ping P,
           echo E, sink N packets B bytes, source S packets
--log FILE records every frame received and sent, one line each.
"""

import argparse
import ipaddress
import os
import select
import signal
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
BCAST = b"\xff" * 6
ETH_MIN = 60
FRAME_MAX = 1514
DRAIN_MAX = 64      # frames read per select


def csum(data, init=0):
    """The Internet checksum (RFC 1071), folded and complemented.

    As 2^16 = 1 modulo 0xffff, the bytes read as one big-endian number
    are their 16-bit words' sum modulo 0xffff, and folding the carries
    keeps a positive sum's value modulo 0xffff in 1..0xffff: one
    big-integer remainder instead of a Python loop over the words (the
    sink checks every frame of a stream at line rate)."""
    if len(data) % 2:
        data += b"\0"
    t = int.from_bytes(data, "big") + init
    s = (t - 1) % 0xffff + 1 if t else 0
    return ~s & 0xffff


def pseudo(src, dst, proto, length):
    """The sum of the UDP pseudo-header (addresses as 4-byte strings)."""
    return sum(struct.unpack("!4H", src + dst)) + proto + length


def mac_str(m):
    return ":".join("%02x" % b for b in m)


def parse_mac(s):
    m = bytes(int(x, 16) for x in s.split(":"))
    if len(m) != 6 or m[0] & 1:
        raise ValueError("not a unicast MAC: %s" % s)
    return m


def eth_frame(dst, src, etype, payload):
    f = dst + src + struct.pack("!H", etype) + payload
    return f + b"\0" * max(0, ETH_MIN - len(f))


def ip_packet(src, dst, proto, payload):
    """A 20-byte IPv4 header (id 0, DF, TTL 64) and the payload."""
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000,
                    64, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def udp_datagram(src, dst, sport, dport, data):
    n = 8 + len(data)
    u = struct.pack("!HHHH", sport, dport, n, 0) + data
    c = csum(u, pseudo(src, dst, 17, n)) or 0xffff
    return u[:6] + struct.pack("!H", c) + u[8:]


def require_loopback(host):
    """The peer talks to loopback only: anything else is an error."""
    try:
        a = ipaddress.ip_address(host)
    except ValueError:
        raise SystemExit("netpeer: %r is not an IP address; loopback only"
                         % host)
    if a.version != 4 or not a.is_loopback:
        raise SystemExit("netpeer: refusing non-loopback address %s" % host)
    return str(a)


class Peer:
    def __init__(self, opts):
        self.host = require_loopback(opts.host)
        self.qemu = (self.host, opts.qemu_port)
        self.mac = parse_mac(opts.mac)
        net = ipaddress.ip_interface(opts.ip)
        self.ip = net.ip.packed
        self.net = net.network
        self.echo_port = opts.echo_port
        self.sink_port = opts.sink
        self.opts = opts
        self.arp = {}           # IPv4 (4 bytes) -> MAC
        self.log = open(opts.log, "w") if opts.log else None
        self.t0 = time.monotonic()
        self.stop = False
        self.c = dict(rx=0, dropped=0, tx=0, arp=0, ping=0, echo=0,
                      sink_pkts=0, sink_bytes=0, source=0)
        self.sink_sec = [0, 0, 0]   # second, packets, bytes
        self.loopback = set()       # source addresses found loopback
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((self.host, opts.port))
        self.source = None
        if opts.source:
            ip, port = opts.source.rsplit(":", 1)
            if ipaddress.ip_address(ip) not in self.net:
                raise SystemExit("netpeer: --source %s is not on %s"
                                 % (ip, self.net))
            self.source = dict(ip=ipaddress.ip_address(ip).packed,
                               port=int(port), seq=0, next=0.0,
                               arp_next=0.0, end=None)

    # ---- Log and the wire ----

    def note(self, fmt, *args):
        if self.log:
            self.log.write("%9.3f %s\n" % (time.monotonic() - self.t0,
                                           fmt % args))
            self.log.flush()

    def send(self, frame, what):
        # The one place anything leaves: always to QEMU's loopback port.
        assert ipaddress.ip_address(self.qemu[0]).is_loopback
        self.sock.sendto(frame, self.qemu)
        self.c["tx"] += 1
        self.note("tx %d %s", len(frame), what)

    def drop(self, why, frame):
        self.c["dropped"] += 1
        self.note("drop %d %s", len(frame), why)

    def send_ip(self, dst_mac, dst_ip, proto, payload, what):
        self.send(eth_frame(dst_mac, self.mac, ETH_P_IP,
                            ip_packet(self.ip, dst_ip, proto, payload)), what)

    # ---- Receiving ----

    def input(self, f):
        self.c["rx"] += 1
        if len(f) < 14 or len(f) > FRAME_MAX:
            return self.drop("bad length", f)
        dst, src, etype = f[:6], f[6:12], struct.unpack("!H", f[12:14])[0]
        if dst != self.mac and dst != BCAST:
            return self.drop("not our MAC %s" % mac_str(dst), f)
        if etype == ETH_P_ARP:
            return self.arp_input(f, f[14:])
        if etype == ETH_P_IP:
            return self.ip_input(f, src, f[14:])
        return self.drop("ethertype %#06x" % etype, f)

    def arp_input(self, f, a):
        if len(a) < 28:
            return self.drop("short ARP", f)
        htype, ptype, hlen, plen, op = struct.unpack("!HHBBH", a[:8])
        sha, spa, tha, tpa = a[8:14], a[14:18], a[18:24], a[24:28]
        if (htype, ptype, hlen, plen) != (1, ETH_P_IP, 6, 4) or \
                op not in (1, 2) or sha[0] & 1:
            return self.drop("bad ARP", f)
        self.note("rx arp op %d %s is %s, for %s", op,
                  ipaddress.ip_address(spa), mac_str(sha),
                  ipaddress.ip_address(tpa))
        if spa != b"\0" * 4 and (spa in self.arp or tpa == self.ip):
            self.arp[spa] = sha
        if op == 1 and tpa == self.ip:
            self.c["arp"] += 1
            r = struct.pack("!HHBBH", 1, ETH_P_IP, 6, 4, 2) + self.mac + \
                self.ip + sha + spa
            self.send(eth_frame(sha, self.mac, ETH_P_ARP, r), "arp reply")

    def ip_input(self, f, src_mac, p):
        if len(p) < 20 or p[0] >> 4 != 4:
            return self.drop("bad IPv4 header", f)
        ihl = (p[0] & 15) * 4
        total = struct.unpack("!H", p[2:4])[0]
        if ihl < 20 or total < ihl or total > len(p):
            return self.drop("bad IPv4 lengths", f)
        if csum(p[:ihl]):
            return self.drop("bad IPv4 checksum", f)
        if struct.unpack("!H", p[6:8])[0] & 0x3fff:
            return self.drop("IPv4 fragment", f)
        src, dst, proto = p[12:16], p[16:20], p[9]
        bcast = self.net.broadcast_address.packed
        if dst not in (self.ip, bcast, BCAST[:4]):
            return self.drop("not our IPv4 %s" % ipaddress.ip_address(dst), f)
        body = p[ihl:total]
        if proto == 1:
            return self.icmp_input(f, src_mac, src, dst, body)
        if proto == 17:
            return self.udp_input(f, src_mac, src, dst, body)
        return self.drop("IPv4 protocol %d" % proto, f)

    def icmp_input(self, f, src_mac, src, dst, m):
        if len(m) < 8 or csum(m):
            return self.drop("bad ICMP", f)
        typ, code, _, ident, seq = struct.unpack("!BBHHH", m[:8])
        self.note("rx icmp type %d id %d seq %d from %s, %d bytes", typ,
                  ident, seq, ipaddress.ip_address(src), len(m) - 8)
        if typ != 8 or code != 0 or dst != self.ip:
            return
        self.c["ping"] += 1
        r = struct.pack("!BBHHH", 0, 0, 0, ident, seq) + m[8:]
        r = r[:2] + struct.pack("!H", csum(r)) + r[4:]
        self.send_ip(src_mac, src, 1, r, "echo reply seq %d" % seq)

    def udp_input(self, f, src_mac, src, dst, u):
        if len(u) < 8:
            return self.drop("short UDP", f)
        sport, dport, n, c = struct.unpack("!HHHH", u[:8])
        if n < 8 or n > len(u):
            return self.drop("bad UDP length", f)
        if c and csum(u[:n], pseudo(src, dst, 17, n)):
            return self.drop("bad UDP checksum", f)
        data = u[8:n]
        if dport == self.sink_port:
            self.sink(len(data))
            return
        self.note("rx udp %s:%d -> %d, %d bytes", ipaddress.ip_address(src),
                  sport, dport, len(data))
        if dport == self.echo_port and dst == self.ip:
            self.c["echo"] += 1
            self.send_ip(src_mac, src, 17,
                         udp_datagram(self.ip, src, dport, sport, data),
                         "udp echo %d bytes" % len(data))
            return
        self.drop("no UDP service on port %d" % dport, f)

    # ---- Sink and source ----

    def sink(self, nbytes):
        self.c["sink_pkts"] += 1
        self.c["sink_bytes"] += nbytes
        sec = int(time.monotonic() - self.t0)
        if sec != self.sink_sec[0]:
            self.sink_report()
            self.sink_sec = [sec, 0, 0]
        self.sink_sec[1] += 1
        self.sink_sec[2] += nbytes

    def sink_report(self):
        s, p, b = self.sink_sec
        if p:
            line = "netpeer: sink second %d: %d packets %d bytes" % (s, p, b)
            print(line, flush=True)
            self.note("%s", line[9:])

    def source_step(self, now):
        """Send what the rate allows; ask for the MAC until it is known."""
        s, o = self.source, self.opts
        if s["end"] is None:
            s["end"] = now + o.seconds if o.seconds else None
        mac = self.arp.get(s["ip"])
        if mac is None:
            if now >= s["arp_next"]:
                s["arp_next"] = now + 1.0
                r = struct.pack("!HHBBH", 1, ETH_P_IP, 6, 4, 1) + self.mac + \
                    self.ip + b"\0" * 6 + s["ip"]
                self.send(eth_frame(BCAST, self.mac, ETH_P_ARP, r),
                          "arp request %s" % ipaddress.ip_address(s["ip"]))
            return
        if not s["next"]:
            s["next"] = now
        while now >= s["next"] and not self.source_done(now):
            data = struct.pack("!Q", s["seq"])
            data += bytes((s["seq"] + i) & 0xff
                          for i in range(max(0, o.size - 8)))
            self.send_ip(mac, s["ip"], 17,
                         udp_datagram(self.ip, s["ip"], o.source_port,
                                      s["port"], data[:max(o.size, 8)]),
                         "source seq %d" % s["seq"])
            s["seq"] += 1
            self.c["source"] += 1
            s["next"] = max(s["next"] + 1.0 / o.rate, now - 0.1)

    def source_done(self, now):
        s, o = self.source, self.opts
        return (o.count and s["seq"] >= o.count) or \
            (s["end"] is not None and now >= s["end"])

    # ---- Main loop ----

    def drain(self):
        """What the socket holds, up to a bound (a stream must not keep
        the source and the sink report waiting): one select per burst
        instead of one per frame."""
        for _ in range(DRAIN_MAX):
            try:
                f, addr = self.sock.recvfrom(65536, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionRefusedError:
                continue    # an earlier send found nobody listening
            if addr[0] not in self.loopback:
                if not ipaddress.ip_address(addr[0]).is_loopback:
                    continue
                self.loopback.add(addr[0])
            self.input(f)

    def run(self):
        print("netpeer: listening on %s:%d" % self.sock.getsockname(),
              flush=True)
        self.note("peer %s %s/%d, qemu at %s:%d", mac_str(self.mac),
                  ipaddress.ip_address(self.ip), self.net.prefixlen,
                  *self.qemu)
        while not self.stop:
            timeout = 0.2
            now = time.monotonic()
            if self.source and not self.source_done(now):
                self.source_step(now)
                if self.source["next"]:
                    timeout = max(0.0, min(timeout, self.source["next"] -
                                           time.monotonic()))
            try:
                ready, _, _ = select.select([self.sock], [], [], timeout)
            except InterruptedError:
                continue
            if ready:
                self.drain()
        self.sink_report()
        c = self.c
        line = ("netpeer: rx %d frames (%d dropped), tx %d frames, arp %d, "
                "ping %d, echo %d, sink %d packets %d bytes, source %d "
                "packets" % (c["rx"], c["dropped"], c["tx"], c["arp"],
                             c["ping"], c["echo"], c["sink_pkts"],
                             c["sink_bytes"], c["source"]))
        self.note("%s", line[9:])
        print(line, flush=True)
        if self.log:
            self.log.close()


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1",
                    help="loopback address for both ends (only loopback)")
    ap.add_argument("--port", type=int, default=0,
                    help="our UDP port (QEMU's remote.port); 0: any")
    ap.add_argument("--qemu-port", type=int, required=True,
                    help="QEMU's UDP port (its local.port)")
    ap.add_argument("--mac", default="02:00:00:00:03:01")
    ap.add_argument("--ip", default="10.0.3.1/24",
                    help="our IPv4 address and prefix on the guests' net")
    ap.add_argument("--echo-port", type=int, default=7)
    ap.add_argument("--sink", type=int, metavar="PORT",
                    help="count UDP packets and bytes to this port")
    ap.add_argument("--source", metavar="IP:PORT",
                    help="send a UDP stream to a guest")
    ap.add_argument("--source-port", type=int, default=9001,
                    help="our port for the stream")
    ap.add_argument("--rate", type=float, default=100.0,
                    help="stream packets per second")
    ap.add_argument("--size", type=int, default=64,
                    help="stream payload bytes (8 to 1472)")
    ap.add_argument("--count", type=int, default=0,
                    help="stop the stream after this many (0: no limit)")
    ap.add_argument("--seconds", type=float, default=0,
                    help="stop the stream after this long (0: no limit)")
    ap.add_argument("--log", metavar="FILE")
    opts = ap.parse_args(argv)
    if not 8 <= opts.size <= 1472 or opts.rate <= 0:
        ap.error("--size must be 8..1472 and --rate positive")
    if opts.source:
        try:
            ip, port = opts.source.rsplit(":", 1)
            ipaddress.IPv4Address(ip)
            if not 0 < int(port) < 65536:
                raise ValueError
        except ValueError:
            ap.error("--source wants IPV4:PORT")
    peer = Peer(opts)

    def on_signal(signum, frame):
        peer.stop = True
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    peer.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
