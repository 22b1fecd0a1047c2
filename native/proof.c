/* The proof of enforcement. The peer bug cordon exists to avoid reported a
 * sandbox while nothing was enforced; so after restrict_self the launcher
 * asks the kernel once more, with an open that changes nothing, whether a
 * directory outside the policy is really refused. */
#define _GNU_SOURCE
#include "proof.h"

#include "landlock.h"

#include <errno.h>
#include <fcntl.h>
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

void choose_proof_path(const struct config *cfg, struct state *st)
{
	char dir[PATH_MAX];

	st->proof_result = "skipped";
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
	st->proof_note = "no directory outside the policy can be listed by this user even "
			 "without the sandbox (or a rule grants read on /): nothing to probe";
}

void check_proof(struct state *st)
{
	int fd;

	if (!st->proof_path[0])
		return;
	if (!st->restricted) {
		st->proof_note = "Landlock is not enforced";
		return;
	}
	fd = open(st->proof_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		st->proof_result = "allowed";
		set_gap(st, GAP_PROOF,
			"listing %s, which no rule grants, was allowed after restrict_self: the "
			"kernel is not enforcing the ruleset",
			st->proof_path);
		return;
	}
	if (errno == EACCES) {
		st->proof_result = "denied";
		return;
	}
	st->proof_note = "the probe directory vanished or failed for another reason";
	st->proof_result = "skipped";
}
