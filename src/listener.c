// SPDX-License-Identifier: MIT
/* listener.c - the stream mode's listening side: a unix socket at peer_path, one peer at a time */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "net.h"
#include "sockpeer.h"
#include "stream.h"
#include "sys/sys.h"

/* Peers waiting to be accepted (or refused): one is served at a time. */
#define LISTENER_BACKLOG 4

/**
 * struct listener - the listening socket and its one peer
 * @lfd:	the listening socket
 * @peer:	the accepted peer, or -1
 * @dev:	device of the socket file this attachment made
 * @ino:	its inode: sqn_close() removes the file only while it is ours
 * @made:	the socket file at peer_path is ours to remove
 * @blocked:	the caller was told to wait for room to send
 * @out_on:	the watch wakes on the peer's writability
 * @refused:	peers closed because one was connected
 *
 * sqn_fd() is a watch (sys_watch_open()) over @lfd and @peer: a new
 * peer and the connected one's frames both wake the caller, and the
 * descriptor stays the same from one peer to the next.
 */
struct listener {
	int lfd;
	int peer;
	dev_t dev;
	ino_t ino;
	int made;
	int blocked;
	int out_on;
	unsigned long refused;
};

static size_t listener_pool_size(const struct sqn_net *net)
{
	return pool_round(sizeof(struct listener)) + stream_pool_size(net);
}

/* Whether something accepts at @path: a stale socket is replaced, a live
 * one is another's. Return: 0 for stale, or the error to refuse with. */
static int listener_live(struct sqn_net *net, const char *path)
{
	int fd = sockpeer_connect(path, SOCK_STREAM, 0);

	if (fd == -ECONNREFUSED || fd == -ENOENT)
		return 0;
	if (fd >= 0)
		close(fd);
	if (fd >= 0 || fd == -ETIMEDOUT)
		return net_error(
			net, -EADDRINUSE,
			"peer_path: %s: another process listens there: not replaced",
			path);
	return net_error(net, fd, "peer_path: %s: %s: not replaced", path,
			 strerror(-fd));
}

/* The socket at peer_path, made by this attachment, and listening. */
static int listener_bind(struct sqn_net *net, struct listener *l)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = net->p.peer_path;
	struct stat st;
	int fl, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return net_error(
			net, -ENAMETOOLONG,
			"peer_path: %s: too long for a unix socket address",
			path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode))
			return net_error(
				net, -EEXIST,
				"peer_path: %s exists and is not a socket: not replaced",
				path);
		r = listener_live(net, path);
		if (r)
			return r;
		if (unlink(path) && errno != ENOENT)
			return net_error(net, -errno, "peer_path: %s: %s", path,
					 strerror(errno));
	}
	/* fcntl rather than SOCK_CLOEXEC | SOCK_NONBLOCK, which macOS lacks:
	 * accept() must never block the caller's loop. */
	l->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (l->lfd < 0)
		return net_error(net, -errno, "peer_path: socket: %s",
				 strerror(errno));
	fl = fcntl(l->lfd, F_GETFL);
	if (fl < 0 || fcntl(l->lfd, F_SETFD, FD_CLOEXEC) ||
	    fcntl(l->lfd, F_SETFL, fl | O_NONBLOCK))
		return net_error(net, -errno, "peer_path: fcntl: %s",
				 strerror(errno));
	if (bind(l->lfd, (struct sockaddr *)&sa, sizeof(sa)))
		return net_error(net, -errno, "peer_path: %s: bind: %s", path,
				 strerror(errno));
	if (!lstat(path, &st)) {
		l->made = 1;
		l->dev = st.st_dev;
		l->ino = st.st_ino;
	}
	if (listen(l->lfd, LISTENER_BACKLOG))
		return net_error(net, -errno, "peer_path: %s: listen: %s", path,
				 strerror(errno));
	return 0;
}

/**
 * listener_open() - listen at peer_path; the link is down until a peer
 * connects
 * @net:	attachment
 *
 * Return: 0, or a negative errno with the message set.
 */
static int listener_open(struct sqn_net *net)
{
	struct listener *l = pool_take(&net->pool, sizeof(*l));
	int r;

	if (!l)
		return net_error(net, -ENOMEM, "stream: pool too small");
	l->lfd = l->peer = -1;
	net->outer = l;
	r = stream_attach(net, -1);
	if (r)
		return r;
	stream_rebind(net, -1);
	r = sys_watch_open();
	if (r < 0)
		return net_error(net, r, "stream: watch: %s", strerror(-r));
	net->fd = r;
	r = listener_bind(net, l);
	if (r)
		return r;
	r = sys_watch_set(net->fd, l->lfd, SYS_WATCH_IN);
	if (r)
		return net_error(net, r, "stream: watch: %s", strerror(-r));
	/* No peer yet: down, without the warning of a link that was lost. */
	net->info.link_up = 0;
	snprintf(net->errmsg, sizeof(net->errmsg),
		 "stream: listening at %s: no peer yet", net->p.peer_path);
	net_log(net, SQN_LOG_INFO, "%s", net->errmsg);
	return 0;
}

/**
 * listener_accept() - take the peers waiting at the listening socket
 * @net:	attachment
 * @l:		its listener
 *
 * The first one gets the link when none is connected; any other is
 * closed at once, with a warning: one peer at a time.
 *
 * Return: 1 when a new peer got the link, else 0.
 */
static int listener_accept(struct sqn_net *net, struct listener *l)
{
	int fd, got = 0;

	for (;;) {
		fd = accept(l->lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return got;
		}
		/* A duplicate: close-on-exec, and (macOS) SO_NOSIGPIPE. */
		if (l->peer < 0) {
			int dup = sys_dup_cloexec(fd);

			close(fd);
			if (dup < 0)
				continue;
			fd = dup;
		}
		if (l->peer >= 0 || sys_watch_set(net->fd, fd, SYS_WATCH_IN)) {
			close(fd);
			l->refused++;
			net_log(net, SQN_LOG_WARN,
				"stream: %s: refused a peer: %s (%lu refused)",
				net->p.peer_path,
				l->peer >= 0 ? "one is connected" :
					       "cannot watch it",
				l->refused);
			continue;
		}
		l->peer = fd;
		l->blocked = l->out_on = 0;
		stream_rebind(net, fd);
		net->info.link_up = 1;
		net->errmsg[0] = '\0';
		net_log(net, SQN_LOG_INFO, "stream: %s: peer connected",
			net->p.peer_path);
		got = 1;
	}
}

/* The peer is gone and all it sent delivered: make room for the next. */
static void listener_drop(struct sqn_net *net, struct listener *l)
{
	if (l->peer < 0)
		return;
	net_link_down(net, "stream: %s: peer left", net->p.peer_path);
	sys_watch_set(net->fd, l->peer, 0);
	close(l->peer);
	l->peer = -1;
	l->blocked = l->out_on = 0;
	stream_rebind(net, -1);
}

/* After a call into the stream code: whether the watch wakes on the
 * peer's writability. The watch never polls writable itself; room shows
 * as readable, asked for only while the caller waits for it or accepted
 * bytes wait in the stream code (else it would stay readable). */
static int listener_after(struct sqn_net *net, struct listener *l, int r)
{
	int out = l->blocked;

	if (l->peer < 0)
		return r;
	if (!out && net->info.link_up)
		out = stream_flush(net) == -EAGAIN;
	out = out && net->info.link_up;
	if (out != l->out_on &&
	    !sys_watch_set(net->fd, l->peer,
			   SYS_WATCH_IN | (out ? SYS_WATCH_OUT : 0)))
		l->out_on = out;
	return r;
}

static int listener_recv(struct sqn_net *net, struct sqn_pkt *pkts,
			 unsigned int n)
{
	struct listener *l = net->outer;
	int r = -ENOTCONN, tries;

	/* A peer that left (its frames delivered) makes way for a waiting
	 * one; two tries, so that a peer that came and went at once does
	 * not make the call spin. */
	for (tries = 0; tries < 2; tries++) {
		if (l->peer < 0 && !listener_accept(net, l))
			return -ENOTCONN;
		r = stream_recv(net, pkts, n);
		if (r != -ENOTCONN)
			break;
		listener_drop(net, l);
	}
	/* Nothing to read: a moment to refuse a second peer. */
	if (!r)
		listener_accept(net, l);
	return listener_after(net, l, r);
}

static int listener_send(struct sqn_net *net, const struct sqn_pkt *pkts,
			 unsigned int n)
{
	struct listener *l = net->outer;
	int r;

	if (l->peer < 0)
		return -ENOTCONN;
	r = stream_send(net, pkts, n);
	l->blocked = r >= 0 && (unsigned int)r < n;
	return listener_after(net, l, r);
}

static int listener_flush(struct sqn_net *net)
{
	struct listener *l = net->outer;
	int r;

	if (l->peer < 0)
		return -ENOTCONN;
	r = stream_flush(net);
	l->blocked = r == -EAGAIN;
	return listener_after(net, l, r);
}

/**
 * listener_close() - close the peer and the listening socket, and remove
 * the socket file when it is still the one this attachment made
 * @net:	attachment, perhaps from a failed open
 */
static void listener_close(struct sqn_net *net)
{
	struct listener *l = net->outer;
	struct stat st;

	if (l) {
		if (l->peer >= 0)
			close(l->peer);
		if (l->lfd >= 0)
			close(l->lfd);
		/* Another process may have replaced it since: not ours. */
		if (l->made && !lstat(net->p.peer_path, &st) &&
		    st.st_dev == l->dev && st.st_ino == l->ino)
			unlink(net->p.peer_path);
		l->peer = l->lfd = -1;
		l->made = 0;
	}
	sockpeer_close(net);
}

const struct backend_ops listener_ops = {
	.name = "stream",
	.pool_size = listener_pool_size,
	.open = listener_open,
	.recv = listener_recv,
	.send = listener_send,
	.flush = listener_flush,
	.close = listener_close,
};
