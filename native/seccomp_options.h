#ifndef CORDON_SECCOMP_OPTIONS_H
#define CORDON_SECCOMP_OPTIONS_H

#include "config.h"
#include "seccomp.h"

#include <unistd.h>

/* The filter a run's flags ask for; one place, so that the report, the
 * probe and the run never describe different filters. landlock_unix: the
 * Landlock domain holds unix sockets itself (RESOLVE_UNIX for pathname
 * sockets, the abstract-socket scope), so socket(AF_UNIX) is no danger and
 * refusing it would only break programs. */
static inline struct seccomp_opts seccomp_options(const struct config *cfg, bool landlock_unix)
{
	return (struct seccomp_opts){
		.allow_unix_sockets = cfg->allow_unix_sockets || cfg->unix_connect_rules || landlock_unix,
		.allow_inet = cfg->net == NET_HOST,
		.allow_inet_tcp = cfg->nports > 0,
		.lock_session = cfg->lock_session,
		/* Called after any identity switch, so this is the command's uid. */
		.root_command = getuid() == 0,
	};
}

#endif
