/* Test helper for the kernel matrix (test/kernels/): makes the filesystem,
 * signal and identity calls the scenarios need, with raw errno answers, so
 * that the same static binary gives comparable lines on every kernel.
 *
 *   kprobe CALL...
 *   kprobe as UID GID COMMAND [ARG]...
 *   kprobe udp-fd FD COMMAND [ARG]...
 *
 * Each CALL prints "CALL=ok", "CALL=ok:VALUE" or "CALL=errno:N" and the
 * program goes on with the next one; it exits 0 unless a CALL is unknown.
 *
 *   open:PATH        open(PATH, O_RDONLY) and read a byte
 *   opendir:PATH     open(PATH, O_RDONLY|O_DIRECTORY) and read an entry
 *   write:PATH       open(PATH, O_WRONLY|O_CREAT|O_APPEND) and write a byte
 *   mkdir:PATH       mkdir(PATH, 0755)
 *   unlink:PATH      unlink(PATH)
 *   rename:OLD:NEW   rename(OLD, NEW)
 *   link:OLD:NEW     link(OLD, NEW)
 *   truncate:PATH    truncate(PATH, 0): no open, so below Landlock ABI 3
 *                    nothing checks it
 *   size:PATH        stat(PATH) and print st_size
 *   kill0:PID        kill(PID, 0): denied by the signal scope (ABI 6)
 *   ioctl:PATH       open(PATH, O_RDONLY) and ioctl RNDGETENTCNT: a device
 *                    ioctl, denied outside writable paths from ABI 5
 *   abstract-listen:NAME:SECONDS
 *                    bind and listen on the abstract unix socket @NAME,
 *                    print the line, then sleep (run it in the background)
 *   abstract-connect:NAME
 *                    connect to @NAME: denied by the abstract unix socket
 *                    scope (ABI 6) when @NAME is outside the sandbox
 *   unix-listen:PATH:SECONDS
 *                    bind and listen on a pathname unix socket at PATH,
 *                    print the line, then sleep (run it in the background)
 *   unix-connect:PATH
 *                    connect to the socket at PATH: needs RESOLVE_UNIX
 *                    (ABI 9) when its server is outside the sandbox
 *   udp-sendto:FD:PORT
 *                    sendto(FD, 127.0.0.1:PORT): FD is an inherited UDP
 *                    socket, so the seccomp filter's socket() rule never
 *                    sees it; Landlock denies the send from ABI 10
 *   uid              print the real uid
 *
 * "as" drops supplementary groups, then sets the gid and the uid (real,
 * effective and saved) and executes COMMAND: a way to run the launcher as
 * an unprivileged caller, which busybox cannot do (its setpriv has no
 * --reuid). "udp-fd" opens a UDP socket as FD and executes COMMAND, which
 * inherits it. Paths must not contain ':'. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#define RNDGETENTCNT_NR 0x80045200UL

static void report(const char *call, int ret)
{
	if (ret < 0)
		printf("%s=errno:%d\n", call, errno);
	else
		printf("%s=ok\n", call);
}

/* Splits "OLD:NEW" (after the call's prefix) into two paths. */
static int two_paths(const char *arg, char *old, char *new, size_t len)
{
	const char *colon = strchr(arg, ':');

	if (!colon || (size_t)(colon - arg) >= len || strlen(colon + 1) >= len)
		return -1;
	memcpy(old, arg, (size_t)(colon - arg));
	old[colon - arg] = '\0';
	strcpy(new, colon + 1);
	return 0;
}

static int do_open(const char *path)
{
	char c;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (read(fd, &c, 1) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

static int do_opendir(const char *path)
{
	DIR *d = opendir(path);

	if (!d)
		return -1;
	errno = 0;
	if (!readdir(d) && errno) {
		int e = errno;
		closedir(d);
		errno = e;
		return -1;
	}
	closedir(d);
	return 0;
}

static int do_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	if (write(fd, "x", 1) != 1) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

static int do_ioctl(const char *path)
{
	int count = 0, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	int r = ioctl(fd, RNDGETENTCNT_NR, &count);
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

/* An abstract address: sun_path[0] is NUL, the name follows. */
static socklen_t abstract_addr(struct sockaddr_un *sa, const char *name)
{
	size_t n = strlen(name);

	if (n > sizeof(sa->sun_path) - 1)
		n = sizeof(sa->sun_path) - 1;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path + 1, name, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static int do_abstract(const char *arg, int listening)
{
	char name[108];
	struct sockaddr_un sa;
	const char *colon = strchr(arg, ':');
	size_t n = colon && listening ? (size_t)(colon - arg) : strlen(arg);
	int fd;

	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, arg, n);
	name[n] = '\0';
	socklen_t len = abstract_addr(&sa, name);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (!listening) {
		int r = connect(fd, (struct sockaddr *)&sa, len);
		int e = errno;
		close(fd);
		errno = e;
		return r;
	}
	if (bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 8) < 0)
		return -1;
	printf("abstract-listen:%s=ok\n", arg);
	sleep(colon ? (unsigned)atoi(colon + 1) : 30);
	return 0;
}

static int do_unix(const char *arg, int listening)
{
	char path[108];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *colon = strchr(arg, ':');
	size_t n = colon && listening ? (size_t)(colon - arg) : strlen(arg);
	int fd, r, e;

	if (n >= sizeof(path))
		n = sizeof(path) - 1;
	memcpy(path, arg, n);
	path[n] = '\0';
	memcpy(sa.sun_path, path, n + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (!listening) {
		r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
		e = errno;
		close(fd);
		errno = e;
		return r;
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0)
		return -1;
	printf("unix-listen:%s=ok\n", arg);
	sleep(colon ? (unsigned)atoi(colon + 1) : 30);
	return 0;
}

static int do_udp_sendto(const char *arg)
{
	int fd = -1;
	unsigned port = 0;
	struct sockaddr_in sa = { .sin_family = AF_INET };

	if (sscanf(arg, "%d:%u", &fd, &port) != 2) {
		errno = EINVAL;
		return -1;
	}
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sendto(fd, "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -1 : 0;
}

static int run_with_udp_fd(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: kprobe udp-fd FD COMMAND [ARG]...\n");
		return 2;
	}
	int want = atoi(argv[2]);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || (fd != want && (dup2(fd, want) < 0 || close(fd) < 0))) {
		perror("kprobe udp-fd");
		return 2;
	}
	execvp(argv[3], &argv[3]);
	perror(argv[3]);
	return 127;
}

static int run_as(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: kprobe as UID GID COMMAND [ARG]...\n");
		return 2;
	}
	uid_t uid = (uid_t)strtoul(argv[2], NULL, 10);
	gid_t gid = (gid_t)strtoul(argv[3], NULL, 10);

	if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid)) {
		perror("kprobe as");
		return 2;
	}
	execvp(argv[4], &argv[4]);
	perror(argv[4]);
	return 127;
}

int main(int argc, char **argv)
{
	char a[4096], b[4096];

	if (argc > 1 && strcmp(argv[1], "as") == 0)
		return run_as(argc, argv);
	if (argc > 1 && strcmp(argv[1], "udp-fd") == 0)
		return run_with_udp_fd(argc, argv);
	setvbuf(stdout, NULL, _IONBF, 0);
	for (int i = 1; i < argc; i++) {
		const char *call = argv[i];
		const char *arg = strchr(call, ':');

		arg = arg ? arg + 1 : "";
		errno = 0;
		if (strncmp(call, "open:", 5) == 0) {
			report(call, do_open(arg));
		} else if (strncmp(call, "opendir:", 8) == 0) {
			report(call, do_opendir(arg));
		} else if (strncmp(call, "write:", 6) == 0) {
			report(call, do_write(arg));
		} else if (strncmp(call, "mkdir:", 6) == 0) {
			report(call, mkdir(arg, 0755));
		} else if (strncmp(call, "unlink:", 7) == 0) {
			report(call, unlink(arg));
		} else if (strncmp(call, "rename:", 7) == 0 && two_paths(arg, a, b, sizeof(a)) == 0) {
			report(call, rename(a, b));
		} else if (strncmp(call, "link:", 5) == 0 && two_paths(arg, a, b, sizeof(a)) == 0) {
			report(call, link(a, b));
		} else if (strncmp(call, "truncate:", 9) == 0) {
			report(call, truncate(arg, 0));
		} else if (strncmp(call, "size:", 5) == 0) {
			struct stat st;
			if (stat(arg, &st) < 0)
				report(call, -1);
			else
				printf("%s=ok:%lld\n", call, (long long)st.st_size);
		} else if (strncmp(call, "kill0:", 6) == 0) {
			report(call, kill((pid_t)atoi(arg), 0));
		} else if (strncmp(call, "ioctl:", 6) == 0) {
			report(call, do_ioctl(arg));
		} else if (strncmp(call, "abstract-listen:", 16) == 0) {
			if (do_abstract(arg, 1) < 0)
				report(call, -1);
		} else if (strncmp(call, "abstract-connect:", 17) == 0) {
			report(call, do_abstract(arg, 0));
		} else if (strncmp(call, "unix-listen:", 12) == 0) {
			if (do_unix(arg, 1) < 0)
				report(call, -1);
		} else if (strncmp(call, "unix-connect:", 13) == 0) {
			report(call, do_unix(arg, 0));
		} else if (strncmp(call, "udp-sendto:", 11) == 0) {
			report(call, do_udp_sendto(arg));
		} else if (strcmp(call, "uid") == 0) {
			printf("%s=ok:%u\n", call, (unsigned)getuid());
		} else {
			printf("%s=unknown-call\n", call);
			return 2;
		}
	}
	return 0;
}
