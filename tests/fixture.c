// SPDX-License-Identifier: MIT
/* fixture.c - an attachment of every backend (with an echo peer) for tests */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "fixture_ns.h"

/* The first five are fixture_sock.c's, in its order. */
enum {
	FX_LOOPBACK = FX_SOCK_LOOPBACK,
	FX_STREAM_FD = FX_SOCK_FD,
	FX_STREAM_PATH = FX_SOCK_PATH,
	FX_HYPERKIT = FX_SOCK_HYPERKIT,
	FX_DGRAM = FX_SOCK_DGRAM,
	FX_USERSPACE,
	FX_TAP,
	FX_PLANE,
};

/*
 * The fixtures. tap: a TAP the test makes, passed as tap_fd; plane: a
 * host-only network sqn_open() makes (bridge, nftables table, dnsmasq,
 * the attachment's TAP as its port). Both in a network namespace of the
 * test process's own (fixture_ns.c), with an AF_PACKET socket on the
 * attachment's TAP as the peer: what the attachment writes, the kernel
 * receives there and the peer sends back.
 */
const char *const fx_names[] = {
	[FX_LOOPBACK] = "loopback",
	[FX_STREAM_FD] = "stream-fd",
	[FX_STREAM_PATH] = "stream-path",
	[FX_HYPERKIT] = "stream-hyperkit",
	[FX_DGRAM] = "stream-dgram",
	[FX_USERSPACE] = "userspace-echo",
	[FX_TAP] = "tap",
	[FX_PLANE] = "plane-host",
};

/*
 * max_packet: the hyperkit framing's 2-byte length stops at 65535; so does
 * a TAP (tun's largest MTU, 65521, which the fixtures give their TAPs).
 *
 * hold: a TAP never pushes back: the kernel takes each write at once
 * (tun_get_user(); the send buffer is freed as the frame is passed on)
 * and drops what the guest leaves unread beyond the TAP's queue (500
 * frames, tun's tx_queue_len), as a NIC drops what its ring has no room
 * for. So their back-pressure check sends 256 frames unread and wants
 * each back, intact and in order, and their close-while-full check sends
 * twice that.
 *
 * cycles: each TAP cycle makes and deletes a TAP and a packet socket,
 * which wait for RCU grace periods (about 30 ms a cycle); a plane one
 * makes and removes a whole network (about 100 ms, dnsmasq's start and
 * stop the most of it). 100 cycles find a leak per cycle as 1000 would.
 */
const struct fx_kind fx_kinds[] = {
	[FX_LOOPBACK] = { 65536, 0, 1000 },
	[FX_STREAM_FD] = { 65536, 0, 1000 },
	[FX_STREAM_PATH] = { 65536, 0, 1000 },
	[FX_HYPERKIT] = { 65535, 0, 1000 },
	[FX_DGRAM] = { 65536, 0, 1000 },
	[FX_USERSPACE] = { 65536, 0, 1000 },
	[FX_TAP] = { 65535, 256, 100 },
	[FX_PLANE] = { 65535, 256, 100 },
};
const unsigned int fx_count = sizeof(fx_names) / sizeof(fx_names[0]);

/**
 * fx_fake_helper() - path of tests/fake_helper.c's program
 *
 * $SQN_FAKE_HELPER, else beside this test program, else, for the ASan
 * builds in B/asan/tests, in B/tests.
 *
 * Return: a path (a static string).
 */
const char *fx_fake_helper(void)
{
	static char path[PATH_MAX + 32];
	char exe[PATH_MAX], *slash;
	const char *env = getenv("SQN_FAKE_HELPER");
	ssize_t n;

	if (env && *env)
		return env;
	if (path[0])
		return path;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return "fake_helper";
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(path, sizeof(path), "%s/fake_helper", exe);
	if (access(path, X_OK))
		snprintf(path, sizeof(path), "%s/../../tests/fake_helper", exe);
	return path;
}

/**
 * fx_open() - open fixture @which, starting its echo peer
 * @f:		fixture to fill
 * @which:	index in fx_names
 * @base:	config to start from (mode and peer are set here), or NULL
 *
 * Return: 0 or the error of sqn_open() (then nothing is left open).
 */
int fx_open(struct fx *f, unsigned int which, const struct sqn_config *base)
{
	static const char *const echo_args[] = { "echo", NULL };
	struct sqn_config cfg;
	int r;

	fx_prepare(f, which, base, &cfg);
	if (which == FX_TAP || which == FX_PLANE) {
		r = fx_ns_open(f, which == FX_PLANE, &cfg);
	} else if (which == FX_USERSPACE) {
		/* The helper is the peer: tests/fake_helper.c echoes. */
		cfg.mode = SQN_MODE_USERSPACE;
		cfg.helper = SQN_HELPER_CUSTOM;
		cfg.helper_path = fx_fake_helper();
		cfg.helper_args = echo_args;
		cfg.helper_start_ms = 1;
		r = sqn_open(&cfg, &f->net);
	} else {
		r = fx_sock_open(f, (enum fx_sock)which, &cfg);
	}
	return fx_opened(f, r);
}

/**
 * fx_close() - close the attachment, then stop the peer
 * @f:		fixture
 */
void fx_close(struct fx *f)
{
	fx_sock_close(f);
	fx_ns_close(f);
}
