/* The proof of enforcement. The peer bug cordon exists to avoid reported a
 * sandbox while nothing was enforced; so after restrict_self the launcher
 * asks the kernel once more, with an open that changes nothing, whether a
 * directory outside the policy is really refused. */
#define _GNU_SOURCE
#include "proof.h"

#include "landlock.h"

#include "landlock_abi.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* True when a rule lets the command list dir: a readable directory rule at
 * dir or above it. */
static bool listable(const struct config *cfg, const char *dir)
{
	for (size_t i = 0; i < cfg->nrules; i++) {
		const struct rule *r = &cfg->rules[i];
		size_t n;

		if (!r->canonical || !r->is_dir || !(r->access & ACCESS_READ))
			continue;
		n = strlen(r->canonical);
		if (strcmp(r->canonical, "/") == 0)
			return true;
		if (strncmp(dir, r->canonical, n) == 0 && (dir[n] == '\0' || dir[n] == '/'))
			return true;
	}
	return false;
}

static bool try_candidate(const struct config *cfg, struct state *st, const char *dir)
{
	int fd;

	if (listable(cfg, dir))
		return false;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	snprintf(st->proof_path, sizeof(st->proof_path), "%s", dir);
	return true;
}

/* The abstract unix socket scope (ABI 6) gives a probe that needs no path:
 * a socket bound before restrict_self is outside the domain, so connecting
 * to it afterwards must fail with EPERM. Used when every directory is
 * listable under the policy (a rule grants read on /). */
static bool listen_abstract(struct state *st)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (!(st->scoped & LL_SCOPE_ABSTRACT_UNIX_SOCKET))
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		/* An outer sandbox's seccomp filter refuses unix sockets. */
		st->proof_note = "nothing to probe: every directory is listable under this policy and "
				 "no abstract unix socket can be created here (an outer sandbox refuses "
				 "socket(AF_UNIX)?)";
		return false;
	}
	snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1, "cordon-proof-%d-%p", getpid(),
		 (void *)&addr);
	st->proof_addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
					strlen(addr.sun_path + 1));
	if (bind(fd, (struct sockaddr *)&addr, st->proof_addrlen) || listen(fd, 1)) {
		close(fd);
		return false;
	}
	memcpy(&st->proof_addr, &addr, sizeof(addr));
	st->proof_socket = fd;
	snprintf(st->proof_path, sizeof(st->proof_path), "@%s", addr.sun_path + 1);
	return true;
}

void choose_proof_path(const struct config *cfg, struct state *st)
{
	char dir[PATH_MAX];

	st->proof_result = "skipped";
	st->proof_socket = -1;
	if (try_candidate(cfg, st, "/"))
		return;
	/* The ancestors of each rule path: the parent of a granted project
	 * directory is the natural witness (its siblings must stay hidden). */
	for (size_t i = 0; i < cfg->nrules; i++) {
		const char *c = cfg->rules[i].canonical;

		if (!c)
			continue;
		for (const char *slash = strchr(c + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
			size_t n = (size_t)(slash - c);

			if (n >= sizeof(dir))
				break;
			memcpy(dir, c, n);
			dir[n] = '\0';
			if (try_candidate(cfg, st, dir))
				return;
		}
	}
	if (listen_abstract(st))
		return;
	if (!st->proof_note)
		st->proof_note = "nothing to probe: every directory is listable under this policy and "
				 "the kernel has no abstract unix socket scope (ABI < 6)";
}

static void proof_failed(struct state *st, const char *what, const char *why)
{
	st->proof_result = "allowed";
	set_gap(st, GAP_PROOF,
		"%s %s, %s, was allowed after restrict_self: the kernel is not enforcing the ruleset",
		what, st->proof_path, why);
}

void check_proof(struct state *st)
{
	int fd;

	if (!st->restricted) {
		st->proof_note = "Landlock is not enforced";
		goto out;
	}
	if (st->proof_socket >= 0) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			st->proof_note = "could not create the probe socket";
			set_gap(st, GAP_PROOF, "the proof of enforcement could not run: %s",
				strerror(errno));
			goto out;
		}
		if (connect(fd, (struct sockaddr *)&st->proof_addr, st->proof_addrlen) == 0)
			proof_failed(st, "connecting to the abstract socket", "bound outside the sandbox");
		else if (errno == EPERM)
			st->proof_result = "denied";
		else
			set_gap(st, GAP_PROOF, "the abstract socket probe failed unexpectedly: %s",
				strerror(errno));
		close(fd);
		goto out;
	}
	if (!st->proof_path[0]) {
		/* No witness at all: a run that cannot be proven is not reported
		 * as enforced. */
		set_gap(st, GAP_PROOF, "%s", st->proof_note);
		return;
	}
	fd = open(st->proof_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		proof_failed(st, "listing", "which no rule grants");
		return;
	}
	if (errno == EACCES) {
		st->proof_result = "denied";
		return;
	}
	set_gap(st, GAP_PROOF, "the probe directory %s failed unexpectedly: %s", st->proof_path,
		strerror(errno));
out:
	if (st->proof_socket >= 0)
		close(st->proof_socket);
	st->proof_socket = -1;
}
