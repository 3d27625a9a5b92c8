/* Reporting what acpi_parse() found, and which tables are missing. */
#include <xen/acpi.h>
#include <xen/lib.h>

#include "acpi-private.h"

#define ACPI_IDS_PER_LINE 16
#define ACPI_ID_TEXT_MAX  20 /* " 4294967295(hotplug)" */

static void acpi_print_tables(const struct acpi_info *ai)
{
	if (!paddr_x(ai->root_addr)) {
		log_info("ACPI: RSDP at %#llx: no usable tables\n",
			 acpi_pa(ai->rsdp));
		return;
	}
	log_info("ACPI: RSDP at %#llx, revision %u, OEM '%s'\n",
		 acpi_pa(ai->rsdp), ai->revision, ai->oem_id);
	log_info("ACPI: %s at %#llx lists %u tables\n",
		 ai->root_is_xsdt ? "XSDT" : "RSDT", acpi_pa(ai->root_addr),
		 ai->nr_tables + ai->tables_dropped);
	for (unsigned int i = 0; i < ai->nr_tables; i++) {
		const struct acpi_table *t = &ai->tables[i];

		log_info("ACPI:  %s at %#llx, %u bytes%s\n", t->sig,
			 acpi_pa(t->addr), t->length, t->valid ? "" : ", bad");
	}
	if (ai->tables_dropped)
		log_info("ACPI:  and %u more, not listed\n",
			 ai->tables_dropped);
}

static const char *acpi_cpu_state(const struct acpi_cpu *c)
{
	if (c->enabled)
		return "";
	return c->online_capable ? "(hotplug)" : "(off)";
}

/* The APIC IDs, ACPI_IDS_PER_LINE to a line. */
static void acpi_print_apic_ids(const struct acpi_info *ai)
{
	char line[ACPI_IDS_PER_LINE * ACPI_ID_TEXT_MAX + 1];
	size_t used = 0;

	for (unsigned int i = 0; i < ai->nr_cpus; i++) {
		const struct acpi_cpu *c = &ai->cpus[i];

		if (used < sizeof(line))
			used += fmt_snprintf(line + used, sizeof(line) - used,
					     " %u%s", c->apic_id,
					     acpi_cpu_state(c));
		if ((i + 1) % ACPI_IDS_PER_LINE == 0 || i + 1 == ai->nr_cpus) {
			log_info("ACPI: %s\n", line);
			used = 0;
		}
	}
}

static void acpi_print_cpus(const struct acpi_info *ai)
{
	unsigned int enabled = 0;

	if (!ai->nr_cpus) {
		log_info("ACPI: the MADT lists no CPUs\n");
		return;
	}
	for (unsigned int i = 0; i < ai->nr_cpus; i++)
		enabled += ai->cpus[i].enabled;
	log_info("ACPI: %u CPUs, %u enabled; APIC IDs:\n", ai->nr_cpus,
		 enabled);
	acpi_print_apic_ids(ai);
	if (ai->cpus_dropped)
		log_info("ACPI: %u more CPUs ignored (at most %u)\n",
			 ai->cpus_dropped, ACPI_CPUS_MAX);
}

static void acpi_print_override(const struct acpi_override *o)
{
	static const char *const polarity[] = { "conforming", "high",
						"reserved", "low" };
	static const char *const trigger[] = { "conforming", "edge", "reserved",
					       "level" };

	log_info("ACPI: bus %u IRQ %u -> GSI %u, polarity %s, trigger %s\n",
		 o->bus, o->source, o->gsi,
		 polarity[o->flags & ACPI_POLARITY_MASK],
		 trigger[(o->flags & ACPI_TRIGGER_MASK) >> ACPI_TRIGGER_SHIFT]);
}

static void acpi_print_madt(const struct acpi_info *ai)
{
	if (!ai->have_madt) {
		log_info("ACPI: no MADT: only the boot CPU, no IO-APIC\n");
		return;
	}
	log_info("ACPI: local APIC at %#llx%s\n", acpi_pa(ai->lapic_addr),
		 ai->pcat_compat ? ", 8259 PICs present" : "");
	acpi_print_cpus(ai);
	for (unsigned int i = 0; i < ai->nr_ioapics; i++)
		log_info("ACPI: IO-APIC %u at %#llx, GSI base %u\n",
			 ai->ioapics[i].id, acpi_pa(ai->ioapics[i].addr),
			 ai->ioapics[i].gsi_base);
	for (unsigned int i = 0; i < ai->nr_overrides; i++)
		acpi_print_override(&ai->overrides[i]);
}

static void acpi_print_mcfg(const struct acpi_info *ai)
{
	if (!ai->nr_mcfg) {
		log_info("ACPI: %s: PCI config space through ports "
			 "0xcf8/0xcfc\n",
			 ai->have_mcfg ? "MCFG without usable entries"
				       : "no MCFG");
		return;
	}
	for (unsigned int i = 0; i < ai->nr_mcfg; i++)
		log_info("ACPI: PCI segment %u, buses %02x-%02x: ECAM base "
			 "%#llx\n",
			 ai->mcfg[i].segment, ai->mcfg[i].bus_start,
			 ai->mcfg[i].bus_end, acpi_pa(ai->mcfg[i].base));
}

static void acpi_print_hpet(const struct acpi_info *ai)
{
	if (!ai->have_hpet) {
		log_info("ACPI: no HPET: no high precision event timer\n");
		return;
	}
	log_info("ACPI: HPET %u at %#llx, minimum tick %u\n", ai->hpet_number,
		 acpi_pa(ai->hpet_addr), ai->hpet_min_tick);
}

static void acpi_print_dmar(const struct acpi_info *ai)
{
	uint8_t f = ai->dmar_flags;

	if (!ai->have_dmar) {
		log_info("ACPI: no DMAR: no Intel IOMMU (VT-d)\n");
		return;
	}
	log_info("ACPI: DMAR at %#llx, %u bytes: host address width %u%s%s%s\n",
		 acpi_pa(ai->dmar_addr), ai->dmar_length, ai->dmar_haw,
		 f & ACPI_DMAR_INTR_REMAP ? ", interrupt remapping" : "",
		 f & ACPI_DMAR_X2APIC_OPT_OUT ? ", x2APIC opt-out" : "",
		 f & ACPI_DMAR_DMA_CTRL_OPT_IN ? ", DMA control opt-in" : "");
	for (unsigned int i = 0; i < ai->nr_drhd; i++)
		log_info("ACPI: DMAR unit %u at %#llx, segment %u, %s, %u "
			 "device scopes\n",
			 i, acpi_pa(ai->drhd[i].base), ai->drhd[i].segment,
			 ai->drhd[i].include_all ? "all devices"
						 : "listed "
						   "devices",
			 ai->drhd[i].nr_scopes);
	for (unsigned int i = 0; i < ai->nr_rmrr; i++)
		log_info("ACPI: DMAR reserved region %#llx-%#llx, %u devices\n",
			 acpi_pa(ai->rmrr[i].base), acpi_pa(ai->rmrr[i].limit),
			 ai->rmrr[i].nr_scopes);
}

/* Log the tables, then what the MADT, MCFG, HPET and DMAR say. */
void acpi_print(const struct acpi_info *ai)
{
	acpi_print_tables(ai);
	acpi_print_madt(ai);
	acpi_print_mcfg(ai);
	acpi_print_hpet(ai);
	acpi_print_dmar(ai);
}
