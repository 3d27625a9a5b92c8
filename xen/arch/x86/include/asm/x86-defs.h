/* Architectural numbers: control register bits, MSRs, CPUID bits. */
#ifndef ASM_X86_DEFS_H
#define ASM_X86_DEFS_H

#define X86_CR0_PE  (1 << 0)
#define X86_CR0_WP  (1 << 16)
#define X86_CR0_PG  (1 << 31)
#define X86_CR4_PAE (1 << 5)

#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

/* CPUID 0x80000001 EDX */
#define CPUID_EXT_NX_BIT 20
#define CPUID_EXT_LM_BIT 29

#define _PAGE_PRESENT 0x001
#define _PAGE_RW      0x002
#define _PAGE_PSE     0x080

#define GDT_SEL_CODE64 0x08
#define GDT_SEL_DATA   0x10

#endif
