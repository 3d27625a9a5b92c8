/* Domains and their virtual CPUs. */
#ifndef XEN_SCHED_H
#define XEN_SCHED_H

#include <xen/console.h>
#include <xen/mm.h>
#include <xen/sched-core.h>
#include <xen/timer.h>
#include <xen/spinlock.h>
#include <xen/types.h>
#include <public/vcpu.h>
#include <public/xen.h>
#include <asm/domain.h>

#define DOMAIN_NAME_MAX	 32
#define MAX_VIRT_CPUS	 32
#define DOMID_CONTROL	 0 /* the control domain, built by the hypervisor */
#define DOMAIN_WATCHDOGS 2 /* as Xen's */

/* What a domain is for; the policy module decides what each may do. */
#define DOMROLE_CONTROL	 (1u << 0)
#define DOMROLE_XENSTORE (1u << 1)
#define DOMROLE_DRIVER	 (1u << 2)

enum domain_state {
	DOMSTATE_ACTIVE,
	DOMSTATE_SHUTDOWN, /* stopped for a reason; the toolstack decides */
	DOMSTATE_DYING,	   /* being destroyed */
};

struct evtchn_table;
struct grant_table;
struct iommu_domain;

struct vcpu {
	unsigned int vcpu_id;
	struct domain *domain;
	struct vcpu_info *vcpu_info;	   /* in shared_info, or registered */
	uint16_t virq_to_evtchn[NR_VIRQS]; /* 0: not bound */
	unsigned int processor;		   /* the CPU it runs or last ran on */
	bool running;
	bool online;  /* VCPUOP_up / down */
	bool polling; /* in SCHEDOP_poll: any pending port wakes it */
	struct timer poll_timer;
	struct sched_unit sched;
	struct timer singleshot;	    /* VIRQ_TIMER when it expires */
	struct vcpu_runstate_info runstate; /* xen/common/runstate.c */
	uint64_t runstate_guest;	    /* its copy's address, or 0 */
	spinlock_t runstate_lock;
	struct arch_vcpu arch;
};

struct domain {
	domid_t domain_id;
	char name[DOMAIN_NAME_MAX];
	/* The tools' name for what it is: a restart of it keeps the same. */
	xen_domain_handle_t handle;
	uint32_t roles;
	spinlock_t lock;
	enum domain_state state;
	unsigned int refcnt; /* the domain list's, and domain_get()'s */
	unsigned int shutdown_code;
	unsigned int pause_count;
	unsigned int max_vcpus;
	struct vcpu *vcpus[MAX_VIRT_CPUS];
	struct mem_account mem; /* frames charged, limit */
	uint32_t page_head;	/* its frames, linked through page_info */
	struct shared_info *shared_info; /* a hypervisor page it may map */
	struct timer watchdog[DOMAIN_WATCHDOGS];
	bool watchdog_used[DOMAIN_WATCHDOGS];
	struct evtchn_table *evtchn; /* xen/common/event_channel.c */
	struct grant_table *gnttab;  /* xen/common/grant_table.c */
	struct iommu_domain *iommu;  /* its DMA table, when it has devices */
	struct console_line console; /* its console output's open line */
	struct arch_domain arch;
	struct domain *next; /* in the domain list, by id */
};

/*
 * Make a domain (paused, no memory, vCPUs not yet created): id 0 is the
 * control domain's, others take the lowest free id. Returns 0 and *out,
 * or -EINVAL (bad name, vCPU count, limit), -EEXIST (id taken),
 * -ENOSPC (no id left), -ENOMEM.
 */
int domain_create(domid_t want, const char *name, unsigned int max_vcpus,
		  unsigned long max_pages, uint32_t roles, struct domain **out);
/* vCPU id of d, made (offline, no context); NULL without memory. */
struct vcpu *vcpu_create(struct domain *d, unsigned int id);

/*
 * Take the domain down and give back everything it held: -EBUSY if it is
 * being destroyed already. The struct stays until the last domain_put().
 */
int domain_destroy(struct domain *d);
/* Stop it for a reason (SHUTDOWN_*); the control domain hears of it. */
void domain_shutdown(struct domain *d, unsigned int reason);
/*
 * The domain with this id, not being destroyed, with a reference that
 * keeps the struct (not its memory or vCPUs) valid until domain_put().
 * NULL if there is none.
 */
struct domain *domain_get(domid_t id);
void domain_put(struct domain *d);

/* A frame for d, charged to it and listed; NULL over its limit. */
struct page_info *domain_alloc_page(struct domain *d);
/* Every frame d holds, given back (with its mappings gone). */
void domain_free_pages(struct domain *d);
/* Iterate d's frames: first, then next until NULL. */
struct page_info *domain_first_page(const struct domain *d);
struct page_info *domain_next_page(const struct page_info *pg);

/* Scheduling (xen/common/schedule.c). */
void schedule_init(void);
/* From now on, CPUs pick vCPUs to run (boot is over). */
void schedule_start(void);
/* v may run / may not run (blocked, down, or its domain stopped). */
void vcpu_wake(struct vcpu *v);
void vcpu_block(struct vcpu *v);
/* Set up / take down v's scheduling state (domain.c). */
int vcpu_sched_init(struct vcpu *v);
void vcpu_sched_remove(struct vcpu *v);
/* Give the CPU up at the next chance (yield, slice over). */
void vcpu_yield(struct vcpu *v);
/* The arch switches this CPU from prev to next (either may be NULL). */
void arch_switch_to(struct vcpu *prev, struct vcpu *next);
struct vcpu *arch_current(void);

/* Run states (xen/common/runstate.c). */
void vcpu_runstate_init(struct vcpu *v);
/* The scheduler switches a CPU from prev to next (either may be NULL). */
void vcpu_runstate_switch(struct vcpu *prev, struct vcpu *next);
/* v was woken, blocked, paused or taken down. */
void vcpu_runstate_changed(struct vcpu *v);
/* A snapshot, the time in the current state so far included. */
void vcpu_runstate_get(struct vcpu *v, struct vcpu_runstate_info *out);
/* VCPUOP_get_runstate_info and VCPUOP_register_runstate_memory_area. */
long vcpu_runstate_op(struct vcpu *v, unsigned int cmd, uint64_t arg);

/*
 * SCHEDOP_watchdog (xen/common/watchdog.c): id 0 and a timeout in
 * seconds arms a new one (returns its id), a known id pets it, timeout 0
 * stops it. -ENOSPC with all in use, -EINVAL for an unknown id.
 */
long domain_watchdog(struct domain *d, uint32_t id, uint32_t timeout);
void domain_watchdogs_stop(struct domain *d);

/* Number of domains alive (for the debug keys and tests). */
unsigned int domain_count(void);
void domain_print_all(void);

#endif
