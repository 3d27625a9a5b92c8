/* Reaching machine memory: the boot direct map covers the first 4 GiB. */
#include <xen/arch.h>
#include <asm/layout.h>

const void *arch_phys_map(paddr_t pa, size_t len)
{
	uint64_t a = paddr_x(pa);

	if (a >= DIRECTMAP_BOOT_SIZE || len > DIRECTMAP_BOOT_SIZE - a)
		return NULL;
	return (const void *)(uintptr_t)(DIRECTMAP_VIRT_START + a);
}
