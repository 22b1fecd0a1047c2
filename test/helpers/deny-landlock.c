/* Test helper: runs a command under a seccomp filter that makes the Landlock
 * syscalls (444-446) fail with a given errno, the way a container runtime's
 * seccomp profile does.
 *
 *   deny-landlock ERRNO COMMAND [ARG]...      all three syscalls
 *   deny-landlock ERRNO@NR COMMAND [ARG]...   only syscall NR
 *
 * ERRNO 0 makes the syscall return 0 without running it: with NR 446, a
 * landlock_restrict_self that "succeeds" and enforces nothing, which is what
 * the launcher's proof of enforcement must catch. */
#define _GNU_SOURCE
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: deny-landlock ERRNO COMMAND [ARG]...\n");
		return 2;
	}
	unsigned err = (unsigned)atoi(argv[1]);
	const char *at = strchr(argv[1], '@');
	unsigned first = at ? (unsigned)atoi(at + 1) : 444;
	unsigned last = at ? first : 446;
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, first, 0, 2),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, last, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(filter) / sizeof(filter[0]), .filter = filter };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("deny-landlock");
		return 2;
	}
	execvp(argv[2], &argv[2]);
	perror(argv[2]);
	return 127;
}
