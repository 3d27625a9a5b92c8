/*
 * NVM Express as the driver uses it: controller registers, queue entry
 * layouts, command opcodes and the identify fields it reads (NVMe base
 * specification 1.4, sections 3.1, 4 and 5; NVM command set section 6),
 * and PRP building, which is pure and tested on the host.
 */
#ifndef DRIVERDOM_NVME_SPEC_H
#define DRIVERDOM_NVME_SPEC_H

#include <stdint.h>

/* Controller registers (BAR0), 3.1. */
#define NVME_REG_CAP  0x00 /* 64-bit */
#define NVME_REG_VS   0x08
#define NVME_REG_CC   0x14
#define NVME_REG_CSTS 0x1c
#define NVME_REG_AQA  0x24
#define NVME_REG_ASQ  0x28 /* 64-bit */
#define NVME_REG_ACQ  0x30 /* 64-bit */
#define NVME_REG_DBS  0x1000

#define NVME_CAP_MQES(c)   ((uint32_t)((c)&0xffff))	    /* 0's based */
#define NVME_CAP_TO(c)	   ((uint32_t)(((c) >> 24) & 0xff)) /* 500 ms */
#define NVME_CAP_DSTRD(c)  ((uint32_t)(((c) >> 32) & 0xf))
#define NVME_CAP_CSS_NVM   (1ull << 37)
#define NVME_CAP_MPSMIN(c) ((uint32_t)(((c) >> 48) & 0xf)) /* 2^(12+n) */

#define NVME_CC_EN	   (1u << 0)
#define NVME_CC_CSS_NVM	   (0u << 4)
#define NVME_CC_MPS_4K	   (0u << 7)
#define NVME_CC_AMS_RR	   (0u << 11)
#define NVME_CC_IOSQES(n)  ((uint32_t)(n) << 16) /* 2^n bytes */
#define NVME_CC_IOCQES(n)  ((uint32_t)(n) << 20)
#define NVME_CSTS_RDY	   (1u << 0)
#define NVME_CSTS_CFS	   (1u << 1)
#define NVME_AQA(sq, cq)   ((uint32_t)((cq)-1) << 16 | (uint32_t)((sq)-1))
#define NVME_TO_UNIT_MS	   500u
#define NVME_PAGE_SIZE	   4096u
#define NVME_PRPS_PER_PAGE (NVME_PAGE_SIZE / 8)

/* A submission queue entry, 4.2: 64 bytes. */
struct nvme_sqe {
	uint8_t opcode;
	uint8_t flags; /* fused 1:0, PSDT 7:6: 0 for PRPs */
	uint16_t cid;
	uint32_t nsid;
	uint64_t rsvd;
	uint64_t mptr;
	uint64_t prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};
_Static_assert(sizeof(struct nvme_sqe) == 64, "NVMe submission entry");

/* A completion queue entry, 4.6: 16 bytes. */
struct nvme_cqe {
	uint32_t result;
	uint32_t rsvd;
	uint16_t sq_head, sq_id;
	uint16_t cid;
	uint16_t status; /* phase 0, status code 8:1, type 11:9, DNR 15 */
};
_Static_assert(sizeof(struct nvme_cqe) == 16, "NVMe completion entry");

#define NVME_CQE_PHASE	    1u
#define NVME_CQE_SC(s)	    (((s) >> 1) & 0xffu)
#define NVME_CQE_SCT(s)	    (((s) >> 9) & 0x7u)
#define NVME_SC_INVALID_FLD 0x02
#define NVME_SC_LBA_RANGE   0x80

/* Admin commands, 5. */
#define NVME_ADMIN_CREATE_SQ 0x01
#define NVME_ADMIN_CREATE_CQ 0x05
#define NVME_ADMIN_IDENTIFY  0x06
#define NVME_ADMIN_SET_FEAT  0x09
#define NVME_FEAT_NR_QUEUES  0x07
#define NVME_ID_NS	     0x00 /* CNS values */
#define NVME_ID_CTRL	     0x01
#define NVME_ID_ACTIVE_NS    0x02
#define NVME_QUEUE_PHYS	     (1u << 0) /* physically contiguous */
#define NVME_CQ_IEN	     (1u << 1)

/* NVM commands. */
#define NVME_CMD_FLUSH	   0x00
#define NVME_CMD_WRITE	   0x01
#define NVME_CMD_READ	   0x02
#define NVME_CMD_DSM	   0x09
#define NVME_DSM_DEALLOC   (1u << 2)
#define NVME_MAX_RW_BLOCKS 65536u /* NLB is 16 bits, 0's based */

/* A Dataset Management range, NVM command set 6.7: 16 bytes. */
struct nvme_dsm_range {
	uint32_t attributes;
	uint32_t blocks;
	uint64_t lba;
};
_Static_assert(sizeof(struct nvme_dsm_range) == 16, "NVMe DSM range");

/* Identify Controller fields (byte offsets). */
#define NVME_IDC_MN	 24 /* model, 40 characters */
#define NVME_IDC_MDTS	 77 /* 2^n minimum pages per transfer; 0: none */
#define NVME_IDC_SQES	 512
#define NVME_IDC_CQES	 513
#define NVME_IDC_NN	 516
#define NVME_IDC_ONCS	 520
#define NVME_IDC_VWC	 525
#define NVME_ONCS_DSM	 (1u << 2)
#define NVME_VWC_PRESENT 1u

/* Identify Namespace fields. */
#define NVME_IDN_NSZE  0
#define NVME_IDN_NLBAF 25
#define NVME_IDN_FLBAS 26
#define NVME_IDN_LBAF  128 /* 4 bytes each: MS 15:0, LBADS 23:16 */

struct blkdrv_seg;

/*
 * The PRPs for a transfer over segs: prp1, and prp2 as the second page
 * or as list_bus, the bus address of list[], which gets the pages after
 * the first (at most list_len of them; one list page holds
 * NVME_PRPS_PER_PAGE, and the driver never chains lists). Returns the
 * bytes covered, or -XEN_EINVAL when the segments break the PRP rules:
 * an empty segment, an address or length not a multiple of 4, a segment
 * other than the first not starting a page or one other than the last
 * not ending one, more pages than the list holds.
 */
long nvme_prp_build(const struct blkdrv_seg *segs, unsigned int nr_segs,
		    uint64_t *list, unsigned int list_len, uint64_t list_bus,
		    uint64_t *prp1, uint64_t *prp2);

#endif
