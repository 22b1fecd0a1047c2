/* The launcher's command line. The grammar is documented in docs/launcher.md;
 * every error names the flag it is about and exits 125, before anything is
 * opened or restricted. */
#define _GNU_SOURCE
#include "argv.h"
#include "landlock_abi.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const gap_names[GAP_COUNT] = {
	[GAP_LANDLOCK] = "landlock",
	[GAP_TRUNCATE] = "truncate",
	[GAP_NET_TCP] = "net-tcp",
	[GAP_IOCTL_DEV] = "ioctl-dev",
	[GAP_SCOPE_ABSTRACT_UNIX] = "scope-abstract-unix",
	[GAP_SCOPE_SIGNAL] = "scope-signal",
	[GAP_RESOLVE_UNIX] = "resolve-unix",
	[GAP_RULE] = "rule",
	[GAP_SECCOMP] = "seccomp",
	[GAP_PROOF] = "proof",
};

const char *gap_name(enum gap g)
{
	return gap_names[g];
}

static const char usage[] =
	"usage: cordon-exec [OPTION]... -- COMMAND [ARG]...\n"
	"\n"
	"Runs COMMAND under a deny-by-default Landlock ruleset.\n"
	"\n"
	"  --allow ACCESS PATH            grant ACCESS beneath PATH: letters from r (read),\n"
	"                                 w (write), x (execute), c (connect to unix\n"
	"                                 sockets; Landlock ABI 9)\n"
	"  --allow-if-exists ACCESS PATH  the same, skipped when PATH does not exist\n"
	"  --ro PATH                      same as --allow rx PATH\n"
	"  --rw PATH                      same as --allow rwx PATH\n"
	"  --net none|host                none (default): deny TCP bind and connect\n"
	"  --compat hard|best             hard (default): refuse to run with any gap\n"
	"  --accept-gap NAME              run in hard mode even though NAME is missing\n"
	"  --chdir DIR                    working directory of COMMAND\n"
	"  --setenv NAME=VALUE            set a variable in COMMAND's environment\n"
	"  --report-fd FD                 write the enforcement report (JSON) to FD\n"
	"  --keep-fd FD                   pass FD to COMMAND (every other fd >= 3 is closed)\n"
	"  --max-abi N                    use at most Landlock ABI N (for tests)\n"
	"  --min-abi N                    refuse to run below Landlock ABI N, in any mode\n"
	"  --user USER, --group GROUP     run as USER (name or uid) and GROUP; root only\n"
	"  --allow-tcp-connect PORT       with --net none: allow TCP connect to PORT (any\n"
	"                                 address: Landlock filters ports, not addresses)\n"
	"  --allow-unix-sockets           let socket(AF_UNIX) through the seccomp filter (from\n"
	"                                 ABI 9 it always is: Landlock holds connects to\n"
	"                                 the sockets granted c)\n"
	"  --new-session                  run COMMAND in a new session (setsid)\n"
	"  --process-group                run COMMAND in a new process group\n"
	"  --lock-session                 refuse setsid() inside, so every process of the\n"
	"                                 command stays in its session (to kill them all)\n"
	"  --die-with-parent              SIGKILL COMMAND when the caller dies\n"
	"  --rlimit NAME=VALUE            cpu (s), as, fsize (bytes), nofile, nproc, core\n"
	"  --probe                        print what this kernel and process can enforce\n"
	"  --version, --help\n"
	"\n"
	"Gap names: landlock, truncate, net-tcp, ioctl-dev, scope-abstract-unix,\n"
	"scope-signal, resolve-unix, rule, seccomp.\n"
	"Exit status: COMMAND's, or 125 (cordon failed), 126 (cannot execute),\n"
	"127 (not found).\n";

static _Noreturn void usage_error(const char *flag, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static _Noreturn void usage_error(const char *flag, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "cordon-exec: %s: ", flag);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'cordon-exec --help'.\n");
	exit(EXIT_CORDON);
}

static const char *need_value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		usage_error(argv[*i], "%s", "missing value");
	return argv[++*i];
}

static unsigned parse_access(const char *flag, const char *s)
{
	unsigned access = 0;

	if (*s == '\0')
		usage_error(flag, "%s", "ACCESS is empty: give letters from r, w, x, c");
	for (const char *c = s; *c; c++) {
		switch (*c) {
		case 'r':
			access |= ACCESS_READ;
			break;
		case 'w':
			access |= ACCESS_WRITE;
			break;
		case 'x':
			access |= ACCESS_EXEC;
			break;
		case 'c':
			access |= ACCESS_CONNECT;
			break;
		default:
			usage_error(flag, "ACCESS '%s' has a letter other than r, w, x, c", s);
		}
	}
	return access;
}

static int parse_int(const char *flag, const char *s, int min, int max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		usage_error(flag, "'%s' is not a valid number here", s);
	return (int)v;
}

static void add_rule(struct config *cfg, const char *flag, const char *path,
		     unsigned access, bool optional)
{
	struct rule *r;

	if (*path == '\0')
		usage_error(flag, "%s", "PATH is empty");
	cfg->rules = realloc(cfg->rules, (cfg->nrules + 1) * sizeof(*cfg->rules));
	if (!cfg->rules) {
		perror("cordon-exec");
		exit(EXIT_CORDON);
	}
	r = &cfg->rules[cfg->nrules++];
	*r = (struct rule){ .path = path, .access = access, .optional = optional, .fd = -1 };
	if (access & ACCESS_CONNECT)
		cfg->unix_connect_rules = true;
}

static void *append(void *array, size_t *n, size_t size)
{
	array = realloc(array, (*n + 1) * size);
	if (!array) {
		perror("cordon-exec");
		exit(EXIT_CORDON);
	}
	(*n)++;
	return array;
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "cpu", RLIMIT_CPU },	   { "as", RLIMIT_AS },	      { "nofile", RLIMIT_NOFILE },
	{ "nproc", RLIMIT_NPROC }, { "fsize", RLIMIT_FSIZE }, { "core", RLIMIT_CORE },
};

static void add_rlimit(struct config *cfg, const char *flag, const char *spec)
{
	const char *eq = strchr(spec, '=');
	char *end;
	unsigned long long v;
	size_t n;

	if (!eq)
		usage_error(flag, "'%s' is not NAME=VALUE", spec);
	n = (size_t)(eq - spec);
	for (size_t k = 0; k < sizeof(rlimit_names) / sizeof(rlimit_names[0]); k++) {
		if (strlen(rlimit_names[k].name) != n || strncmp(spec, rlimit_names[k].name, n))
			continue;
		errno = 0;
		v = strtoull(eq + 1, &end, 10);
		if (errno || end == eq + 1 || *end || eq[1] == '-')
			usage_error(flag, "'%s' is not a non-negative integer", eq + 1);
		if (cfg->nrlimits == MAX_RLIMITS)
			usage_error(flag, "%s", "too many limits");
		cfg->rlimits[cfg->nrlimits++] = (struct rlimit_request){
			.resource = rlimit_names[k].resource,
			.name = rlimit_names[k].name,
			.value = (rlim_t)v,
		};
		return;
	}
	usage_error(flag, "unknown limit in '%s' (cpu, as, nofile, nproc, fsize, core)", spec);
}

static int parse_fd(const char *flag, const char *s)
{
	int fd = parse_int(flag, s, 0, INT_MAX);

	if (fcntl(fd, F_GETFD) < 0)
		usage_error(flag, "fd %s is not open", s);
	return fd;
}

void parse_argv(int argc, char **argv, struct config *cfg)
{
	int i;

	*cfg = (struct config){
		.compat = COMPAT_HARD, .net = NET_NONE, .report_fd = -1, .max_abi = -1
	};

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else if (strcmp(a, "--allow") == 0 || strcmp(a, "--allow-if-exists") == 0) {
			unsigned access = parse_access(a, need_value(argc, argv, &i));

			add_rule(cfg, a, need_value(argc, argv, &i), access,
				 strcmp(a, "--allow-if-exists") == 0);
		} else if (strcmp(a, "--ro") == 0) {
			add_rule(cfg, a, need_value(argc, argv, &i), ACCESS_READ | ACCESS_EXEC, false);
		} else if (strcmp(a, "--rw") == 0) {
			add_rule(cfg, a, need_value(argc, argv, &i),
				 ACCESS_READ | ACCESS_WRITE | ACCESS_EXEC, false);
		} else if (strcmp(a, "--net") == 0) {
			const char *v = need_value(argc, argv, &i);

			if (strcmp(v, "none") == 0)
				cfg->net = NET_NONE;
			else if (strcmp(v, "host") == 0)
				cfg->net = NET_HOST;
			else
				usage_error(a, "'%s' is not one of none, host", v);
		} else if (strcmp(a, "--compat") == 0) {
			const char *v = need_value(argc, argv, &i);

			if (strcmp(v, "hard") == 0)
				cfg->compat = COMPAT_HARD;
			else if (strcmp(v, "best") == 0)
				cfg->compat = COMPAT_BEST;
			else
				usage_error(a, "'%s' is not one of hard, best", v);
		} else if (strcmp(a, "--accept-gap") == 0) {
			const char *v = need_value(argc, argv, &i);
			int g;

			for (g = 0; g < GAP_COUNT; g++)
				if (strcmp(v, gap_names[g]) == 0)
					break;
			if (g == GAP_COUNT)
				usage_error(a, "unknown gap '%s' (see --help for the names)", v);
			if (g == GAP_PROOF)
				usage_error(a, "%s", "a failed proof of enforcement cannot be accepted");
			cfg->accepted_gaps |= 1U << g;
		} else if (strcmp(a, "--chdir") == 0) {
			cfg->chdir = need_value(argc, argv, &i);
		} else if (strcmp(a, "--setenv") == 0) {
			const char *v = need_value(argc, argv, &i);
			const char *eq = strchr(v, '=');

			if (!eq || eq == v)
				usage_error(a, "'%s' is not NAME=VALUE", v);
			cfg->setenv = append(cfg->setenv, &cfg->nsetenv, sizeof(*cfg->setenv));
			cfg->setenv[cfg->nsetenv - 1] = (char *)v;
		} else if (strcmp(a, "--report-fd") == 0) {
			cfg->report_fd = parse_fd(a, need_value(argc, argv, &i));
			if (cfg->report_fd < 3)
				usage_error(a, "%s", "the report fd must be 3 or higher");
		} else if (strcmp(a, "--keep-fd") == 0) {
			int fd = parse_fd(a, need_value(argc, argv, &i));

			if (fd >= 3) {
				cfg->keep_fds = append(cfg->keep_fds, &cfg->nkeep, sizeof(*cfg->keep_fds));
				cfg->keep_fds[cfg->nkeep - 1] = fd;
			}
		} else if (strcmp(a, "--max-abi") == 0) {
			cfg->max_abi = parse_int(a, need_value(argc, argv, &i), 0, LL_ABI_KNOWN);
		} else if (strcmp(a, "--user") == 0) {
			cfg->user = need_value(argc, argv, &i);
			if (!*cfg->user)
				usage_error(a, "%s", "the user is empty");
		} else if (strcmp(a, "--group") == 0) {
			cfg->group = need_value(argc, argv, &i);
			if (!*cfg->group)
				usage_error(a, "%s", "the group is empty");
		} else if (strcmp(a, "--allow-tcp-connect") == 0) {
			int port = parse_int(a, need_value(argc, argv, &i), 1, 65535);

			cfg->ports = append(cfg->ports, &cfg->nports, sizeof(*cfg->ports));
			cfg->ports[cfg->nports - 1] = (uint16_t)port;
		} else if (strcmp(a, "--allow-unix-sockets") == 0) {
			cfg->allow_unix_sockets = true;
		} else if (strcmp(a, "--new-session") == 0) {
			cfg->new_session = true;
		} else if (strcmp(a, "--lock-session") == 0) {
			cfg->lock_session = true;
		} else if (strcmp(a, "--process-group") == 0) {
			cfg->process_group = true;
		} else if (strcmp(a, "--die-with-parent") == 0) {
			cfg->die_with_parent = true;
		} else if (strcmp(a, "--rlimit") == 0) {
			add_rlimit(cfg, a, need_value(argc, argv, &i));
		} else if (strcmp(a, "--min-abi") == 0) {
			cfg->min_abi = parse_int(a, need_value(argc, argv, &i), 1, LL_ABI_KNOWN);
		} else if (strcmp(a, "--probe") == 0) {
			cfg->probe = true;
		} else if (strcmp(a, "--help") == 0) {
			fputs(usage, stdout);
			exit(0);
		} else if (strcmp(a, "--version") == 0) {
			puts("cordon-exec " CORDON_VERSION);
			exit(0);
		} else {
			usage_error(a, "%s", "unknown option (the command goes after --)");
		}
	}

	if (cfg->nports && cfg->net == NET_HOST)
		usage_error("--allow-tcp-connect", "%s", "needs --net none (--net host allows every port)");
	for (size_t k = 0; k < cfg->nkeep; k++)
		if (cfg->keep_fds[k] == cfg->report_fd)
			usage_error("--keep-fd", "%s", "the report fd cannot also be kept");

	cfg->command = &argv[i];
	if (!cfg->probe && !cfg->command[0])
		usage_error("--", "%s", "no COMMAND given");
}
