// SPDX-License-Identifier: MIT
/* test_conformance.c - what every backend must do, run against each of them */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_count.h"
#include "fixture.h"
#include "harness.h"

#define BIG (SQN_FRAME_MAX + 16)
#define BATCH 256

static uint8_t txbuf[BATCH][2048];
static uint8_t rxbuf[BATCH][2048];
static uint8_t bigtx[BIG];
static uint8_t bigrx[BIG];
static struct iovec txiov[BATCH][3];
static struct iovec rxiov[BATCH][2];
static struct sqn_pkt tx[BATCH];
static struct sqn_pkt rx[BATCH];

static void fx_must_open(struct fx *f, unsigned int which)
{
	int r = fx_open(f, which, NULL);

	CHECK_MSG(!r, "%s: open: %s: %s", fx_names[which], sqn_strerror(r),
		  sqn_last_error(NULL));
}

/* A received frame in a few words, for a message: what came instead of
 * the frame a test sent. */
static const char *what(const uint8_t *f, size_t len)
{
	static char s[96];

	if (len < SQN_ETH_HLEN)
		snprintf(s, sizeof(s), "%zu bytes", len);
	else
		snprintf(
			s, sizeof(s),
			"%zu bytes, type %02x%02x, to %02x:%02x:%02x:%02x:%02x:%02x",
			len, f[12], f[13], f[0], f[1], f[2], f[3], f[4], f[5]);
	return s;
}

/* Describe frame @i of @len bytes in txbuf as three pieces. */
static void tx_frame(unsigned int i, size_t len, uint32_t seq)
{
	size_t a = len / 3, b = len / 3;

	frame_fill(txbuf[i], len, seq);
	txiov[i][0] = (struct iovec){ txbuf[i], a };
	txiov[i][1] = (struct iovec){ txbuf[i] + a, b };
	txiov[i][2] = (struct iovec){ txbuf[i] + a + b, len - a - b };
	tx[i] = (struct sqn_pkt){ .iov = txiov[i], .iovcnt = 3 };
}

/* Receive into two pieces, split at an odd place. */
static void rx_setup(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		rxiov[i][0] = (struct iovec){ rxbuf[i], 7 };
		rxiov[i][1] =
			(struct iovec){ rxbuf[i] + 7, sizeof(rxbuf[i]) - 7 };
		rx[i] = (struct sqn_pkt){ .iov = rxiov[i], .iovcnt = 2 };
	}
}

TEST(open_close_1000_cycles_leak_nothing)
{
	unsigned int w;
	int i;

	for (w = 0; w < fx_count; w++) {
		struct fx f;
		int fds;
		long live;

		/* One cycle first, so lazy libc state is not counted. */
		fx_must_open(&f, w);
		fx_close(&f);
		fds = harness_fd_count();
		live = alloc_count_live();
		for (i = 0; i < (int)fx_kinds[w].cycles; i++) {
			fx_must_open(&f, w);
			fx_close(&f);
		}
		CHECK_MSG(harness_fd_count() == fds, "%s: fds %d -> %d",
			  fx_names[w], fds, harness_fd_count());
		CHECK_MSG(alloc_count_live() == live,
			  "%s: live allocations %ld -> %ld", fx_names[w], live,
			  alloc_count_live());
	}
}

TEST(info_after_open)
{
	unsigned int w;

	for (w = 0; w < fx_count; w++) {
		struct fx f;

		fx_must_open(&f, w);
		CHECK_MSG(f.info.link_up == 1, "%s", f.name);
		CHECK_MSG(f.info.max_packet_size == f.kind->max_packet,
			  "%s: max %u", f.name, f.info.max_packet_size);
		CHECK_EQ(f.info.mtu + SQN_ETH_HLEN, f.info.max_packet_size);
		CHECK_MSG((f.info.guest_mac[0] & 3) == 2,
			  "%s: guest MAC not local unicast", f.name);
		CHECK(sqn_fd(f.net) >= 0);
		fx_close(&f);
	}
}

TEST(round_trip_sizes)
{
	static const size_t sizes[] = { 14, 60, 1514, 9000, 65535 };
	unsigned int w, s;

	for (w = 0; w < fx_count; w++) {
		struct fx f;
		struct sqn_stats st;
		uint64_t bytes = 0;

		fx_must_open(&f, w);
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			size_t len = sizes[s], a = len / 2;
			struct iovec ti[2] = { { bigtx, a },
					       { bigtx + a, len - a } };
			struct iovec ri = { bigrx, sizeof(bigrx) };
			struct sqn_pkt t = { .iov = ti, .iovcnt = 2 };
			struct sqn_pkt r = { .iov = &ri, .iovcnt = 1 };

			frame_fill(bigtx, len, s);
			CHECK_MSG(!fx_send_all(&f, &t, 1), "%s: send %zu",
				  f.name, len);
			CHECK_MSG(fx_recv_wait(&f, &r, 1, 5000) == 1,
				  "%s: no echo of %zu bytes", f.name, len);
			CHECK_MSG(r.len == len && !r.flags, "%s: len %zu/%zu",
				  f.name, r.len, len);
			CHECK_MSG(frame_check(bigrx, len, s),
				  "%s: %zu-byte frame corrupted", f.name, len);
			bytes += len;
		}
		sqn_stats(f.net, &st);
		CHECK_EQ(st.tx_frames, 5);
		CHECK_EQ(st.rx_frames, 5);
		CHECK_EQ(st.tx_bytes, bytes);
		CHECK_EQ(st.rx_bytes, bytes);
		fx_close(&f);
	}
}

TEST(batches_1_to_256)
{
	unsigned int w, b, i;

	for (w = 0; w < fx_count; w++) {
		struct fx f;
		struct sqn_stats st;
		uint32_t seq = 0;
		uint64_t frames = 0;

		fx_must_open(&f, w);
		for (b = 1; b <= BATCH; b++) {
			for (i = 0; i < b; i++)
				tx_frame(i, 60 + (seq + i) % 1400, seq + i);
			rx_setup(b);
			CHECK_MSG(fx_exchange(&f, tx, rx, b) == (int)b,
				  "%s: batch %u came back short", f.name, b);
			for (i = 0; i < b; i++, seq++) {
				size_t len = 60 + seq % 1400;

				CHECK_MSG(rx[i].len == len &&
						  frame_check(rxbuf[i], len,
							      seq),
					  "%s: batch %u frame %u: %s", f.name,
					  b, i, what(rxbuf[i], rx[i].len));
			}
			frames += b;
		}
		sqn_stats(f.net, &st);
		CHECK_EQ(st.tx_frames, frames);
		CHECK_EQ(st.rx_frames, frames);
		CHECK_EQ(st.rx_dropped + st.tx_dropped + st.rx_errors +
				 st.tx_errors,
			 0);
		fx_close(&f);
	}
}

/* Send without receiving until the backend pushes back (or, for one that
 * never does, as many frames as it holds), then drain. */
static void back_pressure(unsigned int w, size_t len)
{
	struct iovec ti = { bigtx, len };
	struct iovec ri = { bigrx, sizeof(bigrx) };
	struct sqn_pkt t = { .iov = &ti, .iovcnt = 1 };
	struct sqn_pkt r = { .iov = &ri, .iovcnt = 1 };
	struct sqn_stats st;
	struct fx f;
	uint32_t sent = 0, got = 0;
	int pushed_back = 0, i, n, limit;

	fx_must_open(&f, w);
	limit = f.kind->hold ? (int)f.kind->hold : 200000;
	for (i = 0; i < limit && !pushed_back; i++) {
		frame_fill(bigtx, len, sent);
		n = sqn_send(f.net, &t, 1);
		if (n == 1)
			sent++;
		else if (n == -EAGAIN)
			pushed_back = 1;
		else
			CHECK_MSG(0, "%s: send: %s", f.name, sqn_strerror(n));
	}
	CHECK_MSG(pushed_back || f.kind->hold,
		  "%s: %zu-byte frames never pushed back", f.name, len);
	CHECK_MSG(!pushed_back || errno == EAGAIN, "%s: errno %d", f.name,
		  errno);
	while (got < sent) {
		CHECK_MSG(fx_recv_wait(&f, &r, 1, 5000) == 1,
			  "%s: lost frames: %u of %u came back", f.name, got,
			  sent);
		CHECK_MSG(r.len == len && frame_check(bigrx, len, got),
			  "%s: frame %u wrong after back-pressure: %s", f.name,
			  got, what(bigrx, r.len));
		got++;
	}
	CHECK_EQ(sqn_recv(f.net, &r, 1), -EAGAIN);
	sqn_stats(f.net, &st);
	CHECK_EQ(st.tx_frames, sent);
	CHECK_EQ(st.rx_frames, sent);
	CHECK_EQ(st.tx_dropped, 0);
	fx_close(&f);
}

TEST(back_pressure_never_drops)
{
	unsigned int w;

	for (w = 0; w < fx_count; w++) {
		back_pressure(w, 1514);
		back_pressure(w, 65535);
	}
}

TEST(stats_count_drops_exactly)
{
	unsigned int w;

	for (w = 0; w < fx_count; w++) {
		struct iovec small = { bigtx, 13 };
		struct iovec big = { bigtx, 0 };
		struct iovec tiny = { rxbuf[0], 20 };
		struct sqn_pkt bad[3] = {
			{ .iov = &small, .iovcnt = 1 },
			{ .iov = &big, .iovcnt = 1 },
			{ .iov = NULL, .iovcnt = 0 },
		};
		struct sqn_pkt mix[3];
		struct sqn_pkt r = { .iov = &tiny, .iovcnt = 1 };
		struct sqn_stats st;
		struct fx f;

		fx_must_open(&f, w);
		big.iov_len = f.info.max_packet_size + 1;
		tx_frame(0, 100, 1);
		mix[0] = bad[0];
		mix[1] = tx[0];
		mix[2] = bad[1];
		CHECK_EQ(sqn_send(f.net, bad, 3), 3);
		CHECK_EQ(sqn_send(f.net, mix, 3), 3);
		/* Received into 20 bytes: truncated and counted. */
		CHECK_EQ(fx_recv_wait(&f, &r, 1, 5000), 1);
		CHECK(r.flags & SQN_PKT_TRUNCATED);
		CHECK_EQ(r.len, 100);
		CHECK(!memcmp(rxbuf[0], txbuf[0], 20));
		sqn_stats(f.net, &st);
		CHECK_EQ(st.tx_dropped, 5);
		CHECK_EQ(st.tx_frames, 1);
		CHECK_EQ(st.tx_bytes, 100);
		CHECK_EQ(st.rx_dropped, 1);
		CHECK_EQ(st.rx_frames, 0);
		CHECK_EQ(st.rx_bytes, 0);
		CHECK_EQ(st.rx_errors + st.tx_errors, 0);
		fx_close(&f);
	}
}

TEST(recv_when_empty_and_fd_readiness)
{
	unsigned int w;

	for (w = 0; w < fx_count; w++) {
		struct pollfd p;
		struct fx f;

		fx_must_open(&f, w);
		p = (struct pollfd){ sqn_fd(f.net), POLLIN, 0 };
		rx_setup(1);
		errno = 0;
		CHECK_EQ(sqn_recv(f.net, rx, 1), -EAGAIN);
		CHECK_EQ(errno, EAGAIN);
		CHECK_EQ(poll(&p, 1, 0), 0);
		tx_frame(0, 60, 9);
		CHECK_EQ(sqn_send(f.net, tx, 1), 1);
		CHECK_MSG(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN),
			  "%s: fd not readable with a frame waiting", f.name);
		CHECK_EQ(sqn_recv(f.net, rx, 1), 1);
		CHECK(frame_check(rxbuf[0], 60, 9));
		CHECK_EQ(sqn_recv(f.net, rx, 1), -EAGAIN);
		CHECK_EQ(poll(&p, 1, 0), 0);
		CHECK_EQ(sqn_recv(f.net, rx, 0), 0);
		CHECK_EQ(sqn_send(f.net, tx, 0), 0);
		fx_close(&f);
	}
}

TEST(close_on_every_path)
{
	unsigned int w;
	int i, limit, fds = harness_fd_count();

	sqn_close(NULL);
	for (w = 0; w < fx_count; w++) {
		struct iovec ti = { bigtx, 65535 };
		struct sqn_pkt t = { .iov = &ti, .iovcnt = 1 };
		struct fx f;

		/* With frames waiting to be received. */
		fx_must_open(&f, w);
		tx_frame(0, 60, 1);
		CHECK_EQ(sqn_send(f.net, tx, 1), 1);
		fx_close(&f);

		/* With the backend full and, for streams, a frame half sent. */
		fx_must_open(&f, w);
		limit = f.kind->hold ? 2 * (int)f.kind->hold : 100000;
		for (i = 0; i < limit && sqn_send(f.net, &t, 1) == 1; i++)
			;
		fx_close(&f);
	}
	CHECK_EQ(harness_fd_count(), fds);
}

TEST(frame_in_many_pieces)
{
	static struct iovec pieces[1100];
	unsigned int w, i;

	for (i = 0; i < 1100; i++)
		pieces[i] = (struct iovec){ bigtx + i * 2, 2 };
	for (w = 0; w < fx_count; w++) {
		struct sqn_pkt t = { .iov = pieces, .iovcnt = 1100 };
		struct iovec ri = { bigrx, sizeof(bigrx) };
		struct sqn_pkt r = { .iov = &ri, .iovcnt = 1 };
		struct fx f;

		fx_must_open(&f, w);
		frame_fill(bigtx, 2200, 77);
		CHECK_MSG(!fx_send_all(&f, &t, 1), "%s", f.name);
		CHECK_MSG(fx_recv_wait(&f, &r, 1, 5000) == 1, "%s", f.name);
		CHECK_MSG(r.len == 2200 && frame_check(bigrx, 2200, 77),
			  "%s: 1100-piece frame", f.name);
		fx_close(&f);
	}
}
