// SPDX-License-Identifier: MIT
/* fixture_posix.c - the fixtures of a system without TAPs or namespaces
 * (macOS): loopback and the stream mode, for the conformance suite */
#include "fixture.h"

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

	fx_prepare(f, which, base, &cfg);
	return fx_opened(f, fx_sock_open(f, fx_how[which], &cfg));
}

/**
 * fx_close() - close the attachment, then stop the peer
 * @f:		fixture
 */
void fx_close(struct fx *f)
{
	fx_sock_close(f);
}
