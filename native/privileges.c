/* Capabilities and no_new_privs. A sandboxed uid 0 that keeps a capability
 * such as CAP_SYS_PTRACE can read other processes' /proc/PID/environ through
 * Landlock, so a caller with any capability loses all of them here. */
#define _GNU_SOURCE
#include "privileges.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_IS_SET 1
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

/* The highest capability number the kernel knows; CAP_LAST_CAP in the
 * headers may be older than the running kernel. */
static int last_cap(void)
{
	int cap = 0;

	while (prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0)
		cap++;
	return cap;
}

void read_caps(struct caps *c)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	int last = last_cap();

	*c = (struct caps){ 0 };
	if (syscall(SYS_capget, &hdr, data) == 0) {
		c->effective = data[0].effective | (uint64_t)data[1].effective << 32;
		c->permitted = data[0].permitted | (uint64_t)data[1].permitted << 32;
		c->inheritable = data[0].inheritable | (uint64_t)data[1].inheritable << 32;
	}
	for (int cap = 0; cap <= last; cap++) {
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
			c->bounding |= 1ULL << cap;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1)
			c->ambient |= 1ULL << cap;
	}
}

bool caps_held(const struct caps *c)
{
	return c->effective || c->permitted || c->inheritable || c->ambient;
}

int drop_all_caps(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	int last = last_cap();
	struct caps after;

	/* The bounding set first: dropping from it needs CAP_SETPCAP, which the
	 * capset below removes. Without CAP_SETPCAP it stays as it is; with
	 * no_new_privs set, execve cannot use it to regain anything. */
	for (int cap = 0; cap <= last; cap++)
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
			prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	/* EINVAL before Linux 4.3, which had no ambient set to clear. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL) {
		snprintf(err, errlen, "clearing the ambient capabilities failed: %s",
			 strerror(errno));
		return -1;
	}
	if (syscall(SYS_capset, &hdr, data)) {
		snprintf(err, errlen, "capset failed: %s", strerror(errno));
		return -1;
	}
	read_caps(&after);
	if (caps_held(&after)) {
		snprintf(err, errlen,
			 "capabilities remain after the drop (effective %#llx, permitted %#llx)",
			 (unsigned long long)after.effective, (unsigned long long)after.permitted);
		return -1;
	}
	return 0;
}

int set_no_new_privs(void)
{
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ? -errno : 0;
}

bool no_new_privs_set(void)
{
	return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
}
