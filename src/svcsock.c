// SPDX-License-Identifier: MIT
/* svcsock.c - the service's control transport: one document per
 * SOCK_SEQPACKET packet, at most one fd with it (SCM_RIGHTS) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "svcproto.h"
#include "sys/sys.h"

/* Room for this many fds in what svc_recv() reads: one is allowed; more
 * that fit are closed here, more than fit the kernel drops itself
 * (MSG_CTRUNC; scm_detach_fds() installs only what fits). */
#define SVC_FDS_SEEN 8

/* A send buffer on @sock for a packet of @len bytes (the kernel doubles
 * what it is given, and keeps a little of it): SO_SNDBUFFORCE when the
 * process may (the service), else SO_SNDBUF within wmem_max. Return: 0
 * or -1. */
static int svc_sndbuf(int sock, size_t len)
{
	int v = (int)len + 65536;

	if (!setsockopt(sock, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)))
		return 0;
	return setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
}

/**
 * svc_send() - send one document, and @fd with it when @fd >= 0
 * @sock:	a connected SOCK_SEQPACKET socket
 * @buf:	the document
 * @len:	its length, 1..SVC_MSG_MAX
 * @fd:		a file descriptor to pass, or -1
 *
 * A packet is sent whole or not at all; EINTR is retried, a non-blocking
 * socket's -EAGAIN returned. Return: 0 or a negative errno (-EMSGSIZE
 * past SVC_MSG_MAX, -EINVAL for an empty document: the peer would read
 * it as the connection's end).
 */
int svc_send(int sock, const char *buf, size_t len, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	ssize_t n;

	if (!len)
		return -EINVAL;
	if (len > SVC_MSG_MAX)
		return -EMSGSIZE;
	if (fd >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	/* SEQPACKET raises no SIGPIPE; a socket of another type might */
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	/* A packet must fit the socket's send buffer (212992 bytes by
	 * default): a long status reply needs a bigger one, once. */
	if (n < 0 && errno == EMSGSIZE && !svc_sndbuf(sock, len)) {
		do
			n = sendmsg(sock, &mh, MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
	}
	if (n < 0)
		return -errno;
	/* SOCK_SEQPACKET sends whole packets; anything else is not ours */
	if ((size_t)n != len)
		return -EIO;
	return 0;
}

/* Every fd of SCM_RIGHTS in @mh: the first into *@first (-1 none), the
 * others closed. Return: how many came. */
static unsigned int take_fds(struct msghdr *mh, int *first)
{
	struct cmsghdr *cm;
	unsigned int count = 0;
	size_t i, n;
	int fd;

	*first = -1;
	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len < CMSG_LEN(0))
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++, count++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(fd));
			if (*first < 0)
				*first = fd;
			else
				close(fd);
		}
	}
	return count;
}

/**
 * svc_recv() - receive one document and at most one fd
 * @sock:	a connected SOCK_SEQPACKET socket
 * @buf:	the document, NUL-terminated
 * @size:	bytes of @buf (a document of SVC_MSG_MAX needs one more)
 * @fd:		the fd that came (close-on-exec), -1 when none came; NULL
 *		when none is expected (one that comes is closed, -EPROTO)
 *
 * One recvmsg(): it blocks only as the socket does (EINTR retried). A
 * document cut short (longer than @size - 1 or SVC_MSG_MAX), control
 * data cut short, or more than one fd: every fd that came is closed.
 * Return: the document's length, 0 when the peer closed (or sent an
 * empty packet), -EMSGSIZE, -EPROTO, or another negative errno.
 */
ssize_t svc_recv(int sock, char *buf, size_t size, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * SVC_FDS_SEEN)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { buf, 0 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	unsigned int count;
	ssize_t n;
	int got;

	if (fd)
		*fd = -1;
	if (size < 2)
		return -EINVAL;
	iov.iov_len = size - 1 < SVC_MSG_MAX ? size - 1 : SVC_MSG_MAX;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	count = take_fds(&mh, &got);
	if (mh.msg_flags & MSG_TRUNC)
		n = -EMSGSIZE;
	else if ((mh.msg_flags & MSG_CTRUNC) || count > 1 || (count && !fd))
		n = -EPROTO;
	if (n <= 0) {
		if (got >= 0)
			close(got);
		return n;
	}
	buf[n] = '\0';
	if (fd)
		*fd = got;
	return n;
}

/**
 * svc_socket_path() - the control socket a client uses
 * @path:	the caller's choice (sqn_config.service_path), or NULL
 *
 * Return: @path if set and not empty, else $SQN_SERVICE (secure_getenv:
 * never from the environment of a set-id program) if set and not empty,
 * else SVC_SOCKET_DEFAULT.
 */
const char *svc_socket_path(const char *path)
{
	const char *env;

	if (path && *path)
		return path;
	env = sys_getenv_secure("SQN_SERVICE");
	if (env && *env)
		return env;
	return SVC_SOCKET_DEFAULT;
}

#define E(x)          \
	{             \
		x, #x \
	}
static const struct {
	int err;
	const char *name;
} errno_names[] = {
	E(EPERM),	  E(ENOENT),	      E(ESRCH),	       E(EINTR),
	E(EIO),		  E(ENXIO),	      E(E2BIG),	       E(EBADF),
	E(ECHILD),	  E(EAGAIN),	      E(ENOMEM),       E(EACCES),
	E(EFAULT),	  E(EBUSY),	      E(EEXIST),       E(ENODEV),
	E(ENOTDIR),	  E(EISDIR),	      E(EINVAL),       E(ENFILE),
	E(EMFILE),	  E(ENOSPC),	      E(EROFS),	       E(EPIPE),
	E(ERANGE),	  E(ENAMETOOLONG),    E(ENOSYS),       E(ENOTEMPTY),
	E(ELOOP),	  E(ENODATA),	      E(ETIME),	       E(EPROTO),
	E(EBADMSG),	  E(EOVERFLOW),	      E(EMSGSIZE),     E(EPROTOTYPE),
	E(ENOPROTOOPT),	  E(EPROTONOSUPPORT), E(EOPNOTSUPP),   E(EADDRINUSE),
	E(EADDRNOTAVAIL), E(ENETDOWN),	      E(ENETUNREACH),  E(ECONNABORTED),
	E(ECONNRESET),	  E(ENOBUFS),	      E(EISCONN),      E(ENOTCONN),
	E(ESHUTDOWN),	  E(ETIMEDOUT),	      E(ECONNREFUSED), E(EHOSTUNREACH),
	E(EALREADY),	  E(EINPROGRESS),     E(EDQUOT),       E(ECANCELED),
	E(EOWNERDEAD),	  E(ENOLINK),
};
#undef E

/**
 * svc_errno_name() - an errno's symbolic name, as an error reply's "error"
 * @err:	a positive errno
 *
 * Return: "EACCES" for EACCES, ...; "E?" for one it does not know. Where
 * two names share a number (EWOULDBLOCK, ENOTSUP), the first listed.
 */
const char *svc_errno_name(int err)
{
	size_t i;

	for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return "E?";
}
