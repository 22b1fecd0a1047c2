/* Process hygiene: what lets a caller bound and kill the whole tree. */
#define _GNU_SOURCE
#include "process.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int apply_process_hygiene(const struct config *cfg, pid_t parent, char *err, size_t errlen)
{
	/* A new session also leaves the caller's terminal behind: no
	 * controlling tty to inject keystrokes into or to take signals from. */
	if (cfg->new_session && setsid() < 0) {
		snprintf(err, errlen, "setsid failed: %s (the launcher is already a process group "
			 "leader?)", strerror(errno));
		return -1;
	}
	if (cfg->process_group && !cfg->new_session && setpgid(0, 0)) {
		snprintf(err, errlen, "setpgid failed: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < cfg->nrlimits; i++) {
		const struct rlimit_request *r = &cfg->rlimits[i];
		struct rlimit rl = { .rlim_cur = r->value, .rlim_max = r->value };

		if (setrlimit(r->resource, &rl)) {
			snprintf(err, errlen, "setrlimit %s=%llu failed: %s (a limit can only be "
				 "lowered without CAP_SYS_RESOURCE)", r->name,
				 (unsigned long long)r->value, strerror(errno));
			return -1;
		}
	}
	/* Set after any identity switch, which clears it. The check that
	 * follows closes the race with a parent that died before the prctl. */
	if (cfg->die_with_parent) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)) {
			snprintf(err, errlen, "PR_SET_PDEATHSIG failed: %s", strerror(errno));
			return -1;
		}
		if (getppid() != parent) {
			snprintf(err, errlen, "the caller exited before the command started");
			return -1;
		}
	}
	return 0;
}
