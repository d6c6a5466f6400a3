// SPDX-License-Identifier: MIT
/* peer.c - test peers: echo threads on a socket or a listening unix socket */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "peer.h"

#define PEER_BUF (256 * 1024)

/* A guest that went away is a write error, not SIGPIPE: per send() on
 * Linux, per socket on macOS (which has no MSG_NOSIGNAL; peer_nosigpipe()). */
#ifdef MSG_NOSIGNAL
#define PEER_NOSIGNAL MSG_NOSIGNAL
#else
#define PEER_NOSIGNAL 0
#endif

static void peer_nosigpipe(int fd)
{
#ifdef SO_NOSIGPIPE
	int one = 1;

	setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof(one));
#else
	(void)fd;
#endif
}

struct peer {
	int fd;
	int listen_fd;
	int dgram;
	char path[108];
	pthread_t thread;
	unsigned char buf[PEER_BUF];
};

static int send_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t m = send(fd, p, n, PEER_NOSIGNAL);

		if (m < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += m;
		n -= (size_t)m;
	}
	return 0;
}

static void echo(struct peer *p)
{
	for (;;) {
		ssize_t m = recv(p->fd, p->buf, sizeof(p->buf), 0);

		if (m < 0 && errno == EINTR)
			continue;
		/* For datagrams too: 0 is the shutdown of peer_stop(). */
		if (m <= 0)
			return;
		if (send_all(p->fd, p->buf, (size_t)m))
			return;
	}
}

static void *echo_main(void *arg)
{
	struct peer *p = arg;

	if (p->listen_fd >= 0) {
		p->fd = accept(p->listen_fd, NULL, NULL);
		if (p->fd < 0)
			return NULL;
	}
	peer_nosigpipe(p->fd);
	echo(p);
	return NULL;
}

/**
 * peer_echo_start() - echo everything read from @fd back to it
 * @fd:		socket; owned by the peer from now on
 * @dgram:	@fd is a datagram socket
 *
 * Return: the peer, or NULL.
 */
struct peer *peer_echo_start(int fd, int dgram)
{
	struct peer *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->fd = fd;
	p->listen_fd = -1;
	p->dgram = dgram;
	if (pthread_create(&p->thread, NULL, echo_main, p)) {
		free(p);
		return NULL;
	}
	return p;
}

/**
 * peer_listen_start() - listen on @path; echo on the first connection
 * @path:	unix socket path, removed first if present
 *
 * Return: the peer, or NULL.
 */
struct peer *peer_listen_start(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct peer *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->fd = -1;
	snprintf(p->path, sizeof(p->path), "%s", path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	p->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (p->listen_fd < 0 || fcntl(p->listen_fd, F_SETFD, FD_CLOEXEC) ||
	    bind(p->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(p->listen_fd, 1) ||
	    pthread_create(&p->thread, NULL, echo_main, p)) {
		if (p->listen_fd >= 0)
			close(p->listen_fd);
		free(p);
		return NULL;
	}
	return p;
}

/**
 * peer_stop() - stop the echo thread and release everything
 * @p:		peer, or NULL
 */
void peer_stop(struct peer *p)
{
	if (!p)
		return;
	if (p->listen_fd >= 0)
		shutdown(p->listen_fd, SHUT_RDWR);
	if (p->fd >= 0)
		shutdown(p->fd, SHUT_RDWR);
	pthread_join(p->thread, NULL);
	if (p->fd >= 0)
		close(p->fd);
	if (p->listen_fd >= 0) {
		close(p->listen_fd);
		unlink(p->path);
	}
	free(p);
}
