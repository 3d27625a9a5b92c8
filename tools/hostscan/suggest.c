/*
 * Suggested driver-domain configs: NICs to netdom, storage controllers to
 * blkdom, USB controllers to usbdom, with what would make an assignment
 * unsafe or a restart unclean said in comment lines.
 */
#include "suggest.h"
#include "resets.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct suggest_rule {
	unsigned int base; /* base class */
	int sub;	   /* sub-class, or -1 for all */
	const char *domain;
};

static const struct suggest_rule suggest_rules[] = {
	{ 0x02, -1, "netdom" },	  /* network controllers */
	{ 0x01, -1, "blkdom" },	  /* storage: NVMe 0108, AHCI 0106, SAS ... */
	{ 0x0c, 0x03, "usbdom" }, /* USB controllers */
};

#define NRULES (sizeof(suggest_rules) / sizeof(suggest_rules[0]))

const char *suggest_domain(uint32_t class)
{
	unsigned int base = class >> 16, sub = (class >> 8) & 0xff;
	size_t i;

	for (i = 0; i < NRULES; i++)
		if (suggest_rules[i].base == base &&
		    (suggest_rules[i].sub < 0 ||
		     (unsigned int)suggest_rules[i].sub == sub))
			return suggest_rules[i].domain;
	return NULL;
}

static const char *owner(const struct pcifn *f)
{
	return f->drvdom ? f->drvdom : "unassigned";
}

/* One config block; nothing when no function goes to @domain. */
static void suggest_block(const struct pcifn *fns, size_t n, const char *domain)
{
	const char *sep = "";
	size_t i;

	for (i = 0; i < n; i++) {
		if (!fns[i].drvdom || strcmp(fns[i].drvdom, domain))
			continue;
		if (!*sep)
			printf("# configs/domains/%s.cfg\npci = [ ", domain);
		printf("%s\"%s\"", sep, fns[i].bdf);
		sep = ", ";
	}
	if (*sep)
		printf(" ]\n\n");
}

static bool in_group(const struct pcifn *f, const char *group)
{
	return !pcifn_is_bridge(f) && !strcmp(f->iommu_group, group);
}

/*
 * The IOMMU isolates groups, not functions: a group holding functions
 * for different owners (one of them a domain) cannot be split. Bridges
 * are left out; they stay with the hypervisor in any case.
 */
static void suggest_warn_group(const struct pcifn *fns, size_t n, size_t i)
{
	const char *group = fns[i].iommu_group;
	bool split = false, assigned = false;
	size_t j;

	for (j = 0; j < i; j++)
		if (in_group(&fns[j], group))
			return; /* reported with the first member */
	for (j = i; j < n; j++) {
		if (!in_group(&fns[j], group))
			continue;
		split |= strcmp(owner(&fns[j]), owner(&fns[i])) != 0;
		assigned |= fns[j].drvdom != NULL;
	}
	if (!split || !assigned)
		return;
	printf("# warning: IOMMU group %s holds", group);
	for (j = i; j < n; j++)
		if (in_group(&fns[j], group))
			printf("%s %s (%s)", j == i ? "" : ",", fns[j].bdf,
			       owner(&fns[j]));
	printf(": the IOMMU isolates a group only as a whole, so these"
	       " must go to one domain\n");
}

/* The first function sharing @f's bus that belongs to another owner. */
static const struct pcifn *foreign_bus_peer(const struct pcifn *fns, size_t n,
					    const struct pcifn *f)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (&fns[i] != f && fns[i].domain == f->domain &&
		    fns[i].bus == f->bus && strcmp(owner(&fns[i]), owner(f)))
			return &fns[i];
	return NULL;
}

/* A restarted driver domain must get its device back in a clean state. */
static void suggest_warn_reset(const struct pcifn *fns, size_t n,
			       const struct pcifn *f)
{
	const struct pcifn *peer;

	if (f->resets & (RESET_FLR | RESET_AF_FLR | RESET_PM))
		return;
	if (f->resets & RESET_UNKNOWN) {
		printf("# warning: %s (%s): resets unknown, capabilities not"
		       " readable\n",
		       f->bdf, f->drvdom);
		return;
	}
	if (!(f->resets & RESET_BUS)) {
		printf("# warning: %s (%s) has no reset at all: a restarted"
		       " %s would get it as the old one left it\n",
		       f->bdf, f->drvdom, f->drvdom);
		return;
	}
	peer = f->bus_peers ? foreign_bus_peer(fns, n, f) : NULL;
	if (peer)
		printf("# warning: %s (%s): its only reset, a secondary bus"
		       " reset, also resets %s (%s)\n",
		       f->bdf, f->drvdom, peer->bdf, owner(peer));
}

static void suggest_warn_function(const struct pcifn *fns, size_t n,
				  const struct pcifn *f, bool iommu)
{
	if (!f->drvdom)
		return;
	if (iommu && !strcmp(f->iommu_group, "none"))
		printf("# warning: %s (%s) has no IOMMU group (IOMMU off or"
		       " absent): a hardened build will not assign it\n",
		       f->bdf, f->drvdom);
	suggest_warn_reset(fns, n, f);
}

void suggest_print(const struct pcifn *fns, size_t n)
{
	bool any = false, iommu = false;
	size_t i;

	printf("Suggested driver-domain configuration:\n");
	for (i = 0; i < NRULES; i++)
		suggest_block(fns, n, suggest_rules[i].domain);
	for (i = 0; i < n; i++) {
		any |= fns[i].drvdom != NULL;
		iommu |= strcmp(fns[i].iommu_group, "none") != 0;
	}
	if (!any)
		printf("# no function for a driver domain found\n");
	/* No group anywhere: the IOMMU is off, say so once. */
	if (any && !iommu)
		printf("# warning: no IOMMU groups at all (IOMMU off or"
		       " absent): a hardened build will not assign any of"
		       " these\n");
	for (i = 0; i < n; i++)
		if (!pcifn_is_bridge(&fns[i]) &&
		    strcmp(fns[i].iommu_group, "none"))
			suggest_warn_group(fns, n, i);
	for (i = 0; i < n; i++)
		suggest_warn_function(fns, n, &fns[i], iommu);
}
