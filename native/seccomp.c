/* The seccomp layer: a small deny-list for what Landlock cannot see. Landlock
 * does not mediate socket() families, UDP (below ABI 10), pathname unix
 * connects (below ABI 9), terminal injection, io_uring (which can open sockets
 * without socket()), or the kernel interfaces that create new privilege
 * contexts (user namespaces, mounts, keyrings, BPF). Everything else is
 * allowed: an allow-list would break arbitrary commands for little gain once
 * Landlock confines the filesystem.
 *
 * The landlock_* syscalls, seccomp and execve stay allowed on purpose so that
 * a sandboxed command can sandbox itself further. */
#define _GNU_SOURCE
#include "seccomp.h"

#include "bpf_asm.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define CORDON_AUDIT_ARCH AUDIT_ARCH_X86_64
#define CORDON_ARCH_RULE "arch: any syscall ABI other than x86_64 (i386, x32) -> kill process"
#ifndef __NR_seccomp
#define __NR_seccomp 317
#endif
#elif defined(__aarch64__)
#define CORDON_AUDIT_ARCH AUDIT_ARCH_AARCH64
#define CORDON_ARCH_RULE "arch: any syscall ABI other than aarch64 (arm32 compat) -> kill process"
#ifndef __NR_seccomp
#define __NR_seccomp 277
#endif
#else
#error "cordon's seccomp filter knows x86_64 and aarch64 only"
#endif

/* The filter reads the low 32 bits of 64-bit arguments at the argument's own
 * offset, which is only right on a little-endian machine. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "cordon's seccomp filter assumes a little-endian machine"
#endif

/* Syscalls from 424 on have one number on every architecture but alpha, so
 * one fallback serves both; older headers than Debian 12's may lack them. */
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __NR_io_uring_enter
#define __NR_io_uring_enter 426
#endif
#ifndef __NR_io_uring_register
#define __NR_io_uring_register 427
#endif
#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef __NR_fsopen
#define __NR_fsopen 430
#endif
#ifndef __NR_fsconfig
#define __NR_fsconfig 431
#endif
#ifndef __NR_fsmount
#define __NR_fsmount 432
#endif
#ifndef __NR_fspick
#define __NR_fspick 433
#endif
#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif

#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#ifndef AF_NETLINK
#define AF_NETLINK 16
#endif

/* x32 syscalls arrive with the x86_64 audit arch and this bit set in the
 * number; rules keyed on x86_64 numbers would not match them. */
#define X32_SYSCALL_BIT 0x40000000U

/* Generic ioctl numbers, the same on x86_64 and aarch64; spelled out so
 * that this file needs no terminal headers. */
#define CORDON_TIOCSTI 0x5412U
#define CORDON_TIOCLINUX 0x541CU
#define CORDON_CLONE_NEWUSER 0x10000000U
#define CORDON_SOCK_TYPE_MASK 0xfU
#define CORDON_NETLINK_ROUTE 0U
#define CORDON_S_ISUID 04000U
#define CORDON_S_ISGID 02000U
#define CORDON_S_IWOTH 00002U
#define CORDON_IPPROTO_TCP 6U

/* The low 32 bits of argument i. The kernel truncates int arguments such as
 * socket()'s family and ioctl()'s request, so comparing all 64 bits would
 * let family AF_UNIX | 1 << 32 through as "some other family". */
#define ARG_LO(i) ((unsigned int)offsetof(struct seccomp_data, args[i]))

#define RET_ERRNO(e) (SECCOMP_RET_ERRNO | ((e) & SECCOMP_RET_DATA))

/* Fail with EPERM whatever the arguments. EPERM rather than ENOSYS: callers
 * treat it as "not allowed here" and do not fall back to something else. */
static const int eperm_syscalls[] = {
	__NR_io_uring_setup, __NR_io_uring_enter, __NR_io_uring_register,
	__NR_setns, __NR_mount, __NR_umount2, __NR_pivot_root,
	__NR_open_tree, __NR_move_mount, __NR_fsopen, __NR_fsconfig,
	__NR_fsmount, __NR_fspick, __NR_mount_setattr,
	__NR_keyctl, __NR_add_key, __NR_request_key,
	__NR_bpf, __NR_perf_event_open, __NR_userfaultfd,
};

enum label {
	L_NEXT = BPF_NEXT,
	L_ALLOW,
	L_KILL,
	L_EPERM,
	L_EAFNOSUPPORT,
	L_ENOSYS,
	L_SOCKET,
	L_INET_TCP,
	L_NETLINK,
	L_MODE_ARG1,
	L_MODE_ARG2,
	L_MODE,
	L_IOCTL,
	L_NEWUSER,
};

static void build_filter(struct bpf_asm *a, const struct seccomp_opts *opts)
{
	unsigned int inet;

	bpf_asm_init(a);

	/* Syscall numbers mean nothing without their ABI: an i386 int 0x80
	 * socketcall or an arm32 compat call would skip every rule below. */
	bpf_stmt(a, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, CORDON_AUDIT_ARCH, L_NEXT, L_KILL);
	bpf_stmt(a, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
	bpf_jump(a, BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, L_KILL, L_NEXT);
#endif

	/* Argument loads only happen under their syscall's branch: the kernel
	 * then proves every other syscall allowed from its number alone and
	 * caches that (Linux 5.11+), so the common path skips the filter. */
	bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, L_SOCKET, L_NEXT);
	bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, L_IOCTL, L_NEXT);
#ifdef __NR_chmod
	bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, __NR_chmod, L_MODE_ARG1, L_NEXT);
#endif
	bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, __NR_fchmod, L_MODE_ARG1, L_NEXT);
	bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, __NR_fchmodat, L_MODE_ARG2, L_NEXT);
	bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, __NR_fchmodat2, L_MODE_ARG2, L_NEXT);
	/* clone's flags are its first argument on both architectures (the
	 * argument order that differs is that of tls and child_tid). */
	bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, L_NEWUSER, L_NEXT);
	bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, __NR_unshare, L_NEWUSER, L_NEXT);
	/* clone3 passes its flags in memory, which seccomp cannot read. ENOSYS
	 * makes glibc and others fall back to clone, which is checked. */
	bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, L_ENOSYS, L_NEXT);
	/* A process that cannot leave the session can be found and killed
	 * with it, even after it double-forked away from its parent. */
	if (opts->lock_session)
		bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, __NR_setsid, L_EPERM, L_NEXT);
	for (size_t i = 0; i < sizeof(eperm_syscalls) / sizeof(eperm_syscalls[0]); i++)
		bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)eperm_syscalls[i], L_EPERM,
			 L_NEXT);
	bpf_stmt(a, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);

	/* EAFNOSUPPORT for the odd families, as if the kernel lacked them:
	 * programs probing for one then carry on without it. */
	bpf_label(a, L_SOCKET);
	inet = opts->allow_inet ? L_ALLOW : opts->allow_inet_tcp ? L_INET_TCP : L_EPERM;
	bpf_stmt(a, BPF_LD | BPF_W | BPF_ABS, ARG_LO(0));
	bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX,
		 opts->allow_unix_sockets ? L_ALLOW : L_EPERM, L_NEXT);
	bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, AF_INET, inet, L_NEXT);
	bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, inet, L_NEXT);
	bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, L_NETLINK, L_EAFNOSUPPORT);

	/* Netlink for routing only (interfaces, addresses: what getifaddrs and
	 * ip need). sock_diag would list the host's sockets, audit and uevent
	 * reach host daemons' business. */
	bpf_label(a, L_NETLINK);
	bpf_stmt(a, BPF_LD | BPF_W | BPF_ABS, ARG_LO(2));
	bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, CORDON_NETLINK_ROUTE, L_ALLOW, L_EPERM);

	/* Landlock does not mediate chmod. Setuid and setgid bits would hand
	 * privileges to whoever runs the file outside the sandbox; a command
	 * running as uid 0 owns the host's system files, so it may not make
	 * anything writable by others either. */
	bpf_label(a, L_MODE_ARG1);
	bpf_stmt(a, BPF_LD | BPF_W | BPF_ABS, ARG_LO(1));
	bpf_goto(a, L_MODE);
	bpf_label(a, L_MODE_ARG2);
	bpf_stmt(a, BPF_LD | BPF_W | BPF_ABS, ARG_LO(2));
	bpf_label(a, L_MODE);
	bpf_jump(a, BPF_JMP | BPF_JSET | BPF_K,
		 CORDON_S_ISUID | CORDON_S_ISGID | (opts->root_command ? CORDON_S_IWOTH : 0), L_EPERM,
		 L_ALLOW);

	/* TCP only, the traffic Landlock's port rules cover: a stream socket
	 * with the default protocol or IPPROTO_TCP. UDP, raw, SCTP and MPTCP
	 * would bypass the rules that pin connections to listed ports. */
	bpf_label(a, L_INET_TCP);
	bpf_stmt(a, BPF_LD | BPF_W | BPF_ABS, ARG_LO(1));
	bpf_stmt(a, BPF_ALU | BPF_AND | BPF_K, CORDON_SOCK_TYPE_MASK);
	bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, SOCK_STREAM, L_NEXT, L_EPERM);
	bpf_stmt(a, BPF_LD | BPF_W | BPF_ABS, ARG_LO(2));
	bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, 0, L_ALLOW, L_NEXT);
	bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, CORDON_IPPROTO_TCP, L_ALLOW, L_EPERM);

	/* TIOCSTI pushes input into a terminal the sandbox shares with its
	 * caller, and TIOCLINUX can do the same through the console's
	 * selection: both let the command type commands for the caller. */
	bpf_label(a, L_IOCTL);
	bpf_stmt(a, BPF_LD | BPF_W | BPF_ABS, ARG_LO(1));
	bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, CORDON_TIOCSTI, L_EPERM, L_NEXT);
	bpf_jump(a, BPF_JMP | BPF_JEQ | BPF_K, CORDON_TIOCLINUX, L_EPERM, L_ALLOW);

	/* A user namespace hands out every capability inside it, which opens
	 * mount, network and other kernel surface that Landlock does not
	 * cover. */
	bpf_label(a, L_NEWUSER);
	bpf_stmt(a, BPF_LD | BPF_W | BPF_ABS, ARG_LO(0));
	bpf_jump(a, BPF_JMP | BPF_JSET | BPF_K, CORDON_CLONE_NEWUSER, L_EPERM, L_ALLOW);

	bpf_label(a, L_ALLOW);
	bpf_stmt(a, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	bpf_label(a, L_EPERM);
	bpf_stmt(a, BPF_RET | BPF_K, RET_ERRNO(EPERM));
	bpf_label(a, L_EAFNOSUPPORT);
	bpf_stmt(a, BPF_RET | BPF_K, RET_ERRNO(EAFNOSUPPORT));
	bpf_label(a, L_ENOSYS);
	bpf_stmt(a, BPF_RET | BPF_K, RET_ERRNO(ENOSYS));
	/* The whole process, not the thread: a multithreaded program with
	 * one thread gone would carry on in an undefined state. */
	bpf_label(a, L_KILL);
	bpf_stmt(a, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
}

/* Keep these in step with build_filter(). */
const char *const *seccomp_rule_descriptions(const struct seccomp_opts *opts)
{
	static const char *rules[16];
	size_t n = 0;

	rules[n++] = CORDON_ARCH_RULE;
	rules[n++] = "socket: families other than unix, inet, inet6, netlink -> EAFNOSUPPORT";
	rules[n++] = "socket: netlink other than NETLINK_ROUTE (sock_diag, audit, uevent) -> EPERM";
	if (!opts->allow_unix_sockets)
		rules[n++] = "socket: unix -> EPERM (socketpair stays allowed)";
	if (!opts->allow_inet && opts->allow_inet_tcp)
		rules[n++] = "socket: inet, inet6 other than TCP (UDP, raw, SCTP, MPTCP) -> EPERM";
	else if (!opts->allow_inet)
		rules[n++] = "socket: inet, inet6 -> EPERM (network off)";
	rules[n++] = "ioctl: TIOCSTI, TIOCLINUX -> EPERM";
	rules[n++] = opts->root_command
			     ? "chmod, fchmod, fchmodat, fchmodat2: setuid, setgid or other-writable "
			       "bits -> EPERM (the command runs as uid 0)"
			     : "chmod, fchmod, fchmodat, fchmodat2: setuid or setgid bits -> EPERM";
	rules[n++] = "io_uring_setup, io_uring_enter, io_uring_register -> EPERM";
	rules[n++] = "clone, unshare: with CLONE_NEWUSER -> EPERM";
	rules[n++] = "clone3 -> ENOSYS (libc falls back to clone)";
	rules[n++] = "setns, mount, umount2, pivot_root, open_tree, move_mount, fsopen, fsconfig, "
		     "fsmount, fspick, mount_setattr -> EPERM";
	rules[n++] = "keyctl, add_key, request_key -> EPERM";
	rules[n++] = "bpf, perf_event_open, userfaultfd -> EPERM";
	if (opts->lock_session)
		rules[n++] = "setsid -> EPERM (the command's processes stay in its session)";
	rules[n] = NULL;
	return rules;
}

static const char *install_hint(int err)
{
	switch (err) {
	case EACCES:
		return "; no_new_privs is not set and the caller lacks CAP_SYS_ADMIN";
	case EINVAL:
		return "; the kernel has no seccomp filter support (CONFIG_SECCOMP_FILTER) "
		       "or rejected the program";
	case ENOMEM:
		return "; the stacked filters exceed the kernel's limit of 32768 "
		       "instructions in all";
	case EPERM:
		return "; a seccomp profile around this process blocks seccomp()";
	default:
		return "";
	}
}

int install_seccomp(const struct seccomp_opts *opts, char *err, size_t errlen)
{
	struct bpf_asm a;
	struct sock_fprog prog;
	const char *step = "seccomp(SECCOMP_SET_MODE_FILTER)";
	int e;

	build_filter(&a, opts);
	prog = bpf_asm_link(&a);

	if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
		return 0;
	/* seccomp() is Linux 3.17; filters themselves are 3.5. */
	if (errno == ENOSYS) {
		step = "prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER)";
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0)
			return 0;
	}
	e = errno;
	snprintf(err, errlen, "installing the seccomp filter with %s failed: %s (errno %d)%s",
		 step, strerror(e), e, install_hint(e));
	errno = e;
	return -1;
}
