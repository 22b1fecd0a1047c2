/* Tests for native/seccomp.c, built against it by run-seccomp-test.sh.
 *
 * Each check runs in its own child, because a seccomp filter cannot be
 * removed once installed. Where a syscall would fail anyway, the child first
 * makes the same call without the filter (the "unfiltered" note) with
 * arguments chosen to fail harmlessly with a different errno, so that an
 * EPERM after installing shows the filter at work, not the kernel's own
 * permission check. Those baselines only inform; the verdict is what the call
 * gives under the filter.
 *
 * Output: one "ok - ..." or "not ok - ..." line per check, then
 * "N passed, M failed". Exit status 1 on any failure. */
#define _GNU_SOURCE
#include "seccomp.h"

#include "bpf_asm.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_restrict_self 446
#endif
#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#define __NR_io_uring_enter 426
#define __NR_io_uring_register 427
#endif
#ifndef __NR_open_tree
#define __NR_open_tree 428
#define __NR_move_mount 429
#define __NR_fsopen 430
#define __NR_fsconfig 431
#define __NR_fsmount 432
#define __NR_fspick 433
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif
#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

#define HIGH_BIT (1ULL << 32)
#define NO_SUCH_PATH "/nonexistent-cordon-seccomp-test"

/* Child side: details go straight into the pipe, so that a check killed
 * by a signal still reports how far it got. */
static int note_fd = -1;
static bool child_bad;

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 3)
		n = sizeof(buf) - 3;
	buf[n++] = ';';
	buf[n++] = ' ';
	if (write(note_fd, buf, (size_t)n) < 0)
		child_bad = true;
}

static const char *ename(int e)
{
	const char *name;

	if (e == 0)
		return "ok";
	name = strerrorname_np(e);
	return name ? name : "unknown errno";
}

/* The errno a call left, 0 for success. Must be called right after it. */
static int outcome(long ret)
{
	return ret < 0 ? errno : 0;
}

/* want is an errno, or 0 for success. */
static void expect(const char *what, long ret, int want)
{
	int e = outcome(ret);

	if (e == want) {
		note("%s: %s", what, ename(e));
		return;
	}
	child_bad = true;
	note("%s: got %s, want %s", what, ename(e), ename(want));
}

static int baseline(const char *what, long ret)
{
	int e = outcome(ret);

	note("%s unfiltered: %s", what, ename(e));
	return e;
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	char buf[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	child_bad = true;
	note("FAIL %s", buf);
}

static void sandbox(bool unix_ok, bool inet_ok)
{
	struct seccomp_opts o = { .allow_unix_sockets = unix_ok, .allow_inet = inet_ok };
	char err[256] = "";

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		fail("PR_SET_NO_NEW_PRIVS: %s", ename(errno));
		_exit(1);
	}
	if (install_seccomp(&o, err, sizeof(err))) {
		fail("install_seccomp: %s", err);
		_exit(1);
	}
}

/* A field of /proc/self/status as a number, -1 when absent. */
static long status_field(const char *name)
{
	char line[256];
	size_t len = strlen(name);
	long val = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':') {
			val = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return val;
}

/* Runs a real fork-like raw clone; if the filter let it through, the copy
 * must leave at once. */
static long raw_clone(unsigned long long flags)
{
	long ret = syscall(__NR_clone, flags, 0, 0, 0, 0);

	if (ret == 0)
		_exit(0);
	if (ret > 0)
		waitpid((pid_t)ret, NULL, __WALL);
	return ret;
}

/* ---- socket() ---- */

static void t_unix_denied(void)
{
	baseline("socket(AF_UNIX)", socket(AF_UNIX, SOCK_STREAM, 0));
	sandbox(false, true);
	expect("socket(AF_UNIX, SOCK_STREAM)", socket(AF_UNIX, SOCK_STREAM, 0), EPERM);
	expect("socket(AF_UNIX, SOCK_DGRAM)", socket(AF_UNIX, SOCK_DGRAM, 0), EPERM);
}

static void t_unix_allowed(void)
{
	sandbox(true, false);
	expect("socket(AF_UNIX)", socket(AF_UNIX, SOCK_STREAM, 0), 0);
	/* The kernel takes the family as an int: this is AF_UNIX too. */
	expect("raw socket(AF_UNIX | 1<<32)",
	       syscall(__NR_socket, AF_UNIX | HIGH_BIT, SOCK_STREAM, 0), 0);
	expect("socket(AF_INET)", socket(AF_INET, SOCK_DGRAM, 0), EPERM);
}

static void t_socketpair(void)
{
	int sv[2];
	char c = 0;

	sandbox(false, false);
	expect("socketpair(AF_UNIX)", socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	if (write(sv[0], "y", 1) != 1 || read(sv[1], &c, 1) != 1 || c != 'y')
		fail("no data through the socketpair");
}

static void t_inet_denied(void)
{
	baseline("socket(AF_INET, SOCK_DGRAM)", socket(AF_INET, SOCK_DGRAM, 0));
	sandbox(true, false);
	expect("socket(AF_INET, SOCK_DGRAM)", socket(AF_INET, SOCK_DGRAM, 0), EPERM);
	expect("socket(AF_INET, SOCK_STREAM)", socket(AF_INET, SOCK_STREAM, 0), EPERM);
	expect("socket(AF_INET6, SOCK_DGRAM)", socket(AF_INET6, SOCK_DGRAM, 0), EPERM);
}

static void t_inet_allowed(void)
{
	int v6 = baseline("socket(AF_INET6)", socket(AF_INET6, SOCK_DGRAM, 0));

	sandbox(false, true);
	expect("socket(AF_INET, SOCK_DGRAM)", socket(AF_INET, SOCK_DGRAM, 0), 0);
	expect("socket(AF_INET, SOCK_STREAM)", socket(AF_INET, SOCK_STREAM, 0), 0);
	/* A kernel without IPv6 says EAFNOSUPPORT either way. */
	expect("socket(AF_INET6, SOCK_DGRAM)", socket(AF_INET6, SOCK_DGRAM, 0), v6);
	expect("socket(AF_UNIX)", socket(AF_UNIX, SOCK_STREAM, 0), EPERM);
}

static void t_netlink(void)
{
	sandbox(false, false);
	expect("socket(AF_NETLINK, NETLINK_ROUTE)", socket(AF_NETLINK, SOCK_RAW, 0), 0);
}

static void t_odd_families(void)
{
	static const struct {
		const char *name;
		unsigned long long family;
		int type, proto;
	} f[] = {
		{ "AF_PACKET", AF_PACKET, SOCK_DGRAM, 0 },
		{ "AF_BLUETOOTH", AF_BLUETOOTH, SOCK_RAW, 1 },
		{ "AF_ALG", AF_ALG, SOCK_SEQPACKET, 0 },
		{ "AF_VSOCK", AF_VSOCK, SOCK_STREAM, 0 },
		{ "AF_KEY", AF_KEY, SOCK_RAW, 2 },
		{ "family 255", 255, SOCK_STREAM, 0 },
		{ "family -1", 0xffffffffULL, SOCK_STREAM, 0 },
		{ "AF_PACKET | 1<<32", AF_PACKET | HIGH_BIT, SOCK_DGRAM, 0 },
	};
	size_t n = sizeof(f) / sizeof(f[0]);
	char what[64];

	for (size_t i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "socket(%s)", f[i].name);
		baseline(what, syscall(__NR_socket, f[i].family, f[i].type, f[i].proto));
	}
	/* Everything open that can be: the answer must not depend on opts. */
	sandbox(true, true);
	for (size_t i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "socket(%s)", f[i].name);
		expect(what, syscall(__NR_socket, f[i].family, f[i].type, f[i].proto),
		       EAFNOSUPPORT);
	}
}

static void t_family_high_bits(void)
{
	baseline("raw socket(AF_UNIX | 1<<32)",
		 syscall(__NR_socket, AF_UNIX | HIGH_BIT, SOCK_STREAM, 0));
	sandbox(false, false);
	expect("raw socket(AF_UNIX | 1<<32)",
	       syscall(__NR_socket, AF_UNIX | HIGH_BIT, SOCK_STREAM, 0), EPERM);
	expect("raw socket(AF_UNIX | 0xffffffff00000000)",
	       syscall(__NR_socket, AF_UNIX | 0xffffffff00000000ULL, SOCK_STREAM, 0), EPERM);
	expect("raw socket(AF_INET | 1<<32)",
	       syscall(__NR_socket, AF_INET | HIGH_BIT, SOCK_DGRAM, 0), EPERM);
	expect("raw socket(AF_INET6 | 1<<32)",
	       syscall(__NR_socket, AF_INET6 | HIGH_BIT, SOCK_DGRAM, 0), EPERM);
}

/* ---- ioctl() ---- */

/* A pty pair whose slave is this child's controlling terminal, where the
 * kernel itself allows TIOCSTI (dev.tty.legacy_tiocsti=1). */
static int open_ctty(int *master)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	int s;

	if (m < 0 || grantpt(m) || unlockpt(m)) {
		fail("posix_openpt: %s", ename(errno));
		_exit(1);
	}
	if (setsid() < 0)
		note("setsid: %s", ename(errno));
	s = open(ptsname(m), O_RDWR);
	if (s < 0) {
		fail("open pty slave: %s", ename(errno));
		_exit(1);
	}
	*master = m;
	return s;
}

static void t_tiocsti(void)
{
	int m, s = open_ctty(&m);
	char c = 'x';

	baseline("ioctl(TIOCSTI)", syscall(__NR_ioctl, s, TIOCSTI, &c));
	sandbox(true, true);
	expect("ioctl(slave, TIOCSTI)", syscall(__NR_ioctl, s, TIOCSTI, &c), EPERM);
	expect("ioctl(slave, TIOCSTI | 1<<32)",
	       syscall(__NR_ioctl, s, TIOCSTI | HIGH_BIT, &c), EPERM);
	expect("ioctl(master, TIOCSTI)", syscall(__NR_ioctl, m, TIOCSTI, &c), EPERM);
}

static void t_tioclinux(void)
{
	int m, s = open_ctty(&m);
	char sub = 0;

	(void)m;
	baseline("ioctl(TIOCLINUX)", syscall(__NR_ioctl, s, TIOCLINUX, &sub));
	sandbox(true, true);
	expect("ioctl(TIOCLINUX)", syscall(__NR_ioctl, s, TIOCLINUX, &sub), EPERM);
	expect("ioctl(TIOCLINUX | 1<<32)", syscall(__NR_ioctl, s, TIOCLINUX | HIGH_BIT, &sub),
	       EPERM);
}

static void t_other_ioctls(void)
{
	int m, s = open_ctty(&m);
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	int avail;

	sandbox(false, false);
	expect("ioctl(TIOCSWINSZ)", ioctl(m, TIOCSWINSZ, &ws), 0);
	expect("ioctl(TIOCGWINSZ)", ioctl(s, TIOCGWINSZ, &ws), 0);
	if (ws.ws_col != 80)
		fail("TIOCGWINSZ gave %u columns, want 80", ws.ws_col);
	expect("ioctl(TIOCGWINSZ | 1<<32)", syscall(__NR_ioctl, s, TIOCGWINSZ | HIGH_BIT, &ws), 0);
	expect("ioctl(FIONREAD)", ioctl(s, FIONREAD, &avail), 0);
}

/* ---- io_uring, namespaces, clone3 ---- */

static void t_io_uring(void)
{
	char params[120] = { 0 }; /* struct io_uring_params, zeroed */

	baseline("io_uring_setup(0 entries)", syscall(__NR_io_uring_setup, 0, params));
	baseline("io_uring_enter(-1)", syscall(__NR_io_uring_enter, -1, 0, 0, 0, NULL, 0));
	baseline("io_uring_register(-1)", syscall(__NR_io_uring_register, -1, 0, NULL, 0));
	sandbox(true, true);
	expect("io_uring_setup(8 entries)", syscall(__NR_io_uring_setup, 8, params), EPERM);
	expect("io_uring_enter(-1)", syscall(__NR_io_uring_enter, -1, 0, 0, 0, NULL, 0), EPERM);
	expect("io_uring_register(-1)", syscall(__NR_io_uring_register, -1, 0, NULL, 0), EPERM);
}

static void t_unshare(void)
{
	/* 0x1 is no unshare flag: EINVAL whatever the privileges. */
	baseline("unshare(CLONE_NEWUSER | 0x1)", syscall(__NR_unshare, CLONE_NEWUSER | 0x1));
	sandbox(true, true);
	expect("unshare(CLONE_NEWUSER)", unshare(CLONE_NEWUSER), EPERM);
	expect("unshare(CLONE_NEWUSER | CLONE_NEWNS)", unshare(CLONE_NEWUSER | CLONE_NEWNS),
	       EPERM);
	expect("unshare(0)", unshare(0), 0);
	expect("unshare(CLONE_FILES)", unshare(CLONE_FILES), 0);
}

static void t_clone_newuser(void)
{
	/* CLONE_NEWUSER with CLONE_FS is EINVAL in the kernel: no child. */
	baseline("clone(CLONE_NEWUSER | CLONE_FS)",
		 syscall(__NR_clone, CLONE_NEWUSER | CLONE_FS, 0, 0, 0, 0));
	sandbox(true, true);
	expect("clone(CLONE_NEWUSER | CLONE_FS)",
	       syscall(__NR_clone, CLONE_NEWUSER | CLONE_FS, 0, 0, 0, 0), EPERM);
	/* The kernel keeps only the low 32 bits of clone()'s flags. */
	expect("clone(CLONE_NEWUSER | CLONE_FS | 1<<32)",
	       syscall(__NR_clone, CLONE_NEWUSER | CLONE_FS | HIGH_BIT, 0, 0, 0, 0), EPERM);
	expect("clone(CLONE_NEWUSER | SIGCHLD)", raw_clone(CLONE_NEWUSER | SIGCHLD), EPERM);
	expect("clone(SIGCHLD)", raw_clone(SIGCHLD), 0);
}

static void t_clone3(void)
{
	/* struct clone_args up to exit_signal: flags, pidfd, child_tid,
	 * parent_tid, exit_signal. */
	uint64_t args[8] = { 0, 0, 0, 0, SIGCHLD };
	long ret;

	baseline("clone3(NULL, 0)", syscall(__NR_clone3, NULL, 0));
	sandbox(true, true);
	expect("clone3(NULL, 0)", syscall(__NR_clone3, NULL, 0), ENOSYS);
	ret = syscall(__NR_clone3, args, sizeof(args));
	if (ret == 0)
		_exit(0);
	expect("clone3({ .exit_signal = SIGCHLD })", ret, ENOSYS);
}

static void *thread_main(void *arg)
{
	return arg;
}

static void t_process_creation(void)
{
	extern char **environ;
	char *argv[] = { "true", NULL };
	pthread_t th;
	void *res = NULL;
	pid_t pid;
	int status, err;

	sandbox(false, false);
	pid = fork();
	if (pid == 0)
		_exit(7);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 7)
		fail("fork: %s", pid < 0 ? ename(errno) : "child did not exit 7");
	else
		note("fork: ok");

	/* glibc tries clone3 first and falls back to clone on ENOSYS. */
	err = pthread_create(&th, NULL, thread_main, (void *)0x1);
	if (err || pthread_join(th, &res) || res != (void *)0x1)
		fail("pthread_create: %s", ename(err));
	else
		note("pthread_create: ok");

	err = posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ);
	if (err || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		fail("posix_spawn /bin/true: %s", err ? ename(err) : "bad exit");
	else
		note("posix_spawn /bin/true: ok");
}

/* ---- mounts, keys, bpf ---- */

static void t_mount_family(void)
{
	/* Arguments that fail harmlessly: a missing path, invalid flags. */
#define MOUNT_CALLS(CHECK)                                                                    \
	CHECK("setns(-1)", syscall(__NR_setns, -1, 0));                                      \
	CHECK("mount(tmpfs on a missing path)",                                              \
	      syscall(__NR_mount, "none", NO_SUCH_PATH, "tmpfs", 0, NULL));                  \
	CHECK("umount2(bad flags)", syscall(__NR_umount2, NO_SUCH_PATH, 0x80000000U));       \
	CHECK("pivot_root(missing paths)",                                                   \
	      syscall(__NR_pivot_root, NO_SUCH_PATH "-a", NO_SUCH_PATH "-b"));               \
	CHECK("open_tree(bad flags)", syscall(__NR_open_tree, -1, "", ~0U));                 \
	CHECK("move_mount(bad flags)", syscall(__NR_move_mount, -1, "", -1, "", ~0U));       \
	CHECK("fsopen(bad flags)", syscall(__NR_fsopen, "tmpfs", ~0U));                      \
	CHECK("fsconfig(-1, bad cmd)", syscall(__NR_fsconfig, -1, 9999, NULL, NULL, 0));     \
	CHECK("fsmount(bad flags)", syscall(__NR_fsmount, -1, ~0U, 0));                      \
	CHECK("fspick(bad flags)", syscall(__NR_fspick, -1, "", ~0U));                       \
	CHECK("mount_setattr(bad flags)", syscall(__NR_mount_setattr, -1, "", ~0U, NULL, 0))
#define BASELINE(what, call) baseline(what, call)
#define EXPECT_EPERM(what, call) expect(what, call, EPERM)
	MOUNT_CALLS(BASELINE);
	sandbox(true, true);
	MOUNT_CALLS(EXPECT_EPERM);
}

static void t_keys_bpf(void)
{
#define KEY_CALLS(CHECK)                                                                      \
	CHECK("keyctl(bad op)", syscall(__NR_keyctl, 9999, 0, 0, 0, 0));                     \
	CHECK("add_key(NULL type)", syscall(__NR_add_key, NULL, NULL, NULL, 0, 0));          \
	CHECK("request_key(NULL type)", syscall(__NR_request_key, NULL, NULL, NULL, 0));     \
	CHECK("bpf(bad cmd)", syscall(__NR_bpf, 9999, NULL, 0));                             \
	CHECK("perf_event_open(bad flags)",                                                  \
	      syscall(__NR_perf_event_open, NULL, 0, -1, -1, ~0UL));                         \
	CHECK("userfaultfd(user mode, bad flag)", syscall(__NR_userfaultfd, 0x1 | 0x2))
	KEY_CALLS(BASELINE);
	sandbox(true, true);
	KEY_CALLS(EXPECT_EPERM);
}

/* ---- arch and unknown numbers ---- */

#ifdef __x86_64__
static void t_x32(void)
{
	baseline("x32 getpid", syscall(0x40000000 | __NR_getpid));
	sandbox(true, true);
	syscall(0x40000000 | __NR_getpid);
	fail("x32 getpid returned instead of killing the process");
}

/* getpid through the i386 entry point: 20 is its i386 number. */
static long int80_getpid(void)
{
	long ret = 20;

	__asm__ volatile("int $0x80" : "+a"(ret) : : "memory", "r8", "r9", "r10", "r11");
	return ret;
}

static void t_int80(void)
{
	pid_t pid = fork();
	int status;

	/* Without IA32 emulation int 0x80 faults: try it in a grandchild. */
	if (pid == 0)
		_exit(int80_getpid() == (long)getpid() ? 0 : 1);
	if (pid > 0 && waitpid(pid, &status, 0) == pid)
		note("int 0x80 getpid unfiltered: %s",
		     WIFEXITED(status) && !WEXITSTATUS(status) ? "ok" :
		     WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "wrong pid");
	sandbox(true, true);
	int80_getpid();
	fail("int 0x80 getpid returned instead of killing the process");
}
#endif

static void t_unknown_numbers(void)
{
	sandbox(false, false);
	expect("syscall(1023)", syscall(1023), ENOSYS);
	expect("syscall(0x3fffffff)", syscall(0x3fffffff), ENOSYS);
	expect("getppid", syscall(__NR_getppid) > 0 ? 0 : -1, 0);
}

/* ---- nesting ---- */

static void t_landlock(void)
{
	struct {
		uint64_t handled_access_fs;
	} attr = { .handled_access_fs = 1ULL << 2 }; /* READ_FILE, ABI 1 */
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, 1UL);
	int abi_err = outcome(abi);
	long abi2, fd;

	note("Landlock ABI unfiltered: %ld (%s)", abi, ename(abi_err));
	sandbox(false, false);
	abi2 = syscall(__NR_landlock_create_ruleset, NULL, 0, 1UL);
	expect("landlock_create_ruleset(VERSION)", abi2, abi_err);
	if (abi2 != abi)
		fail("ABI %ld under the filter, %ld without", abi2, abi);
	if (abi < 1)
		return;
	fd = syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0UL);
	expect("landlock_create_ruleset(READ_FILE)", fd, 0);
	expect("landlock_restrict_self", syscall(__NR_landlock_restrict_self, fd, 0UL), 0);
	expect("open(/etc/passwd) in the nested domain", open("/etc/passwd", O_RDONLY), EACCES);
}

static void t_stacked(void)
{
	struct seccomp_opts strict = { 0 };
	char err[256] = "";

	sandbox(true, true);
	if (install_seccomp(&strict, err, sizeof(err)))
		fail("second install_seccomp: %s", err);
	else
		note("second install_seccomp: ok");
	if (status_field("Seccomp_filters") != 2)
		fail("Seccomp_filters is %ld, want 2", status_field("Seccomp_filters"));
	/* The strictest answer of the stack wins. */
	expect("socket(AF_UNIX)", socket(AF_UNIX, SOCK_STREAM, 0), EPERM);
	expect("socket(AF_INET)", socket(AF_INET, SOCK_DGRAM, 0), EPERM);
	expect("socketpair(AF_UNIX)", socketpair(AF_UNIX, SOCK_STREAM, 0, (int[2]){ 0 }), 0);
}

static void t_exec(void)
{
	static const char *const progs[][5] = {
		{ "/bin/true", "true", NULL },
		/* A shell running a child: fork, exec, pipes, under the filter. */
		{ "/bin/sh", "sh", "-c", "grep -q '^Seccomp:[[:space:]]*2' /proc/self/status" },
	};

	sandbox(false, false);
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			execv(progs[i][0], (char *const *)&progs[i][1]);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid) {
			fail("fork/wait for %s: %s", progs[i][0], ename(errno));
			continue;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			note("%s: exit 0", progs[i][0]);
		else if (WIFSIGNALED(status))
			fail("%s: killed by %s", progs[i][0], strsignal(WTERMSIG(status)));
		else
			fail("%s: exit %d", progs[i][0], WEXITSTATUS(status));
	}
}

/* ---- install_seccomp itself ---- */

static void t_prctl_fallback(void)
{
	struct bpf_asm a;
	struct sock_fprog prog;
	struct seccomp_opts opts = { 0 };
	char err[256] = "";
	enum { ENOSYS_LABEL = 1 };

	/* A stand-in for a kernel without seccomp(): only the number
	 * matters to this test filter, so it skips the arch check. */
	bpf_asm_init(&a);
	bpf_stmt(&a, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	bpf_jump(&a, BPF_JMP | BPF_JEQ | BPF_K, __NR_seccomp, ENOSYS_LABEL, BPF_NEXT);
	bpf_stmt(&a, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	bpf_label(&a, ENOSYS_LABEL);
	bpf_stmt(&a, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	prog = bpf_asm_link(&a);

	expect("PR_SET_NO_NEW_PRIVS", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	expect("prctl(PR_SET_SECCOMP, test filter)",
	       prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0), 0);
	expect("seccomp() under the test filter",
	       syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog), ENOSYS);
	if (install_seccomp(&opts, err, sizeof(err)))
		fail("install_seccomp: %s", err);
	else
		note("install_seccomp: ok");
	if (status_field("Seccomp_filters") != 2)
		fail("Seccomp_filters is %ld, want 2", status_field("Seccomp_filters"));
	expect("socket(AF_UNIX)", socket(AF_UNIX, SOCK_STREAM, 0), EPERM);
}

static void t_no_nnp(void)
{
	struct seccomp_opts opts = { 0 };
	char err[256] = "";
	gid_t nogroup = 65534;
	uid_t nobody = 65534;

	/* Without CAP_SYS_ADMIN and without no_new_privs the kernel refuses
	 * the filter; a root caller first becomes nobody, losing its caps. */
	if (geteuid() == 0 &&
	    (setgroups(0, NULL) || setresgid(nogroup, nogroup, nogroup) ||
	     setresuid(nobody, nobody, nobody))) {
		fail("dropping root: %s", ename(errno));
		return;
	}
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0)
		fail("no_new_privs is already set");
	if (install_seccomp(&opts, err, sizeof(err)) != -1) {
		fail("install_seccomp succeeded without no_new_privs");
		return;
	}
	note("message: %s", err);
	if (!strstr(err, "seccomp") || !strstr(err, "errno 13"))
		fail("the message names neither the step nor EACCES");
	if (status_field("Seccomp") != 0)
		fail("a filter was installed after all");
}

/* ---- the label assembler must refuse what it cannot encode ---- */

static void stderr_to_notes(void)
{
	/* bpf_asm says why it aborts on stderr: keep that in the report. */
	dup2(note_fd, STDERR_FILENO);
}

static void t_asm_far_jump(void)
{
	struct bpf_asm a;

	stderr_to_notes();
	bpf_asm_init(&a);
	bpf_stmt(&a, BPF_LD | BPF_W | BPF_ABS, 0);
	bpf_jump(&a, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, BPF_NEXT);
	for (int i = 0; i < 256; i++)
		bpf_stmt(&a, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	bpf_label(&a, 1);
	bpf_stmt(&a, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	bpf_asm_link(&a);
	fail("a jump over 256 instructions was linked");
}

static void t_asm_unplaced_label(void)
{
	struct bpf_asm a;

	stderr_to_notes();
	bpf_asm_init(&a);
	bpf_stmt(&a, BPF_LD | BPF_W | BPF_ABS, 0);
	bpf_jump(&a, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 2);
	bpf_label(&a, 1);
	bpf_stmt(&a, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	bpf_asm_link(&a);
	fail("a jump to an unplaced label was linked");
}

static void t_asm_edge(void)
{
	struct bpf_asm a;
	struct sock_fprog prog;

	/* The longest conditional jump there is: 255 instructions over. */
	stderr_to_notes();
	bpf_asm_init(&a);
	bpf_jump(&a, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, BPF_NEXT);
	for (int i = 0; i < 255; i++)
		bpf_stmt(&a, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	bpf_label(&a, 1);
	bpf_stmt(&a, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	prog = bpf_asm_link(&a);
	if (prog.len != 257 || prog.filter[0].jt != 255 || prog.filter[0].jf != 0)
		fail("jt %u jf %u len %u, want 255 0 257", prog.filter[0].jt, prog.filter[0].jf,
		     prog.len);
	else
		note("jt 255 linked");
}

/* ---- descriptions (no child needed, but run like the others) ---- */

static bool has_line(const char *const *lines, const char *needle)
{
	for (; *lines; lines++)
		if (strstr(*lines, needle))
			return true;
	return false;
}

static void t_descriptions(void)
{
	for (int i = 0; i < 4; i++) {
		struct seccomp_opts o = { .allow_unix_sockets = i & 1, .allow_inet = i & 2 };
		const char *const *d = seccomp_rule_descriptions(&o);
		size_t n = 0;

		if (!d) {
			fail("NULL for opts %d", i);
			continue;
		}
		for (; d[n] && n < 64; n++)
			if (!*d[n])
				fail("empty line %zu for opts %d", n, i);
		if (n == 0 || n >= 64)
			fail("%zu lines for opts %d", n, i);
		if (!has_line(d, "socket: families other than unix, inet, inet6, netlink -> "
				 "EAFNOSUPPORT"))
			fail("no families line for opts %d", i);
		if (has_line(d, "socket: unix") == o.allow_unix_sockets)
			fail("unix line wrong for opts %d", i);
		if (has_line(d, "inet6 -> EPERM") == o.allow_inet)
			fail("inet line wrong for opts %d", i);
		if (has_line(d, "landlock") || has_line(d, "execve") || has_line(d, "socketpair ->"))
			fail("opts %d claims to block something that stays allowed", i);
		for (const char *const *need = (const char *const[]){
			     "arch:", "TIOCSTI", "io_uring_setup", "CLONE_NEWUSER", "clone3",
			     "mount_setattr", "keyctl", "userfaultfd", NULL };
		     *need; need++)
			if (!has_line(d, *need))
				fail("opts %d: no line mentions %s", i, *need);
		note("opts %d: %zu lines", i, n);
	}
}

/* ---- parent side ---- */

static int passed, failed;

static void run(const char *name, void (*fn)(void), int want_signal)
{
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	int p[2], status = 0;
	pid_t pid;
	bool ok;

	if (pipe2(p, O_CLOEXEC)) {
		perror("pipe2");
		exit(1);
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		close(p[0]);
		note_fd = p[1];
		alarm(20);
		fn();
		_exit(child_bad ? 1 : 0);
	}
	close(p[1]);
	while (len < sizeof(buf) - 1 && (n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(p[0]);
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\n')
			buf[i] = ' ';
	/* Drop the trailing "; " of the last note. */
	while (len && (buf[len - 1] == ' ' || buf[len - 1] == ';'))
		len--;
	buf[len] = '\0';
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		exit(1);
	}

	if (want_signal)
		ok = WIFSIGNALED(status) && WTERMSIG(status) == want_signal;
	else
		ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (ok)
		passed++;
	else
		failed++;
	printf("%s - %s", ok ? "ok" : "not ok", name);
	if (len)
		printf(" (%s)", buf);
	if (WIFSIGNALED(status))
		printf(" [killed by %s]", strsignal(WTERMSIG(status)));
	else if (!ok)
		printf(" [exit %d]", WEXITSTATUS(status));
	printf("\n");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# seccomp filter tests as uid %d\n", (int)geteuid());
	{
		struct seccomp_opts closed = { 0 };

		for (const char *const *d = seccomp_rule_descriptions(&closed); *d; d++)
			printf("# rule: %s\n", *d);
	}

	run("rule descriptions match the opts", t_descriptions, 0);
	run("socket(AF_UNIX) -> EPERM unless allow_unix_sockets", t_unix_denied, 0);
	run("socket(AF_UNIX) works with allow_unix_sockets", t_unix_allowed, 0);
	run("socketpair(AF_UNIX) stays allowed", t_socketpair, 0);
	run("socket(AF_INET/AF_INET6) -> EPERM unless allow_inet", t_inet_denied, 0);
	run("socket(AF_INET/AF_INET6) works with allow_inet", t_inet_allowed, 0);
	run("socket(AF_NETLINK) stays allowed", t_netlink, 0);
	run("odd socket families -> EAFNOSUPPORT", t_odd_families, 0);
	run("socket family compared on its low 32 bits", t_family_high_bits, 0);
	run("ioctl(TIOCSTI) -> EPERM, with or without high bits", t_tiocsti, 0);
	run("ioctl(TIOCLINUX) -> EPERM", t_tioclinux, 0);
	run("other terminal ioctls stay allowed", t_other_ioctls, 0);
	run("io_uring_setup/enter/register -> EPERM", t_io_uring, 0);
	run("unshare(CLONE_NEWUSER) -> EPERM, unshare(0) works", t_unshare, 0);
	run("clone(CLONE_NEWUSER) -> EPERM, with or without high bits", t_clone_newuser, 0);
	run("clone3 -> ENOSYS", t_clone3, 0);
	run("fork, pthread_create and posix_spawn still work", t_process_creation, 0);
	run("setns and the mount syscalls -> EPERM", t_mount_family, 0);
	run("keyctl, add_key, request_key, bpf, perf_event_open, userfaultfd -> EPERM",
	    t_keys_bpf, 0);
#ifdef __x86_64__
	run("x32 syscall kills the process with SIGSYS", t_x32, SIGSYS);
	run("i386 int 0x80 syscall kills the process with SIGSYS", t_int80, SIGSYS);
#endif
	run("unknown syscall numbers still get ENOSYS", t_unknown_numbers, 0);
	run("landlock_* stay allowed: nested ruleset and restrict_self", t_landlock, 0);
	run("install_seccomp twice stacks two filters", t_stacked, 0);
	run("programs run under the filter", t_exec, 0);
	run("install_seccomp falls back to prctl on ENOSYS", t_prctl_fallback, 0);
	run("install_seccomp without no_new_privs fails with a message", t_no_nnp, 0);

	run("bpf_asm aborts on a conditional jump beyond 255", t_asm_far_jump, SIGABRT);
	run("bpf_asm aborts on a jump to an unplaced label", t_asm_unplaced_label, SIGABRT);
	run("bpf_asm links a conditional jump of exactly 255", t_asm_edge, 0);

	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
