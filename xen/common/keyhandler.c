/*
 * Debug keys, as Xen has them: Ctrl-A three times switches the serial
 * console's input to the hypervisor; then each key runs a handler. Keys
 * arrive in interrupt context and are handled in a softirq.
 */
#include <xen/console.h>
#include <xen/keyhandler.h>
#include <xen/lib.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/softirq.h>
#include <xen/timer.h>
#include <asm/cpu.h>
#include <asm/irq.h>
#include <xen/arch.h>
#include <asm/mm.h>

#define KEY_SWITCH    0x01 /* Ctrl-A */
#define KEY_QUEUE_LEN 16

struct key_handler {
	char key;
	const char *desc;
	void (*fn)(void);
};

static bool input_to_hypervisor;
static unsigned int switch_presses;
static char key_queue[KEY_QUEUE_LEN];
static unsigned int key_head, key_tail; /* written by one CPU each */

static void key_help(void);

static void key_cpu_state_one(void *unused)
{
	struct percpu *p = this_cpu();
	uint64_t rsp;

	__asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
	log_always("  CPU %u: APIC ID %u, rsp %016llx, softirqs %s\n", p->cpu,
		   p->apic_id, (unsigned long long)rsp,
		   softirq_pending(p->cpu) ? "pending" : "none");
}

static void key_cpu_state(void)
{
	log_always("%u CPUs online:\n", nr_cpus_online);
	on_each_cpu(key_cpu_state_one, NULL);
}

static void key_reboot(void)
{
	log_always("Rebooting at the console's request.\n");
	smp_stop_others();
	console_tx_sync();
	arch_reboot();
}

static const struct key_handler key_handlers[] = {
	{ 'h', "print this help", key_help },
	{ 'm', "memory use", mm_print_usage },
	{ 'c', "per-CPU state", key_cpu_state },
	{ 't', "timers on every CPU", timer_print_queues },
	{ 'd', "domains and their vCPUs", domain_print_all },
	{ 'i', "interrupts taken, by vector", irq_print_counts },
	{ 'R', "reboot the machine", key_reboot },
};

static void key_help(void)
{
	log_always("Debug keys ('%s' three times switches input back):\n",
		   "CTRL-a");
	for (unsigned int i = 0; i < ARRAY_SIZE(key_handlers); i++)
		log_always("  '%c' %s\n", key_handlers[i].key,
			   key_handlers[i].desc);
}

static void keyhandler_softirq(void)
{
	while (key_tail != __atomic_load_n(&key_head, __ATOMIC_ACQUIRE)) {
		char c = key_queue[key_tail % KEY_QUEUE_LEN];
		unsigned int i;

		__atomic_store_n(&key_tail, key_tail + 1, __ATOMIC_RELEASE);
		for (i = 0; i < ARRAY_SIZE(key_handlers); i++)
			if (key_handlers[i].key == c)
				break;
		if (i < ARRAY_SIZE(key_handlers))
			key_handlers[i].fn();
		else
			log_always("No debug key '%c' (0x%02x): 'h' for help\n",
				   c >= 0x20 && c < 0x7f ? c : '?',
				   (unsigned char)c);
	}
}

static void keyhandler_switch(void)
{
	input_to_hypervisor = !input_to_hypervisor;
	log_always("*** Serial input to %s (type 'CTRL-a' three times to "
		   "switch input)\n",
		   input_to_hypervisor ? "the hypervisor"
				       : "the control domain");
}

bool keyhandler_input(char c)
{
	if (c == KEY_SWITCH) {
		if (++switch_presses == 3) {
			switch_presses = 0;
			keyhandler_switch();
		}
		return true;
	}
	switch_presses = 0;
	if (!input_to_hypervisor)
		return false;
	/* A full queue drops the key: nobody types that fast. */
	if (key_head - __atomic_load_n(&key_tail, __ATOMIC_ACQUIRE) <
	    KEY_QUEUE_LEN) {
		key_queue[key_head % KEY_QUEUE_LEN] = c;
		__atomic_store_n(&key_head, key_head + 1, __ATOMIC_RELEASE);
	}
	raise_softirq(DEBUGKEY_SOFTIRQ);
	return true;
}

void keyhandler_init(void)
{
	open_softirq(DEBUGKEY_SOFTIRQ, keyhandler_softirq);
	log_info("Debug keys: type 'CTRL-a' three times on the console\n");
}
