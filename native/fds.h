#ifndef CORDON_FDS_H
#define CORDON_FDS_H

#include "config.h"

/* Closes every fd >= 3 except the kept ones and the report fd. An fd opened
 * before restrict_self is not checked by Landlock, so anything the caller
 * did not mean to pass would be a way around the ruleset. Returns 0 or
 * -errno. */
int close_other_fds(const struct config *cfg);

/* Makes the kept fds survive execve and the report fd close on it. */
int prepare_passed_fds(const struct config *cfg);

#endif
