// SPDX-License-Identifier: MIT
/* runstream.c - "squib-net run --stream": the network's stream socket, connected, on fd N of the VMM */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "attach.h"
#include "log.h"
#include "runstream.h"
#include "sockpeer.h"

/**
 * runstream_path() - the stream socket of network @network
 * @socket:	the control socket as given (--socket), or NULL
 * @network:	the network as given (--network), "" for the default
 * @out:	set: <the control socket's directory>/<network>.sock, the
 *		network by its own name ("" and "shared": sqn-shared,
 *		"host": sqn-host), as squib-net serve names it
 * @len:	bytes of @out
 *
 * Return: 0, or -ENAMETOOLONG when it does not fit a unix socket address.
 */
int runstream_path(const char *socket, const char *network, char *out,
		   size_t len)
{
	const char *ctl = svc_socket_path(socket);
	const char *slash = strrchr(ctl, '/');
	int dir = slash ? (int)(slash - ctl) : 1;
	const char *d = slash ? ctl : ".";
	struct sockaddr_un sa;
	int m;

	if (!network[0] || !strcmp(network, "shared"))
		network = "sqn-shared";
	else if (!strcmp(network, "host"))
		network = "sqn-host";
	/* "/control": the root directory. */
	if (slash == ctl)
		dir = 0;
	m = snprintf(out, len, "%.*s/%s.sock", dir, d, network);
	if (m < 0 || (size_t)m >= len || (size_t)m >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	return 0;
}

/**
 * runstream_exec() - connect to the network's stream socket, put the
 * connection on fd @fd and execute @vmm
 * @socket:	the control socket as given (--socket), or NULL
 * @network:	the network as given (--network), "" for the default
 * @fd:		the connection's descriptor in @vmm, 3 or above
 * @vmm:	the program and its arguments
 *
 * The connection is the attachment: the service gives it a port on the
 * network's bridge, and removes the port when the connection closes,
 * that is when @vmm (and whoever it passed the descriptor to) ends.
 * @vmm's environment gets SQN_FD (@fd) and SQN_STREAM (the socket's path).
 *
 * Return: only on failure: 1, after one line on stderr.
 */
int runstream_exec(const char *socket, const char *network, int fd, char **vmm)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)], buf[16];
	int conn;

	if (runstream_path(socket, network, path, sizeof(path))) {
		err("run: the stream socket of network %s next to %s: too long for a unix socket address",
		    network[0] ? network : "sqn-shared",
		    svc_socket_path(socket));
		return 1;
	}
	conn = sockpeer_connect(path, SOCK_STREAM, ATTACH_CONNECT_MS);
	if (conn < 0) {
		err("run: %s: %s%s", path, strerror(-conn),
		    conn == -ENOENT || conn == -ECONNREFUSED ?
			    " (is squib-net serve running, with that network?)" :
			    "");
		return 1;
	}
	if (conn == fd ? fcntl(fd, F_SETFD, 0) : dup2(conn, fd) < 0) {
		err("run: the connection on fd %d: %s", fd, strerror(errno));
		close(conn);
		return 1;
	}
	if (conn != fd)
		close(conn);
	snprintf(buf, sizeof(buf), "%d", fd);
	setenv("SQN_FD", buf, 1);
	setenv("SQN_STREAM", path, 1);
	execvp(vmm[0], vmm);
	err("run: %s: %s", vmm[0], strerror(errno));
	return 1;
}
