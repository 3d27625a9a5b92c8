/* The empty symbol table of the first link (see tools/symbols.py). */
	.section .xen_symbols, "a", @progbits
	.balign 8
	.globl symbols_nr, symbols_offsets, symbols_names_idx, symbols_names
symbols_nr:
	.quad 0
symbols_offsets:
symbols_names_idx:
symbols_names:
	.byte 0
