/*
 * The configuration the host unit tests build the hypervisor sources
 * with: fixed, so results do not depend on the developer's .config.
 */
#define CONFIG_SERIAL_PORT 0x3f8
#define CONFIG_SERIAL_BAUD 115200
#define CONFIG_LOG_LEVEL   2
#define CONFIG_NR_CPUS	   8
#define CONFIG_ASSERTIONS  1
