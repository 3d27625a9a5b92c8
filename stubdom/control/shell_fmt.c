/*
 * The admin shell's output: the column layouts of Xen's xl (list,
 * vcpu-list, info, pci-list, network-list, block-list) and of xentop, so
 * that what users read, and the scripts they wrote against xl, carry over.
 * xl prints times and percentages with %.1f; the hypervisor has no
 * floating point, so they are rounded to tenths in integers here.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/lib.h>
#include <xen/string.h>
#include "shell.h"

/* Tenths of v/div, rounded half up; 0 when div is 0. */
static uint64_t shell_tenths(uint64_t v, uint64_t div)
{
	if (!div)
		return 0;
	/* Above this v * 10 would wrap: lose the rounding, not the value. */
	if (v > UINT64_MAX / 20)
		return v / div * 10;
	return (v * 10 + div / 2) / div;
}

/* A tenths value as %<width>.1f prints it. */
static void shell_fmt_tenths(char *buf, size_t len, uint64_t tenths, int width)
{
	fmt_snprintf(buf, len, "%*llu.%llu", width - 2,
		     (unsigned long long)(tenths / 10),
		     (unsigned long long)(tenths % 10));
}

/* ---- list -------------------------------------------------------------- */

void shell_fmt_list_header(struct shell *s)
{
	shell_puts(s, "Name                                        ID   Mem "
		      "VCPUs\tState\tTime(s)\r\n");
}

/* xl's State: a letter per flag in a fixed place, '-' when clear. */
static void shell_fmt_state(char out[7], unsigned int state)
{
	static const char letters[] = "rbpscd";
	unsigned int i;

	for (i = 0; i < 6; i++)
		out[i] = state & (1u << i) ? letters[i] : '-';
	out[6] = '\0';
}

void shell_fmt_list_dom(struct shell *s, const struct shell_dom *d)
{
	char state[7], time[24];

	shell_fmt_state(state, d->state);
	shell_fmt_tenths(time, sizeof(time), shell_tenths(d->cpu_ns, SHELL_NS),
			 8);
	shell_printf(s, "%-40s %5u %5llu %5u     %s  %s\r\n", d->name, d->id,
		     (unsigned long long)(d->mem_kib / 1024), d->online_vcpus,
		     state, time);
}

/* ---- info -------------------------------------------------------------- */

/* xl info's "key<padding>: value" lines. */
static void shell_kv(struct shell *s, const char *key, const char *val)
{
	shell_printf(s, "%-23s: %s\r\n", key, val);
}

static void shell_kv_u(struct shell *s, const char *key, uint64_t val)
{
	shell_printf(s, "%-23s: %llu\r\n", key, (unsigned long long)val);
}

static void shell_fmt_info_host(struct shell *s, const struct shell_info *i)
{
	shell_kv(s, "host", i->host);
	shell_kv_u(s, "nr_cpus", i->nr_cpus);
	shell_kv_u(s, "max_cpu_id", i->max_cpu_id);
	shell_kv_u(s, "nr_nodes", i->nr_nodes);
	shell_kv_u(s, "cores_per_socket", i->cores_per_socket);
	shell_kv_u(s, "threads_per_core", i->threads_per_core);
	shell_printf(s, "%-23s: %u.%03u\r\n", "cpu_mhz", i->cpu_khz / 1000,
		     i->cpu_khz % 1000);
	/* xl puts a space before each capability, none when there is none. */
	shell_printf(s, "%-23s:%s%s\r\n", "virt_caps",
		     i->virt_caps[0] ? " " : "", i->virt_caps);
	shell_kv_u(s, "total_memory", i->total_kib / 1024);
	shell_kv_u(s, "free_memory", i->free_kib / 1024);
	shell_kv_u(s, "free_cpus", i->free_cpus);
}

static void shell_fmt_info_xen(struct shell *s, const struct shell_info *i)
{
	shell_kv_u(s, "xen_major", i->xen_major);
	shell_kv_u(s, "xen_minor", i->xen_minor);
	shell_kv(s, "xen_extra", i->xen_extra);
	shell_printf(s, "%-23s: %u.%u%s\r\n", "xen_version", i->xen_major,
		     i->xen_minor, i->xen_extra);
	shell_kv(s, "xen_caps", i->xen_caps);
	shell_kv(s, "xen_scheduler", i->xen_scheduler);
	shell_kv_u(s, "xen_pagesize", i->xen_pagesize);
	shell_kv(s, "xen_changeset", i->xen_changeset);
	shell_kv(s, "xen_commandline", i->xen_commandline);
	shell_kv(s, "cc_compiler", i->cc_compiler);
	shell_kv(s, "cc_compile_date", i->cc_compile_date);
}

void shell_fmt_info(struct shell *s, const struct shell_info *i)
{
	shell_fmt_info_host(s, i);
	shell_fmt_info_xen(s, i);
}

/* ---- vcpu-list --------------------------------------------------------- */

void shell_fmt_vcpu_header(struct shell *s)
{
	shell_printf(s, "%-32s %5s %5s %5s %5s %9s %s\r\n", "Name", "ID",
		     "VCPU", "CPU", "State", "Time(s)",
		     "Affinity (Hard / Soft)");
}

static void shell_cpus_append(char *buf, size_t len, size_t *at,
			      unsigned int lo, unsigned int hi)
{
	const char *sep = *at ? "," : "";
	int n;

	if (lo == hi)
		n = fmt_snprintf(buf + *at, len - *at, "%s%u", sep, lo);
	else
		n = fmt_snprintf(buf + *at, len - *at, "%s%u-%u", sep, lo, hi);
	*at += (size_t)n;
	if (*at >= len)
		*at = len - 1;
}

void shell_fmt_cpus(char *buf, size_t len, uint64_t map, unsigned int nr)
{
	size_t at = 0;
	unsigned int i = 0, lo;

	if (nr > 64)
		nr = 64;
	buf[0] = '\0';
	while (i < nr) {
		if (!(map & (1ull << i))) {
			i++;
			continue;
		}
		for (lo = i; i < nr && (map & (1ull << i)); i++)
			;
		/* One run over every CPU is "all", as xl says it. */
		if (lo == 0 && i == nr) {
			fmt_snprintf(buf, len, "all");
			return;
		}
		shell_cpus_append(buf, len, &at, lo, i - 1);
	}
	if (!at)
		fmt_snprintf(buf, len, "none");
}

void shell_fmt_vcpu(struct shell *s, const struct shell_dom *d,
		    const struct shell_vcpu *v, unsigned int nr_cpus)
{
	char cpu[8], time[24], hard[200], soft[200];

	if (v->online)
		fmt_snprintf(cpu, sizeof(cpu), "%5u", v->cpu);
	else
		fmt_snprintf(cpu, sizeof(cpu), "%5c", '-');
	shell_fmt_tenths(time, sizeof(time), shell_tenths(v->cpu_ns, SHELL_NS),
			 9);
	shell_fmt_cpus(hard, sizeof(hard), v->hard_affinity, nr_cpus);
	shell_fmt_cpus(soft, sizeof(soft), v->soft_affinity, nr_cpus);
	/* State: running, blocked, and 'p' in the third place when offline. */
	shell_printf(s, "%-32s %5u %5u%s %3c%c%c %s  %s / %s\r\n", d->name,
		     d->id, v->vcpu, cpu, v->online && v->running ? 'r' : '-',
		     v->online && v->blocked ? 'b' : '-', v->online ? '-' : 'p',
		     time, hard, soft);
}

/* ---- Devices ----------------------------------------------------------- */

void shell_fmt_pci_header(struct shell *s)
{
	shell_puts(s, "Vdev Device\r\n");
}

void shell_fmt_pci(struct shell *s, const struct shell_pci *p, bool vdev)
{
	if (vdev)
		shell_printf(s, "%02x.%01x ", (p->vdevfn >> 3) & 0x1f,
			     p->vdevfn & 7);
	shell_printf(s, "%04x:%02x:%02x.%01x\r\n", p->seg, p->bus, p->dev,
		     p->fn);
}

void shell_fmt_nic_header(struct shell *s)
{
	shell_printf(s, "%-3s %-2s %-17s %-6s %-5s %-6s %5s/%-5s %-30s\r\n",
		     "Idx", "BE", "Mac Addr.", "handle", "state", "evt-ch",
		     "tx-", "rx-ring-ref", "BE-path");
}

void shell_fmt_nic(struct shell *s, const struct shell_nic *n)
{
	const uint8_t *m = n->mac;

	shell_printf(s,
		     "%-3u %-2u %02x:%02x:%02x:%02x:%02x:%02x%6u %5u %6u "
		     "%5u/%-11u %-30s\r\n",
		     n->devid, n->backend, m[0], m[1], m[2], m[3], m[4], m[5],
		     n->devid, n->state, n->evtch, n->tx_ref, n->rx_ref,
		     n->be_path);
}

void shell_fmt_vbd_header(struct shell *s)
{
	shell_printf(s, "%-5s %-3s %-6s %-5s %-6s %-8s %-30s\r\n", "Vdev", "BE",
		     "handle", "state", "evt-ch", "ring-ref", "BE-path");
}

void shell_fmt_vbd(struct shell *s, const struct shell_vbd *v)
{
	shell_printf(s, "%-5u %-3u %-6u %-5u %-6u %-8u %-30s\r\n", v->vdev,
		     v->backend, v->handle, v->state, v->evtch, v->ring_ref,
		     v->be_path);
}

/* ---- top --------------------------------------------------------------- */

/* xentop's State: its own order of the letters, "dsbcpr". */
static void shell_fmt_top_state(char out[7], unsigned int state)
{
	static const struct {
		unsigned int bit;
		char c;
	} order[6] = {
		{ SHELL_DOM_DYING, 'd' },   { SHELL_DOM_SHUTDOWN, 's' },
		{ SHELL_DOM_BLOCKED, 'b' }, { SHELL_DOM_CRASHED, 'c' },
		{ SHELL_DOM_PAUSED, 'p' },  { SHELL_DOM_RUNNING, 'r' },
	};
	unsigned int i;

	for (i = 0; i < 6; i++)
		out[i] = state & order[i].bit ? order[i].c : '-';
	out[6] = '\0';
}

static void shell_fmt_top_summary(struct shell *s, const struct shell_dom *d,
				  unsigned int nr)
{
	static const unsigned int bits[6] = {
		SHELL_DOM_RUNNING,  SHELL_DOM_BLOCKED, SHELL_DOM_PAUSED,
		SHELL_DOM_SHUTDOWN, SHELL_DOM_CRASHED, SHELL_DOM_DYING,
	};
	unsigned int count[6] = { 0 }, i, b;

	/* Each domain counted once, under its first state in this order. */
	for (i = 0; i < nr; i++)
		for (b = 0; b < 6; b++)
			if (d[i].state & bits[b]) {
				count[b]++;
				break;
			}
	shell_printf(s,
		     "%u domains: %u running, %u blocked, %u paused, "
		     "%u crashed, %u dying, %u shutdown\r\n",
		     nr, count[0], count[1], count[2], count[4], count[5],
		     count[3]);
}

static void shell_fmt_top_host(struct shell *s, const struct shell_info *i)
{
	uint64_t used = i->total_kib - i->free_kib;

	shell_printf(s,
		     "Mem: %lluk total, %lluk used, %lluk free    "
		     "CPUs: %u @ %uMHz\r\n",
		     (unsigned long long)i->total_kib, (unsigned long long)used,
		     (unsigned long long)i->free_kib, i->nr_cpus,
		     i->cpu_khz / 1000);
}

/* CPU% over the last interval: this sample's run time less the last's. */
static uint64_t shell_top_cpu_tenths(const struct shell *s,
				     const struct shell_dom *d,
				     uint64_t elapsed_ns)
{
	unsigned int i;

	for (i = 0; i < s->top_nr; i++) {
		if (s->top_prev[i].id != d->id)
			continue;
		/* Less than before: a new domain under an old id. */
		if (d->cpu_ns < s->top_prev[i].cpu_ns)
			return 0;
		return shell_tenths((d->cpu_ns - s->top_prev[i].cpu_ns) * 100,
				    elapsed_ns);
	}
	return 0;
}

static void shell_fmt_top_dom(struct shell *s, const struct shell_dom *d,
			      const struct shell_info *info,
			      uint64_t elapsed_ns)
{
	char state[7], cpu_pct[16], mem_pct[16];
	uint64_t total = info ? info->total_kib : 0;

	shell_fmt_top_state(state, d->state);
	shell_fmt_tenths(cpu_pct, sizeof(cpu_pct),
			 shell_top_cpu_tenths(s, d, elapsed_ns), 6);
	shell_fmt_tenths(mem_pct, sizeof(mem_pct),
			 shell_tenths(d->mem_kib * 100, total), 6);
	shell_printf(s,
		     "%10.10s %s %10llu %s %10llu %s %5u %4u %8llu %8llu "
		     "%4u %8llu %8llu\r\n",
		     d->name, state, (unsigned long long)(d->cpu_ns / SHELL_NS),
		     cpu_pct, (unsigned long long)d->mem_kib, mem_pct,
		     d->online_vcpus, d->nets,
		     (unsigned long long)(d->net_tx_bytes / 1024),
		     (unsigned long long)(d->net_rx_bytes / 1024), d->vbds,
		     (unsigned long long)d->vbd_rd_reqs,
		     (unsigned long long)d->vbd_wr_reqs);
}

/* One frame, xentop's layout (batch mode), redrawn from the top left. */
void shell_fmt_top(struct shell *s, const struct shell_dom *d, unsigned int nr,
		   const struct shell_info *info, uint64_t elapsed_ns)
{
	unsigned int i;

	shell_puts(s, "\033[H\033[2J");
	if (info)
		shell_printf(s, "top - Xen %u.%u%s   (q to leave)\r\n",
			     info->xen_major, info->xen_minor, info->xen_extra);
	else
		shell_puts(s, "top   (q to leave)\r\n");
	shell_fmt_top_summary(s, d, nr);
	if (info)
		shell_fmt_top_host(s, info);
	shell_printf(
	    s, "%10s %6s %10s %6s %10s %6s %5s %4s %8s %8s %4s %8s %8s\r\n",
	    "NAME", "STATE", "CPU(sec)", "CPU(%)", "MEM(k)", "MEM(%)", "VCPUS",
	    "NETS", "NETTX(k)", "NETRX(k)", "VBDS", "VBD_RD", "VBD_WR");
	for (i = 0; i < nr; i++)
		shell_fmt_top_dom(s, &d[i], info, elapsed_ns);
}
