/*
 * Domain configuration files of the control domain: the subset of Xen's
 * xl.cfg(5) that applies to Citadel's PV domains, parsed into fixed-size
 * structs (the control domain has no allocator), and the checks that a
 * set of them describes a system that can boot.
 *
 * Syntax: "key = value" lines; '#' starts a comment outside strings;
 * values are integers (decimal or 0x hex; no octal, so a leading zero is
 * refused), strings in double or single quotes (printable ASCII, no
 * escapes: a string cannot hold its own quote character) or lists of
 * strings in [ ] that may span lines and end with a comma. CRLF line
 * ends are accepted. Unknown keys and keys given twice are errors, so a
 * typo is never silently ignored.
 *
 * Builds both on the host (unit tests) and freestanding in the stubdom
 * runtime: only <xen/string.h> and fmt_snprintf() are used.
 */
#ifndef CONTROL_CFG_H
#define CONTROL_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_NAME_MAX	   31	   /* name: [A-Za-z0-9_-] */
#define CFG_FILE_MAX	   63	   /* file name kept for messages */
#define CFG_KERNEL_MAX	   63	   /* image's file name in the boot bundle */
#define CFG_EXTRA_MAX	   160	   /* kernel command line */
#define CFG_TARGET_MAX	   47	   /* blkback's target string */
#define CFG_LINE_MAX	   255	   /* characters in one line, without CR/LF */
#define CFG_MEMORY_MAX	   1048576 /* MiB: 1 TiB */
#define CFG_VCPUS_MAX	   32
#define CFG_CPUS_MAX	   64 /* cpus= names CPUs 0..63: a 64-bit mask */
#define CFG_WEIGHT_DEFAULT 256
#define CFG_PCI_MAX	   8
#define CFG_VIFS_MAX	   4
#define CFG_DISKS_MAX	   4
#define CFG_MAC_STR_LEN	   18 /* "xx:xx:xx:xx:xx:xx" and its NUL */
#define CFG_SBDF_STR_LEN   13 /* "SSSS:BB:DD.F" and its NUL */

/*
 * Xen's virtual device number of xvd<'a' + index> (Xen's vbd-interface
 * document, and what xl writes): xvda..xvdp under major 202 with 16
 * minors each; from xvdq on the extended form, as 202's minors run out.
 */
#define CFG_VDEV_XVD(index)                                      \
	((index) < 16 ? (202u << 8 | (unsigned int)(index) << 4) \
		      : (1u << 28 | (unsigned int)(index) << 8))
/* The index back from such a number. */
#define CFG_VDEV_INDEX(vdev) \
	((vdev) >> 28 ? ((vdev) >> 8) & 0xfffff : ((vdev) >> 4) & 0xf)

enum cfg_action {
	CFG_ACTION_DESTROY,
	CFG_ACTION_RESTART,
	CFG_ACTION_PRESERVE,
};

struct cfg_vif {
	uint8_t mac[6];
	bool mac_set; /* false: cfg_vif_mac() derives one from the name */
	char backend[CFG_NAME_MAX + 1];
};

struct cfg_disk {
	char backend[CFG_NAME_MAX + 1];
	uint32_t vdev; /* Xen device number: CFG_VDEV_XVD(letter) */
	char target[CFG_TARGET_MAX + 1]; /* verbatim, e.g. "1:0+65536" */
	bool readonly;			 /* access=ro|r; default rw */
};

struct dom_cfg {
	char file[CFG_FILE_MAX + 1]; /* as given to cfg_parse(), truncated */
	char name[CFG_NAME_MAX + 1];
	char kernel[CFG_KERNEL_MAX + 1];
	char extra[CFG_EXTRA_MAX + 1];
	uint32_t memory_mib;
	unsigned int vcpus;	   /* default 1 */
	unsigned int maxvcpus;	   /* default vcpus */
	uint64_t cpus;		   /* bit n: may run on CPU n; default all */
	unsigned int weight;	   /* 1..65535, default 256 */
	unsigned int cap;	   /* percent of one CPU; 0 = no cap */
	uint32_t pci[CFG_PCI_MAX]; /* seg << 16 | bus << 8 | dev << 3 | fn */
	unsigned int nr_pci;
	struct cfg_vif vifs[CFG_VIFS_MAX];
	unsigned int nr_vifs;
	struct cfg_disk disks[CFG_DISKS_MAX];
	unsigned int nr_disks;
	enum cfg_action on_crash;    /* default destroy */
	enum cfg_action on_poweroff; /* default destroy */
	enum cfg_action on_reboot;   /* default restart */
	bool driver_domain;
	/*
	 * A Citadel extension: this domain runs xenstored. Exactly one
	 * domain of a system sets it; it is built before all others.
	 */
	bool xenstore_domain;
	/*
	 * A Citadel extension, for a driver domain with on_crash =
	 * "restart": a second instance is kept built and paused, without
	 * devices, and takes over when the running one crashes, so a
	 * restart does not wait for a build. It costs the memory of one
	 * more instance.
	 */
	bool standby;
};

/*
 * Parse len bytes of text (not necessarily NUL-terminated; never read
 * past len) from the file named file into *cfg. Returns 0, or -1 with
 * one line in err: "<file>:<line>: <what is wrong>", or "<file>: ..."
 * for what belongs to no line (a missing key). *cfg is only meaningful
 * on success.
 */
int cfg_parse(const char *file, const char *text, size_t len,
	      struct dom_cfg *cfg, char *err, size_t errlen);

/*
 * Whether the n domains can be booted together on a host with
 * host_mem_mib MiB for them: unique names, each PCI function and MAC
 * used once, vif/disk backends that are other driver domains, PCI only
 * in driver domains, vdevs unique per domain, exactly one xenstore
 * domain, memory within the host's. Returns the number of problems (0
 * when it can); err gets every problem, one line each (separated by
 * '\n', no final newline), as many whole lines as fit.
 */
unsigned int cfg_check_layout(const struct dom_cfg *cfgs, unsigned int n,
			      uint64_t host_mem_mib, char *err, size_t len);

/*
 * The order to build the n domains in: order[] gets indices into cfgs,
 * the xenstore domain first, then the driver domains, then the guests,
 * each group in its given order.
 */
void cfg_boot_order(const struct dom_cfg *cfgs, unsigned int n,
		    unsigned int *order);

/*
 * The MAC for a vif without mac=: Xen's 00:16:3e prefix and three bytes
 * hashed from the domain's name and the vif's index, the first with its
 * top bit clear as libxl's random ones have.
 */
void cfg_default_mac(const char *name, unsigned int vif, uint8_t mac[6]);
/* The vif's MAC: the configured one or cfg_default_mac(). */
void cfg_vif_mac(const struct dom_cfg *cfg, unsigned int vif, uint8_t mac[6]);

/* "xx:xx:xx:xx:xx:xx" and "SSSS:BB:DD.F", for messages and xenstore. */
void cfg_format_mac(const uint8_t mac[6], char buf[CFG_MAC_STR_LEN]);
void cfg_format_sbdf(uint32_t sbdf, char buf[CFG_SBDF_STR_LEN]);

#endif
