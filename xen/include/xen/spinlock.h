/*
 * Ticket spinlocks (FIFO, so no CPU starves) and reader-writer locks.
 * They disable nothing: code that takes a lock from interrupt context
 * must take it with interrupts off everywhere (see asm/system.h).
 */
#ifndef XEN_SPINLOCK_H
#define XEN_SPINLOCK_H

#include <xen/types.h>

/* owner is the ticket being served, next the one the next CPU gets. */
typedef union {
	uint32_t word;
	struct {
		uint16_t owner;
		uint16_t next;
	} t;
} spinlock_t;

#define SPIN_LOCK_UNLOCKED ((spinlock_t){ .word = 0 })
#define DEFINE_SPINLOCK(l) spinlock_t l = SPIN_LOCK_UNLOCKED

static inline void cpu_relax(void)
{
	__builtin_ia32_pause();
}

static inline void spin_lock(spinlock_t *l)
{
	uint16_t me = __atomic_fetch_add(&l->t.next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->t.owner, __ATOMIC_ACQUIRE) != me)
		cpu_relax();
}

/* Take a ticket only when it would be served at once. */
static inline bool spin_trylock(spinlock_t *l)
{
	uint32_t old = __atomic_load_n(&l->word, __ATOMIC_RELAXED);

	if ((old & 0xffff) != (old >> 16))
		return false;
	return __atomic_compare_exchange_n(&l->word, &old, old + 0x10000, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->t.owner, (uint16_t)(l->t.owner + 1),
			 __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(const spinlock_t *l)
{
	uint32_t v = __atomic_load_n(&l->word, __ATOMIC_RELAXED);

	return (v & 0xffff) != (v >> 16);
}

/*
 * Reader-writer lock: bit 31 is a writer holding or waiting, the rest
 * counts readers. A waiting writer stops new readers, so writers do not
 * starve.
 */
typedef struct {
	uint32_t cnts;
} rwlock_t;

#define RW_LOCK_UNLOCKED ((rwlock_t){ 0 })
#define RW_WRITER	 0x80000000u

static inline void read_lock(rwlock_t *l)
{
	for (;;) {
		uint32_t v = __atomic_load_n(&l->cnts, __ATOMIC_RELAXED);

		if (!(v & RW_WRITER) && __atomic_compare_exchange_n(
					    &l->cnts, &v, v + 1, false,
					    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
		cpu_relax();
	}
}

static inline void read_unlock(rwlock_t *l)
{
	__atomic_fetch_sub(&l->cnts, 1, __ATOMIC_RELEASE);
}

static inline void write_lock(rwlock_t *l)
{
	/* Claim the writer bit, then wait for the readers to drain. */
	for (;;) {
		uint32_t v = __atomic_load_n(&l->cnts, __ATOMIC_RELAXED);

		if (!(v & RW_WRITER) && __atomic_compare_exchange_n(
					    &l->cnts, &v, v | RW_WRITER, false,
					    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			break;
		cpu_relax();
	}
	while (__atomic_load_n(&l->cnts, __ATOMIC_ACQUIRE) != RW_WRITER)
		cpu_relax();
}

static inline void write_unlock(rwlock_t *l)
{
	__atomic_store_n(&l->cnts, 0, __ATOMIC_RELEASE);
}

#endif
