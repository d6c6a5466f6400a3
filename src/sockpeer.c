// SPDX-License-Identifier: MIT
/* sockpeer.c - the peer socket of the stream and datagram backends (and the service's control socket): opened without blocking, lost the same way */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sockpeer.h"
#include "sys/sys.h"

/* Between two tries at a listener whose backlog is full: soon enough to
 * get in once it accepts, seldom enough not to spin. */
#define SOCKPEER_RETRY_MS 20

/**
 * sockpeer_now_ms() - a monotonic clock for deadlines
 *
 * Return: milliseconds since an arbitrary point.
 */
long long sockpeer_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * sockpeer_wait() - wait for @fd to be ready for @events, until @deadline
 * @fd:		descriptor
 * @events:	POLLIN or POLLOUT
 * @deadline:	a time of sockpeer_now_ms()
 *
 * Return: 0 once ready (or in error: the next call on @fd says which),
 * -ETIMEDOUT at the deadline, or poll's negative errno.
 */
int sockpeer_wait(int fd, short events, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int r;

	for (;;) {
		long long left = deadline - sockpeer_now_ms();

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

/* Wait for the connect in progress on @fd to end, until @deadline. */
static int sockpeer_wait_connected(int fd, long long deadline)
{
	socklen_t len = sizeof(int);
	int err = 0, r = sockpeer_wait(fd, POLLOUT, deadline);

	if (r)
		return r;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return -errno;
	return -err;
}

/**
 * sockpeer_connect() - connect a unix socket of @type to @path, with a
 * deadline
 * @path:	socket path
 * @type:	SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET
 * @timeout_ms:	how long the listener may keep us waiting
 *
 * The connect is non-blocking: a VMM's loop never hangs on a listener that
 * does not accept. On Linux a unix stream listener whose backlog is full
 * answers EAGAIN, not EINPROGRESS (unix(7)), so that case is tried again
 * every SOCKPEER_RETRY_MS until the deadline; EINPROGRESS (other systems)
 * is waited for with poll() and SO_ERROR.
 *
 * Return: the connected fd (blocking, close-on-exec), or a negative errno:
 * -ENAMETOOLONG when @path does not fit sun_path, -ETIMEDOUT at the
 * deadline.
 */
int sockpeer_connect(const char *path, int type, unsigned int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long long deadline = sockpeer_now_ms() + timeout_ms, left;
	int fd, fl, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	/* fcntl rather than SOCK_CLOEXEC | SOCK_NONBLOCK, which macOS lacks. */
	fd = socket(AF_UNIX, type, 0);
	if (fd < 0)
		return -errno;
	fl = fcntl(fd, F_GETFL);
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) || fl < 0 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK)) {
		r = -errno;
		goto out;
	}
	for (;;) {
		r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
		if (!r)
			break;
		if (errno == EINPROGRESS) {
			r = sockpeer_wait_connected(fd, deadline);
			break;
		}
		if (errno != EAGAIN && errno != EINTR) {
			r = -errno;
			break;
		}
		left = deadline - sockpeer_now_ms();
		if (left <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		poll(NULL, 0,
		     (int)(left < SOCKPEER_RETRY_MS ? left :
						      SOCKPEER_RETRY_MS));
	}
	/* The backends never block (MSG_DONTWAIT); the VMM may share the fd
	 * and expect what a plain socket does. */
	if (!r && fcntl(fd, F_SETFL, fl))
		r = -errno;
out:
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

static int sockpeer_check_type(struct sqn_net *net, int fd, int want)
{
	int type = 0;
	socklen_t len = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len))
		return net_error(net, -errno, "peer_fd %d: not a socket: %s",
				 net->p.peer_fd, strerror(errno));
	if (type != want)
		return net_error(
			net, -EINVAL,
			"peer_fd %d: a %s socket, but the framing needs a %s socket",
			net->p.peer_fd,
			type == SOCK_DGRAM ? "datagram" : "stream",
			want == SOCK_DGRAM ? "datagram" : "stream");
	return 0;
}

/**
 * sockpeer_open() - the socket to the peer: peer_path connected, or a
 * duplicate of peer_fd
 * @net:	attachment; net->p.connect_timeout_ms bounds the connect
 * @type:	SOCK_STREAM or SOCK_DGRAM, what the framing needs
 *
 * Return: an fd that @net owns, or a negative errno with the message set.
 */
int sockpeer_open(struct sqn_net *net, int type)
{
	int fd, r;

	if (net->p.peer_path) {
		fd = sockpeer_connect(net->p.peer_path, type,
				      net->p.connect_timeout_ms);
		if (fd == -ETIMEDOUT)
			return net_error(
				net, fd,
				"peer_path: %s: not accepted within %u ms (connect_timeout_ms): is its listener stuck?",
				net->p.peer_path, net->p.connect_timeout_ms);
		if (fd < 0)
			return net_error(
				net, fd, "peer_path: %s: %s", net->p.peer_path,
				fd == -ENAMETOOLONG ?
					"too long for a unix socket address" :
					strerror(-fd));
		return fd;
	}
	r = sockpeer_check_type(net, net->p.peer_fd, type);
	if (r)
		return r;
	fd = sys_dup_cloexec(net->p.peer_fd);
	if (fd < 0)
		return net_error(net, fd, "peer_fd %d: %s", net->p.peer_fd,
				 strerror(-fd));
	return fd;
}

/**
 * sockpeer_full() - whether a failed write only found the socket full
 * @err:	its errno
 *
 * Return: 1 for EAGAIN, EWOULDBLOCK and ENOBUFS (a datagram socket's
 * queue), else 0.
 */
int sockpeer_full(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS;
}

/**
 * sockpeer_lost() - the socket failed: no more reading or writing on it
 * @net:	attachment
 * @eof:	the backend's flag, set
 * @what:	"receive" or "send"
 * @err:	the errno
 *
 * Return: -ENOTCONN, with the link down and the message set.
 */
int sockpeer_lost(struct sqn_net *net, int *eof, const char *what, int err)
{
	*eof = 1;
	return net_link_down(net, "%s: %s: %s", net->ops->name, what,
			     strerror(err));
}

/**
 * sockpeer_close() - close the peer socket
 * @net:	attachment, perhaps from a failed open
 */
void sockpeer_close(struct sqn_net *net)
{
	if (net->fd >= 0)
		close(net->fd);
	net->fd = -1;
}
