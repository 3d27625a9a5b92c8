/* The vector table: handlers for device, timer and IPI vectors. */
#include <xen/errno.h>
#include <xen/lib.h>
#include <xen/spinlock.h>
#include <asm/apic.h>
#include <asm/irq.h>
#include <asm/regs.h>

#define NR_VECTORS 256

struct irq_vector {
	irq_handler_t fn;
	void *data;
	uint64_t count;
};

static struct irq_vector irq_vectors[NR_VECTORS];
static DEFINE_SPINLOCK(irq_vector_lock);

int irq_vector_alloc(irq_handler_t fn, void *data)
{
	int vector = -ENOSPC;

	spin_lock(&irq_vector_lock);
	for (unsigned int v = DYNAMIC_VECTOR_BASE; v < DYNAMIC_VECTOR_END;
	     v++) {
		if (!irq_vectors[v].fn) {
			irq_vectors[v].data = data;
			__atomic_store_n(&irq_vectors[v].fn, fn,
					 __ATOMIC_RELEASE);
			vector = (int)v;
			break;
		}
	}
	spin_unlock(&irq_vector_lock);
	return vector;
}

void irq_vector_free(unsigned int vector)
{
	ASSERT(vector >= DYNAMIC_VECTOR_BASE && vector < DYNAMIC_VECTOR_END);
	__atomic_store_n(&irq_vectors[vector].fn, NULL, __ATOMIC_RELEASE);
}

void irq_vector_set(unsigned int vector, irq_handler_t fn, void *data)
{
	irq_vectors[vector].data = data;
	__atomic_store_n(&irq_vectors[vector].fn, fn, __ATOMIC_RELEASE);
}

void irq_dispatch(struct cpu_regs *regs)
{
	unsigned int v = regs->vector & 0xff;
	struct irq_vector *iv = &irq_vectors[v];
	irq_handler_t fn = __atomic_load_n(&iv->fn, __ATOMIC_ACQUIRE);

	__atomic_fetch_add(&iv->count, 1, __ATOMIC_RELAXED);
	/* Spurious and legacy 8259 vectors are not acknowledged at the APIC. */
	if (v == SPURIOUS_VECTOR ||
	    (v >= LEGACY_VECTOR_BASE && v < DYNAMIC_VECTOR_BASE))
		return;
	if (fn)
		fn(regs, iv->data);
	else if (iv->count == 1)
		log_warn("interrupt on unused vector %#x\n", v);
	apic_eoi();
}

void irq_print_counts(void)
{
	log_always("Interrupts taken, by vector:\n");
	for (unsigned int v = 0; v < NR_VECTORS; v++) {
		uint64_t n =
		    __atomic_load_n(&irq_vectors[v].count, __ATOMIC_RELAXED);

		if (n)
			log_always("  %#04x: %llu%s\n", v,
				   (unsigned long long)n,
				   irq_vectors[v].fn ? "" : " (no handler)");
	}
}
