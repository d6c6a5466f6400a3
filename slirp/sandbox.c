// SPDX-License-Identifier: MIT
/* sandbox.c - the helper drops what it has before it touches guest data
 *
 * In this order, as passt does: a user and mount namespace of its own whose
 * root is an empty read-only tmpfs (where the kernel allows unprivileged user
 * namespaces), no capabilities, no new privileges, and a seccomp filter
 * that kills the process on any call outside the loop's allow-list (listed
 * in docs/slirp-helper.md). The network namespace stays: libslirp opens
 * the guest's connections there.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <termios.h>
#include <unistd.h>

#include "sandbox.h"

/* The tmpfs that becomes the root: mounted over /tmp of the new mount
 * namespace only, so nothing outside sees it. */
#define SANDBOX_ROOT "/tmp"

/* Calls the loop makes (libslirp, glib's allocator and logging, libc)
 * with no argument worth filtering. */
static const char *const sandbox_allowed[] = {
	"read",
	"readv",
	"write",
	"writev",
	"close",
	"poll",
	"ppoll",
	"recvfrom",
	"recvmsg",
	"sendto",
	"sendmsg",
	"connect",
	"accept",
	"accept4",
	"getsockopt",
	"setsockopt",
	"getsockname",
	"getpeername",
	"shutdown",
	"fcntl",
	"newfstatat",
	"fstat",
	"stat",
	"lseek",
	"brk",
	"munmap",
	"mremap",
	"madvise",
	"clock_gettime",
	"gettimeofday",
	"getpid",
	"exit",
	"exit_group",
	"rt_sigreturn",
	"rt_sigprocmask",
	"futex",
	"getrandom",
	"restart_syscall",
#ifdef SQN_ASAN
	/* The sanitizers' runtime, in the ASan build only. */
	"sigaltstack",
	"sched_yield",
	"prctl",
	"gettid",
	"tgkill",
	"readlink",
	"readlinkat",
	"prlimit64",
	"getrlimit",
	"mprotect",
	"rt_sigaction",
	"openat",
	"mmap",
#endif
};

/* Write @text to @path in one write(2). Return: 0 or -errno. */
static int sandbox_write(const char *path, const char *text, size_t len,
			 int flags)
{
	int fd = open(path, flags | O_WRONLY | O_CLOEXEC, 0644), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		r = errno ? -errno : -EIO;
	close(fd);
	return r;
}

/*
 * Root gives its identity up first, as passt does: a user namespace can map
 * the uid that made it, and mapping root needs CAP_SETFCAP in the parent,
 * which the helper does not keep. The forwards are already listening.
 */
static int sandbox_not_root(char *err, size_t errlen)
{
	const uid_t nobody = 65534;

	if (geteuid() != 0)
		return 0;
	if (setgroups(0, NULL) || setresgid(nobody, nobody, nobody) ||
	    setresuid(nobody, nobody, nobody)) {
		snprintf(err, errlen, "become nobody: %s", strerror(errno));
		return -errno;
	}
	/* The uid change made /proc/self root's; the maps are written there. */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	return 0;
}

/* Map our own uid and gid into the new user namespace: no one else's. */
static int sandbox_maps(char *err, size_t errlen)
{
	char map[64];
	int r;

	r = sandbox_write("/proc/self/setgroups", "deny", 4, 0);
	if (!r) {
		snprintf(map, sizeof(map), "%u %u 1", (unsigned)getegid(),
			 (unsigned)getegid());
		r = sandbox_write("/proc/self/gid_map", map, strlen(map), 0);
	}
	if (!r) {
		snprintf(map, sizeof(map), "%u %u 1", (unsigned)geteuid(),
			 (unsigned)geteuid());
		r = sandbox_write("/proc/self/uid_map", map, strlen(map), 0);
	}
	if (r)
		snprintf(err, errlen, "user namespace maps: %s", strerror(-r));
	return r;
}

/*
 * The empty root. libslirp reads /etc/resolv.conf lazily, each time a DNS
 * query comes and its cache is older than a second (it stat()s the file), so
 * a copy of the host's, read before, goes into the new root's /etc.
 */
static int sandbox_root(const char *resolv, size_t resolv_len, char *err,
			size_t errlen)
{
	const char *step;

	step = "make / private";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		goto fail;
	step = "mount tmpfs";
	if (mount("squib-net-slirp", SANDBOX_ROOT, "tmpfs",
		  MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=64k,nr_inodes=16,mode=0755"))
		goto fail;
	step = "mkdir etc";
	if (mkdir(SANDBOX_ROOT "/etc", 0755))
		goto fail;
	step = "write resolv.conf";
	errno = -sandbox_write(SANDBOX_ROOT "/etc/resolv.conf", resolv,
			       resolv_len, O_CREAT | O_EXCL);
	if (errno)
		goto fail;
	step = "remount read-only";
	if (mount(NULL, SANDBOX_ROOT, NULL,
		  MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL))
		goto fail;
	step = "pivot_root";
	if (chdir(SANDBOX_ROOT) || syscall(SYS_pivot_root, ".", "."))
		goto fail;
	step = "detach the old root";
	if (umount2(".", MNT_DETACH) || chdir("/"))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "sandbox: %s: %s", step, strerror(errno));
	return -errno;
}

/* No capabilities left, in whatever user namespace we are. */
static int sandbox_drop_caps(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data)) {
		snprintf(err, errlen, "capset: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/* Allow the call @name (with @n argument conditions). Return: 0 or -errno. */
static int sandbox_rule(scmp_filter_ctx ctx, const char *name, unsigned int n,
			const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);

	/* A call this architecture does not have (poll on arm64). */
	if (nr == __NR_SCMP_ERROR)
		return 0;
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, cmp);
}

/* The filter: the allow-list, and the calls allowed with some arguments. */
static int sandbox_seccomp(char *err, size_t errlen)
{
	/* openat only reads: resolv.conf, and /dev/urandom for glib's seed. */
	const struct scmp_arg_cmp rdonly =
		SCMP_A2(SCMP_CMP_MASKED_EQ,
			O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND, O_RDONLY);
	const struct scmp_arg_cmp inet = SCMP_A0(SCMP_CMP_EQ, AF_INET);
	const struct scmp_arg_cmp inet6 = SCMP_A0(SCMP_CMP_EQ, AF_INET6);
	/* libslirp asks how much a UDP socket holds; isatty() for glib. */
	const struct scmp_arg_cmp fionread = SCMP_A1(SCMP_CMP_EQ, FIONREAD);
	const struct scmp_arg_cmp tcgets = SCMP_A1(SCMP_CMP_EQ, TCGETS);
	const struct scmp_arg_cmp fionbio = SCMP_A1(SCMP_CMP_EQ, FIONBIO);
	/* Memory, never executable. */
	const struct scmp_arg_cmp noexec =
		SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	size_t i;
	int r = ctx ? 0 : -ENOMEM;

	for (i = 0;
	     !r && i < sizeof(sandbox_allowed) / sizeof(*sandbox_allowed); i++)
		r = sandbox_rule(ctx, sandbox_allowed[i], 0, NULL);
	if (!r)
		r = sandbox_rule(ctx, "socket", 1, &inet);
	if (!r)
		r = sandbox_rule(ctx, "socket", 1, &inet6);
	if (!r)
		r = sandbox_rule(ctx, "ioctl", 1, &fionread);
	if (!r)
		r = sandbox_rule(ctx, "ioctl", 1, &tcgets);
	if (!r)
		r = sandbox_rule(ctx, "ioctl", 1, &fionbio);
#ifndef SQN_ASAN
	if (!r)
		r = sandbox_rule(ctx, "openat", 1, &rdonly);
	if (!r)
		r = sandbox_rule(ctx, "mmap", 1, &noexec);
	if (!r)
		r = sandbox_rule(ctx, "mprotect", 1, &noexec);
#else
	(void)rdonly;
	(void)noexec;
#endif
	if (!r)
		r = seccomp_load(ctx);
	if (r)
		snprintf(err, errlen, "seccomp: %s", strerror(-r));
	seccomp_release(ctx);
	return r;
}

/**
 * sandbox_enter() - drop everything the loop does not need
 * @resolv:	the host's resolv.conf, read before (may be empty)
 * @resolv_len:	its length
 * @rep:	what was done, for --verbose
 * @err:	message on failure
 * @errlen:	its size
 *
 * Started as root, it becomes nobody (65534) first. A kernel that refuses unprivileged user namespaces leaves the helper in
 * the host's filesystem view, still without privileges and under seccomp;
 * anything failing after the namespaces exist is an error.
 *
 * Return: 0, or -errno with @err set.
 */
int sandbox_enter(const char *resolv, size_t resolv_len,
		  struct sandbox_report *rep, char *err, size_t errlen)
{
	int r;

	memset(rep, 0, sizeof(*rep));
	r = sandbox_not_root(err, errlen);
	if (r)
		return r;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS)) {
		snprintf(rep->why, sizeof(rep->why),
			 "no user namespace (unshare: %s)", strerror(errno));
	} else {
		r = sandbox_maps(err, errlen);
		if (r)
			return r;
		r = sandbox_root(resolv, resolv_len, err, errlen);
		if (r)
			return r;
		rep->userns = true;
	}
	r = sandbox_drop_caps(err, errlen);
	if (r)
		return r;
	/* No other process of the same uid may ptrace it. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return -errno;
	}
	return sandbox_seccomp(err, errlen);
}

/**
 * sandbox_forbidden_call() - make a call outside the allow-list
 *
 * For --debug-forbidden-syscall: under the filter this does not return,
 * the kernel kills the process with SIGSYS.
 */
void sandbox_forbidden_call(void)
{
	struct utsname u;

	syscall(SYS_uname, &u);
}
