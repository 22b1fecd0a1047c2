#ifndef CORDON_REPORT_H
#define CORDON_REPORT_H

#include "config.h"

/* "full", "partial" or "none": what the caller asked for against what the
 * kernel now enforces. */
const char *enforced_level(const struct state *st);
/* The value of CORDON_SANDBOX: "1", "partial" or "0". */
const char *sandbox_env_value(const struct state *st);

/* Writes the enforcement report (schema in docs/launcher.md) to cfg->report_fd
 * when one was given. Best effort by design: a reader that went away must not
 * stop the command. */
void write_report(const struct config *cfg, const struct state *st);

#endif
