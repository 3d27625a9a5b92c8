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

/*
 * What the backend says of the disk, once it is Connected: sectors,
 * sector-size and info must be there (as for Linux's blkfront), the
 * features may not.
 */
static int bf_read_info(struct blkfront *bf)
{
	static const struct xbf_num keys[] = {
		{ "sectors", -1 },
		{ "sector-size", -1 },
		{ "info", -1 },
		{ "feature-flush-cache", 0 },
		{ "feature-discard", 0 },
		{ "feature-max-indirect-segments", 0 },
		{ "feature-persistent", 0 },
	};
	struct blkfront_info in;
	unsigned long v[ARRAY_SIZE(keys)], sectors, ss, info, ind;
	int rc =
	    xbf_read_nums(&bf->xf, bf->xf.be_path, keys, v, ARRAY_SIZE(keys));

	if (rc)
		return rc;
	sectors = v[0];
	ss = v[1];
	info = v[2];
	ind = v[5];
	/* A sector must fit a page for segments to describe it. */
	if (ss < BLKFRONT_SECTOR || ss > PAGE || (ss & (ss - 1)) ||
	    info > UINT32_MAX)
		return -XEN_EINVAL;
	in.sectors = sectors;
	in.sector_size = (uint32_t)ss;
	in.info = (uint32_t)info;
	in.flush = v[3] != 0;
	in.discard = v[4] != 0;
	in.persistent = v[6] != 0;
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

/* ---- The connection ---- */

/* Retry ending the old connection's grants; then wait for a backend. */
static void bf_drain(struct blkfront *bf)
{
	bool done = true;
	unsigned int i;

	for (i = 0; i < BF_ALL_PAGES; i++)
		done &= bf_page_end(bf, i, false);
	done &= bf_direct_end(bf, false);
	done &= bf_reg_end(bf, false);
	if (!done)
		return;
	bf->pages_pending = false; /* every pool grant is back */
	bf->state = BLKFRONT_WAIT;
	bf->xf.recheck = true;
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
	bf->persistent = false; /* its grants are ended from here */
	bf->state = BLKFRONT_DRAINING;
	bf_drain(bf);
}

static int bf_publish(struct xenbus *xb, uint32_t tx, void *data)
{
	struct blkfront *bf = data;
	char v[16];
	int rc;

	fmt_snprintf(v, sizeof(v), "%u", bf->ring_pg.ref);
	rc = xbf_write(&bf->xf, tx, "ring-ref", v);
	fmt_snprintf(v, sizeof(v), "%u", bf->port);
	if (!rc)
		rc = xbf_write(&bf->xf, tx, "event-channel", v);
	if (!rc)
		rc = xbf_write(&bf->xf, tx, "protocol", "x86_64-abi");
	/* We keep our grants if the backend keeps them (blkfront_io.c). */
	if (!rc)
		rc = xbf_write(&bf->xf, tx, "feature-persistent", "1");
	return rc ? rc
		  : xenbus_switch_state(xb, tx, bf->xf.dir,
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
	port = bf->ops.evtchn_alloc_unbound(bf->ops.env, bf->xf.be_id);
	if (port < 0) {
		rc = (int)port;
		goto fail;
	}
	bf->port = (evtchn_port_t)port;
	bf->port_valid = true;
	rc = xenbus_transaction(bf->ops.xb, bf_publish, bf, BF_TXN_TRIES);
	if (rc)
		goto fail;
	bf->xf.fe_state = XenbusStateInitialised;
	return 0;

fail:
	bf_disconnect(bf);
fail_pages:
	bf->stats.connect_errors++;
	bf->xf.hold = true; /* until the store changes */
	return rc;
}

/* The backend is Connected: learn the disk, say so, issue what waits. */
static void bf_connected(struct blkfront *bf)
{
	int rc = bf_read_info(bf);

	if (!rc)
		rc = xenbus_switch_state(bf->ops.xb, XENBUS_NO_TX, bf->xf.dir,
					 XenbusStateConnected);
	if (rc) {
		bf_disconnect(bf);
		bf->stats.connect_errors++;
		bf->xf.hold = true;
		return;
	}
	bf->xf.fe_state = XenbusStateConnected;
	bf->state = BLKFRONT_CONNECTED;
	bf->persistent = bf->info.persistent;
	bf->stats.connects++;
	bf_issue(bf);
}

/* A watch fired: read where the backend is and what it says. */
static void bf_check_store(struct blkfront *bf)
{
	char path[XBF_BE_PATH_MAX];
	domid_t id;
	int bstate;

	bf->xf.recheck = false;
	if (xbf_backend_moved(&bf->xf, path, &id)) {
		if (bf->state == BLKFRONT_CONNECTING ||
		    bf->state == BLKFRONT_CONNECTED)
			bf_disconnect(bf);
		xbf_follow(&bf->xf, path, id);
	}
	bstate = xbf_backend_state(&bf->xf);
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
	    !bf->xf.hold) {
		if (!bf_connect(bf))
			return;
	}
	xbf_set_state(&bf->xf, xbf_idle_state(bstate));
}

/* ---- The interface ---- */

static bool ops_ok(const struct blkfront_ops *ops)
{
	return ops && ops->grant_access && ops->grant_end && ops->page_alloc &&
	       ops->evtchn_alloc_unbound && ops->notify && ops->done && ops->xb;
}

int blkfront_init(struct blkfront *bf, const struct blkfront_ops *ops,
		  const char *dir)
{
	unsigned long vdev = 0;
	unsigned int i;
	int rc;

	if (!ops_ok(ops))
		return -XEN_EINVAL;
	memset(bf, 0, sizeof(*bf));
	bf->ops = *ops;
	rc = xbf_init(&bf->xf, ops->xb, &bf->stats.store_errors, "blkfront",
		      dir);
	if (rc)
		return rc;
	rc = xbf_read_num(&bf->xf, bf->xf.dir, "virtual-device", -1, &vdev);
	if (!rc && vdev > UINT32_MAX)
		rc = -XEN_EINVAL;
	/* Requests name the device as Linux's blkfront does: 16 bits. */
	bf->handle = (uint16_t)vdev;
	for (i = 0; i < BF_ALL_PAGES && !rc; i++)
		rc = bf_page_ensure(bf, bf_page(bf, i));
	if (rc) {
		xbf_close(&bf->xf);
		bf_pages_free(bf);
		return rc;
	}
	bf->state = BLKFRONT_WAIT;
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
		bf->xf.recheck = true;
	}
	if (bf->state == BLKFRONT_CONNECTED || bf->state == BLKFRONT_CONNECTING)
		bf_pages_retry(bf);
	if (bf->state == BLKFRONT_DRAINING)
		bf_drain(bf);
	else
		bf_direct_end(bf, false);
	if (bf->xf.recheck)
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
	xbf_set_state(&bf->xf, XenbusStateClosing);
	xbf_set_state(&bf->xf, XenbusStateClosed);
	xbf_close(&bf->xf);
	for (i = 0; i < BF_ALL_PAGES; i++)
		bf_page_end(bf, i, true);
	bf_direct_end(bf, true);
	bf_reg_end(bf, true);
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
	bf->q_head = bf->q_len = bf->q_issued = 0;
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
	return bf->xf.be_id;
}

unsigned int blkfront_pending(const struct blkfront *bf)
{
	return bf->q_used;
}

const struct blkfront_stats *blkfront_stats(const struct blkfront *bf)
{
	return &bf->stats;
}
