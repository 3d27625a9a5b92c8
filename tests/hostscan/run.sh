#!/bin/bash
# tools/hostscan against saved lspci dumps, a fake sysfs and a fake USB
# list: no hardware, and libusb never asked (--no-usb).
#
#   run.sh HOSTSCAN [OUTDIR]
#
# Each check compares exact lines. The last line is the summary,
# "hostscan: N passed, M failed"; the exit status is 1 if any failed.
#
# lspci.dump ("lspci -xxx" format; 00:02.0 has all 4096 bytes, "-xxxx"):
#   00:00.0 host bridge 8086:29c0, no capabilities
#   00:02.0 82574L 8086:10d3: PM c8 (No_Soft_Reset set) -> MSI d0
#           -> PCIe v1 e0 (DevCap FLR) -> MSI-X a0; AER 100 -> DSN 140
#   00:03.0 QEMU NVMe 1b36:0010: PM 40 (No_Soft_Reset clear) -> MSI-X 50
#           -> PCIe v2 60 (no FLR)
#   00:04.0 QEMU xHCI 1b36:000d: MSI-X 90 -> PCIe v2 a0 (no FLR): no reset
#   00:1c.0 root port 8086:2940 to bus 1, 00:1c.1 8086:2942 to bus 2:
#           PCIe 40 -> MSI 80 -> SSID 90 -> PM a0
#   00:1f.2 ICH9 AHCI 8086:2922: MSI 80 -> PM 70 (No_Soft_Reset set)
#           -> SATA a8 -> AF b0 (TP and FLR)
#   01:00.0 RTL8111 10ec:8168: MSI 50 -> MSI-X 70 -> PCIe v2 a0 (no FLR),
#           alone on bus 1: a bus reset only
#   02:00.0, 02:00.1 82571EB 8086:105e: PCIe v1 e0 (no FLR), sharing bus 2
# sysfs/: IOMMU groups 0: 00.0; 1: 02.0; 2: 03.0 and 04.0 (blkdom and
#   usbdom: the warning); 3: 1c.0 and 01:00.0; 4: 1c.1, 02:00.0, 02:00.1;
#   00:1f.2 none. USB root hubs usb1, usb2 on 00:04.0, usb3 on a platform
#   device, usb5 on 03:00.0 (not in the dump), no usb4.
# lspci-x.dump: 00:00.0 and 00:02.0, first 64 bytes only ("lspci -x").
# shared-bus.dump: 01:00.0 (NIC) and 01:00.1 (SAS) without resets of
#   their own, sharing the bus behind 00:1c.0; a second root bus 80 with
#   its host bridge and an NVMe right on it (no bridge above: no bus reset).
set -u

BIN=$1
OUT=${2:-$(mktemp -d)}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
pass=0
fail=0

bad()
{
	echo "hostscan: FAIL: $*"
	fail=$((fail + 1))
}

# run NAME WANT_RC ARGS...: stdout and stderr to $OUT/NAME.out and .err.
run()
{
	local name=$1 want=$2 rc

	shift 2
	"$BIN" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		bad "$name: exit status $rc, want $want"
		sed 's/^/  stderr: /' "$OUT/$name.err"
		return 1
	fi
	pass=$((pass + 1))
}

# expect_all NAME STREAM < lines: the stream is exactly these lines.
expect_all()
{
	cat >"$OUT/$1.$2.want"
	if diff -u "$OUT/$1.$2.want" "$OUT/$1.$2" >"$OUT/$1.$2.diff"; then
		pass=$((pass + 1))
	else
		bad "$1: $2 differs (- wanted, + got):"
		cat "$OUT/$1.$2.diff"
	fi
}

# expect_lines NAME STREAM < lines: each of these is a line of the stream.
expect_lines()
{
	local line

	while IFS= read -r line; do
		if grep -qxF -- "$line" "$OUT/$1.$2"; then
			pass=$((pass + 1))
		else
			bad "$1: no line in $2: $line"
		fi
	done
}

D=$HERE
COMMON=(--sysfs "$D/sysfs" --ids "$D/pci.ids" --no-usb)

# ---- The whole report on the main dump --------------------------------

run full 0 --dump "$D/lspci.dump" "${COMMON[@]}" --usb-list "$D/usb.list" &&
expect_all full out <<'EOF'
PCI functions:
0000:00:00.0 [060000] Host bridge: Intel Corporation 82G33/G31/P35/P31 Express DRAM Controller [8086:29c0]
  iommu group: 0
  resets: none
  assign: no (bridge)
0000:00:02.0 [020000] Ethernet controller: Intel Corporation 82574L Gigabit Network Connection [8086:10d3]
  iommu group: 1
  resets: flr
  assign: netdom
0000:00:03.0 [010802] Non-Volatile memory controller: Red Hat, Inc. QEMU NVM Express Controller [1b36:0010]
  iommu group: 2
  resets: pm
  assign: blkdom
0000:00:04.0 [0c0330] USB controller: Red Hat, Inc. QEMU XHCI Host Controller [1b36:000d]
  iommu group: 2
  resets: none
  assign: usbdom
0000:00:1c.0 [060400] PCI bridge: Intel Corporation 82801I (ICH9 Family) PCI Express Port 1 [8086:2940]
  iommu group: 3
  resets: pm
  assign: no (bridge)
0000:00:1c.1 [060400] PCI bridge: Intel Corporation device 2942 [8086:2942]
  iommu group: 4
  resets: pm
  assign: no (bridge)
0000:00:1f.2 [010601] SATA controller: Intel Corporation 82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode] [8086:2922]
  iommu group: none
  resets: af-flr
  assign: blkdom
0000:01:00.0 [020000] Ethernet controller: Realtek Semiconductor Co., Ltd. RTL8111/8168/8411 PCI Express Gigabit Ethernet Controller [10ec:8168]
  iommu group: 3
  resets: bus
  assign: netdom
0000:02:00.0 [020000] Ethernet controller: Intel Corporation 82571EB/82571GB Gigabit Ethernet Controller D0/D1 (copper applications) [8086:105e]
  iommu group: 4
  resets: shared-bus (also resets 0000:02:00.1)
  assign: netdom
0000:02:00.1 [020000] Ethernet controller: Intel Corporation 82571EB/82571GB Gigabit Ethernet Controller D0/D1 (copper applications) [8086:105e]
  iommu group: 4
  resets: shared-bus (also resets 0000:02:00.0)
  assign: netdom

USB devices:
controller 0000:00:04.0 (QEMU XHCI Host Controller):
  1-1 05e3:0610 manufacturer "GenesysLogic" product "USB2.1 Hub"
  1-1.4 046d:c52b manufacturer "Logitech" product "USB Receiver"
  1-2 0627:0001 manufacturer "QEMU" product "QEMU USB Tablet"
  2-1 0781:5583 product "Ultra Fit"
controller 0000:03:00.0 (not in the PCI scan):
  5-1 0bda:8153 manufacturer "Realtek" product "USB 10/100/1000 LAN"
unknown controller:
  3-1 0525:a4a5
  4-3 1d6b:0104 manufacturer "Linux Foundation" product "Multifunction Composite Gadget"

Suggested driver-domain configuration:
# configs/domains/netdom.cfg
pci = [ "0000:00:02.0", "0000:01:00.0", "0000:02:00.0", "0000:02:00.1" ]

# configs/domains/blkdom.cfg
pci = [ "0000:00:03.0", "0000:00:1f.2" ]

# configs/domains/usbdom.cfg
pci = [ "0000:00:04.0" ]

# warning: IOMMU group 2 holds 0000:00:03.0 (blkdom), 0000:00:04.0 (usbdom): the IOMMU isolates a group only as a whole, so these must go to one domain
# warning: 0000:00:04.0 (usbdom) has no reset at all: a restarted usbdom would get it as the old one left it
# warning: 0000:00:1f.2 (blkdom) has no IOMMU group (IOMMU off or absent): a hardened build will not assign it
EOF
[ -s "$OUT/full.err" ] && bad "full: stderr not empty: $(cat "$OUT/full.err")"

# ---- No pci.ids: numbers instead of names -----------------------------

run noids 0 --dump "$D/lspci.dump" --sysfs "$D/sysfs" \
	--ids "$OUT/no-such-pci.ids" --no-usb &&
expect_lines noids out <<'EOF'
0000:00:00.0 [060000] class 0600: vendor 8086 device 29c0 [8086:29c0]
0000:00:02.0 [020000] class 0200: vendor 8086 device 10d3 [8086:10d3]
0000:00:03.0 [010802] class 0108: vendor 1b36 device 0010 [1b36:0010]
0000:00:04.0 [0c0330] class 0c03: vendor 1b36 device 000d [1b36:000d]
0000:01:00.0 [020000] class 0200: vendor 10ec device 8168 [10ec:8168]
USB devices: not scanned (--no-usb)
EOF

# ---- "lspci -x": 64 bytes, so the capabilities are unknown ------------

run short 0 --dump "$D/lspci-x.dump" "${COMMON[@]}" &&
expect_all short out <<'EOF'
PCI functions:
0000:00:00.0 [060000] Host bridge: Intel Corporation 82G33/G31/P35/P31 Express DRAM Controller [8086:29c0]
  iommu group: 0
  resets: none
  assign: no (bridge)
0000:00:02.0 [020000] Ethernet controller: Intel Corporation 82574L Gigabit Network Connection [8086:10d3]
  iommu group: 1
  resets: unknown (capabilities not readable: run as root, or dump with lspci -xxx)
  assign: netdom

USB devices: not scanned (--no-usb)

Suggested driver-domain configuration:
# configs/domains/netdom.cfg
pci = [ "0000:00:02.0" ]

# warning: 0000:00:02.0 (netdom): resets unknown, capabilities not readable
EOF

# ---- A bus reset shared between domains, a root bus, no IOMMU at all --

run shared 0 --dump "$D/shared-bus.dump" --sysfs "$OUT/no-such-sysfs" \
	--ids "$D/pci.ids" --no-usb &&
expect_all shared out <<'EOF'
PCI functions:
0000:00:00.0 [060000] Host bridge: Intel Corporation 82G33/G31/P35/P31 Express DRAM Controller [8086:29c0]
  iommu group: none
  resets: none
  assign: no (bridge)
0000:00:1c.0 [060400] PCI bridge: Intel Corporation 82801I (ICH9 Family) PCI Express Port 1 [8086:2940]
  iommu group: none
  resets: pm
  assign: no (bridge)
0000:01:00.0 [020000] Ethernet controller: Intel Corporation 82599ES 10-Gigabit SFI/SFP+ Network Connection [8086:10fb]
  iommu group: none
  resets: shared-bus (also resets 0000:01:00.1)
  assign: netdom
0000:01:00.1 [010700] Serial Attached SCSI controller: Intel Corporation device 10f8 [8086:10f8]
  iommu group: none
  resets: shared-bus (also resets 0000:01:00.0)
  assign: blkdom
0000:80:00.0 [060000] Host bridge: Intel Corporation 82G33/G31/P35/P31 Express DRAM Controller [8086:29c0]
  iommu group: none
  resets: none
  assign: no (bridge)
0000:80:02.0 [010802] Non-Volatile memory controller: Red Hat, Inc. QEMU NVM Express Controller [1b36:0010]
  iommu group: none
  resets: none
  assign: blkdom

USB devices: not scanned (--no-usb)

Suggested driver-domain configuration:
# configs/domains/netdom.cfg
pci = [ "0000:01:00.0" ]

# configs/domains/blkdom.cfg
pci = [ "0000:01:00.1", "0000:80:02.0" ]

# warning: no IOMMU groups at all (IOMMU off or absent): a hardened build will not assign any of these
# warning: 0000:01:00.0 (netdom): its only reset, a secondary bus reset, also resets 0000:01:00.1 (blkdom)
# warning: 0000:01:00.1 (blkdom): its only reset, a secondary bus reset, also resets 0000:01:00.0 (netdom)
# warning: 0000:80:02.0 (blkdom) has no reset at all: a restarted blkdom would get it as the old one left it
EOF

# ---- Bad options and unreadable input: status 2, a clear message ------

# fails NAME MESSAGE ARGS...: status 2, nothing on stdout, MESSAGE first.
fails()
{
	local name=$1 msg=$2

	shift 2
	run "$name" 2 "$@" || return
	[ -s "$OUT/$name.out" ] && bad "$name: wrote to stdout"
	head -n 1 "$OUT/$name.err" >"$OUT/$name.err1"
	expect_all "$name" err1 <<<"$msg"
}

printf '1\t1\t0627:0001\tQEMU\tTablet\n1\t1.0\t0627:0002\n' \
	>"$OUT/bad.list"

fails badopt "hostscan: bad option '--bogus'" --bogus
fails noarg "hostscan: missing argument to '--dump'" --dump
fails extra "hostscan: unexpected argument 'extra'" --no-usb extra
fails nodump \
	"hostscan: libpci: dump: Cannot open $OUT/no-such.dump: No such file or directory" \
	--dump "$OUT/no-such.dump" --no-usb
fails notdump \
	"hostscan: $D/pci.ids: no PCI functions in it (not an lspci -x dump?)" \
	--dump "$D/pci.ids" --no-usb
fails badlist "hostscan: $OUT/bad.list:2: bad port path" \
	--dump "$D/lspci.dump" --no-usb --usb-list "$OUT/bad.list"
fails nolist \
	"hostscan: $OUT/no-such.list: No such file or directory" \
	--dump "$D/lspci.dump" --no-usb --usb-list "$OUT/no-such.list"

run help 0 --help && expect_lines help out <<'EOF'
usage: hostscan [--dump FILE] [--sysfs DIR] [--ids FILE]
EOF

echo "hostscan: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
