/* Built without CONFIG_DEBUG_KEYS: all console input is the control domain's.
 */
#include <xen/keyhandler.h>

bool keyhandler_input(char c)
{
	(void)c;
	return false;
}

void keyhandler_init(void)
{
}
