/*
 * The vbds a block driver domain serves: one bb_xb per directory
 * backend/vbd/<G>/<dev> the control domain writes, each with its own
 * range of our local pages and its own ring mapping address. A watch on
 * backend/vbd says where to look: a vbd's own node, that vbd; anything
 * above (the first event, a removal), every directory listed again. A
 * vbd whose directory went away is let go and its slot reused.
 */
#include <public/errno.h>
#include <xen/lib.h>
#include <xen/string.h>
#include <driverdom/blkdom.h>
#include <stub/stub.h>

#define BD_LIST_MAX 512
static const char bd_token[] = "blkdom-be";

/* A decimal id below limit, no leading zero: 0 or -XEN_EINVAL. */
static int bd_parse_id(const char *s, size_t len, unsigned long limit,
		       unsigned int *out)
{
	unsigned long v = 0;

	if (len == 0 || len > 5 || (len > 1 && s[0] == '0'))
		return -XEN_EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -XEN_EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v >= limit)
		return -XEN_EINVAL;
	*out = (unsigned int)v;
	return 0;
}

/* "backend/vbd[/<G>[/<dev>[/...]]]": how many ids it names, or < 0. */
int bd_parse_path(const char *path, unsigned int *domid, unsigned int *devid)
{
	size_t rlen = strlen(BB_XB_ROOT), n;
	const char *p = path + rlen;

	if (strncmp(path, BB_XB_ROOT, rlen))
		return -XEN_EINVAL;
	if (!*p)
		return 0;
	if (*p++ != '/')
		return -XEN_EINVAL;
	for (n = 0; p[n] && p[n] != '/'; n++)
		;
	if (bd_parse_id(p, n, DOMID_FIRST_RESERVED, domid))
		return -XEN_EINVAL;
	p += n;
	if (!*p++)
		return 1;
	for (n = 0; p[n] && p[n] != '/'; n++)
		;
	return bd_parse_id(p, n, 65536, devid) ? -XEN_EINVAL : 2;
}

static struct bd_slot_vbd *bd_find(struct bd_vbds *v, unsigned int domid,
				   unsigned int devid)
{
	for (unsigned int i = 0; i < BD_MAX_VBDS; i++)
		if (v->s[i].used && v->s[i].x.domid == domid &&
		    v->s[i].x.devid == devid)
			return &v->s[i];
	return NULL;
}

/* The vbd's slot, started if new; NULL when every slot is taken. */
static struct bd_slot_vbd *bd_get(struct bd_vbds *v, unsigned int domid,
				  unsigned int devid)
{
	struct bd_slot_vbd *s = bd_find(v, domid, devid);
	struct bb_xb_ops ops = v->ops;

	for (unsigned int i = 0; !s && i < BD_MAX_VBDS; i++) {
		if (v->s[i].used)
			continue;
		/* The slot's index: its ring's address (op_map). */
		ops.env = (void *)(uintptr_t)i;
		if (bb_xb_start(&v->s[i].x, &ops, (domid_t)domid,
				(uint16_t)devid, i * BD_VBD_PAGES,
				BD_VBD_PAGES))
			return NULL;
		v->s[i].used = true;
		s = &v->s[i];
	}
	return s;
}

static void bd_watch_fn(struct xenbus *xb, const char *path, const char *token,
			void *data)
{
	struct bd_vbds *v = data;
	unsigned int domid, devid;
	struct bd_slot_vbd *s;

	switch (bd_parse_path(path, &domid, &devid)) {
	case 2:
		s = bd_get(v, domid, devid);
		if (s)
			s->dirty = true;
		else
			v->rescan = true;
		break;
	case 0:
	case 1:
		v->rescan = true;
		break;
	default:
		break;
	}
}

/* Every vbd directory, looked at again. */
static void bd_rescan(struct bd_vbds *v)
{
	static char doms[BD_LIST_MAX], devs[BD_LIST_MAX];
	unsigned int domid, devid;
	char path[BB_XB_DIR_MAX];

	v->rescan = false;
	for (unsigned int i = 0; i < BD_MAX_VBDS; i++)
		v->s[i].dirty |= v->s[i].used;
	if (xenbus_directory(v->ops.xb, XENBUS_NO_TX, BB_XB_ROOT, doms,
			     sizeof(doms)) < 0)
		return;
	for (const char *d = doms; *d; d += strlen(d) + 1) {
		if (bd_parse_id(d, strlen(d), DOMID_FIRST_RESERVED, &domid))
			continue;
		fmt_snprintf(path, sizeof(path), BB_XB_ROOT "/%u", domid);
		if (xenbus_directory(v->ops.xb, XENBUS_NO_TX, path, devs,
				     sizeof(devs)) < 0)
			continue;
		for (const char *e = devs; *e; e += strlen(e) + 1) {
			struct bd_slot_vbd *s;

			if (bd_parse_id(e, strlen(e), 65536, &devid))
				continue;
			s = bd_get(v, domid, devid);
			if (s)
				s->dirty = true;
		}
	}
}

int bd_vbds_start(struct bd_vbds *v, const struct bb_xb_ops *ops)
{
	memset(v, 0, sizeof(*v));
	v->ops = *ops;
	return xenbus_watch(ops->xb, BB_XB_ROOT, bd_token, bd_watch_fn, v);
}

/* Its directory went and its device ops finished: the slot is free. */
static void bd_reap(struct bd_slot_vbd *s)
{
	if (s->used && s->x.gone && !bb_vbd_busy(&s->x.vbd)) {
		bb_xb_stop(&s->x);
		s->used = false;
	}
}

void bd_vbds_update(struct bd_vbds *v)
{
	if (v->rescan)
		bd_rescan(v);
	for (unsigned int i = 0; i < BD_MAX_VBDS; i++) {
		struct bd_slot_vbd *s = &v->s[i];

		/*
		 * Also a frontend's state change, which this round's
		 * dispatch marked after bd_vbds_poll() looked: no event is
		 * left to wake us for it.
		 */
		if (!s->used || !(s->dirty || s->x.dirty))
			continue;
		s->dirty = false;
		bb_xb_update(&s->x);
		bd_reap(s);
	}
}

bool bd_vbds_poll(struct bd_vbds *v, unsigned int budget)
{
	bool more = false;

	for (unsigned int i = 0; i < BD_MAX_VBDS; i++) {
		if (!v->s[i].used)
			continue;
		more |= bb_xb_poll(&v->s[i].x, budget) >= budget;
		bd_reap(&v->s[i]);
	}
	return more;
}

evtchn_port_t bd_vbd_port(const struct bd_vbds *v, const struct bb_vbd *vbd)
{
	for (unsigned int i = 0; i < BD_MAX_VBDS; i++)
		if (v->s[i].used && &v->s[i].x.vbd == vbd)
			return v->s[i].x.port;
	return 0;
}
