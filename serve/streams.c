// SPDX-License-Identifier: MIT
/* streams.c - squib-net serve's stream sockets: <dir>/<network>.sock
 * beside the control socket, one per network with a bridge to port onto;
 * each connection, checked like an attach, becomes a TAP port relayed to
 * it (relay.c) */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "attach.h"
#include "conn.h"
#include "log.h"
#include "streams.h"

/* Connections the kernel queues before the service accepts them. */
#define STREAMS_BACKLOG 128

/* Whether network @n has a bridge its ports go on: shared and host
 * always; bridged only when its interface is a bridge (a NIC's ports
 * are macvtaps, which the relay does not drive). */
static int streams_wanted(const struct serve_net *n)
{
	char path[64];

	/* A VXLAN member's bridge is its own, made with the network (which
	 * may come up later: on SIGHUP, at an attach). */
	if (n->spec.mode != SQN_MODE_BRIDGED || n->conf.member)
		return 1;
	snprintf(path, sizeof(path), "/sys/class/net/%s/bridge",
		 n->spec.bridged_iface);
	return !access(path, F_OK);
}

/* Where network @n's stream socket goes: beside the control socket.
 * Return: 0, or -ENAMETOOLONG. */
static int streams_path(const struct serve *s, const struct serve_net *n,
			char *out, size_t len)
{
	const char *slash = strrchr(s->cfg.socket, '/');
	int dir = slash ? (int)(slash - s->cfg.socket) : 1;
	const char *d = slash ? s->cfg.socket : ".";
	int m;

	if (slash == s->cfg.socket)
		dir = 0;
	m = snprintf(out, len, "%.*s/%s.sock", dir, d, n->conf.name);
	return m < 0 || (size_t)m >= len ? -ENAMETOOLONG : 0;
}

/* One network's socket, made as the control socket was: 0600 from the
 * start, then its group and mode (@st: the control socket's). */
static int streams_listen(struct serve *s, struct serve_net *n,
			  const struct stat *st)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat old;
	mode_t um;
	int fd, r;

	if (streams_path(s, n, a.sun_path, sizeof(a.sun_path)))
		return -ENAMETOOLONG;
	if (!lstat(a.sun_path, &old) && !S_ISSOCK(old.st_mode))
		return -EEXIST;
	/* The control socket is ours (sock.c refused another service's):
	 * a socket left here is a dead service's. */
	unlink(a.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	um = umask(0177);
	r = bind(fd, (struct sockaddr *)&a, sizeof(a));
	umask(um);
	if (r || (st && chown(a.sun_path, (uid_t)-1, st->st_gid)) ||
	    chmod(a.sun_path, st ? st->st_mode & 0660 : 0600) ||
	    listen(fd, STREAMS_BACKLOG)) {
		r = -errno;
		close(fd);
		unlink(a.sun_path);
		return r;
	}
	n->stream.fd = fd;
	r = serve_watch_add(s, &n->stream, EPOLLIN);
	if (r) {
		close(fd);
		unlink(a.sun_path);
		n->stream.fd = -1;
		return r;
	}
	memcpy(n->stream_path, a.sun_path, sizeof(n->stream_path));
	return 0;
}

/**
 * streams_open() - each network's stream socket, listening
 * @s:		the service, its control socket and networks set up
 *
 * A network whose socket cannot be made has none (logged): its other
 * clients are served all the same.
 */
void streams_open(struct serve *s)
{
	struct serve_net *n;
	struct stat st;
	unsigned int i;
	int r, have;

	/* Same group and mode as the control socket (systemd's too). */
	have = !stat(s->cfg.socket, &st);
	for (i = 0; i < s->n_nets; i++) {
		n = &s->nets[i];
		if (!streams_wanted(n))
			continue;
		r = streams_listen(s, n, have ? &st : NULL);
		if (r)
			warn("network %s: no stream socket: %s", n->conf.name,
			     strerror(-r));
		else
			info("network %s: stream socket %s", n->conf.name,
			     n->stream_path);
	}
}

/**
 * streams_close() - close the stream sockets and remove their files (the
 * relays go with their attachments)
 * @s:		the service
 */
void streams_close(struct serve *s)
{
	struct serve_net *n;
	unsigned int i;

	for (i = 0; i < s->n_nets; i++) {
		n = &s->nets[i];
		if (n->stream.fd < 0)
			continue;
		serve_watch_del(s, &n->stream);
		close(n->stream.fd);
		n->stream.fd = -1;
		unlink(n->stream_path);
		n->stream_path[0] = '\0';
	}
}

/* Why one more stream connection of @uid is too many, or NULL: as for
 * control connections, the last SERVE_STREAMS_ROOT are root's. */
static const char *streams_too_many(const struct serve *s, uid_t uid)
{
	const struct serve_att *a;
	unsigned int all = 0, mine = 0;

	for (a = s->atts; a; a = a->next) {
		if (a->kind != SVC_KIND_STREAM)
			continue;
		all++;
		mine += a->uid == uid;
	}
	if (all >= SERVE_STREAMS_MAX)
		return "too many stream connections";
	if (!uid)
		return NULL;
	if (all >= SERVE_STREAMS_MAX - SERVE_STREAMS_ROOT)
		return "the last stream connections are root's";
	return mine >= SERVE_STREAMS_PER_UID ?
		       "too many stream connections of one uid" :
		       NULL;
}

/* The label a stream client gets: its process's name, else "stream". */
static void streams_label(pid_t pid, char *out, size_t len)
{
	char path[64];
	size_t n;
	FILE *f;

	snprintf(out, len, "stream");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(out, (int)len, f)) {
		n = strcspn(out, "\n");
		out[n] = '\0';
	}
	fclose(f);
	for (n = 0; out[n]; n++)
		if (out[n] < 0x20 || out[n] > 0x7e)
			out[n] = '?';
	if (!out[0])
		snprintf(out, len, "stream");
}

/* One connection: identified, checked, made an attachment, or closed. */
static void streams_new(struct serve *s, struct serve_net *n, int fd)
{
	char label[SVC_LABEL_MAX], msg[SVC_ERRMSG_MAX];
	struct acl_peer peer;
	const char *why;
	int r;

	r = acl_peer_from_socket(fd, &peer);
	if (r) {
		warn("network %s: stream socket: a peer not identified (%s): closed",
		     n->conf.name, strerror(-r));
		close(fd);
		return;
	}
	why = streams_too_many(s, peer.uid);
	if (why) {
		info("uid %u pid %d: stream connection to %s refused: %s",
		     (unsigned int)peer.uid, (int)peer.pid, n->conf.name, why);
		r = -EMFILE;
	} else {
		streams_label(peer.pid, label, sizeof(label));
		r = attach_stream(s, n, &peer, fd, label, msg, sizeof(msg));
		if (r)
			info("uid %u pid %d: stream connection to %s refused (%s): %s",
			     (unsigned int)peer.uid, (int)peer.pid,
			     n->conf.name, svc_errno_name(-r), msg);
	}
	acl_peer_release(&peer);
	/* The relay keeps a duplicate. */
	close(fd);
}

/* Out of descriptors: the connection waiting is taken with the one in
 * reserve and closed, so that the socket does not stay readable. Return:
 * 1 when one was taken. */
static int streams_shed(struct serve *s, struct serve_net *n)
{
	int fd;

	if (s->spare < 0)
		return 0;
	close(s->spare);
	s->spare = -1;
	fd = accept4(n->stream.fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0)
		close(fd);
	conn_spare(s);
	if (fd < 0)
		return 0;
	warn("network %s: stream socket: out of descriptors: a connection closed",
	     n->conf.name);
	return 1;
}

/**
 * streams_accept() - take the connections waiting on a stream socket
 * @s:		the service
 * @w:		the socket's watch (a network's @stream)
 */
void streams_accept(struct serve *s, struct serve_watch *w)
{
	struct serve_net *n =
		(struct serve_net *)((char *)w -
				     offsetof(struct serve_net, stream));
	unsigned int i;
	int fd;

	conn_spare(s);
	/* A burst at most: the other clients get their turn between. */
	for (i = 0; i < STREAMS_BACKLOG; i++) {
		fd = accept4(n->stream.fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if ((errno == EMFILE || errno == ENFILE) &&
			    streams_shed(s, n))
				continue;
			if (errno != EAGAIN)
				warn("network %s: stream socket: %s",
				     n->conf.name, strerror(errno));
			return;
		}
		streams_new(s, n, fd);
	}
}
