/* What the launcher was asked to do: parsed from argv by argv.c, filled in
 * with results (opened fds, what was enforced) by the other steps, and
 * finally written out as the enforcement report. */
#ifndef CORDON_CONFIG_H
#define CORDON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#define CORDON_VERSION "0.1.0"

/* Exit statuses, as env(1), timeout(1) and chroot(1) use them. */
#define EXIT_CORDON 125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

/* Access classes a rule grants. */
#define ACCESS_READ (1U << 0)
#define ACCESS_WRITE (1U << 1)
#define ACCESS_EXEC (1U << 2)
/* Connect (and sendmsg with an address) to pathname unix sockets beneath the
 * path: Landlock's RESOLVE_UNIX, ABI 9. */
#define ACCESS_CONNECT (1U << 3)

enum compat { COMPAT_HARD, COMPAT_BEST };
enum net_mode { NET_NONE, NET_HOST };

/* Protections a run can ask for, each tied to the ABI that provides it. A
 * protection the running ABI lacks is a "gap": hard mode refuses to run with
 * a gap unless the caller accepted it by name. */
enum gap {
	GAP_LANDLOCK,            /* Landlock itself (ABI 1) */
	GAP_TRUNCATE,            /* ABI 3 */
	GAP_NET_TCP,             /* ABI 4, when TCP is allowed to listed ports only */
	GAP_IOCTL_DEV,           /* ABI 5 */
	GAP_SCOPE_ABSTRACT_UNIX, /* ABI 6 */
	GAP_SCOPE_SIGNAL,        /* ABI 6 */
	GAP_RESOLVE_UNIX,        /* ABI 9, when unix sockets are granted per path */
	GAP_RULE,                /* a rule path that could not be opened or added */
	GAP_SECCOMP,             /* the seccomp filter could not be installed */
	GAP_PROOF,               /* the post-restriction probe was not denied */
	GAP_COUNT
};

struct rule {
	const char *path;
	char *canonical; /* realpath() while opening, NULL when not found */
	unsigned access; /* ACCESS_* */
	bool optional;   /* a missing path is skipped, not an error */
	int fd;          /* O_PATH fd, -1 until opened or when skipped */
	bool is_dir;
	uint64_t rights; /* Landlock rights actually granted */
	const char *skipped; /* why the rule was not added, NULL if it was */
	int skip_errno;
};

struct rlimit_request {
	int resource;
	const char *name;
	rlim_t value;
};

#define MAX_RLIMITS 8

struct config {
	struct rule *rules;
	size_t nrules;
	enum compat compat;
	enum net_mode net;
	const char *chdir;
	char **setenv; /* NAME=VALUE */
	size_t nsetenv;
	int report_fd; /* -1: no report */
	int *keep_fds;
	size_t nkeep;
	unsigned accepted_gaps; /* 1 << enum gap */
	int max_abi;            /* -1: no cap; 0 acts as if Landlock were absent */
	int min_abi;            /* 0: none */
	bool probe;
	/* Identity to switch to (root callers only). */
	const char *user;
	const char *group;
	/* TCP ports the command may connect to under --net none. */
	uint16_t *ports;
	size_t nports;
	/* seccomp toggles. */
	bool allow_unix_sockets;
	/* Some rule grants ACCESS_CONNECT: unix sockets must get through the
	 * seccomp filter, and below ABI 9 nothing can hold them to those paths. */
	bool unix_connect_rules;
	/* Process hygiene. */
	bool new_session;
	bool process_group;
	bool lock_session;
	bool die_with_parent;
	struct rlimit_request rlimits[MAX_RLIMITS];
	size_t nrlimits;
	char **command;
};

/* Per-run results, filled in as the launcher goes. */
struct state {
	int abi_kernel; /* as the kernel reports it, or -errno */
	int abi;        /* what the launcher uses: kernel ABI capped */
	int errata;     /* -1 when unknown */
	uint64_t handled_fs;
	uint64_t handled_net;
	uint64_t scoped;
	unsigned restrict_flags;
	bool restricted; /* landlock_restrict_self succeeded */
	unsigned gaps;   /* 1 << enum gap: requested but not enforced */
	char gap_reason[GAP_COUNT][384];
	bool no_new_privs;
	bool caps_dropped;
	bool user_switched;
	bool seccomp_installed;
	/* The proof of enforcement: a directory no rule lets the command list,
	 * opened before restrict_self and expected to be denied after it. */
	char proof_path[4096];
	int proof_socket; /* the abstract-socket probe's listener, -1 when unused */
	struct sockaddr_storage proof_addr;
	socklen_t proof_addrlen;
	const char *proof_result; /* "denied", "allowed", "skipped" */
	const char *proof_note;
	const char *failure; /* set when the launcher refuses to run */
};

#endif
