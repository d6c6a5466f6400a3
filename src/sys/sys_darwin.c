// SPDX-License-Identifier: MIT
/* sys_darwin.c - macOS side of sys.h: kqueue user events, arc4random,
 * SO_NOSIGPIPE, loops where Linux has recvmmsg/sendmmsg */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/event.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sys.h"

/* The one user event of a wake-up kqueue. */
#define SYS_WAKE_IDENT 1

/**
 * sys_random() - fill @buf with random bytes
 * @buf:	destination
 * @len:	bytes
 *
 * Return: 0.
 */
int sys_random(void *buf, size_t len)
{
	arc4random_buf(buf, len);
	return 0;
}

static int cloexec(int fd)
{
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/**
 * sys_wake_open() - a descriptor that polls readable while set: a kqueue
 * with one EVFILT_USER event (EV_CLEAR: reading it resets it)
 *
 * Return: the fd, or a negative errno.
 */
int sys_wake_open(void)
{
	struct kevent ev;
	int fd = kqueue(), r;

	if (fd < 0)
		return -errno;
	EV_SET(&ev, SYS_WAKE_IDENT, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, NULL);
	if (kevent(fd, &ev, 1, NULL, 0, NULL) < 0 || cloexec(fd) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/**
 * sys_wake_set() - make @fd readable (from any thread)
 * @fd:		from sys_wake_open()
 */
void sys_wake_set(int fd)
{
	struct kevent ev;

	EV_SET(&ev, SYS_WAKE_IDENT, EVFILT_USER, 0, NOTE_TRIGGER, 0, NULL);
	kevent(fd, &ev, 1, NULL, 0, NULL);
}

/**
 * sys_wake_clear() - make @fd not readable
 * @fd:		from sys_wake_open()
 */
void sys_wake_clear(int fd)
{
	const struct timespec zero = { 0, 0 };
	struct kevent ev;

	kevent(fd, NULL, 0, &ev, 1, &zero);
}

/**
 * sys_wake_close() - close a wake fd
 * @fd:		from sys_wake_open(), or negative
 */
void sys_wake_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* macOS has no MSG_NOSIGNAL for every version: the socket says it. */
static void nosigpipe(int fd)
{
	int one = 1;

	setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof(one));
}

/**
 * sys_watch_open() - one descriptor that polls readable while one of the
 * descriptors given to sys_watch_set() is ready: a kqueue
 *
 * Return: the fd (close-on-exec), or a negative errno.
 */
int sys_watch_open(void)
{
	int fd = kqueue(), r;

	if (fd < 0)
		return -errno;
	if (cloexec(fd) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* Add or delete one filter of @fd; deleting one never added is no error. */
static int sys_watch_filter(int watch, int fd, short filter, int on)
{
	struct kevent ev;

	EV_SET(&ev, (uintptr_t)fd, filter, on ? EV_ADD | EV_ENABLE : EV_DELETE,
	       0, 0, NULL);
	if (kevent(watch, &ev, 1, NULL, 0, NULL) < 0 && (on || errno != ENOENT))
		return -errno;
	return 0;
}

/**
 * sys_watch_set() - what @watch watches @fd for
 * @watch:	from sys_watch_open()
 * @fd:		descriptor
 * @events:	SYS_WATCH_IN and/or SYS_WATCH_OUT; 0 forgets @fd (do so
 *		before closing it)
 *
 * Level-triggered (no EV_CLEAR): @watch stays readable while @fd is ready
 * for one of @events. Writability of @fd shows as readability of @watch.
 *
 * Return: 0 or a negative errno.
 */
int sys_watch_set(int watch, int fd, int events)
{
	int r = sys_watch_filter(watch, fd, EVFILT_READ, events & SYS_WATCH_IN);

	if (!r)
		r = sys_watch_filter(watch, fd, EVFILT_WRITE,
				     events & SYS_WATCH_OUT);
	return r;
}

/**
 * sys_dup_cloexec() - duplicate @fd with close-on-exec; a socket gets
 * SO_NOSIGPIPE
 * @fd:		descriptor
 *
 * Return: the new fd, or a negative errno.
 */
int sys_dup_cloexec(int fd)
{
	int r = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	if (r < 0)
		return -errno;
	nosigpipe(r);
	return r;
}

/**
 * sys_unix_connect() - connect a unix socket of @type to @path
 * @path:	socket path
 * @type:	SOCK_STREAM or SOCK_DGRAM
 *
 * Return: the connected fd, or a negative errno.
 */
int sys_unix_connect(const char *path, int type)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, type, 0);
	if (fd < 0)
		return -errno;
	cloexec(fd);
	nosigpipe(fd);
	do {
		r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	} while (r < 0 && errno == EINTR);
	if (r < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/**
 * sys_sendmsg() - non-blocking sendmsg (SIGPIPE off: SO_NOSIGPIPE)
 * @fd:		socket
 * @msg:	message
 *
 * Return: bytes sent, or -1 with errno set.
 */
ssize_t sys_sendmsg(int fd, const struct msghdr *msg)
{
	return sendmsg(fd, msg, MSG_DONTWAIT);
}

/**
 * sys_recv() - non-blocking recv
 * @fd:		socket
 * @buf:	destination
 * @len:	its bytes
 * @flags:	more MSG_ flags
 *
 * Return: bytes received, 0 at end of stream, or -1 with errno set.
 */
ssize_t sys_recv(int fd, void *buf, size_t len, int flags)
{
	return recv(fd, buf, len, (flags & ~MSG_TRUNC) | MSG_DONTWAIT);
}

/**
 * sys_recvmmsg() - up to @n datagrams, one recvmsg() each
 * @fd:		socket
 * @msgs:	message headers; msg_len is set for each one received
 * @n:		how many
 * @flags:	MSG_TRUNC: a datagram cut short gets a msg_len above its
 *		buffers (macOS does not tell the real length)
 *
 * Return: datagrams received, or -1 with errno set when none was.
 */
int sys_recvmmsg(int fd, struct sys_mmsg *msgs, unsigned int n, int flags)
{
	unsigned int i;
	ssize_t r;
	size_t room, k;

	for (i = 0; i < n; i++) {
		r = recvmsg(fd, &msgs[i].msg_hdr, MSG_DONTWAIT);
		if (r < 0)
			return i ? (int)i : -1;
		msgs[i].msg_len = (unsigned int)r;
		if ((flags & MSG_TRUNC) &&
		    (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)) {
			for (room = 0, k = 0;
			     k < (size_t)msgs[i].msg_hdr.msg_iovlen; k++)
				room += msgs[i].msg_hdr.msg_iov[k].iov_len;
			msgs[i].msg_len = (unsigned int)room + 1;
		}
	}
	return (int)n;
}

/**
 * sys_sendmmsg() - up to @n datagrams, one sendmsg() each
 * @fd:		socket
 * @msgs:	message headers
 * @n:		how many
 *
 * Return: datagrams sent, or -1 with errno set when none was.
 */
int sys_sendmmsg(int fd, struct sys_mmsg *msgs, unsigned int n)
{
	unsigned int i;
	ssize_t r;

	for (i = 0; i < n; i++) {
		r = sendmsg(fd, &msgs[i].msg_hdr, MSG_DONTWAIT);
		if (r < 0)
			return i ? (int)i : -1;
		msgs[i].msg_len = (unsigned int)r;
	}
	return (int)n;
}

/**
 * sys_getenv_secure() - an environment variable, unless the program runs
 * set-user-ID or set-group-ID
 * @name:	the variable
 *
 * Return: its value, or NULL.
 */
const char *sys_getenv_secure(const char *name)
{
	return issetugid() ? NULL : getenv(name);
}

/**
 * sys_read_line() - the first line of a small file, without its newline
 * @path:	the file
 * @buf:	set to the line; "" when there is none
 * @len:	its size
 *
 * Return: 0, or a negative errno when the file cannot be opened.
 */
int sys_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/**
 * sys_ipv6_off() - Linux's network plane only
 * @iface:	unused
 *
 * Return: -ENOTSUP.
 */
int sys_ipv6_off(const char *iface)
{
	(void)iface;
	return -ENOTSUP;
}

/**
 * sys_bind_try() - whether an address and port can be bound now: a
 * socket of @type bound (SO_REUSEADDR, as servers bind) and closed
 * @type:	SOCK_STREAM or SOCK_DGRAM
 * @sa:		the address and port
 * @len:	its size
 *
 * Return: 0, or the negative errno of socket() or bind() (-EADDRINUSE).
 */
int sys_bind_try(int type, const struct sockaddr *sa, socklen_t len)
{
	int s = socket(sa->sa_family, type, 0), one = 1, r = 0;

	if (s < 0)
		return -errno;
	fcntl(s, F_SETFD, FD_CLOEXEC);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, sa, len))
		r = -errno;
	close(s);
	return r;
}
