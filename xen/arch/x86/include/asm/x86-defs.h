/* Architectural numbers: control register bits, MSRs, CPUID bits. */
#ifndef ASM_X86_DEFS_H
#define ASM_X86_DEFS_H

#define X86_CR0_PE  (1 << 0)
#define X86_CR0_WP  (1 << 16)
#define X86_CR0_PG  (1 << 31)
#define X86_CR4_PAE (1 << 5)

#define MSR_APIC_BASE	   0x0000001b
#define MSR_TSC_DEADLINE   0x000006e0
#define MSR_X2APIC_FIRST   0x00000800
#define MSR_EFER	   0xc0000080
#define MSR_STAR	   0xc0000081
#define MSR_LSTAR	   0xc0000082
#define MSR_SYSCALL_MASK   0xc0000084
#define MSR_FS_BASE	   0xc0000100
#define MSR_GS_BASE	   0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define EFER_SCE	   (1 << 0)
#define EFER_LME	   (1 << 8)
#define EFER_NXE	   (1 << 11)

/* CPUID 0x80000001 EDX */
#define CPUID_EXT_NX_BIT 20
#define CPUID_EXT_LM_BIT 29

#define _PAGE_PRESENT 0x001
#define _PAGE_RW      0x002
#define _PAGE_PSE     0x080

/* Selectors of the small boot GDTs (head.S, trampoline.S). */
#define GDT_SEL_CODE64 0x08
#define GDT_SEL_DATA   0x10

/* Selectors of the per-CPU GDTs: Xen's x86-64 values, which PV guests use. */
#define __HYPERVISOR_CS	   0xe008
#define __HYPERVISOR_DS	   0xe010
#define FLAT_RING3_CS32	   0xe023
#define FLAT_RING3_DS	   0xe02b
#define FLAT_RING3_CS64	   0xe033
#define HYPERVISOR_TSS_SEL 0xe040

/* The "vector" of a hypercall frame, built by the syscall entry. */
#define SYSCALL_VECTOR 0x100

#endif
