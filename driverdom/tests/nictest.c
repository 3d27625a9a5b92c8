/*
 * The e1000e driver against QEMU's user-mode network (toolstack
 * "sbdf=N"): bring the NIC up, ARP for the gateway 10.0.2.2 as
 * 10.0.2.15, ping it (slirp may not answer under restrict=on: reported,
 * not checked), then take memory decoding and bus mastering away under
 * the driver, as a function reset leaves them, and ARP again: the driver
 * must notice and re-initialise. Waits are bounded polls with stub_sleep.
 * Prints "nictest: N passed, M failed".
 */
#include <public/sched.h>
#include <xen/string.h>
#include <driverdom/netdrv.h>
#include <driverdom/pci.h>
#include <stub/check.h>
#include <stub/events.h>
#include <stub/stub.h>
#include <stub/time.h>

#define MS	     1000000ull
#define RESEND_NS    (200 * MS)
#define ETH_HLEN     14
#define ETH_P_IP     0x0800
#define ETH_P_ARP    0x0806
#define ARP_LEN	     28
#define IP_HLEN	     20
#define ICMP_HLEN    8
#define PING_PAYLOAD 32
#define PING_ID	     0x4354

static const uint8_t our_ip[4] = { 10, 0, 2, 15 };
static const uint8_t gw_ip[4] = { 10, 0, 2, 2 };

static struct dd_pci pci;
static struct netdrv nd;
static uint8_t our_mac[NETDRV_MAC_LEN], gw_mac[NETDRV_MAC_LEN];
static bool arp_seen, ping_seen;
static uint16_t ping_seq;
static unsigned long other_frames;

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The Internet checksum of len bytes (even). */
static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void eth_header(uint8_t *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f, dst, NETDRV_MAC_LEN);
	memcpy(f + 6, our_mac, NETDRV_MAC_LEN);
	put16(f + 12, type);
}

static void send_arp_request(void)
{
	static const uint8_t bcast[NETDRV_MAC_LEN] = { 0xff, 0xff, 0xff,
						       0xff, 0xff, 0xff };
	uint8_t f[ETH_HLEN + ARP_LEN] = { 0 };
	uint8_t *a = f + ETH_HLEN;

	eth_header(f, bcast, ETH_P_ARP);
	put16(a, 1); /* Ethernet */
	put16(a + 2, ETH_P_IP);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1); /* request */
	memcpy(a + 8, our_mac, 6);
	memcpy(a + 14, our_ip, 4);
	memcpy(a + 24, gw_ip, 4);
	netdrv_send(&nd, f, sizeof(f));
}

static void send_ping(void)
{
	uint8_t f[ETH_HLEN + IP_HLEN + ICMP_HLEN + PING_PAYLOAD] = { 0 };
	uint8_t *ip = f + ETH_HLEN, *icmp = ip + IP_HLEN;

	eth_header(f, gw_mac, ETH_P_IP);
	ip[0] = 0x45;
	put16(ip + 2, IP_HLEN + ICMP_HLEN + PING_PAYLOAD);
	put16(ip + 4, ++ping_seq);
	ip[8] = 64;
	ip[9] = 1; /* ICMP */
	memcpy(ip + 12, our_ip, 4);
	memcpy(ip + 16, gw_ip, 4);
	put16(ip + 10, csum(ip, IP_HLEN));
	icmp[0] = 8; /* echo request */
	put16(icmp + 4, PING_ID);
	put16(icmp + 6, ping_seq);
	for (unsigned int i = 0; i < PING_PAYLOAD; i++)
		icmp[ICMP_HLEN + i] = (uint8_t)i;
	put16(icmp + 2, csum(icmp, ICMP_HLEN + PING_PAYLOAD));
	netdrv_send(&nd, f, sizeof(f));
}

/* "Who has 10.0.2.15? 10.0.2.2 is at ..." to us: the gateway's MAC. */
static bool rx_arp(const uint8_t *a, size_t len)
{
	if (len < ARP_LEN || get16(a) != 1 || get16(a + 2) != ETH_P_IP ||
	    a[4] != 6 || a[5] != 4 || get16(a + 6) != 2 ||
	    memcmp(a + 14, gw_ip, 4) || memcmp(a + 24, our_ip, 4))
		return false;
	memcpy(gw_mac, a + 8, NETDRV_MAC_LEN);
	arp_seen = true;
	return true;
}

/* An echo reply from the gateway to our current request. */
static bool rx_ip(const uint8_t *ip, size_t len)
{
	size_t hl, tot;
	const uint8_t *icmp;

	if (len < IP_HLEN || ip[0] >> 4 != 4)
		return false;
	hl = (size_t)(ip[0] & 0xf) * 4;
	tot = get16(ip + 2);
	if (hl < IP_HLEN || tot > len || tot < hl + ICMP_HLEN || ip[9] != 1 ||
	    memcmp(ip + 12, gw_ip, 4) || memcmp(ip + 16, our_ip, 4))
		return false;
	icmp = ip + hl;
	if (icmp[0] != 0 || get16(icmp + 4) != PING_ID ||
	    get16(icmp + 6) != ping_seq)
		return false;
	ping_seen = true;
	return true;
}

static void on_rx(void *ctx, const uint8_t *f, size_t len)
{
	bool mine = false;

	if (len >= ETH_HLEN && get16(f + 12) == ETH_P_ARP)
		mine = rx_arp(f + ETH_HLEN, len - ETH_HLEN);
	else if (len >= ETH_HLEN && get16(f + 12) == ETH_P_IP)
		mine = rx_ip(f + ETH_HLEN, len - ETH_HLEN);
	if (!mine)
		other_frames++;
}

/*
 * Send every RESEND_NS and poll every millisecond until *done or
 * timeout: QEMU's e1000e may hold the first frames for about a second
 * after receive is enabled. Returns the milliseconds it took, or -1.
 */
static long exchange(void (*send)(void), bool *done, uint64_t timeout)
{
	uint64_t start = stub_now(), next = start;

	*done = false;
	while (!*done && stub_now() - start < timeout) {
		if (stub_now() >= next) {
			send();
			next += RESEND_NS;
		}
		netdrv_poll(&nd, 32);
		if (!*done)
			stub_sleep(MS);
	}
	return *done ? (long)((stub_now() - start) / MS) : -1;
}

static bool wait_link(uint64_t timeout)
{
	uint64_t start = stub_now();

	while (!netdrv_link_up(&nd) && stub_now() - start < timeout) {
		netdrv_poll(&nd, 32);
		stub_sleep(10 * MS);
	}
	return netdrv_link_up(&nd);
}

static void test_arp(const char *when)
{
	unsigned long irqs = nd.irq.count;
	long ms = exchange(send_arp_request, &arp_seen, 3500 * MS);

	stub_check("ARP reply", ms >= 0, 1);
	if (ms < 0) {
		printf("nictest: no ARP reply%s\n", when);
		return;
	}
	/*
	 * Polling may find the reply before its interrupt, which interrupt
	 * moderation can hold back for a moment: give it 100 ms.
	 */
	for (uint64_t until = stub_now() + 100 * MS;
	     nd.irq.count == irqs && stub_now() < until;)
		stub_sleep(MS);
	irqs = nd.irq.count - irqs;
	printf("nictest: ARP reply from 10.0.2.2 "
	       "(%02x:%02x:%02x:%02x:%02x:%02x) after %ld ms, %lu "
	       "interrupt%s%s\n",
	       gw_mac[0], gw_mac[1], gw_mac[2], gw_mac[3], gw_mac[4], gw_mac[5],
	       ms, irqs, irqs == 1 ? "" : "s", when);
	stub_check("interrupts as events", irqs > 0, 1);
}

static void test_ping(void)
{
	long ms = exchange(send_ping, &ping_seen, 1500 * MS);

	if (ms >= 0)
		printf("nictest: ICMP echo reply from 10.0.2.2 after %ld ms\n",
		       ms);
	else
		printf("nictest: no ICMP echo reply from 10.0.2.2 "
		       "(slirp with restrict=on)\n");
}

/* What a function reset leaves: no decoding, no bus mastering. */
static void test_reset(void)
{
	uint32_t cmd;
	unsigned long resets = nd.stats.resets;

	stub_check("read command", dd_pci_read(&pci, DD_PCI_COMMAND, 2, &cmd),
		   0);
	stub_check("decoding off",
		   dd_pci_write(&pci, DD_PCI_COMMAND, 2,
				cmd & ~(DD_PCI_CMD_MEM | DD_PCI_CMD_MASTER)),
		   0);
	test_arp(" after the reset");
	stub_check("re-initialised once", nd.stats.resets - resets, 1);
	stub_check("link after the reset", wait_link(1000 * MS), 1);
}

static void print_stats(void)
{
	const struct netdrv_stats *s = &nd.stats;

	printf("nictest: rx %lu frames %lu bytes (%lu dropped, %lu not ours), "
	       "tx %lu frames %lu bytes (%lu busy), %lu interrupts, "
	       "%lu resets\n",
	       s->rx_frames, s->rx_bytes, s->rx_dropped, other_frames,
	       s->tx_frames, s->tx_bytes, s->tx_busy, s->irqs, s->resets);
}

/* An interrupt the device raises because we asked it to (ICS). */
static void test_soft_irq(void)
{
	unsigned long before = nd.irq.count;
	uint64_t until = stub_now() + 500 * MS;

	nd.ops->test_irq(&nd);
	while (nd.irq.count == before && stub_now() < until)
		stub_sleep(MS);
	stub_check("interrupt raised through ICS", nd.irq.count > before, 1);
	printf("nictest: an interrupt set through ICS %s\n",
	       nd.irq.count > before ? "arrived as an event" : "never came");
}

/*
 * Frames sent raise no interrupt: the driver reclaims its descriptors as
 * it sends, and a completion interrupt would only wake it for nothing.
 * An experimental ethertype to a locally administered address: no one
 * on the wire answers.
 */
static void test_tx_quiet(void)
{
	static const uint8_t nobody[NETDRV_MAC_LEN] = { 0x02, 0, 0, 0, 0, 1 };
	unsigned long irqs, sent = nd.stats.tx_frames;
	uint8_t f[ETH_HLEN + 46] = { 0 };

	/* What an earlier test left pending comes first. */
	netdrv_poll(&nd, 16);
	stub_sleep(20 * MS);
	netdrv_poll(&nd, 16);
	irqs = nd.stats.irqs;
	eth_header(f, nobody, 0x88b5);
	for (unsigned int i = 0; i < 64; i++) {
		netdrv_send(&nd, f, sizeof(f));
		netdrv_poll(&nd, 16);
	}
	stub_sleep(20 * MS);
	netdrv_poll(&nd, 16);
	stub_check("quiet: every frame sent", nd.stats.tx_frames - sent, 64);
	stub_check("quiet: no interrupt for them", nd.stats.irqs - irqs, 0);
	printf("nictest: 64 frames sent, %lu interrupts\n",
	       nd.stats.irqs - irqs);
}

/*
 * An interrupt storm of our own making: ICS written for 30 ms, well over
 * the pirq_storm= the test boots with. The hypervisor must mask the
 * entry (one more ICS then brings nothing) until our EOI, after which
 * the interrupt held back arrives.
 */
static void test_storm(void)
{
	uint64_t end = stub_now() + 30 * MS;
	unsigned long writes = 0, during, held;

	while (stub_now() < end) {
		nd.ops->test_irq(&nd);
		nd.ops->irq(&nd); /* the cause cleared, as a handler would */
		writes++;
	}
	stub_sleep(20 * MS);
	during = nd.irq.count;
	nd.ops->test_irq(&nd);
	stub_sleep(20 * MS);
	held = nd.irq.count;
	stub_check("storm: masked until our EOI", held, during);
	dd_irq_ack(&nd.irq);
	stub_sleep(20 * MS);
	stub_check("storm: the held interrupt came after it",
		   nd.irq.count > held, 1);
	printf("nictest: storm of %lu ICS writes: %lu events, %s, %s after\n",
	       writes, during,
	       held == during ? "masked until EOI" : "never masked",
	       nd.irq.count > held ? "delivered" : "lost");
}

int app_main(const char *cmdline)
{
	bool link;

	stub_events_init();
	stub_check("open the function", dd_pci_open(&pci, cmdline), 0);
	printf("nictest: function %u:%02x:%02x.%u, %04x:%04x\n", pci.sbdf >> 16,
	       (pci.sbdf >> 8) & 0xff, (pci.sbdf >> 3) & 0x1f, pci.sbdf & 7,
	       pci.vendor, pci.device);
	stub_check("bring the NIC up", netdrv_open(&nd, &pci, on_rx, NULL), 0);
	if (stub_checks_failed())
		goto out;
	netdrv_mac(&nd, our_mac);
	link = wait_link(2000 * MS);
	printf("nictest: mac %02x:%02x:%02x:%02x:%02x:%02x, link %s\n",
	       our_mac[0], our_mac[1], our_mac[2], our_mac[3], our_mac[4],
	       our_mac[5], link ? "up" : "down");
	stub_check("link up", link, 1);
	test_soft_irq();
	test_tx_quiet();
	if (stub_arg_has(cmdline, "storm"))
		test_storm();
	test_arp("");
	if (arp_seen)
		test_ping();
	test_reset();
	print_stats();
out:
	stub_check_report("nictest");
	return SHUTDOWN_poweroff;
}
