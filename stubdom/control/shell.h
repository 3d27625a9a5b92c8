/*
 * The control domain's admin shell: the "citadel> " prompt on the
 * hypervisor serial line, offering the xl commands users know (list,
 * create, destroy, console, vcpu-pin, top, ...) with xl's output formats.
 *
 * Pure UI, event driven and never blocking: the main loop hands it serial
 * input in batches (shell_input) and the time now and then (shell_tick);
 * it answers through the ops below, asking for snapshots (domains, vCPUs,
 * devices) and for actions. It knows nothing of hypercalls and allocates
 * nothing: struct shell holds every buffer, so the caller places it in
 * static storage.
 *
 * Errors from the ops are negative Xen errno values
 * (<public/errno.h>); actions may also fill err with one line of text,
 * which the shell prints.
 */
#ifndef CONTROL_SHELL_H
#define CONTROL_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHELL_PROMPT	"citadel> "
#define SHELL_LINE_MAX	256 /* a line holds up to 255 characters */
#define SHELL_NAME_MAX	64
#define SHELL_MAX_DOMS	64
#define SHELL_MAX_VCPUS 64 /* per domain */
#define SHELL_MAX_DEVS	32 /* PCI functions, vifs or vbds per listing */
#define SHELL_ERR_MAX	128
#define SHELL_NS	1000000000ull

/* A domain's state bits; xl's State column shows them as "rbpscd". */
#define SHELL_DOM_RUNNING  (1u << 0)
#define SHELL_DOM_BLOCKED  (1u << 1)
#define SHELL_DOM_PAUSED   (1u << 2)
#define SHELL_DOM_SHUTDOWN (1u << 3)
#define SHELL_DOM_CRASHED  (1u << 4)
#define SHELL_DOM_DYING	   (1u << 5)

/* One domain, as list and top show it. Counters are cumulative. */
struct shell_dom {
	uint16_t id;
	char name[SHELL_NAME_MAX];
	unsigned int state; /* SHELL_DOM_* */
	uint64_t mem_kib;
	unsigned int max_vcpus;
	unsigned int online_vcpus;
	uint64_t cpu_ns; /* all its vCPUs' run time */
	unsigned int nets, vbds;
	uint64_t net_tx_bytes, net_rx_bytes;
	uint64_t vbd_rd_reqs, vbd_wr_reqs;
};

/* One vCPU, as vcpu-list shows it. Affinities: bit n is physical CPU n. */
struct shell_vcpu {
	unsigned int vcpu;
	bool online, running, blocked;
	unsigned int cpu; /* where it runs or last ran */
	uint64_t cpu_ns;
	uint64_t hard_affinity, soft_affinity;
};

/* The host and hypervisor, as info shows them (xl's keys). */
struct shell_info {
	char host[SHELL_NAME_MAX];
	unsigned int nr_cpus, max_cpu_id, nr_nodes;
	unsigned int cores_per_socket, threads_per_core;
	unsigned int cpu_khz;
	char virt_caps[64]; /* space separated, e.g. "pv hvm" */
	uint64_t total_kib, free_kib;
	unsigned int free_cpus;
	unsigned int xen_major, xen_minor;
	char xen_extra[16]; /* e.g. ".0" */
	char xen_caps[64];
	char xen_scheduler[16];
	unsigned int xen_pagesize;
	char xen_changeset[64];
	char xen_commandline[160];
	char cc_compiler[64];
	char cc_compile_date[32];
};

/* A PCI function: its host address and, when assigned, the guest's slot. */
struct shell_pci {
	uint16_t seg;
	uint8_t bus, dev, fn;
	uint8_t vdevfn; /* pci-list only */
};

/* A vif, in xl network-list's terms. */
struct shell_nic {
	unsigned int devid;
	uint16_t backend;
	uint8_t mac[6];
	unsigned int state; /* XenbusState */
	unsigned int evtch;
	unsigned int tx_ref, rx_ref;
	char be_path[SHELL_NAME_MAX];
};

/* A vbd, in xl block-list's terms. */
struct shell_vbd {
	unsigned int vdev;
	uint16_t backend;
	unsigned int handle;
	unsigned int state; /* XenbusState */
	unsigned int evtch;
	unsigned int ring_ref;
	char be_path[SHELL_NAME_MAX];
};

enum shell_action {
	SHELL_DESTROY,
	SHELL_SHUTDOWN,
	SHELL_REBOOT,
	SHELL_PAUSE,
	SHELL_UNPAUSE,
};

#define SHELL_VCPU_ALL (-1)

/*
 * What the shell needs from the control domain. Listings fill out[] with
 * at most max entries and return how many, or a negative errno. Actions
 * return 0 or a negative errno, with err (zeroed beforehand) optionally
 * telling why in one line. Any op but write may be NULL: its commands
 * then say they are not supported (list is needed to name a domain).
 */
struct shell_ops {
	void (*write)(void *ctx, const char *s, size_t n);
	int (*list)(void *ctx, struct shell_dom *out, unsigned int max);
	int (*info)(void *ctx, struct shell_info *out);
	/* cfg: a config file of the boot bundle, as typed. */
	int (*create)(void *ctx, const char *cfg, char *err, size_t errlen);
	int (*action)(void *ctx, enum shell_action a, uint16_t dom, char *err,
		      size_t errlen);
	/* Console mode: input goes to the domain; its output, the caller. */
	int (*console_open)(void *ctx, uint16_t dom, char *err, size_t errlen);
	void (*console_input)(void *ctx, uint16_t dom, const char *s, size_t n);
	void (*console_close)(void *ctx, uint16_t dom);
	int (*vcpu_list)(void *ctx, uint16_t dom, struct shell_vcpu *out,
			 unsigned int max);
	/* vcpu: a number or SHELL_VCPU_ALL; "all" CPUs is every bit set. */
	int (*vcpu_pin)(void *ctx, uint16_t dom, int vcpu, uint64_t cpus,
			char *err, size_t errlen);
	int (*vcpu_set)(void *ctx, uint16_t dom, unsigned int nr, char *err,
			size_t errlen);
	int (*pci_list)(void *ctx, uint16_t dom, struct shell_pci *out,
			unsigned int max);
	int (*pci_assignable)(void *ctx, struct shell_pci *out,
			      unsigned int max);
	int (*net_list)(void *ctx, uint16_t dom, struct shell_nic *out,
			unsigned int max);
	int (*blk_list)(void *ctx, uint16_t dom, struct shell_vbd *out,
			unsigned int max);
	/* The hypervisor log from byte off on: bytes copied, 0 at its end. */
	size_t (*dmesg)(void *ctx, size_t off, char *buf, size_t len);
};

enum shell_mode {
	SHELL_MODE_LINE,    /* editing a command line */
	SHELL_MODE_CONSOLE, /* attached to a domain's console */
	SHELL_MODE_TOP,	    /* top refreshing */
};

/* The last top sample of one domain, for CPU% from the difference. */
struct shell_top_prev {
	uint16_t id;
	uint64_t cpu_ns;
};

struct shell {
	const struct shell_ops *ops;
	void *ctx;
	enum shell_mode mode;
	/* The line being edited. */
	char line[SHELL_LINE_MAX];
	size_t len;
	bool overflow; /* characters were dropped: the line is refused */
	bool last_cr;  /* the LF of a CRLF is not a second line end */
	uint8_t esc;   /* inside an escape sequence (arrow keys...) */
	/* Console mode. */
	uint16_t console_dom;
	/* Time, from shell_tick; top. */
	uint64_t now_ns;
	uint64_t top_at;
	unsigned int top_nr;
	struct shell_top_prev top_prev[SHELL_MAX_DOMS];
	/* Scratch: a formatted line, an action's error, snapshots. */
	char out[512];
	char err[SHELL_ERR_MAX];
	struct shell_dom doms[SHELL_MAX_DOMS];
	union {
		struct shell_info info;
		struct shell_vcpu vcpus[SHELL_MAX_VCPUS];
		struct shell_pci pcis[SHELL_MAX_DEVS];
		struct shell_nic nics[SHELL_MAX_DEVS];
		struct shell_vbd vbds[SHELL_MAX_DEVS];
		char text[512];
	} u;
};

/* Set up s and print the first prompt. */
void shell_init(struct shell *s, const struct shell_ops *ops, void *ctx);
/* Serial input, in any batches. */
void shell_input(struct shell *s, const char *buf, size_t n);
/* The time (monotonic ns), at least every few hundred ms: top redraws. */
void shell_tick(struct shell *s, uint64_t now_ns);
/*
 * The attached console went away (the domain died): leave console mode
 * as Ctrl-] would, saying why. Nothing when not attached.
 */
void shell_console_end(struct shell *s, const char *why);

/* ---- Between shell*.c only ------------------------------------------ */

struct shell_cmd {
	const char *name;
	const char *args; /* the usage line after the name */
	const char *help;
	unsigned int min_args, max_args; /* after the name */
	int arg; /* the action, for the domain actions */
	void (*run)(struct shell *s, const struct shell_cmd *c, int argc,
		    char **argv);
};

#define SHELL_ARGS_ANY 64u

/* shell.c: output. Lines end with "\r\n". */
void shell_write(struct shell *s, const char *str, size_t n);
void shell_puts(struct shell *s, const char *str);
/* Text with bare "\n" line ends, e.g. the hypervisor log. */
void shell_write_text(struct shell *s, const char *str, size_t n);
void shell_printf(struct shell *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void shell_enter_console(struct shell *s, uint16_t dom);
void shell_enter_top(struct shell *s);

/* shell_cmds.c: the table, argument errors, top's data. */
const struct shell_cmd *shell_cmd_find(const char *name);
void shell_run(struct shell *s, int argc, char **argv);
void shell_usage_error(struct shell *s, const struct shell_cmd *c,
		       const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void shell_top_frame(struct shell *s);

/* shell_fmt.c: xl's layouts. */
void shell_fmt_list_header(struct shell *s);
void shell_fmt_list_dom(struct shell *s, const struct shell_dom *d);
void shell_fmt_info(struct shell *s, const struct shell_info *i);
void shell_fmt_vcpu_header(struct shell *s);
void shell_fmt_vcpu(struct shell *s, const struct shell_dom *d,
		    const struct shell_vcpu *v, unsigned int nr_cpus);
void shell_fmt_pci_header(struct shell *s);
void shell_fmt_pci(struct shell *s, const struct shell_pci *p, bool vdev);
void shell_fmt_nic_header(struct shell *s);
void shell_fmt_nic(struct shell *s, const struct shell_nic *n);
void shell_fmt_vbd_header(struct shell *s);
void shell_fmt_vbd(struct shell *s, const struct shell_vbd *v);
/* A CPU set as xl prints it ("all", "none", "0-3,5"), into buf. */
void shell_fmt_cpus(char *buf, size_t len, uint64_t map, unsigned int nr);
void shell_fmt_top(struct shell *s, const struct shell_dom *d, unsigned int nr,
		   const struct shell_info *info, uint64_t elapsed_ns);

#endif
