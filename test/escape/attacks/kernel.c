/* Attacks on kernel surface the sandbox must keep closed: io_uring, bpf,
 * perf, userfaultfd, keyrings, the mount API, namespaces, device nodes,
 * file handles (the "shocker" container escape), foreign syscall ABIs.
 *
 *   kernel ATTACK...
 *
 * Each ATTACK prints one line (see report.h). Attacks taking a path or a
 * word are written ATTACK:ARG. int80-socket and x32-socket are expected to
 * kill the process (SIGSYS) before printing.
 */
#include "report.h"
#include <fcntl.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define X32_BIT 0x40000000UL
#define I386_SOCKET 359

static const char *arg_of(const char *a)
{
	const char *colon = strchr(a, ':');
	return colon ? colon + 1 : "";
}

static void clone_user(const char *name)
{
	long r = syscall(__NR_clone, (unsigned long)(CLONE_NEWUSER | SIGCHLD), 0UL, 0UL, 0UL, 0UL);
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	report(name, r);
}

static void clone3_user(const char *name)
{
	struct clone_args args = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
	long r = syscall(__NR_clone3, &args, sizeof(args));
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	report(name, r);
}

/* name_to_handle_at is harmless (no capability); open_by_handle_at opens any
 * file on the filesystem by its handle, bypassing path checks, and needs
 * CAP_DAC_READ_SEARCH. ARG is TARGET,MOUNTDIR. */
static void open_by_handle(const char *a)
{
	char target[4096], *comma;
	snprintf(target, sizeof(target), "%s", arg_of(a));
	comma = strchr(target, ',');
	if (!comma) {
		printf("%s=bad-arg\n", a);
		return;
	}
	*comma = 0;
	const char *mountdir = comma + 1;
	struct {
		struct file_handle fh;
		unsigned char bytes[MAX_HANDLE_SZ];
	} h;
	int mount_id;
	h.fh.handle_bytes = MAX_HANDLE_SZ;
	report("name-to-handle", name_to_handle_at(AT_FDCWD, target, &h.fh, &mount_id, 0));
	int mfd = open(mountdir, O_RDONLY | O_DIRECTORY);
	if (mfd < 0) {
		report("open-by-handle-mountdir", -1);
		return;
	}
	int fd = open_by_handle_at(mfd, &h.fh, O_RDONLY);
	if (fd >= 0) {
		char buf[256] = "";
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = 0;
		for (char *p = buf; *p; p++)
			if (*p == '\n')
				*p = ' ';
		report_value("open-by-handle", fd, buf);
		close(fd);
	} else {
		report("open-by-handle", fd);
	}
	close(mfd);
}

static void key_add(const char *a)
{
	/* add-key-user:DESC=VALUE, into the user keyring (outside: the setup). */
	char desc[256];
	snprintf(desc, sizeof(desc), "%s", arg_of(a));
	char *eq = strchr(desc, '=');
	if (!eq) {
		printf("add-key-user=bad-arg\n");
		return;
	}
	*eq = 0;
	report("add-key-user",
	       syscall(__NR_add_key, "user", desc, eq + 1, strlen(eq + 1), KEY_SPEC_USER_KEYRING));
}

static void key_read(const char *a)
{
	long id = syscall(__NR_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "user", arg_of(a), 0);
	if (id < 0) {
		report("keyctl-search", id);
		return;
	}
	char buf[256] = "";
	long n = syscall(__NR_keyctl, KEYCTL_READ, id, buf, sizeof(buf) - 1);
	if (n >= 0)
		buf[n < (long)sizeof(buf) ? n : (long)sizeof(buf) - 1] = 0;
	report_value("keyctl-search", id, "found");
	report_value("keyctl-read", n, buf);
}

static void key_unlink(const char *a)
{
	long id = syscall(__NR_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "user", arg_of(a), 0);
	if (id >= 0)
		id = syscall(__NR_keyctl, KEYCTL_UNLINK, id, KEY_SPEC_USER_KEYRING);
	report("keyctl-unlink", id);
}

static void int80_socket(void)
{
	long ret;
	/* i386 socket(AF_INET, SOCK_STREAM, 0) through the 32-bit entry. */
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(I386_SOCKET), "b"(AF_INET), "c"(SOCK_STREAM), "d"(0)
			 : "memory");
	if (ret < 0) {
		errno = (int)-ret;
		ret = -1;
	}
	report("int80-socket", ret);
}

int main(int argc, char **argv)
{
	unbuffered();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *arg = arg_of(a);
#define IS(name) (strncmp(a, name, strlen(name)) == 0)
		if (IS("io-uring-setup")) {
			unsigned char params[120] = { 0 };
			report(a, syscall(__NR_io_uring_setup, 8, params));
		} else if (IS("io-uring-enter")) {
			report(a, syscall(__NR_io_uring_enter, -1, 0, 0, 0, NULL, 0));
		} else if (IS("io-uring-register")) {
			report(a, syscall(__NR_io_uring_register, -1, 0, NULL, 0));
		} else if (IS("bpf")) {
			unsigned char attr[128] = { 0 };
			report(a, syscall(__NR_bpf, 5 /* BPF_PROG_LOAD */, attr, sizeof(attr)));
		} else if (IS("perf-event-open")) {
			unsigned char attr[128] = { 0 };
			*(uint32_t *)(attr + 4) = sizeof(attr); /* size */
			report(a, syscall(__NR_perf_event_open, attr, 0, -1, -1, 0));
		} else if (IS("userfaultfd")) {
			report(a, syscall(__NR_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */));
		} else if (IS("keyctl-session")) {
			report(a, syscall(__NR_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
		} else if (IS("add-key-user")) {
			key_add(a);
		} else if (IS("add-key")) {
			report(a, syscall(__NR_add_key, "user", "cordon-escape", "x", 1, KEY_SPEC_PROCESS_KEYRING));
		} else if (IS("request-key")) {
			report(a, syscall(__NR_request_key, "user", "cordon-escape", NULL, 0));
		} else if (IS("keyctl-read")) {
			key_read(a);
		} else if (IS("keyctl-unlink")) {
			key_unlink(a);
		} else if (IS("mount-tmpfs")) {
			report(a, mount("none", arg, "tmpfs", 0, NULL));
		} else if (IS("umount")) {
			report(a, umount2(arg, MNT_DETACH));
		} else if (IS("fsopen")) {
			report(a, syscall(__NR_fsopen, "tmpfs", 0));
		} else if (IS("open-tree")) {
			report(a, syscall(__NR_open_tree, AT_FDCWD, arg, 1 /* OPEN_TREE_CLONE */));
		} else if (IS("pivot-root")) {
			report(a, syscall(__NR_pivot_root, ".", "."));
		} else if (IS("setns")) {
			report(a, setns(-1, 0));
		} else if (IS("unshare-user")) {
			report(a, unshare(CLONE_NEWUSER));
		} else if (IS("unshare-net")) {
			report(a, unshare(CLONE_NEWNET));
		} else if (IS("unshare-mount")) {
			report(a, unshare(CLONE_NEWNS));
		} else if (IS("clone-user")) {
			clone_user(a);
		} else if (IS("clone3-user")) {
			clone3_user(a);
		} else if (IS("fork")) {
			pid_t p = fork();
			if (p == 0)
				_exit(0);
			if (p > 0)
				waitpid(p, NULL, 0);
			report(a, p);
		} else if (IS("open-by-handle")) {
			open_by_handle(a);
		} else if (IS("mknod-char")) {
			report(a, mknod(arg, S_IFCHR | 0666, makedev(1, 3)));
		} else if (IS("mknod-block")) {
			report(a, mknod(arg, S_IFBLK | 0666, makedev(8, 0)));
		} else if (IS("mkfifo")) {
			report(a, mkfifo(arg, 0666));
		} else if (IS("setuid-0")) {
			report(a, setuid(0));
		} else if (IS("cap-ambient-raise")) {
			report(a, prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 13 /* CAP_NET_RAW */, 0, 0));
		} else if (IS("int80-socket")) {
			int80_socket();
		} else if (IS("x32-socket")) {
			report(a, syscall(X32_BIT | __NR_socket, AF_INET, SOCK_STREAM, 0));
		} else {
			printf("%s=unknown-attack\n", a);
		}
#undef IS
	}
	return 0;
}
