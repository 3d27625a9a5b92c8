#ifndef ASM_TRAPS_H
#define ASM_TRAPS_H

/* Load an IDT that turns any exception into a crash report. */
void traps_init_early(void);

#endif
