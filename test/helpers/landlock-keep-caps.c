/* Test helper: the naive sandbox cordon must not be. It restricts itself
 * with a Landlock ruleset that grants read and execute everywhere and write
 * nowhere, keeps every capability it was started with (no drop, and no
 * no_new_privs unless it lacks CAP_SYS_ADMIN), and executes the command.
 * A root command under it still holds CAP_SYS_PTRACE.
 *
 *   landlock-keep-caps COMMAND [ARG]... */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
				     LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR,
	};
	struct landlock_path_beneath_attr pb = {
		.allowed_access = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE |
				  LANDLOCK_ACCESS_FS_READ_DIR,
	};
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: landlock-keep-caps COMMAND [ARG]...\n");
		return 2;
	}
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	pb.parent_fd = open("/", O_PATH | O_CLOEXEC);
	if (fd < 0 || pb.parent_fd < 0 ||
	    syscall(SYS_landlock_add_rule, fd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0)) {
		perror("landlock-keep-caps: ruleset");
		return 2;
	}
	if (syscall(SYS_landlock_restrict_self, fd, 0)) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(SYS_landlock_restrict_self, fd, 0)) {
			perror("landlock-keep-caps: restrict_self");
			return 2;
		}
	}
	close(fd);
	close(pb.parent_fd);
	execvp(argv[1], &argv[1]);
	perror(argv[1]);
	return 127;
}
