// SPDX-License-Identifier: MIT
/* sys_linux.c - Linux side of sys.h: eventfd, getrandom, MSG_NOSIGNAL, sysctls, capabilities */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "sys.h"

/**
 * sys_random() - fill @buf with random bytes
 * @buf:	destination
 * @len:	bytes, at most 256
 *
 * Return: 0 or a negative errno.
 */
int sys_random(void *buf, size_t len)
{
	ssize_t r;

	do {
		r = getrandom(buf, len, 0);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return (size_t)r == len ? 0 : -EIO;
}

/**
 * sys_wake_open() - a descriptor that polls readable while set
 *
 * Return: the fd, or a negative errno.
 */
int sys_wake_open(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	return fd < 0 ? -errno : fd;
}

/**
 * sys_wake_set() - make @fd readable
 * @fd:		from sys_wake_open()
 */
void sys_wake_set(int fd)
{
	uint64_t one = 1;

	/* EAGAIN means the counter is already huge: still readable. */
	if (write(fd, &one, sizeof(one)) < 0)
		return;
}

/**
 * sys_wake_clear() - make @fd not readable
 * @fd:		from sys_wake_open()
 */
void sys_wake_clear(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0)
		return;
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

/**
 * sys_watch_open() - one descriptor that polls readable while one of the
 * descriptors given to sys_watch_set() is ready: an epoll descriptor
 *
 * Return: the fd (close-on-exec), or a negative errno.
 */
int sys_watch_open(void)
{
	int fd = epoll_create1(EPOLL_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/**
 * sys_watch_set() - what @watch watches @fd for
 * @watch:	from sys_watch_open()
 * @fd:		descriptor
 * @events:	SYS_WATCH_IN and/or SYS_WATCH_OUT; 0 forgets @fd (do so
 *		before closing it)
 *
 * Level-triggered: @watch stays readable while @fd is ready for one of
 * @events. The watch itself never polls writable: writability of @fd
 * shows as readability of @watch.
 *
 * Return: 0 or a negative errno.
 */
int sys_watch_set(int watch, int fd, int events)
{
	struct epoll_event ev = { .data.fd = fd };

	if (!events)
		return epoll_ctl(watch, EPOLL_CTL_DEL, fd, NULL) &&
				       errno != ENOENT ?
			       -errno :
			       0;
	ev.events = (events & SYS_WATCH_IN ? EPOLLIN : 0) |
		    (events & SYS_WATCH_OUT ? EPOLLOUT : 0);
	if (!epoll_ctl(watch, EPOLL_CTL_MOD, fd, &ev))
		return 0;
	if (errno != ENOENT)
		return -errno;
	return epoll_ctl(watch, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/**
 * sys_dup_cloexec() - duplicate @fd with close-on-exec
 * @fd:		descriptor
 *
 * Return: the new fd, or a negative errno.
 */
int sys_dup_cloexec(int fd)
{
	int r = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	return r < 0 ? -errno : r;
}

/**
 * sys_unix_connect() - connect a unix socket of @type to @path
 * @path:	socket path
 * @type:	SOCK_STREAM or SOCK_DGRAM
 *
 * Return: the connected fd, or a negative errno (-ENAMETOOLONG when @path
 * does not fit sun_path).
 */
int sys_unix_connect(const char *path, int type)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
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
 * sys_sendmsg() - non-blocking sendmsg that never raises SIGPIPE
 * @fd:		socket
 * @msg:	message
 *
 * Return: bytes sent, or -1 with errno set.
 */
ssize_t sys_sendmsg(int fd, const struct msghdr *msg)
{
	return sendmsg(fd, msg, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/**
 * sys_recv() - non-blocking recv
 * @fd:		socket
 * @buf:	destination
 * @len:	its bytes
 * @flags:	more MSG_ flags (MSG_TRUNC to learn a datagram's real size)
 *
 * Return: bytes received, 0 at end of stream, or -1 with errno set.
 */
ssize_t sys_recv(int fd, void *buf, size_t len, int flags)
{
	return recv(fd, buf, len, flags | MSG_DONTWAIT);
}

/**
 * sys_recvmmsg() - non-blocking receive of up to @n datagrams
 * @fd:		socket
 * @msgs:	message headers; msg_len is set for each one received
 * @n:		how many
 * @flags:	more MSG_ flags (MSG_TRUNC: msg_len is the real length)
 *
 * Return: datagrams received, or -1 with errno set.
 */
int sys_recvmmsg(int fd, struct sys_mmsg *msgs, unsigned int n, int flags)
{
	return recvmmsg(fd, (struct mmsghdr *)msgs, n, flags | MSG_DONTWAIT,
			NULL);
}

/* The kernel reads and writes struct sys_mmsg as its struct mmsghdr. */
_Static_assert(sizeof(struct sys_mmsg) == sizeof(struct mmsghdr) &&
		       offsetof(struct sys_mmsg, msg_hdr) ==
			       offsetof(struct mmsghdr, msg_hdr) &&
		       offsetof(struct sys_mmsg, msg_len) ==
			       offsetof(struct mmsghdr, msg_len),
	       "struct sys_mmsg is laid out as struct mmsghdr");

/**
 * sys_sendmmsg() - non-blocking send of up to @n datagrams, no SIGPIPE
 * @fd:		socket
 * @msgs:	message headers
 * @n:		how many
 *
 * Return: datagrams sent, or -1 with errno set.
 */
int sys_sendmmsg(int fd, struct sys_mmsg *msgs, unsigned int n)
{
	return sendmmsg(fd, (struct mmsghdr *)msgs, n,
			MSG_DONTWAIT | MSG_NOSIGNAL);
}

/**
 * sys_getenv_secure() - an environment variable, unless the program runs
 * set-user-ID or with file capabilities
 * @name:	the variable
 *
 * Return: its value, or NULL (unset, or not to be trusted).
 */
const char *sys_getenv_secure(const char *name)
{
	return secure_getenv(name);
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
	FILE *f = fopen(path, "re");

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
 * sys_ipv6_off() - turn IPv6 off on a network interface, before it goes up
 * @iface:	the interface
 *
 * The networks carry IPv4 only: a port left with IPv6 on would send the
 * host's router solicitations and multicast reports to its guest.
 * rtnetlink cannot set disable_ipv6 (IFLA_INET6_CONF is read-only), so it
 * is the sysctl.
 *
 * Return: 0 (also when the kernel has no IPv6), or a negative errno.
 */
int sys_ipv6_off(const char *iface)
{
	char path[96];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 iface);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	n = write(fd, "1", 1);
	if (n < 0)
		n = -errno;
	close(fd);
	return n == 1 ? 0 : n < 0 ? (int)n : -EIO;
}

/**
 * sys_net_admin() - whether the calling thread may make links, bridges
 * and nftables tables: CAP_NET_ADMIN in its effective set
 *
 * Return: 1 or 0; 1 when the kernel cannot say (let it refuse later).
 */
int sys_net_admin(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3,
						0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return 1;
	return (data[CAP_TO_INDEX(CAP_NET_ADMIN)].effective &
		CAP_TO_MASK(CAP_NET_ADMIN)) != 0;
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
	int s = socket(sa->sa_family, type | SOCK_CLOEXEC, 0), one = 1, r = 0;

	if (s < 0)
		return -errno;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, sa, len))
		r = -errno;
	close(s);
	return r;
}
