#!/bin/sh
# Write a bootable ISO: isolinux loads mboot.c32, which loads the
# hypervisor and its modules. The ISO is hybrid, so it can also be
# written to a USB stick.
#
# usage: mkimage.sh -o OUT.iso -k HYPERVISOR [-c CMDLINE] [-t TIMEOUT]
#                   [-s PORT,BAUD] ["MODULE [ARGS]"]...
#   -c  the hypervisor's command line
#   -t  isolinux prompt timeout in tenths of a second (0: boot at once)
#   -s  serial line isolinux itself talks on (I/O port, baud)
#   Each module is a file, optionally followed by its command line.
set -eu

usage() { sed -n '2,11p' "$0" >&2; exit 2; }
out= hv= cmdline= timeout=0 serial=0x3f8,115200
while getopts o:k:c:t:s: opt; do
	case $opt in
	o) out=$OPTARG ;;
	k) hv=$OPTARG ;;
	c) cmdline=$OPTARG ;;
	t) timeout=$OPTARG ;;
	s) serial=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$out" ] && [ -n "$hv" ] || usage

BIOS=/usr/lib/syslinux/modules/bios
ISOLINUX=/usr/lib/ISOLINUX
stage=$(mktemp -d "${out}.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
# isolinux looks for ldlinux.c32 and its configuration in /isolinux.
dir=$stage/isolinux
mkdir -p "$dir"

cp "$ISOLINUX/isolinux.bin" "$BIOS/ldlinux.c32" "$BIOS/mboot.c32" \
	"$BIOS/libcom32.c32" "$dir/"
cp "$hv" "$dir/citadel.elf"

append="citadel.elf${cmdline:+ $cmdline}"
for m in "$@"; do
	file=${m%% *}
	args=
	[ "$file" = "$m" ] || args=" ${m#* }"
	[ -f "$file" ] || { echo "mkimage: no module file $file" >&2; exit 1; }
	name=$(basename "$file")
	if [ -e "$dir/$name" ]; then
		echo "mkimage: two files named $name" >&2
		exit 1
	fi
	cp "$file" "$dir/$name"
	append="$append --- $name$args"
done

{
	echo "SERIAL ${serial%,*} ${serial#*,}"
	echo "DEFAULT citadel"
	if [ "$timeout" -gt 0 ]; then
		echo "PROMPT 1"
		echo "TIMEOUT $timeout"
	else
		echo "PROMPT 0"
	fi
	echo "LABEL citadel"
	echo "  KERNEL mboot.c32"
	echo "  APPEND $append"
} > "$dir/isolinux.cfg"

if ! xorriso -as mkisofs -quiet -o "$out" -R -J \
	-isohybrid-mbr "$ISOLINUX/isohdpfx.bin" \
	-b isolinux/isolinux.bin -c isolinux/boot.cat \
	-no-emul-boot -boot-load-size 4 -boot-info-table \
	-V CITADEL "$stage" 2>"$stage/xorriso.log"; then
	cat "$stage/xorriso.log" >&2
	rm -f "$out"
	exit 1
fi
