/* Shared by the escape suite's attack programs: each attempt prints one line
 * "NAME=ok", "NAME=ok:VALUE" or "NAME=ERRNO" (the errno's symbolic name, such
 * as EPERM), in order, on unbuffered stdout, so the test can assert the exact
 * way an attack failed and a crash midway still leaves the earlier lines. */
#ifndef ESCAPE_REPORT_H
#define ESCAPE_REPORT_H
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

static inline void report(const char *name, long ret)
{
	if (ret < 0) {
		const char *e = strerrorname_np(errno);
		if (e)
			printf("%s=%s\n", name, e);
		else
			printf("%s=errno%d\n", name, errno);
	} else {
		printf("%s=ok\n", name);
	}
}

static inline void report_value(const char *name, long ret, const char *value)
{
	if (ret < 0)
		report(name, ret);
	else
		printf("%s=ok:%s\n", name, value);
}

static inline void unbuffered(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
}
#endif
