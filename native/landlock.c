/* Everything that talks to Landlock: the ABI, the ruleset and its rules, and
 * restrict_self. Rights are always masked to the running ABI so that no
 * unknown bit reaches the kernel (it would answer EINVAL). */
#define _GNU_SOURCE
#include "landlock.h"

#include "landlock_abi.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int landlock_abi_version(void)
{
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);

	return abi < 0 ? -errno : (int)abi;
}

int landlock_errata(void)
{
	long errata = syscall(__NR_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_ERRATA);

	return errata < 0 ? -1 : (int)errata;
}

const char *landlock_errno_hint(int err)
{
	switch (err) {
	case ENOSYS:
		return "Landlock is not in this kernel (needs Linux 5.13+ built with "
		       "CONFIG_SECURITY_LANDLOCK), or a seccomp filter answers ENOSYS for "
		       "syscalls 444-446 (a container runtime older than its kernel)";
	case EOPNOTSUPP:
		return "Landlock is built in but not enabled at boot: add 'landlock' to the "
		       "kernel's lsm= parameter (see /sys/kernel/security/lsm)";
	case EPERM:
	case EACCES:
		return "the Landlock syscalls (444-446) are blocked, most likely by a "
		       "container's seccomp profile: allow them (Docker's default profile "
		       "does since 20.10.18)";
	default:
		return "unexpected answer from the kernel";
	}
}

uint64_t fs_rights_for_abi(int abi)
{
	uint64_t rights = 0;

	/* Newest first, falling through, so each ABI adds what it introduced. */
	switch (abi > LL_ABI_KNOWN ? LL_ABI_KNOWN : abi) {
	case 10:
	case 9:
		rights |= LL_FS_RESOLVE_UNIX;
		/* fall through */
	case 8:
	case 7:
	case 6:
	case 5:
		rights |= LL_FS_IOCTL_DEV;
		/* fall through */
	case 4:
	case 3:
		rights |= LL_FS_TRUNCATE;
		/* fall through */
	case 2:
		rights |= LL_FS_REFER;
		/* fall through */
	case 1:
		rights |= LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_READ_DIR |
			  LL_FS_REMOVE_DIR | LL_FS_REMOVE_FILE | LL_FS_MAKE_CHAR | LL_FS_MAKE_DIR |
			  LL_FS_MAKE_REG | LL_FS_MAKE_SOCK | LL_FS_MAKE_FIFO | LL_FS_MAKE_BLOCK |
			  LL_FS_MAKE_SYM;
		break;
	default:
		break;
	}
	return rights;
}

uint64_t rights_for_access(unsigned access, bool is_dir)
{
	uint64_t rights = 0;

	if (access & ACCESS_READ)
		rights |= LL_FS_READ_FILE | LL_FS_READ_DIR;
	/* Write is everything that modifies, including REFER so that renames
	 * and links across directories (package managers, git) do not fail
	 * with EXDEV. Connecting to a unix socket is not a write: reaching
	 * docker.sock or an ssh-agent is its own class, c. */
	if (access & ACCESS_WRITE)
		rights |= LL_FS_WRITE_FILE | LL_FS_REMOVE_DIR | LL_FS_REMOVE_FILE | LL_FS_MAKE_CHAR |
			  LL_FS_MAKE_DIR | LL_FS_MAKE_REG | LL_FS_MAKE_SOCK | LL_FS_MAKE_FIFO |
			  LL_FS_MAKE_BLOCK | LL_FS_MAKE_SYM | LL_FS_REFER | LL_FS_TRUNCATE |
			  LL_FS_IOCTL_DEV;
	if (access & ACCESS_EXEC)
		rights |= LL_FS_EXECUTE;
	if (access & ACCESS_CONNECT)
		rights |= LL_FS_RESOLVE_UNIX;
	return is_dir ? rights : rights & LL_FS_FILE_RIGHTS;
}

bool landlock_holds_unix(const struct state *st)
{
	return st->restricted && (st->handled_fs & LL_FS_RESOLVE_UNIX) &&
	       (st->scoped & LL_SCOPE_ABSTRACT_UNIX_SOCKET);
}

void set_gap(struct state *st, enum gap g, const char *fmt, ...)
{
	va_list ap;

	/* Keep the first reason: it is the cause, later ones are consequences. */
	if (st->gaps & (1U << g))
		return;
	st->gaps |= 1U << g;
	va_start(ap, fmt);
	vsnprintf(st->gap_reason[g], sizeof(st->gap_reason[g]), fmt, ap);
	va_end(ap);
}

const struct rule *open_rule_paths(struct config *cfg, struct state *st)
{
	for (size_t i = 0; i < cfg->nrules; i++) {
		struct rule *r = &cfg->rules[i];
		struct stat sb;

		r->fd = open(r->path, O_PATH | O_CLOEXEC);
		if (r->fd < 0) {
			r->skip_errno = errno;
			if ((errno == ENOENT || errno == ENOTDIR) && r->optional) {
				r->skipped = "does not exist (optional)";
				continue;
			}
			if (errno == ENOENT || errno == ENOTDIR) {
				r->skipped = "does not exist";
				return r;
			}
			r->skipped = "cannot be opened";
			set_gap(st, GAP_RULE, "rule path %s cannot be opened: %s", r->path,
				strerror(errno));
			continue;
		}
		if (fstat(r->fd, &sb) < 0) {
			r->skip_errno = errno;
			r->skipped = "cannot be examined";
			set_gap(st, GAP_RULE, "rule path %s cannot be examined: %s", r->path,
				strerror(errno));
			close(r->fd);
			r->fd = -1;
			continue;
		}
		r->is_dir = S_ISDIR(sb.st_mode);
		/* realpath() measured faster than reading the fd's /proc link
		 * (about 4 us a rule here, d_path and the /proc lookup). */
		r->canonical = realpath(r->path, NULL);
	}
	return NULL;
}

static void need_abi(struct state *st, enum gap g, int abi, const char *kernel)
{
	if (st->abi < abi)
		set_gap(st, g, "needs Landlock ABI %d (Linux %s); the running ABI is %d", abi,
			kernel, st->abi);
}

void plan_ruleset(const struct config *cfg, struct state *st)
{
	if (st->abi < 1) {
		if (st->abi_kernel < 0)
			set_gap(st, GAP_LANDLOCK, "Landlock is unavailable (%s): %s",
				strerror(-st->abi_kernel), landlock_errno_hint(-st->abi_kernel));
		else
			set_gap(st, GAP_LANDLOCK, "Landlock is unavailable: the ABI was capped to 0 "
				"(--max-abi)");
		return;
	}
	st->handled_fs = fs_rights_for_abi(st->abi);
	need_abi(st, GAP_TRUNCATE, 3, "6.2");
	need_abi(st, GAP_IOCTL_DEV, 5, "6.10");
	/* Without unix sockets the seccomp filter already refuses socket(AF_UNIX),
	 * abstract ones included: the scope is only missing when they are allowed. */
	if (cfg->allow_unix_sockets || cfg->unix_connect_rules)
		need_abi(st, GAP_SCOPE_ABSTRACT_UNIX, 6, "6.12");
	/* Granting some sockets means letting socket(AF_UNIX) through; below
	 * ABI 9 nothing then keeps connect() to the granted ones. */
	if (cfg->unix_connect_rules)
		need_abi(st, GAP_RESOLVE_UNIX, 9, "7.1");
	need_abi(st, GAP_SCOPE_SIGNAL, 6, "6.12");
	/* No gap for TCP below ABI 4 when the network is off: the seccomp
	 * filter refuses inet sockets, and a filter that fails is its own gap.
	 * Ports allowed for TCP are different: only Landlock can pin them. */
	if (cfg->net == NET_NONE && cfg->nports)
		need_abi(st, GAP_NET_TCP, 4, "6.7");
	if (cfg->net == NET_NONE) {
		if (st->abi >= 4)
			st->handled_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		/* No gap below ABI 10: seccomp refuses UDP sockets. Landlock's
		 * UDP rights also cover a socket passed in, which seccomp's
		 * socket() rule never sees (kernel matrix, Debian's 7.2). */
		if (st->abi >= 10)
			st->handled_net |= LL_NET_BIND_UDP | LL_NET_CONNECT_SEND_UDP;
	}
	if (st->abi >= 6)
		st->scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
	if (st->abi >= 7)
		st->restrict_flags = LL_RESTRICT_SELF_LOG_NEW_EXEC_ON;
}

int build_ruleset(struct config *cfg, struct state *st)
{
	struct ll_ruleset_attr attr = {
		.handled_access_fs = st->handled_fs,
		.handled_access_net = st->handled_net,
		.scoped = st->scoped,
	};
	/* Send the struct size the running ABI defines: an older kernel takes a
	 * larger one only while its tail is zero, so the exact size keeps a
	 * masking mistake from turning into an E2BIG far from its cause. */
	size_t size = st->abi >= 6 ? sizeof(attr) :
		      st->abi >= 4 ? offsetof(struct ll_ruleset_attr, scoped) :
				     offsetof(struct ll_ruleset_attr, handled_access_net);
	int fd;

	fd = (int)syscall(__NR_landlock_create_ruleset, &attr, size, 0);
	if (fd < 0) {
		set_gap(st, GAP_LANDLOCK, "landlock_create_ruleset failed: %s; %s",
			strerror(errno), landlock_errno_hint(errno));
		return -1;
	}

	for (size_t i = 0; i < cfg->nrules; i++) {
		struct rule *r = &cfg->rules[i];
		struct ll_path_beneath_attr pb;

		if (r->fd < 0)
			continue;
		r->rights = rights_for_access(r->access, r->is_dir) & st->handled_fs;
		pb = (struct ll_path_beneath_attr){ .allowed_access = r->rights, .parent_fd = r->fd };
		/* A rule of only connect (c) below ABI 9: a gap says so already. */
		if (!r->rights)
			r->skipped = "none of its rights exists on the running ABI";
		else if (syscall(__NR_landlock_add_rule, fd, LL_RULE_PATH_BENEATH, &pb, 0)) {
			r->skip_errno = errno;
			r->skipped = "landlock_add_rule failed";
			r->rights = 0;
			set_gap(st, GAP_RULE, "rule for %s could not be added: %s", r->path,
				strerror(errno));
		}
		close(r->fd);
		r->fd = -1;
	}
	for (size_t i = 0; i < cfg->nports && (st->handled_net & LL_NET_CONNECT_TCP); i++) {
		struct ll_net_port_attr np = { .allowed_access = LL_NET_CONNECT_TCP,
					       .port = cfg->ports[i] };

		if (syscall(__NR_landlock_add_rule, fd, LL_RULE_NET_PORT, &np, 0))
			set_gap(st, GAP_RULE, "TCP connect rule for port %u could not be added: %s",
				cfg->ports[i], strerror(errno));
	}
	return fd;
}

void restrict_self(int ruleset_fd, struct state *st)
{
	if (syscall(__NR_landlock_restrict_self, ruleset_fd, st->restrict_flags)) {
		set_gap(st, GAP_LANDLOCK, "landlock_restrict_self failed: %s; %s", strerror(errno),
			landlock_errno_hint(errno));
	} else {
		st->restricted = true;
	}
	close(ruleset_fd);
}
