// SPDX-License-Identifier: MIT
/* conn.c - squib-net serve's control connections: each peer identified by
 * the kernel (SO_PEERCRED, SO_PEERGROUPS, SO_PEERPIDFD), one request read
 * at a time, a reply the socket cannot take kept until it can */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "attach.h"
#include "conn.h"
#include "log.h"
#include "portfwd.h"
#include "status.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77 /* Linux 6.5 */
#endif

/* Requests read from one connection before the others get their turn. */
#define CONN_BURST 16
/* Refused connections are logged at most once in this long: a flood of
 * them must not flood the log too. */
#define CONN_WARN_MS 10000

/* A connection refused: warned of, for the same reason at most once per
 * CONN_WARN_MS, with how many went unlogged since. */
static void conn_warn(struct serve *s, const char *why)
{
	long now = serve_now_ms();

	if (s->warned_ms && now - s->warned_ms < CONN_WARN_MS &&
	    !strcmp(why, s->warned_why)) {
		s->unwarned++;
		return;
	}
	snprintf(s->warned_why, sizeof(s->warned_why), "%s", why);
	if (s->unwarned)
		warn("control socket: %s: one more closed (and %lu since the last warning)",
		     why, s->unwarned);
	else
		warn("control socket: %s: one more closed", why);
	s->warned_ms = now ? now : 1;
	s->unwarned = 0;
}

/**
 * conn_spare() - keep a descriptor in reserve, for when the service runs
 * out of them (called at the start, and again once it was used)
 * @s:		the service
 */
void conn_spare(struct serve *s)
{
	if (s->spare < 0)
		s->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/**
 * conn_fini() - close the descriptor kept in reserve
 * @s:		the service
 */
void conn_fini(struct serve *s)
{
	if (s->spare >= 0)
		close(s->spare);
	s->spare = -1;
}

/* Out of descriptors: the connection waiting is taken with the one in
 * reserve and closed at once (its client sees the refusal), else the
 * listening socket stays readable and the loop spins on it. Return: 1
 * when one was taken, 0 when there is nothing more to do. */
static int conn_shed(struct serve *s)
{
	int fd;

	if (s->spare < 0)
		return 0;
	close(s->spare);
	s->spare = -1;
	fd = accept4(s->listen.fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0)
		close(fd);
	conn_spare(s);
	if (fd < 0)
		return 0;
	conn_warn(s, "out of descriptors");
	return 1;
}

/* The peer's pidfd, taken by the kernel when it connected: its process,
 * whatever pid is reused since; -1 on a kernel without it. */
static int conn_pidfd(int fd)
{
	socklen_t len = sizeof(int);
	int pidfd = -1;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len))
		return -1;
	return pidfd;
}

/* Why a connection of @uid is one too many, or NULL: no uid but root
 * may take the last SERVE_CONNS_ROOT, nor more than SERVE_CONNS_PER_UID. */
static const char *conn_too_many(const struct serve *s, uid_t uid)
{
	const struct serve_conn *c;
	unsigned int n = 0;

	if (s->n_conns >= SERVE_CONNS_MAX)
		return "too many connections";
	if (!uid)
		return NULL;
	if (s->n_conns >= SERVE_CONNS_MAX - SERVE_CONNS_ROOT)
		return "the last connections are root's";
	for (c = s->conns; c; c = c->next)
		n += c->peer.uid == uid;
	return n >= SERVE_CONNS_PER_UID ? "too many connections of one uid" :
					  NULL;
}

/* One connection accepted: identified, or closed. */
static void conn_new(struct serve *s, int fd)
{
	struct serve_conn *c;
	const char *why;
	int r;

	if (s->n_conns >= SERVE_CONNS_MAX) {
		conn_warn(s, "too many connections");
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->w.kind = SERVE_CONN;
	c->w.fd = fd;
	c->out_fd = -1;
	r = acl_peer_from_socket(fd, &c->peer);
	if (r) {
		warn("control socket: a peer not identified (%s): closed",
		     strerror(-r));
		close(fd);
		free(c);
		return;
	}
	why = conn_too_many(s, c->peer.uid);
	if (why) {
		conn_warn(s, why);
		acl_peer_release(&c->peer);
		close(fd);
		free(c);
		return;
	}
	c->pidfd = conn_pidfd(fd);
	if (serve_watch_add(s, &c->w, EPOLLIN)) {
		acl_peer_release(&c->peer);
		if (c->pidfd >= 0)
			close(c->pidfd);
		close(fd);
		free(c);
		return;
	}
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->n_conns++;
	debug("uid %u pid %d: connected", (unsigned int)c->peer.uid,
	      (int)c->peer.pid);
}

/**
 * conn_accept() - take the connections waiting on the control socket
 * @s:		the service
 */
void conn_accept(struct serve *s)
{
	int fd;

	conn_spare(s);
	for (;;) {
		fd = accept4(s->listen.fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if ((errno == EMFILE || errno == ENFILE) &&
			    conn_shed(s))
				continue;
			if (errno != EAGAIN)
				conn_warn(s, strerror(errno));
			return;
		}
		conn_new(s, fd);
	}
}

/**
 * conn_close() - end a connection, and the attachments that live as long
 * @s:		the service
 * @c:		the connection, freed
 */
void conn_close(struct serve *s, struct serve_conn *c)
{
	attach_conn_gone(s, c);
	serve_watch_del(s, &c->w);
	close(c->w.fd);
	if (c->pidfd >= 0)
		close(c->pidfd);
	if (c->out_fd >= 0)
		close(c->out_fd);
	free(c->out);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->n_conns--;
	debug("uid %u pid %d: disconnected", (unsigned int)c->peer.uid,
	      (int)c->peer.pid);
	acl_peer_release(&c->peer);
	free(c);
}

/* Keep a reply the socket did not take, and read no request until it is
 * sent. */
static int conn_keep(struct serve *s, struct serve_conn *c, const char *buf,
		     size_t len, int fd)
{
	c->out = malloc(len);
	if (!c->out)
		return -ENOMEM;
	memcpy(c->out, buf, len);
	c->out_len = len;
	c->out_fd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
	if (fd >= 0 && c->out_fd < 0)
		return -errno;
	return serve_watch_mod(s, &c->w, EPOLLOUT);
}

/**
 * conn_reply() - answer a request
 * @s:		the service
 * @c:		the connection
 * @req:	the request; NULL for one that could not be read (then
 *		@rep is an error)
 * @rep:	the reply
 * @fd:		the descriptor to send with it (the caller keeps its own),
 *		or -1
 *
 * Never waits: a reply the socket cannot take now is sent when it can.
 * A connection whose reply cannot be sent at all is marked broken.
 *
 * Return: 0, or a negative errno (the client will not get it).
 */
int conn_reply(struct serve *s, struct serve_conn *c,
	       const struct svc_request *req, const struct svc_reply *rep,
	       int fd)
{
	struct svc_reply big = { .err = EMSGSIZE };
	int n, r;

	n = svc_reply_encode(req, rep, s->buf, SVC_MSG_MAX + 1);
	if (n == -ENOSPC) {
		snprintf(big.message, sizeof(big.message),
			 "the reply is longer than %d bytes", SVC_MSG_MAX);
		n = svc_reply_encode(req, &big, s->buf, SVC_MSG_MAX + 1);
		fd = -1;
	}
	if (n < 0) {
		r = n;
	} else {
		r = svc_send(c->w.fd, s->buf, (size_t)n, fd);
		if (r == -EAGAIN || r == -ENOBUFS)
			r = conn_keep(s, c, s->buf, (size_t)n, fd);
	}
	if (r) {
		c->broken = 1;
		debug("uid %u pid %d: reply not sent: %s",
		      (unsigned int)c->peer.uid, (int)c->peer.pid,
		      strerror(-r));
	}
	return r;
}

/**
 * conn_refuse() - answer a request with an error, and log it
 * @s:		the service
 * @c:		the connection
 * @req:	the request, or NULL for one that could not be read
 * @err:	a positive errno
 * @fmt:	printf format of the message the client gets
 *
 * Return: -@err.
 */
int conn_refuse(struct serve *s, struct serve_conn *c,
		const struct svc_request *req, int err, const char *fmt, ...)
{
	struct svc_reply rep = { .err = err };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rep.message, sizeof(rep.message), fmt, ap);
	va_end(ap);
	info("uid %u pid %d: refused (%s): %s", (unsigned int)c->peer.uid,
	     (int)c->peer.pid, svc_errno_name(err), rep.message);
	conn_reply(s, c, req, &rep, -1);
	return -err;
}

/* One request, in s->buf. */
static void conn_request(struct serve *s, struct serve_conn *c, size_t len)
{
	char msg[SVC_ERRMSG_MAX];
	struct svc_request req;
	int r;

	r = svc_request_decode(s->buf, len, &req, msg, sizeof(msg));
	if (r) {
		conn_refuse(s, c, NULL, -r, "bad request: %s", msg);
		return;
	}
	switch (req.op) {
	case SVC_OP_ATTACH:
		attach_request(s, c, &req);
		break;
	case SVC_OP_DETACH:
		attach_detach(s, c, &req);
		break;
	case SVC_OP_STATUS:
		status_reply(s, c, &req);
		break;
	case SVC_OP_FORWARD_ADD:
	case SVC_OP_FORWARD_REMOVE:
		portfwd_request(s, c, &req);
		break;
	default:
		conn_refuse(s, c, &req, EOPNOTSUPP, "unknown operation");
	}
}

/* Send the reply that waited; then read requests again. */
static void conn_flush(struct serve *s, struct serve_conn *c)
{
	int r = svc_send(c->w.fd, c->out, c->out_len, c->out_fd);

	if (r == -EAGAIN || r == -ENOBUFS)
		return;
	free(c->out);
	c->out = NULL;
	if (c->out_fd >= 0)
		close(c->out_fd);
	c->out_fd = -1;
	if (r || serve_watch_mod(s, &c->w, EPOLLIN))
		c->broken = 1;
}

/**
 * conn_event() - what epoll said of a connection
 * @s:		the service
 * @c:		the connection, closed (freed) when it ended
 * @events:	EPOLL* bits
 */
void conn_event(struct serve *s, struct serve_conn *c, uint32_t events)
{
	ssize_t n;
	int i, fd;

	if (c->out && (events & EPOLLOUT))
		conn_flush(s, c);
	for (i = 0;
	     i < CONN_BURST && !c->out && !c->broken && (events & EPOLLIN);
	     i++) {
		n = svc_recv(c->w.fd, s->buf, SVC_REQ_MAX + 1, &fd);
		/* Clients send no descriptor: one that came goes. */
		if (n >= 0 && fd >= 0)
			close(fd);
		if (n == -EAGAIN || n == -EINTR)
			break;
		if (n == -EMSGSIZE || n == -EPROTO) {
			conn_refuse(
				s, c, NULL, -(int)n,
				"a request is one packet of at most %d bytes, with no descriptor",
				SVC_REQ_MAX);
			continue;
		}
		if (n <= 0) {
			c->broken = 1;
			break;
		}
		conn_request(s, c, (size_t)n);
	}
	if (!c->broken && !(events & (EPOLLIN | EPOLLOUT)) &&
	    (events & (EPOLLHUP | EPOLLERR)))
		c->broken = 1;
	if (c->broken)
		conn_close(s, c);
}
