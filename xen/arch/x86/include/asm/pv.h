/* Paravirtual domains on x86-64: building, running, hypercalls. */
#ifndef ASM_PV_H
#define ASM_PV_H

#include <xen/elf.h>
#include <xen/types.h>

struct domain;
struct vcpu;
struct cpu_regs;
struct pt_alloc;

/*
 * Build d from a checked ELF image: all of d's memory allocated and
 * mapped from the image's base, the image loaded, the hypercall page
 * written, start_info (with the command line) and a boot stack set
 * up, vCPU 0 ready to start at the entry point; the boot modules after
 * the first (bi, for the control domain; NULL for others) are handed
 * over read-only. Returns 0 or an errno with *why saying what failed.
 */
struct boot_info;
int pv_build(struct domain *d, const struct elf_image *img, const char *cmdline,
	     const struct boot_info *bi, const char **why);

/* PV domains live in the lower half; the hypervisor's half is never theirs. */
#define GUEST_VA_END 0x0000800000000000ull

/*
 * A zeroed page-table frame of the domain ctx (a struct domain *),
 * charged to it; 0 when it has none left. For struct pt_alloc.
 */
paddr_t pv_alloc_pt(void *ctx);

/* Pieces of the builder that domctl uses too (pv/build.c). */
int pv_shared_info(struct domain *d);
int pv_build_root(struct domain *d);
void pv_write_hypercall_page(uint8_t *page);
/* The hypervisor's pointer to d's byte at va, or NULL if unmapped. */
void *pv_va(struct domain *d, uint64_t va);
long pv_vcpu_create_with_context(struct domain *d, unsigned int id,
				 struct domain *src, uint64_t ctxp);
long pv_do_domctl(uint64_t arg, uint64_t a2, uint64_t a3, uint64_t a4,
		  uint64_t a5);

/* Run v on this CPU from its saved registers; does not return. */
void pv_vcpu_enter(struct vcpu *v) __noreturn;

/* A hypercall (syscall from ring 3) or an exception in the guest. */
void pv_hypercall(struct cpu_regs *regs);
void pv_guest_exception(struct cpu_regs *regs);

/* Before returning to the guest: softirqs, and leaving if it stopped. */
void pv_exit_to_guest(struct cpu_regs *regs);

struct boot_info;
/*
 * Build the control domain from module 0 and make it runnable; false
 * when there is no usable module 0, having said why.
 */
bool pv_start_control_domain(const struct boot_info *bi);

/* Hypercall handlers outside hypercall.c (arguments as in the ABI). */
long pv_do_update_va_mapping(uint64_t va, uint64_t pte, uint64_t flags,
			     uint64_t a4, uint64_t a5);
long pv_do_mmuext_op(uint64_t uops, uint64_t count, uint64_t done_ptr,
		     uint64_t domid, uint64_t a5);
long pv_do_memory_op(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4,
		     uint64_t a5);

long pv_do_set_callbacks(uint64_t event, uint64_t failsafe, uint64_t syscall,
			 uint64_t a4, uint64_t a5);
long pv_do_callback_op(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4,
		       uint64_t a5);
long pv_do_set_trap_table(uint64_t table, uint64_t a2, uint64_t a3, uint64_t a4,
			  uint64_t a5);
long pv_do_iret(struct cpu_regs *regs);
long pv_do_vcpu_op(uint64_t cmd, uint64_t id, uint64_t arg, uint64_t a4,
		   uint64_t a5);
long pv_do_physdev_op(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4,
		      uint64_t a5);
long pv_do_grant_table_op(uint64_t cmd, uint64_t uop, uint64_t count,
			  uint64_t a4, uint64_t a5);
long pv_do_event_channel_op(uint64_t cmd, uint64_t arg, uint64_t a3,
			    uint64_t a4, uint64_t a5);

/* Time (pv/time.c). */
void pv_time_init(void);
void pv_time_set_wallclock(struct domain *d);
void pv_time_update_vcpu(struct vcpu *v);
void pv_timer_init(struct vcpu *v);
long pv_vcpu_timer_op(struct vcpu *v, uint64_t cmd, uint64_t arg);
long pv_do_set_timer_op(uint64_t timeout, uint64_t a2, uint64_t a3, uint64_t a4,
			uint64_t a5);

/* An event upcall, if one is pending and unmasked, on the way out. */
void pv_deliver_events(struct vcpu *v, struct cpu_regs *regs);
/* Send an exception to the domain's handler; false if it has none. */
bool pv_bounce_exception(struct vcpu *v, struct cpu_regs *regs, uint64_t cr2);

/*
 * Flush d's translation of va (PV_FLUSH_ALL: all of them) on every CPU
 * that may hold it, after changing d's page tables (pv/tlb.c).
 */
#define PV_FLUSH_ALL (~0ull)
void pv_flush_tlb(const struct domain *d, uint64_t va);
/*
 * pt_set_leaf() in d's tables, and a present mapping it replaced
 * flushed from every CPU: it must be gone before its frame changes hands.
 */
int pv_set_leaf(struct domain *d, uint64_t va, uint64_t pte,
		const struct pt_alloc *alloc);
/* Point this CPU's CR3 at d's page tables, unless it holds them already. */
void pv_load_cr3(const struct domain *d);

/* Does va of d hold a grant mapping (PTE_GRANT)? */
bool pv_va_maps_grant(struct domain *d, uint64_t va);

/* The vCPU running on this CPU, or NULL when idle. */
struct vcpu *pv_current(void);

#endif
