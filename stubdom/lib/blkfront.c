/*
 * blkfront: the frontend of one vbd, for small domains. This file has
 * the connection, the store and the interface; blkfront_io.c the
 * requests and the ring.
 *
 * The handshake follows Linux's blkfront against Linux's blkback: when
 * the backend is InitWait we publish ring-ref, event-channel and protocol
 * and switch to Initialised in one transaction; when the backend is
 * Connected we read the disk's description and switch to Connected. The
 * connection ends as netfront's does (the backend leaves Connected, its
 * node disappears or another backend is named, or the ring breaks), and
 * our state tells the backend what to do next: one still Connected (or
 * Closing) is asked to close (we write Closed); one that is Closed, gone
 * or new sees us Initialising, which moves Linux's blkback to InitWait.
 */
#include "../include/stub/blkfront.h"
#include <xen/lib.h>
#include <xen/string.h>

#define PAGE XEN_PAGE_SIZE

#define BF_TXN_TRIES 8 /* connection attempts while the commit conflicts */

/* ---- Store helpers ---- */

static int bf_key(const char *dir, const char *key, char *buf, size_t size)
{
	int n = fmt_snprintf(buf, size, "%s/%s", dir, key);

	return n < 0 || (size_t)n >= size ? -XEN_E2BIG : 0;
}

static int bf_write_key(struct blkfront *bf, uint32_t tx, const char *key,
			const char *val)
{
	char path[BLKFRONT_DIR_MAX + 32];
	int rc = bf_key(bf->dir, key, path, sizeof(path));

	return rc ? rc : xenbus_write(bf->ops.xb, tx, path, val);
}

/*
 * <dir>/<key> as a number. An optional one (def not -1) is def when
 * absent or not a number, as Linux's blkfront reads features.
 */
static int bf_read_num(struct blkfront *bf, const char *dir, const char *key,
		       long def, unsigned long *v)
{
	char path[XENBUS_WATCH_PATH_MAX + 48];
	int rc = bf_key(dir, key, path, sizeof(path));

	if (!rc)
		rc = xenbus_read_uint(bf->ops.xb, XENBUS_NO_TX, path, v);
	if (def >= 0 &&
	    (rc == -XEN_ENOENT || rc == -XEN_EINVAL || rc == -XEN_ERANGE)) {
		*v = (unsigned long)def;
		return 0;
	}
	return rc;
}

/*
 * <dir>/backend and <dir>/backend-id: path "" when either is absent (the
 * toolstack is between backends).
 */
static int bf_read_backend(struct blkfront *bf, char *path, size_t size,
			   domid_t *id)
{
	char key[BLKFRONT_DIR_MAX + 16];
	unsigned long v;
	int n;

	path[0] = '\0';
	n = bf_key(bf->dir, "backend", key, sizeof(key));
	if (!n)
		n = xenbus_read(bf->ops.xb, XENBUS_NO_TX, key, path, size);
	if (n == -XEN_ENOENT)
		return 0;
	if (n < 0 || (size_t)n != strlen(path) || path[0] != '/') {
		path[0] = '\0';
		return n < 0 ? n : -XEN_EINVAL;
	}
	n = bf_read_num(bf, bf->dir, "backend-id", -1, &v);
	if (!n && v >= DOMID_FIRST_RESERVED)
		n = -XEN_EINVAL;
	if (n) {
		path[0] = '\0';
		return n == -XEN_ENOENT ? 0 : n;
	}
	*id = (domid_t)v;
	return 0;
}

/*
 * What the backend says of the disk, once it is Connected: sectors,
 * sector-size and info must be there (as for Linux's blkfront), the
 * features may not.
 */
static int bf_read_info(struct blkfront *bf)
{
	struct blkfront_info in;
	unsigned long sectors, ss, info, flush, discard, ind;
	const char *be = bf->be_path;
	int rc;

	rc = bf_read_num(bf, be, "sectors", -1, &sectors);
	if (!rc)
		rc = bf_read_num(bf, be, "sector-size", -1, &ss);
	if (!rc)
		rc = bf_read_num(bf, be, "info", -1, &info);
	if (!rc)
		rc = bf_read_num(bf, be, "feature-flush-cache", 0, &flush);
	if (!rc)
		rc = bf_read_num(bf, be, "feature-discard", 0, &discard);
	if (!rc)
		rc = bf_read_num(bf, be, "feature-max-indirect-segments", 0,
				 &ind);
	if (rc)
		return rc;
	/* A sector must fit a page for segments to describe it. */
	if (ss < BLKFRONT_SECTOR || ss > PAGE || (ss & (ss - 1)) ||
	    info > UINT32_MAX)
		return -XEN_EINVAL;
	in.sectors = sectors;
	in.sector_size = (uint32_t)ss;
	in.info = (uint32_t)info;
	in.flush = flush != 0;
	in.discard = discard != 0;
	/* Fewer than a direct request carries is no use. */
	in.indirect = ind > BLKIF_MAX_SEGMENTS_PER_REQUEST
			  ? (uint32_t)(ind < BLKFRONT_INDIRECT_SEGS
					   ? ind
					   : BLKFRONT_INDIRECT_SEGS)
			  : 0;
	bf->info = in;
	bf->have_info = true;
	return 0;
}

static void bf_set_fe_state(struct blkfront *bf, int state)
{
	if (bf->fe_state == state)
		return;
	if (xenbus_switch_state(bf->ops.xb, XENBUS_NO_TX, bf->dir, state))
		bf->stats.store_errors++;
	else
		bf->fe_state = state;
}

static void bf_watch_fn(struct xenbus *xb, const char *path, const char *token,
			void *data)
{
	struct blkfront *bf = data;

	bf->recheck = true;
	bf->hold = false;
}

/* Watch <path>/state instead of the old backend's; path "" for none. */
static void bf_rewatch(struct blkfront *bf, const char *path)
{
	if (bf->be_watched)
		xenbus_unwatch(bf->ops.xb, bf->be_state, bf->token);
	bf->be_watched = false;
	memcpy(bf->be_path, path, strlen(path) + 1);
	bf->be_state[0] = '\0';
	if (!path[0])
		return;
	fmt_snprintf(bf->be_state, sizeof(bf->be_state), "%s/state", path);
	if (xenbus_watch(bf->ops.xb, bf->be_state, bf->token, bf_watch_fn, bf))
		bf->stats.store_errors++;
	else
		bf->be_watched = true;
}

/* ---- The connection ---- */

/* Retry ending the old connection's grants; then wait for a backend. */
static void bf_drain(struct blkfront *bf)
{
	bool done = true;
	unsigned int i;

	for (i = 0; i < BF_ALL_PAGES; i++)
		done &= bf_page_end(bf, i, false);
	done &= bf_direct_end(bf, false);
	if (!done)
		return;
	bf->state = BLKFRONT_WAIT;
	bf->recheck = true;
}

/*
 * End the connection (made or half made). Ring requests in flight were
 * not answered: their units go back to waiting, to be issued again.
 */
static void bf_disconnect(struct blkfront *bf)
{
	if (bf->state == BLKFRONT_CONNECTED)
		bf->stats.disconnects++;
	if (bf->port_valid && bf->ops.evtchn_close)
		bf->ops.evtchn_close(bf->ops.env, bf->port);
	bf->port_valid = false;
	bf_requeue(bf);
	bf->state = BLKFRONT_DRAINING;
	bf_drain(bf);
}

static int bf_publish(struct xenbus *xb, uint32_t tx, void *data)
{
	struct blkfront *bf = data;
	char v[16];
	int rc;

	fmt_snprintf(v, sizeof(v), "%u", bf->ring_pg.ref);
	rc = bf_write_key(bf, tx, "ring-ref", v);
	fmt_snprintf(v, sizeof(v), "%u", bf->port);
	if (!rc)
		rc = bf_write_key(bf, tx, "event-channel", v);
	if (!rc)
		rc = bf_write_key(bf, tx, "protocol", "x86_64-abi");
	return rc ? rc
		  : xenbus_switch_state(xb, tx, bf->dir,
					XenbusStateInitialised);
}

/* A fresh ring granted to be_id, a port, and the store told. */
static int bf_connect(struct blkfront *bf)
{
	blkif_sring_t *s;
	long port;
	int rc = bf_page_ensure(bf, &bf->ring_pg);

	if (rc)
		goto fail_pages;
	s = bf->ring_pg.va;
	memset(s, 0, PAGE);
	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&bf->ring, s, PAGE);

	bf->state = BLKFRONT_CONNECTING;
	rc = bf_page_grant(bf, &bf->ring_pg, false);
	if (rc)
		goto fail;
	port = bf->ops.evtchn_alloc_unbound(bf->ops.env, bf->be_id);
	if (port < 0) {
		rc = (int)port;
		goto fail;
	}
	bf->port = (evtchn_port_t)port;
	bf->port_valid = true;
	rc = xenbus_transaction(bf->ops.xb, bf_publish, bf, BF_TXN_TRIES);
	if (rc)
		goto fail;
	bf->fe_state = XenbusStateInitialised;
	return 0;

fail:
	bf_disconnect(bf);
fail_pages:
	bf->stats.connect_errors++;
	bf->hold = true; /* until the store changes */
	return rc;
}

/* The backend is Connected: learn the disk, say so, issue what waits. */
static void bf_connected(struct blkfront *bf)
{
	int rc = bf_read_info(bf);

	if (!rc)
		rc = xenbus_switch_state(bf->ops.xb, XENBUS_NO_TX, bf->dir,
					 XenbusStateConnected);
	if (rc) {
		bf_disconnect(bf);
		bf->stats.connect_errors++;
		bf->hold = true;
		return;
	}
	bf->fe_state = XenbusStateConnected;
	bf->state = BLKFRONT_CONNECTED;
	bf->stats.connects++;
	bf_issue(bf);
}

/*
 * While not connected, what our state node should say, given the
 * backend's: ask one that still thinks it is connected (or closing) to
 * close; show Initialising to one that is closed, gone or new.
 */
static int bf_wanted_fe_state(int bstate)
{
	switch (bstate) {
	case XenbusStateInitialised:
	case XenbusStateConnected:
	case XenbusStateClosing:
	case XenbusStateReconfiguring:
	case XenbusStateReconfigured:
		return XenbusStateClosed;
	default:
		return XenbusStateInitialising;
	}
}

/* The backend's state, after following <dir>/backend to where it is. */
static int bf_backend_state(struct blkfront *bf)
{
	char path[sizeof(bf->be_path)];
	domid_t id = 0;
	int bstate = XenbusStateUnknown;

	if (bf_read_backend(bf, path, sizeof(path), &id))
		bf->stats.store_errors++;
	if (strcmp(path, bf->be_path) || (path[0] && id != bf->be_id)) {
		if (bf->state == BLKFRONT_CONNECTING ||
		    bf->state == BLKFRONT_CONNECTED)
			bf_disconnect(bf);
		bf_rewatch(bf, path);
		bf->be_id = id;
	}
	if (bf->be_state[0]) {
		bstate = xenbus_read_state(bf->ops.xb, bf->be_path);
		/*
		 * A backend whose nodes went with its domain may leave
		 * a parent we cannot read: gone all the same.
		 */
		if (bstate < 0 && bstate != -XEN_EACCES)
			bf->stats.store_errors++;
		if (bstate < 0)
			bstate = XenbusStateUnknown;
	}
	return bstate;
}

/* A watch fired: read where the backend is and what it says. */
static void bf_check_store(struct blkfront *bf)
{
	int bstate;

	bf->recheck = false;
	bstate = bf_backend_state(bf);
	if (bf->state == BLKFRONT_CONNECTING && bstate == XenbusStateConnected)
		bf_connected(bf);
	else if ((bf->state == BLKFRONT_CONNECTING &&
		  bstate != XenbusStateInitWait &&
		  bstate != XenbusStateInitialised) ||
		 (bf->state == BLKFRONT_CONNECTED &&
		  bstate != XenbusStateConnected))
		bf_disconnect(bf);

	if (bf->state != BLKFRONT_WAIT && bf->state != BLKFRONT_DRAINING)
		return;
	/* A new backend's grants wait until the old ones are back. */
	if (bf->state == BLKFRONT_WAIT && bstate == XenbusStateInitWait &&
	    !bf->hold) {
		if (!bf_connect(bf))
			return;
	}
	bf_set_fe_state(bf, bf_wanted_fe_state(bstate));
}

/* ---- The interface ---- */

static bool ops_ok(const struct blkfront_ops *ops)
{
	return ops && ops->grant_access && ops->grant_end && ops->page_alloc &&
	       ops->evtchn_alloc_unbound && ops->notify && ops->done && ops->xb;
}

/* <dir>/backend and <dir>/backend-id, both or neither. */
static int bf_watch_device(struct blkfront *bf)
{
	char path[BLKFRONT_DIR_MAX + 16];
	int rc = bf_key(bf->dir, "backend", path, sizeof(path));

	if (!rc)
		rc = xenbus_watch(bf->ops.xb, path, bf->token, bf_watch_fn, bf);
	if (rc)
		return rc;
	rc = bf_key(bf->dir, "backend-id", path, sizeof(path));
	if (!rc)
		rc = xenbus_watch(bf->ops.xb, path, bf->token, bf_watch_fn, bf);
	if (rc) {
		bf_key(bf->dir, "backend", path, sizeof(path));
		xenbus_unwatch(bf->ops.xb, path, bf->token);
	}
	return rc;
}

static void bf_unwatch_device(struct blkfront *bf)
{
	char path[BLKFRONT_DIR_MAX + 16];

	bf_rewatch(bf, "");
	bf_key(bf->dir, "backend", path, sizeof(path));
	xenbus_unwatch(bf->ops.xb, path, bf->token);
	bf_key(bf->dir, "backend-id", path, sizeof(path));
	xenbus_unwatch(bf->ops.xb, path, bf->token);
}

int blkfront_init(struct blkfront *bf, const struct blkfront_ops *ops,
		  const char *dir)
{
	unsigned long vdev = 0;
	size_t len;
	unsigned int i;
	int rc;

	if (!ops_ok(ops) || !dir)
		return -XEN_EINVAL;
	len = strlen(dir);
	if (!len || len >= BLKFRONT_DIR_MAX || dir[len - 1] == '/')
		return -XEN_EINVAL;
	memset(bf, 0, sizeof(*bf));
	bf->ops = *ops;
	bf->fe_state = -1;
	memcpy(bf->dir, dir, len + 1);
	fmt_snprintf(bf->token, sizeof(bf->token), "blkfront:%s", dir);

	rc = bf_read_num(bf, bf->dir, "virtual-device", -1, &vdev);
	if (!rc && vdev > UINT32_MAX)
		rc = -XEN_EINVAL;
	/* Requests name the device as Linux's blkfront does: 16 bits. */
	bf->handle = (uint16_t)vdev;
	for (i = 0; i < BF_ALL_PAGES && !rc; i++)
		rc = bf_page_ensure(bf, bf_page(bf, i));
	if (!rc)
		rc = bf_watch_device(bf);
	if (rc) {
		bf_pages_free(bf);
		return rc;
	}
	bf->state = BLKFRONT_WAIT;
	bf->recheck = true;
	return 0;
}

int blkfront_poll(struct blkfront *bf)
{
	int n;

	if (bf->state == BLKFRONT_CLOSED || bf->in_poll)
		return 0;
	bf->in_poll = true;
	xenbus_poll(bf->ops.xb);
	xenbus_dispatch(bf->ops.xb);
	if (bf->state == BLKFRONT_CONNECTED && !bf_collect(bf)) {
		/* Logged by the count; the store says what is next. */
		bf->stats.ring_broken++;
		bf_disconnect(bf);
		bf->recheck = true;
	}
	if (bf->state == BLKFRONT_CONNECTED || bf->state == BLKFRONT_CONNECTING)
		bf_pages_retry(bf);
	if (bf->state == BLKFRONT_DRAINING)
		bf_drain(bf);
	else
		bf_direct_end(bf, false);
	if (bf->recheck)
		bf_check_store(bf);
	bf_issue(bf);
	n = bf_deliver(bf);
	bf->in_poll = false;
	return n;
}

/* A read or write of count sectors: one unit a page. */
static int bf_rw(struct blkfront *bf, uint8_t op, uint64_t sector,
		 uint32_t count, void *dst, const void *src, void *cookie,
		 bool sync)
{
	struct blkfront_req r = {
		.op = op,
		.sync = sync,
		.sector = sector,
		.count = count,
		.dst = dst,
		.src = src,
		.cookie = cookie,
		.units = (uint16_t)((count + BLKFRONT_SECTORS_PER_PAGE - 1) /
				    BLKFRONT_SECTORS_PER_PAGE),
	};

	uintptr_t va = (uintptr_t)(dst ? (const void *)dst : src);

	if (!count || count > BLKFRONT_MAX_SECTORS || (!dst && !src))
		return -XEN_EINVAL;
	/* Whole pages of the caller's are granted as they are. */
	r.direct = bf->ops.virt_to_mfn && va % XEN_PAGE_SIZE == 0 &&
		   count % BLKFRONT_SECTORS_PER_PAGE == 0;
	return bf_submit(bf, &r);
}

int blkfront_read(struct blkfront *bf, uint64_t sector, uint32_t count,
		  void *buf, void *cookie)
{
	return bf_rw(bf, BLKIF_OP_READ, sector, count, buf, NULL, cookie,
		     false);
}

int blkfront_write(struct blkfront *bf, uint64_t sector, uint32_t count,
		   const void *buf, void *cookie)
{
	return bf_rw(bf, BLKIF_OP_WRITE, sector, count, NULL, buf, cookie,
		     false);
}

static int bf_flush(struct blkfront *bf, void *cookie, bool sync)
{
	struct blkfront_req r = {
		.op = BLKIF_OP_FLUSH_DISKCACHE,
		.sync = sync,
		.cookie = cookie,
		.units = 1,
	};

	return bf_submit(bf, &r);
}

int blkfront_flush(struct blkfront *bf, void *cookie)
{
	return bf_flush(bf, cookie, false);
}

int blkfront_discard(struct blkfront *bf, uint64_t sector, uint64_t count,
		     void *cookie)
{
	struct blkfront_req r = {
		.op = BLKIF_OP_DISCARD,
		.sector = sector,
		.count = count,
		.cookie = cookie,
		.units = 1,
	};

	if (!count)
		return -XEN_EINVAL;
	return bf_submit(bf, &r);
}

/* Wait for the one blocking request in flight (bf->sync_done). */
static int bf_sync_wait(struct blkfront *bf, int rc)
{
	if (rc)
		return rc;
	while (!bf->sync_done) {
		blkfront_poll(bf);
		if (!bf->sync_done)
			bf->ops.wait(bf->ops.env);
	}
	return bf->sync_status;
}

/* Whether a blocking helper may run now: not inside a completion. */
static int bf_sync_start(struct blkfront *bf)
{
	if (!bf->ops.wait)
		return -XEN_EINVAL;
	if (bf->in_poll)
		return -XEN_EBUSY;
	bf->sync_done = false;
	return 0;
}

int blkfront_read_sync(struct blkfront *bf, uint64_t sector, uint32_t count,
		       void *buf)
{
	int rc = bf_sync_start(bf);

	if (!rc)
		rc = bf_rw(bf, BLKIF_OP_READ, sector, count, buf, NULL, NULL,
			   true);
	return bf_sync_wait(bf, rc);
}

int blkfront_write_sync(struct blkfront *bf, uint64_t sector, uint32_t count,
			const void *buf)
{
	int rc = bf_sync_start(bf);

	if (!rc)
		rc = bf_rw(bf, BLKIF_OP_WRITE, sector, count, NULL, buf, NULL,
			   true);
	return bf_sync_wait(bf, rc);
}

int blkfront_flush_sync(struct blkfront *bf)
{
	int rc = bf_sync_start(bf);

	if (!rc)
		rc = bf_flush(bf, NULL, true);
	return bf_sync_wait(bf, rc);
}

void blkfront_shutdown(struct blkfront *bf)
{
	unsigned int i, head, len;

	if (bf->state == BLKFRONT_CLOSED)
		return;
	if (bf->state == BLKFRONT_CONNECTING || bf->state == BLKFRONT_CONNECTED)
		bf_disconnect(bf);
	bf_set_fe_state(bf, XenbusStateClosing);
	bf_set_fe_state(bf, XenbusStateClosed);
	bf_unwatch_device(bf);
	for (i = 0; i < BF_ALL_PAGES; i++)
		bf_page_end(bf, i, true);
	bf_direct_end(bf, true);
	bf_pages_free(bf);
	bf->state = BLKFRONT_CLOSED;
	/*
	 * Completions last, in order: bf is closed by then, so one that
	 * submits is refused and the queue stays as it is.
	 */
	head = bf->q_head;
	len = bf->q_len;
	for (i = 0; i < len; i++) {
		unsigned int ri = (head + i) % BLKFRONT_QUEUE;
		struct blkfront_req *r = &bf->q[ri];

		if (r->used)
			bf_complete(bf, ri,
				    r->finished ? r->status : -XEN_ENOTCONN);
	}
	bf->q_head = bf->q_len = 0;
}

enum blkfront_state blkfront_state(const struct blkfront *bf)
{
	return bf->state;
}

bool blkfront_connected(const struct blkfront *bf)
{
	return bf->state == BLKFRONT_CONNECTED;
}

bool blkfront_info(const struct blkfront *bf, struct blkfront_info *info)
{
	if (bf->have_info && info)
		*info = bf->info;
	return bf->have_info;
}

long blkfront_port(const struct blkfront *bf)
{
	return bf->port_valid ? (long)bf->port : -1;
}

domid_t blkfront_backend_id(const struct blkfront *bf)
{
	return bf->be_id;
}

unsigned int blkfront_pending(const struct blkfront *bf)
{
	unsigned int i, n = 0;

	for (i = 0; i < BLKFRONT_QUEUE; i++)
		n += bf->q[i].used;
	return n;
}

const struct blkfront_stats *blkfront_stats(const struct blkfront *bf)
{
	return &bf->stats;
}
