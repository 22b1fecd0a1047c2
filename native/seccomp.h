#ifndef CORDON_SECCOMP_H
#define CORDON_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>

struct seccomp_opts {
	bool allow_unix_sockets;   /* false: socket(AF_UNIX, ...) fails with EPERM; socketpair stays allowed */
	bool allow_inet;           /* false: socket(AF_INET/AF_INET6, ...) fails with EPERM (network off) */
	bool allow_inet_tcp;       /* with !allow_inet: TCP sockets only (Landlock pins their ports) */
	bool lock_session;
	bool root_command;         /* the command runs as uid 0: no other-writable chmod either */         /* true: setsid() fails with EPERM, so no process leaves the session */
};

/* One line per rule in force, for the enforcement report, e.g. "socket: families other than unix, inet, inet6, netlink -> EAFNOSUPPORT". Returns a NULL-terminated static array describing the rules the given opts produce. */
const char *const *seccomp_rule_descriptions(const struct seccomp_opts *opts);
/* Builds and installs the filter (SECCOMP_SET_MODE_FILTER via the seccomp syscall, falling back to prctl(PR_SET_SECCOMP) on ENOSYS). no_new_privs is already set by the caller. Returns 0, or -1 with a message in err naming the step and errno. */
int install_seccomp(const struct seccomp_opts *opts, char *err, size_t errlen);

#endif
