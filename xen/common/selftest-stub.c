/* Built without CONFIG_SELFTEST: nothing to check at boot. */
#include <xen/kernel.h>

void kernel_selftest(void)
{
}
