/* Attacks on other processes' memory and execution.
 *
 *   procspy ATTACK:PID...
 *
 * ptrace-attach:PID   PTRACE_ATTACH (stop and control the process)
 * ptrace-seize:PID    PTRACE_SEIZE
 * vm-read:PID         process_vm_readv of one word at an address that is
 *                     mapped in this program (EPERM when refused, EFAULT when
 *                     allowed but unmapped there)
 * mem-read:PID        pread of /proc/PID/mem at the same address
 * own-child           the controls: fork a child (same sandbox) and ptrace
 *                     it, read its memory with process_vm_readv, and check
 *                     the word read is the child's
 */
#include "report.h"
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile long marker = 0x636f72646f6eL; /* "cordon" */

static long vm_read(pid_t pid, long *out)
{
	struct iovec local = { out, sizeof(*out) };
	struct iovec remote = { (void *)&marker, sizeof(marker) };
	return process_vm_readv(pid, &local, 1, &remote, 1, 0);
}

static void own_child(void)
{
	pid_t child = fork();
	if (child == 0) {
		marker = 0x4b4944L; /* the child's own value */
		pause();
		_exit(0);
	}
	usleep(100 * 1000);
	long word = 0;
	long r = vm_read(child, &word);
	char value[32];
	snprintf(value, sizeof(value), "%lx", word);
	report_value("child-vm-read", r, value);
	r = ptrace(PTRACE_ATTACH, child, 0, 0);
	report("child-ptrace-attach", r);
	if (r == 0) {
		int status;
		waitpid(child, &status, 0);
		ptrace(PTRACE_DETACH, child, 0, 0);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

int main(int argc, char **argv)
{
	unbuffered();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *colon = strchr(a, ':');
		pid_t pid = colon ? (pid_t)atoi(colon + 1) : 0;
		if (strncmp(a, "ptrace-attach:", 14) == 0) {
			long r = ptrace(PTRACE_ATTACH, pid, 0, 0);
			report(a, r);
			if (r == 0) {
				waitpid(pid, NULL, __WALL);
				ptrace(PTRACE_DETACH, pid, 0, 0);
			}
		} else if (strncmp(a, "ptrace-seize:", 13) == 0) {
			long r = ptrace(PTRACE_SEIZE, pid, 0, 0);
			report(a, r);
			if (r == 0)
				ptrace(PTRACE_DETACH, pid, 0, 0);
		} else if (strncmp(a, "vm-read:", 8) == 0) {
			long word;
			report(a, vm_read(pid, &word));
		} else if (strncmp(a, "mem-read:", 9) == 0) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/%d/mem", pid);
			int fd = open(path, O_RDONLY);
			if (fd < 0) {
				report(a, -1);
				continue;
			}
			long word;
			report(a, pread(fd, &word, sizeof(word), (off_t)(long)&marker));
			close(fd);
		} else if (strcmp(a, "own-child") == 0) {
			own_child();
		} else {
			printf("%s=unknown-attack\n", a);
		}
	}
	return 0;
}
