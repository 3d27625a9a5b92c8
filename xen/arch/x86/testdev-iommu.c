/*
 * test=iommu: the IOMMU, proven with a real device. The NVMe controller
 * is given admin queues in hypervisor memory and told to identify
 * itself: its DMA must fault (no domain owns it). Then a test domain gets
 * the device and the queues move into that domain's frames: the same
 * command must complete, with the controller's model in the data page.
 */
#include <xen/errno.h>
#include <xen/iommu.h>
#include <xen/kernel.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/pci.h>
#include <xen/sched.h>
#include <xen/string.h>
#include <xen/time.h>
#include <asm/mm.h>
#include <asm/page.h>

#define NVME_CLASS    0x010802
#define NVME_CC	      0x14
#define NVME_CSTS     0x1c
#define NVME_AQA      0x24
#define NVME_ASQ      0x28
#define NVME_ACQ      0x30
#define NVME_SQ0TDBL  0x1000
#define NVME_CC_EN    1u
#define NVME_CC_QES   (6u << 16 | 4u << 20) /* 64-byte SQ, 16-byte CQ entries */
#define NVME_IDENTIFY 0x06
#define WAIT	      MILLISECS(500)

struct nvme_test {
	const struct pci_dev *dev;
	volatile uint8_t *regs;
	void *sq, *cq, *data; /* the three pages of the current attempt */
};

static void nvme_w32(struct nvme_test *t, unsigned int reg, uint32_t v)
{
	*(volatile uint32_t *)(t->regs + reg) = v;
}

static void nvme_w64(struct nvme_test *t, unsigned int reg, uint64_t v)
{
	*(volatile uint64_t *)(t->regs + reg) = v;
}

static uint32_t nvme_r32(struct nvme_test *t, unsigned int reg)
{
	return *(volatile uint32_t *)(t->regs + reg);
}

static bool nvme_ready(struct nvme_test *t, bool want)
{
	s_time_t deadline = NOW() + WAIT;

	while ((nvme_r32(t, NVME_CSTS) & 1) != want)
		if (NOW() > deadline)
			return false;
	return true;
}

static uint64_t pa(const void *p)
{
	return paddr_x(virt_to_maddr(p));
}

/* Enable with the queues in t's pages and ring Identify Controller. */
static bool nvme_identify(struct nvme_test *t)
{
	uint32_t *cmd = t->sq;

	nvme_w32(t, NVME_CC, 0);
	if (!nvme_ready(t, false))
		return false;
	memset(t->sq, 0, PAGE_SIZE);
	memset(t->cq, 0, PAGE_SIZE);
	nvme_w32(t, NVME_AQA, 1u << 16 | 1u); /* two entries each */
	nvme_w64(t, NVME_ASQ, pa(t->sq));
	nvme_w64(t, NVME_ACQ, pa(t->cq));
	nvme_w32(t, NVME_CC, NVME_CC_QES | NVME_CC_EN);
	if (!nvme_ready(t, true))
		return false;
	cmd[0] = NVME_IDENTIFY | 1u << 16; /* command id 1 */
	*(uint64_t *)&cmd[6] = pa(t->data);
	cmd[10] = 1; /* CNS: the controller */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	nvme_w32(t, NVME_SQ0TDBL, 1);
	return true;
}

/* The completion's phase bit, then its status (0: success). */
static int nvme_completion(struct nvme_test *t)
{
	volatile uint32_t *cqe = t->cq;
	s_time_t deadline = NOW() + WAIT;

	while (!(cqe[3] & 1u << 16))
		if (NOW() > deadline)
			return -ETIME;
	return (int)(cqe[3] >> 17);
}

static bool blocked_dma_faults(struct nvme_test *t)
{
	unsigned long before = iommu_fault_count();
	s_time_t deadline = NOW() + WAIT;

	t->sq = alloc_xen_page();
	t->cq = alloc_xen_page();
	t->data = alloc_xen_page();
	if (!t->sq || !t->cq || !t->data || !nvme_identify(t))
		return false;
	while (iommu_fault_count() == before && NOW() < deadline)
		iommu_poll_faults();
	return iommu_fault_count() > before && nvme_completion(t) == -ETIME;
}

static void *frame_of(struct page_info *pg)
{
	return pg ? maddr_to_virt(mfn_to_paddr(page_to_mfn(pg))) : NULL;
}

static bool assigned_dma_works(struct nvme_test *t, struct domain *d)
{
	unsigned int bus = pci_sbdf_bus(t->dev->sbdf);
	unsigned int devfn =
	    pci_sbdf_dev(t->dev->sbdf) << 3 | pci_sbdf_fn(t->dev->sbdf);
	char model[41];

	t->sq = frame_of(domain_alloc_page(d));
	t->cq = frame_of(domain_alloc_page(d));
	t->data = frame_of(domain_alloc_page(d));
	if (!t->sq || !t->cq || !t->data || iommu_domain_init(d) < 0 ||
	    iommu_assign(d, 0, (uint8_t)bus, (uint8_t)devfn) < 0 ||
	    !nvme_identify(t) || nvme_completion(t) != 0)
		return false;
	memcpy(model, (char *)t->data + 24, 40); /* the model number */
	model[40] = '\0';
	for (int i = 39; i >= 0 && model[i] == ' '; i--)
		model[i] = '\0';
	log_info("iommu test: the assigned device's DMA completed: model "
		 "'%s'\n",
		 model);
	nvme_w32(t, NVME_CC, 0);
	nvme_ready(t, false);
	return iommu_deassign(0, (uint8_t)bus, (uint8_t)devfn) == 0;
}

static const struct pci_dev *nvme_find(void)
{
	for (unsigned int i = 0; i < pci_dev_count(); i++)
		if (pci_dev_at(i)->class == NVME_CLASS)
			return pci_dev_at(i);
	return NULL;
}

void testdev_iommu(void)
{
	struct nvme_test t = { .dev = nvme_find() };
	struct domain *d;
	bool blocked, assigned;

	if (!iommu_enabled() || !t.dev || !t.dev->bars[0].size)
		panic("iommu test: needs the IOMMU and an NVMe controller");
	pci_conf_write16(t.dev->sbdf, 0x04,
			 pci_conf_read16(t.dev->sbdf, 0x04) | 0x6);
	t.regs = ioremap(_paddr(t.dev->bars[0].addr), 4 * PAGE_SIZE);
	blocked = t.regs && blocked_dma_faults(&t);
	log_info("iommu test: unassigned device's DMA %s\n",
		 blocked ? "faulted" : "was NOT stopped");
	if (domain_create(DOMID_INVALID, "iommutest", 1, 16, 0, &d) < 0)
		panic("iommu test: no test domain");
	assigned = assigned_dma_works(&t, d);
	domain_destroy(d);
	if (!blocked || !assigned)
		panic("iommu test failed");
	log_info("iommu test: passed\n");
}
