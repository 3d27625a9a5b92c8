/*
 * netback and its switch against frontends that write anything: two
 * vifs whose frontends fill their tx rings with any requests (chains,
 * extras, any sizes, offsets and grants), move their producers sanely
 * or not, rewrite any ring byte, post any rx buffers, and a NIC that
 * delivers any frames. What must hold:
 *
 * - every frame put on the NIC is 14..1514 bytes and comes from a
 *   vif's own address: no frontend sends as another, or as the
 *   uplink's hosts;
 * - grant copies name only the vifs' frontends and the driver
 *   domain's local frames, within a page;
 * - neither ring is ever answered more than it was asked.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../netback/include/netback/netback.h"
#include "fuzz.h"
#include "fuzz_grant.h"

#define NVIFS	  2
#define NGRANTS	  8
#define GREF_BASE 16
#define LOCAL_MFN 0x7000

static const domid_t vif_dom[NVIFS] = { 11, 12 };
static const uint8_t vif_mac[NVIFS][NB_ETH_ALEN] = {
	{ 0x02, 0, 0, 0, 0, 0x0b },
	{ 0x02, 0, 0, 0, 0, 0x0c },
};

static uint8_t grant_pages[NVIFS][NGRANTS][NB_PAGE_SIZE];
static uint8_t local_pages[NB_LOCAL_BUFS][NB_PAGE_SIZE];
static uint8_t tx_page[NVIFS][XEN_PAGE_SIZE] __attribute__((aligned(4096)));
static uint8_t rx_page[NVIFS][XEN_PAGE_SIZE] __attribute__((aligned(4096)));

static struct nb_vif VIF[NVIFS];
static struct nb_switch SW;
static struct netif_tx_front_ring TXF[NVIFS];
static struct netif_rx_front_ring RXF[NVIFS];
static RING_IDX tx_prod[NVIFS], rx_prod[NVIFS];
static uint64_t now;

static int vif_of(domid_t dom)
{
	for (int i = 0; i < NVIFS; i++)
		if (vif_dom[i] == dom)
			return i;
	return -1;
}

/* A vif's frontend's grants (every third read-only), or the local
 * frames: nothing else. */
static uint8_t *page_of(const struct gnttab_copy_ptr *p, bool gref, bool write,
			int16_t *status)
{
	if (gref) {
		int v = vif_of(p->domid);
		unsigned int g = p->u.ref - GREF_BASE;

		FUZZ_CHECK(v >= 0); /* only a vif's frontend */
		*status = GNTST_bad_gntref;
		if (p->u.ref < GREF_BASE || g >= NGRANTS)
			return NULL;
		*status = GNTST_permission_denied;
		return write && g % 3 == 2 ? NULL : grant_pages[v][g];
	}
	FUZZ_CHECK(p->domid == DOMID_SELF);
	FUZZ_CHECK(p->u.gmfn >= LOCAL_MFN &&
		   p->u.gmfn < LOCAL_MFN + NB_LOCAL_BUFS);
	return local_pages[p->u.gmfn - LOCAL_MFN];
}

static long env_grant_copy(void *ctx, struct gnttab_copy *ops, unsigned int n)
{
	FUZZ_CHECK(n >= 1 && n <= NB_TX_BATCH_SLOTS);
	for (unsigned int i = 0; i < n; i++)
		FUZZ_CHECK(ops[i].len <= NB_PAGE_SIZE);
	fuzz_grant_copy(page_of, ops, n);
	return 0;
}

static void env_notify(void *ctx, struct nb_vif *vif, enum nb_ring ring)
{
}

static uint64_t env_now(void *ctx)
{
	return now;
}

static void env_log(void *ctx, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
}

static struct nb_buf env_local_buf(void *ctx, unsigned int i)
{
	FUZZ_CHECK(i < NB_LOCAL_BUFS);
	return (struct nb_buf){ local_pages[i], LOCAL_MFN + i, 0 };
}

/* The uplink: only frames a vif sent from its own address. */
static long env_send_to_nic(void *ctx, const void *frame, size_t len)
{
	const uint8_t *src = (const uint8_t *)frame + NB_ETH_ALEN;

	FUZZ_CHECK(len >= NB_ETH_HLEN && len <= NB_FRAME_MAX);
	FUZZ_CHECK(nb_mac_eq(src, vif_mac[0]) || nb_mac_eq(src, vif_mac[1]));
	return 0;
}

static const struct nb_env ENV = {
	.grant_copy = env_grant_copy,
	.notify = env_notify,
	.now_ns = env_now,
	.log = env_log,
	.local_buf = env_local_buf,
	.send_to_nic = env_send_to_nic,
};

static void check_rings(void)
{
	for (int v = 0; v < NVIFS; v++) {
		FUZZ_CHECK((int32_t)(VIF[v].tx.req_cons -
				     VIF[v].tx.rsp_prod_pvt) >= 0);
		FUZZ_CHECK((int32_t)(VIF[v].rx.req_cons -
				     VIF[v].rx.rsp_prod_pvt) >= 0);
	}
}

static void attach(int v)
{
	struct netif_tx_sring *txs = (struct netif_tx_sring *)tx_page[v];
	struct netif_rx_sring *rxs = (struct netif_rx_sring *)rx_page[v];

	memset(tx_page[v], 0, XEN_PAGE_SIZE);
	memset(rx_page[v], 0, XEN_PAGE_SIZE);
	SHARED_RING_INIT(txs);
	SHARED_RING_INIT(rxs);
	FRONT_RING_INIT(&TXF[v], txs, XEN_PAGE_SIZE);
	FRONT_RING_INIT(&RXF[v], rxs, XEN_PAGE_SIZE);
	tx_prod[v] = rx_prod[v] = 0;
	FUZZ_CHECK(
	    nb_vif_init(&VIF[v], &ENV, vif_dom[v], vif_mac[v], txs, rxs) == 0);
	FUZZ_CHECK(nb_switch_attach(&SW, &VIF[v]) == 0);
}

/* A plausible packet: one slot, the vif's own address or another's. */
static void tx_packet(struct fuzz_in *in, int v)
{
	struct netif_tx_request *r = RING_GET_REQUEST(&TXF[v], tx_prod[v]);
	uint8_t g = fuzz_u8(in) % NGRANTS, b = fuzz_u8(in);
	uint16_t off = fuzz_u16(in) % 2600;
	uint8_t *p = grant_pages[v][g] + off;

	*r = (struct netif_tx_request){
		.gref = GREF_BASE + g,
		.offset = off,
		.flags = b & (NETTXF_csum_blank | NETTXF_data_validated),
		.id = (uint16_t)tx_prod[v],
		.size = (uint16_t)(NB_ETH_HLEN + fuzz_u16(in) % 1520),
	};
	fuzz_bytes(in, p, NB_ETH_ALEN); /* destination */
	memcpy(p + NB_ETH_ALEN, vif_mac[(b & 4) ? 1 - v : v], NB_ETH_ALEN);
	fuzz_bytes(in, p + 2 * NB_ETH_ALEN, 2 + fuzz_u8(in) % 40);
	tx_prod[v]++;
	TXF[v].sring->req_prod = tx_prod[v];
}

static void rx_post(struct fuzz_in *in, int v)
{
	struct netif_rx_request *r = RING_GET_REQUEST(&RXF[v], rx_prod[v]);

	r->id = fuzz_u16(in);
	r->gref = GREF_BASE + fuzz_u8(in) % (NGRANTS + 2);
	rx_prod[v]++;
	RXF[v].sring->req_prod = rx_prod[v];
}

static void from_nic(struct fuzz_in *in)
{
	static uint8_t frame[1600];
	size_t len = fuzz_u16(in) % sizeof(frame);

	fuzz_bytes(in, frame, len);
	nb_switch_from_nic(&SW, frame, len);
}

static void step(struct fuzz_in *in)
{
	uint8_t op = fuzz_u8(in);
	int v = (op >> 7) & 1;

	switch (op % 11) {
	case 0: /* any tx request into the next slot */
		fuzz_bytes(in, RING_GET_REQUEST(&TXF[v], tx_prod[v]),
			   sizeof(struct netif_tx_request));
		tx_prod[v]++;
		break;
	case 1:
		TXF[v].sring->req_prod = tx_prod[v];
		break;
	case 2: /* any producer index, either ring */
		if (op & 64)
			RXF[v].sring->req_prod = fuzz_u32(in);
		else
			TXF[v].sring->req_prod = fuzz_u32(in);
		break;
	case 3: { /* any byte of either ring page */
		uint16_t at = fuzz_u16(in);
		uint8_t *page = at & 0x8000 ? rx_page[v] : tx_page[v];

		page[at % XEN_PAGE_SIZE] = fuzz_u8(in);
		break;
	}
	case 4:
		tx_packet(in, v);
		break;
	case 5:
		nb_vif_tx_poll(&VIF[v], fuzz_u8(in) % 48);
		break;
	case 6:
		rx_post(in, v);
		break;
	case 7:
		from_nic(in);
		break;
	case 8: /* time passes: rate credit, MAC ageing */
		now += (uint64_t)fuzz_u16(in) * 1000000;
		break;
	case 9: { /* a rate limit, as the vif's "rate" node says it */
		char s[24];
		uint64_t bytes, usec;

		fuzz_bytes(in, s, sizeof(s) - 1);
		s[fuzz_u8(in) % sizeof(s)] = 0;
		s[sizeof(s) - 1] = 0;
		if (nb_rate_parse(s, &bytes, &usec) == 0) {
			FUZZ_CHECK(bytes > 0 && usec > 0 &&
				   usec <= NB_RATE_MAX_USEC);
			nb_vif_set_rate(&VIF[v], bytes % 100000, usec);
		}
		break;
	}
	default: /* the frontend goes away and comes back */
		nb_vif_disconnect(&VIF[v], "fuzz: reconnect");
		nb_switch_detach(&SW, &VIF[v]);
		attach(v);
		break;
	}
	check_rings();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	/* Nothing carried over from the last input: it replays alone. */
	memset(grant_pages, 0, sizeof(grant_pages));
	now = 1000000000;
	nb_switch_init(&SW, &ENV);
	for (int v = 0; v < NVIFS; v++)
		attach(v);
	while (in.len)
		step(&in);
	for (int v = 0; v < NVIFS; v++)
		nb_vif_tx_poll(&VIF[v], NB_TX_BATCH);
	check_rings();
	return 0;
}
