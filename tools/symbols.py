#!/usr/bin/python3
"""Embed the hypervisor's symbol table in its image, for stack traces.

  symbols.py gen  <nm output> <out.S>   write the table as assembly
  symbols.py same <nm a> <nm b>         check two links agree on the text

The table holds the text symbols only, sorted: 32-bit offsets from the
image start, and their names. It lives after everything else in the
image, so linking it in moves no function: "same" checks that.
"""

import sys

BASE = 0xffff82d040000000


def text_symbols(path):
    syms = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 3 or parts[1] not in "tTW":
                continue
            addr = int(parts[0], 16)
            if addr >= BASE and not parts[2].startswith(".L"):
                syms.setdefault(addr, parts[2])
    return sorted(syms.items())


def gen(nm_path, out_path):
    syms = text_symbols(nm_path)
    names = bytearray()
    lines = ["\t.section .xen_symbols, \"a\", @progbits",
             "\t.balign 8",
             "\t.globl symbols_nr, symbols_offsets, symbols_names_idx, "
             "symbols_names",
             "symbols_nr:\n\t.quad %d" % len(syms),
             "symbols_offsets:"]
    index = []
    for addr, name in syms:
        lines.append("\t.long %#x" % (addr - BASE))
        index.append(len(names))
        names += name.encode() + b"\0"
    lines.append("symbols_names_idx:")
    lines += ["\t.long %d" % i for i in index]
    lines.append("symbols_names:")
    for i in range(0, len(names), 16):
        lines.append("\t.byte " + ",".join(str(b) for b in names[i:i + 16]))
    with open(out_path, "w") as f:
        f.write("\n".join(lines) + "\n")


def same(a, b):
    if text_symbols(a) != text_symbols(b):
        sys.stderr.write("symbols: the symbol table moved code; "
                         "link it later in the image\n")
        return 1
    return 0


def main(argv):
    if len(argv) == 4 and argv[1] == "gen":
        gen(argv[2], argv[3])
        return 0
    if len(argv) == 4 and argv[1] == "same":
        return same(argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
