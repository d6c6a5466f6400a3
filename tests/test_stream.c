// SPDX-License-Identifier: MIT
/* test_stream.c - the stream backend against hostile and vanishing peers */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

static uint8_t buf[70000];

struct raw {
	sqn_net *net;
	int peer;
};

static void raw_open(struct raw *r, enum sqn_framing framing)
{
	struct sqn_config cfg;
	int sp[2], e;

	CHECK(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp));
	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_STREAM;
	cfg.peer_fd = sp[0];
	cfg.framing = framing;
	e = sqn_open(&cfg, &r->net);
	CHECK_MSG(!e, "open: %s", sqn_last_error(NULL));
	close(sp[0]);
	r->peer = sp[1];
}

static void raw_close(struct raw *r)
{
	sqn_close(r->net);
	if (r->peer >= 0)
		close(r->peer);
}

static void put_qemu(uint8_t *p, uint32_t len)
{
	p[0] = (uint8_t)(len >> 24);
	p[1] = (uint8_t)(len >> 16);
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
}

/* Receive until something other than a frame happens. */
static int recv_until_error(struct raw *r, unsigned int *frames)
{
	struct iovec iov = { buf, sizeof(buf) };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	int n, waits = 0;

	*frames = 0;
	for (;;) {
		struct pollfd pfd = { sqn_fd(r->net), POLLIN, 0 };

		n = sqn_recv(r->net, &p, 1);
		if (n == 1) {
			(*frames)++;
			continue;
		}
		if (n != -EAGAIN || ++waits > 20)
			return n;
		poll(&pfd, 1, 100);
	}
}

/* The peer writes @len bytes of @msg and leaves: @frames arrive, then the
 * link is down with @errors counted and @why in the message. Closes @r. */
static void peer_writes_and_leaves(struct raw *r, const void *msg, size_t len,
				   unsigned int frames, uint64_t errors,
				   const char *why)
{
	struct sqn_stats st;
	unsigned int got;

	CHECK_EQ(write(r->peer, msg, len), len);
	close(r->peer);
	r->peer = -1;
	CHECK_EQ(recv_until_error(r, &got), -ENOTCONN);
	CHECK_EQ(got, frames);
	sqn_stats(r->net, &st);
	CHECK_EQ(st.rx_errors, errors);
	CHECK_MSG(strstr(sqn_last_error(r->net), why), "%s",
		  sqn_last_error(r->net));
	raw_close(r);
}

/* A good frame, then a header with @bad_len: the good one arrives, then
 * the link is reset and the error counted. */
static void bad_length(uint32_t bad_len, enum sqn_framing framing)
{
	struct sqn_stats st;
	struct sqn_info info;
	struct raw r;
	uint8_t msg[4 + 60 + 4] = { 0 };
	unsigned int frames;
	char want[128];
	size_t n;

	raw_open(&r, framing);
	if (framing == SQN_FRAMING_HYPERKIT) {
		msg[0] = 60;
		msg[62] = (uint8_t)bad_len;
		msg[63] = (uint8_t)(bad_len >> 8);
		n = 64;
	} else {
		put_qemu(msg, 60);
		put_qemu(msg + 64, bad_len);
		n = sizeof(msg);
	}
	CHECK_EQ(write(r.peer, msg, n), n);
	CHECK_EQ(recv_until_error(&r, &frames), -ENOTCONN);
	CHECK_EQ(frames, 1);
	sqn_stats(r.net, &st);
	CHECK_EQ(st.rx_errors, 1);
	CHECK_EQ(st.rx_frames, 1);
	sqn_info(r.net, &info);
	CHECK_EQ(info.link_up, 0);
	snprintf(want, sizeof(want),
		 "frame length of %u (%s): connection reset", bad_len,
		 bad_len < 14 ? "below an Ethernet header" :
				"above the frame cap");
	CHECK_MSG(strstr(sqn_last_error(r.net), want), "\"%s\" lacks \"%s\"",
		  sqn_last_error(r.net), want);
	/* The peer sees the reset. */
	CHECK_EQ(read(r.peer, buf, sizeof(buf)), 0);
	CHECK_EQ(sqn_send(r.net, NULL, 0), -ENOTCONN);
	CHECK_EQ(sqn_recv(r.net, NULL, 0), 0);
	raw_close(&r);
}

TEST(garbage_lengths_reset_the_link)
{
	bad_length(0, SQN_FRAMING_QEMU);
	bad_length(3, SQN_FRAMING_QEMU);
	bad_length(13, SQN_FRAMING_QEMU);
	bad_length(65537, SQN_FRAMING_QEMU);
	bad_length(1000000, SQN_FRAMING_QEMU);
	bad_length(0xffffffffu, SQN_FRAMING_QEMU);
	bad_length(0, SQN_FRAMING_HYPERKIT);
	bad_length(3, SQN_FRAMING_HYPERKIT);
}

TEST(eof_mid_frame_is_counted)
{
	struct raw r;
	uint8_t msg[4 + 20] = { 0 };

	raw_open(&r, SQN_FRAMING_QEMU);
	put_qemu(msg, 1500);
	peer_writes_and_leaves(&r, msg, sizeof(msg), 0, 1, "middle of a frame");
}

TEST(peer_gone_after_frames_delivers_them_first)
{
	struct raw r;
	uint8_t msg[3 * 64];
	unsigned int i;

	raw_open(&r, SQN_FRAMING_QEMU);
	for (i = 0; i < 3; i++) {
		put_qemu(msg + i * 64, 60);
		memset(msg + i * 64 + 4, (int)i, 60);
	}
	peer_writes_and_leaves(&r, msg, sizeof(msg), 3, 0, "peer closed");
}

TEST(send_to_vanished_peer_reports_link_down)
{
	struct iovec iov = { buf, 60 };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	struct sqn_stats st;
	struct raw r;

	raw_open(&r, SQN_FRAMING_QEMU);
	close(r.peer);
	r.peer = -1;
	CHECK_EQ(sqn_send(r.net, &p, 1), -ENOTCONN);
	CHECK_EQ(errno, ENOTCONN);
	CHECK_EQ(sqn_send(r.net, &p, 1), -ENOTCONN);
	CHECK_EQ(sqn_flush(r.net), -ENOTCONN);
	sqn_stats(r.net, &st);
	CHECK_EQ(st.tx_errors, 1);
	CHECK_EQ(st.tx_frames, 0);
	raw_close(&r);
}

TEST(one_byte_at_a_time)
{
	struct iovec iov = { buf, sizeof(buf) };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	uint8_t msg[2 * (4 + 100)];
	struct raw r;
	size_t i;
	int got = 0;

	raw_open(&r, SQN_FRAMING_QEMU);
	put_qemu(msg, 100);
	frame_fill(msg + 4, 100, 1);
	put_qemu(msg + 104, 100);
	frame_fill(msg + 108, 100, 2);
	for (i = 0; i < sizeof(msg); i++) {
		int n;

		CHECK_EQ(write(r.peer, msg + i, 1), 1);
		n = sqn_recv(r.net, &p, 1);
		if (n == 1) {
			got++;
			CHECK(frame_check(buf, 100, (uint32_t)got));
			CHECK_EQ(i, got == 1 ? 103 : 207);
		} else {
			CHECK_EQ(n, -EAGAIN);
		}
	}
	CHECK_EQ(got, 2);
	raw_close(&r);
}

TEST(wire_format_is_qemu_and_hyperkit)
{
	struct iovec iov = { buf, 60 };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	uint8_t wire[64];
	struct raw r;

	frame_fill(buf, 60, 5);
	raw_open(&r, SQN_FRAMING_QEMU);
	CHECK_EQ(sqn_send(r.net, &p, 1), 1);
	CHECK_EQ(read(r.peer, wire, sizeof(wire)), 64);
	CHECK(wire[0] == 0 && wire[1] == 0 && wire[2] == 0 && wire[3] == 60);
	CHECK(frame_check(wire + 4, 60, 5));
	raw_close(&r);

	raw_open(&r, SQN_FRAMING_HYPERKIT);
	CHECK_EQ(sqn_send(r.net, &p, 1), 1);
	CHECK_EQ(read(r.peer, wire, sizeof(wire)), 62);
	CHECK(wire[0] == 60 && wire[1] == 0);
	CHECK(frame_check(wire + 2, 60, 5));
	raw_close(&r);
}

static int open_err(struct sqn_config *cfg, const char *want)
{
	sqn_net *net = (sqn_net *)1;
	int r = sqn_open(cfg, &net);

	CHECK_MSG(r < 0, "open succeeded; wanted \"%s\"", want);
	CHECK(net == NULL);
	CHECK_MSG(strstr(sqn_last_error(NULL), want), "\"%s\" lacks \"%s\"",
		  sqn_last_error(NULL), want);
	return r;
}

TEST(bad_peers_at_open)
{
	struct sqn_config cfg;
	int sp[2], fds = harness_fd_count();
	char longpath[200];

	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_STREAM;
	cfg.peer_path = "/nonexistent/sqn.sock";
	CHECK_EQ(open_err(&cfg, "/nonexistent/sqn.sock: No such file"),
		 -ENOENT);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	cfg.peer_path = longpath;
	open_err(&cfg, "too long for a unix socket address");
	cfg.peer_path = NULL;
	cfg.peer_fd = -1;
	open_err(&cfg, "peer_path");
	cfg.peer_fd = 0 + fds + 100; /* not open */
	open_err(&cfg, "not a socket");
	CHECK(!socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp));
	cfg.peer_fd = sp[0];
	open_err(&cfg, "datagram socket, but the framing needs a stream");
	close(sp[0]);
	close(sp[1]);
	CHECK(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp));
	cfg.peer_fd = sp[0];
	cfg.framing = SQN_FRAMING_HYPERKIT;
	cfg.mtu = 65522;
	open_err(&cfg, "mtu: 65522 is above 65521");
	close(sp[0]);
	close(sp[1]);
	CHECK_EQ(harness_fd_count(), fds);
}

TEST(peer_fd_stays_the_callers)
{
	struct sqn_config cfg;
	sqn_net *net;
	int sp[2];

	CHECK(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp));
	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_STREAM;
	cfg.peer_fd = sp[0];
	CHECK(!sqn_open(&cfg, &net));
	CHECK(sqn_fd(net) != sp[0]);
	sqn_close(net);
	CHECK_EQ(write(sp[0], "x", 1), 1);
	close(sp[0]);
	close(sp[1]);
}

TEST(bad_datagrams_are_dropped_and_counted)
{
	static uint8_t rxb[6][2000];
	struct iovec iov[6];
	struct sqn_pkt p[6];
	struct sqn_config cfg;
	struct sqn_stats st;
	struct sqn_info info;
	uint8_t frame[100];
	sqn_net *net;
	int sp[2], i, n;

	CHECK(!socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp));
	sqn_config_init(&cfg);
	cfg.mode = SQN_MODE_STREAM;
	cfg.framing = SQN_FRAMING_DGRAM;
	cfg.peer_fd = sp[0];
	CHECK(!sqn_open(&cfg, &net));
	close(sp[0]);
	/* good, empty, 13 bytes, good, 60 bytes into a 20-byte buffer */
	frame_fill(frame, 100, 1);
	CHECK_EQ(send(sp[1], frame, 100, 0), 100);
	CHECK_EQ(send(sp[1], frame, 0, 0), 0);
	CHECK_EQ(send(sp[1], frame, 13, 0), 13);
	frame_fill(frame, 100, 2);
	CHECK_EQ(send(sp[1], frame, 100, 0), 100);
	frame_fill(frame, 60, 3);
	CHECK_EQ(send(sp[1], frame, 60, 0), 60);
	/* Good frames move down over the bad ones' descriptors. */
	for (i = 0; i < 6; i++) {
		iov[i] = (struct iovec){ rxb[i], i == 2 ? 20 : sizeof(rxb[i]) };
		p[i] = (struct sqn_pkt){ .iov = &iov[i], .iovcnt = 1 };
	}
	n = sqn_recv(net, p, 6);
	CHECK_EQ(n, 3);
	CHECK(p[0].len == 100 && !p[0].flags && frame_check(rxb[0], 100, 1));
	CHECK(p[1].len == 100 && !p[1].flags && frame_check(rxb[1], 100, 2));
	CHECK(p[2].len == 60 && (p[2].flags & SQN_PKT_TRUNCATED));
	CHECK(!memcmp(rxb[2], frame, 20));
	CHECK_EQ(sqn_recv(net, p, 6), -EAGAIN);
	sqn_stats(net, &st);
	CHECK_EQ(st.rx_errors, 2);
	CHECK_EQ(st.rx_frames, 2);
	CHECK_EQ(st.rx_dropped, 1);
	sqn_info(net, &info);
	CHECK_EQ(info.link_up, 1);
	sqn_close(net);
	close(sp[1]);
}

#define BURST 8
#define BURST_LEN 60056
#define BURST_WIRE (BURST * (4 + BURST_LEN))

static uint8_t burst[BURST][BURST_LEN];
static uint8_t wire[BURST_WIRE];

/* The slow peer: takes at most @most bytes of what waits in its socket. */
static size_t peer_take(struct raw *r, size_t have, size_t most)
{
	ssize_t m;

	if (most > BURST_WIRE - have)
		most = BURST_WIRE - have;
	while (most) {
		m = recv(r->peer, wire + have, most, MSG_DONTWAIT);
		if (m <= 0) {
			CHECK(m < 0 && errno == EAGAIN);
			break;
		}
		have += (size_t)m;
		most -= (size_t)m;
	}
	return have;
}

/* Send BURST frames to a peer that reads 16 KiB whenever the library is
 * full, until sqn_send() took the whole batch. Return: bytes the peer has
 * read so far; *@tail set when bytes of the last frame remain in the
 * library. */
static size_t burst_send(struct raw *r, uint32_t seq, int *tail)
{
	struct iovec iov[BURST];
	struct sqn_pkt p[BURST];
	unsigned int i, sent = 0;
	size_t have = 0;
	int n;

	for (i = 0; i < BURST; i++) {
		frame_fill(burst[i], BURST_LEN, seq + i);
		iov[i] = (struct iovec){ burst[i], BURST_LEN };
		p[i] = (struct sqn_pkt){ .iov = &iov[i], .iovcnt = 1 };
	}
	while (sent < BURST) {
		n = sqn_send(r->net, p + sent, BURST - sent);
		if (n > 0) {
			sent += (unsigned int)n;
			continue;
		}
		CHECK_EQ(n, -EAGAIN);
		have = peer_take(r, have, 16384);
	}
	/* Looking costs a try at sending: what stays is the tail. */
	*tail = sqn_flush(r->net) == -EAGAIN;
	return have;
}

/* Every frame of the burst arrived whole, in order. */
static void burst_check(size_t have, uint32_t seq)
{
	size_t off = 0;
	unsigned int i;

	CHECK_EQ(have, BURST_WIRE);
	for (i = 0; i < BURST; i++, off += 4 + BURST_LEN) {
		CHECK(wire[off] == 0 && wire[off + 1] == 0 &&
		      wire[off + 2] == (BURST_LEN >> 8) &&
		      wire[off + 3] == (BURST_LEN & 0xff));
		CHECK(frame_check(wire + off + 4, BURST_LEN, seq + i));
	}
}

static void slow_peer_open(struct raw *r)
{
	int small = 65536;

	raw_open(r, SQN_FRAMING_QEMU);
	/* Less room than a burst, so that the library fills it. */
	CHECK(!setsockopt(sqn_fd(r->net), SOL_SOCKET, SO_SNDBUF, &small,
			  sizeof(small)));
}

/* The rule of the header: after a batch, sqn_flush() until it returns 0,
 * waiting for POLLOUT on sqn_fd() while it says -EAGAIN. */
TEST(flush_after_each_batch_delivers_every_frame_whole)
{
	struct raw r;
	unsigned int b, tails = 0;
	size_t have;
	int tail, f;

	slow_peer_open(&r);
	for (b = 0; b < 4; b++) {
		have = burst_send(&r, 100 * b, &tail);
		tails += (unsigned int)tail;
		while ((f = sqn_flush(r.net)) == -EAGAIN) {
			struct pollfd pfd = { sqn_fd(r.net), POLLOUT, 0 };

			/* The peer reads on until the library may write. */
			do
				have = peer_take(&r, have, 16384);
			while (poll(&pfd, 1, 0) == 0 && have < BURST_WIRE);
			CHECK(poll(&pfd, 1, WAIT_MS) == 1);
		}
		CHECK_EQ(f, 0);
		burst_check(peer_take(&r, have, BURST_WIRE), 100 * b);
	}
	/* The case the rule is for happened. */
	CHECK(tails > 0);
	raw_close(&r);
}

/* A caller that only receives after a burst still delivers its last
 * frame whole: sqn_recv() pushes the tail out too. */
TEST(recv_pushes_the_tail_of_an_accepted_frame)
{
	struct iovec iov = { buf, sizeof(buf) };
	struct sqn_pkt p = { .iov = &iov, .iovcnt = 1 };
	struct raw r;
	unsigned int b;
	size_t have;
	int tail = 0;

	slow_peer_open(&r);
	for (b = 0; b < 8 && !tail; b++) {
		have = burst_send(&r, 100 * b, &tail);
		/* The peer reads all it was sent: the rest is in the library. */
		have = peer_take(&r, have, BURST_WIRE);
		if (tail)
			CHECK(have < BURST_WIRE);
		CHECK_EQ(sqn_recv(r.net, &p, 1), -EAGAIN);
		burst_check(peer_take(&r, have, BURST_WIRE), 100 * b);
	}
	CHECK(tail);
	raw_close(&r);
}
