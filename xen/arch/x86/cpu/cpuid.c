/* Who this CPU is and what it offers. */
#include <xen/lib.h>
#include <xen/string.h>
#include <asm/cpufeature.h>

struct cpuinfo_x86 boot_cpu_data;

static uint32_t cpuid_max(uint32_t leaf)
{
	uint32_t a, b, c, d;

	cpuid_count(leaf, 0, &a, &b, &c, &d);
	return a;
}

static void cpu_read_strings(struct cpuinfo_x86 *c)
{
	uint32_t r[12];

	cpuid_count(0, 0, &r[0], &r[1], &r[3], &r[2]);
	memcpy(c->vendor, &r[1], 12);
	c->vendor[12] = '\0';
	if (cpuid_max(0x80000000) < 0x80000004) {
		c->model_id[0] = '\0';
		return;
	}
	for (uint32_t i = 0; i < 3; i++)
		cpuid_count(0x80000002 + i, 0, &r[i * 4], &r[i * 4 + 1],
			    &r[i * 4 + 2], &r[i * 4 + 3]);
	memcpy(c->model_id, r, 48);
	c->model_id[48] = '\0';
}

void cpu_identify(struct cpuinfo_x86 *c)
{
	uint32_t a, b, ecx, edx, ext = cpuid_max(0x80000000);

	memset(c, 0, sizeof(*c));
	cpu_read_strings(c);
	cpuid_count(1, 0, &a, &b, &ecx, &edx);
	c->family = (a >> 8) & 0xf;
	c->model = (a >> 4) & 0xf;
	if (c->family == 0xf)
		c->family += (a >> 20) & 0xff;
	if (c->family >= 6)
		c->model |= ((a >> 16) & 0xf) << 4;
	c->stepping = a & 0xf;
	c->words[CPUID_1_EDX] = edx;
	c->words[CPUID_1_ECX] = ecx;
	if (cpuid_max(0) >= 7)
		cpuid_count(7, 0, &a, &c->words[CPUID_7_EBX],
			    &c->words[CPUID_7_ECX], &edx);
	if (ext >= 0x80000001)
		cpuid_count(0x80000001, 0, &a, &b,
			    &c->words[CPUID_80000001_ECX],
			    &c->words[CPUID_80000001_EDX]);
	if (ext >= 0x80000007)
		cpuid_count(0x80000007, 0, &a, &b, &ecx,
			    &c->words[CPUID_80000007_EDX]);
	c->phys_bits = 36;
	if (ext >= 0x80000008) {
		cpuid_count(0x80000008, 0, &a, &b, &ecx, &edx);
		c->phys_bits = a & 0xff;
	}
}

void cpu_print(const struct cpuinfo_x86 *c)
{
	log_info("CPU: %s family %#x model %#x stepping %u, %u-bit physical "
		 "addresses\n",
		 c->vendor, c->family, c->model, c->stepping, c->phys_bits);
	if (c->model_id[0])
		log_info("CPU: %s\n", c->model_id);
}
