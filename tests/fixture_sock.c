// SPDX-License-Identifier: MIT
/* fixture_sock.c - the attachments whose peer is a socket (or none):
 * loopback and the stream mode's framings, on Linux and macOS alike */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.h"
#include "peer.h"

/* A socketpair, both ends close-on-exec (macOS has no SOCK_CLOEXEC). */
static int pair(int type, int sp[2])
{
	if (socketpair(AF_UNIX, type, 0, sp))
		return -errno;
	if (fcntl(sp[0], F_SETFD, FD_CLOEXEC) ||
	    fcntl(sp[1], F_SETFD, FD_CLOEXEC)) {
		close(sp[0]);
		close(sp[1]);
		return -errno;
	}
	return 0;
}

/**
 * fx_sock_open() - open an attachment of kind @how, with its echo peer
 * @f:		fixture, name and kind already set
 * @how:	which
 * @cfg:	config to start from (mode, framing and peer are set here)
 *
 * Return: 0 or a negative errno (the caller's fx_close() cleans up).
 */
int fx_sock_open(struct fx *f, enum fx_sock how, struct sqn_config *cfg)
{
	char path[64];
	int sp[2] = { -1, -1 }, r, dgram = how == FX_SOCK_DGRAM;

	cfg->mode = how == FX_SOCK_LOOPBACK ? SQN_MODE_LOOPBACK :
					      SQN_MODE_STREAM;
	if (how == FX_SOCK_HYPERKIT)
		cfg->framing = SQN_FRAMING_HYPERKIT;
	if (dgram)
		cfg->framing = SQN_FRAMING_DGRAM;
	if (how == FX_SOCK_PATH) {
		snprintf(path, sizeof(path), "/tmp/sqn-test-%d.sock",
			 (int)getpid());
		f->peer = peer_listen_start(path);
		if (!f->peer)
			return -EIO;
		cfg->peer_path = path;
	} else if (how != FX_SOCK_LOOPBACK) {
		r = pair(dgram ? SOCK_DGRAM : SOCK_STREAM, sp);
		if (r)
			return r;
		cfg->peer_fd = sp[0];
	}
	r = sqn_open(cfg, &f->net);
	if (sp[0] >= 0)
		close(sp[0]);
	if (!r && sp[1] >= 0) {
		f->peer = peer_echo_start(sp[1], dgram);
		if (!f->peer)
			r = -EIO;
		sp[1] = -1;
	}
	if (sp[1] >= 0)
		close(sp[1]);
	return r;
}

/**
 * fx_sock_close() - close the attachment, then stop the peer
 * @f:		fixture
 */
void fx_sock_close(struct fx *f)
{
	sqn_close(f->net);
	f->net = NULL;
	peer_stop(f->peer);
	f->peer = NULL;
}
