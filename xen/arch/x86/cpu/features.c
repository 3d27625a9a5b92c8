/* Protection features, switched on where the CPU offers them. */
#include <xen/lib.h>
#include <asm/cpu.h>
#include <asm/cpufeature.h>
#include <asm/fpu.h>

#define X86_CR4_PGE  (1ull << 7)
#define X86_CR4_UMIP (1ull << 11)
#define X86_CR4_SMEP (1ull << 20)
#define X86_CR4_SMAP (1ull << 21)

uint8_t x86_smap;

/*
 * SMEP and SMAP stop the hypervisor from running or (outside explicit
 * guest accesses) touching user pages; UMIP hides descriptor table
 * addresses from ring 3. NX was turned on in head.S.
 */
void cpu_init_features(void)
{
	uint64_t cr4;

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	if (cpu_has(X86_FEATURE_PGE))
		cr4 |= X86_CR4_PGE;
	if (cpu_has(X86_FEATURE_SMEP))
		cr4 |= X86_CR4_SMEP;
	if (cpu_has(X86_FEATURE_SMAP)) {
		cr4 |= X86_CR4_SMAP;
		x86_smap = 1;
	}
	if (cpu_has(X86_FEATURE_UMIP))
		cr4 |= X86_CR4_UMIP;
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
	fpu_cpu_init();
}

void cpu_print_features(void)
{
	log_info("CPU: NX %s, SMEP %s, SMAP %s, UMIP %s, 1 GiB pages %s\n",
		 cpu_has(X86_FEATURE_NX) ? "on" : "absent",
		 cpu_has(X86_FEATURE_SMEP) ? "on" : "absent",
		 cpu_has(X86_FEATURE_SMAP) ? "on" : "absent",
		 cpu_has(X86_FEATURE_UMIP) ? "on" : "absent",
		 cpu_has(X86_FEATURE_PAGE1GB) ? "yes" : "no");
	log_info("CPU: %s, %u bytes of FPU state per vCPU\n",
		 cpu_has(X86_FEATURE_XSAVE) ? "XSAVE" : "FXSAVE",
		 fpu_state_size());
}
