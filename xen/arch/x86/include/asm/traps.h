#ifndef ASM_TRAPS_H
#define ASM_TRAPS_H

/*
 * Load the IDT before anything else can fault: every exception becomes a
 * crash report. The IST stacks are added by percpu_cpu_init(0).
 */
void traps_init_early(void);

#endif
