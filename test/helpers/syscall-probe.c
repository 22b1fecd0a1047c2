/* Test helper for the seccomp e2e tests: makes raw system calls and prints
 * one line per call, so that the same program can be run inside and outside
 * the sandbox and the answers compared.
 *
 *   syscall-probe CALL...
 *
 * Each CALL prints "CALL=ok", "CALL=ok:VALUE" or "CALL=errno:N" (N the
 * number, never a message), in order, and the program exits 0. Calls that the
 * filter answers with a kill (int80, x32) end the process with SIGSYS before
 * their line is printed; stdout is unbuffered so the earlier lines survive.
 *
 * Raw syscall() is used throughout so that libc neither substitutes another
 * call (clone3 -> clone, socket -> socketcall) nor truncates an argument:
 * the 64-bit cases pass a value with bit 32 set straight to the kernel. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define HIGH_BIT (1UL << 32)
#define TIOCSTI_NR 0x5412UL
#define TIOCLINUX_NR 0x541CUL
#define UFFD_USER_MODE_ONLY_FLAG 1
#define KEY_SPEC_SESSION_KEYRING_ID (-3)
#define KEY_SPEC_PROCESS_KEYRING_ID (-2)

static void report(const char *call, long ret)
{
	if (ret < 0)
		printf("%s=errno:%d\n", call, errno);
	else
		printf("%s=ok\n", call);
}

static void report_value(const char *call, long ret, long value)
{
	if (ret < 0)
		printf("%s=errno:%d\n", call, errno);
	else
		printf("%s=ok:%ld\n", call, value);
}

/* socket:FAMILY:TYPE[:hi] — family and type in decimal; hi sets bit 32 of
 * the family, which the kernel truncates away (it takes an int). */
static void do_socket(const char *call)
{
	unsigned long family = 0, type = 0;
	char hi[8] = "";

	sscanf(call, "socket:%lu:%lu:%7s", &family, &type, hi);
	if (strcmp(hi, "hi") == 0)
		family |= HIGH_BIT;
	long fd = syscall(__NR_socket, family, type, 0UL);
	report(call, fd);
	if (fd >= 0)
		close((int)fd);
}

/* connect-unix:PATH:MESSAGE — connects to a pathname unix socket and
 * writes MESSAGE. */
static void do_connect_unix(const char *call)
{
	char path[256] = "", *msg;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long fd;

	snprintf(path, sizeof(path), "%s", call + strlen("connect-unix:"));
	msg = strrchr(path, ':');
	if (!msg) {
		printf("%s=usage\n", call);
		return;
	}
	*msg++ = '\0';
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = syscall(__NR_socket, AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0) {
		printf("%s=socket-errno:%d\n", call, errno);
		return;
	}
	if (connect((int)fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		printf("%s=connect-errno:%d\n", call, errno);
	} else if (write((int)fd, msg, strlen(msg)) != (ssize_t)strlen(msg)) {
		printf("%s=write-errno:%d\n", call, errno);
	} else {
		printf("%s=ok\n", call);
	}
	close((int)fd);
}

/* udp-send:PORT:MESSAGE — one datagram to 127.0.0.1:PORT. */
static void do_udp_send(const char *call)
{
	unsigned port = 0;
	int off = 0;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	long fd;

	sscanf(call, "udp-send:%u:%n", &port, &off);
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = syscall(__NR_socket, AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		printf("%s=socket-errno:%d\n", call, errno);
		return;
	}
	if (sendto((int)fd, call + off, strlen(call + off), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		printf("%s=sendto-errno:%d\n", call, errno);
	else
		printf("%s=ok\n", call);
	close((int)fd);
}

static void *thread_main(void *arg)
{
	return arg;
}

/* i386 getpid (20) through the compat entry. Only x86_64 has it. */
static long int80_getpid(void)
{
#if defined(__x86_64__)
	long ret = 20;

	__asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
	return ret;
#else
	return -1;
#endif
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	for (int i = 1; i < argc; i++) {
		const char *call = argv[i];
		char c = '\n'; /* what TIOCSTI pushes: a bare newline, so the echo keeps lines clean */
		errno = 0;

		if (strncmp(call, "socket:", 7) == 0) {
			do_socket(call);
		} else if (strcmp(call, "socketpair") == 0) {
			int sv[2];
			long r = syscall(__NR_socketpair, AF_UNIX, SOCK_STREAM, 0, sv);
			report(call, r);
			if (r == 0) {
				close(sv[0]);
				close(sv[1]);
			}
		} else if (strncmp(call, "connect-unix:", 13) == 0) {
			do_connect_unix(call);
		} else if (strncmp(call, "udp-send:", 9) == 0) {
			do_udp_send(call);
		} else if (strcmp(call, "tiocsti") == 0) {
			report(call, syscall(__NR_ioctl, 0, TIOCSTI_NR, &c));
		} else if (strcmp(call, "tiocsti-hi") == 0) {
			report(call, syscall(__NR_ioctl, 0, TIOCSTI_NR | HIGH_BIT, &c));
		} else if (strcmp(call, "tioclinux") == 0) {
			char sub = 7; /* TIOCL_GETSHIFTSTATE */
			report(call, syscall(__NR_ioctl, 0, TIOCLINUX_NR, &sub));
		} else if (strcmp(call, "isatty") == 0) {
			printf("%s=%d\n", call, isatty(0));
		} else if (strcmp(call, "int80") == 0) {
			long r = int80_getpid();
			printf("%s=%s\n", call, r == getpid() ? "pid" : "not-pid");
		} else if (strcmp(call, "x32") == 0) {
			report_value(call, syscall(0x40000000L | __NR_getpid), 0);
		} else if (strcmp(call, "clone3") == 0) {
			report(call, syscall(__NR_clone3, NULL, 0UL));
		} else if (strcmp(call, "clone-newuser") == 0) {
			long pid = syscall(__NR_clone, (unsigned long)(CLONE_NEWUSER | SIGCHLD), 0UL, 0UL,
					   0UL, 0UL);
			if (pid == 0)
				_exit(0);
			report(call, pid);
			if (pid > 0)
				waitpid((pid_t)pid, NULL, 0);
		} else if (strcmp(call, "unshare-newuser") == 0) {
			report(call, syscall(__NR_unshare, (unsigned long)CLONE_NEWUSER));
		} else if (strcmp(call, "fork") == 0) {
			int status = -1;
			pid_t pid = fork();
			if (pid == 0)
				_exit(7);
			if (pid > 0)
				waitpid(pid, &status, 0);
			printf("%s=%s\n", call,
			       pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 7 ? "ok" : "failed");
		} else if (strcmp(call, "thread") == 0) {
			pthread_t t;
			int e = pthread_create(&t, NULL, thread_main, NULL);
			if (e == 0)
				pthread_join(t, NULL);
			printf("%s=%s\n", call, e == 0 ? "ok" : "failed");
		} else if (strcmp(call, "io_uring_setup") == 0) {
			long params[15] = { 0 }; /* struct io_uring_params is 120 bytes */
			long fd = syscall(__NR_io_uring_setup, 1UL, params);
			report(call, fd);
			if (fd >= 0)
				close((int)fd);
		} else if (strcmp(call, "mount") == 0) {
			/* The target is looked up before any capability check: ENOENT
			 * outside the sandbox whoever calls. */
			report(call, syscall(__NR_mount, "none", "/nonexistent-cordon-target", "tmpfs",
					     0UL, NULL));
		} else if (strcmp(call, "umount2") == 0) {
			/* Unknown flags are refused first: EINVAL outside. */
			report(call, syscall(__NR_umount2, "/nonexistent-cordon-target", 0xffffUL));
		} else if (strcmp(call, "setns") == 0) {
			report(call, syscall(__NR_setns, -1, 0));
		} else if (strcmp(call, "keyctl") == 0) {
			/* KEYCTL_GET_KEYRING_ID of the session keyring, not creating it. */
			report(call, syscall(__NR_keyctl, 0L, (long)KEY_SPEC_SESSION_KEYRING_ID, 0L));
		} else if (strcmp(call, "add_key") == 0) {
			/* An unknown key type: ENODEV outside, and nothing is added. */
			report(call, syscall(__NR_add_key, "cordon_no_such_type", "d", "p", 1UL,
					     (long)KEY_SPEC_PROCESS_KEYRING_ID));
		} else if (strcmp(call, "request_key") == 0) {
			report(call, syscall(__NR_request_key, "cordon_no_such_type", "d", NULL, 0L));
		} else if (strcmp(call, "bpf") == 0) {
			/* An unknown command: EINVAL outside. */
			report(call, syscall(__NR_bpf, 9999L, NULL, 0UL));
		} else if (strcmp(call, "perf_event_open") == 0) {
			/* No attr: EFAULT outside. */
			report(call, syscall(__NR_perf_event_open, NULL, 0L, -1L, -1L, 0UL));
		} else if (strcmp(call, "userfaultfd") == 0) {
			long fd = syscall(__NR_userfaultfd, (long)(UFFD_USER_MODE_ONLY_FLAG | O_CLOEXEC));
			report(call, fd);
			if (fd >= 0)
				close((int)fd);
		} else {
			printf("%s=unknown-call\n", call);
			return 2;
		}
	}
	return 0;
}
