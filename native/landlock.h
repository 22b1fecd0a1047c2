#ifndef CORDON_LANDLOCK_H
#define CORDON_LANDLOCK_H

#include "config.h"

/* The kernel's Landlock ABI version, or -errno when Landlock is unusable. */
int landlock_abi_version(void);
/* The errata bitmask, or -1 when the kernel cannot say. */
int landlock_errata(void);
/* Why Landlock answered err, and what to change. */
const char *landlock_errno_hint(int err);

/* Every filesystem right the given ABI knows. */
uint64_t fs_rights_for_abi(int abi);
/* The Landlock rights that an access class grants on a directory or a file. */
uint64_t rights_for_access(unsigned access, bool is_dir);

/* Opens an O_PATH fd for every rule path. Returns the first rule whose path
 * does not exist and is not optional (the caller refuses to run), or NULL.
 * Any other failure to open is recorded as a gap. */
const struct rule *open_rule_paths(struct config *cfg, struct state *st);
/* Works out what the running ABI can enforce and records each gap. */
void plan_ruleset(const struct config *cfg, struct state *st);
/* Creates the ruleset and adds the rules; returns its fd, or -1 after
 * recording why as a gap. */
int build_ruleset(struct config *cfg, struct state *st);
/* landlock_restrict_self(); records a gap on failure. */
void restrict_self(int ruleset_fd, struct state *st);

/* The enforced domain mediates unix sockets itself: connect() to pathname
 * sockets (RESOLVE_UNIX, ABI 9) and to abstract ones (scope, ABI 6). */
bool landlock_holds_unix(const struct state *st);

void set_gap(struct state *st, enum gap g, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
