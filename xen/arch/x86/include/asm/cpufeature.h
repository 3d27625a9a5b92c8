/* CPU identification and feature bits (word * 32 + bit). */
#ifndef ASM_CPUFEATURE_H
#define ASM_CPUFEATURE_H

#include <xen/types.h>

enum cpuid_word {
	CPUID_1_EDX,
	CPUID_1_ECX,
	CPUID_80000001_EDX,
	CPUID_80000001_ECX,
	CPUID_7_EBX,
	CPUID_7_ECX,
	CPUID_80000007_EDX,
	CPUID_WORDS,
};

#define X86_FEATURE(w, b)	 ((w)*32 + (b))
#define X86_FEATURE_PGE		 X86_FEATURE(CPUID_1_EDX, 13)
#define X86_FEATURE_APIC	 X86_FEATURE(CPUID_1_EDX, 9)
#define X86_FEATURE_X2APIC	 X86_FEATURE(CPUID_1_ECX, 21)
#define X86_FEATURE_TSC_DEADLINE X86_FEATURE(CPUID_1_ECX, 24)
#define X86_FEATURE_XSAVE	 X86_FEATURE(CPUID_1_ECX, 26)
#define X86_FEATURE_HYPERVISOR	 X86_FEATURE(CPUID_1_ECX, 31)
#define X86_FEATURE_NX		 X86_FEATURE(CPUID_80000001_EDX, 20)
#define X86_FEATURE_PAGE1GB	 X86_FEATURE(CPUID_80000001_EDX, 26)
#define X86_FEATURE_SVM		 X86_FEATURE(CPUID_80000001_ECX, 2)
#define X86_FEATURE_FSGSBASE	 X86_FEATURE(CPUID_7_EBX, 0)
#define X86_FEATURE_SMEP	 X86_FEATURE(CPUID_7_EBX, 7)
#define X86_FEATURE_SMAP	 X86_FEATURE(CPUID_7_EBX, 20)
#define X86_FEATURE_UMIP	 X86_FEATURE(CPUID_7_ECX, 2)
#define X86_FEATURE_INVTSC	 X86_FEATURE(CPUID_80000007_EDX, 8)

struct cpuinfo_x86 {
	char vendor[13];
	char model_id[49];
	unsigned int family, model, stepping;
	unsigned int phys_bits;
	uint32_t words[CPUID_WORDS];
};

/* The boot CPU's; every other CPU must offer at least the same. */
extern struct cpuinfo_x86 boot_cpu_data;

/* Read this CPU's identification into c. */
void cpu_identify(struct cpuinfo_x86 *c);
void cpu_print(const struct cpuinfo_x86 *c);

static inline bool cpu_has(unsigned int feature)
{
	return boot_cpu_data.words[feature / 32] & (1u << (feature % 32));
}

static inline void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a,
			       uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid"
			 : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(sub));
}

#endif
