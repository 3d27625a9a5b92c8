/*
 * A vif's life: attach to a frontend's rings, configure, disconnect.
 */
#include <xen/string.h>
#include "include/netback/netback.h"

int nb_vif_init(struct nb_vif *vif, const struct nb_env *env, domid_t domid,
		const uint8_t mac[NB_ETH_ALEN], struct netif_tx_sring *tx_sring,
		struct netif_rx_sring *rx_sring)
{
	static const uint8_t zero[NB_ETH_ALEN];

	if (!vif || !env || !mac || !tx_sring || !rx_sring)
		return -XEN_EINVAL;
	if ((mac[0] & 1) || !memcmp(mac, zero, NB_ETH_ALEN))
		return -XEN_EINVAL;
	memset(vif, 0, sizeof(*vif));
	vif->env = env;
	vif->domid = domid;
	memcpy(vif->mac, mac, NB_ETH_ALEN);
	BACK_RING_INIT(&vif->tx, tx_sring, XEN_PAGE_SIZE);
	BACK_RING_INIT(&vif->rx, rx_sring, XEN_PAGE_SIZE);
	vif->connected = true;
	return 0;
}

void nb_vif_set_rate(struct nb_vif *vif, uint64_t bytes, uint64_t usec)
{
	nb_rate_init(&vif->rate, bytes, usec, vif->env->now_ns(vif->env->ctx));
	vif->tx_deferred = false;
}

void nb_vif_disconnect(struct nb_vif *vif, const char *reason)
{
	if (!vif->connected)
		return;
	vif->connected = false;
	vif->stats.disconnect_reason = reason;
	vif->env->log(vif->env->ctx, "netback: vif of dom%u disconnected: %s\n",
		      (unsigned int)vif->domid, reason);
}

uint64_t nb_vif_tx_wake_ns(const struct nb_vif *vif)
{
	if (!vif->connected || !vif->tx_deferred)
		return 0;
	return vif->rate.window_end_ns;
}
