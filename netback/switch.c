/*
 * The switch between the vifs and the NIC: a learning L2 bridge whose
 * vif side is fixed by configuration.
 *
 * A vif sends only from its configured MAC (tx.c drops anything else),
 * so the vif side needs no learning: a frame to a vif's address goes to
 * that vif from the first frame on, and no frame from the uplink can take
 * the address over (one claiming it as its source is dropped). The table
 * learns the addresses seen behind the uplink, each aged NB_MAC_AGE_NS
 * after it was last seen; when full, the oldest goes. Broadcast,
 * multicast and unicast to an address neither configured nor learned go
 * to every port but the source, as a bridge floods. Never back out of
 * the port a frame came in by.
 */
#include <xen/string.h>
#include "include/netback/netback.h"

#define SW_NO_PORT (NB_MAX_VIFS + 1)

static bool sw_is_group(const uint8_t *mac)
{
	return mac[0] & 1;
}

static bool sw_has_uplink(const struct nb_switch *sw)
{
	return sw->env->send_to_nic != NULL;
}

/* The port of the attached vif configured with mac, or SW_NO_PORT. */
static unsigned int sw_vif_port(const struct nb_switch *sw, const uint8_t *mac)
{
	for (unsigned int p = 1; p <= NB_MAX_VIFS; p++)
		if (sw->ports[p] && nb_mac_eq(sw->ports[p]->mac, mac))
			return p;
	return SW_NO_PORT;
}

static bool sw_expired(const struct nb_mac_entry *e, uint64_t now)
{
	return now - e->seen_ns >= NB_MAC_AGE_NS;
}

/*
 * The entry found last, when it is live and for mac. A stream asks for
 * one address over and over. An address has at most one live entry
 * (sw_learn() adds one only when sw_lookup() finds none), so the hint
 * finds the entry a scan would.
 */
static struct nb_mac_entry *sw_hint(struct nb_switch *sw, const uint8_t *mac,
				    uint64_t now)
{
	struct nb_mac_entry *e = &sw->table[sw->table_hint];

	if (!e->used || !nb_mac_eq(e->mac, mac) || sw_expired(e, now))
		return NULL;
	return e;
}

/*
 * The live entry for mac, looked for when the hint missed; an expired one is
 * freed on the way. The scan stops at the highest entry ever used.
 */
static struct nb_mac_entry *sw_scan(struct nb_switch *sw, const uint8_t *mac,
				    uint64_t now)
{
	struct nb_mac_entry *e;

	for (unsigned int i = 0; i < sw->table_top; i++) {
		e = &sw->table[i];
		if (!e->used || !nb_mac_eq(e->mac, mac))
			continue;
		if (!sw_expired(e, now)) {
			sw->table_hint = i;
			return e;
		}
		e->used = false;
	}
	return NULL;
}

/* The live entry for mac: the hint, else a scan. */
static struct nb_mac_entry *sw_lookup(struct nb_switch *sw, const uint8_t *mac,
				      uint64_t now)
{
	struct nb_mac_entry *e = sw_hint(sw, mac, now);

	return e ? e : sw_scan(sw, mac, now);
}

/* A free or expired entry, else the least recently seen one. */
static struct nb_mac_entry *sw_victim(struct nb_switch *sw, uint64_t now)
{
	struct nb_mac_entry *old = &sw->table[0];

	for (unsigned int i = 0; i < NB_MAC_TABLE; i++) {
		struct nb_mac_entry *e = &sw->table[i];

		if (!e->used || sw_expired(e, now))
			return e;
		if (e->seen_ns < old->seen_ns)
			old = e;
	}
	sw->stats.evicted++;
	return old;
}

/* mac was seen behind the uplink at now. */
static void sw_learn(struct nb_switch *sw, const uint8_t *mac, uint64_t now)
{
	struct nb_mac_entry *e = sw_lookup(sw, mac, now);

	if (!e) {
		e = sw_victim(sw, now);
		memcpy(e->mac, mac, NB_ETH_ALEN);
		e->used = true;
		sw->stats.learned++;
		if ((unsigned int)(e - sw->table) >= sw->table_top)
			sw->table_top = (unsigned int)(e - sw->table) + 1;
	}
	e->seen_ns = now;
}

static void sw_send(struct nb_switch *sw, unsigned int port,
		    const uint8_t *frame, size_t len)
{
	if (port != NB_PORT_UPLINK) {
		if (sw->ports[port])
			nb_vif_rx_deliver(sw->ports[port], frame, len);
		return;
	}
	if (!sw_has_uplink(sw))
		return;
	if (sw->env->send_to_nic(sw->env->ctx, frame, len) < 0)
		sw->stats.uplink_tx_errors++;
	else
		sw->stats.uplink_tx++;
}

static void sw_flood(struct nb_switch *sw, unsigned int from,
		     const uint8_t *frame, size_t len)
{
	sw->stats.flooded++;
	for (unsigned int p = 0; p <= NB_MAX_VIFS; p++) {
		/* A disconnected vif only waits to be torn down. */
		if (p == from ||
		    (p && sw->ports[p] && !sw->ports[p]->connected))
			continue;
		sw_send(sw, p, frame, len);
	}
}

/*
 * Where the destination lives: a vif, the uplink, or flood. No address
 * is both a vif's and learned (attaching takes it out of the table, and
 * the uplink may not claim a vif's), so a stream to the uplink is found
 * by the hint before the vifs are looked through.
 */
static void sw_forward(struct nb_switch *sw, unsigned int from,
		       const uint8_t *frame, size_t len, uint64_t now)
{
	unsigned int to;

	if (sw_is_group(frame)) {
		sw_flood(sw, from, frame, len);
		return;
	}
	if (sw_has_uplink(sw) && sw_hint(sw, frame, now))
		to = NB_PORT_UPLINK;
	else
		to = sw_vif_port(sw, frame);
	/* The hint missed already: the rest of the table. */
	if (to == SW_NO_PORT && sw_has_uplink(sw) && sw_scan(sw, frame, now))
		to = NB_PORT_UPLINK;
	if (to == SW_NO_PORT) {
		/*
		 * Every vif's address is known: an unknown unicast one can
		 * only be behind the uplink. Flooding it to the other vifs
		 * would only show one guest's traffic to the others.
		 */
		if (from != NB_PORT_UPLINK && sw_has_uplink(sw))
			sw_send(sw, NB_PORT_UPLINK, frame, len);
		else
			sw->stats.dropped++;
	} else if (to == from)
		sw->stats.dropped++;
	else
		sw_send(sw, to, frame, len);
}

void nb_switch_init(struct nb_switch *sw, const struct nb_env *env)
{
	memset(sw, 0, sizeof(*sw));
	sw->env = env;
}

int nb_switch_attach(struct nb_switch *sw, struct nb_vif *vif)
{
	struct nb_mac_entry *e;
	unsigned int p;

	if (sw_vif_port(sw, vif->mac) != SW_NO_PORT)
		return -XEN_EEXIST;
	for (p = 1; p <= NB_MAX_VIFS && sw->ports[p]; p++)
		;
	if (p > NB_MAX_VIFS)
		return -XEN_ENOSPC;
	/* The address is the vif's now, whatever the uplink said of it. */
	e = sw_lookup(sw, vif->mac, sw->env->now_ns(sw->env->ctx));
	if (e)
		e->used = false;
	sw->ports[p] = vif;
	vif->sw = sw;
	vif->port = p;
	return 0;
}

void nb_switch_detach(struct nb_switch *sw, struct nb_vif *vif)
{
	if (vif->sw != sw || !vif->port || vif->port > NB_MAX_VIFS ||
	    sw->ports[vif->port] != vif)
		return;
	sw->ports[vif->port] = NULL;
	vif->sw = NULL;
	vif->port = 0;
}

void nb_switch_input(struct nb_switch *sw, unsigned int port,
		     const uint8_t *frame, size_t len, uint64_t now)
{
	const struct nb_vif *vif;

	if (port == NB_PORT_UPLINK || port > NB_MAX_VIFS || !sw->ports[port])
		return;
	vif = sw->ports[port];
	/* tx.c checked the source; a frame that got here otherwise stops. */
	if (len < NB_ETH_HLEN || len > NB_FRAME_MAX ||
	    !nb_mac_eq(frame + NB_ETH_ALEN, vif->mac)) {
		sw->stats.dropped++;
		return;
	}
	sw_forward(sw, port, frame, len, now);
}

void nb_switch_from_nic(struct nb_switch *sw, const void *frame, size_t len)
{
	const uint8_t *f = frame;
	const uint8_t *src = f + NB_ETH_ALEN;
	uint64_t now;

	sw->stats.uplink_rx++;
	if (len < NB_ETH_HLEN || len > NB_PAGE_SIZE || sw_is_group(src)) {
		sw->stats.uplink_bad++;
		return;
	}
	if (sw_vif_port(sw, src) != SW_NO_PORT) {
		sw->stats.uplink_spoofed++;
		return;
	}
	now = sw->env->now_ns(sw->env->ctx);
	sw_learn(sw, src, now);
	sw_forward(sw, NB_PORT_UPLINK, f, len, now);
}
