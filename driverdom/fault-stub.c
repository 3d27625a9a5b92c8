/* Without CONFIG_FAULT_INJECT: no fault node is watched. */
#include <driverdom/fault.h>

void dd_fault_watch(struct xenbus *xb)
{
}
