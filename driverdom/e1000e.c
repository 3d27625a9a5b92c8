/*
 * Intel 82574L (8086:10d3, "e1000e"), as QEMU emulates it: legacy rx and
 * tx descriptors, one ring each, 2 KiB buffers in our own pages (the
 * IOMMU confines the device to them), every interrupt cause on MSI-X
 * vector 0, and recovery when the device is found reset under us.
 *
 * Register offsets and bits are the 82574 datasheet's (section 10).
 * Everything the device writes (descriptor status and length, ICR,
 * STATUS) is read once into a local copy and checked before use; no
 * index the device reports (RDH, TDH) is trusted: we walk our own
 * descriptors and look only at their done bits.
 *
 * One device per domain: the state is static.
 */
#include <public/errno.h>
#include <xen/string.h>
#include <driverdom/netdrv.h>
#include <driverdom/pci.h>
#include <stub/stub.h>
#include <stub/time.h>

#define MS 1000000ull

/* The memory BAR (BAR0) is 128 KiB; we map it all. */
#define E1000E_BAR	0
#define E1000E_BAR_SIZE 0x20000

#define E1000E_CTRL	0x0000
#define E1000E_STATUS	0x0008
#define E1000E_EECD	0x0010
#define E1000E_CTRL_EXT 0x0018
#define E1000E_ICR	0x00c0
#define E1000E_ITR	0x00c4
#define E1000E_ICS	0x00c8
#define E1000E_IMS	0x00d0
#define E1000E_IMC	0x00d8
#define E1000E_EIAC	0x00dc
#define E1000E_IVAR	0x00e4
#define E1000E_EITR0	0x00e8
#define E1000E_RCTL	0x0100
#define E1000E_TCTL	0x0400
#define E1000E_TIPG	0x0410
#define E1000E_RDBAL	0x2800
#define E1000E_RDBAH	0x2804
#define E1000E_RDLEN	0x2808
#define E1000E_RDH	0x2810
#define E1000E_RDT	0x2818
#define E1000E_RDTR	0x2820
#define E1000E_RADV	0x282c
#define E1000E_TDBAL	0x3800
#define E1000E_TDBAH	0x3804
#define E1000E_TDLEN	0x3808
#define E1000E_TDH	0x3810
#define E1000E_TDT	0x3818
#define E1000E_RFCTL	0x5008
#define E1000E_RAL0	0x5400
#define E1000E_RAH0	0x5404

#define E1000E_CTRL_SLU		    (1u << 6)
#define E1000E_CTRL_RST		    (1u << 26)
#define E1000E_CTRL_GIO_MASTER_DIS  (1u << 2)
#define E1000E_CTRL_PHY_RST	    (1u << 31)
#define E1000E_STATUS_LU	    (1u << 1)
#define E1000E_STATUS_GIO_MASTER_EN (1u << 19)
#define E1000E_EECD_AUTO_RD	    (1u << 9)
#define E1000E_CTRL_EXT_PBACLR	    (1u << 31)
#define E1000E_RAH_AV		    (1u << 31)
#define E1000E_RFCTL_EXTEN	    (1u << 15) /* extended rx descriptors */

#define E1000E_RCTL_EN	(1u << 1)
#define E1000E_RCTL_BAM (1u << 15)
/*
 * Promiscuous: the NIC is the uplink of a switch whose guests have MACs
 * of their own (netback sorts frames out and drops what is for nobody).
 */
#define E1000E_RCTL_UPE	  (1u << 3)
#define E1000E_RCTL_MPE	  (1u << 4)
#define E1000E_RCTL_SECRC (1u << 26) /* BSIZE 00 + BSEX 0: 2048 bytes */
#define E1000E_TCTL_EN	  (1u << 1)
#define E1000E_TCTL_PSP	  (1u << 3) /* pad short frames to 64 bytes */
#define E1000E_TCTL_CT	  (0x0fu << 4)
#define E1000E_TCTL_COLD  (0x3fu << 12)
#define E1000E_TCTL_RTLC  (1u << 24)
/* IPGT 8, IPGR1 8, IPGR2 6: the datasheet's values for copper. */
#define E1000E_TIPG_VAL (8u | 8u << 10 | 6u << 20)

/* ICR/IMS causes in MSI-X mode. */
#define E1000E_ICR_LSC	 (1u << 2)
#define E1000E_ICR_RXQ0	 (1u << 20)
#define E1000E_ICR_TXQ0	 (1u << 22)
#define E1000E_ICR_OTHER (1u << 24)
/*
 * Transmit completions (TXQ0) stay masked: send() reclaims descriptors
 * itself and no sender waits on the ring (netback drops what finds it
 * full, the stream baseline polls), so their interrupt, one per burst,
 * would only wake the domain to find nothing to do.
 */
#define E1000E_IMS_VAL (E1000E_ICR_RXQ0 | E1000E_ICR_OTHER | E1000E_ICR_LSC)
/* IVAR: RxQ0 bits 3:0, TxQ0 11:8, Other 19:16; vector | valid (8). */
#define E1000E_IVAR_VAL (8u << 0 | 8u << 8 | 8u << 16)
/* Interval in 256 ns units: at most about 8000 interrupts a second. */
#define E1000E_ITR_VAL 488u

#define E1000E_RXD_DD	(1u << 0)
#define E1000E_RXD_EOP	(1u << 1)
#define E1000E_TXD_EOP	(1u << 0)
#define E1000E_TXD_IFCS (1u << 1)
#define E1000E_TXD_RS	(1u << 3)
#define E1000E_TXD_DD	(1u << 0)

#define E1000E_RX_DESCS 64 /* RDLEN and TDLEN: multiples of 128 bytes */
#define E1000E_TX_DESCS 64
#define E1000E_BUF_SIZE 2048
#define E1000E_PER_PAGE (4096 / E1000E_BUF_SIZE)

/* Frames sent with more that make send() write TDT anyway. */
#define E1000E_TX_HOLD 16

/* How often poll() checks that the device still holds our setup. */
#define E1000E_CHECK_NS (50 * MS)

struct e1000e_rx_desc {
	uint64_t addr;
	uint16_t len;
	uint16_t csum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
};
_Static_assert(sizeof(struct e1000e_rx_desc) == 16, "legacy rx descriptor");

struct e1000e_tx_desc {
	uint64_t addr;
	uint16_t len;
	uint8_t cso;
	uint8_t cmd;
	uint8_t status;
	uint8_t css;
	uint16_t special;
};
_Static_assert(sizeof(struct e1000e_tx_desc) == 16, "legacy tx descriptor");

struct e1000e {
	volatile uint8_t *regs;
	struct dd_dma rx_ring, tx_ring;
	struct dd_dma rx_pages[E1000E_RX_DESCS / E1000E_PER_PAGE];
	struct dd_dma tx_pages[E1000E_TX_DESCS / E1000E_PER_PAGE];
	unsigned int rx_next;  /* the next descriptor the device fills */
	unsigned int tx_tail;  /* the next free tx descriptor */
	unsigned int tx_clean; /* the oldest not yet reaped */
	unsigned int tx_held;  /* written but not yet given to the device */
	bool rx_skip;	       /* dropping the rest of a split frame */
	uint8_t mac[NETDRV_MAC_LEN];
	uint64_t next_check;	   /* stub_now() of the next health check */
	volatile uint32_t causes;  /* ICR bits from irq(), for poll() */
	unsigned long unmasked_at; /* nd->irq.count at poll()'s last unmask */
	volatile bool ready;	   /* irq() may touch the device */
	bool allocated;
};

static struct e1000e e1000e_dev;

static uint32_t e1000e_r32(const struct e1000e *e, unsigned int reg)
{
	return *(volatile uint32_t *)(e->regs + reg);
}

static void e1000e_w32(struct e1000e *e, unsigned int reg, uint32_t v)
{
	*(volatile uint32_t *)(e->regs + reg) = v;
}

static volatile struct e1000e_rx_desc *e1000e_rxd(struct e1000e *e,
						  unsigned int i)
{
	return (volatile struct e1000e_rx_desc *)e->rx_ring.va + i;
}

static volatile struct e1000e_tx_desc *e1000e_txd(struct e1000e *e,
						  unsigned int i)
{
	return (volatile struct e1000e_tx_desc *)e->tx_ring.va + i;
}

static uint8_t *e1000e_buf(struct dd_dma *pages, unsigned int i, uint64_t *bus)
{
	struct dd_dma *p = &pages[i / E1000E_PER_PAGE];
	unsigned int off = (i % E1000E_PER_PAGE) * E1000E_BUF_SIZE;

	*bus = p->bus + off;
	return (uint8_t *)p->va + off;
}

/* Sleep in steps until reg & mask == want, at most ms milliseconds. */
static bool e1000e_wait(struct e1000e *e, unsigned int reg, uint32_t mask,
			uint32_t want, unsigned int ms)
{
	for (unsigned int i = 0; i <= ms; i++) {
		uint32_t v = e1000e_r32(e, reg);

		if (v != ~0u && (v & mask) == want)
			return true;
		stub_sleep(MS);
	}
	return false;
}

/*
 * The NVM load after a reset fills RAL0/RAH0 and then sets EECD.AUTO_RD;
 * a device without an NVM may never set it (QEMU 7.2 does not) but has
 * the address valid at once: either ends the wait (at most 10 ms).
 */
static void e1000e_wait_nvm(struct e1000e *e)
{
	for (unsigned int i = 0; i <= 10; i++) {
		if ((e1000e_r32(e, E1000E_EECD) & E1000E_EECD_AUTO_RD) ||
		    (e1000e_r32(e, E1000E_RAH0) & E1000E_RAH_AV))
			return;
		stub_sleep(MS);
	}
}

static long e1000e_alloc_pages(struct dd_dma *pages, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (dd_dma_alloc(&pages[i]))
			return -XEN_ENOMEM;
	return 0;
}

/* Once per domain: the register window and the DMA memory. */
static long e1000e_alloc(struct netdrv *nd, struct e1000e *e)
{
	volatile void *va;
	long rc;

	rc = dd_pci_map(nd->pci, E1000E_BAR, 0, E1000E_BAR_SIZE, &va);
	if (rc)
		return rc;
	e->regs = va;
	if (dd_dma_alloc(&e->rx_ring) || dd_dma_alloc(&e->tx_ring))
		return -XEN_ENOMEM;
	rc = e1000e_alloc_pages(e->rx_pages, E1000E_RX_DESCS / E1000E_PER_PAGE);
	if (!rc)
		rc = e1000e_alloc_pages(e->tx_pages,
					E1000E_TX_DESCS / E1000E_PER_PAGE);
	e->allocated = !rc;
	return rc;
}

/*
 * Global reset. Receive, transmit and then bus mastering are stopped
 * first (GIO Master Disable; STATUS tells when the last request is done),
 * so that no DMA is under way when the MAC resets. The reset does not
 * clear every register on every implementation (QEMU 7.2 only reloads
 * the MAC address), so init writes everything it relies on afterwards.
 */
static long e1000e_reset(struct e1000e *e)
{
	e1000e_w32(e, E1000E_IMC, ~0u);
	e1000e_w32(e, E1000E_RCTL, 0);
	e1000e_w32(e, E1000E_TCTL, E1000E_TCTL_PSP);
	e1000e_w32(e, E1000E_CTRL,
		   e1000e_r32(e, E1000E_CTRL) | E1000E_CTRL_GIO_MASTER_DIS);
	if (!e1000e_wait(e, E1000E_STATUS, E1000E_STATUS_GIO_MASTER_EN, 0, 10))
		printf("e1000e: bus master requests still pending at reset\n");
	e1000e_w32(e, E1000E_CTRL,
		   e1000e_r32(e, E1000E_CTRL) | E1000E_CTRL_RST);
	stub_sleep(MS); /* the datasheet's wait before the next access */
	if (!e1000e_wait(e, E1000E_CTRL, E1000E_CTRL_RST, 0, 10))
		return -XEN_EIO;
	e1000e_wait_nvm(e);
	e1000e_w32(e, E1000E_IMC, ~0u);
	(void)e1000e_r32(e, E1000E_ICR);
	return e1000e_r32(e, E1000E_STATUS) == ~0u ? -XEN_EIO : 0;
}

/* RAL0/RAH0, which the NVM load (QEMU: the -device option) filled. */
static long e1000e_read_mac(struct e1000e *e)
{
	uint32_t lo = e1000e_r32(e, E1000E_RAL0);
	uint32_t hi = e1000e_r32(e, E1000E_RAH0);
	static const uint8_t zero[NETDRV_MAC_LEN];

	if (!(hi & E1000E_RAH_AV))
		return -XEN_ENODEV;
	for (unsigned int i = 0; i < 4; i++)
		e->mac[i] = (uint8_t)(lo >> (8 * i));
	e->mac[4] = (uint8_t)hi;
	e->mac[5] = (uint8_t)(hi >> 8);
	if ((e->mac[0] & 1) || !memcmp(e->mac, zero, sizeof(zero)))
		return -XEN_ENODEV; /* multicast or none: not an address */
	return 0;
}

static void e1000e_rx_setup(struct e1000e *e)
{
	for (unsigned int i = 0; i < E1000E_RX_DESCS; i++) {
		uint64_t bus;

		e1000e_buf(e->rx_pages, i, &bus);
		*e1000e_rxd(e, i) = (struct e1000e_rx_desc){ .addr = bus };
	}
	e->rx_next = 0;
	e->rx_skip = false;
	e1000e_w32(e, E1000E_RFCTL,
		   e1000e_r32(e, E1000E_RFCTL) & ~E1000E_RFCTL_EXTEN);
	e1000e_w32(e, E1000E_RDBAL, (uint32_t)e->rx_ring.bus);
	e1000e_w32(e, E1000E_RDBAH, (uint32_t)(e->rx_ring.bus >> 32));
	e1000e_w32(e, E1000E_RDLEN, E1000E_RX_DESCS * 16);
	e1000e_w32(e, E1000E_RDH, 0);
	e1000e_w32(e, E1000E_RDT, 0);
	/* No receive delay: moderation is EITR's job. */
	e1000e_w32(e, E1000E_RDTR, 0);
	e1000e_w32(e, E1000E_RADV, 0);
}

/*
 * The ring starts empty where it was (0 the first time): frames in
 * flight at a reset are lost, but buffers lent by tx_buf() stay ahead
 * of the tail, so no lent frame is overwritten by an earlier one.
 */
static void e1000e_tx_setup(struct e1000e *e)
{
	memset(e->tx_ring.va, 0, E1000E_TX_DESCS * 16);
	e->tx_clean = e->tx_tail;
	e->tx_held = 0;
	e1000e_w32(e, E1000E_TDBAL, (uint32_t)e->tx_ring.bus);
	e1000e_w32(e, E1000E_TDBAH, (uint32_t)(e->tx_ring.bus >> 32));
	e1000e_w32(e, E1000E_TDLEN, E1000E_TX_DESCS * 16);
	e1000e_w32(e, E1000E_TDH, e->tx_tail);
	e1000e_w32(e, E1000E_TDT, e->tx_tail);
	e1000e_w32(e, E1000E_TIPG, E1000E_TIPG_VAL);
}

/*
 * Every cause on MSI-X vector 0. EIAC clears the queue and "other"
 * causes when their message is sent, so a new event is never held back
 * by a cause still set, and masks them in IMS until poll() unmasks
 * them; irq() clears the rest by writing ICR back.
 */
static void e1000e_irq_setup(struct e1000e *e)
{
	e1000e_w32(e, E1000E_IVAR, E1000E_IVAR_VAL);
	e1000e_w32(e, E1000E_CTRL_EXT,
		   e1000e_r32(e, E1000E_CTRL_EXT) | E1000E_CTRL_EXT_PBACLR);
	e1000e_w32(e, E1000E_EIAC,
		   E1000E_ICR_RXQ0 | E1000E_ICR_TXQ0 | E1000E_ICR_OTHER);
	e1000e_w32(e, E1000E_ITR, E1000E_ITR_VAL);
	e1000e_w32(e, E1000E_EITR0, E1000E_ITR_VAL);
	(void)e1000e_r32(e, E1000E_ICR);
	e1000e_w32(e, E1000E_ICR, ~0u);
	e1000e_w32(e, E1000E_IMS, E1000E_IMS_VAL);
}

static void e1000e_start(struct e1000e *e)
{
	uint32_t ctrl = e1000e_r32(e, E1000E_CTRL);

	ctrl &= ~(E1000E_CTRL_RST | E1000E_CTRL_PHY_RST);
	e1000e_w32(e, E1000E_CTRL, ctrl | E1000E_CTRL_SLU);
	e1000e_w32(e, E1000E_TCTL,
		   E1000E_TCTL_EN | E1000E_TCTL_PSP | E1000E_TCTL_CT |
		       E1000E_TCTL_COLD | E1000E_TCTL_RTLC);
	e1000e_w32(e, E1000E_RCTL,
		   E1000E_RCTL_EN | E1000E_RCTL_BAM | E1000E_RCTL_SECRC |
		       E1000E_RCTL_UPE | E1000E_RCTL_MPE);
	/* All descriptors but one: RDT == RDH would mean an empty ring. */
	e1000e_w32(e, E1000E_RDT, E1000E_RX_DESCS - 1);
}

/* The device from reset to running, with the memory we already hold. */
static long e1000e_hw_init(struct netdrv *nd, struct e1000e *e)
{
	long rc;

	e->ready = false;
	/*
	 * Bus mastering only once it is reset: a crashed instance of this
	 * domain may have left it running, with rings in memory now ours.
	 */
	rc = dd_pci_enable(nd->pci, DD_PCI_CMD_MEM);
	if (!rc)
		rc = e1000e_reset(e);
	if (!rc)
		rc = dd_pci_enable(nd->pci, DD_PCI_CMD_MASTER);
	if (!rc)
		rc = e1000e_read_mac(e);
	if (rc)
		return rc;
	/*
	 * The multicast table is left as it is: receive is multicast
	 * promiscuous (RCTL.MPE), which does not consult it; clearing it
	 * took 128 register writes at every start.
	 */
	e1000e_rx_setup(e);
	e1000e_tx_setup(e);
	e1000e_irq_setup(e);
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* descriptors, then enable */
	e1000e_start(e);
	e->causes = 0;
	e->next_check = stub_now() + E1000E_CHECK_NS;
	e->ready = true;
	return 0;
}

static long e1000e_init(struct netdrv *nd)
{
	struct e1000e *e = &e1000e_dev;
	long rc;

	nd->priv = e;
	if (!e->allocated) {
		rc = e1000e_alloc(nd, e);
		if (rc)
			return rc;
	}
	return e1000e_hw_init(nd, e);
}

static void e1000e_mac(struct netdrv *nd, uint8_t out[NETDRV_MAC_LEN])
{
	memcpy(out, ((struct e1000e *)nd->priv)->mac, NETDRV_MAC_LEN);
}

static bool e1000e_link_up(struct netdrv *nd)
{
	struct e1000e *e = nd->priv;
	uint32_t status = e->ready ? e1000e_r32(e, E1000E_STATUS) : ~0u;

	return status != ~0u && (status & E1000E_STATUS_LU);
}

/* Event context: note and clear the causes; poll() does the work. */
static void e1000e_irq(struct netdrv *nd)
{
	struct e1000e *e = nd->priv;
	uint32_t icr;

	if (!e || !e->ready)
		return;
	icr = e1000e_r32(e, E1000E_ICR);
	if (icr == ~0u) {
		e->next_check = 0; /* the device is gone or reset: look now */
		return;
	}
	e1000e_w32(e, E1000E_ICR, icr);
	e->causes |= icr;
	nd->stats.irqs++;
}

/* Our own descriptors between tx_clean and tx_tail whose DD is set. */
static void e1000e_tx_reap(struct e1000e *e)
{
	while (e->tx_clean != e->tx_tail) {
		uint8_t status = e1000e_txd(e, e->tx_clean)->status;

		if (!(status & E1000E_TXD_DD))
			break;
		e->tx_clean = (e->tx_clean + 1) % E1000E_TX_DESCS;
	}
}

/*
 * Interrupt Cause Set: a link-status "change" by software, with its
 * cause unmasked first (the last message may have masked it).
 */
static void e1000e_test_irq(struct netdrv *nd)
{
	e1000e_w32(nd->priv, E1000E_IMS, E1000E_IMS_VAL);
	e1000e_w32(nd->priv, E1000E_ICS, E1000E_ICR_LSC);
}

/* Give the device every descriptor written so far: one TDT write. */
static void e1000e_flush(struct netdrv *nd)
{
	struct e1000e *e = nd->priv;

	if (!e->tx_held || !e->ready)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the descriptors, then TDT */
	e1000e_w32(e, E1000E_TDT, e->tx_tail);
	e->tx_held = 0;
}

static long e1000e_send(struct netdrv *nd, const void *frame, size_t len,
			bool more)
{
	struct e1000e *e = nd->priv;
	unsigned int i = e->tx_tail, next = (i + 1) % E1000E_TX_DESCS;
	uint64_t bus;
	uint8_t *buf;

	if (len < NETDRV_FRAME_MIN || len > NETDRV_FRAME_MAX)
		return -XEN_EINVAL;
	if (!e->ready)
		return -XEN_EAGAIN;
	e1000e_tx_reap(e);
	if (next == e->tx_clean) {
		/* Held frames block the ring until the device has them. */
		e1000e_flush(nd);
		nd->stats.tx_busy++;
		return -XEN_EAGAIN;
	}
	buf = e1000e_buf(e->tx_pages, i, &bus);
	/*
	 * A frame built in the buffer lent for this descriptor is in
	 * place; one lent further ahead (a frame before it went elsewhere)
	 * is copied back into this one, which no frame still to come uses.
	 */
	if (buf != frame)
		memcpy(buf, frame, len);
	*e1000e_txd(e, i) = (struct e1000e_tx_desc){
		.addr = bus,
		.len = (uint16_t)len,
		.cmd = E1000E_TXD_EOP | E1000E_TXD_IFCS | E1000E_TXD_RS,
	};
	e->tx_tail = next;
	e->tx_held++;
	if (!more || e->tx_held >= E1000E_TX_HOLD)
		e1000e_flush(nd);
	nd->stats.tx_frames++;
	nd->stats.tx_bytes += len;
	return 0;
}

static uint8_t *e1000e_tx_buf(struct netdrv *nd, unsigned int ahead,
			      uint64_t *bus)
{
	struct e1000e *e = nd->priv;
	unsigned int used;

	if (!e->ready)
		return NULL;
	if (!ahead)
		e1000e_tx_reap(e);
	used = (e->tx_tail + E1000E_TX_DESCS - e->tx_clean) % E1000E_TX_DESCS;
	/* A full ring keeps one descriptor empty (tail + 1 == clean). */
	if (ahead >= E1000E_TX_DESCS - 1 - used)
		return NULL;
	return e1000e_buf(e->tx_pages, (e->tx_tail + ahead) % E1000E_TX_DESCS,
			  bus);
}

/*
 * The device's write-back of descriptor i, read once: length, status
 * and errors share the second quadword, so one aligned 8-byte load sees
 * them together. false while the device still owns it.
 */
static bool e1000e_rx_take(struct e1000e *e, unsigned int i,
			   struct e1000e_rx_desc *d)
{
	volatile uint64_t *q = (volatile uint64_t *)e1000e_rxd(e, i);
	uint64_t wb = q[1];

	if (!(wb >> 32 & E1000E_RXD_DD))
		return false;
	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* the buffer after DD */
	d->len = (uint16_t)wb;
	d->status = (uint8_t)(wb >> 32);
	d->errors = (uint8_t)(wb >> 40);
	return true;
}

/* Check one taken descriptor and hand its frame up, or count a drop. */
static void e1000e_rx_one(struct netdrv *nd, struct e1000e *e, unsigned int i,
			  const struct e1000e_rx_desc *d)
{
	bool eop = d->status & E1000E_RXD_EOP;
	uint64_t bus;
	const uint8_t *buf = e1000e_buf(e->rx_pages, i, &bus);

	/* A frame over one buffer (cannot happen without LPE): drop all. */
	if (e->rx_skip || !eop || d->errors || d->len < NETDRV_FRAME_MIN ||
	    d->len > E1000E_BUF_SIZE || !nd->rx) {
		nd->stats.rx_dropped++;
		e->rx_skip = !eop;
		return;
	}
	nd->stats.rx_frames++;
	nd->stats.rx_bytes += d->len;
	nd->rx(nd->rx_ctx, buf, d->len);
}

static unsigned int e1000e_rx(struct netdrv *nd, struct e1000e *e,
			      unsigned int budget)
{
	struct e1000e_rx_desc d;
	unsigned int n = 0, i = e->rx_next;
	bool any = false;

	while (n < budget && e1000e_rx_take(e, i, &d)) {
		uint64_t bus;

		e1000e_rx_one(nd, e, i, &d);
		/* Rewrite it whole: the device's copy of addr is not used. */
		e1000e_buf(e->rx_pages, i, &bus);
		*e1000e_rxd(e, i) = (struct e1000e_rx_desc){ .addr = bus };
		any = true;
		n++;
		e->rx_next = i = (i + 1) % E1000E_RX_DESCS;
	}
	if (any) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		/* The last one we emptied becomes the one we hold back. */
		e1000e_w32(e, E1000E_RDT,
			   (e->rx_next + E1000E_RX_DESCS - 1) %
			       E1000E_RX_DESCS);
	}
	return n;
}

/*
 * Does the device still hold our setup? A reset (ours by mistake, a
 * function level reset, a power state change) clears the ring bases and
 * RCTL.EN; a function that stopped decoding reads all-ones.
 */
static bool e1000e_healthy(struct e1000e *e)
{
	uint32_t status = e1000e_r32(e, E1000E_STATUS);

	return status != ~0u &&
	       e1000e_r32(e, E1000E_RDBAL) == (uint32_t)e->rx_ring.bus &&
	       e1000e_r32(e, E1000E_TDBAL) == (uint32_t)e->tx_ring.bus &&
	       (e1000e_r32(e, E1000E_RCTL) & E1000E_RCTL_EN);
}

/* At most every E1000E_CHECK_NS: re-initialise a device found reset. */
static void e1000e_check(struct netdrv *nd, struct e1000e *e)
{
	uint64_t now = stub_now();

	/* Also paces retries while a re-initialisation keeps failing. */
	if (now < e->next_check)
		return;
	e->next_check = now + E1000E_CHECK_NS;
	if (e->ready && e1000e_healthy(e))
		return;
	if (e->ready)
		printf("e1000e: the device was reset under us: "
		       "re-initialising\n");
	if (e1000e_hw_init(nd, e) == 0)
		nd->stats.resets++;
}

static unsigned int e1000e_poll(struct netdrv *nd, unsigned int budget)
{
	struct e1000e *e = nd->priv;
	unsigned long irqs = nd->irq.count; /* before the work it asks for */
	unsigned int n;

	e1000e_check(nd, e);
	if (!e->ready)
		return 0;
	/* LSC needs no work: link_up() reads STATUS. */
	__atomic_exchange_n(&e->causes, 0, __ATOMIC_SEQ_CST);
	e1000e_tx_reap(e);
	n = e1000e_rx(nd, e, budget);
	/*
	 * Sending a message masked its causes in IMS (EIAC without
	 * CTRL_EXT.IAME): unmask them now the work is done, or the device
	 * never interrupts again. A cause that came meanwhile fires at once.
	 * Only after a message: a register write is a trap to the device
	 * (its model, under emulation), and most rounds follow none.
	 */
	if (irqs != e->unmasked_at) {
		e->unmasked_at = irqs;
		e1000e_w32(e, E1000E_IMS, E1000E_IMS_VAL);
	}
	dd_irq_ack(&nd->irq);
	return n;
}

const struct netdrv_ops e1000e_netdrv_ops = {
	.name = "e1000e",
	.vendor = 0x8086,
	.device = 0x10d3,
	.init = e1000e_init,
	.mac = e1000e_mac,
	.link_up = e1000e_link_up,
	.send = e1000e_send,
	.flush = e1000e_flush,
	.tx_buf = e1000e_tx_buf,
	.poll = e1000e_poll,
	.irq = e1000e_irq,
	.test_irq = e1000e_test_irq,
};
