#define _GNU_SOURCE
#include "fds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_close_range
#define __NR_close_range 436
#endif

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int close_from_to(unsigned lo, unsigned hi)
{
	struct rlimit rl;

	if (lo > hi)
		return 0;
	if (syscall(__NR_close_range, lo, hi, 0) == 0)
		return 0;
	if (errno != ENOSYS && errno != EPERM)
		return -errno;
	/* close_range is missing (before 5.9) or filtered by a container's
	 * seccomp profile: close one by one up to the hard fd limit. */
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -errno;
	/* The kernel's default fs.nr_open: no fd can be numbered above it. */
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > (1U << 20))
		rl.rlim_max = 1U << 20;
	if (hi >= rl.rlim_max)
		hi = (unsigned)rl.rlim_max - 1;
	for (unsigned fd = lo; fd <= hi; fd++)
		close((int)fd);
	return 0;
}

int close_other_fds(const struct config *cfg)
{
	size_t n = cfg->nkeep + (cfg->report_fd >= 0);
	int *keep = calloc(n ? n : 1, sizeof(int));
	unsigned lo = 3;
	int rc;

	if (!keep)
		return -ENOMEM;
	for (size_t i = 0; i < cfg->nkeep; i++)
		keep[i] = cfg->keep_fds[i];
	if (cfg->report_fd >= 0)
		keep[n - 1] = cfg->report_fd;
	qsort(keep, n, sizeof(int), cmp_int);

	for (size_t i = 0; i < n; i++) {
		if ((unsigned)keep[i] >= lo) {
			rc = close_from_to(lo, (unsigned)keep[i] - 1);
			if (rc)
				goto out;
			lo = (unsigned)keep[i] + 1;
		}
	}
	rc = close_from_to(lo, ~0U);
out:
	free(keep);
	return rc;
}

int prepare_passed_fds(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->nkeep; i++)
		if (fcntl(cfg->keep_fds[i], F_SETFD, 0))
			return -errno;
	if (cfg->report_fd >= 0 && fcntl(cfg->report_fd, F_SETFD, FD_CLOEXEC))
		return -errno;
	return 0;
}
