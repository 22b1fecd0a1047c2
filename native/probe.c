/* `cordon-exec --probe`: what this kernel and this process can enforce, as
 * JSON for `cordon check`. Anything that would change this process (a real
 * restrict_self, unshare) is tried in a short-lived child. */
#define _GNU_SOURCE
#include "probe.h"

#include "json.h"
#include "landlock.h"
#include "landlock_abi.h"
#include "privileges.h"
#include "seccomp.h"
#include "seccomp_options.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs fn in a child and returns its result: 0 or an errno. */
static int in_child(int (*fn)(int abi), int abi)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(fn(abi));
	if (waitpid(pid, &status, 0) < 0)
		return errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
}

static int try_restrict(int abi)
{
	struct ll_ruleset_attr attr = { .handled_access_fs = fs_rights_for_abi(abi) };
	int fd;

	fd = (int)syscall(__NR_landlock_create_ruleset, &attr,
			  sizeof(attr.handled_access_fs), 0);
	if (fd < 0)
		return errno;
	if (set_no_new_privs())
		return errno;
	if (syscall(__NR_landlock_restrict_self, fd, 0))
		return errno;
	return 0;
}

static int try_seccomp(int abi)
{
	struct seccomp_opts opts = { 0 };
	char err[256];

	(void)abi;
	if (set_no_new_privs())
		return errno;
	return install_seccomp(&opts, err, sizeof(err)) ? errno : 0;
}

static int try_userns(int abi)
{
	(void)abi;
	return unshare(CLONE_NEWUSER) ? errno : 0;
}

static void seccomp_status(int *mode, int *filters)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	*mode = -1;
	*filters = -1;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "Seccomp: %d", mode);
		sscanf(line, "Seccomp_filters: %d", filters);
	}
	fclose(f);
}

static void errno_field(const char *name, int err)
{
	printf(",\"%s\":", name);
	if (err) {
		json_string(stdout, strerror(err));
		printf(",\"%s_errno\":\"%s\"", name, strerrorname_np(err) ? strerrorname_np(err) : "?");
	} else {
		printf("\"ok\"");
	}
}

int run_probe(const struct config *cfg)
{
	int kernel_abi = landlock_abi_version();
	int abi = kernel_abi;
	int mode, filters;
	struct caps caps;
	struct seccomp_opts opts;
	const char *const *rules;

	if (cfg->max_abi >= 0 && abi > cfg->max_abi)
		abi = cfg->max_abi;
	opts = seccomp_options(cfg, abi >= 9);
	rules = seccomp_rule_descriptions(&opts);
	seccomp_status(&mode, &filters);
	read_caps(&caps);

	printf("{\"cordon_exec\":\"%s\",\"kernel_abi\":%d,\"abi\":%d,\"known_abi\":%d",
	       CORDON_VERSION, kernel_abi, abi > 0 ? abi : 0, LL_ABI_KNOWN);
	if (kernel_abi < 0) {
		printf(",\"landlock_errno\":\"%s\",\"landlock_hint\":",
		       strerrorname_np(-kernel_abi) ? strerrorname_np(-kernel_abi) : "?");
		json_string(stdout, landlock_errno_hint(-kernel_abi));
	}
	printf(",\"errata\":%d", landlock_errata());
	if (abi > 0)
		errno_field("restrict_self", in_child(try_restrict, abi));
	errno_field("seccomp_filter", in_child(try_seccomp, 0));
	errno_field("user_namespaces", in_child(try_userns, 0));
	printf(",\"no_new_privs\":%s,\"seccomp_mode\":%d,\"seccomp_filters\":%d",
	       no_new_privs_set() ? "true" : "false", mode, filters);
	printf(",\"uid\":%u,\"cap_effective\":\"0x%llx\",\"cap_bounding\":\"0x%llx\"", getuid(),
	       (unsigned long long)caps.effective, (unsigned long long)caps.bounding);
	/* The filter a run with the same flags would install, for explain. */
	printf(",\"seccomp_rules\":[");
	for (size_t i = 0; rules[i]; i++) {
		fputs(i ? "," : "", stdout);
		json_string(stdout, rules[i]);
	}
	printf("]}\n");
	return fflush(stdout) ? EXIT_CORDON : 0;
}
