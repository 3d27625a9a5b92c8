/*
 * Boot self-tests (CONFIG_SELFTEST): the host unit tests check this code
 * as the host compiler builds it; these check it as built freestanding
 * for the hypervisor, where a wrong flag or a missing builtin shows.
 */
#include <xen/kernel.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/sched.h>
#include <xen/smp.h>
#include <xen/softirq.h>
#include <xen/spinlock.h>
#include <xen/string.h>
#include <xen/timer.h>

#define SELFTEST_ORDERS		10
#define SELFTEST_TIMER_LATE_MAX MILLISECS(200)

struct fmt_case {
	const char *expect;
	int (*run)(char *buf, size_t size);
};

static int fmt_case_ints(char *buf, size_t size)
{
	return fmt_snprintf(buf, size, "%d %u %x %5.3d|%-4d|", -42, 42u,
			    0xbeefu, 7, 3);
}

static int fmt_case_wide(char *buf, size_t size)
{
	return fmt_snprintf(buf, size, "%llx %zu %#lx", 0xffff82d040000000ull,
			    (size_t)4096, 0x10ul);
}

static int fmt_case_strings(char *buf, size_t size)
{
	return fmt_snprintf(buf, size, "%s|%.2s|%c|%%", "abc", "xyz", 'q');
}

static const struct fmt_case fmt_cases[] = {
	{ "-42 42 beef   007|3   |", fmt_case_ints },
	{ "ffff82d040000000 4096 0x10", fmt_case_wide },
	{ "abc|xy|q|%", fmt_case_strings },
};

static bool selftest_fmt(const struct fmt_case *c)
{
	char buf[64];
	int n = c->run(buf, sizeof(buf));

	return n == (int)strlen(c->expect) && !strcmp(buf, c->expect);
}

static bool selftest_string(void)
{
	char a[32], b[32];

	memset(a, 'x', sizeof(a));
	memcpy(b, a, sizeof(b));
	memmove(a + 1, a, 8);
	return !memcmp(a, b, sizeof(a)) && strlen("citadel") == 7 &&
	       strncmp("abc", "abd", 2) == 0 && strcmp("abc", "abd") < 0 &&
	       strchr("a=b", '=') != NULL && strnlen("abcdef", 3) == 3;
}

/* Blocks of every order are aligned and disjoint, and all come back. */
static bool selftest_alloc(void)
{
	struct page_alloc_stats before, after;
	struct page_info *pg[SELFTEST_ORDERS];
	bool ok = true;

	page_alloc_get_stats(&before);
	for (unsigned int o = 0; o < SELFTEST_ORDERS; o++) {
		pg[o] = page_alloc(o, DOMID_XEN, PGU_XEN, NULL);
		ok = ok && pg[o] &&
		     !(mfn_x(page_to_mfn(pg[o])) & ((1u << o) - 1));
		for (unsigned int p = 0; ok && p < o; p++) {
			uint64_t a = mfn_x(page_to_mfn(pg[p]));
			uint64_t b = mfn_x(page_to_mfn(pg[o]));

			ok = a + (1u << p) <= b || b + (1u << o) <= a;
		}
	}
	for (unsigned int o = 0; o < SELFTEST_ORDERS; o++)
		if (pg[o] && page_free(pg[o], o, NULL) < 0)
			ok = false;
	page_alloc_get_stats(&after);
	return ok && after.free == before.free;
}

struct selftest_timer {
	struct timer timer;
	s_time_t fired;
};

static struct selftest_timer st_timers[CONFIG_NR_CPUS];

static void selftest_timer_fn(void *data)
{
	struct selftest_timer *st = data;

	__atomic_store_n(&st->fired, NOW(), __ATOMIC_RELEASE);
}

static void selftest_timer_arm(void *unused)
{
	unsigned int cpu = smp_processor_id();
	struct selftest_timer *st = &st_timers[cpu];

	timer_init(&st->timer, selftest_timer_fn, st, cpu);
	st->fired = 0;
	timer_set(&st->timer, NOW() + MILLISECS(5 + 5 * cpu));
}

/* Wait for the other CPUs while still running our own softirqs. */
static bool selftest_wait_timers(s_time_t deadline)
{
	for (;;) {
		bool all = true;

		do_softirq();
		for_each_online_cpu(c) all =
		    all &&
		    __atomic_load_n(&st_timers[c].fired, __ATOMIC_ACQUIRE);
		if (all)
			return true;
		if (NOW() > deadline)
			return false;
		cpu_relax();
	}
}

/* A timer on every CPU fires, never early and not very late. */
static bool selftest_timers(void)
{
	s_time_t worst = 0;
	bool ok;

	on_each_cpu(selftest_timer_arm, NULL);
	ok = selftest_wait_timers(NOW() + SECONDS(2));
	for_each_online_cpu(c)
	{
		struct selftest_timer *st = &st_timers[c];
		s_time_t late = st->fired - st->timer.expires;

		if (!st->fired || st->fired < st->timer.expires) {
			log_err("self-test: CPU %u timer fired at %llu, due "
				"%llu\n",
				c, (unsigned long long)st->fired,
				(unsigned long long)st->timer.expires);
			ok = false;
		} else if (late > worst) {
			worst = late;
		}
	}
	log_info("Self-test: timers on %u CPUs, latest %llu us late\n",
		 nr_cpus_online, (unsigned long long)(worst / 1000));
	return ok && worst < SELFTEST_TIMER_LATE_MAX;
}

static unsigned int ipi_hits[CONFIG_NR_CPUS];

static void selftest_ipi_fn(void *unused)
{
	__atomic_fetch_add(&ipi_hits[smp_processor_id()], 1, __ATOMIC_RELAXED);
}

/* A function sent to every CPU runs on every CPU, exactly once. */
static bool selftest_ipi(void)
{
	bool ok = true;

	on_each_cpu(selftest_ipi_fn, NULL);
	for_each_online_cpu(c)
	{
		ok = ok && ipi_hits[c] == 1;
		ok = ok && on_cpu(c, selftest_ipi_fn, NULL) == 0 &&
		     ipi_hits[c] == 2;
	}
	return ok;
}

/*
 * A domain with memory, vCPUs and event channels, destroyed, gives back
 * every frame: free, or dirty until zeroed, then free.
 */
static bool selftest_domain_lifecycle(void)
{
	struct page_alloc_stats before, after;
	struct domain *d;
	bool ok = true;

	page_alloc_get_stats(&before);
	if (domain_create(DOMID_INVALID, "selftest", 4, 300, 0, &d) < 0)
		return false;
	for (unsigned int i = 0; i < 256; i++)
		ok = ok && domain_alloc_page(d);
	ok = ok && d->mem.pages == 256;
	for (unsigned int i = 0; i < 4; i++)
		ok = ok && vcpu_create(d, i);
	ok = ok && !vcpu_create(d, 4); /* beyond max_vcpus */
	domain_destroy(d);
	/* Its frames wait to be zeroed, or are free (an idle CPU's work). */
	page_alloc_get_stats(&after);
	ok = ok && after.free + after.dirty == before.free + before.dirty;
	while (page_scrub(64))
		;
	page_alloc_get_stats(&after);
	return ok && !after.dirty && after.free == before.free + before.dirty;
}

static const struct {
	const char *name;
	bool (*run)(void);
} selftests[] = {
	{ "string functions", selftest_string },
	{ "page allocator", selftest_alloc },
	{ "timers", selftest_timers },
	{ "IPIs", selftest_ipi },
	{ "domain life cycle", selftest_domain_lifecycle },
};

void kernel_selftest(void)
{
	unsigned int failed = 0, i;

	for (i = 0; i < ARRAY_SIZE(fmt_cases); i++)
		if (!selftest_fmt(&fmt_cases[i])) {
			log_err("self-test: format case %u failed\n", i);
			failed++;
		}
	for (i = 0; i < ARRAY_SIZE(selftests); i++)
		if (!selftests[i].run()) {
			log_err("self-test: %s failed\n", selftests[i].name);
			failed++;
		}
	if (failed)
		panic("%u boot self-test(s) failed", failed);
	log_info("Self-tests: %zu passed\n",
		 ARRAY_SIZE(fmt_cases) + ARRAY_SIZE(selftests));
}
