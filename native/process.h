#ifndef CORDON_PROCESS_H
#define CORDON_PROCESS_H

#include "config.h"

/* Session, process group, parent-death signal and resource limits. Returns
 * 0, or -1 with a message in err. */
int apply_process_hygiene(const struct config *cfg, pid_t parent, char *err, size_t errlen);

#endif
