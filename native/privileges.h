#ifndef CORDON_PRIVILEGES_H
#define CORDON_PRIVILEGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct caps {
	uint64_t effective, permitted, inheritable, bounding, ambient;
};

/* Reads the calling thread's capability sets. */
void read_caps(struct caps *c);
/* True when any set other than the bounding set is non-empty. */
bool caps_held(const struct caps *c);
/* The same, for the calling thread, from one capget (no per-capability
 * prctl loop). */
bool caps_held_now(void);
/* Empties the bounding set when CAP_SETPCAP allows; call while still
 * privileged. */
void drop_bounding_set(void);
/* Clears the ambient, inheritable, permitted and effective sets. Returns 0,
 * or -1 with a message in err when any capability remains. */
int clear_caps(char *err, size_t errlen);
/* Resolves a user and group given as names or numbers; without a group, the
 * user's primary group. Returns 0, or -1 with a message in err. */
int resolve_identity(const char *user, const char *group, uid_t *uid, gid_t *gid, char *err,
		     size_t errlen);
/* setgroups(0), setresgid, setresuid, then checks that every id took.
 * Returns 0, or -1 with a message in err. */
int switch_identity(uid_t uid, gid_t gid, char *err, size_t errlen);
/* prctl(PR_SET_NO_NEW_PRIVS); returns 0 or -errno. */
int set_no_new_privs(void);
bool no_new_privs_set(void);

#endif
