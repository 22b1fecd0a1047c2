/* Capabilities and no_new_privs. A sandboxed uid 0 that keeps a capability
 * such as CAP_SYS_PTRACE can read other processes' /proc/PID/environ through
 * Landlock, so a caller with any capability loses all of them here. */
#define _GNU_SOURCE
#include "privileges.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
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
 * headers may be older than the running kernel. Asked once: it is a loop of
 * prctl calls. */
static int last_cap(void)
{
	static int cached = -1;

	if (cached < 0) {
		int cap = 0;

		while (prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0)
			cap++;
		cached = cap;
	}
	return cached;
}

static void read_sets(struct caps *c)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	*c = (struct caps){ 0 };
	if (syscall(SYS_capget, &hdr, data) == 0) {
		c->effective = data[0].effective | (uint64_t)data[1].effective << 32;
		c->permitted = data[0].permitted | (uint64_t)data[1].permitted << 32;
		c->inheritable = data[0].inheritable | (uint64_t)data[1].inheritable << 32;
	}
}

void read_caps(struct caps *c)
{
	int last = last_cap();

	read_sets(c);
	for (int cap = 0; cap <= last; cap++) {
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
			c->bounding |= 1ULL << cap;
		/* The ambient set is a subset of permitted and inheritable. */
		if ((c->permitted & c->inheritable & (1ULL << cap)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1)
			c->ambient |= 1ULL << cap;
	}
}

bool caps_held_now(void)
{
	struct caps c;

	read_sets(&c);
	/* Ambient capabilities are always permitted too. */
	return caps_held(&c);
}

bool caps_held(const struct caps *c)
{
	return c->effective || c->permitted || c->inheritable || c->ambient;
}

void drop_bounding_set(void)
{
	/* Needs CAP_SETPCAP, so it comes before the identity switch and the
	 * capset below. Without CAP_SETPCAP it stays as it is (with
	 * no_new_privs set, execve cannot use it to regain anything). One
	 * prctl a capability: EINVAL past the last one the kernel knows. */
	for (int cap = 0;; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		if (errno == EINVAL || errno == EPERM)
			break;
	}
}

int clear_caps(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	struct caps after;

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
	read_sets(&after);
	if (caps_held(&after)) {
		snprintf(err, errlen,
			 "capabilities remain after the drop (effective %#llx, permitted %#llx)",
			 (unsigned long long)after.effective, (unsigned long long)after.permitted);
		return -1;
	}
	return 0;
}

static int parse_id(const char *s, unsigned long *id)
{
	char *end;

	errno = 0;
	*id = strtoul(s, &end, 10);
	return !errno && end != s && !*end && *s != '-' && *id < (unsigned long)(uid_t)-1;
}

int resolve_identity(const char *user, const char *group, uid_t *uid, gid_t *gid, char *err,
		     size_t errlen)
{
	unsigned long id;
	struct passwd *pw = NULL;
	struct group *gr;

	if (parse_id(user, &id)) {
		*uid = (uid_t)id;
		pw = getpwuid(*uid);
	} else {
		pw = getpwnam(user);
		if (!pw) {
			snprintf(err, errlen, "--user: no user named '%s'", user);
			return -1;
		}
		*uid = pw->pw_uid;
	}
	if (group) {
		if (parse_id(group, &id)) {
			*gid = (gid_t)id;
		} else {
			gr = getgrnam(group);
			if (!gr) {
				snprintf(err, errlen, "--group: no group named '%s'", group);
				return -1;
			}
			*gid = gr->gr_gid;
		}
	} else if (pw) {
		*gid = pw->pw_gid;
	} else {
		snprintf(err, errlen, "--user: uid %s has no passwd entry: give --group too", user);
		return -1;
	}
	return 0;
}

int switch_identity(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	/* setgroups first (it needs CAP_SETGID, which setuid takes away), then
	 * the gid, then the uid: setuid first would leave gid 0, and skipping
	 * setgroups would keep root's supplementary groups. */
	if (setgroups(0, NULL)) {
		snprintf(err, errlen, "setgroups failed: %s%s", strerror(errno),
			 errno == EPERM ? " (switching users needs CAP_SETUID and CAP_SETGID, which "
					  "this caller lacks: a capless root cannot do it)" : "");
		return -1;
	}
	if (setresgid(gid, gid, gid)) {
		snprintf(err, errlen, "setresgid(%u) failed: %s", gid, strerror(errno));
		return -1;
	}
	if (setresuid(uid, uid, uid)) {
		snprintf(err, errlen, "setresuid(%u) failed: %s", uid, strerror(errno));
		return -1;
	}
	if (getresuid(&ruid, &euid, &suid) || getresgid(&rgid, &egid, &sgid) ||
	    ruid != uid || euid != uid || suid != uid || rgid != gid || egid != gid ||
	    sgid != gid || getgroups(0, NULL) != 0) {
		snprintf(err, errlen, "the identity switch to %u:%u did not fully take", uid, gid);
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
