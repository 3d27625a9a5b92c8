#!/bin/bash
# Compile every public header on its own, as C99 and as C++11, through a
# translation unit that includes nothing else (Xen's headers.chk); headers
# that cater for __ASSEMBLY__ are also assembled that way. Run from the
# repository root. Prints PASS/FAIL per header and language, then
# "headers: N passed, M failed"; exits 1 if any failed.
set -u

CC=${CC:-gcc}
CXX=${CXX:-g++}
top=xen/include/public

if [ ! -d "$top" ]; then
	echo "headers_check: run me from the repository root" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0

# check LANG HEADER COMMAND...: compile the one-line unit, report the result
check() {
	local lang=$1 hdr=$2
	shift 2
	if "$@" "$tmp/unit" >"$tmp/log" 2>&1; then
		echo "PASS $lang $hdr"
		passed=$((passed + 1))
	else
		echo "FAIL $lang $hdr"
		sed 's/^/    /' "$tmp/log"
		failed=$((failed + 1))
	fi
}

while IFS= read -r hdr; do
	printf '#include "%s"\n' "$PWD/$hdr" >"$tmp/unit"
	check c99 "$hdr" "$CC" -std=c99 -pedantic -Wall -Wextra -Werror \
		-fsyntax-only -x c
	check c++11 "$hdr" "$CXX" -std=c++11 -Wall -Wextra -Werror \
		-fsyntax-only -x c++
	if grep -q __ASSEMBLY__ "$hdr"; then
		check asm "$hdr" "$CC" -D__ASSEMBLY__ -Werror -c -o /dev/null \
			-x assembler-with-cpp
	fi
done < <(find "$top" -name '*.h' | LC_ALL=C sort)

echo "headers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
