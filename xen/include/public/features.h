/*
 * Feature bits returned by XENVER_get_features, numbered across submaps:
 * bit n is bit n % 32 of submap n / 32.
 */
#ifndef XEN_PUBLIC_FEATURES_H
#define XEN_PUBLIC_FEATURES_H

#include "xen-compat.h"

#define XENFEAT_writable_page_tables	   0 /* PV: page tables may be writable */
#define XENFEAT_writable_descriptor_tables 1 /* PV: GDT/LDT may be writable */
#define XENFEAT_auto_translated_physmap	   2 /* guest frames are translated */
#define XENFEAT_supervisor_mode_kernel	   3 /* the kernel runs in ring 0 */
#define XENFEAT_pae_pgdir_above_4gb	   4 /* PAE page directories anywhere */
#define XENFEAT_mmu_pt_update_preserve_ad  5 /* MMU_PT_UPDATE_PRESERVE_AD */
#define XENFEAT_highmem_assist		   6 /* x86-32 highmem help */
#define XENFEAT_gnttab_map_avail_bits	   7 /* GNTMAP_guest_avail bits */
#define XENFEAT_hvm_callback_vector	   8 /* events by a callback vector */
#define XENFEAT_hvm_safe_pvclock	   9 /* pvclock is safe in HVM */
#define XENFEAT_hvm_pirqs		   10 /* PIRQs go over event channels */
#define XENFEAT_dom0			   11 /* this is the hardware domain */
#define XENFEAT_grant_map_identity	   12 /* grants map 1:1 (ARM) */
#define XENFEAT_memory_op_vnode_supported  13 /* XENMEMF_vnode */
#define XENFEAT_ARM_SMCCC_supported	   14 /* SMCCC (ARM) */
#define XENFEAT_linux_rsdp_unrestricted	   15 /* PVH: RSDP anywhere */
#define XENFEAT_not_direct_mapped	   16 /* guest frames != machine */
#define XENFEAT_direct_mapped		   17 /* guest frames == machine */

#define XENFEAT_NR_SUBMAPS 1

#endif /* XEN_PUBLIC_FEATURES_H */
