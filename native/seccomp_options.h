#ifndef CORDON_SECCOMP_OPTIONS_H
#define CORDON_SECCOMP_OPTIONS_H

#include "config.h"
#include "seccomp.h"

#include <unistd.h>

/* The filter a run's flags ask for; one place, so that the report, the
 * probe and the run never describe different filters. */
static inline struct seccomp_opts seccomp_options(const struct config *cfg)
{
	return (struct seccomp_opts){
		.allow_unix_sockets = cfg->allow_unix_sockets,
		.allow_inet = cfg->net == NET_HOST,
		.allow_inet_tcp = cfg->nports > 0,
		.lock_session = cfg->lock_session,
		/* Called after any identity switch, so this is the command's uid. */
		.root_command = getuid() == 0,
	};
}

#endif
