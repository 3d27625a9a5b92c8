#!/bin/sh
# The build's dependency step: find the Debian packages the build and the
# tests need and install what is missing (as root), or print the command.
set -eu

PACKAGES="gcc binutils make python3 python3-kconfiglib qemu-system-x86
syslinux isolinux syslinux-common xorriso mtools libpci-dev
libusb-1.0-0-dev libcmocka-dev clang-format clang libclang-rt-dev"

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: not a Debian system; make sure these are installed:" >&2
	echo "deps:   $(echo $PACKAGES)" >&2
	exit 0
fi

missing=
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: install them as root with:" >&2
	echo "deps:   apt-get update && $cmd" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
$cmd -q
