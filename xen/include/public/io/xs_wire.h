/*
 * The xenstore wire protocol: a 16-byte header followed by len bytes of
 * payload (usually NUL-separated strings), over a socket or over the
 * domain's xenstore ring page.
 */
#ifndef XEN_PUBLIC_IO_XS_WIRE_H
#define XEN_PUBLIC_IO_XS_WIRE_H

#include <stdint.h>
#include "../xen-compat.h"
#include "../errno.h"

enum xsd_sockmsg_type {
	XS_CONTROL = 0,
	XS_DIRECTORY = 1,
	XS_READ = 2,
	XS_GET_PERMS = 3,
	XS_WATCH = 4,
	XS_UNWATCH = 5,
	XS_TRANSACTION_START = 6,
	XS_TRANSACTION_END = 7,
	XS_INTRODUCE = 8,
	XS_RELEASE = 9,
	XS_GET_DOMAIN_PATH = 10,
	XS_WRITE = 11,
	XS_MKDIR = 12,
	XS_RM = 13,
	XS_SET_PERMS = 14,
	XS_WATCH_EVENT = 15,
	XS_ERROR = 16,
	XS_IS_DOMAIN_INTRODUCED = 17,
	XS_RESUME = 18,
	XS_SET_TARGET = 19,
	/* 20 was XS_RESTRICT, withdrawn: never reuse it. */
	XS_RESET_WATCHES = 21,
	XS_DIRECTORY_PART = 22,

	XS_TYPE_COUNT, /* one past the last valid type */

	XS_INVALID = 0xffff /* never a valid type */
};
#define XS_DEBUG XS_CONTROL /* the older name */

/* Flag strings of an old-style XS_WRITE. */
#define XS_WRITE_NONE	     "NONE"
#define XS_WRITE_CREATE	     "CREATE"
#define XS_WRITE_CREATE_EXCL "CREATE|EXCL"

/*
 * Errors travel as XS_ERROR with the errno name as payload, such as
 * "ENOENT". New names only ever go at the end, and EINVAL stays first.
 */
struct xsd_errors {
	int errnum; /* XEN_E* */
	const char *errstring;
};
/* clang-format off */
#define XSD_ERROR(x) { XEN_##x, #x }
/* clang-format on */
static const struct xsd_errors xsd_errors[] __attribute__((__unused__)) = {
	XSD_ERROR(EINVAL), XSD_ERROR(EACCES),  XSD_ERROR(EEXIST),
	XSD_ERROR(EISDIR), XSD_ERROR(ENOENT),  XSD_ERROR(ENOMEM),
	XSD_ERROR(ENOSPC), XSD_ERROR(EIO),     XSD_ERROR(ENOTEMPTY),
	XSD_ERROR(ENOSYS), XSD_ERROR(EROFS),   XSD_ERROR(EBUSY),
	XSD_ERROR(EAGAIN), XSD_ERROR(EISCONN), XSD_ERROR(E2BIG),
	XSD_ERROR(EPERM),
};

struct xsd_sockmsg {
	uint32_t type;	 /* XS_* */
	uint32_t req_id; /* chosen by the client, echoed in the reply */
	uint32_t tx_id;	 /* transaction, or 0 */
	uint32_t len;	 /* payload bytes that follow */
};
XEN_ABI_SIZE(struct xsd_sockmsg, 16);
XEN_ABI_OFFSET(struct xsd_sockmsg, req_id, 4);
XEN_ABI_OFFSET(struct xsd_sockmsg, tx_id, 8);
XEN_ABI_OFFSET(struct xsd_sockmsg, len, 12);

/* Strings of an XS_WATCH_EVENT payload, in order. */
enum xs_watch_type { XS_WATCH_PATH = 0, XS_WATCH_TOKEN };

/*
 * The ring page: two byte rings with free-running indices, the requests
 * written by the guest and the replies and watch events by xenstored.
 */
#define XENSTORE_RING_SIZE 1024
typedef uint32_t XENSTORE_RING_IDX;
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))

struct xenstore_domain_interface {
	char req[XENSTORE_RING_SIZE]; /* guest -> xenstored */
	char rsp[XENSTORE_RING_SIZE]; /* xenstored -> guest */
	XENSTORE_RING_IDX req_cons, req_prod;
	XENSTORE_RING_IDX rsp_cons, rsp_prod;
	uint32_t server_features; /* XENSTORE_SERVER_FEATURE_* */
	uint32_t connection;	  /* XENSTORE_CONNECTED, _RECONNECT */
	uint32_t error;		  /* XENSTORE_ERROR_* */
};
XEN_ABI_SIZE(struct xenstore_domain_interface, 2076);
XEN_ABI_OFFSET(struct xenstore_domain_interface, rsp, 1024);
XEN_ABI_OFFSET(struct xenstore_domain_interface, req_cons, 2048);
XEN_ABI_OFFSET(struct xenstore_domain_interface, req_prod, 2052);
XEN_ABI_OFFSET(struct xenstore_domain_interface, rsp_cons, 2056);
XEN_ABI_OFFSET(struct xenstore_domain_interface, rsp_prod, 2060);
XEN_ABI_OFFSET(struct xenstore_domain_interface, server_features, 2064);
XEN_ABI_OFFSET(struct xenstore_domain_interface, connection, 2068);
XEN_ABI_OFFSET(struct xenstore_domain_interface, error, 2072);

/* The largest payload of one message. */
#define XENSTORE_PAYLOAD_MAX 4096

/* Longer paths are refused with an error. */
#define XENSTORE_ABS_PATH_MAX 3072
#define XENSTORE_REL_PATH_MAX 2048

#define XENSTORE_SERVER_FEATURE_RECONNECTION 1 /* connection is honoured */
#define XENSTORE_SERVER_FEATURE_ERROR	     2 /* error is reported */

#define XENSTORE_CONNECTED 0 /* normal operation */
#define XENSTORE_RECONNECT 1 /* the guest asked for a reset of the ring */

#define XENSTORE_ERROR_NONE    0
#define XENSTORE_ERROR_COMM    1 /* communication failed */
#define XENSTORE_ERROR_RINGIDX 2 /* a ring index was out of range */
#define XENSTORE_ERROR_PROTO   3 /* a message broke the protocol */

#endif /* XEN_PUBLIC_IO_XS_WIRE_H */
