/*
 * Floating-point, SSE and AVX state of vCPUs. The hypervisor itself uses
 * none of it (it is built -mgeneral-regs-only), so the state is switched
 * with the vCPU: saved when one leaves a CPU, restored when one enters.
 */
#ifndef ASM_FPU_H
#define ASM_FPU_H

struct vcpu;

/* Enable FXSR and, where offered, XSAVE with x87, SSE and AVX (per CPU). */
void fpu_cpu_init(void);
/* A vCPU's save area, in its initial state; -ENOMEM. */
int fpu_vcpu_init(struct vcpu *v);
void fpu_vcpu_free(struct vcpu *v);
void fpu_save(struct vcpu *v);
void fpu_restore(struct vcpu *v);
/* Bytes of state per vCPU (for the boot log). */
unsigned int fpu_state_size(void);

#endif
