/* Error numbers: Xen's public ABI values, which are Linux's. */
#ifndef XEN_ERRNO_H
#define XEN_ERRNO_H

#define EPERM  1
#define ENOENT 2
#define ESRCH  3
#define EIO    5
#define EAGAIN 11
#define E2BIG  7
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY  16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define ERANGE 34
#define ETIME  62
#define ENOSYS 38

#endif
