/*
 * Guests' devices in xenstore, as Xen's toolstack lays them out: the
 * backend's directory /local/domain/<be>/backend/<kind>/<g>/<devid>
 * (the backend's, the guest may read it) and the frontend's
 * /local/domain/<g>/device/<kind>/<devid> (the guest's, the backend may
 * read it), each naming the other.
 *
 * When a backend domain is replaced, its directories go with the old
 * instance (frontends see the backend's state vanish) and are written
 * again under the new one; the frontend's "backend" and "backend-id"
 * change together in one transaction, and its own nodes (its state, its
 * rings) are left alone: the frontend reconnects by itself.
 */
#include <public/errno.h>
#include <xen/lib.h>
#include <xen/string.h>
#include <stub/stub.h>
#include "control.h"

#define CTL_PATH_MAX 96

enum ctl_kind { CTL_VIF, CTL_VBD };

struct ctl_dev {
	enum ctl_kind kind;
	struct ctl_dom *g, *be;
	unsigned int index; /* in the guest's config */
	unsigned int devid; /* vif index, or vbd's Xen device number */
	char fe[CTL_PATH_MAX], be_path[CTL_PATH_MAX];
};

static const char *const ctl_kind_name[] = { "vif", "vbd" };

static void ctl_dev_init(struct ctl_dev *v, enum ctl_kind kind,
			 struct ctl_dom *g, struct ctl_dom *be,
			 unsigned int index)
{
	v->kind = kind;
	v->g = g;
	v->be = be;
	v->index = index;
	v->devid = kind == CTL_VIF ? index : g->cfg.disks[index].vdev;
	fmt_snprintf(v->fe, sizeof(v->fe), "/local/domain/%u/device/%s/%u",
		     g->domid, ctl_kind_name[kind], v->devid);
	fmt_snprintf(v->be_path, sizeof(v->be_path),
		     "/local/domain/%u/backend/%s/%u/%u", be->domid,
		     ctl_kind_name[kind], g->domid, v->devid);
}

static int ctl_put(uint32_t tx, const char *dir, const char *key,
		   const char *val)
{
	char path[CTL_PATH_MAX + 24];

	fmt_snprintf(path, sizeof(path), "%s/%s", dir, key);
	return xenbus_write(&ctl_xb, tx, path, val);
}

/* "n<owner>\0r<reader>\0" in perms[16]; its length. */
static size_t ctl_perms(char *perms, domid_t owner, domid_t reader)
{
	size_t n = (size_t)fmt_snprintf(perms, 16, "n%u", owner) + 1;

	return n + (size_t)fmt_snprintf(perms + n, 16 - n, "r%u", reader) + 1;
}

/* dir, owned by owner, readable by reader. */
static int ctl_dir(uint32_t tx, const char *dir, domid_t owner, domid_t reader)
{
	char perms[16];
	size_t n = ctl_perms(perms, owner, reader);

	if (xenbus_mkdir(&ctl_xb, tx, dir))
		return -1;
	return xenbus_set_perms(&ctl_xb, tx, dir, perms, n);
}

/* The backend's fields: what it serves, and who for. */
static int ctl_backend_dir(uint32_t tx, const struct ctl_dev *v)
{
	char id[8], mac[CFG_MAC_STR_LEN];
	int rc = ctl_dir(tx, v->be_path, v->be->domid, v->g->domid);

	if (v->kind == CTL_VIF) {
		uint8_t m[6];

		cfg_vif_mac(&v->g->cfg, v->index, m);
		cfg_format_mac(m, mac);
		rc |= ctl_put(tx, v->be_path, "mac", mac);
		fmt_snprintf(id, sizeof(id), "%u", v->devid);
		rc |= ctl_put(tx, v->be_path, "handle", id);
	} else {
		const struct cfg_disk *k = &v->g->cfg.disks[v->index];

		rc |= ctl_put(tx, v->be_path, "target", k->target);
		rc |= ctl_put(tx, v->be_path, "mode", k->readonly ? "r" : "w");
	}
	fmt_snprintf(id, sizeof(id), "%u", v->g->domid);
	rc |= ctl_put(tx, v->be_path, "frontend-id", id);
	rc |= ctl_put(tx, v->be_path, "frontend", v->fe);
	rc |= ctl_put(tx, v->be_path, "state", "1");
	return rc;
}

/* A frontend seen for the first time: its directory and fields. */
static int ctl_frontend_new(uint32_t tx, const struct ctl_dev *v)
{
	char val[CFG_MAC_STR_LEN];
	int rc = ctl_dir(tx, v->fe, v->g->domid, v->be->domid);

	if (v->kind == CTL_VIF) {
		uint8_t m[6];

		cfg_vif_mac(&v->g->cfg, v->index, m);
		cfg_format_mac(m, val);
		rc |= ctl_put(tx, v->fe, "mac", val);
		fmt_snprintf(val, sizeof(val), "%u", v->devid);
		rc |= ctl_put(tx, v->fe, "handle", val);
	} else {
		fmt_snprintf(val, sizeof(val), "%u", v->devid);
		rc |= ctl_put(tx, v->fe, "virtual-device", val);
		rc |= ctl_put(tx, v->fe, "device-type", "disk");
	}
	rc |= ctl_put(tx, v->fe, "state", "1");
	return rc;
}

/*
 * The frontend's nodes readable by its backend: a node keeps the
 * permissions it was made with, so those the frontend wrote for the last
 * backend would stay closed to a new one under another domain id.
 */
static int ctl_frontend_perms(uint32_t tx, const struct ctl_dev *v)
{
	static char keys[XENSTORE_PAYLOAD_MAX];
	char path[CTL_PATH_MAX + 40], perms[16];
	size_t n = ctl_perms(perms, v->g->domid, v->be->domid);
	int rc = xenbus_directory(&ctl_xb, tx, v->fe, keys, sizeof(keys));

	for (const char *k = keys; rc > 0 && *k; k += strlen(k) + 1) {
		fmt_snprintf(path, sizeof(path), "%s/%s", v->fe, k);
		if (xenbus_set_perms(&ctl_xb, tx, path, perms, n))
			return -1;
	}
	return rc < 0 ? rc : 0;
}

/* The frontend's link to its backend, both halves at once. */
static int ctl_frontend_link(uint32_t tx, const struct ctl_dev *v)
{
	char id[8];
	int rc;

	fmt_snprintf(id, sizeof(id), "%u", v->be->domid);
	rc = ctl_dir(tx, v->fe, v->g->domid, v->be->domid);
	if (!rc)
		rc = ctl_frontend_perms(tx, v);
	if (!rc)
		rc = ctl_put(tx, v->fe, "backend-id", id);
	if (!rc)
		rc = ctl_put(tx, v->fe, "backend", v->be_path);
	return rc;
}

/*
 * Both directories in one transaction, as Xen's toolstack writes them:
 * the backend finds its directory whole, the frontend its new backend
 * with it, and the writes go out together.
 */
static int ctl_wire_txn(struct xenbus *xb, uint32_t tx, void *data)
{
	const struct ctl_dev *v = data;
	char state[4];
	int rc = ctl_backend_dir(tx, v);

	if (!rc &&
	    xenbus_read(xb, tx, v->fe, state, sizeof(state)) == -XEN_ENOENT)
		rc = ctl_frontend_new(tx, v);
	return rc ? rc : ctl_frontend_link(tx, v);
}

static void ctl_wire(struct ctl_dev *v)
{
	int rc = xenbus_transaction(&ctl_xb, ctl_wire_txn, v, 8);

	if (rc)
		printf("control: %s: %s %u to %s not wired (%d)\n",
		       v->g->cfg.name, ctl_kind_name[v->kind], v->devid,
		       v->be->cfg.name, rc);
}

/* fn for each device of g whose backend is running (be: only those). */
static void ctl_each_dev(struct ctl_dom *g, struct ctl_dom *only,
			 void (*fn)(struct ctl_dev *v))
{
	struct ctl_dev v;

	if (g->state != CTL_RUNNING)
		return;
	for (unsigned int i = 0; i < g->cfg.nr_vifs + g->cfg.nr_disks; i++) {
		bool vif = i < g->cfg.nr_vifs;
		unsigned int k = vif ? i : i - g->cfg.nr_vifs;
		struct ctl_dom *be = ctl_dom_by_name(
		    vif ? g->cfg.vifs[k].backend : g->cfg.disks[k].backend);

		if (!be || be->state != CTL_RUNNING || (only && be != only))
			continue;
		ctl_dev_init(&v, vif ? CTL_VIF : CTL_VBD, g, be, k);
		fn(&v);
	}
}

void ctl_wire_guest(struct ctl_dom *g)
{
	ctl_each_dev(g, NULL, ctl_wire);
}

void ctl_wire_backend(struct ctl_dom *be)
{
	for (unsigned int i = 0; i < ctl_nr_doms; i++)
		ctl_each_dev(&ctl_doms[i], be, ctl_wire);
}

void ctl_unwire_backend(domid_t be)
{
	char path[CTL_PATH_MAX];

	fmt_snprintf(path, sizeof(path), "/local/domain/%u/backend", be);
	xenbus_rm(&ctl_xb, XENBUS_NO_TX, path);
}

static void ctl_unwire(struct ctl_dev *v)
{
	xenbus_rm(&ctl_xb, XENBUS_NO_TX, v->be_path);
}

void ctl_unwire_guest(struct ctl_dom *g)
{
	ctl_each_dev(g, NULL, ctl_unwire);
}

static unsigned int ctl_nr_devs, ctl_nr_connected;

static void ctl_count_connected(struct ctl_dev *v)
{
	char path[CTL_PATH_MAX + 8];
	unsigned long state = 0;

	fmt_snprintf(path, sizeof(path), "%s/state", v->be_path);
	ctl_nr_devs++;
	if (!xenbus_read_uint(&ctl_xb, XENBUS_NO_TX, path, &state) &&
	    state == 4)
		ctl_nr_connected++;
}

unsigned int ctl_backend_devices(struct ctl_dom *be, unsigned int *connected)
{
	ctl_nr_devs = ctl_nr_connected = 0;
	for (unsigned int i = 0; i < ctl_nr_doms; i++)
		ctl_each_dev(&ctl_doms[i], be, ctl_count_connected);
	if (connected)
		*connected = ctl_nr_connected;
	return ctl_nr_devs;
}

bool ctl_backend_connected(struct ctl_dom *be)
{
	unsigned int up, n = ctl_backend_devices(be, &up);

	return up == n;
}
