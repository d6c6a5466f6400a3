// SPDX-License-Identifier: MIT
/* test_slirp_frames.c - unit tests of the slirp helper's framing (frames.c) */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alloc_count.h"
#include "frames.h"
#include "harness.h"

#define MTU_FRAME 1514
#define SEEN_MAX 64

/**
 * struct seen - what frames_in_commit() delivered
 * @n:		frames
 * @len:	their lengths
 * @first:	their first bytes
 */
static struct seen {
	size_t n;
	size_t len[SEEN_MAX];
	uint8_t first[SEEN_MAX];
} seen;

/* frames_in_commit's callback: note the frame. */
static void deliver(const uint8_t *frame, size_t len, void *opaque)
{
	(void)opaque;
	if (seen.n < SEEN_MAX) {
		seen.len[seen.n] = len;
		seen.first[seen.n] = frame[0];
	}
	seen.n++;
}

static uint8_t stream[4 * 65536];

/* Append a length-prefixed frame of @len bytes of value @fill; @hdr_len is
 * the length written in the prefix. */
static size_t put(size_t at, uint32_t hdr_len, size_t len, uint8_t fill)
{
	stream[at] = (uint8_t)(hdr_len >> 24);
	stream[at + 1] = (uint8_t)(hdr_len >> 16);
	stream[at + 2] = (uint8_t)(hdr_len >> 8);
	stream[at + 3] = (uint8_t)hdr_len;
	memset(stream + at + 4, fill, len);
	return at + 4 + len;
}

/* Feed @n bytes of stream, @chunk at a time. Return: the last result. */
static int feed(struct frames_in *in, size_t n, size_t chunk,
		struct frames_stats *st)
{
	size_t off = 0, c, room;
	uint8_t *p;
	int r = 0;

	while (off < n && !r) {
		p = frames_in_space(in, &room);
		c = n - off < chunk ? n - off : chunk;
		CHECK(room >= c);
		memcpy(p, stream + off, c);
		r = frames_in_commit(in, c, deliver, NULL, st);
		off += c;
	}
	return r;
}

TEST(partial_frames_are_kept_across_reads)
{
	size_t chunks[] = { 1, 3, 7, 100, 65536 }, i, n;
	struct frames_stats st;
	struct frames_in in;

	n = put(0, 60, 60, 0xa1);
	n = put(n, MTU_FRAME, MTU_FRAME, 0xa2);
	n = put(n, 14, 14, 0xa3);
	for (i = 0; i < sizeof(chunks) / sizeof(*chunks); i++) {
		memset(&seen, 0, sizeof(seen));
		memset(&st, 0, sizeof(st));
		CHECK_EQ(frames_in_init(&in, MTU_FRAME), 0);
		CHECK_EQ(feed(&in, n, chunks[i], &st), 0);
		CHECK_EQ(seen.n, 3);
		CHECK_EQ(seen.len[0], 60);
		CHECK_EQ(seen.first[0], 0xa1);
		CHECK_EQ(seen.len[1], MTU_FRAME);
		CHECK_EQ(seen.first[1], 0xa2);
		CHECK_EQ(seen.len[2], 14);
		CHECK_EQ(st.in_frames, 3);
		CHECK_EQ(st.in_bytes, 60 + MTU_FRAME + 14);
		CHECK_EQ(in.len, 0);
		frames_in_free(&in);
	}
}

/* Runts and oversized frames are skipped whole: the next frame is found. */
TEST(runt_and_oversized_lengths_are_skipped_in_step)
{
	struct frames_stats st = { 0 };
	struct frames_in in;
	size_t n;

	memset(&seen, 0, sizeof(seen));
	n = put(0, 0, 0, 0);
	n = put(n, 13, 13, 0xee);
	n = put(n, MTU_FRAME + 1, MTU_FRAME + 1, 0xee);
	n = put(n, FRAMES_LEN_SANE, FRAMES_LEN_SANE, 0xee);
	n = put(n, 42, 42, 0xb1);
	CHECK_EQ(frames_in_init(&in, MTU_FRAME), 0);
	CHECK_EQ(feed(&in, n, 977, &st), 0);
	CHECK_EQ(st.in_runt, 2);
	CHECK_EQ(st.in_oversized, 2);
	CHECK_EQ(seen.n, 1);
	CHECK_EQ(seen.len[0], 42);
	CHECK_EQ(seen.first[0], 0xb1);
	frames_in_free(&in);
}

TEST(insane_length_ends_the_stream)
{
	struct frames_stats st = { 0 };
	struct frames_in in;
	size_t n;

	memset(&seen, 0, sizeof(seen));
	n = put(0, 42, 42, 0xc1);
	n = put(n, FRAMES_LEN_SANE + 1, 0, 0);
	n = put(n, 42, 42, 0xc2);
	CHECK_EQ(frames_in_init(&in, MTU_FRAME), 0);
	CHECK_EQ(feed(&in, n, n, &st), -EBADMSG);
	CHECK_EQ(st.in_bad_length, 1);
	CHECK_EQ(seen.n, 1);
	frames_in_free(&in);
}

TEST(no_allocation_per_frame)
{
	struct frames_stats st = { 0 };
	struct frames_out out;
	struct frames_in in;
	long before;
	size_t n = 0;
	int i;

	while (n < 60000)
		n = put(n, 100, 100, 0xd1);
	CHECK_EQ(frames_in_init(&in, MTU_FRAME), 0);
	CHECK_EQ(frames_out_init(&out, MTU_FRAME, 1 << 20), 0);
	before = alloc_count_calls();
	for (i = 0; i < 10; i++) {
		CHECK_EQ(feed(&in, n, 4096, &st), 0);
		CHECK_EQ(frames_out_queue(&out, stream, 100, &st), 0);
	}
	CHECK_EQ(alloc_count_calls(), before);
	frames_in_free(&in);
	frames_out_free(&out);
}

TEST(out_ring_full_drops_whole_frames_and_counts)
{
	struct frames_stats st = { 0 };
	struct frames_out out;
	int i, queued = 0;

	/* The ring is raised to 16 frames of the largest size. */
	CHECK_EQ(frames_out_init(&out, 100, 1), 0);
	CHECK_EQ(out.cap, 16 * 104);
	for (i = 0; i < 20; i++)
		queued += !frames_out_queue(&out, stream, 100, &st);
	CHECK_EQ(queued, 16);
	CHECK_EQ(st.out_dropped, 4);
	CHECK_EQ(frames_out_queue(&out, stream, 101, &st), -EMSGSIZE);
	CHECK_EQ(st.out_too_big, 1);
	CHECK_EQ(out.len, 16 * 104);
	frames_out_free(&out);
}

/* A peer that reads slowly: short writes resume, the ring wraps, and the
 * reader gets every frame whole and in order. */
TEST(out_short_writes_are_finished_across_the_wrap)
{
	static uint8_t got[1 << 20], frame[1000];
	struct frames_stats st = { 0 };
	struct frames_out out;
	size_t have = 0, off, i, sent = 0;
	int sv[2], sz = 4096, r;
	ssize_t n;

	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	CHECK_EQ(frames_out_init(&out, 1000, 1), 0);
	for (i = 0; sent < 400; i++) {
		memset(frame, (int)(sent & 0xff), sizeof(frame));
		if (!frames_out_queue(&out, frame, 100 + sent % 900, &st))
			sent++;
		r = frames_out_flush(&out, sv[0]);
		CHECK(r == 0 || r == 1);
		n = read(sv[1], got + have, sizeof(got) - have);
		if (n > 0)
			have += (size_t)n;
		CHECK(i < 100000);
	}
	while (out.len) {
		CHECK(frames_out_flush(&out, sv[0]) >= 0);
		n = read(sv[1], got + have, sizeof(got) - have);
		if (n > 0)
			have += (size_t)n;
	}
	while ((n = read(sv[1], got + have, sizeof(got) - have)) > 0)
		have += (size_t)n;
	for (i = 0, off = 0; i < 400; i++) {
		size_t len = (size_t)got[off] << 24 |
			     (size_t)got[off + 1] << 16 |
			     (size_t)got[off + 2] << 8 | got[off + 3];

		CHECK_EQ(len, 100 + i % 900);
		CHECK_EQ(got[off + 4], i & 0xff);
		CHECK_EQ(got[off + 3 + len], i & 0xff);
		off += 4 + len;
	}
	CHECK_EQ(off, have);
	CHECK_EQ(st.out_frames, 400);
	frames_out_free(&out);
	close(sv[0]);
	close(sv[1]);
}
