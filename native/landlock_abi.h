/* Landlock's user-space ABI, defined here rather than taken from
 * <linux/landlock.h>: Debian 12's headers stop at ABI 2 and cordon must know
 * every right up to ABI 10 to mask requests to the running kernel. */
#ifndef CORDON_LANDLOCK_ABI_H
#define CORDON_LANDLOCK_ABI_H

#include <stdint.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
#ifndef __NR_landlock_add_rule
#define __NR_landlock_add_rule 445
#endif
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446
#endif

#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_CREATE_RULESET_ERRATA (1U << 1)

#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2

/* Filesystem access rights, with the ABI that introduced each. */
#define LL_FS_EXECUTE (1ULL << 0)      /* 1 */
#define LL_FS_WRITE_FILE (1ULL << 1)   /* 1 */
#define LL_FS_READ_FILE (1ULL << 2)    /* 1 */
#define LL_FS_READ_DIR (1ULL << 3)     /* 1 */
#define LL_FS_REMOVE_DIR (1ULL << 4)   /* 1 */
#define LL_FS_REMOVE_FILE (1ULL << 5)  /* 1 */
#define LL_FS_MAKE_CHAR (1ULL << 6)    /* 1 */
#define LL_FS_MAKE_DIR (1ULL << 7)     /* 1 */
#define LL_FS_MAKE_REG (1ULL << 8)     /* 1 */
#define LL_FS_MAKE_SOCK (1ULL << 9)    /* 1 */
#define LL_FS_MAKE_FIFO (1ULL << 10)   /* 1 */
#define LL_FS_MAKE_BLOCK (1ULL << 11)  /* 1 */
#define LL_FS_MAKE_SYM (1ULL << 12)    /* 1 */
#define LL_FS_REFER (1ULL << 13)       /* 2 */
#define LL_FS_TRUNCATE (1ULL << 14)    /* 3 */
#define LL_FS_IOCTL_DEV (1ULL << 15)   /* 5 */
#define LL_FS_RESOLVE_UNIX (1ULL << 16) /* 9 */

/* Network access rights (ABI 4, UDP from ABI 10). */
#define LL_NET_BIND_TCP (1ULL << 0)
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_NET_BIND_UDP (1ULL << 2)
#define LL_NET_CONNECT_SEND_UDP (1ULL << 3)

/* Scopes (ABI 6). */
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)

/* landlock_restrict_self() flags (ABI 7). */
#define LL_RESTRICT_SELF_LOG_SAME_EXEC_OFF (1U << 0)
#define LL_RESTRICT_SELF_LOG_NEW_EXEC_ON (1U << 1)

/* The newest ABI this launcher knows; a newer kernel is treated as this one
 * so that no unknown bit is ever sent. */
#define LL_ABI_KNOWN 10

/* Rights that may be granted on a file that is not a directory (the kernel
 * rejects the directory-only rights there with EINVAL). RESOLVE_UNIX is one:
 * a rule may name a single socket. */
#define LL_FS_FILE_RIGHTS                                                    \
	(LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE |   \
	 LL_FS_IOCTL_DEV | LL_FS_RESOLVE_UNIX)

/* Only the first three fields are sent. ABI 10 adds quiet_access_fs,
 * quiet_access_net and quiet_scoped (audit log suppression, unused here);
 * every ABI takes this smaller struct. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

struct ll_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

#endif
