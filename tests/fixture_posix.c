// SPDX-License-Identifier: MIT
/* fixture_posix.c - the fixtures of a system without TAPs or namespaces
 * (macOS): loopback and the stream mode, for the conformance suite */
#include <string.h>

#include "fixture.h"
#include "peer.h"

/*
 * As in fixture.c. The datagram framing is left out: its largest frame
 * follows the system's datagram socket buffers (src/dgram.c), which are
 * much smaller on macOS than the suite's 64 KiB frames.
 */
const char *const fx_names[] = { "loopback", "stream-fd", "stream-path",
				 "stream-hyperkit" };
const struct fx_kind fx_kinds[] = {
	{ 65536, 0, 1000 },
	{ 65536, 0, 1000 },
	{ 65536, 0, 1000 },
	{ 65535, 0, 1000 },
};
const unsigned int fx_count = sizeof(fx_names) / sizeof(fx_names[0]);
static const enum fx_sock fx_how[] = { FX_SOCK_LOOPBACK, FX_SOCK_FD,
				       FX_SOCK_PATH, FX_SOCK_HYPERKIT };

/**
 * fx_open() - open fixture @which, starting its echo peer
 * @f:		fixture to fill
 * @which:	index in fx_names
 * @base:	config to start from, or NULL
 *
 * Return: 0 or the error of sqn_open() (then nothing is left open).
 */
int fx_open(struct fx *f, unsigned int which, const struct sqn_config *base)
{
	struct sqn_config cfg;
	int r;

	memset(f, 0, sizeof(*f));
	f->name = fx_names[which];
	f->kind = &fx_kinds[which];
	if (base)
		cfg = *base;
	else
		sqn_config_init(&cfg);
	r = fx_sock_open(f, fx_how[which], &cfg);
	if (r) {
		fx_close(f);
		return r;
	}
	sqn_info(f->net, &f->info);
	return 0;
}

/**
 * fx_close() - close the attachment, then stop the peer
 * @f:		fixture
 */
void fx_close(struct fx *f)
{
	sqn_close(f->net);
	f->net = NULL;
	peer_stop(f->peer);
	f->peer = NULL;
}
