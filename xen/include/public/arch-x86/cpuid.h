/*
 * The hypervisor CPUID leaves. They start at 0x40000000 and may be found
 * at any multiple of 0x100 above it (up to 0x4000ff00), so a guest scans
 * for the signature. Offsets below are from the base found.
 *
 *   +0  eax: highest leaf (base + XEN_CPUID_MAX_NUM_LEAVES);
 *       ebx, ecx, edx: "XenVMMXenVMM"
 *   +1  eax: version, major << 16 | minor
 *   +2  eax: hypercall pages, ebx: MSR that installs them
 *   +3  time (TSC mode and frequency)
 *   +4  HVM/PVH: eax XEN_HVM_CPUID_* bits, ebx vCPU id, ecx domain id
 *   +5  PV-specific parameters
 */
#ifndef XEN_PUBLIC_ARCH_X86_CPUID_H
#define XEN_PUBLIC_ARCH_X86_CPUID_H

#include "../xen-compat.h"

#define XEN_CPUID_FIRST_LEAF 0x40000000
#define XEN_CPUID_LEAF(i)    (XEN_CPUID_FIRST_LEAF + (i))

#define XEN_CPUID_SIGNATURE_EBX 0x566e6558 /* "XenV" */
#define XEN_CPUID_SIGNATURE_ECX 0x65584d4d /* "MMXe" */
#define XEN_CPUID_SIGNATURE_EDX 0x4d4d566e /* "nVMM" */

#define XEN_CPUID_MAX_NUM_LEAVES 5

/* Leaf +4, eax */
#define XEN_HVM_CPUID_APIC_ACCESS_VIRT (1u << 0)
#define XEN_HVM_CPUID_X2APIC_VIRT      (1u << 1)
#define XEN_HVM_CPUID_IOMMU_MAPPINGS   (1u << 2)
#define XEN_HVM_CPUID_VCPU_ID_PRESENT  (1u << 3) /* ebx holds the vCPU id */
#define XEN_HVM_CPUID_DOMID_PRESENT    (1u << 4) /* ecx holds the domain id */
#define XEN_HVM_CPUID_EXT_DEST_ID      (1u << 5) /* 15-bit APIC destinations */
#define XEN_HVM_CPUID_UPCALL_VECTOR    (1u << 6) /* per-vCPU upcall vector */

#endif /* XEN_PUBLIC_ARCH_X86_CPUID_H */
