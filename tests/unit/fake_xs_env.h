/*
 * The xenstore core's environment (stubdom/xenstore/xs_env.h) for host
 * programs: the C library's allocator with every block counted, an
 * allocation that fails on demand, and the last log line kept.
 */
#ifndef TESTS_FAKE_XS_ENV_H
#define TESTS_FAKE_XS_ENV_H

extern long live_blocks; /* allocated, not freed yet */
extern long oversized;	 /* asked for more than XS_ALLOC_MAX */
extern long fail_in;	 /* allocations before one fails; -1: none */
extern unsigned int log_lines;
extern char last_log[256];

#endif
