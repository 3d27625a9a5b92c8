#!/bin/sh
# Write a bootable ISO: isolinux loads mboot.c32, which loads the
# hypervisor and its modules. The ISO is hybrid, so it can also be
# written to a USB stick.
#
# usage: mkimage.sh OUT.iso HYPERVISOR "CMDLINE" TIMEOUT ["MODULE [ARGS]"]...
#   TIMEOUT is in tenths of a second (0: boot at once). Each module is a
#   file, optionally followed by the command line it is given.
set -eu

[ $# -ge 4 ] || { sed -n '2,9p' "$0" >&2; exit 2; }
out=$1 hv=$2 cmdline=$3 timeout=$4
shift 4

BIOS=/usr/lib/syslinux/modules/bios
ISOLINUX=/usr/lib/ISOLINUX
stage=$(mktemp -d "${out}.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/boot"

cp "$ISOLINUX/isolinux.bin" "$BIOS/ldlinux.c32" "$BIOS/mboot.c32" \
	"$BIOS/libcom32.c32" "$stage/boot/"
cp "$hv" "$stage/boot/citadel.elf"

append="citadel.elf${cmdline:+ $cmdline}"
for m in "$@"; do
	file=${m%% *}
	args=
	[ "$file" = "$m" ] || args=" ${m#* }"
	[ -f "$file" ] || { echo "mkimage: no module file $file" >&2; exit 1; }
	name=$(basename "$file")
	[ ! -e "$stage/boot/$name" ] || { echo "mkimage: two modules named $name" >&2; exit 1; }
	cp "$file" "$stage/boot/$name"
	append="$append --- $name$args"
done

{
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
} > "$stage/boot/isolinux.cfg"

xorriso -as mkisofs -quiet -o "$out" -R -J -iso-level 3 \
	-isohybrid-mbr "$ISOLINUX/isohdpfx.bin" \
	-b boot/isolinux.bin -c boot/boot.cat \
	-no-emul-boot -boot-load-size 4 -boot-info-table \
	-V CITADEL "$stage"
