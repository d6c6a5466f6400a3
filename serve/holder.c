// SPDX-License-Identifier: MIT
/* holder.c - squib-net serve: the process an attachment lives as long as
 * (hold "process": the client; hold "parent": its parent, passing over a
 * /bin/sh that forked for a bridge helper), checked through /proc and
 * held by a pidfd */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "holder.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/* A process's parent and real and effective uids, from /proc. */
static int holder_ids(pid_t pid, pid_t *ppid, uid_t *ruid, uid_t *euid)
{
	char path[64], line[256];
	unsigned int r = 0, e = 0;
	int got = 0;
	long pp = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -ESRCH;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "PPid: %ld", &pp) == 1)
			got |= 1;
		else if (sscanf(line, "Uid: %u %u", &r, &e) == 2)
			got |= 2;
	}
	fclose(f);
	if (got != 3)
		return -ESRCH;
	*ppid = (pid_t)pp;
	*ruid = r;
	*euid = e;
	return 0;
}

/* Whether the process of @pidfd still runs. */
static int holder_alive(int pidfd)
{
	return !syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0);
}

/* The pidfd of the client's process: the kernel's, taken when it
 * connected, else one opened now and checked to be of its uid. */
int holder_peer_pidfd(struct serve_conn *c, char *msg, size_t len)
{
	pid_t ppid;
	uid_t ruid, euid;
	int fd;

	if (c->pidfd >= 0) {
		fd = fcntl(c->pidfd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			snprintf(msg, len, "pidfd: %s", strerror(errno));
		return fd < 0 ? -errno : fd;
	}
	fd = (int)syscall(SYS_pidfd_open, c->peer.pid, 0);
	if (fd < 0 || holder_ids(c->peer.pid, &ppid, &ruid, &euid) ||
	    euid != c->peer.uid) {
		if (fd >= 0)
			close(fd);
		snprintf(msg, len, "process %d has ended", (int)c->peer.pid);
		return -ESRCH;
	}
	return fd;
}

/*
 * The pidfd of @child's parent, of uid @uid (any, for root). The parent's
 * pid is read from /proc while @child_fd pins the child; once the
 * parent's pidfd is held, the child's parent is read again: had the
 * parent ended in between, the child would have a new parent (its
 * reaper), so the pidfd is the parent's.
 */
static int holder_parent_of(pid_t child, int child_fd, uid_t uid, pid_t *parent,
			    char *msg, size_t len)
{
	int fd = -1, r = -ESRCH;
	pid_t ppid, again;
	uid_t ruid, euid, pr, pe;

	if (holder_ids(child, &ppid, &ruid, &euid) || !holder_alive(child_fd)) {
		snprintf(msg, len, "process %d has ended", (int)child);
		return -ESRCH;
	}
	if (ppid <= 1) {
		snprintf(msg, len, "process %d has no parent to hold on to",
			 (int)child);
		return -ESRCH;
	}
	fd = (int)syscall(SYS_pidfd_open, ppid, 0);
	if (fd < 0 || holder_ids(ppid, &again, &pr, &pe)) {
		snprintf(msg, len, "parent %d of process %d has ended",
			 (int)ppid, (int)child);
		goto fail;
	}
	if (uid != 0 && (pr != uid || pe != uid)) {
		r = -EPERM;
		snprintf(
			msg, len,
			"parent %d of process %d is uid %u, not uid %u: hold \"parent\" holds on to a process of the client's own",
			(int)ppid, (int)child, (unsigned int)pr,
			(unsigned int)uid);
		goto fail;
	}
	if (holder_ids(child, &again, &ruid, &euid) || again != ppid ||
	    !holder_alive(child_fd)) {
		snprintf(msg, len, "parent %d of process %d has ended",
			 (int)ppid, (int)child);
		goto fail;
	}
	*parent = ppid;
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return r;
}

/* Whether @pid runs /bin/sh: its /proc/PID/exe when the service may read
 * it (it has no CAP_SYS_PTRACE for other users'), else its name, which
 * an exec of /bin/sh makes "sh". */
static int holder_is_sh(pid_t pid)
{
	char path[64], comm[32] = "";
	struct stat a, b;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (!stat(path, &a))
		return !stat("/bin/sh", &b) && a.st_dev == b.st_dev &&
		       a.st_ino == b.st_ino;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return !strcmp(comm, "sh\n");
}

/*
 * The pidfd of the client's parent (QEMU, for its bridge helper). QEMU
 * runs a helper= with blanks through "/bin/sh -c", and a shell that forks
 * for it (Debian's dash) ends with the helper: then the shell's parent is
 * the one to hold on to (svcproto.h).
 */
int holder_parent_pidfd(struct serve_conn *c, pid_t *parent, char *msg,
			size_t len)
{
	int self, fd, up;
	pid_t shell;

	self = holder_peer_pidfd(c, msg, len);
	if (self < 0)
		return self;
	fd = holder_parent_of(c->peer.pid, self, c->peer.uid, parent, msg, len);
	close(self);
	if (fd < 0 || !holder_is_sh(*parent))
		return fd;
	shell = *parent;
	up = holder_parent_of(shell, fd, c->peer.uid, parent, msg, len);
	close(fd);
	return up;
}
