// SPDX-License-Identifier: MIT
/* sock.c - squib-net serve's control socket: a SOCK_SEQPACKET unix socket,
 * 0660 and of the service's group (0600 when it has none), or the one
 * systemd passed (sd_listen_fds(3)) */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "log.h"
#include "sock.h"

/* Connections the kernel queues before the service accepts them. */
#define SOCK_BACKLOG 128

/* The socket's group: --group NAME|GID, else squib-net when that group
 * exists; 1 and @gid set, 0 when none (root only), or a negative errno. */
static int sock_group(const char *name, gid_t *gid, char *msg, size_t len)
{
	struct group *g;
	unsigned long v;
	char *end;

	if (name[0] >= '0' && name[0] <= '9') {
		errno = 0;
		v = strtoul(name, &end, 10);
		if (errno || *end || v >= (gid_t)-1) {
			snprintf(msg, len, "group: %s is not a group id", name);
			return -EINVAL;
		}
		*gid = (gid_t)v;
		return 1;
	}
	g = getgrnam(name[0] ? name : SERVE_GROUP_DEFAULT);
	if (g) {
		*gid = g->gr_gid;
		return 1;
	}
	if (!name[0])
		return 0;
	snprintf(msg, len, "group: no group named %s", name);
	return -EINVAL;
}

/* A file left at @path: a socket nobody listens on goes; anything else
 * stops the start. */
static int sock_stale(const char *path, char *msg, size_t len)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(msg, len, "%s: exists and is not a socket", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memcpy(a.sun_path, path, strlen(path) + 1);
	r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	if (!r) {
		snprintf(msg, len, "%s: another service listens on it", path);
		return -EADDRINUSE;
	}
	return unlink(path) && errno != ENOENT ? -errno : 0;
}

/* The socket systemd passed: one SOCK_SEQPACKET unix socket. Return: 1
 * taken, 0 none passed, or a negative errno. */
static int sock_activated(struct serve *s, char *msg, size_t len)
{
	int n = sd_listen_fds(1), fd = SD_LISTEN_FDS_START;

	if (n <= 0)
		return n;
	if (n > 1 || sd_is_socket_unix(fd, SOCK_SEQPACKET, 1, NULL, 0) <= 0) {
		snprintf(
			msg, len,
			"socket activation: wanted one listening SOCK_SEQPACKET unix socket, got %d descriptors",
			n);
		return -EINVAL;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC))
		return -errno;
	s->listen.fd = fd;
	s->activated = 1;
	info("control socket from systemd (fd %d)", fd);
	return 1;
}

/**
 * sock_open() - the control socket, listening
 * @s:		the service; s->cfg says where, and of which group
 * @msg:	set on failure
 * @len:	its size
 *
 * Made 0600 (umask) and only then given its group and 0660: no one else
 * can connect in between.
 *
 * Return: 0 or a negative errno.
 */
int sock_open(struct serve *s, char *msg, size_t len)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	const char *path = s->cfg.socket;
	char dir[sizeof(a.sun_path)], *slash;
	gid_t gid = 0;
	mode_t old;
	int fd, r, group;

	s->listen.kind = SERVE_LISTEN;
	r = sock_activated(s, msg, len);
	if (r)
		return r < 0 ? r : 0;
	group = sock_group(s->cfg.group, &gid, msg, len);
	if (group < 0)
		return group;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			r = -errno;
			snprintf(msg, len, "%s: %s", dir, strerror(errno));
			return r;
		}
	}
	r = sock_stale(path, msg, len);
	if (r)
		return r;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	memcpy(a.sun_path, path, strlen(path) + 1);
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&a, sizeof(a));
	umask(old);
	if (r)
		goto fail;
	s->socket_made = 1;
	if ((group && chown(path, (uid_t)-1, gid)) ||
	    chmod(path, group ? 0660 : 0600) || listen(fd, SOCK_BACKLOG))
		goto fail;
	s->listen.fd = fd;
	if (group)
		info("control socket %s (mode 0660, group %u)", path,
		     (unsigned int)gid);
	else
		info("control socket %s (mode 0600: no group %s)", path,
		     SERVE_GROUP_DEFAULT);
	return 0;
fail:
	r = -errno;
	snprintf(msg, len, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (s->socket_made)
		unlink(path);
	s->socket_made = 0;
	return r;
}

/**
 * sock_close() - close the control socket, and remove its file when the
 * service made it
 * @s:		the service
 */
void sock_close(struct serve *s)
{
	if (s->listen.fd < 0)
		return;
	close(s->listen.fd);
	s->listen.fd = -1;
	if (s->socket_made)
		unlink(s->cfg.socket);
	s->socket_made = 0;
}
