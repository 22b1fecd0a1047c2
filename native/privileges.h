#ifndef CORDON_PRIVILEGES_H
#define CORDON_PRIVILEGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct caps {
	uint64_t effective, permitted, inheritable, bounding, ambient;
};

/* Reads the calling thread's capability sets. */
void read_caps(struct caps *c);
/* True when any set other than the bounding set is non-empty. */
bool caps_held(const struct caps *c);
/* Drops every capability: bounding (when CAP_SETPCAP allows), ambient,
 * inheritable, permitted, effective. Returns 0, or -1 with a message in err
 * when a capability remains in a set that execve could pass on. */
int drop_all_caps(char *err, size_t errlen);
/* prctl(PR_SET_NO_NEW_PRIVS); returns 0 or -errno. */
int set_no_new_privs(void);
bool no_new_privs_set(void);

#endif
