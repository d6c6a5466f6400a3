// SPDX-License-Identifier: MIT
/* record_linux.c - Linux side of record.h: /run/squib-net/net-<netns>/ */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "record.h"
#include "sys.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71 /* Linux 5.14 */
#endif

#define RECORD_LOCK "+lock"
#define RECORD_COOKIE "+cookie"
#define RECORD_ENTRY "att."

/**
 * record_err() - the plane's failures: a message in @msg, and @err back
 * @msg:	set to the message
 * @len:	its size
 * @err:	a negative errno
 * @fmt:	printf format of the message
 *
 * Return: @err.
 */
int record_err(char *msg, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return err;
}

/**
 * record_ns() - the directory of the calling thread's network namespace's
 * record, and the namespace's cookie
 * @ns:		set to /run/squib-net/net-<inode of the namespace>
 * @len:	its size
 * @cookie:	set to the cookie, which no other namespace ever has; 0 on
 *		a kernel without SO_NETNS_COOKIE (Linux 5.14)
 *
 * Both come from one socket of the thread's: /proc/self/ns/net is the
 * main thread's namespace, which may not be this thread's. An inode
 * number is unique among live namespaces only: a record left by one that
 * has gone is told apart by its cookie (record_lock()).
 *
 * Return: 0 or a negative errno.
 */
int record_ns(char *ns, size_t len, unsigned long long *cookie)
{
	uint64_t c = 0;
	socklen_t clen = sizeof(c);
	struct stat st;
	int s, nsfd, r = 0;

	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	nsfd = ioctl(s, SIOCGSKNS);
	if (nsfd < 0 || fstat(nsfd, &st)) {
		r = -errno;
	} else if (getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, &c, &clen)) {
		if (errno != ENOPROTOOPT)
			r = -errno;
		c = 0;
	}
	if (nsfd >= 0)
		close(nsfd);
	close(s);
	if (r)
		return r;
	*cookie = c;
	snprintf(ns, len, RECORD_RUN "/net-%llu",
		 (unsigned long long)st.st_ino);
	return 0;
}

/**
 * record_path() - @dir/@name in @out, of RECORD_PATH_MAX bytes; a path
 * that would not fit is left empty
 * @out:	result
 * @dir:	directory
 * @name:	file in it
 */
void record_path(char *out, const char *dir, const char *name)
{
	if (snprintf(out, RECORD_PATH_MAX, "%s/%s", dir, name) >=
	    RECORD_PATH_MAX)
		out[0] = '\0';
}

/**
 * record_write() - write a small file of the record
 * @path:	the file, made 0600 if new
 * @text:	its content
 * @append:	1: add to its end
 *
 * Return: 0 or a negative errno.
 */
int record_write(const char *path, const char *text, int append)
{
	int fd = open(path,
		      O_WRONLY | O_CREAT | O_CLOEXEC |
			      (append ? O_APPEND : O_TRUNC),
		      0600);
	size_t n = strlen(text);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, n) != (ssize_t)n)
		r = -EIO;
	close(fd);
	return r;
}

/**
 * record_get() - a line "@key value" of a network's file "network"
 * @dir:	the network's directory
 * @key:	the first word
 * @val:	set to the rest of the line, without its newline
 * @len:	its size
 *
 * Return: 0, -ENOENT when there is no such line (or no file), or the
 * errno of a file that could not be opened (EMFILE, ENOMEM...): a caller
 * must not take the service's own trouble for a network not on record.
 */
int record_get(const char *dir, const char *key, char *val, size_t len)
{
	char path[RECORD_PATH_MAX], line[1600];
	size_t k = strlen(key);
	int r = -ENOENT;
	FILE *f;

	record_path(path, dir, "network");
	f = fopen(path, "re");
	if (!f)
		return errno ? -errno : -ENOENT;
	while (r && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, k) ||
		    (line[k] != ' ' && line[k] != '\n'))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(val, len, "%s", line[k] ? line + k + 1 : "");
		r = 0;
	}
	fclose(f);
	return r;
}

/* Empty @dir of the files of a namespace that has gone, and its network
 * directories: their links, processes and tables went with it. */
static void record_purge(const char *dir, int depth)
{
	char path[RECORD_PATH_MAX];
	struct dirent *d;
	DIR *dp = opendir(dir);
	struct stat st;

	while (dp && (d = readdir(dp))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..") ||
		    !strcmp(d->d_name, RECORD_LOCK))
			continue;
		record_path(path, dir, d->d_name);
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode) && depth == 0) {
			record_purge(path, 1);
			rmdir(path);
		} else if (!S_ISDIR(st.st_mode)) {
			unlink(path);
		}
	}
	if (dp)
		closedir(dp);
}

/* A directory of the record is trusted only if nobody but root (or this
 * process's user) can change it: anyone else could plant a symlink where
 * the record creates and removes files. */
static int record_dir_ok(int fd, const char *path, char *msg, size_t len)
{
	struct stat st;

	if (fstat(fd, &st))
		return record_err(msg, len, -errno, "%s: %s", path,
				  strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return record_err(msg, len, -ENOTDIR, "%s: not a directory",
				  path);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return record_err(
			msg, len, -EPERM,
			"%s: refused: owned by uid %u, not root or uid %u",
			path, (unsigned int)st.st_uid, (unsigned int)geteuid());
	/* Made 0700 by an older squib-net: still ours, opened up (dnsmasq,
	 * once "nobody", passes through it to its hosts file). */
	if ((st.st_mode & 0111) != 0111 && st.st_uid == geteuid())
		fchmod(fd, (st.st_mode & 07777) | 0111);
	if (st.st_mode & 022)
		return record_err(
			msg, len, -EPERM,
			"%s: refused: writable by group or others (mode %04o)",
			path, (unsigned int)(st.st_mode & 07777));
	return 0;
}

/**
 * record_opendir() - make directory @name in @at if missing, and open it
 * without following a symlink
 * @at:		the directory holding it, or AT_FDCWD
 * @name:	its name in @at (or a path from the cwd with AT_FDCWD)
 * @path:	its full path, for messages
 * @mode:	its mode when made; 0: it is not made
 * @msg:	set on failure
 * @len:	its size
 *
 * Return: the directory's descriptor, or a negative errno: -EPERM for one
 * owned by another user or writable by others, -ELOOP for a symlink,
 * -ENOENT when it is not there, -EAGAIN when it went right after it was
 * made or found (the last one out of a namespace removes it).
 */
int record_opendir(int at, const char *name, const char *path, mode_t mode,
		   char *msg, size_t len)
{
	int fd, r;

	if (mode && mkdirat(at, name, mode) && errno != EEXIST)
		return record_err(msg, len, -errno, "%s: %s", path,
				  strerror(errno));
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return record_err(msg, len, -ELOOP,
				  "%s: refused: a symlink, or not a directory",
				  path);
	if (fd < 0 && errno == ENOENT && mode)
		return record_err(msg, len, -EAGAIN, "%s: removed meanwhile",
				  path);
	if (fd < 0)
		return record_err(msg, len, -errno, "%s: %s", path,
				  strerror(errno));
	r = record_dir_ok(fd, path, msg, len);
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

/* /run/squib-net and the namespace's directory (made when @make), which
 * dnsmasq must be able to pass through once it is "nobody", to read the
 * network's hosts file: searchable by all, writable by their owner only.
 * Return: the namespace directory's descriptor. */
static int record_mkdirs(const char *ns, int make, char *msg, size_t len)
{
	int run, fd;

	run = record_opendir(AT_FDCWD, RECORD_RUN, RECORD_RUN, make ? 0755 : 0,
			     msg, len);
	if (run < 0)
		return run;
	fd = record_opendir(run, strrchr(ns, '/') + 1, ns, make ? 0711 : 0, msg,
			    len);
	close(run);
	return fd;
}

/* The record is this namespace's, or one left by a namespace that had
 * the same inode: then it is emptied first. Without cookies (0) the two
 * cannot be told apart, and the record is taken as it is. */
static int record_own(const char *ns, unsigned long long cookie)
{
	char path[RECORD_PATH_MAX], mine[32], theirs[32];

	snprintf(mine, sizeof(mine), "%llu", cookie);
	record_path(path, ns, RECORD_COOKIE);
	if (!sys_read_line(path, theirs, sizeof(theirs)) &&
	    (!strcmp(theirs, mine) || !cookie))
		return 0;
	record_purge(ns, 0);
	strcat(mine, "\n");
	return record_write(path, mine, 0);
}

/* The pid of the process holding a flock on @fd's file, from /proc/locks
 * (in this pid namespace's numbers), or 0 when unknown. */
static long record_holder(int fd)
{
	unsigned int maj, min;
	char line[256], kind[16];
	unsigned long ino;
	struct stat st;
	long pid = 0, p;
	FILE *f;

	if (fstat(fd, &st))
		return 0;
	f = fopen("/proc/locks", "re");
	while (f && !pid && fgets(line, sizeof(line), f))
		if (!strstr(line, "->") &&
		    sscanf(line, "%*d: %15s %*s %*s %ld %x:%x:%lu", kind, &p,
			   &maj, &min, &ino) == 5 &&
		    !strcmp(kind, "FLOCK") && ino == st.st_ino &&
		    maj == major(st.st_dev) && min == minor(st.st_dev))
			pid = p;
	if (f)
		fclose(f);
	return pid;
}

static long record_ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* flock(LOCK_EX) for at most @timeout_ms (-1: as long as it takes): flock
 * has no deadline, so a busy lock is tried again after a pause that grows
 * from 1 to 20 ms. */
static int record_flock(int fd, int timeout_ms, const char *path, char *msg,
			size_t len)
{
	struct timespec t0, pause = { 0, 1000000 };
	long pid;

	if (timeout_ms < 0) {
		while (flock(fd, LOCK_EX))
			if (errno != EINTR)
				return record_err(msg, len, -errno, "%s: %s",
						  path, strerror(errno));
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return record_err(msg, len, -errno, "%s: %s", path,
					  strerror(errno));
		if (record_ms_since(&t0) >= timeout_ms) {
			pid = record_holder(fd);
			if (pid > 0)
				return record_err(
					msg, len, -EBUSY,
					"%s: held by pid %ld for more than %d ms",
					path, pid, timeout_ms);
			return record_err(msg, len, -EBUSY,
					  "%s: held for more than %d ms", path,
					  timeout_ms);
		}
		nanosleep(&pause, NULL);
		if (pause.tv_nsec < 20000000)
			pause.tv_nsec *= 2;
	}
	return 0;
}

/**
 * record_lock() - take the namespace's lock, making its directory
 * @ns:		from record_ns()
 * @cookie:	from record_ns()
 * @timeout_ms:	how long to wait for it; -1: as long as it takes
 * @make:	make the record's directories when missing; 0: fail with
 *		-ENOENT then (a keeper: its network went with them)
 * @msg:	set on failure
 * @len:	its size
 *
 * The last one out removes the lock file with the rest, so a lock on an
 * unlinked file is retried.
 *
 * Return: the lock's descriptor, or a negative errno: -EBUSY when another
 * process held it for @timeout_ms (@msg names it when /proc/locks does),
 * -EPERM or -ELOOP for a run directory that is not to be trusted.
 */
int record_lock(const char *ns, unsigned long long cookie, int timeout_ms,
		int make, char *msg, size_t len)
{
	char path[RECORD_PATH_MAX];
	struct stat a, b;
	int dir, fd, r;

	record_path(path, ns, RECORD_LOCK);
	for (;;) {
		dir = record_mkdirs(ns, make, msg, len);
		if (dir == -EAGAIN)
			continue;
		if (dir < 0)
			return dir;
		fd = openat(dir, RECORD_LOCK,
			    O_RDWR | (make ? O_CREAT : 0) | O_NOFOLLOW |
				    O_CLOEXEC,
			    0600);
		r = fd < 0 ? -errno : 0;
		if (fd < 0 && errno == ENOENT && make) {
			close(dir);
			continue; /* the directory went in between */
		}
		if (!r)
			r = record_flock(fd, timeout_ms, path, msg, len);
		else
			record_err(msg, len, r, "%s: %s", path, strerror(-r));
		if (r) {
			if (fd >= 0)
				close(fd);
			close(dir);
			return r;
		}
		r = !fstat(fd, &a) &&
		    !fstatat(dir, RECORD_LOCK, &b, AT_SYMLINK_NOFOLLOW) &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev;
		close(dir);
		if (r)
			break;
		flock(fd, LOCK_UN);
		close(fd);
	}
	r = record_own(ns, cookie);
	if (r) {
		record_err(msg, len, r, "%s: %s", ns, strerror(-r));
		flock(fd, LOCK_UN);
		close(fd);
		return r;
	}
	return fd;
}

/**
 * record_unlock() - release the lock; with no network left, the
 * namespace's directory goes
 * @ns:		from record_ns()
 * @fd:		from record_lock()
 */
void record_unlock(const char *ns, int fd)
{
	char path[RECORD_PATH_MAX];
	struct dirent *d;
	int others = 0;
	DIR *dp;

	dp = opendir(ns);
	while (dp && (d = readdir(dp)))
		others += strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
			  strcmp(d->d_name, RECORD_LOCK) &&
			  strcmp(d->d_name, RECORD_COOKIE);
	if (dp)
		closedir(dp);
	if (dp && !others) {
		record_path(path, ns, RECORD_COOKIE);
		unlink(path);
		record_path(path, ns, RECORD_LOCK);
		unlink(path);
		rmdir(ns);
	}
	/* Explicitly: a child forked meanwhile shares the descriptor, and
	 * would hold the lock for as long as it lives. */
	flock(fd, LOCK_UN);
	close(fd);
}

/**
 * record_each() - call @fn with the directory of each network on record
 * @ns:		from record_ns()
 * @fn:		returns non-zero to stop
 * @ctx:	passed to @fn
 *
 * Return: what @fn returned last, 0 when it never stopped.
 */
int record_each(const char *ns, int (*fn)(const char *dir, void *ctx),
		void *ctx)
{
	char path[RECORD_PATH_MAX];
	struct dirent *d;
	int r = 0;
	DIR *dp;

	dp = opendir(ns);
	while (!r && dp && (d = readdir(dp))) {
		if (d->d_name[0] == '.' || d->d_name[0] == '+')
			continue;
		record_path(path, ns, d->d_name);
		if (path[0])
			r = fn(path, ctx);
	}
	if (dp)
		closedir(dp);
	return r;
}

/**
 * record_sweep() - remove the entries of attachments that have ended
 * @dir:	a network's directory
 * @gone:	called with the link of each entry nobody holds: deletes it
 *		and returns 0, or returns 1 when the link lives on without
 *		its maker (a TAP whose descriptor a VMM still holds after the
 *		service that made it was killed): then the entry stays
 *
 * An attachment holds a lock on its entry for as long as it lives (its
 * process, or a child it forked, holds the descriptor): an entry that
 * can be locked belongs to no one, unless @gone says its link lives on.
 * Only links named sqn* are handed to @gone, whatever an entry says. An
 * entry that cannot be opened (the caller out of descriptors, say) counts
 * as live, and a directory that cannot be read as one live entry: a
 * transient error must never remove a network in use.
 *
 * Return: how many entries of live attachments remain.
 */
int record_sweep(const char *dir, int (*gone)(const char *link))
{
	char path[RECORD_PATH_MAX], link[16];
	struct dirent *d;
	int alive = 0, fd;
	DIR *dp;
	long pid;

	dp = opendir(dir);
	if (!dp)
		return errno == ENOENT ? 0 : 1;
	while ((d = readdir(dp))) {
		if (strncmp(d->d_name, RECORD_ENTRY, strlen(RECORD_ENTRY)))
			continue;
		record_path(path, dir, d->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ENOENT)
				alive++;
			continue;
		}
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			alive++;
			close(fd);
			continue;
		}
		if (sscanf(d->d_name, RECORD_ENTRY "%ld.%15s", &pid, link) ==
			    2 &&
		    !strncmp(link, "sqn", 3) && gone(link)) {
			alive++;
			close(fd);
			continue;
		}
		unlink(path);
		close(fd);
	}
	closedir(dp);
	return alive;
}

/**
 * record_enter() - the entry of a new attachment, locked while it lives
 * @dir:	the network's directory
 * @link:	the attachment's link, made after this
 * @entry:	set to the entry's name
 * @len:	its size
 * @fd:		set to the locked descriptor, to keep until record_leave()
 *
 * Return: 0 or a negative errno.
 */
int record_enter(const char *dir, const char *link, char *entry, size_t len,
		 int *fd)
{
	char path[RECORD_PATH_MAX];
	int r;

	snprintf(entry, len, RECORD_ENTRY "%ld.%s", (long)getpid(), link);
	record_path(path, dir, entry);
	*fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (*fd < 0)
		return -errno;
	if (flock(*fd, LOCK_EX | LOCK_NB)) {
		r = -errno;
		close(*fd);
		unlink(path);
		*fd = -1;
		return r;
	}
	return 0;
}

/**
 * record_adopt() - lock the entry of an attachment whose maker has ended
 * (a service killed), for a new process to hold it from now on
 * @dir:	the network's directory
 * @entry:	the entry's name, as record_enter() gave it
 * @fd:		set to the locked descriptor, to keep until record_leave()
 *
 * Called under the namespace's lock, so that no sweep removes the entry
 * between its check and this.
 *
 * Return: 0, -ENOENT when the entry went (swept: its link had gone),
 * -EBUSY when a live process holds it.
 */
int record_adopt(const char *dir, const char *entry, int *fd)
{
	char path[RECORD_PATH_MAX];

	record_path(path, dir, entry);
	if (!path[0] || strchr(entry, '/') ||
	    strncmp(entry, RECORD_ENTRY, strlen(RECORD_ENTRY)))
		return -EINVAL;
	*fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		return -errno;
	if (flock(*fd, LOCK_EX | LOCK_NB)) {
		close(*fd);
		*fd = -1;
		return -EBUSY;
	}
	return 0;
}

/**
 * record_leave() - remove an attachment's entry
 * @dir:	the network's directory
 * @entry:	from record_enter()
 * @fd:		from record_enter()
 */
void record_leave(const char *dir, const char *entry, int fd)
{
	char path[RECORD_PATH_MAX];

	record_path(path, dir, entry);
	unlink(path);
	close(fd);
}
