/* cordon-exec: applies a deny-by-default Landlock ruleset and a seccomp
 * filter to itself, then executes the command. Single-threaded on purpose:
 * restrict_self covers the calling thread only.
 *
 * Order matters and each step is where it is for a reason:
 *   open rule paths   while every privilege is still held: a path under a
 *                     root-only directory must open before any drop (the
 *                     peer bug that reported a sandbox and enforced nothing)
 *   ruleset, rules    refuse in hard mode if anything asked for is missing
 *   bounding set      emptied while CAP_SETPCAP is still there
 *   identity          setgroups, setgid, setuid, each checked
 *   capabilities      cleared, or CAP_SYS_PTRACE would reach other processes
 *   no_new_privs      required by restrict_self and seccomp when unprivileged
 *   restrict_self
 *   proof             something outside the policy must now be refused
 *   process hygiene   session, process group, parent-death signal, rlimits
 *   seccomp           what Landlock does not see: sockets, ioctls, namespaces
 *   close fds         inherited fds are not checked by Landlock
 *   report, execve
 */
#define _GNU_SOURCE
#include "argv.h"
#include "config.h"
#include "fds.h"
#include "landlock.h"
#include "privileges.h"
#include "probe.h"
#include "process.h"
#include "proof.h"
#include "report.h"
#include "seccomp.h"
#include "seccomp_options.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char failure[1024];

/* Stops before the command runs: the report says why, and so does stderr. */
static _Noreturn void refuse(const struct config *cfg, struct state *st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static _Noreturn void refuse(const struct config *cfg, struct state *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(failure, sizeof(failure), fmt, ap);
	va_end(ap);
	st->failure = failure;
	st->restricted = false;
	fprintf(stderr, "cordon-exec: refusing to run the command: %s\n", failure);
	write_report(cfg, st);
	exit(EXIT_CORDON);
}

/* Hard mode refuses to run with any gap the caller did not accept by name. */
static void check_gaps(const struct config *cfg, struct state *st)
{
	unsigned refused = st->gaps & ~cfg->accepted_gaps;

	if (cfg->compat != COMPAT_HARD || !refused)
		return;
	/* The proof first: when it failed, nothing else in the plan holds. */
	if (refused & (1U << GAP_PROOF))
		refuse(cfg, st, "%s: %s (hard mode; --compat best would run the command "
		       "unconfined, saying so)", gap_name(GAP_PROOF), st->gap_reason[GAP_PROOF]);
	for (int g = 0; g < GAP_COUNT; g++) {
		if (refused & (1U << g))
			refuse(cfg, st,
			       "%s: %s (hard mode; use --compat best, or --accept-gap %s to run "
			       "without it)",
			       gap_name(g), st->gap_reason[g], gap_name(g));
	}
}

/* Every protection that is missing, on stderr, whatever the mode: a run is
 * never quietly weaker than asked. */
static void warn_gaps(const struct state *st)
{
	for (int g = 0; g < GAP_COUNT; g++)
		if (st->gaps & (1U << g))
			fprintf(stderr, "cordon-exec: warning: not enforced: %s: %s\n", gap_name(g),
				st->gap_reason[g]);
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct state st = { .errata = -1 };
	bool held;
	const struct rule *missing_path;
	struct seccomp_opts seccomp;
	pid_t parent = getppid();
	uid_t uid = 0;
	gid_t gid = 0;
	char err[512];
	int ruleset_fd = -1;
	int rc;

	parse_argv(argc, argv, &cfg);
	if (cfg.probe)
		return run_probe(&cfg);
	if (prepare_passed_fds(&cfg))
		refuse(&cfg, &st, "cannot set up the passed fds: %s", strerror(errno));
	if (cfg.user) {
		if (resolve_identity(cfg.user, cfg.group, &uid, &gid, err, sizeof(err)))
			refuse(&cfg, &st, "%s", err);
		if (geteuid() != 0 && (uid != getuid() || gid != getgid()))
			refuse(&cfg, &st, "--user: running as another user needs a root caller "
			       "(this is uid %u)", getuid());
	} else if (cfg.group) {
		refuse(&cfg, &st, "--group: give --user too");
	}

	st.abi_kernel = landlock_abi_version();
	st.abi = st.abi_kernel;
	if (cfg.max_abi >= 0 && st.abi > cfg.max_abi)
		st.abi = cfg.max_abi;
	if (st.abi_kernel > 0)
		st.errata = landlock_errata();
	if (cfg.min_abi > 0 && st.abi < cfg.min_abi)
		refuse(&cfg, &st, "the policy requires Landlock ABI %d or newer; the running ABI is %d",
		       cfg.min_abi, st.abi > 0 ? st.abi : 0);

	missing_path = open_rule_paths(&cfg, &st);
	if (missing_path)
		refuse(&cfg, &st,
		       "rule path %s does not exist (use --allow-if-exists for a path that may "
		       "be absent)",
		       missing_path->path);
	plan_ruleset(&cfg, &st);
	check_gaps(&cfg, &st);
	if (st.abi > 0) {
		ruleset_fd = build_ruleset(&cfg, &st);
		check_gaps(&cfg, &st);
	}

	if (cfg.chdir && chdir(cfg.chdir))
		refuse(&cfg, &st, "cannot change directory to %s: %s", cfg.chdir, strerror(errno));

	held = caps_held_now();
	if (held)
		drop_bounding_set();
	/* A non-root caller may name itself: nothing to switch, and it could
	 * not drop its supplementary groups anyway. */
	if (cfg.user && (geteuid() == 0 || uid != getuid() || gid != getgid())) {
		if (switch_identity(uid, gid, err, sizeof(err)))
			refuse(&cfg, &st, "%s", err);
		st.user_switched = true;
	}
	if (held || st.user_switched) {
		if (clear_caps(err, sizeof(err)))
			refuse(&cfg, &st, "%s", err);
		st.caps_dropped = true;
	}
	rc = set_no_new_privs();
	if (rc)
		refuse(&cfg, &st, "cannot set no_new_privs: %s", strerror(-rc));
	st.no_new_privs = true;

	choose_proof_path(&cfg, &st);
	if (ruleset_fd >= 0)
		restrict_self(ruleset_fd, &st);
	/* Before the seccomp filter, which would refuse the probe's socket. */
	check_proof(&st);
	if (st.gaps & (1U << GAP_PROOF)) {
		/* The ruleset is not what the kernel enforces: nothing in the
		 * report may claim otherwise, in either mode. */
		st.restricted = false;
		if (strcmp(st.proof_result, "allowed") == 0)
			set_gap(&st, GAP_LANDLOCK, "landlock_restrict_self reported success but the "
				"proof of enforcement failed");
		else
			set_gap(&st, GAP_LANDLOCK, "Landlock is applied but its enforcement cannot be "
				"proven here (%s)", st.gap_reason[GAP_PROOF]);
	}
	check_gaps(&cfg, &st);

	/* Before the filter, which may refuse setsid. */
	if (apply_process_hygiene(&cfg, parent, err, sizeof(err)))
		refuse(&cfg, &st, "%s", err);

	seccomp = seccomp_options(&cfg, landlock_holds_unix(&st));
	if (install_seccomp(&seccomp, err, sizeof(err)))
		set_gap(&st, GAP_SECCOMP, "%s", err);
	else
		st.seccomp_installed = true;
	check_gaps(&cfg, &st);

	rc = close_other_fds(&cfg);
	if (rc)
		refuse(&cfg, &st, "cannot close inherited fds: %s", strerror(-rc));

	for (size_t i = 0; i < cfg.nsetenv; i++)
		if (putenv(cfg.setenv[i]))
			refuse(&cfg, &st, "cannot set %s: %s", cfg.setenv[i], strerror(errno));
	if (setenv("CORDON_SANDBOX", sandbox_env_value(&st), 1))
		refuse(&cfg, &st, "cannot set CORDON_SANDBOX: %s", strerror(errno));

	warn_gaps(&st);
	write_report(&cfg, &st);
	if (cfg.report_fd >= 0)
		close(cfg.report_fd);

	execvp(cfg.command[0], cfg.command);
	rc = errno;
	fprintf(stderr, "cordon-exec: %s: %s%s\n", cfg.command[0], strerror(rc),
		rc == EACCES && st.restricted ? " (execute may not be granted by the policy)" : "");
	return rc == ENOENT || rc == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
}
