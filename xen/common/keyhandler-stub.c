/* Built without CONFIG_DEBUG_KEYS: console input reaches no hypervisor key. */
#include <xen/keyhandler.h>

void keyhandler_input(char c)
{
	(void)c;
}

void keyhandler_init(void)
{
}
